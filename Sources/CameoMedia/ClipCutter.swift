import CFFmpeg
import CameoText
import Foundation

/// What `ClipCutter` wrote.
public struct CutClip: Sendable, Equatable {
    public enum Audio: String, Sendable {
        /// The source's own sound, re-encoded.
        case source
        /// A silent track, asked for with --add-silence.
        case silence
        /// No audio track: the source had none.
        case none
    }

    public var path: String
    public var width: Int
    public var height: Int
    /// Seconds: the window's length, to within one frame.
    public var duration: Double
    public var frames: Int
    public var frameRate: String
    public var audio: Audio
    public var warnings: [String]
}

/// Writes exactly one window of a clip as the file providers accept: H.264
/// (libx264) + AAC in MP4 with the index at the front, rotation applied,
/// at most 1080p on the short side, even sides, the source's frame rate.
/// The first frame is the source's frame at the window's start (decoding
/// starts at the keyframe before it and drops what comes earlier). The file
/// is written beside the output under a temporary name, probed, and only then
/// renamed into place: a failure leaves no file.
public struct ClipCutter: Sendable {
    public var timeout: Double
    /// Add a silent AAC track when the source has no audio (some providers require audio).
    public var addSilence: Bool

    public static let longestShortSide = 1080
    /// libx264 settings; `scripts/bench` gives ffmpeg the same.
    public static let x264Preset = "fast"
    public static let x264CRF = "18"
    public static let audioRate: Int32 = 48_000
    public static let audioBitRate: Int64 = 160_000

    public init(timeout: Double = 60, addSilence: Bool = false) {
        self.timeout = timeout
        self.addSilence = addSilence
    }

    public func cut(_ text: String, window: ClosedRange<Double>, to output: String) throws(MediaError) -> CutClip {
        let location = try MediaLocation(text)
        let input = try MediaInput(location, timeout: timeout)
        let info = try ClipProbe(timeout: timeout).probe(input)
        guard window.upperBound <= info.duration + 0.0005 else {
            throw .outsideClip(location.description, detail: "window \(Seconds.formatRange(window)) ends after the video, which plays for \(Seconds.format(info.duration)) s")
        }
        input.renewDeadline()
        let temporary = Self.temporaryPath(beside: output)
        InterruptCleanup.remove(temporary)
        defer {
            unlink(temporary)
            InterruptCleanup.clear()
        }
        var job: CutJob? = try CutJob(input: input, info: info, window: window, output: output, temporary: temporary, addSilence: addSilence)
        guard let running = job else { throw .cannotWrite(output, detail: "internal error") }
        var result = try running.run()
        job = nil  // Closes the file before it is probed.
        try Self.verify(temporary, as: output, expected: result)
        guard rename(temporary, output) == 0 else {
            throw .cannotWrite(output, detail: String(cString: strerror(errno)))
        }
        result.path = output
        return result
    }

    /// The picture as shown, scaled down (never up) to at most 1080 on the short side, both sides even.
    static func outputSize(width: Int, height: Int) -> (width: Int, height: Int) {
        let scale = min(1, Double(longestShortSide) / Double(max(1, min(width, height))))
        return (max(2, Int((Double(width) * scale).rounded()) & ~1), max(2, Int((Double(height) * scale).rounded()) & ~1))
    }

    /// A hidden name in the output's folder, so that the final rename stays on one file system.
    static func temporaryPath(beside output: String) -> String {
        let url = URL(fileURLWithPath: output)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).cameo-\(getpid()).tmp").path
    }

    /// The written file must probe as what was promised before it takes the output's name.
    static func verify(_ path: String, as output: String, expected: CutClip) throws(MediaError) {
        let info: ClipInfo
        do {
            info = try ClipProbe().probe(MediaLocation.file(path))
        } catch {
            throw .cannotWrite(output, detail: "the written file does not probe: \(error)")
        }
        var problems: [String] = []
        if !info.isMP4 { problems.append("container \(info.formatName)") }
        if info.video.codecName != "h264" { problems.append("video \(info.video.codecName)") }
        if expected.audio != .none, info.audio?.codecName != "aac" { problems.append("audio \(info.audio?.codecName ?? "missing")") }
        let frame = 1 / (info.video.framesPerSecond ?? 30)
        if abs(info.duration - expected.duration) > frame + 0.0005 {
            problems.append("it plays for \(Seconds.format(info.duration)) s, not \(Seconds.format(expected.duration)) s")
        }
        if MP4Layout.indexComesFirst(path) != true { problems.append("its index is not at the front") }
        guard problems.isEmpty else { throw .cannotWrite(output, detail: "the written file is wrong: " + problems.joined(separator: ", ")) }
    }
}

