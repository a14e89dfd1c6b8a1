import CSQLiteOptions
import CameoMediaFacts
import Foundation
import GRDB

/// A row of `character`: what the user registered.
struct CharacterRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "character"
    static let tags = hasMany(TagRecord.self)
    static let identities = hasMany(IdentityRecord.self)

    var id: Int64?
    var alias: String
    var aliasKey: String
    var sourceURL: String
    var windowStartMs: Int
    var windowEndMs: Int
    var notes: String
    var clipPath: String?
    var clipSHA256: String?
    var clipDuration: Double?
    var clipProbe: String?
    var sourceCheck: SourceCheck
    var createdAt: Timestamp
    var updatedAt: Timestamp
    var sourceDuration: Double?
    var sourceProbe: String?
    var personCheck: String?

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// Every column, in the order reads select them (a test pins the names to `CodingKeys`).
    enum Columns: Int, PositionalColumns {
        case id, alias, aliasKey, sourceURL, windowStartMs, windowEndMs, notes, clipPath, clipSHA256, clipDuration,
             clipProbe, sourceCheck, createdAt, updatedAt, sourceDuration, sourceProbe, personCheck
    }
}

/// A record's columns as an enum whose cases are declared in the order reads
/// select them: a case's raw value is its position in a fetched row, so the
/// selection and the positional decoding cannot drift apart.
///
/// They are `CodingKey`s only for the name: the compiler writes `stringValue`
/// as a switch, where `String(describing:)` asks the runtime which protocols
/// the enum conforms to, and each first question scans every conformance in
/// the binary (about 0.1 ms per record type at every start-up).
protocol PositionalColumns: ColumnExpression, CaseIterable, CodingKey, RawRepresentable<Int> {}

extension PositionalColumns {
    var name: String { stringValue }
    static var selection: [any SQLSelectable] { allCases.map { $0 } }
}

// Rows are read by position from an explicit selection: listing a
// 10,000-character catalog otherwise spends most of its time in Codable
// decoding and column-name lookups. Each value is checked: a row that does
// not hold what cameo wrote fails with its name, never with a trap.
extension CharacterRecord {
    static var databaseSelection: [any SQLSelectable] { Columns.selection }

    init(row: Row) throws {
        let stored = StoredRow(row, name: Self.name(of:))
        id = try stored.value(Columns.id) as Int64
        alias = try stored.value(Columns.alias)
        aliasKey = try stored.value(Columns.aliasKey)
        sourceURL = try stored.value(Columns.sourceURL)
        windowStartMs = try stored.value(Columns.windowStartMs)
        windowEndMs = try stored.value(Columns.windowEndMs)
        notes = try stored.value(Columns.notes)
        clipPath = try stored.optional(Columns.clipPath)
        clipSHA256 = try stored.optional(Columns.clipSHA256)
        clipDuration = try stored.optional(Columns.clipDuration)
        clipProbe = try stored.optional(Columns.clipProbe)
        sourceCheck = try stored.value(Columns.sourceCheck)
        createdAt = try stored.value(Columns.createdAt)
        updatedAt = try stored.value(Columns.updatedAt)
        sourceDuration = try stored.optional(Columns.sourceDuration)
        sourceProbe = try stored.optional(Columns.sourceProbe)
        personCheck = try stored.optional(Columns.personCheck)
    }

    /// `character #17 ("duck")`, from whatever of the row can be read.
    static func name(of row: Row) -> String {
        let id: DatabaseValue = row[Columns.id.rawValue]
        let alias: DatabaseValue = row[Columns.alias.rawValue]
        return "character #\(Int64.fromDatabaseValue(id).map(String.init) ?? "?")"
            + (String.fromDatabaseValue(alias).map { " (\(StoredRow.show($0)))" } ?? "")
    }
}

extension TagRecord {
    static var databaseSelection: [any SQLSelectable] { Columns.selection }

    init(row: Row) throws {
        let stored = StoredRow(row) { row in
            let owner: DatabaseValue = row[Columns.characterId.rawValue]
            return "a tag of character #\(Int64.fromDatabaseValue(owner).map(String.init) ?? "?")"
        }
        characterId = try stored.value(Columns.characterId)
        tag = try stored.value(Columns.tag)
    }
}

extension Identity: RowValue {
    static let databaseTableName = "identity"

