import CFFmpeg
import Foundation

/// SHA-256 of a file, with libavutil's implementation (no extra dependency).
public enum FileHash {
    public static func sha256(ofFile path: String) throws(MediaError) -> String {
        try FFmpegLibrary.require()
        guard let handle = FileHandle(forReadingAtPath: path) else {
            if !FileManager.default.fileExists(atPath: path) { throw .notFound(path) }
            throw .unreadable(path, detail: "permission denied")
        }
        defer { try? handle.close() }
        guard let context = av_sha_alloc() else { throw .unreadable(path, detail: "out of memory") }
        defer { av_free(UnsafeMutableRawPointer(context)) }
        av_sha_init(context, 256)
        while true {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            } catch {
                throw .unreadable(path, detail: error.localizedDescription)
            }
            if chunk.isEmpty { break }
            chunk.withUnsafeBytes { bytes in
                av_sha_update(context, bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count)
            }
        }
        var digest = [UInt8](repeating: 0, count: 32)
        av_sha_final(context, &digest)
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}
