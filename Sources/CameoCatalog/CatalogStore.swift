import CameoText
import Foundation

/// What every command asks of a catalog, whichever database holds it: an
/// SQLite file of one's own (`Catalog`) or a team's PostgreSQL database
/// (`PostgresCatalog`). Both give the same answers and the same errors for
/// the same calls; the shared suite in Tests/CameoCatalogTests runs against each.
public protocol CatalogStore: AnyObject, Sendable {
    /// Where the catalog is, as messages name it: a file path, or a
    /// `postgres://` URL without any password.
    var path: String { get }
    /// False when a read-only command looked for a catalog that does not exist
    /// yet: it reads as empty and nothing was created.
    var exists: Bool { get }

    // Characters. Every write stamps the rows it changes with one time, read
    // from the store's `CatalogClock` as its transaction starts.
    @discardableResult
    func add(_ new: NewCharacter) throws(CatalogError) -> CameoCharacter
    /// Fails early, before slow work, when the alias is taken (`add` checks again).
    func requireUnusedAlias(_ alias: Alias) throws(CatalogError)
    /// The character whose alias is `alias` (any case, any normalization).
    func character(named alias: String) throws(CatalogError) -> CameoCharacter
    /// The character with this id (a submission's), or nil when it was removed.
    func character(id: Int64) throws(CatalogError) -> CameoCharacter?
    /// Hands `body` each character in alias order as it is read. A row cameo
    /// cannot read throws (a `CatalogError` naming it), or with
    /// `skippingUnreadable` is passed over and described in the result.
    /// Errors thrown by `body` come out as they are.
    @discardableResult
    func eachCharacter(tag: String?, matching text: String?, skippingUnreadable: Bool,
                       _ body: (CameoCharacter) throws -> Void) throws -> [String]
    @discardableResult
    func update(_ alias: String, _ change: CharacterChange) throws(CatalogError) -> CameoCharacter
    @discardableResult
    func rename(_ alias: String, to newAlias: Alias) throws(CatalogError) -> CameoCharacter
    /// What removing a character takes away, read without decoding the rest of its row.
    func removal(of alias: String) throws(CatalogError) -> (alias: String, usernames: Int)
    /// Deletes a character with its tags and identities; its submissions stay, unattached.
    func remove(_ alias: String) throws(CatalogError)
    /// Adds every character of `document` in one transaction: all of it or none of it.
    @discardableResult
    func importDocument(_ document: CatalogDocument, source: String,
                        onConflict policy: ImportConflictPolicy) throws(CatalogError) -> ImportSummary

    // Usernames
    /// Records `identity` as the character's active one; the previous one is superseded.
    @discardableResult
    func resolve(_ alias: String, to identity: NewIdentity) throws(CatalogError) -> CameoCharacter
    /// Marks a username revoked; the alias it belonged to, or nil when unknown.
    @discardableResult
    func revoke(username: String) throws(CatalogError) -> String?
    /// The characters a prompt may mean by these names (all of them without names).
    func mentionDirectory(names keys: Set<String>?) throws(CatalogError) -> MentionDirectory
    /// The aliases a did-you-mean for `name` must consider.
    func aliases(near name: String) throws(CatalogError) -> [String]
    func providers(ofUsernames usernames: [String]) throws(CatalogError) -> [(username: String, alias: String, provider: String?)]
    /// Aliases whose key starts with `prefix`'s, in key order: what a shell completes.
    func aliases(startingWith prefix: String, limit: Int) throws(CatalogError) -> [String]

    // Submissions
    /// Records a submission before it is sent, stamped with the transaction's time.
    func record(_ submission: Submission) throws(CatalogError) -> Submission
    /// Stores what became of a submission.
    func update(_ submission: Submission) throws(CatalogError)
    /// The newest submission that got this task id back.
    func submission(taskId: String) throws(CatalogError) -> Submission?
    func submission(id: Int64) throws(CatalogError) -> Submission
    /// The newest submission that has a task to follow.
    func newestSubmissionWithTask() throws(CatalogError) -> Submission?
    /// Newest first, only those in `state` (a `sending` row counts as `unknown`).
    func submissions(limit: Int?, state: SubmissionState?) throws(CatalogError) -> [Submission]
    /// Every submission, oldest first, with its character's alias: what `export --history` adds.
    func exchangedSubmissions() throws(CatalogError) -> [ExchangedSubmission]