/// Removes a half-written file when cameo is interrupted (Ctrl-C, kill) while
/// writing it, then lets the signal end the process as it would have.
enum InterruptCleanup {
    // Read by the signal handler, which may only call async-signal-safe functions (unlink, signal, raise).
    nonisolated(unsafe) private static var path: UnsafeMutablePointer<CChar>?

    static func remove(_ file: String) {
        clear()
        path = strdup(file)
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number) { number in
                if let path = InterruptCleanup.path { unlink(path) }
                signal(number, SIG_DFL)
                raise(number)
            }
        }
        // A parent may have started cameo with these signals blocked (a thread pool's
        // mask is inherited through exec): Ctrl-C would then wait until the file was written.
        var signals = sigset_t()
        sigemptyset(&signals)
        for number in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&signals, number) }
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }

    static func clear() {
        for number in [SIGINT, SIGTERM, SIGHUP] { signal(number, SIG_DFL) }
        free(path)
        path = nil
    }
}

/// The top-level boxes of an MP4 file.
public enum MP4Layout {
    /// True when `moov` (the index) comes before `mdat` (the media): players start without reading the whole file.
    public static func indexComesFirst(_ path: String) -> Bool? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var offset: UInt64 = 0
        for _ in 0..<64 {
            try? handle.seek(toOffset: offset)
            guard let header = try? handle.read(upToCount: 16), header.count >= 8 else { return nil }
            let bytes = [UInt8](header)
            var size = UInt64(bytes[0]) << 24 | UInt64(bytes[1]) << 16 | UInt64(bytes[2]) << 8 | UInt64(bytes[3])
            let type = String(decoding: bytes[4..<8], as: UTF8.self)
            if type == "moov" { return true }
            if type == "mdat" { return false }
            if size == 1, bytes.count >= 16 {
                size = bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
            }
            guard size >= 8 else { return nil }
            offset += size
        }
        return nil
    }
}

extension Seconds {
    static func formatRange(_ range: ClosedRange<Double>) -> String {
        "\(format(range.lowerBound)),\(format(range.upperBound))"
    }
}

/// One cut in progress: the decoders, encoders and muxer, freed together.
private final class CutJob {
    let input: MediaInput
    let info: ClipInfo
    let window: ClosedRange<Double>
    let output: String
    let video: VideoDecoder
    let frameRate: AVRational
    let frameDuration: Double
    let displayWidth: Int32, displayHeight: Int32
    let quarterTurns: Int
    let warnings: [String]

    var muxer: UnsafeMutablePointer<AVFormatContext>?
    var videoEncoder: UnsafeMutablePointer<AVCodecContext>?
    var videoStream: UnsafeMutablePointer<AVStream>?
    var audioDecoder: UnsafeMutablePointer<AVCodecContext>?
    var audioEncoder: UnsafeMutablePointer<AVCodecContext>?
    var audioStream: UnsafeMutablePointer<AVStream>?
    var resampler: OpaquePointer?
    var scaler: OpaquePointer?
    var packet: UnsafeMutablePointer<AVPacket>?
    var frame: UnsafeMutablePointer<AVFrame>?
    var scaled: UnsafeMutablePointer<AVFrame>?
    var turned: UnsafeMutablePointer<AVFrame>?
    let audioMode: CutClip.Audio

