import Foundation
import GRDB

/// The SQLite file that holds a user's characters and submissions.
///
/// Writes are short transactions on a WAL database with a busy timeout, so
/// several shells can add characters at once and each simply waits its turn.
public final class Catalog: Sendable {
    public let path: String
    let pool: DatabasePool

    /// How long a write waits for another process's write before giving up.
    public static let busyTimeout: TimeInterval = 30

    private init(path: String, pool: DatabasePool) {
        self.path = path
        self.pool = pool
    }

    /// Opens the catalog at `path`, creating it (and its folder) on first use.
    /// A file that is not a cameo catalog is refused before anything is written to it.
    public static func open(at path: String) throws(CatalogError) -> Catalog {
        try refuseForeignFile(at: path)
        do {
            try FileManager.default.createDirectory(
                at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw .cannotOpen(path: path, detail: "cannot create its folder: \(error.localizedDescription)")
        }
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.foreignKeysEnabled = true
        config.label = "cameo"
        // SQLite answers BUSY without waiting while another process turns a new
        // file into a WAL database, so opening retries until the busy timeout.
        let deadline = Date().addingTimeInterval(busyTimeout)
        while true {
            do {
                let catalog = Catalog(path: path, pool: try DatabasePool(path: path, configuration: config))
                try catalog.migrate()
                return catalog
            } catch let error as DatabaseError where [.SQLITE_BUSY, .SQLITE_LOCKED].contains(error.resultCode) && Date() < deadline {
                usleep(useconds_t.random(in: 5_000...40_000))
            } catch let error as CatalogError {
                throw error
            } catch let error as DatabaseError {
                throw translate(error, path: path)
            } catch {
                throw .cannotOpen(path: path, detail: "\(error)")
            }
        }
    }

    /// Checks the first bytes so that a wrong `--db` never gets a WAL file
    /// or our tables written next to or into someone else's data.
    private static func refuseForeignFile(at path: String) throws(CatalogError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            if FileManager.default.fileExists(atPath: path) {
                throw .cannotOpen(path: path, detail: "it cannot be read (check its permissions)")
            }
            return
        }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        if header.isEmpty { return }
        guard header == Data("SQLite format 3\u{0}".utf8) else {
            throw .notACatalog(path: path, detail: "it is not an SQLite database")
        }
    }

    private func migrate() throws {
        let migrator = Schema.migrator
        let state = try pool.read { db in
            (superseded: try migrator.hasBeenSuperseded(db),
             complete: try migrator.hasCompletedMigrations(db),
             ours: try db.tableExists("grdb_migrations"),
             tables: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'") ?? 0,
             applied: try migrator.appliedIdentifiers(db))
        }
        if state.superseded {
            throw CatalogError.newerSchema(path: path, unknownMigrations: state.applied.subtracting(migrator.migrations).sorted())
        }
        if state.complete { return }
        if !state.ours && state.tables > 0 {
            throw CatalogError.notACatalog(path: path, detail: "it is an SQLite database of another program")
        }
        // Several processes may open a new catalog at once: each migration
        // runs in an immediate transaction, and the loser of a race finds
        // the work done when it looks again.
        for attempt in 1...10 {
            do {
                try migrator.migrate(pool)
                // Readers opened before the migration keep the old tables' shape cached.
                pool.invalidateReadOnlyConnections()
                return
            } catch {
                if try pool.read({ try migrator.hasCompletedMigrations($0) }) { return }
                if attempt == 10 { throw error }
                usleep(useconds_t.random(in: 5_000...40_000))
            }
        }
    }

    static func translate(_ error: DatabaseError, path: String) -> CatalogError {
        switch error.resultCode {
        case .SQLITE_NOTADB:
            .notACatalog(path: path, detail: "it is not an SQLite database")
        case .SQLITE_CORRUPT:
            .notACatalog(path: path, detail: "the database is corrupt")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            .cannotOpen(path: path, detail: "another process kept it locked for \(Int(busyTimeout)) s; try again")
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_CANTOPEN, .SQLITE_AUTH:
            .cannotOpen(path: path, detail: "\(error.message ?? "permission denied") (check the file's permissions)")
        default:
            .cannotOpen(path: path, detail: error.message ?? "\(error)")
        }
    }

    /// Runs a write transaction, turning database failures into catalog errors.
    func write<T>(_ body: (Database) throws -> T) throws(CatalogError) -> T {
        try translatingErrors { try pool.write(body) }
    }

    func read<T>(_ body: (Database) throws -> T) throws(CatalogError) -> T {
        try translatingErrors { try pool.read(body) }
    }

    private func translatingErrors<T>(_ work: () throws -> T) throws(CatalogError) -> T {
        do {
            return try work()
        } catch let error as CatalogError {
            throw error
        } catch let error as DatabaseError {
            throw Self.translate(error, path: path)
        } catch {
            throw .cannotOpen(path: path, detail: "\(error)")
        }
    }
}

/// Where the catalog lives when nobody says otherwise.
public enum CatalogLocation {
    /// `--db` first, then `CAMEO_DB`, then `$XDG_DATA_HOME/cameo/catalog.sqlite`
    /// (`~/.local/share/cameo/catalog.sqlite` when XDG_DATA_HOME is unset or relative).
    public static func resolve(explicit: String?, environment: [String: String]) -> String {
        if let explicit, !explicit.isEmpty { return expandTilde(explicit, environment: environment) }
        if let fromEnvironment = environment["CAMEO_DB"], !fromEnvironment.isEmpty {
            return expandTilde(fromEnvironment, environment: environment)
        }
        let dataHome: String
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") {
            dataHome = xdg
        } else {
            let home = environment["HOME"] ?? NSHomeDirectory()
            dataHome = home + "/.local/share"
        }
        return dataHome + "/cameo/catalog.sqlite"
    }

    static func expandTilde(_ path: String, environment: [String: String]) -> String {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        return (environment["HOME"] ?? NSHomeDirectory()) + path.dropFirst()
    }
}
