import CFFmpeg
import CameoText
import Foundation

/// Reads what a clip is from its container, decoding nothing the answer does not need.
public struct ClipProbe: Sendable {
    /// How long any one input may take to open and read, in seconds.
    public var timeout: Double

    public static let longestDuration: Double = 86_400
    static let largestSide: Int32 = 8192
    static let largestPicture = 8192 * 4320

    public init(timeout: Double = 20) {
        self.timeout = timeout
    }

    public func probe(_ location: MediaLocation) throws(MediaError) -> ClipInfo {
        let input = try MediaInput(location, timeout: timeout)
        return try probe(input)
    }

    public func probe(_ text: String) throws(MediaError) -> ClipInfo {
        try probe(MediaLocation(text))
    }

    func probe(_ input: MediaInput) throws(MediaError) -> ClipInfo {
        let context = input.context
        let name = input.location.description
        let formatName = context.pointee.iformat.map { String(cString: $0.pointee.name) } ?? "unknown"
        // MP4/QuickTime headers carry every fact we report. Other containers
        // (MPEG-TS, WebM) need their first packets read for sizes and rates.
        let headerIsEnough = formatName.split(separator: ",").contains("mp4")
            && input.videoStream.map { $0.pointee.codecpar.pointee.width > 0 } == true
        if !headerIsEnough {
            input.renewDeadline()
            let status = avformat_find_stream_info(context, nil)
            if status < 0 { throw input.failure(status, doing: "reading stream info") }
        }
        guard let videoStream = input.videoStream else { throw .noVideoStream(name) }
        let parameters = videoStream.pointee.codecpar.pointee
        guard parameters.width > 0, parameters.height > 0 else {
            throw .notAVideo(name, detail: "the video stream has no picture size")
        }
        // Decoding allocates whole pictures: a header claiming 16K x 16K would
        // cost gigabytes before the first frame is seen. Nothing beyond 8K is a character clip.
        guard parameters.width <= Self.largestSide, parameters.height <= Self.largestSide,
              Int(parameters.width) * Int(parameters.height) <= Self.largestPicture else {
            throw .notAVideo(name, detail: "its picture is \(parameters.width)x\(parameters.height), larger than 8K (7680x4320)")
        }

        var duration: Double?
        var durationSource = ClipInfo.DurationSource.header
        var frameCount = videoStream.pointee.nb_frames > 0 ? Int(videoStream.pointee.nb_frames) : nil
        if context.pointee.duration != cameo_nopts(), context.pointee.duration > 0, cameo_duration_from_bitrate(context) == 0 {
            duration = Double(context.pointee.duration) / Double(cameo_time_base())
        } else {
            let scan = try PacketScan.run(input, videoIndex: Int(videoStream.pointee.index))
            duration = scan.duration
            durationSource = .packets
            if scan.coversWholeFile { frameCount = scan.videoPackets }
        }
        guard let duration, duration > 0 else { throw .notAVideo(name, detail: "it holds no frames") }
        // A header can claim anything (136 years fits in its fields); nothing a
        // character comes from is longer than a day, and nothing later sizes its work by a lie.
        guard duration.isFinite, duration <= Self.longestDuration else {
            throw .notAVideo(name, detail: "its header claims it plays for \(Seconds.format(duration)) s, more than a day")
        }

        let rotation = Self.rotation(of: videoStream)
        var displayWidth = Int(parameters.width)
        var displayHeight = Int(parameters.height)
        let aspect = parameters.sample_aspect_ratio
        if aspect.num > 0, aspect.den > 0, aspect.num != aspect.den {
            displayWidth = Int((Double(displayWidth) * Double(aspect.num) / Double(aspect.den)).rounded())
        }
        if abs(rotation) % 180 == 90 { swap(&displayWidth, &displayHeight) }

        let rate = videoStream.pointee.avg_frame_rate
        let size = Self.size(of: input)
        let bitRate = context.pointee.bit_rate > 0
            ? Int64(context.pointee.bit_rate)
            : size.flatMap { Int64(exactly: (Double($0) * 8 / duration).rounded()) }
        let startTime = Self.startTime(of: input)

        var info = ClipInfo(
            path: name, formatName: formatName, duration: duration, durationSource: durationSource,
            startTime: startTime, size: size, bitRate: bitRate,
            video: .init(
                codecName: String(cString: avcodec_get_name(parameters.codec_id)),
                width: Int(parameters.width), height: Int(parameters.height), rotation: rotation,
                displayWidth: displayWidth, displayHeight: displayHeight,
                avgFrameRate: "\(rate.num)/\(rate.den)", nbFrames: frameCount),
            audio: input.audioStream.flatMap { stream in
                guard let audio = stream.pointee.codecpar else { return nil }
                return .init(codecName: String(cString: avcodec_get_name(audio.pointee.codec_id)),
                             channels: Int(cameo_channels(audio)), sampleRate: Int(audio.pointee.sample_rate))
            },
            warnings: [])
        info.warnings = ClipWarning.evaluate(info)
        return info
    }

