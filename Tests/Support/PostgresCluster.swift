import Foundation

/// A throwaway PostgreSQL server of the test process's own: `initdb` in a
/// temp folder, listening on 127.0.0.1 at a free port (and on a socket in
/// that folder), started on first use and removed when the process exits.
/// PostgreSQL refuses to run as root, so when the tests do, the server runs
/// as the `postgres` system user (Debian's package creates it; scripts/bootstrap
/// installs it). Clients sign in with a password, as a team's would.
public final class PostgresCluster: @unchecked Sendable {
    public let folder: String
    public let port: Int
    public let user = "cameo"
    /// Random per cluster; reaches cameo only through PGPASSWORD, never argv.
    public let password: String

    /// The cluster, started once per test process.
    public static let shared: Result<PostgresCluster, ClusterError> = Result { () throws(ClusterError) in try PostgresCluster() }

    public static func start() throws -> PostgresCluster {
        try shared.get()
    }

    /// A second cluster with `ssl=on`, its certificate signed by a CA of its own
    /// (made with the openssl CLI in its folder), started once per test process when a test asks for it.
    public static let sharedTLS: Result<PostgresCluster, ClusterError> = Result { () throws(ClusterError) in try PostgresCluster(tls: true) }

    public static func startTLS() throws -> PostgresCluster {
        try sharedTLS.get()
    }

    /// The CA that signed the TLS cluster's certificate (for DNS:localhost only), and one that did not.
    public var certificateAuthority: String { folder + "/tls/ca.crt" }
    public var otherCertificateAuthority: String { folder + "/tls/other-ca.crt" }

    public struct ClusterError: Error, CustomStringConvertible {
        public var description: String
    }

    static let binaries = "/usr/lib/postgresql/15/bin"