    init(input: MediaInput, info: ClipInfo, window: ClosedRange<Double>, output: String, temporary: String, addSilence: Bool) throws(MediaError) {
        self.input = input
        self.info = info
        self.window = window
        self.output = output
        video = try VideoDecoder(input, shortcuts: .none)
        let stream = video.stream.pointee
        let average = stream.avg_frame_rate, real = stream.r_frame_rate
        frameRate = average.num > 0 && average.den > 0 ? average : real.num > 0 && real.den > 0 ? real : AVRational(num: 30, den: 1)
        frameDuration = Double(frameRate.den) / Double(frameRate.num)
        quarterTurns = ((info.video.rotation % 360 + 360) % 360 + 45) / 90 % 4

        let size = ClipCutter.outputSize(width: info.video.displayWidth, height: info.video.displayHeight)
        displayWidth = Int32(size.width)
        displayHeight = Int32(size.height)
        var warnings: [String] = []
        if min(displayWidth, displayHeight) < 720 {
            warnings.append("the cut is \(displayWidth)x\(displayHeight), smaller than 720p: providers may refuse it or the character may come out blurred")
        }
        let hasAudio = input.audioStream != nil
        audioMode = hasAudio ? .source : addSilence ? .silence : .none
        if audioMode == .none {
            warnings.append("the source has no audio, so neither has the cut: some providers require audio; --add-silence adds a silent track")
        }
        self.warnings = warnings

        packet = av_packet_alloc()
        frame = av_frame_alloc()
        guard packet != nil, frame != nil else { throw .cannotWrite(output, detail: "out of memory") }
        try openOutput(temporary)
    }

    deinit {
        if let muxer {
            if muxer.pointee.pb != nil { avio_closep(&muxer.pointee.pb) }
            avformat_free_context(muxer)
        }
        avcodec_free_context(&videoEncoder)
        avcodec_free_context(&audioEncoder)
        avcodec_free_context(&audioDecoder)
        swr_free(&resampler)
        sws_freeContext(scaler)
        av_packet_free(&packet)
        av_frame_free(&frame)
        av_frame_free(&scaled)
        av_frame_free(&turned)
    }

    private func fail(_ what: String, _ status: Int32) -> MediaError {
        .cannotWrite(output, detail: "\(what): \(averrorText(status))")
    }

    private func openOutput(_ path: String) throws(MediaError) {
        var context: UnsafeMutablePointer<AVFormatContext>?
        var status = avformat_alloc_output_context2(&context, nil, "mp4", path)
        guard status >= 0, let context else { throw fail("cannot set up MP4 output", status) }
        muxer = context
        let globalHeader = (context.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER) != 0

        guard let x264 = avcodec_find_encoder_by_name("libx264") else {
            throw .cannotWrite(output, detail: "this FFmpeg has no libx264 encoder; install Debian's libavcodec (scripts/bootstrap)")
        }
        guard let encoder = avcodec_alloc_context3(x264) else { throw .cannotWrite(output, detail: "out of memory") }
        videoEncoder = encoder
        encoder.pointee.width = displayWidth
        encoder.pointee.height = displayHeight
        encoder.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        encoder.pointee.sample_aspect_ratio = AVRational(num: 1, den: 1)
        encoder.pointee.time_base = AVRational(num: frameRate.den, den: frameRate.num)
        encoder.pointee.framerate = frameRate
        encoder.pointee.thread_count = 0
        if globalHeader { encoder.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER }
        var options: OpaquePointer?
        av_dict_set(&options, "preset", ClipCutter.x264Preset, 0)
        av_dict_set(&options, "crf", ClipCutter.x264CRF, 0)
        status = avcodec_open2(encoder, x264, &options)
        av_dict_free(&options)
        guard status >= 0 else { throw fail("cannot open the H.264 encoder", status) }
        guard let stream = avformat_new_stream(context, nil) else { throw .cannotWrite(output, detail: "out of memory") }
        videoStream = stream
        stream.pointee.time_base = encoder.pointee.time_base
        stream.pointee.avg_frame_rate = frameRate
        guard avcodec_parameters_from_context(stream.pointee.codecpar, encoder) >= 0 else { throw .cannotWrite(output, detail: "out of memory") }

        if audioMode != .none {
            try openAudio(context, globalHeader: globalHeader)
        }

        status = avio_open(&context.pointee.pb, path, AVIO_FLAG_WRITE)
        guard status >= 0 else { throw fail("cannot create the file", status) }
        // The index at the front: players (and providers) start before the whole file arrives.
        av_dict_set(&options, "movflags", "+faststart", 0)
        status = avformat_write_header(context, &options)
        av_dict_free(&options)
        guard status >= 0 else { throw fail("cannot write the MP4 header", status) }
    }

