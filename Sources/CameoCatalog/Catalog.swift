import CSQLiteOptions
import Foundation
import GRDB

/// The SQLite file that holds a user's characters and submissions.
///
/// Writers run short immediate transactions on a WAL database with a busy
/// timeout, so several shells can add characters at once and each simply
/// waits its turn. Readers open the file read-only: they never write, lock
/// for writing or sync it, so `show` never waits behind an import.
public final class Catalog: CatalogStore {
    public let path: String
    /// False when a read-only command looked for a catalog that does not exist
    /// yet: it reads as empty and nothing was created.
    public let exists: Bool
    let database: DatabaseQueue
    /// Whether the connection was opened read-only (a read-only command's,
    /// unless the schema had to be created or migrated first).
    public var readsOnly: Bool { database.configuration.readonly }

    /// How long a write waits for another process's write before giving up.
    public static let busyTimeout: TimeInterval = 30

    private init(path: String, exists: Bool = true, database: DatabaseQueue) {
        self.path = path
        self.exists = exists
        self.database = database
    }

    /// Opens the catalog at `path` for writing, creating it (and its folder) on
    /// first use. A file that is not a cameo catalog is refused before anything
    /// is written to it or beside it. Writes take their times from `clock`.
    public static func open(at path: String, clock: CatalogClock = .system) throws(CatalogError) -> Catalog {
        switch try CatalogFile.kind(at: path) {
        case .sqlite:
            try Schema.refuseUnusable(try CatalogFile.inspect(path), path: path)
        case .absent:
            do {
                try FileManager.default.createDirectory(
                    at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
            } catch {
                throw .cannotOpen(path: path, detail: "cannot create its folder: \(error.localizedDescription)")
            }
        case .empty:
            break
        }
        return try retryingRaces(path: path) { () throws -> Catalog in
            let database = try DatabaseQueue(path: path, configuration: CatalogFile.writerConfiguration(clock: clock))
            let catalog = Catalog(path: path, database: database)
            try catalog.prepareForWriting()
            return catalog
        }
    }

    /// Runs `attempt` (opening and migrating) again, from a new connection,
    /// while another process is still turning the file into a catalog, until
    /// the busy timeout: SQLite answers BUSY without waiting while another
    /// process turns a new file into a WAL database, and a migration can lose
    /// a race to another process's (see `migrate`). Any other failure ends it.
    private static func retryingRaces<T>(path: String, _ attempt: () throws -> T) throws(CatalogError) -> T {
        let deadline = Date().addingTimeInterval(busyTimeout)
        while true {
            do {
                return try attempt()
            } catch let error as CatalogError {
                throw error
            } catch {
                let database: DatabaseError
                switch error {
                case let race as MigrationRace: database = race.error
                case let error as DatabaseError where [.SQLITE_BUSY, .SQLITE_LOCKED].contains(error.resultCode):
                    database = error
                case let error as DatabaseError: throw translate(error, path: path)
                default: throw .cannotOpen(path: path, detail: "\(error)")
                }
                if Date() >= deadline { throw translate(database, path: path) }
                usleep(useconds_t.random(in: 5_000...40_000))
            }
        }
    }

    /// Opens the catalog for a command that only reads it. Nothing is created,
    /// written or locked for writing: a read-only file, folder or mount works.
    /// A catalog that does not exist yet reads as empty (`exists` is false). Only
    /// a catalog whose schema must be created or migrated is opened for writing.
    public static func openForReading(at path: String) throws(CatalogError) -> Catalog {
        switch try CatalogFile.kind(at: path) {
        case .absent, .empty:
            return try empty(path: path)
        case .sqlite:
            // Look first without creating anything beside the file: it may be another program's.
            let inspector = try CatalogFile.reader(path, creatingWALFiles: false)
            let state = try translatingErrors(path: path) { try CatalogFile.read(inspector.queue, Schema.state) }
            try Schema.refuseUnusable(state, path: path)
            guard state == .current else {
                // Closed before the writer opens: SQLite shares one -shm mapping per
                // file within a process, and while this reader holds it read-only
                // (readonly_shm), the migration's writes fail as "readonly database".
                try translatingErrors(path: path) { try inspector.queue.close() }
                return try open(at: path)
            }
            let reader = inspector.mode == .immutable && CatalogFile.folderIsWritable(path) ? try CatalogFile.reader(path) : inspector
            return Catalog(path: path, database: reader.queue)
        }
    }

    /// An in-memory catalog with the schema and no rows: what a catalog that
    /// does not exist yet holds.
    static func empty(path: String) throws(CatalogError) -> Catalog {
        try translatingErrors(path: path) {
            let database = try DatabaseQueue()
            try Schema.migrator.migrate(database)
            return Catalog(path: path, exists: false, database: database)
        }
    }

    /// Puts the file in WAL mode and migrates it, checking first (in the
    /// connection that will write) that it is ours.
    private func prepareForWriting() throws {
        try database.writeWithoutTransaction { db in
            // Read in one transaction: a snapshot, even while another process creates the schema.
            var state = Schema.State.blank
            try db.inTransaction(.deferred) {
                state = try Schema.state(db)
                return .commit
            }
            try Schema.refuseUnusable(state, path: path)
            if try String.fetchOne(db, sql: "PRAGMA journal_mode") != "wal" {
                try db.execute(sql: "PRAGMA journal_mode = WAL")
            }
        }
        try migrate()
    }

    /// A migration that failed the way another process's concurrent migration
    /// makes it fail, with the schema not yet complete: `open` tries again.
    private struct MigrationRace: Error {
        var error: DatabaseError
    }

    private func migrate() throws {
        if try schemaState() == .current { return }
        // Several processes may open a new catalog at once: each migration
        // runs in an immediate transaction, and the loser of a race (a table
        // that already exists, a migration already recorded, a busy lock)
        // finds the work done, or some of it, when it looks again.
        // GRDB's own completion check is not used here: it reads the
        // migrations table in one statement and its existence in another,
        // and reports "no such table" when another process creates it between.
        do {
            try Schema.migrator.migrate(database)
        } catch let error as DatabaseError where Self.raceCodes.contains(error.resultCode) {
            if try schemaState() == .current { return }
            throw MigrationRace(error: error)
        }
    }

    /// Failures another process's concurrent migration can cause.
    private static let raceCodes: [ResultCode] = [.SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_ERROR, .SQLITE_CONSTRAINT, .SQLITE_SCHEMA]

    /// The schema as one snapshot sees it (one statement lists the tables).
    private func schemaState() throws -> Schema.State {
        try database.read(Schema.state)
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
            .cannotOpen(path: path, detail: "\(error.message ?? "permission denied") (check the file's and its folder's permissions)")
        default:
            .cannotOpen(path: path, detail: error.message ?? "\(error)")
        }
    }

