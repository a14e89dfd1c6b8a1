import CFFmpeg
import Foundation

/// FFmpeg's own explanation of a failure ("moov atom not found") is only
/// logged, never returned; this keeps the last error logged for each format
/// context so that an error message can quote it, and keeps stderr clean.
enum FFmpegLog {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var messages: [UnsafeMutableRawPointer: String] = [:]

    static let installed: Void = {
        av_log_set_level(AV_LOG_ERROR)
        av_log_set_callback { context, level, format, arguments in
            guard level <= AV_LOG_ERROR, let context, let format, let arguments else { return }
            var buffer = [CChar](repeating: 0, count: 512)
            _ = vsnprintf(&buffer, buffer.count, format, arguments)
            let message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            guard !message.isEmpty else { return }
            FFmpegLog.lock.withLock {
                if FFmpegLog.messages[context] != nil { FFmpegLog.messages[context] = message }
            }
        }
    }()

    /// Starts collecting messages logged against `context`.
    static func watch(_ context: UnsafeMutableRawPointer) {
        _ = installed
        lock.withLock { messages[context] = "" }
    }

    /// Stops collecting and returns the last message, if any.
    static func release(_ context: UnsafeMutableRawPointer) -> String? {
        lock.withLock {
            let message = messages.removeValue(forKey: context)
            return message?.isEmpty == false ? message : nil
        }
    }

    static func peek(_ context: UnsafeMutableRawPointer) -> String? {
        lock.withLock { messages[context].flatMap { $0.isEmpty ? nil : $0 } }
    }
}

/// FFmpeg's text for an error code.
func averrorText(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    cameo_error_string(code, &buffer, buffer.count)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