    private func openAudio(_ context: UnsafeMutablePointer<AVFormatContext>, globalHeader: Bool) throws(MediaError) {
        guard let aac = avcodec_find_encoder(AV_CODEC_ID_AAC), let encoder = avcodec_alloc_context3(aac) else {
            throw .cannotWrite(output, detail: "this FFmpeg has no AAC encoder")
        }
        audioEncoder = encoder
        encoder.pointee.sample_fmt = AV_SAMPLE_FMT_FLTP
        encoder.pointee.sample_rate = ClipCutter.audioRate
        cameo_set_channels(encoder, 2)
        encoder.pointee.bit_rate = ClipCutter.audioBitRate
        encoder.pointee.time_base = AVRational(num: 1, den: ClipCutter.audioRate)
        if globalHeader { encoder.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER }
        var status = avcodec_open2(encoder, aac, nil)
        guard status >= 0 else { throw fail("cannot open the AAC encoder", status) }
        guard let stream = avformat_new_stream(context, nil) else { throw .cannotWrite(output, detail: "out of memory") }
        audioStream = stream
        stream.pointee.time_base = encoder.pointee.time_base
        guard avcodec_parameters_from_context(stream.pointee.codecpar, encoder) >= 0 else { throw .cannotWrite(output, detail: "out of memory") }

        guard audioMode == .source, let source = input.audioStream, let parameters = source.pointee.codecpar else { return }
        guard let codec = avcodec_find_decoder(parameters.pointee.codec_id), let decoder = avcodec_alloc_context3(codec) else {
            throw .notAVideo(input.location.description, detail: "no decoder for its audio")
        }
        audioDecoder = decoder
        status = avcodec_parameters_to_context(decoder, parameters)
        decoder.pointee.pkt_timebase = source.pointee.time_base
        if status >= 0 { status = avcodec_open2(decoder, codec, nil) }
        guard status >= 0 else { throw input.failure(status, doing: "opening the audio decoder") }
    }

    func run() throws(MediaError) -> CutClip {
        let start = window.lowerBound, end = window.upperBound
        guard let packet, let frame else { throw .cannotWrite(output, detail: "out of memory") }
        position(before: start, packet: packet, frame: frame)
        var audio = AudioCollector(rate: Int(ClipCutter.audioRate))
        var framesWritten = 0
        var lastPTS: Int64 = -1
        var videoDone = false
        var audioDone = audioDecoder == nil
        let videoIndex = video.stream.pointee.index
        let audioIndex = input.audioStream?.pointee.index ?? -1
        let audioTimeBase = input.audioStream?.pointee.time_base.doubleValue ?? 1

        func takeVideo(_ decoded: UnsafeMutablePointer<AVFrame>) throws(MediaError) {
            guard !videoDone, let time = video.time(of: decoded) else { return }
            if time < start - frameDuration / 2 { return }
            if time >= end - frameDuration / 2 {
                videoDone = true
                return
            }
            var pts = Int64(((time - start) / frameDuration).rounded())
            if pts <= lastPTS { pts = lastPTS + 1 }
            lastPTS = pts
            try encodeVideo(decoded, pts: pts)
            framesWritten += 1
        }

        func takeAudio(_ decoded: UnsafeMutablePointer<AVFrame>) throws(MediaError) {
            let timestamp = decoded.pointee.best_effort_timestamp != cameo_nopts() ? decoded.pointee.best_effort_timestamp : decoded.pointee.pts
            guard timestamp != cameo_nopts() else { return }
            let time = Double(timestamp) * audioTimeBase - video.zero
            let length = Double(decoded.pointee.nb_samples) / Double(max(1, decoded.pointee.sample_rate))
            if time + length < start { return }
            if time >= end {
                audioDone = true
                return
            }
            try resample(decoded, at: time, into: &audio)
        }

        var readStatus: Int32 = 0
        while !(videoDone && audioDone) {
            readStatus = av_read_frame(input.context, packet)
            if readStatus < 0 { break }
            defer { av_packet_unref(packet) }
            if packet.pointee.stream_index == videoIndex, !videoDone {
                guard avcodec_send_packet(video.codec, packet) >= 0 else { continue }
                while !videoDone, avcodec_receive_frame(video.codec, frame) >= 0 {
                    defer { av_frame_unref(frame) }
                    try takeVideo(frame)
                }
            } else if packet.pointee.stream_index == audioIndex, let audioDecoder, !audioDone {
                guard avcodec_send_packet(audioDecoder, packet) >= 0 else { continue }
                while !audioDone, avcodec_receive_frame(audioDecoder, frame) >= 0 {
                    defer { av_frame_unref(frame) }
                    try takeAudio(frame)
                }
            }
        }
        if let stopped = input.interruption { throw stopped }
        // The end of the file: frames the decoders still hold.
        if !videoDone, avcodec_send_packet(video.codec, nil) >= 0 {
            while !videoDone, avcodec_receive_frame(video.codec, frame) >= 0 {
                defer { av_frame_unref(frame) }
                try takeVideo(frame)
            }
        }
        if !audioDone, let audioDecoder, avcodec_send_packet(audioDecoder, nil) >= 0 {
            while !audioDone, avcodec_receive_frame(audioDecoder, frame) >= 0 {
                defer { av_frame_unref(frame) }
                try takeAudio(frame)
            }
        }
        guard framesWritten > 0 else {
            throw .notAVideo(input.location.description, detail: "no frame could be decoded in \(Seconds.formatRange(window))")
        }
        try encodeVideo(nil, pts: 0)
        let duration = Double(lastPTS + 1) * frameDuration
        if audioMode != .none {
            try encodeAudio(audio.samples(from: start, count: Int((duration * Double(ClipCutter.audioRate)).rounded())))
        }
        let status = av_write_trailer(muxer)
        guard status >= 0 else { throw fail("cannot finish the MP4 file", status) }
        return CutClip(path: output, width: Int(displayWidth), height: Int(displayHeight), duration: duration, frames: framesWritten,
                       frameRate: "\(frameRate.num)/\(frameRate.den)", audio: audioMode, warnings: warnings)
    }

