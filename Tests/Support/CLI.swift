import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `cameo` executable as a user would, with its own environment.
public struct CLI: Sendable {
    public struct Result: Sendable, CustomStringConvertible {
        public var status: Int32
        public var stdout: String
        public var stderr: String

        public var description: String {
            "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)"
        }
    }

    public var environment: [String: String]

    /// `database` becomes CAMEO_DB; HOME and XDG folders point into `home` so
    /// that no test ever touches the real user's catalog or config.
    public init(database: String? = nil, home: String? = nil, extra: [String: String] = [:]) {
        var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "NO_COLOR": "1"]
        let home = home ?? FileManager.default.temporaryDirectory.appendingPathComponent("cameo-test-home").path
        environment["HOME"] = home
        environment["XDG_DATA_HOME"] = home + "/data"
        environment["XDG_CONFIG_HOME"] = home + "/config"
        if let database { environment["CAMEO_DB"] = database }
        environment.merge(extra) { $1 }
        self.environment = environment
    }

    public static let executable: URL = {
        let candidates = [
            Bundle.main.executableURL?.deletingLastPathComponent(),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Repository.root.appendingPathComponent(".build/debug"),
        ]
        for case let folder? in candidates {
            let url = folder.appendingPathComponent("cameo")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return Repository.root.appendingPathComponent(".build/debug/cameo")
    }()

    @discardableResult
    public func run(_ arguments: [String], stdin: String? = nil, timeout: TimeInterval = 120) throws -> Result {
        try start(arguments, stdin: stdin).finish(timeout: timeout)
    }

    @discardableResult
    public func run(_ arguments: String..., stdin: String? = nil) throws -> Result {
        try run(arguments, stdin: stdin)
    }

    public func start(_ arguments: [String], stdin: String? = nil) throws -> Running {
        try Running(executable: Self.executable.path, arguments: arguments, environment: environment, stdin: stdin)
    }

    /// A child process started with posix_spawn, its output drained as it comes so a
    /// full pipe never blocks it. (Foundation's Process.run() on Linux can crash:
    /// it over-reads directory entries of /proc/self/fd, swift-corelibs-foundation#5472.)
    public final class Running: @unchecked Sendable {
        public let pid: pid_t
        private let group = DispatchGroup()
        private let lock = NSLock()
        private var outputData = Data()
        private var errorData = Data()
        private var exitStatus: Int32?

        /// Pipes are made and marked close-on-exec under this lock, so no other
        /// test's child inherits them between pipe() and fcntl().
        private static let spawnLock = NSLock()

        public init(executable: String, arguments: [String], environment: [String: String], stdin: String?) throws {
            Self.spawnLock.lock()
            var locked = true
            defer { if locked { Self.spawnLock.unlock() } }
            var input: [Int32] = [0, 0], output: [Int32] = [0, 0], errors: [Int32] = [0, 0]
            guard pipe(&input) == 0, pipe(&output) == 0, pipe(&errors) == 0 else {
                throw SpawnError(description: "pipe failed: \(String(cString: strerror(errno)))")
            }
            for descriptor in input + output + errors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, input[0], 0)
            posix_spawn_file_actions_adddup2(&actions, output[1], 1)
            posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
            let argv = ([executable] + arguments).map { strdup($0) } + [nil]
            let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer {
                argv.forEach { free($0) }
                envp.forEach { free($0) }
            }
            var child: pid_t = 0
            let status = posix_spawn(&child, executable, &actions, nil, argv, envp)
            close(input[0])
            close(output[1])
            close(errors[1])
            Self.spawnLock.unlock()
            locked = false
            guard status == 0 else {
                [input[1], output[0], errors[0]].forEach { close($0) }
                throw SpawnError(description: "posix_spawn \(executable) failed: \(String(cString: strerror(status)))")
            }
            pid = child
            for (descriptor, isOutput) in [(output[0], true), (errors[0], false)] {
                group.enter()
                DispatchQueue.global().async {
                    let data = Self.readAll(descriptor)
                    self.lock.withLock { if isOutput { self.outputData = data } else { self.errorData = data } }
                    self.group.leave()
                }
            }
            if let stdin {
                let bytes = Array(stdin.utf8)
                var offset = 0
                while offset < bytes.count {
                    let written = bytes[offset...].withUnsafeBufferPointer { write(input[1], $0.baseAddress, $0.count) }
                    if written <= 0 { break }
                    offset += written
                }
            }
            close(input[1])
        }

        static func readAll(_ descriptor: Int32) -> Data {
            defer { close(descriptor) }
            var data = Data()
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(descriptor, &buffer, buffer.count)
                if count > 0 { data.append(contentsOf: buffer[0..<count]) } else if count < 0 && errno == EINTR { continue } else { break }
            }
            return data
        }

        public func kill() {
            Glibc.kill(pid, SIGKILL)
        }

        /// Waits for the exit (killing the process after `timeout`); a signal gives 128 + its number.
        public func finish(timeout: TimeInterval = 120) throws -> Result {
            let deadline = Date().addingTimeInterval(timeout)
            var timedOut = false
            while lock.withLock({ exitStatus }) == nil {
                var status: Int32 = 0
                let result = waitpid(pid, &status, WNOHANG)
                if result == pid {
                    let signal = status & 0x7F
                    lock.withLock { exitStatus = signal == 0 ? (status >> 8) & 0xFF : 128 + signal }
                    break
                }
                if result < 0 && errno != EINTR { lock.withLock { exitStatus = -1 }; break }
                if !timedOut, Date() > deadline {
                    kill()
                    timedOut = true
                }
                usleep(2000)
            }
            group.wait()
            if timedOut { throw TimedOut(seconds: timeout) }
            return lock.withLock {
                Result(status: exitStatus ?? -1, stdout: String(decoding: outputData, as: UTF8.self),
                       stderr: String(decoding: errorData, as: UTF8.self))
            }
        }
    }

    public struct SpawnError: Error, CustomStringConvertible {
        public var description: String
    }

    public struct TimedOut: Error, CustomStringConvertible {
        public var seconds: TimeInterval
        public var description: String { "the process did not finish within \(seconds) s" }
    }
}
