import CameoText
import Foundation

/// What can go wrong with a clip, said so that the user knows what to do.
public enum MediaError: Error, Equatable, Sendable {
    case notFound(String)
    case notAFile(String)
    case unreadable(String, detail: String)
    case notAVideo(String, detail: String)
    case noVideoStream(String)
    case unsupportedURL(String)
    case unreachable(String, detail: String)
    case timedOut(String, seconds: Double)
    /// A URL sent more than cameo reads of a clip (`limit` bytes).
    case tooLarge(String, limit: Int64)
    case noValidWindow(String, reason: String)
    case tooShort(String, duration: Double)
    case cannotWrite(String, detail: String)
    case outsideClip(String, detail: String)
    case ffmpegUnavailable(FFmpegProblem)
    case faceDetectorUnavailable(String)

    public var category: Category {
        switch self {
        case .notFound: .notFound
        case .notAFile, .unreadable, .notAVideo, .noVideoStream, .tooShort, .cannotWrite, .ffmpegUnavailable, .faceDetectorUnavailable: .invalidData
        case .unsupportedURL, .outsideClip: .invalidValue
        case .unreachable, .timedOut, .tooLarge: .remote
        case .noValidWindow: .findings
        }
    }

    public enum Category: Sendable {
        case notFound, invalidData, invalidValue, remote, findings
    }
}

extension MediaError: CustomStringConvertible, LocalizedError {
    public var description: String {
        switch self {
        case .notFound(let path):
            "\(path): no such file"
        case .notAFile(let path):
            "\(path): not a regular file (a folder, pipe or device cannot be probed as one clip)"
        case .unreadable(let path, let detail):
            "\(path): cannot be read (\(detail))"
        case .notAVideo(let path, let detail):
            "\(path): not a playable video (\(detail))"
        case .noVideoStream(let path):
            "\(path): has no video stream; a character needs a video clip"
        case .unsupportedURL(let location):
            "\(location): only local paths and http(s) URLs can be probed"
        case .unreachable(let location, let detail):
            "\(location): cannot be fetched (\(detail)); check the URL and the network"
        case .timedOut(let location, let seconds):
            "\(location): no answer within \(Seconds.format(seconds)) s; the server or the file is too slow"
        case .tooLarge(let location, let limit):
            "\(location): sent more than \(limit >> 30) GB, the most cameo reads of a clip from a URL; "
                + "download the clip and give its path, or cut the part you need"
        case .noValidWindow(let location, let reason):
            "\(location): no valid 1-3 s window: \(reason)"
        case .tooShort(let location, let duration):
            "\(location): plays for \(Seconds.format(duration)) s; a character window needs at least 1 s"
        case .cannotWrite(let path, let detail):
            "cannot write \(path): \(detail)"
        case .outsideClip(let location, let detail):
            "\(location): \(detail)"
        case .ffmpegUnavailable(let problem):
            problem.description
        case .faceDetectorUnavailable(let reason):
            "the person check's face detector is not usable (\(reason)); run scripts/bootstrap to install it"
        }
    }

    public var errorDescription: String? { description }
}