    // MARK: Finding the start

    /// Puts the reader at the keyframe before `start`. Some containers (MPEG-TS)
    /// seek to a packet that is not a keyframe, or past the start: then the
    /// clip is read from its beginning instead, so the first frame is never lost.
    private func position(before start: Double, packet: UnsafeMutablePointer<AVPacket>, frame: UnsafeMutablePointer<AVFrame>) {
        if start > 0, seek(to: start), firstFrameTime(packet: packet, frame: frame).map({ $0 <= start + frameDuration / 2 }) == true,
           seek(to: start) {
            return
        }
        if avformat_seek_file(input.context, -1, Int64.min, 0, Int64.max, AVSEEK_FLAG_BACKWARD) < 0 {
            _ = avformat_seek_file(input.context, -1, Int64.min, 0, Int64.max, AVSEEK_FLAG_BYTE)
        }
        flushDecoders()
    }

    private func seek(to seconds: Double) -> Bool {
        let target = Int64(((seconds + video.zero) / video.timeBase).rounded(.down))
        guard av_seek_frame(input.context, video.stream.pointee.index, target, AVSEEK_FLAG_BACKWARD) >= 0 else { return false }
        flushDecoders()
        return true
    }

    private func flushDecoders() {
        avcodec_flush_buffers(video.codec)
        if let audioDecoder { avcodec_flush_buffers(audioDecoder) }
    }

    /// The time of the first video frame decoded from here.
    private func firstFrameTime(packet: UnsafeMutablePointer<AVPacket>, frame: UnsafeMutablePointer<AVFrame>) -> Double? {
        for _ in 0..<4096 {
            guard av_read_frame(input.context, packet) >= 0 else { return nil }
            defer { av_packet_unref(packet) }
            guard packet.pointee.stream_index == video.stream.pointee.index, avcodec_send_packet(video.codec, packet) >= 0 else { continue }
            while avcodec_receive_frame(video.codec, frame) >= 0 {
                defer { av_frame_unref(frame) }
                if let time = video.time(of: frame) { return time }
            }
        }
        return nil
    }

    // MARK: Video