    /// Every column, in the order reads select them (a test pins the names to `CodingKeys`).
    enum Columns: Int, PositionalColumns {
        case id, characterId, username, usernameKey, platformCharacterId, displayName, avatarURL, origin, taskId,
             provider, state, createdAt, updatedAt, avatarFetchedAt, permalink
    }

    init(row: Row) throws {
        let stored = StoredRow(row) { row in
            let id: DatabaseValue = row[Columns.id.rawValue]
            let owner: DatabaseValue = row[Columns.characterId.rawValue]
            return "username #\(Int64.fromDatabaseValue(id).map(String.init) ?? "?") of character #\(Int64.fromDatabaseValue(owner).map(String.init) ?? "?")"
        }
        self.init(
            characterId: try stored.value(Columns.characterId), username: try stored.value(Columns.username),
            usernameKey: try stored.value(Columns.usernameKey), platformCharacterId: try stored.optional(Columns.platformCharacterId),
            displayName: try stored.optional(Columns.displayName), avatarURL: try stored.optional(Columns.avatarURL),
            avatarFetchedAt: try stored.optional(Columns.avatarFetchedAt), permalink: try stored.optional(Columns.permalink),
            origin: try stored.value(Columns.origin), taskId: try stored.optional(Columns.taskId), provider: try stored.optional(Columns.provider),
            state: try stored.value(Columns.state), createdAt: try stored.value(Columns.createdAt), updatedAt: try stored.value(Columns.updatedAt))
        id = try stored.value(Columns.id) as Int64
    }
}

/// A stored row that does not hold what cameo writes (edited by hand, or
/// written by a broken program): which row, and what is wrong with it.
struct UnreadableRow: Error {
    var row: String
    var detail: String
}

/// Reads a row's columns by position, each checked. Text and numbers are read
/// straight from SQLite's statement; times and words are parsed from text.
struct StoredRow {
    let row: Row
    /// Names the row in an error (only computed for one).
    let name: (Row) -> String

    init(_ row: Row, name: @escaping (Row) -> String) {
        self.row = row
        self.name = name
    }

    func value<T: DatabaseValueConvertible & StatementColumnConvertible>(_ column: some PositionalColumns) throws -> T {
        try value(column.rawValue, column.name)
    }

    func optional<T: DatabaseValueConvertible & StatementColumnConvertible>(_ column: some PositionalColumns) throws -> T? {
        try optional(column.rawValue, column.name)
    }

    func value(_ column: some PositionalColumns) throws -> Timestamp {
        try value(column.rawValue, column.name)
    }

    func optional(_ column: some PositionalColumns) throws -> Timestamp? {
        row.hasNull(atIndex: column.rawValue) ? nil : try value(column.rawValue, column.name) as Timestamp
    }

    func value<T: RawRepresentable>(_ column: some PositionalColumns) throws -> T where T.RawValue == String {
        try value(column.rawValue, column.name)
    }

    func value<T: DatabaseValueConvertible & StatementColumnConvertible>(_ index: Int, _ column: @autoclosure () -> String) throws -> T {
        do {
            return try row.decode(StorageChecked<T>.self, atIndex: index).value
        } catch {
            throw unreadable(index, column())
        }
    }

    func optional<T: DatabaseValueConvertible & StatementColumnConvertible>(_ index: Int, _ column: @autoclosure () -> String) throws -> T? {
        row.hasNull(atIndex: index) ? nil : try value(index, column()) as T
    }

    func value(_ index: Int, _ column: @autoclosure () -> String) throws -> Timestamp {
        do {
            return try row.decode(StoredTime.self, atIndex: index).time
        } catch {
            throw unreadable(index, column())
        }
    }

    func value<T: RawRepresentable>(_ index: Int, _ column: @autoclosure () -> String) throws -> T where T.RawValue == String {
        guard let word = T(rawValue: try value(index, column()) as String) else { throw unreadable(index, column()) }
        return word
    }

    func unreadable(_ index: Int, _ column: String) -> UnreadableRow {
        let stored: DatabaseValue = row[index]
        return UnreadableRow(row: name(row), detail: "\(column) holds \(Self.describe(stored)), which cameo cannot read")
    }

