import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes the files cameo is asked to write (`--out`, `--preview`): whole or
/// not at all. A regular file is replaced atomically: the bytes go to a
/// temporary file beside it, are synced, then renamed over it, keeping its
/// mode. Through a symlink, the file it points to is replaced, and the link
/// stays. A device, pipe or `/dev/stdout` is written directly. Every write is
/// checked: a full disk is an error and leaves the old file as it was.
enum FileOutput {
    /// The mode of a file that does not exist yet.
    enum NewFileMode {
        /// Catalog data: the user's alone (0600).
        case userOnly
        /// Anything else: what the umask allows.
        case standard

        var bits: mode_t {
            if self == .userOnly { return 0o600 }
            let mask = umask(0o022)
            umask(mask)
            return 0o666 & ~mask
        }
    }

    /// A file `--out` would replace (devices and pipes are written to, not replaced).
    static func isExistingRegularFile(_ path: String) -> Bool {
        var status = stat()
        return stat(resolvingSymlinks(path), &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
            && !path.hasPrefix("/dev/") && !path.hasPrefix("/proc/")
    }

    static func write(_ data: Data, to path: String, newFileMode: NewFileMode) throws {
        try write(to: path, newFileMode: newFileMode) { sink in try sink([UInt8](data)) }
    }

    /// `produce` hands the file's bytes to the sink, in as many pieces as it likes.
    static func write(to path: String, newFileMode: NewFileMode, _ produce: (@escaping ([UInt8]) throws -> Void) throws -> Void) throws {
        let target = resolvingSymlinks(path)
        var status = stat()
        let exists = stat(target, &status) == 0
        if path.hasPrefix("/dev/") || path.hasPrefix("/proc/") || (exists && (status.st_mode & S_IFMT) != S_IFREG) {
            return try writeDirectly(to: path, produce)
        }
        let folder = (target as NSString).deletingLastPathComponent
        var template = Array(((folder.isEmpty ? "." : folder) + "/." + (target as NSString).lastPathComponent + ".cameo-XXXXXX").utf8CString)
        let descriptor = mkstemp(&template)
        guard descriptor >= 0 else { throw failure(path, errno) }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var done = false
        defer {
            if !done {
                close(descriptor)
                unlink(temporary)
            }
        }
        guard fchmod(descriptor, exists ? status.st_mode & 0o7777 : newFileMode.bits) == 0 else { throw failure(path, errno) }
        if exists, geteuid() == 0 {
            // Root replacing someone's file gives it back to them; anyone else can only keep their own.
            guard fchown(descriptor, status.st_uid, status.st_gid) == 0 else { throw failure(path, errno) }
        }
        try produce { bytes in
            if let error = bytes.withUnsafeBytes({ StandardStreams.writeAll($0, to: descriptor) }) { throw failure(path, error) }
        }
        guard fsync(descriptor) == 0 else { throw failure(path, errno) }
        done = true
        guard close(descriptor) == 0 else {
            unlink(temporary)
            throw failure(path, errno)
        }
        guard rename(temporary, target) == 0 else {
            let error = errno
            unlink(temporary)
            throw failure(path, error)
        }
        // The rename itself is durable once the folder is synced; a file system that
        // cannot sync folders still has the complete file in place.
        let folderDescriptor = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY)
        if folderDescriptor >= 0 {
            _ = fsync(folderDescriptor)
            close(folderDescriptor)
        }
    }

    private static func writeDirectly(to path: String, _ produce: (@escaping ([UInt8]) throws -> Void) throws -> Void) throws {
        // Appending: /dev/stdout may be a file the shell opened with `>>`.
        let descriptor = open(path, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(path, errno) }
        var closed = false
        defer { if !closed { close(descriptor) } }
        try produce { bytes in
            if let error = bytes.withUnsafeBytes({ StandardStreams.writeAll($0, to: descriptor) }) { throw failure(path, error) }
        }
        closed = true
        guard close(descriptor) == 0 else { throw failure(path, errno) }
    }

    /// The file a chain of symlinks ends at (which may not exist yet).
    static func resolvingSymlinks(_ path: String) -> String {
        var current = path
        for _ in 0..<40 {
            var status = stat()
            guard lstat(current, &status) == 0, (status.st_mode & S_IFMT) == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink(current, &buffer, buffer.count - 1)
            guard length > 0 else { return current }
            let destination = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = destination.hasPrefix("/")
                ? destination : ((current as NSString).deletingLastPathComponent as NSString).appendingPathComponent(destination)
        }
        return current
    }

    static func failure(_ path: String, _ code: Int32) -> CommandFailure {
        CommandFailure("cannot write \(path): \(String(cString: strerror(code))); nothing was written there", status: .invalidData)
    }
}