    /// The container's start time, or the earliest of its streams' when it
    /// has none of its own (MP4 read without its packets).
    static func startTime(of input: MediaInput) -> Double? {
        let start = input.context.pointee.start_time
        if start != cameo_nopts() { return Double(start) / Double(cameo_time_base()) }
        let starts = input.streams.compactMap { stream -> Double? in
            let streamStart = stream.pointee.start_time
            guard streamStart != cameo_nopts(), let base = stream.pointee.time_base.doubleValue else { return nil }
            return Double(streamStart) * base
        }
        return starts.min()
    }

    /// The display matrix's rotation in whole degrees, as ffprobe prints it.
    static func rotation(of stream: UnsafeMutablePointer<AVStream>) -> Int {
        guard let matrix = cameo_display_matrix(stream) else { return 0 }
        let degrees = av_display_rotation_get(matrix)
        guard degrees.isFinite else { return 0 }
        let rounded = Int(degrees.rounded())
        return rounded == -180 ? 180 : rounded
    }

    static func size(of input: MediaInput) -> Int64? {
        if let io = input.context.pointee.pb {
            let size = avio_size(io)
            if size > 0 { return size }
        }
        if case .file(let path) = input.location,
           let attributes = try? FileManager.default.attributesOfItem(atPath: path),
           let size = attributes[.size] as? NSNumber {
            return size.int64Value
        }
        return nil
    }
}

/// Finds how long a clip plays from its packets' timestamps, for containers
/// whose header does not say (WebM written to a pipe). Only the tail is read
/// when the container can seek by bytes; nothing is decoded.
struct PacketScan {
    var duration: Double?
    var videoPackets: Int
    var coversWholeFile: Bool

    static let tailBytes: Int64 = 4 << 20

    static func run(_ input: MediaInput, videoIndex: Int) throws(MediaError) -> PacketScan {
        let context = input.context
        input.renewDeadline()
        guard let packet = av_packet_alloc() else { throw .unreadable(input.location.description, detail: "out of memory") }
        var packetPointer: UnsafeMutablePointer<AVPacket>? = packet
        defer { av_packet_free(&packetPointer) }

        var earliest = Double.infinity
        var latest = -Double.infinity
        var videoPackets = 0
        func account(_ packet: UnsafeMutablePointer<AVPacket>) {
            guard let stream = context.pointee.streams[Int(packet.pointee.stream_index)] else { return }
            let base = stream.pointee.time_base
            guard base.den > 0 else { return }
            let timestamp = packet.pointee.pts != cameo_nopts() ? packet.pointee.pts : packet.pointee.dts
            guard timestamp != cameo_nopts() else { return }
            let start = Double(timestamp) * Double(base.num) / Double(base.den)
            let end = Double(timestamp + max(packet.pointee.duration, 0)) * Double(base.num) / Double(base.den)
            earliest = min(earliest, start)
            latest = max(latest, end)
            if Int(packet.pointee.stream_index) == videoIndex { videoPackets += 1 }
        }

        // The first packets give the start; the container's own start time is better when it has one.
        var status = av_read_frame(context, packet)
        if status >= 0 { account(packet); av_packet_unref(packet) }
        if context.pointee.start_time != cameo_nopts() {
            earliest = min(earliest, Double(context.pointee.start_time) / Double(cameo_time_base()))
        }

        var coversWholeFile = true
        if let io = context.pointee.pb, avio_size(io) > tailBytes * 2 {
            let target = avio_size(io) - tailBytes
            if avformat_seek_file(context, -1, Int64.min, target, Int64.max, AVSEEK_FLAG_BYTE) >= 0 {
                coversWholeFile = false
                latest = -Double.infinity
            }
        }
        while true {
            status = av_read_frame(context, packet)
            if status < 0 { break }
            account(packet)
            av_packet_unref(packet)
        }
        if let stopped = input.interruption { throw stopped }
        if status != cameo_averror_eof(), latest == -Double.infinity { throw input.failure(status, doing: "reading packets") }
        // Timestamps below zero are codec delay (Opus pre-skip) that players drop.
        earliest = max(earliest, 0)
        guard earliest.isFinite, latest.isFinite, latest > earliest else {
            return PacketScan(duration: nil, videoPackets: videoPackets, coversWholeFile: coversWholeFile)
        }
        return PacketScan(duration: latest - earliest, videoPackets: videoPackets, coversWholeFile: coversWholeFile)
    }
}