    static func describe(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .null: "NULL"
        case .int64(let number): "\(number)"
        case .double(let number): "\(number)"
        case .string(let text): show(text)
        case .blob(let data): "a blob of \(data.count) bytes"
        }
    }

    /// Stored text, quoted and cut short like any value in a message (what
    /// reaches the terminal is escaped where cameo prints).
    static func show(_ text: String) -> String {
        quoted(text)
    }
}

/// A column's value, read only when SQLite holds it as what cameo writes for
/// its type: text for a string, an integer for a number of them, a number for
/// a double. SQLite would otherwise convert anything: a blob read as a string
/// (a file edited by hand) would come back as its bytes or as empty text, and
/// text read as an integer as 0.
struct StorageChecked<Value: DatabaseValueConvertible & StatementColumnConvertible>: DatabaseValueConvertible, StatementColumnConvertible {
    var value: Value

    /// SQLite's storage classes, as `sqlite3_column_type` numbers them.
    enum StorageClass: CInt {
        case integer = 1, real = 2, text = 3, blob = 4, null = 5
    }

    static func accepts(_ storage: StorageClass) -> Bool {
        switch storage {
        case .text: Value.self == String.self
        case .integer: Value.self != String.self
        case .real: Value.self == Double.self
        case .blob, .null: false
        }
    }

    init?(sqliteStatement: SQLiteStatement, index: CInt) {
        // A NULL is never accepted, so the value is read without looking again.
        guard let storage = StorageClass(rawValue: cameo_sqlite_column_type(UnsafeMutableRawPointer(sqliteStatement), index)),
              Self.accepts(storage), let value = Value(sqliteStatement: sqliteStatement, index: index) else { return nil }
        self.value = value
    }

    init(value: Value) {
        self.value = value
    }

    var databaseValue: DatabaseValue { value.databaseValue }

    static func fromDatabaseValue(_ dbValue: DatabaseValue) -> Self? {
        let storage: StorageClass = switch dbValue.storage {
        case .null: .null
        case .int64: .integer
        case .double: .real
        case .string: .text
        case .blob: .blob
        }
        guard accepts(storage), let value = Value.fromDatabaseValue(dbValue) else { return nil }
        return Self(value: value)
    }
}

/// A time column, parsed from SQLite's text in place: a listing reads four
/// per character, and making each a `String` first cost more than parsing it.
/// Only text is accepted, as `StorageChecked` accepts it for a string.
struct StoredTime: DatabaseValueConvertible, StatementColumnConvertible {
    var time: Timestamp

    init?(sqliteStatement: SQLiteStatement, index: CInt) {
        let statement = UnsafeMutableRawPointer(sqliteStatement)
        guard cameo_sqlite_column_type(statement, index) == StorageChecked<String>.StorageClass.text.rawValue else { return nil }
        var length: CInt = 0
        guard let text = cameo_sqlite_column_text(statement, index, &length),
              let milliseconds = Timestamp.milliseconds(parsing: UnsafeBufferPointer(start: text, count: Int(length)))
        else { return nil }
        time = Timestamp(millisecondsSince1970: milliseconds)
    }

    init(time: Timestamp) {
        self.time = time
    }

    var databaseValue: DatabaseValue { time.databaseValue }

    static func fromDatabaseValue(_ dbValue: DatabaseValue) -> StoredTime? {
        guard case .string(let text) = dbValue.storage, let time = Timestamp(parsing: text) else { return nil }
        return StoredTime(time: time)
    }
}

struct TagRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "characterTag"
    var characterId: Int64
    var tag: String

    enum Columns: Int, PositionalColumns {
        case characterId, tag
    }
}

/// What is known of the source video itself, apart from any local clip.
public enum SourceCheck: String, Codable, Sendable {
    /// The source URL was opened and probed.
    case probed
    /// The source URL could not be reached when the character was added.
    case unverified
    /// Nobody looked (`--no-probe`, or a local clip stood in for it).
    case notProbed = "not-probed"
}

/// One username the platform gave a character, kept apart from the platform's
/// own character id and display name.
public struct Identity: Codable, Sendable, Equatable {
    public var id: Int64?
    public var characterId: Int64
    public var username: String
    var usernameKey: String
    public var platformCharacterId: String?
    public var displayName: String?
    public var avatarURL: String?
    /// When the provider gave `avatarURL`: such URLs are signed and expire.
    public var avatarFetchedAt: Timestamp?
    /// The character's page at the provider, when `create` was told it.
    public var permalink: String?
    public var origin: Origin
    /// The generation task whose answer named this username, when `origin` is `.task`.
    public var taskId: String?
    /// The provider's base URL this username belongs to, when known.
    public var provider: String?
    public var state: State
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public enum Origin: String, Codable, Sendable {
        /// Typed in with `resolve`; from a generation task's answer; from `create`.
        case manual, task, created
    }

