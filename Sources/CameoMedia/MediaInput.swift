import CFFmpeg
import CameoText
import Foundation

/// Where a clip comes from: a local file, or an http(s) URL read in place.
public enum MediaLocation: Sendable, Equatable, CustomStringConvertible {
    case file(String)
    case url(String)

    /// `http://` and `https://` are URLs; anything else with `://` is refused;
    /// everything else is a path.
    public init(_ text: String) throws(MediaError) {
        if WebAddress.hasHTTPScheme(text) {
            self = .url(text)
        } else if text.contains("://") {
            throw .unsupportedURL(text)
        } else {
            self = .file(text)
        }
    }

    public var description: String {
        switch self {
        case .file(let path): path
        case .url(let url): url
        }
    }

    public var isURL: Bool {
        if case .url = self { true } else { false }
    }
}

/// An opened container (AVFormatContext), closed when this goes away. Every
/// blocking read is bounded by a deadline so that a stalled server or a file
/// that stops growing never hangs cameo, and a URL by a byte cap so that a
/// server that never stops sending is not read until the deadline.
final class MediaInput {
    let location: MediaLocation
    let context: UnsafeMutablePointer<AVFormatContext>
    private let deadline: UnsafeMutablePointer<CameoDeadline>
    let timeout: Double

    init(_ location: MediaLocation, timeout: Double) throws(MediaError) {
        try FFmpegLibrary.require()
        self.location = location
        self.timeout = timeout
        let name = location.description
        let target: String
        var options: OpaquePointer?
        switch location {
        case .file(let path):
            var info = stat()
            guard stat(path, &info) == 0 else {
                if errno == ENOENT || errno == ENOTDIR { throw .notFound(path) }
                throw .unreadable(path, detail: String(cString: strerror(errno)))
            }
            // open(2) on a FIFO blocks until a writer appears, which no deadline can interrupt.
            guard (info.st_mode & S_IFMT) == S_IFREG else { throw .notAFile(path) }
            guard access(path, R_OK) == 0 else { throw .unreadable(path, detail: "permission denied") }
            // The file: prefix keeps a name such as "take:2.mp4" from being read as a protocol.
            target = "file:" + path
            av_dict_set(&options, "protocol_whitelist", "file", 0)
        case .url(let url):
            target = url
            av_dict_set(&options, "protocol_whitelist", "http,https,tcp,tls,crypto", 0)
            av_dict_set(&options, "rw_timeout", String(Self.microseconds(timeout)), 0)
            av_dict_set(&options, "user_agent", "cameo", 0)
        }
        // Only video containers: libavformat would otherwise pick whatever
        // demuxer scores best, and a text one (subtitles, `tty`) reads a junk
        // file or URL whole into memory. The check comes before any header is read.
        av_dict_set(&options, "format_whitelist", Self.containers.joined(separator: ","), 0)
        av_dict_set(&options, "probesize", String(Self.probeBytes), 0)
        av_dict_set(&options, "analyzeduration", String(Self.analyzeMicroseconds), 0)
        defer { av_dict_free(&options) }

        deadline = .allocate(capacity: 1)
        deadline.initialize(to: CameoDeadline(deadline_us: av_gettime_relative() + Self.microseconds(timeout), cancelled: 0,
                                              max_bytes: location.isURL ? Self.maxURLBytes : 0, over_cap: 0, context: nil))
        guard var context = avformat_alloc_context() else {
            deadline.deallocate()
            throw .unreadable(name, detail: "out of memory")
        }
        cameo_install_deadline(context, deadline)
        let key = UnsafeMutableRawPointer(context)
        FFmpegLog.watch(key)
        var maybeContext: UnsafeMutablePointer<AVFormatContext>? = context
        let status = avformat_open_input(&maybeContext, target, nil, &options)
        let logged = FFmpegLog.release(key)
        guard status >= 0, let opened = maybeContext else {
            // avformat_open_input frees the context when it fails.
            let stopped = Self.interruption(deadline.pointee, location: location, timeout: timeout)
            deadline.deallocate()
            if let stopped { throw stopped }
            throw Self.openError(status, location: location, logged: logged)
        }
        context = opened
        self.context = context
        FFmpegLog.watch(UnsafeMutableRawPointer(context))
    }

