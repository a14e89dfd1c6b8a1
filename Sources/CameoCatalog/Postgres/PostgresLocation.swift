import Foundation

/// A `postgres://USER@HOST:PORT/DB?sslmode=…` URL read as libpq reads it:
/// what the URL leaves out comes from the service it names (`service=`, else
/// PGSERVICE; see PostgresServiceFile), then from PGUSER, PGHOST, PGPORT,
/// PGDATABASE, PGSSLMODE and PGSSLROOTCERT; the password from the URL, else the
/// service, else PGPASSWORD, else the password file (PGPASSFILE, else
/// ~/.pgpass, ignored unless only its owner can read it). A host that starts
/// with `/` (written `%2F…`, or `?host=/dir`) is the folder of a Unix socket.
struct PostgresLocation: Sendable {
    var user: String
    var host: String
    var port: Int
    var database: String
    var password: String?
    var sslMode: SSLMode
    /// For TLS with `verify-ca`/`verify-full`: the certificate authorities to trust.
    var rootCertificate: String?

    enum SSLMode: String, Sendable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    var socketPath: String? {
        host.hasPrefix("/") ? "\(host)/.s.PGSQL.\(port)" : nil
    }

    /// How messages name the catalog: never with a password.
    var display: String {
        let shownHost = host.hasPrefix("/") ? host.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? host : host
        return "postgres://\(user)@\(shownHost):\(port)/\(database)"
    }

    static func parse(_ text: String, environment: [String: String]) throws(CatalogError) -> PostgresLocation {
        // Whatever went wrong, the message repeats the URL without its password.
        func refuse(_ detail: String) -> CatalogError {
            .cannotOpen(path: redacted(text), detail: detail + "; write it as postgres://USER@HOST:PORT/DATABASE")
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme,
              scheme == "postgres" || scheme == "postgresql" else {
            throw refuse("it is not a valid URL")
        }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard let value = item.value else { throw refuse("its parameter \(quoted(item.name)) has no value") }
            query[item.name] = value
        }
        let known: Set = ["sslmode", "host", "port", "user", "dbname", "sslrootcert", "application_name", "connect_timeout", "service"]
        if let unknown = query.keys.sorted().first(where: { !known.contains($0) }) {
            throw refuse("cameo does not know its parameter \(quoted(unknown))")
        }
        // libpq's order: what the URL says, then the service's entries, then PG* variables, then defaults.
        var given = query
        given["user"] = given["user"] ?? components.user.flatMap { $0.isEmpty ? nil : $0 }
        given["host"] = given["host"] ?? components.percentEncodedHost.flatMap { $0.removingPercentEncoding }.flatMap { $0.isEmpty ? nil : $0 }
        given["port"] = given["port"] ?? components.port.map(String.init)
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        given["dbname"] = given["dbname"] ?? (path.isEmpty ? nil : path)
        given["password"] = components.password
        var service: [String: String] = [:]
        if let name = query["service"] ?? environment["PGSERVICE"].flatMap({ $0.isEmpty ? nil : $0 }) {
            do {
                service = try PostgresServiceFile.settings(of: name, environment: environment)
            } catch {
                throw .cannotOpen(path: redacted(text), detail: error.detail)
            }
        }
        func setting(_ key: String, _ variable: String) -> String? {
            given[key] ?? service[key] ?? environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        }
        let user = setting("user", "PGUSER") ?? ProcessInfo.processInfo.userName
        let host = setting("host", "PGHOST") ?? "localhost"
        let portText = setting("port", "PGPORT") ?? "5432"
        guard let port = Int(portText), (1...65535).contains(port) else { throw refuse("its port \(quoted(portText)) is not a port number") }
        let database = setting("dbname", "PGDATABASE") ?? user
        let modeText = setting("sslmode", "PGSSLMODE") ?? "prefer"
        guard let sslMode = SSLMode(rawValue: modeText) else {
            throw refuse("its sslmode \(quoted(modeText)) is not one of disable, allow, prefer, require, verify-ca, verify-full")
        }
        var location = PostgresLocation(user: user, host: host, port: port, database: database, password: nil, sslMode: sslMode,
                                        rootCertificate: setting("sslrootcert", "PGSSLROOTCERT"))
        location.password = setting("password", "PGPASSWORD") ?? PasswordFile.lookup(for: location, environment: environment)
        return location
    }

    /// The URL with any password replaced, for messages about a URL that could not be read.
    static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text) else {
            // Cut at the last @ of the authority: what is before it may hold a password.
            guard let at = text.lastIndex(of: "@"), let scheme = text.range(of: "://") else { return text }
            return String(text[..<scheme.upperBound]) + "…" + String(text[at...])
        }
        if components.password != nil { components.password = "xxxxx" }
        return components.string ?? "a postgres:// URL"
    }
}

/// libpq's password file: `host:port:database:user:password` lines, `*` for
/// any value, `\:` and `\\` escaped; the first matching line wins.
enum PasswordFile {
    static func lookup(for location: PostgresLocation, environment: [String: String]) -> String? {
        let path = environment["PGPASSFILE"] ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.pgpass")
        var info = stat()
        // libpq ignores a password file others can read or write; so does cameo.
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_mode & 0o077 == 0,
              let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        // A socket connection matches `localhost` in the file, as in libpq.
        let host = location.host.hasPrefix("/") ? "localhost" : location.host
        let wanted = [host, String(location.port), location.database, location.user]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = split(String(line))
            guard fields.count == 5 else { continue }
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    static func split(_ line: String) -> [String] {
        var fields: [String] = [], current = "", escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" && fields.count < 4 {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