    public enum State: String, Codable, Sendable {
        case active, superseded, revoked
    }
}

/// How a value the catalog keeps one row of is stored: the GRDB record stays
/// inside the catalog, so commands see only the value. The value's coding
/// keys are the column names; its `Columns` are what reads select.
protocol RowValue: Codable, Sendable {
    associatedtype Columns: PositionalColumns
    static var databaseTableName: String { get }
    var id: Int64? { get set }
    /// Reads a row selected by `Columns`, each column checked.
    init(row: Row) throws
}

struct StoredRecord<Value: RowValue>: Encodable, FetchableRecord, MutablePersistableRecord {
    typealias Columns = Value.Columns
    static var databaseTableName: String { Value.databaseTableName }
    static var databaseSelection: [any SQLSelectable] { Columns.selection }
    var value: Value

    init(_ value: Value) {
        self.value = value
    }

    init(row: Row) throws {
        value = try Value(row: row)
    }

    func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        value.id = inserted.rowID
    }
}

typealias IdentityRecord = StoredRecord<Identity>
typealias SubmissionRecord = StoredRecord<Submission>

/// One request sent (or about to be sent) to the provider, and what came back.
/// `state` is what cameo knows about the request itself; `taskStatus` is what
/// the provider says about the task it made, normalised (the word it used is
/// kept in `providerStatus`).
public struct Submission: Codable, Sendable, Equatable {
    public var id: Int64?
    public var characterId: Int64?
    public var kind: SubmissionKind
    public var endpoint: String
    /// The provider profile it went to.
    public var provider: String?
    public var requestBody: String
    public var state: SubmissionState
    public var taskStatus: String?
    public var providerStatus: String?
    public var httpStatus: Int?
    public var responseBody: String?
    public var taskId: String?
    public var error: String?
    /// Where `--download` put the finished video.
    public var downloadPath: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    /// A submission to record; `CatalogStore.record` stamps both its times.
    public init(kind: SubmissionKind = .generation, characterId: Int64?, endpoint: String, provider: String? = nil, requestBody: String,
                state: SubmissionState = .sending) {
        self.init(kind: kind, characterId: characterId, endpoint: endpoint, provider: provider, requestBody: requestBody, state: state, at: .now)
    }

    /// One read back or imported, with the time it was made.
    init(kind: SubmissionKind, characterId: Int64?, endpoint: String, provider: String?, requestBody: String,
         state: SubmissionState, at date: Timestamp) {
        self.kind = kind
        self.characterId = characterId
        self.endpoint = endpoint
        self.provider = provider
        self.requestBody = requestBody
        self.state = state
        self.createdAt = date
        self.updatedAt = self.createdAt
    }
}

extension Submission: RowValue {
    static let databaseTableName = "submission"

    /// Every column, in the order reads select them (a test pins the names to `CodingKeys`).
    enum Columns: Int, PositionalColumns {
        case id, characterId, kind, endpoint, provider, requestBody, state, taskStatus, providerStatus, httpStatus,
             responseBody, taskId, error, downloadPath, createdAt, updatedAt
    }

    /// Checked column by column like the other records, so that a broken row is named, not dumped.
    init(row: Row) throws {
        let stored = StoredRow(row) { row in
            let id: DatabaseValue = row[Columns.id.rawValue]
            return "submission #\(Int64.fromDatabaseValue(id).map(String.init) ?? "?")"
        }
        self.init(kind: try stored.value(Columns.kind), characterId: try stored.optional(Columns.characterId),
                  endpoint: try stored.value(Columns.endpoint), provider: try stored.optional(Columns.provider),
                  requestBody: try stored.value(Columns.requestBody), state: try stored.value(Columns.state),
                  at: try stored.value(Columns.createdAt))
        id = try stored.value(Columns.id) as Int64
        taskStatus = try stored.optional(Columns.taskStatus)
        providerStatus = try stored.optional(Columns.providerStatus)
        httpStatus = try stored.optional(Columns.httpStatus)
        responseBody = try stored.optional(Columns.responseBody)
        taskId = try stored.optional(Columns.taskId)
        error = try stored.optional(Columns.error)
        downloadPath = try stored.optional(Columns.downloadPath)
        updatedAt = try stored.value(Columns.updatedAt)
    }
}

