import Foundation
import PostgresNIO

/// A value bound to a query's `$n`.
enum SQLValue {
    case text(String?)
    case int(Int64?)
    case real(Double?)
    case ints([Int64])
    case texts([String])
    /// A time, bound as whole milliseconds (`at(n)` turns `$n` into a timestamptz).
    case time(Timestamp?)

    static func int(_ value: Int?) -> SQLValue { .int(value.map(Int64.init)) }
}

/// One connection to the server, used from one thread at a time. The
/// catalog's calls are synchronous, so each query waits for its answer on
/// the calling thread while SwiftNIO's event loop does the talking: nothing
/// of NIO starts before a postgres:// URL is opened.
final class PostgresSession: @unchecked Sendable {
    let connection: PostgresConnection
    let logger: Logger
    /// How errors name the catalog (never with a password).
    let display: String

    private init(connection: PostgresConnection, logger: Logger, display: String) {
        self.connection = connection
        self.logger = logger
        self.display = display
    }

    deinit {
        try? connection.close().wait()
    }

    static func connect(_ location: PostgresLocation) throws(CatalogError) -> PostgresSession {
        var logger = Logger(label: "cameo.catalog")
        // Nothing the driver says reaches the terminal: errors come back as CatalogErrors.
        logger.logLevel = .critical
        let tls: PostgresConnection.Configuration.TLS
        do {
            tls = try Self.tls(for: location)
        } catch {
            throw .cannotOpen(path: location.display, detail: "cannot set up TLS: \(error)")
        }
        var configuration: PostgresConnection.Configuration
        if let socket = location.socketPath {
            configuration = .init(unixSocketPath: socket, username: location.user, password: location.password, database: location.database)
        } else {
            // verify-full checks the certificate against the host: its name (also sent
            // as SNI) or, for an address, the certificate's IP entries.
            configuration = .init(host: location.host, port: location.port, username: location.user, password: location.password,
                                  database: location.database, tls: tls)
        }
        configuration.options.connectTimeout = .seconds(10)
        // Every name cameo uses lives in its own schema, beside whatever else the database holds.
        configuration.options.additionalStartupParameters = [("search_path", "cameo"), ("application_name", "cameo")]
        do {
            let connection = try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 1, logger: logger
            ).wait()
            return PostgresSession(connection: connection, logger: logger, display: location.display)
        } catch {
            throw .cannotOpen(path: location.display, detail: "cannot connect: \(describeConnecting(error, location))")
        }
    }

    static func tls(for location: PostgresLocation) throws -> PostgresConnection.Configuration.TLS {
        switch location.sslMode {
        case .disable, .allow:
            return .disable
        case .prefer, .require:
            // As libpq: encryption without checking whose certificate it is.
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            let context = try NIOSSLContext(configuration: configuration)
            return location.sslMode == .prefer ? .prefer(context) : .require(context)
        case .verifyCA, .verifyFull:
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = location.sslMode == .verifyFull ? .fullVerification : .noHostnameVerification
            // As libpq: sslrootcert, else ~/.postgresql/root.crt, which must exist; `system` is the system's CAs.
            let root = location.rootCertificate ?? (NSHomeDirectory() + "/.postgresql/root.crt")
            if root != "system" {
                guard FileManager.default.isReadableFile(atPath: root) else {
                    throw TLSSetupError(description: "the root certificate file \(root) does not exist or cannot be read; "
                                        + "give sslrootcert=FILE (or PGSSLROOTCERT), or a weaker sslmode")
                }
                configuration.trustRoots = .file(root)
            }
            return .require(try NIOSSLContext(configuration: configuration))
        }
    }

    struct TLSSetupError: Error, CustomStringConvertible {
        var description: String
    }

    /// Why a connection could not be made, in the words of what was asked for:
    /// TLS the server does not offer, a certificate no trusted CA signed, or one for another host.
    static func describeConnecting(_ error: any Error, _ location: PostgresLocation) -> String {
        let mode = "sslmode=\(location.sslMode.rawValue)"
        if let error = error as? PSQLError, error.code == .sslUnsupported {
            return "the server does not offer TLS, which \(mode) requires (turn ssl on at the server, or choose sslmode=prefer)"
        }
        let underlying = (error as? PSQLError)?.underlying ?? error
        if underlying is NIOSSLExtraError, "\(underlying)".contains("failedToValidateHostname") {
            return "the server's certificate is not for \(location.host) (\(mode) checks the host name); connect by a name the certificate holds"
        }
        if let tls = underlying as? NIOSSLError, "\(tls)".contains("CERTIFICATE_VERIFY_FAILED") {
            let root = location.rootCertificate ?? "~/.postgresql/root.crt"
            return "the server's certificate is not signed by a certificate authority in \(root) (\(mode))"
        }
        return describe(error)
    }

    /// The rows a statement returns, each column read by position.
    func query(_ sql: String, _ values: [SQLValue] = []) throws -> [PostgresRandomAccessRow] {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .text(let text): if let text { bindings.append(text) } else { bindings.appendNull() }
            case .int(let number): if let number { bindings.append(number) } else { bindings.appendNull() }
            case .real(let number): if let number { bindings.append(number) } else { bindings.appendNull() }
            case .ints(let numbers): bindings.append(numbers)
            case .texts(let texts): bindings.append(texts)
            case .time(let time): if let time { bindings.append(time.millisecondsSince1970) } else { bindings.appendNull() }
            }
        }
        let result = try connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger).wait()
        return result.rows.map { $0.makeRandomAccess() }
    }

    func execute(_ sql: String, _ values: [SQLValue] = []) throws {
        _ = try query(sql, values)
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back
    /// when it throws (or when this process dies: the server drops the connection's work).
    func transaction<T>(readOnly: Bool = false, _ body: () throws -> T) throws -> T {
        // Reads see one snapshot, as SQLite's do.
        try execute(readOnly ? "START TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY" : "START TRANSACTION")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// What the server (or the network) said, without anything the connection was configured with.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] { return message }
        if let underlying = error.underlying { return "\(underlying)" }
        return "\(error.code)"
    }

    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    static func constraint(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.constraintName]
    }
}

/// Reads a row's columns by position, each checked: a value cameo cannot read
/// names its row and column instead of trapping.
struct PostgresStoredRow {
    let row: PostgresRandomAccessRow
    let name: () -> String

    func value<T: PostgresDecodable>(_ index: Int, _ column: String, as type: T.Type = T.self) throws -> T {
        do {
            return try row[index].decode(T.self)
        } catch {
            throw UnreadableRow(row: name(), detail: "\(column) holds a value cameo cannot read")
        }
    }

    func optional<T: PostgresDecodable>(_ index: Int, _ column: String, as type: T.Type = T.self) throws -> T? {
        row[index].bytes == nil ? nil : try value(index, column, as: T.self)
    }

    func word<T: RawRepresentable>(_ index: Int, _ column: String) throws -> T where T.RawValue == String {
        let text: String = try value(index, column)
        guard let word = T(rawValue: text) else {
            throw UnreadableRow(row: name(), detail: "\(column) holds \(StoredRow.show(text)), which cameo cannot read")
        }
        return word
    }

    func time(_ index: Int, _ column: String) throws -> Timestamp {
        Timestamp(millisecondsSince1970: try value(index, column, as: Int64.self))
    }

    func optionalTime(_ index: Int, _ column: String) throws -> Timestamp? {
        try optional(index, column, as: Int64.self).map(Timestamp.init(millisecondsSince1970:))
    }
}
