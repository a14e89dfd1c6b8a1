import CameoAPI
import CameoMedia
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Fetches a finished video to `path`: streamed into a temporary file beside
/// it, checked to be a playable video, then renamed into place, so that PATH
/// holds a whole video or nothing. The video's host is not the provider: the
/// request carries no key, and may follow redirects (a CDN's signed URL).
public struct VideoDownload {
    public var url: String
    public var path: String
    public var force: Bool
    public var timeout: Double
    /// No video cameo fetches is anywhere near this.
    public var limit: Int64 = 8 << 30

    public init(url: String, path: String, force: Bool, timeout: Double) {
        self.url = url
        self.path = path
        self.force = force
        self.timeout = timeout
    }

    public enum Failure: Error, CustomStringConvertible {
        case exists(String)
        case folder(String, String)
        case badURL(String)
        case http(String, status: Int)
        case network(String, String)
        case notAVideo(String, String)
        case interrupted

        public var description: String {
            switch self {
            case .exists(let path): "\(path) exists; give --force to replace it"
            case .folder(let path, let detail): "cannot write beside \(path): \(detail)"
            case .badURL(let url): "the video address \(url) is not an http(s) URL"
            case .http(let url, let status): "the video host answered HTTP \(status) for \(url); nothing was saved"
            case .network(let url, let detail): "the download of \(url) failed (\(detail)); nothing was saved"
            case .notAVideo(let url, let detail): "what \(url) sent is not a playable video (\(detail)); nothing was saved"
            case .interrupted: "interrupted during the download; nothing was saved"
            }
        }

        public var isInterrupted: Bool {
            if case .interrupted = self { return true }
            return false
        }
    }

    /// Checks that PATH may be written, before anything is asked of anyone.
    public func checkTarget() throws(Failure) {
        if !force, FileManager.default.fileExists(atPath: path), !destination().isDevice { throw .exists(path) }
        let folder = (path as NSString).deletingLastPathComponent
        let directory = folder.isEmpty ? "." : folder
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isFolder), isFolder.boolValue else {
            throw .folder(path, "no folder \(directory)")
        }
    }

    /// Where the bytes end up: PATH, or what a symlink at PATH points to, so a
    /// link is written through rather than replaced.
    func destination() -> (path: String, isDevice: Bool) {
        var target = path
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
            if let resolved = realpath(path, nil) {
                target = String(cString: resolved)
                free(resolved)
            } else if let link = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
                target = link.hasPrefix("/") ? link : ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(link)
            }
        }
        let isDevice = stat(target, &info) == 0 && info.st_mode & S_IFMT != S_IFREG && info.st_mode & S_IFMT != S_IFDIR
        return (target, isDevice)
    }

    /// Returns the number of bytes saved.
    @discardableResult
    public func run() throws(Failure) -> Int64 {
        try checkTarget()
        guard let scheme = URLComponents(string: url)?.scheme?.lowercased(), ["http", "https"].contains(scheme) else { throw .badURL(url) }
        let (target, isDevice) = destination()
        // Beside the file, so the final rename is atomic; a device (/dev/stdout, a FIFO) gets the bytes copied once checked.
        let folder = isDevice ? NSTemporaryDirectory() : (target as NSString).deletingLastPathComponent
        let name = (target as NSString).lastPathComponent
        var template = Array(((folder.isEmpty ? "." : folder) + "/." + name + ".cameo-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        guard descriptor >= 0 else { throw .folder(path, String(cString: strerror(errno))) }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var kept = false
        defer {
            if !kept { unlink(temporary) }
        }
        var exchange = HTTPExchange(method: "GET", url: url, headers: ["User-Agent: cameo"], deadline: Deadline(seconds: timeout), maxBytes: limit)
        exchange.followRedirects = true
        // A stalled host ends the download long before the whole deadline.
        exchange.lowSpeedBytes = 1
        exchange.lowSpeedSeconds = 30
        let answer: HTTPAnswer
        do {
            answer = try exchange.perform(into: descriptor)
        } catch {
            close(descriptor)
            switch error {
            case .interrupted: throw .interrupted
            case .timedOut: throw .network(url, "no complete video within \(Int(timeout)) s")
            case .tooLarge(let limit): throw .network(url, "larger than \(limit >> 30) GB")
            case .notSent(let detail), .cut(let detail), .unavailable(let detail): throw .network(url, detail)
            }
        }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard (200..<300).contains(answer.status) else { throw .http(url, status: answer.status) }
        guard synced else { throw .folder(path, "the disk refused the data (\(String(cString: strerror(errno))))") }
        let size = bodySize(temporary)
        if let length = answer.contentLength, answer.status == 200, length != Int64(size) {
            throw .network(url, "the body ended at \(size) of \(length) bytes")
        }
        do {
            let info = try ClipProbe(timeout: 20).probe(temporary)
            guard info.duration > 0 else { throw MediaError.notAVideo(temporary, detail: "it has no duration") }
        } catch {
            throw .notAVideo(url, "\(error)".replacingOccurrences(of: temporary, with: "the download"))
        }
        if isDevice {
            try copy(temporary, into: target)
            return Int64(size)
        }
        var existing = stat()
        chmod(temporary, stat(target, &existing) == 0 ? existing.st_mode & 0o7777 : 0o644 & ~currentUmask())
        guard rename(temporary, target) == 0 else { throw .folder(path, String(cString: strerror(errno))) }
        kept = true
        return Int64(bodySize(target))
    }

    private func copy(_ source: String, into device: String) throws(Failure) {
        let input = open(source, O_RDONLY)
        let output = open(device, O_WRONLY)
        defer {
            if input >= 0 { close(input) }
            if output >= 0 { close(output) }
        }
        guard input >= 0, output >= 0 else { throw .folder(path, String(cString: strerror(errno))) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = read(input, &buffer, buffer.count)
            if count == 0 { return }
            guard count > 0 else { throw .folder(path, String(cString: strerror(errno))) }
            var offset = 0
            while offset < count {
                let written = buffer[offset..<count].withUnsafeBytes { write(output, $0.baseAddress, $0.count) }
                guard written > 0 else { throw .folder(path, String(cString: strerror(errno))) }
                offset += written
            }
        }
    }

    private func bodySize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    private func currentUmask() -> mode_t {
        let mask = umask(0o022)
        umask(mask)
        return mask
    }
}