/// What cameo knows about a request it sent.
public enum SubmissionState: String, Codable, Sendable, CaseIterable {
    /// Recorded before sending; a row still here after the process ended was interrupted.
    case sending
    /// The provider accepted it and gave a task id.
    case submitted
    /// Nothing left this machine: no task exists, sending again is safe.
    case notSent = "not-sent"
    /// The request went out but no answer came back: a task may exist.
    case unknown
    /// The provider answered with an error.
    case failed
}

/// What a submission asked for.
public enum SubmissionKind: String, Codable, Sendable, CaseIterable {
    case generation, character
}

/// A character with its tags and platform identities, as commands show it.
public struct CameoCharacter: Sendable, Equatable {
    public var id: Int64
    public var alias: String
    public var sourceURL: String
    public var window: CharacterWindow
    public var notes: String
    public var tags: [String]
    public var clip: Clip?
    public var sourceCheck: SourceCheck
    /// What probing the source URL found, when it was probed.
    public var sourceFacts: ProbeFacts?
    /// What the person check saw in the window (JSON), when it ran.
    public var personCheck: String?
    /// The stored person check, read through the media module's type (nil
    /// when it did not run, or the stored text is not one).
    public var personCheckResult: PersonCheckResult? {
        personCheck.flatMap(PersonCheckResult.init(json:))
    }
    /// Oldest first.
    public var identities: [Identity]
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    /// The username prompts resolve to, if the character has one.
    public var activeIdentity: Identity? {
        identities.first { $0.state == .active }
    }

    /// The duration of the video the window applies to, from the local clip
    /// or else the source URL, when either was probed.
    public var mediaDuration: Double? {
        clip?.duration ?? sourceFacts?.duration
    }

    /// A local copy of the source video and what probing it found.
    public struct Clip: Sendable, Equatable {
        public var path: String
        public var sha256: String?
        public var duration: Double?
        /// The probe's facts as JSON, exactly as `cameo probe --json` printed them.
        public var probeJSON: String?

        public init(path: String, sha256: String?, duration: Double?, probeJSON: String?) {
            self.path = path
            self.sha256 = sha256
            self.duration = duration
            self.probeJSON = probeJSON
        }
    }
}

// The requests the catalog makes in more than one place, each written once.

extension DerivableRequest<CharacterRecord> {
    /// The character whose alias has this key (as `NameKey.of` makes it).
    func filter(aliasKey key: String) -> Self {
        filter(CharacterRecord.Columns.aliasKey == key)
    }
}

extension DerivableRequest<IdentityRecord> {
    /// The identity whose username has this key (as `NameKey.of` makes it).
    func filter(usernameKey key: String) -> Self {
        filter(IdentityRecord.Columns.usernameKey == key)
    }
}

extension DerivableRequest<SubmissionRecord> {
    func newestFirst() -> Self {
        order(SubmissionRecord.Columns.id.desc)
    }
}

// Stored as their words; kept out of the types' declarations so the values
// read as plain Swift to the modules that use them.
extension SourceCheck: DatabaseValueConvertible {}
extension Identity.Origin: DatabaseValueConvertible {}
extension Identity.State: DatabaseValueConvertible {}
extension SubmissionState: DatabaseValueConvertible {}
extension SubmissionKind: DatabaseValueConvertible {}

extension CharacterRecord {
    static func aliasTaken(_ key: String, _ db: Database) throws -> Bool {
        try !all().filter(aliasKey: key).isEmpty(db)
    }

    /// The row id of the character whose alias has this key, read without decoding the row.
    static func id(aliasKey key: String, _ db: Database) throws -> Int64? {
        try all().filter(aliasKey: key).select(Columns.id, as: Int64.self).fetchOne(db)
    }

    /// The alias of the character with this row id, read without decoding the row.
    static func alias(id: Int64, _ db: Database) throws -> String? {
        try filter(key: id).select(Columns.alias, as: String.self).fetchOne(db)
    }
}
