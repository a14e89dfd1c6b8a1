import CameoText
import Foundation

/// libpq's connection service file: `[name]` sections of `key=value` lines
/// (`#` comments), looked up by the URL's `service=` or PGSERVICE, first in
/// PGSERVICEFILE (else ~/.pg_service.conf), then in PGSYSCONFDIR's
/// pg_service.conf. Whatever it says fills in what the URL leaves out, before
/// the PG* variables do. The file is read as untrusted: bounded in size, every
/// line checked, and no message repeats a value (a password may be there).
enum PostgresServiceFile {
    /// Far beyond any real service file.
    static let largestFile = 1 << 20
    /// The keys a section may hold: those cameo reads from a URL, and a password.
    static let keys: Set = ["host", "port", "user", "dbname", "password", "sslmode", "sslrootcert", "application_name", "connect_timeout"]

    /// Where libpq looks, in order: the user's file, then the system's.
    static func files(environment: [String: String]) -> [String] {
        let user = environment["PGSERVICEFILE"] ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.pg_service.conf")
        // Debian's libpq looks in /etc/postgresql-common unless PGSYSCONFDIR says otherwise.
        let system = (environment["PGSYSCONFDIR"] ?? "/etc/postgresql-common") + "/pg_service.conf"
        return [user, system]
    }

    /// The settings of service `name`, from the first file that defines it.
    static func settings(of name: String, environment: [String: String]) throws(ServiceError) -> [String: String] {
        var known: [String] = []
        for path in files(environment: environment) {
            guard let sections = try read(path) else { continue }
            if let settings = sections.first(where: { $0.name == name })?.settings { return settings }
            known += sections.map(\.name)
        }
        let near = ClosestName.find(name, among: known)
        let searched = files(environment: environment).joined(separator: " or ")
        throw ServiceError(detail: "no service \(quoted(name)) in \(searched)" + (near.map { "; did you mean \(quoted($0))?" } ?? ""))
    }

    struct ServiceError: Error {
        var detail: String
    }

    /// The file's sections, or nil when there is no such file.
    static func read(_ path: String) throws(ServiceError) -> [(name: String, settings: [String: String])]? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw ServiceError(detail: "the service file \(path) cannot be read (\(String(cString: strerror(errno))))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw ServiceError(detail: "the service file \(path) is not a regular file") }
        guard info.st_size <= largestFile else {
            throw ServiceError(detail: "the service file \(path) is \(info.st_size) bytes; cameo reads at most \(largestFile)")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ServiceError(detail: "the service file \(path) cannot be read (check its permissions)")
        }
        defer { handle.closeFile() }
        // Read no more than the bound, even if the file grew since stat.
        let data = handle.readData(ofLength: largestFile + 1)
        guard data.count <= largestFile else {
            throw ServiceError(detail: "the service file \(path) is over \(largestFile) bytes; cameo reads at most that")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ServiceError(detail: "the service file \(path) is not UTF-8 text")
        }
        var sections: [(name: String, settings: [String: String])] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\r")))
            if line.isEmpty || line.hasPrefix("#") { continue }
            let place = "\(path):\(index + 1)"
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), line.count > 2 else { throw ServiceError(detail: "\(place): a section must be written [name]") }
                sections.append((String(line.dropFirst().dropLast()), [:]))
                continue
            }
            // Only the key is ever named: the value may be a password.
            guard let equals = line.firstIndex(of: "=") else {
                throw ServiceError(detail: "\(place): this line is neither [name], key=value nor a # comment")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard !sections.isEmpty else { throw ServiceError(detail: "\(place): a setting comes before any [name] section") }
            guard keys.contains(key) else {
                throw ServiceError(detail: "\(place): cameo does not know the setting \(quoted(String(key.prefix(40)))) (it knows \(keys.sorted().joined(separator: ", ")))")
            }
            sections[sections.count - 1].settings[key] = String(line[line.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
        }
        return sections
    }
}
