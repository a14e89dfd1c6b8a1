import Foundation

/// A folder of its own under the system temp dir for one test, removed when the test ends.
public final class Scratch: @unchecked Sendable {
    public let url: URL

    public init(_ label: String = "cameo") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    public func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    public func write(_ name: String, _ text: String) throws -> String {
        let path = path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A script a test will run. It is written by a child process, not by
    /// this one: a child that another test spawns while this process holds the
    /// file open for writing inherits that descriptor, and running the script
    /// would then fail with ETXTBSY for as long as that child lives.
    public func writeExecutable(_ name: String, _ text: String) throws -> String {
        let path = path(name)
        let draft = try write(name + ".draft", text)
        let copy = try CLI.Running(executable: "/bin/cp", arguments: [draft, path], environment: [:], stdin: nil).finish(timeout: 30)
        guard copy.status == 0, chmod(path, 0o755) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        return path
    }
}

/// The repository's root, for fixtures and scripts.
public enum Repository {
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static func fixture(_ name: String) -> String {
        root.appendingPathComponent("fixtures").appendingPathComponent(name).path
    }
}

/// A deterministic random source, so a failing randomized test can be replayed from its seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// SplitMix64.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
