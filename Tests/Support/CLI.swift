import Foundation

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

    private static let spawnLock = NSLock()

    /// Starts any process the way `CLI` starts cameo: one spawn at a time.
    public static func spawn(_ process: Process) throws {
        try spawnLock.withLock { try process.run() }
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
        let process = try start(arguments, stdin: stdin)
        return try process.finish(timeout: timeout)
    }

    @discardableResult
    public func run(_ arguments: String..., stdin: String? = nil) throws -> Result {
        try run(arguments, stdin: stdin)
    }

    public func start(_ arguments: [String], stdin: String? = nil) throws -> Running {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        process.environment = environment
        let output = Pipe(), errors = Pipe(), input = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input
        let running = Running(process: process, output: output, errors: errors)
        // Foundation's Process.run() on Linux can crash when several threads
        // spawn at once (seen in the eight-shell test); starting is serialized,
        // the processes still run side by side.
        try Self.spawn(process)
        running.startReading()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        return running
    }

    /// A started process whose output is drained as it comes, so a full pipe never blocks it.
    public final class Running: @unchecked Sendable {
        public let process: Process
        let output: Pipe
        let errors: Pipe
        private let group = DispatchGroup()
        private var outputData = Data()
        private var errorData = Data()

        init(process: Process, output: Pipe, errors: Pipe) {
            self.process = process
            self.output = output
            self.errors = errors
        }

        func startReading() {
            for (pipe, isOutput) in [(output, true), (errors, false)] {
                group.enter()
                DispatchQueue.global().async {
                    let data = pipe.fileHandleForReading.readDataToEndOfFile()
                    if isOutput { self.outputData = data } else { self.errorData = data }
                    self.group.leave()
                }
            }
        }

        public func kill() {
            Foundation.kill(process.processIdentifier, SIGKILL)
        }

        public func finish(timeout: TimeInterval = 120) throws -> Result {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning {
                if Date() > deadline {
                    kill()
                    throw TimedOut(seconds: timeout)
                }
                usleep(2000)
            }
            group.wait()
            return Result(status: process.terminationStatus,
                          stdout: String(decoding: outputData, as: UTF8.self),
                          stderr: String(decoding: errorData, as: UTF8.self))
        }
    }

    public struct TimedOut: Error, CustomStringConvertible {
        public var seconds: TimeInterval
        public var description: String { "cameo did not finish within \(seconds) s" }
    }
}