    private init(tls: Bool = false) throws(ClusterError) {
        Self.removeAbandonedClusters()
        folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "cameo-pg-\(getpid())-\(UUID().uuidString.prefix(8))").path
        password = UUID().uuidString
        guard FileManager.default.isExecutableFile(atPath: Self.binaries + "/initdb") else {
            throw ClusterError(description: "no PostgreSQL 15 server at \(Self.binaries); run scripts/bootstrap")
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Data(password.utf8).write(to: URL(fileURLWithPath: folder + "/password"))
        } catch {
            throw ClusterError(description: "cannot prepare \(folder): \(error)")
        }
        if getuid() == 0 {
            guard let owner = getpwnam("postgres") else {
                throw ClusterError(description: "tests run as root but there is no postgres user to run the server; run scripts/bootstrap")
            }
            chown(folder, owner.pointee.pw_uid, owner.pointee.pw_gid)
            chown(folder + "/password", owner.pointee.pw_uid, owner.pointee.pw_gid)
        }
        chmod(folder, 0o700)
        try Self.run(Self.binaries + "/initdb", folder: folder, ["-D", folder + "/data", "-U", user, "--pwfile", folder + "/password",
                                             "--auth-host", "scram-sha-256", "--auth-local", "trust",
                                             "--encoding", "UTF8", "--locale", "C.UTF-8", "--no-sync"])
        let tlsOptions = tls ? try Self.makeCertificates(in: folder) : ""
        var lastFailure: ClusterError?
        for _ in 0..<5 {
            let port = Self.freePort()
            do {
                try Self.run(Self.binaries + "/pg_ctl", folder: folder, ["-D", folder + "/data", "-l", folder + "/server.log", "-w", "-t", "60", "start", "-o",
                                                    "-p \(port) -k \(folder) -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\(tlsOptions)"])
                self.port = port
                Self.running.append(self)
                if Self.running.count == 1 { atexit { PostgresCluster.running.forEach { $0.remove() } } }
                return
            } catch {
                lastFailure = error
            }
        }
        throw lastFailure ?? ClusterError(description: "the server did not start")
    }

    nonisolated(unsafe) static var running: [PostgresCluster] = []

    /// A CA, a server certificate it signed for DNS:localhost (not for 127.0.0.1), and
    /// an unrelated CA; the server's options that use them.
    private static func makeCertificates(in folder: String) throws(ClusterError) -> String {
        let tls = folder + "/tls"
        do {
            try FileManager.default.createDirectory(atPath: tls, withIntermediateDirectories: true)
            try Data("subjectAltName=DNS:localhost\n".utf8).write(to: URL(fileURLWithPath: tls + "/server.ext"))
        } catch {
            throw ClusterError(description: "cannot prepare \(tls): \(error)")
        }
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        func at(_ name: String) -> String { tls + "/" + name }
        let steps: [[String]] = [
            ["req", "-x509"] + key + ["-days", "2", "-subj", "/CN=cameo test CA", "-keyout", at("ca.key"), "-out", at("ca.crt")],
            ["req", "-x509"] + key + ["-days", "2", "-subj", "/CN=another CA", "-keyout", at("other-ca.key"), "-out", at("other-ca.crt")],
            ["req"] + key + ["-subj", "/CN=localhost", "-keyout", at("server.key"), "-out", at("server.csr")],
            ["x509", "-req", "-in", at("server.csr"), "-CA", at("ca.crt"), "-CAkey", at("ca.key"), "-CAcreateserial", "-days", "2",
             "-extfile", at("server.ext"), "-out", at("server.crt")],
        ]
        for arguments in steps {
            do {
                let result = try CLI.Running(executable: "/usr/bin/openssl", arguments: arguments,
                                             environment: ["PATH": "/usr/bin:/bin"], stdin: nil).finish(timeout: 60)
                guard result.status == 0 else { throw ClusterError(description: "openssl \(arguments.joined(separator: " ")): \(result.stderr)") }
            } catch let error as ClusterError {
                throw error
            } catch {
                throw ClusterError(description: "openssl (run scripts/bootstrap): \(error)")
            }
        }
        // The server reads its key only when it alone may.
        chmod(tls + "/server.key", 0o600)
        if getuid() == 0, let owner = getpwnam("postgres") {
            chown(tls, owner.pointee.pw_uid, owner.pointee.pw_gid)
            chown(tls + "/server.key", owner.pointee.pw_uid, owner.pointee.pw_gid)
        }
        return " -c ssl=on -c ssl_cert_file=\(tls)/server.crt -c ssl_key_file=\(tls)/server.key"
    }

    /// postgres://cameo@127.0.0.1:PORT/DATABASE (the password goes in `environment`).
    public func url(database: String) -> String {
        "postgres://\(user)@127.0.0.1:\(port)/\(database)"
    }

    /// What a client needs besides the URL.
    public var environment: [String: String] {
        ["PGPASSWORD": password, "PGSSLMODE": "disable"]
    }

    /// A new, empty database in the cluster, for one test.
    public func createDatabase(_ label: String = "t") throws -> String {
        let name = "\(label)_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "_"))"
        try psql("CREATE DATABASE \(name)")
        return name
    }

    /// Runs SQL through psql as the cluster's superuser; its output, one row a line.
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") throws -> String {
        let result = try CLI.Running(
            executable: "/usr/bin/psql",
            arguments: ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", database, "-c", sql],
            environment: environment.merging(["PATH": "/usr/bin:/bin"]) { $1 }, stdin: nil
        ).finish(timeout: 120)
        guard result.status == 0 else { throw ClusterError(description: "psql \(sql): \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts psql running `sql` (as `application_name` \(application)), for a test to act while it runs.
    public func startPsql(_ sql: String, database: String, application: String) throws -> CLI.Running {
        try CLI.Running(
            executable: "/usr/bin/psql",
            arguments: ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", database, "-c", sql],
            environment: environment.merging(["PATH": "/usr/bin:/bin", "PGAPPNAME": application]) { $1 }, stdin: nil)
    }

    func remove() {
        _ = try? Self.run(Self.binaries + "/pg_ctl", folder: folder, ["-D", folder + "/data", "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Clusters left by test processes that were killed before they could remove theirs.
    static func removeAbandonedClusters() {
        let temp = FileManager.default.temporaryDirectory.path
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temp)) ?? [] where name.hasPrefix("cameo-pg-") {
            let parts = name.split(separator: "-")
            guard parts.count >= 4, let pid = pid_t(parts[2]), kill(pid, 0) != 0, errno == ESRCH else { continue }
            let data = temp + "/" + name + "/data"
            if let pidFile = try? String(contentsOfFile: data + "/postmaster.pid", encoding: .utf8),
               let line = pidFile.split(separator: "\n").first, let server = pid_t(line) {
                kill(server, SIGKILL)
            }
            try? FileManager.default.removeItem(atPath: temp + "/" + name)
        }
    }

    /// Runs a server program, as the postgres user when the tests run as root.
    private static func run(_ program: String, folder: String, _ arguments: [String]) throws(ClusterError) {
        let (executable, fullArguments) = getuid() == 0
            ? ("/usr/sbin/runuser", ["-u", "postgres", "--", program] + arguments)
            : (program, arguments)
        do {
            let result = try CLI.Running(executable: executable, arguments: fullArguments,
                                         environment: ["PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"], stdin: nil).finish(timeout: 120)
            guard result.status == 0 else {
                let log = (try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? ""
                throw ClusterError(description: "\(program) failed (\(result.status)): \(result.stderr) \(log.suffix(2000))")
            }
        } catch let error as ClusterError {
            throw error
        } catch {
            throw ClusterError(description: "\(program): \(error)")
        }
    }

    /// A port nobody listens on right now (the kernel's pick; the server may still lose a race, and then tries another).
    static func freePort() -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