    // The trash
    /// The destructive changes `undo` can take back, newest first.
    func trash() throws(CatalogError) -> [TrashEntry]
    /// Restores change `id` (nil: the newest) and takes it out of the trash.
    func undo(_ id: Int64?) throws(CatalogError) -> RestoredChange
}

/// What follows from the requirements, the same for every store.
extension CatalogStore {
    /// Restores the newest change.
    @discardableResult
    public func undo() throws(CatalogError) -> RestoredChange {
        try undo(nil)
    }

    public func mentionDirectory() throws(CatalogError) -> MentionDirectory {
        try mentionDirectory(names: nil)
    }

    /// Newest first.
    public func submissions(limit: Int? = nil) throws(CatalogError) -> [Submission] {
        try submissions(limit: limit, state: nil)
    }

    @discardableResult
    public func eachCharacter(tag: String? = nil, matching text: String? = nil, _ body: (CameoCharacter) throws -> Void) throws -> [String] {
        try eachCharacter(tag: tag, matching: text, skippingUnreadable: false, body)
    }

    @discardableResult
    public func eachCharacter(skippingUnreadable: Bool, _ body: (CameoCharacter) throws -> Void) throws -> [String] {
        try eachCharacter(tag: nil, matching: nil, skippingUnreadable: skippingUnreadable, body)
    }

    /// Characters ordered by alias, narrowed to a tag and to a text found in
    /// the alias, the notes or a username. A row cameo cannot read fails the
    /// whole listing, naming the row.
    public func characters(tag: String? = nil, matching text: String? = nil) throws(CatalogError) -> [CameoCharacter] {
        var all: [CameoCharacter] = []
        do {
            try eachCharacter(tag: tag, matching: text, skippingUnreadable: false) { all.append($0) }
        } catch let error as CatalogError {
            throw error
        } catch {
            throw .cannotOpen(path: path, detail: "\(error)")
        }
        return all
    }

    /// Every character cameo can read, ordered by alias, and a description of
    /// each row it cannot: what `export` writes while a bad row is repaired.
    public func readableCharacters() throws(CatalogError) -> (characters: [CameoCharacter], unreadable: [String]) {
        var all: [CameoCharacter] = []
        do {
            let unreadable = try eachCharacter(tag: nil, matching: nil, skippingUnreadable: true) { all.append($0) }
            return (all, unreadable)
        } catch let error as CatalogError {
            throw error
        } catch {
            throw .cannotOpen(path: path, detail: "\(error)")
        }
    }

    public func exportDocument() throws(CatalogError) -> CatalogDocument {
        CatalogDocument(characters: try characters().map(CharacterDocument.init))
    }
}

/// Opens the catalog a location names: a `postgres://` (or `postgresql://`)
/// URL is a team's catalog on a PostgreSQL server, anything else an SQLite file.
public enum CatalogStores {
    public static func isServerURL(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
    }

    /// How output may name a location: a server URL never with its password.
    public static func display(_ location: String) -> String {
        isServerURL(location) ? PostgresLocation.redacted(location) : location
    }

    /// True when a server URL spells out a password, which belongs in ~/.pgpass or PGPASSWORD instead.
    public static func carriesPassword(_ location: String) -> Bool {
        isServerURL(location) && URLComponents(string: location)?.password != nil
    }

    /// For commands that change the catalog: created on first use.
    public static func open(_ location: String, environment: [String: String], clock: CatalogClock = .system) throws(CatalogError) -> any CatalogStore {
        isServerURL(location)
            ? try PostgresCatalog.open(url: location, environment: environment, clock: clock)
            : try Catalog.open(at: location, clock: clock)
    }

    /// For commands that change what the catalog already holds (`rm`, `edit`, `undo`…):
    /// one that does not exist yet is not created; it reads as empty.
    public static func openExisting(_ location: String, environment: [String: String],
                                    clock: CatalogClock = .system) throws(CatalogError) -> any CatalogStore {
        if isServerURL(location) { return try PostgresCatalog.open(url: location, environment: environment, forReading: true, clock: clock) }
        return FileManager.default.fileExists(atPath: location) ? try Catalog.open(at: location, clock: clock) : try Catalog.openForReading(at: location)
    }

    /// For commands that only read it: nothing is created or written.
    public static func openForReading(_ location: String, environment: [String: String]) throws(CatalogError) -> any CatalogStore {
        isServerURL(location)
            ? try PostgresCatalog.open(url: location, environment: environment, forReading: true)
            : try Catalog.openForReading(at: location)
    }
}
