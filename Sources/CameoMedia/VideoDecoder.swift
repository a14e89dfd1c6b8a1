import CFFmpeg
import Foundation

/// Decodes the first video stream of an input, frame by frame.
final class VideoDecoder {
    /// What the decoder may leave out to go faster.
    struct Shortcuts {
        /// Skip frames no other frame refers to (half the B-frames of a typical H.264 clip).
        var skipNonReference = false
        /// Skip the deblocking filter: edges get blockier, which the cheap signals do not notice.
        var skipLoopFilter = false

        static let none = Shortcuts()
        static let analysis = Shortcuts(skipNonReference: true, skipLoopFilter: true)
        /// Keyframes only: whatever else is sent is dropped unread.
        static let keyframes = Shortcuts(skipLoopFilter: true, keyframesOnly: true)

        /// Decode keyframes only.
        var keyframesOnly = false
    }

    /// Frames above this (1080p-and-a-bit) are large: their decoder's memory and OpenCV's
    /// do not fit together under 200 MB.
    static let largeFramePixels = 2_500_000

    /// How to thread the decoder for frames of `pixels`. Each frame thread keeps
    /// its own pictures in flight (25 MB each for 10-bit 4K), so frames above
    /// 1080p-and-a-bit are decoded with slice threads only (wavefront rows in
    /// HEVC): one set of pictures, peak memory under 200 MB at 4K.
    static func threading(forPixels pixels: Int) -> (count: Int32, type: Int32) {
        let cores = Int32(max(1, min(16, ProcessInfo.processInfo.activeProcessorCount)))
        if pixels > largeFramePixels { return (cores, FF_THREAD_SLICE) }
        return (cores + 1, FF_THREAD_FRAME | FF_THREAD_SLICE)
    }

    let input: MediaInput
    let stream: UnsafeMutablePointer<AVStream>
    let codec: UnsafeMutablePointer<AVCodecContext>
    private let packet: UnsafeMutablePointer<AVPacket>
    private let frame: UnsafeMutablePointer<AVFrame>
    /// Seconds of the stream's timestamps that count as zero: the first moment a player shows.
    let zero: Double
    let timeBase: Double
    /// Packets the decoder refused; a few are normal in damaged files, all of them are not.
    private(set) var rejectedPackets = 0

    init(_ input: MediaInput, shortcuts: Shortcuts) throws(MediaError) {
        self.input = input
        let name = input.location.description
        guard let stream = input.videoStream, let parameters = stream.pointee.codecpar else { throw .noVideoStream(name) }
        self.stream = stream
        guard let decoder = avcodec_find_decoder(parameters.pointee.codec_id) else {
            throw .notAVideo(name, detail: "no decoder for \(String(cString: avcodec_get_name(parameters.pointee.codec_id)))")
        }
        guard let codec = avcodec_alloc_context3(decoder) else { throw .unreadable(name, detail: "out of memory") }
        var codecPointer: UnsafeMutablePointer<AVCodecContext>? = codec
        guard avcodec_parameters_to_context(codec, parameters) >= 0 else {
            avcodec_free_context(&codecPointer)
            throw .notAVideo(name, detail: "unusable codec parameters")
        }
        let pixels = Int(parameters.pointee.width) * Int(parameters.pointee.height)
        // A 4K clip's picture buffers would stay in the heap after their decoder is gone: measured
        // 207 against 193 MB peak for `windows` with the person check on 10-bit 4K.
        if pixels > Self.largeFramePixels { MappedAllocations.from(1 << 20) }
        let threading = Self.threading(forPixels: pixels)
        codec.pointee.thread_count = threading.count
        codec.pointee.thread_type = threading.type
        codec.pointee.pkt_timebase = stream.pointee.time_base
        if shortcuts.skipNonReference { codec.pointee.skip_frame = AVDISCARD_NONREF }
        if shortcuts.keyframesOnly { codec.pointee.skip_frame = AVDISCARD_NONKEY }
        if shortcuts.skipLoopFilter {
            codec.pointee.skip_loop_filter = AVDISCARD_ALL
            codec.pointee.flags2 |= AV_CODEC_FLAG2_FAST
        }
        let status = avcodec_open2(codec, decoder, nil)
        guard status >= 0, let packet = av_packet_alloc(), let frame = av_frame_alloc() else {
            avcodec_free_context(&codecPointer)
            throw .notAVideo(name, detail: "cannot open the decoder: \(averrorText(status))")
        }
        self.codec = codec
        self.packet = packet
        self.frame = frame
        timeBase = stream.pointee.time_base.doubleValue ?? 1.0 / 90_000
        zero = Self.zero(of: input)
    }

    /// Seconds of `input`'s timestamps that count as zero: the first moment a player shows.
    static func zero(of input: MediaInput) -> Double {
        let start = input.context.pointee.start_time
        return start == cameo_nopts() ? 0 : max(0, Double(start) / Double(cameo_time_base()))
    }