    deinit {
        _ = FFmpegLog.release(UnsafeMutableRawPointer(context))
        var context: UnsafeMutablePointer<AVFormatContext>? = self.context
        avformat_close_input(&context)
        deadline.deallocate()
    }

    /// Gives later reads (stream info, packet scans, decoding) a fresh time budget.
    func renewDeadline() {
        deadline.pointee.deadline_us = av_gettime_relative() + Self.microseconds(timeout)
    }

    /// The demuxers (libavformat's names) of the containers videos come in.
    static let containers = [
        "mov", "mp4", "m4a", "3gp", "3g2", "mj2", "matroska", "webm", "mpegts", "avi", "flv", "mpeg", "ogg", "asf", "mxf",
    ]
    /// The most cameo reads from a clip's URL in all (seeks and every pass
    /// included); a local file is bounded by its size.
    static let maxURLBytes: Int64 = 2 << 30
    /// How much of an input libavformat may read to recognise it and its streams.
    static let probeBytes = 5_000_000
    static let analyzeMicroseconds = 10_000_000

    /// A timeout as libavformat takes it; whatever a caller passes is brought
    /// between a millisecond and a day, so the conversion cannot trap.
    static func microseconds(_ timeout: Double) -> Int64 {
        guard timeout.isFinite, timeout > 0 else { return 1_000 }
        return Int64(min(timeout, 86_400) * 1_000_000)
    }

    /// Why reads stopped early, if they did: the deadline passed or a URL sent more than the cap.
    var interruption: MediaError? { Self.interruption(deadline.pointee, location: location, timeout: timeout) }

    private static func interruption(_ deadline: CameoDeadline, location: MediaLocation, timeout: Double) -> MediaError? {
        if deadline.over_cap != 0 { return .tooLarge(location.description, limit: deadline.max_bytes) }
        var deadline = deadline
        if cameo_deadline_passed(&deadline) != 0 { return .timedOut(location.description, seconds: timeout) }
        return nil
    }

    /// The last error FFmpeg logged for this input, if any.
    var loggedError: String? { FFmpegLog.peek(UnsafeMutableRawPointer(context)) }

    func failure(_ status: Int32, doing what: String) -> MediaError {
        if let interruption { return interruption }
        let detail = loggedError ?? averrorText(status)
        return .notAVideo(location.description, detail: "\(what): \(detail)")
    }

    private static func openError(_ status: Int32, location: MediaLocation, logged: String?) -> MediaError {
        let text = averrorText(status)
        if status == cameo_averror(EINVAL), logged?.contains("whitelist") == true {
            return .notAVideo(location.description, detail: "it is not in a video container cameo reads (\(containerNames))")
        }
        switch location {
        case .file(let path):
            if status == cameo_averror(ENOENT) { return .notFound(path) }
            if status == cameo_averror(EACCES) { return .unreadable(path, detail: "permission denied") }
            return .notAVideo(path, detail: logged ?? text)
        case .url(let url):
            if status == cameo_averror_invaliddata() { return .notAVideo(url, detail: logged ?? text) }
            return .unreachable(url, detail: logged.map { "\(text): \($0)" } ?? text)
        }
    }

    static let containerNames = "MP4/MOV, Matroska/WebM, MPEG-TS, AVI, FLV, MPEG-PS, Ogg, ASF, MXF"

    var streams: [UnsafeMutablePointer<AVStream>] {
        (0..<Int(context.pointee.nb_streams)).compactMap { context.pointee.streams[$0] }
    }

    /// The first video stream that is a real video (not album art).
    var videoStream: UnsafeMutablePointer<AVStream>? {
        streams.first { $0.pointee.codecpar?.pointee.codec_type == AVMEDIA_TYPE_VIDEO && cameo_is_attached_picture($0) == 0 }
    }

    var audioStream: UnsafeMutablePointer<AVStream>? {
        streams.first { $0.pointee.codecpar?.pointee.codec_type == AVMEDIA_TYPE_AUDIO }
    }
}

extension AVRational {
    var doubleValue: Double? { den == 0 ? nil : Double(num) / Double(den) }
}