    /// Scales (and turns) a decoded frame into the encoder's picture and encodes it; nil flushes the encoder.
    private func encodeVideo(_ decoded: UnsafeMutablePointer<AVFrame>?, pts: Int64) throws(MediaError) {
        guard let encoder = videoEncoder, let stream = videoStream else { return }
        var picture: UnsafeMutablePointer<AVFrame>?
        if let decoded {
            let turned = quarterTurns % 2 == 1
            let codedWidth = turned ? displayHeight : displayWidth, codedHeight = turned ? displayWidth : displayHeight
            scaled = try ensureFrame(scaled, width: codedWidth, height: codedHeight)
            guard let scaledFrame = scaled else { throw .cannotWrite(output, detail: "out of memory") }
            scaler = sws_getCachedContext(scaler, decoded.pointee.width, decoded.pointee.height, AVPixelFormat(rawValue: decoded.pointee.format),
                                          codedWidth, codedHeight, AV_PIX_FMT_YUV420P, SWS_BICUBIC, nil, nil, nil)
            guard let scaler else { throw .cannotWrite(output, detail: "cannot convert the source's pixel format") }
            guard sws_scale_frame(scaler, scaledFrame, decoded) >= 0 else {
                throw .cannotWrite(output, detail: "cannot scale a frame")
            }
            picture = scaledFrame
            if quarterTurns != 0 {
                self.turned = try ensureFrame(self.turned, width: displayWidth, height: displayHeight)
                guard let turnedFrame = self.turned else { throw .cannotWrite(output, detail: "out of memory") }
                rotate(scaledFrame, into: turnedFrame)
                picture = turnedFrame
            }
            picture?.pointee.pts = pts
        }
        let status = avcodec_send_frame(encoder, picture)
        guard status >= 0 else { throw fail("the H.264 encoder refused a frame", status) }
        try drain(encoder, into: stream)
    }

    /// A writable YUV 4:2:0 frame of this size (a fresh one when the encoder still holds the old).
    private func ensureFrame(_ existing: UnsafeMutablePointer<AVFrame>?, width: Int32, height: Int32) throws(MediaError) -> UnsafeMutablePointer<AVFrame>? {
        var frame = existing
        if frame == nil {
            frame = av_frame_alloc()
            guard let fresh = frame else { throw .cannotWrite(output, detail: "out of memory") }
            fresh.pointee.width = width
            fresh.pointee.height = height
            fresh.pointee.format = AV_PIX_FMT_YUV420P.rawValue
            guard av_frame_get_buffer(fresh, 0) >= 0 else { throw .cannotWrite(output, detail: "out of memory") }
        }
        guard let frame, av_frame_make_writable(frame) >= 0 else { throw .cannotWrite(output, detail: "out of memory") }
        return frame
    }

    private func rotate(_ source: UnsafeMutablePointer<AVFrame>, into target: UnsafeMutablePointer<AVFrame>) {
        let width = source.pointee.width, height = source.pointee.height
        let planes: [(UnsafeMutablePointer<UInt8>?, Int32, UnsafeMutablePointer<UInt8>?, Int32, Int32, Int32)] = [
            (source.pointee.data.0, source.pointee.linesize.0, target.pointee.data.0, target.pointee.linesize.0, width, height),
            (source.pointee.data.1, source.pointee.linesize.1, target.pointee.data.1, target.pointee.linesize.1, width / 2, height / 2),
            (source.pointee.data.2, source.pointee.linesize.2, target.pointee.data.2, target.pointee.linesize.2, width / 2, height / 2),
        ]
        for (from, fromStride, to, toStride, planeWidth, planeHeight) in planes {
            guard let from, let to else { continue }
            cameo_rotate_plane(from, fromStride, planeWidth, planeHeight, to, toStride, Int32(quarterTurns))
        }
    }

    private func drain(_ encoder: UnsafeMutablePointer<AVCodecContext>, into stream: UnsafeMutablePointer<AVStream>) throws(MediaError) {
        guard let packet else { return }
        while avcodec_receive_packet(encoder, packet) >= 0 {
            packet.pointee.stream_index = stream.pointee.index
            if packet.pointee.duration == 0, encoder == videoEncoder { packet.pointee.duration = 1 }
            av_packet_rescale_ts(packet, encoder.pointee.time_base, stream.pointee.time_base)
            let status = av_interleaved_write_frame(muxer, packet)
            av_packet_unref(packet)
            guard status >= 0 else { throw fail("cannot write to the file", status) }
        }
    }

    // MARK: Audio

