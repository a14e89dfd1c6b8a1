import CFFmpeg
import Foundation

/// Where a clip comes from: a local file, or an http(s) URL read in place.
public enum MediaLocation: Sendable, Equatable, CustomStringConvertible {
    case file(String)
    case url(String)

    /// `http://` and `https://` are URLs; anything else with `://` is refused;
    /// everything else is a path.
    public init(_ text: String) throws(MediaError) {
        let lower = text.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
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
/// that stops growing never hangs cameo.
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
            av_dict_set(&options, "rw_timeout", String(Int64(timeout * 1_000_000)), 0)
            av_dict_set(&options, "user_agent", "cameo", 0)
        }
        defer { av_dict_free(&options) }

        deadline = .allocate(capacity: 1)
        deadline.initialize(to: CameoDeadline(deadline_us: av_gettime_relative() + Int64(timeout * 1_000_000), cancelled: 0))
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
            let expired = cameo_deadline_passed(deadline) != 0
            deadline.deallocate()
            if expired { throw .timedOut(name, seconds: timeout) }
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
        deadline.pointee.deadline_us = av_gettime_relative() + Int64(timeout * 1_000_000)
    }

    var deadlinePassed: Bool { cameo_deadline_passed(deadline) != 0 }

    /// The last error FFmpeg logged for this input, if any.
    var loggedError: String? { FFmpegLog.peek(UnsafeMutableRawPointer(context)) }

    func failure(_ status: Int32, doing what: String) -> MediaError {
        if deadlinePassed { return .timedOut(location.description, seconds: timeout) }
        let detail = loggedError ?? averrorText(status)
        return .notAVideo(location.description, detail: "\(what): \(detail)")
    }

    private static func openError(_ status: Int32, location: MediaLocation, logged: String?) -> MediaError {
        let text = averrorText(status)
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