    /// Runs a write transaction, turning database failures into catalog errors.
    func write<T>(_ body: (Database) throws -> T) throws(CatalogError) -> T {
        try Self.translatingErrors(path: path) { try database.write(body) }
    }

    func read<T>(_ body: (Database) throws -> T) throws(CatalogError) -> T {
        try Self.translatingErrors(path: path) { try CatalogFile.read(database, body) }
    }

    static func translatingErrors<T>(path: String, _ work: () throws -> T) throws(CatalogError) -> T {
        do {
            return try work()
        } catch {
            if let own = CatalogError(own: error, path: path) { throw own }
            if let error = error as? RowDecodingError { throw .unreadableRow(path: path, row: "a row", detail: "\(error)") }
            if let error = error as? DatabaseError { throw translate(error, path: path) }
            throw .cannotOpen(path: path, detail: "\(error)")
        }
    }
}

/// How cameo opens the SQLite file itself.
enum CatalogFile {
    enum Kind { case absent, empty, sqlite }

    /// Checks the first bytes, so that a wrong `--db` is refused before SQLite
    /// opens it at all.
    static func kind(at path: String) throws(CatalogError) -> Kind {
        // POSIX calls rather than FileHandle and Data: every command that opens the catalog starts here.
        var descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            var status = stat()
            if stat(path, &status) != 0, errno == ENOENT || errno == ENOTDIR { return .absent }
            // Another process may have created it between the two looks.
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
        }
        guard descriptor >= 0 else {
            throw .cannotOpen(path: path, detail: "it cannot be read (check its permissions)")
        }
        defer { close(descriptor) }
        var header = [UInt8](repeating: 0, count: 20)
        let count = header.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count >= 0 else {
            throw .cannotOpen(path: path, detail: "it cannot be read (\(String(cString: strerror(errno))))")
        }
        if count == 0 { return .empty }
        guard count >= 16, header.prefix(16).elementsEqual("SQLite format 3\u{0}".utf8) else {
            throw .notACatalog(path: path, detail: "it is not an SQLite database")
        }
        return .sqlite
    }

    /// Whether the file is in rollback-journal mode (its header's read and
    /// write versions are 1), where a read-only reader takes shared locks and
    /// creates no file beside it.
    static func usesRollbackJournal(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { handle.closeFile() }
        let header = [UInt8](handle.readData(ofLength: 20))
        return header.count == 20 && header[18] == 1 && header[19] == 1
    }

    /// What every connection to the file has, a reader's or a writer's.
    static var sharedConfiguration: Configuration {
        var config = Configuration()
        config.busyMode = .timeout(Catalog.busyTimeout)
        config.label = "cameo"
        return config
    }

    static func writerConfiguration(clock: CatalogClock = .system) -> Configuration {
        var config = sharedConfiguration
        config.foreignKeysEnabled = true
        config.transactionClock = .custom { _ in clock.now().date }
        config.prepareDatabase { db in
            // Readers open the file read-only and cannot create SQLite's -wal
            // and -shm files, so writers leave them in place, emptied.
            guard let connection = db.sqliteConnection, cameo_sqlite_keep_wal_files(UnsafeMutableRawPointer(connection)) == 0 else {
                throw DatabaseError(message: "cannot keep the catalog's WAL files")
            }
            try db.execute(sql: "PRAGMA journal_size_limit = 0")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        return config
    }

    enum ReadMode {
        /// Through the -wal and -shm files a writer left, writing neither.
        case sharedMemoryReadOnly
        /// SQLite creates the -wal and -shm files (the catalog itself is not written).
        case creatingWALFiles
        /// No -wal file: nobody is writing through this folder right now.
        case immutable
        /// Not a WAL database (another program's): shared locks, nothing created.
        case rollbackJournal

        var uriParameters: String {
            switch self {
            case .sharedMemoryReadOnly: "mode=ro&readonly_shm=1"
            case .creatingWALFiles, .rollbackJournal: "mode=ro"
            case .immutable: "mode=ro&immutable=1"
            }
        }
    }

    /// A read-only connection. When SQLite's -wal and -shm files exist (a cameo
    /// writer leaves them) it reads through them without writing either. When they
    /// do not (a catalog last written by an older cameo, or another program's
    /// file), SQLite would create them: only `creatingWALFiles` in a folder we may
    /// write lets it; otherwise (a read-only mount, or a first look at a file
    /// that may be another program's) the file is read as immutable.
    static func reader(_ path: String, creatingWALFiles: Bool = true) throws(CatalogError) -> (queue: DatabaseQueue, mode: ReadMode) {
        var config = CatalogFile.sharedConfiguration
        config.readonly = true
        // Nothing to enforce on a connection that cannot write: one statement less at each open.
        config.foreignKeysEnabled = false
        config.prepareDatabase { db in
            guard let connection = db.sqliteConnection, cameo_sqlite_no_checkpoint_on_close(UnsafeMutableRawPointer(connection)) == 0 else {
                throw DatabaseError(message: "cannot open the catalog read-only")
            }
        }
        // The mode is chosen again on each try: the files it depends on may have changed meanwhile.
        return try Catalog.translatingErrors(path: path) {
            try waitingForTheWALIndex {
                let manager = FileManager.default
                let hasWALFiles = manager.fileExists(atPath: path + "-wal") && manager.fileExists(atPath: path + "-shm")
                let mode: ReadMode = hasWALFiles ? .sharedMemoryReadOnly
                    : usesRollbackJournal(path) ? .rollbackJournal
                    : creatingWALFiles && folderIsWritable(path) ? .creatingWALFiles : .immutable
                return (try DatabaseQueue(path: uri(path) + "?" + mode.uriParameters, configuration: config), mode)
            }
        }
    }

    /// A connection whose -shm is mapped read-only (`readonly_shm`) cannot repair
    /// SQLite's WAL index, so when it starts reading (GRDB reads as it opens a
    /// connection, too) just as a writer changes that index, or as a writer's new
    /// connection rebuilds it, it may find the index half-written with no lock
    /// held: SQLite then answers READONLY_RECOVERY at once ("attempt to write a
    /// readonly database") instead of waiting as for a lock, although the writer
    /// puts the index right a moment later. Such work is tried again, as a busy
    /// read waits, until the busy timeout. The error comes only as a snapshot
    /// starts, before any row is read, so trying again repeats nothing.
    static func waitingForTheWALIndex<T>(_ work: () throws -> T) throws -> T {
        let deadline = Date().addingTimeInterval(Catalog.busyTimeout)
        while true {
            do {
                return try work()
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_READONLY_RECOVERY && Date() < deadline {
                usleep(useconds_t.random(in: 1_000...10_000))
            }
        }
    }

    /// Reads in one snapshot, as `DatabaseQueue.read`, waiting out a WAL index mid-change.
    static func read<T>(_ queue: DatabaseQueue, _ body: (Database) throws -> T) throws -> T {
        try waitingForTheWALIndex { try queue.read(body) }
    }

    static func folderIsWritable(_ path: String) -> Bool {
        access(URL(fileURLWithPath: path).deletingLastPathComponent().path, W_OK) == 0
    }

    /// What the file holds, read without creating anything beside it.
    static func inspect(_ path: String) throws(CatalogError) -> Schema.State {
        let reader = try reader(path, creatingWALFiles: false)
        return try Catalog.translatingErrors(path: path) { try read(reader.queue, Schema.state) }
    }

    /// `file:` URI of a path, with the characters URIs reserve escaped.
    static func uri(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var text = "file:"
        for byte in absolute.utf8 {
            switch byte {
            case UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: "%"), 0..<0x20, 0x7F...:
                text += String(format: "%%%02X", byte)
            default:
                text.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return text
    }
}

/// Where the catalog lives when nobody says otherwise.
public enum CatalogLocation {
    /// `--db` first, then `CAMEO_DB`, then the config's `catalog` entry, then
    /// `$XDG_DATA_HOME/cameo/catalog.sqlite` (`~/.local/share/cameo/catalog.sqlite`
    /// when XDG_DATA_HOME is unset or relative). Each may be a file or a postgres:// URL.
    public static func resolve(explicit: String?, environment: [String: String]) -> String {
        resolveWithSource(explicit: explicit, environment: environment).location
    }

    /// The location and what chose it: `--db`, `$CAMEO_DB`, `config` or `default`.
    public static func resolveWithSource(explicit: String?, environment: [String: String]) -> (location: String, source: String) {
        if let explicit, !explicit.isEmpty { return (expandTilde(explicit, environment: environment), "--db") }
        if let fromEnvironment = environment["CAMEO_DB"], !fromEnvironment.isEmpty {
            return (expandTilde(fromEnvironment, environment: environment), "$CAMEO_DB")
        }
        if let configured = configured(environment: environment) {
            return (expandTilde(configured, environment: environment), "config")
        }
        let dataHome: String
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") {
            dataHome = xdg
        } else {
            let home = environment["HOME"] ?? NSHomeDirectory()
            dataHome = home + "/.local/share"
        }
        return (dataHome + "/cameo/catalog.sqlite", "default")
    }

    /// The `catalog` entry of `$XDG_CONFIG_HOME/cameo/config.json` (`~/.config/cameo/config.json`):
    /// where a team puts its shared catalog once. Only that entry is read here.
    static func configured(environment: [String: String]) -> String? {
        let folder = environment["XDG_CONFIG_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.config")
        // A config is a few kilobytes; anything far larger is not read.
        guard let handle = FileHandle(forReadingAtPath: folder + "/cameo/config.json") else { return nil }
        defer { try? handle.close() }
        let data = handle.readData(ofLength: 1 << 20)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let catalog = object["catalog"] as? String, !catalog.isEmpty else { return nil }
        return catalog
    }

    static func expandTilde(_ path: String, environment: [String: String]) -> String {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        return (environment["HOME"] ?? NSHomeDirectory()) + path.dropFirst()
    }
}