    deinit {
        var codec: UnsafeMutablePointer<AVCodecContext>? = self.codec
        avcodec_free_context(&codec)
        var packet: UnsafeMutablePointer<AVPacket>? = self.packet
        av_packet_free(&packet)
        var frame: UnsafeMutablePointer<AVFrame>? = self.frame
        av_frame_free(&frame)
    }

    /// Seconds from `zero` of a decoded frame, or nil when it has no timestamp.
    func time(of frame: UnsafePointer<AVFrame>) -> Double? {
        let timestamp = frame.pointee.best_effort_timestamp != cameo_nopts() ? frame.pointee.best_effort_timestamp : frame.pointee.pts
        guard timestamp != cameo_nopts() else { return nil }
        return Double(timestamp) * timeBase - zero
    }

    /// Seconds from `zero` of a packet (its presentation time, else its decoding time), or nil without either.
    func time(of packet: UnsafePointer<AVPacket>) -> Double? {
        let timestamp = packet.pointee.pts != cameo_nopts() ? packet.pointee.pts : packet.pointee.dts
        guard timestamp != cameo_nopts() else { return nil }
        return Double(timestamp) * timeBase - zero
    }

    /// Moves to the keyframe at or before `seconds` (from zero); later frames come from there.
    func seek(to seconds: Double) {
        // A stream's time base and start come from the file: a target they make unrepresentable means no seek.
        guard let target = Int64(exactly: ((seconds + zero) / timeBase).rounded(.down)) else { return }
        if av_seek_frame(input.context, stream.pointee.index, target, AVSEEK_FLAG_BACKWARD) >= 0 {
            avcodec_flush_buffers(codec)
        }
    }

    /// Which frames the decoder leaves out from now on (after a seek, say). One
    /// decoder serves several passes, so its big picture buffers are allocated once;
    /// the choice holds from the next packet sent.
    enum Skipping {
        /// Frames nothing refers to: what the analysis and the check need on the way from a keyframe.
        case unreferenced
        /// Nothing: the check's stretches, where any frame may be a sample.
        case nothing
    }

    func skip(_ skipping: Skipping) {
        switch skipping {
        case .unreferenced: codec.pointee.skip_frame = AVDISCARD_NONREF
        case .nothing: codec.pointee.skip_frame = AVDISCARD_DEFAULT
        }
    }

    /// Whether frames come out as soon as their packet goes in (no frame threads holding them).
    var framesComeOutAtOnce: Bool { (codec.pointee.active_thread_type & FF_THREAD_FRAME) == 0 }

    /// Drops the pictures the decoder keeps as references. Between keyframes
    /// decoded alone, an HEVC decoder would otherwise keep pictures alive that
    /// nothing will use: 60 MB more at 10-bit 4K (measured).
    func forgetReferences() {
        avcodec_flush_buffers(codec)
    }

    /// Back to the first frame.
    func rewind() {
        if avformat_seek_file(input.context, -1, Int64.min, 0, Int64.max, AVSEEK_FLAG_BACKWARD) < 0 {
            _ = avformat_seek_file(input.context, -1, Int64.min, 0, Int64.max, AVSEEK_FLAG_BYTE)
        }
        avcodec_flush_buffers(codec)
    }

    /// Decodes to the end (or until `body` returns false), handing each frame over in display order.
    /// `sending` sees every packet of the stream first and says whether the decoder gets it.
    func decode(sending: ((UnsafeMutablePointer<AVPacket>) -> Bool)? = nil,
                _ body: (UnsafeMutablePointer<AVFrame>) throws(MediaError) -> Bool) throws(MediaError) {
        let videoIndex = stream.pointee.index
        var keepGoing = true
        var readStatus: Int32 = 0
        while keepGoing {
            readStatus = av_read_frame(input.context, packet)
            if readStatus < 0 { break }
            defer { av_packet_unref(packet) }
            guard packet.pointee.stream_index == videoIndex else { continue }
            if let sending, !sending(packet) { continue }
            if avcodec_send_packet(codec, packet) < 0 {
                rejectedPackets += 1
                continue
            }
            keepGoing = try drain(body)
        }
        if let stopped = input.interruption { throw stopped }
        guard keepGoing else { return }
        // Flush: frames still held for reordering or by the decoder's threads.
        if avcodec_send_packet(codec, nil) >= 0 {
            _ = try drain(body)
        }
    }

    private func drain(_ body: (UnsafeMutablePointer<AVFrame>) throws(MediaError) -> Bool) throws(MediaError) -> Bool {
        while true {
            let status = avcodec_receive_frame(codec, frame)
            if status < 0 { return true }  // EAGAIN (needs input), EOF, or a broken frame: move on.
            defer { av_frame_unref(frame) }
            if try !body(frame) { return false }
        }
    }
}