    private func resample(_ decoded: UnsafeMutablePointer<AVFrame>, at time: Double, into audio: inout AudioCollector) throws(MediaError) {
        guard let audioDecoder, let audioEncoder else { return }
        if resampler == nil {
            // The decoder knows the layout and format only once it has decoded.
            resampler = cameo_resampler(audioDecoder, audioEncoder)
            guard resampler != nil else { throw .cannotWrite(output, detail: "cannot resample the source's audio") }
        }
        let capacity = Int(decoded.pointee.nb_samples) * Int(ClipCutter.audioRate) / Int(max(1, decoded.pointee.sample_rate)) + 256
        var left = [Float](repeating: 0, count: capacity), right = [Float](repeating: 0, count: capacity)
        let produced = left.withUnsafeMutableBytes { leftBytes in
            right.withUnsafeMutableBytes { rightBytes in
                var outputs: [UnsafeMutablePointer<UInt8>?] = [leftBytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                                               rightBytes.baseAddress?.assumingMemoryBound(to: UInt8.self)]
                guard let inputs = decoded.pointee.extended_data else { return Int32(-1) }
                return inputs.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { planes in
                    swr_convert(resampler, &outputs, Int32(capacity), planes, decoded.pointee.nb_samples)
                }
            }
        }
        guard produced >= 0 else { throw fail("cannot resample the audio", produced) }
        audio.append(left: left.prefix(Int(produced)), right: right.prefix(Int(produced)), at: time)
    }

    private func encodeAudio(_ samples: (left: [Float], right: [Float])) throws(MediaError) {
        guard let encoder = audioEncoder, let stream = audioStream else { return }
        let size = Int(encoder.pointee.frame_size > 0 ? encoder.pointee.frame_size : 1024)
        guard let chunk = av_frame_alloc() else { throw .cannotWrite(output, detail: "out of memory") }
        var chunkPointer: UnsafeMutablePointer<AVFrame>? = chunk
        defer { av_frame_free(&chunkPointer) }
        var offset = 0
        while offset < samples.left.count {
            let count = min(size, samples.left.count - offset)
            av_frame_unref(chunk)
            chunk.pointee.nb_samples = Int32(count)
            chunk.pointee.format = AV_SAMPLE_FMT_FLTP.rawValue
            chunk.pointee.sample_rate = ClipCutter.audioRate
            cameo_frame_set_channels(chunk, encoder)
            guard av_frame_get_buffer(chunk, 0) >= 0, let left = chunk.pointee.data.0, let right = chunk.pointee.data.1 else {
                throw .cannotWrite(output, detail: "out of memory")
            }
            for (channel, plane) in [(samples.left, left), (samples.right, right)] {
                channel.withUnsafeBytes { bytes in
                    guard let base = bytes.baseAddress else { return }
                    plane.update(from: base.assumingMemoryBound(to: UInt8.self) + offset * 4, count: count * 4)
                }
            }
            chunk.pointee.pts = Int64(offset)
            let status = avcodec_send_frame(encoder, chunk)
            guard status >= 0 else { throw fail("the AAC encoder refused audio", status) }
            try drain(encoder, into: stream)
            offset += count
        }
        _ = avcodec_send_frame(encoder, nil)
        try drain(encoder, into: stream)
    }
}

/// Resampled audio (48 kHz stereo float), and the time of its first sample.
private struct AudioCollector {
    let rate: Int
    var firstTime: Double?
    var left: [Float] = []
    var right: [Float] = []

    init(rate: Int) {
        self.rate = rate
    }

    mutating func append(left: ArraySlice<Float>, right: ArraySlice<Float>, at time: Double) {
        if firstTime == nil { firstTime = time }
        self.left += left
        self.right += right
    }

    /// Exactly `count` samples from `start`: earlier ones dropped, silence where the source has none.
    func samples(from start: Double, count: Int) -> (left: [Float], right: [Float]) {
        guard let firstTime else { return ([Float](repeating: 0, count: count), [Float](repeating: 0, count: count)) }
        let offset = Int(((start - firstTime) * Double(rate)).rounded())
        func window(_ channel: [Float]) -> [Float] {
            var result: [Float]
            if offset >= 0 {
                result = Array(channel.dropFirst(offset).prefix(count))
            } else {
                result = [Float](repeating: 0, count: min(count, -offset)) + channel.prefix(max(0, count + offset))
            }
            if result.count < count { result += [Float](repeating: 0, count: count - result.count) }
            return result
        }
        return (window(left), window(right))
    }
}
