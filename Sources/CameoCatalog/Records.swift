import Foundation
import GRDB

/// A row of `character`: what the user registered.
struct CharacterRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "character"
    static let tags = hasMany(TagRecord.self)
    static let identities = hasMany(Identity.self)

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

    public enum Columns {
        public static let aliasKey = Column(CodingKeys.aliasKey)
    }
}

// Rows are read by position from an explicit selection: listing a
// 10,000-character catalog otherwise spends most of its time in Codable
// decoding and column-name lookups. Each value is checked: a row that does
// not hold what cameo wrote fails with its name, never with a trap.
extension CharacterRecord {
    static var databaseSelection: [any SQLSelectable] { [
        Column("id"), Column("alias"), Column("aliasKey"), Column("sourceURL"), Column("windowStartMs"),
        Column("windowEndMs"), Column("notes"), Column("clipPath"), Column("clipSHA256"), Column("clipDuration"),
        Column("clipProbe"), Column("sourceCheck"), Column("createdAt"), Column("updatedAt"),
        Column("sourceDuration"), Column("sourceProbe"), Column("personCheck"),
    ] }

    init(row: Row) throws {
        let stored = StoredRow(row, name: Self.name(of:))
        id = try stored.value(0, "id") as Int64
        alias = try stored.value(1, "alias")
        aliasKey = try stored.value(2, "aliasKey")
        sourceURL = try stored.value(3, "sourceURL")
        windowStartMs = try stored.value(4, "windowStartMs")
        windowEndMs = try stored.value(5, "windowEndMs")
        notes = try stored.value(6, "notes")
        clipPath = try stored.optional(7, "clipPath")
        clipSHA256 = try stored.optional(8, "clipSHA256")
        clipDuration = try stored.optional(9, "clipDuration")
        clipProbe = try stored.optional(10, "clipProbe")
        sourceCheck = try stored.value(11, "sourceCheck")
        createdAt = try stored.value(12, "createdAt")
        updatedAt = try stored.value(13, "updatedAt")
        sourceDuration = try stored.optional(14, "sourceDuration")
        sourceProbe = try stored.optional(15, "sourceProbe")
        personCheck = try stored.optional(16, "personCheck")
    }

    /// `character #17 ("duck")`, from whatever of the row can be read.
    static func name(of row: Row) -> String {
        let id: DatabaseValue = row[0]
        let alias: DatabaseValue = row[1]
        return "character #\(Int64.fromDatabaseValue(id).map(String.init) ?? "?")"
            + (String.fromDatabaseValue(alias).map { " (\(StoredRow.show($0)))" } ?? "")
    }
}

extension TagRecord {
    static var databaseSelection: [any SQLSelectable] { [Column("characterId"), Column("tag")] }

    init(row: Row) throws {
        let stored = StoredRow(row) { row in
            let owner: DatabaseValue = row[0]
            return "a tag of character #\(Int64.fromDatabaseValue(owner).map(String.init) ?? "?")"
        }
        characterId = try stored.value(0, "characterId")
        tag = try stored.value(1, "tag")
    }
}

extension Identity {
    public static var databaseSelection: [any SQLSelectable] { [
        Column("id"), Column("characterId"), Column("username"), Column("usernameKey"), Column("platformCharacterId"),
        Column("displayName"), Column("avatarURL"), Column("origin"), Column("taskId"), Column("provider"),
        Column("state"), Column("createdAt"), Column("updatedAt"), Column("avatarFetchedAt"), Column("permalink"),
    ] }

    public init(row: Row) throws {
        let stored = StoredRow(row) { row in
            let id: DatabaseValue = row[0]
            let owner: DatabaseValue = row[1]
            return "username #\(Int64.fromDatabaseValue(id).map(String.init) ?? "?") of character #\(Int64.fromDatabaseValue(owner).map(String.init) ?? "?")"
        }
        id = try stored.value(0, "id") as Int64
        characterId = try stored.value(1, "characterId")
        username = try stored.value(2, "username")
        usernameKey = try stored.value(3, "usernameKey")
        platformCharacterId = try stored.optional(4, "platformCharacterId")
        displayName = try stored.optional(5, "displayName")
        avatarURL = try stored.optional(6, "avatarURL")
        origin = try stored.value(7, "origin")
        taskId = try stored.optional(8, "taskId")
        provider = try stored.optional(9, "provider")
        state = try stored.value(10, "state")
        createdAt = try stored.value(11, "createdAt")
        updatedAt = try stored.value(12, "updatedAt")
        avatarFetchedAt = row.hasNull(atIndex: 13) ? nil : try stored.value(13, "avatarFetchedAt") as Timestamp
        permalink = try stored.optional(14, "permalink")
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

    func value<T: DatabaseValueConvertible & StatementColumnConvertible>(_ index: Int, _ column: String) throws -> T {
        do {
            return try row.decode(T.self, atIndex: index)
        } catch {
            throw unreadable(index, column)
        }
    }

    func optional<T: DatabaseValueConvertible & StatementColumnConvertible>(_ index: Int, _ column: String) throws -> T? {
        row.hasNull(atIndex: index) ? nil : try value(index, column) as T
    }

    func value(_ index: Int, _ column: String) throws -> Timestamp {
        guard let time = Timestamp(parsing: try value(index, column) as String) else { throw unreadable(index, column) }
        return time
    }

    func value<T: RawRepresentable>(_ index: Int, _ column: String) throws -> T where T.RawValue == String {
        guard let word = T(rawValue: try value(index, column) as String) else { throw unreadable(index, column) }
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

struct TagRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "characterTag"
    var characterId: Int64
    var tag: String
}

/// What is known of the source video itself, apart from any local clip.
public enum SourceCheck: String, Codable, Sendable, DatabaseValueConvertible {
    /// The source URL was opened and probed.
    case probed
    /// The source URL could not be reached when the character was added.
    case unverified
    /// Nobody looked (`--no-probe`, or a local clip stood in for it).
    case notProbed = "not-probed"
}

/// One username the platform gave a character, kept apart from the platform's
/// own character id and display name.
public struct Identity: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "identity"

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

    public enum Origin: String, Codable, Sendable, DatabaseValueConvertible {
        /// Typed in with `resolve`; from a generation task's answer; from `create`.
        case manual, task, created
    }

    public enum State: String, Codable, Sendable, DatabaseValueConvertible {
        case active, superseded, revoked
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    public enum Columns {
        public static let characterId = Column(CodingKeys.characterId)
        public static let usernameKey = Column(CodingKeys.usernameKey)
        public static let state = Column(CodingKeys.state)
    }
}

/// One request sent (or about to be sent) to the provider, and what came back.
/// `state` is what cameo knows about the request itself; `taskStatus` is what
/// the provider says about the task it made, normalised (the word it used is
/// kept in `providerStatus`).
public struct Submission: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "submission"

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

    public init(kind: SubmissionKind = .generation, characterId: Int64?, endpoint: String, provider: String? = nil, requestBody: String,
                state: SubmissionState = .sending, at date: Timestamp = .now) {
        self.kind = kind
        self.characterId = characterId
        self.endpoint = endpoint
        self.provider = provider
        self.requestBody = requestBody
        self.state = state
        self.createdAt = date
        self.updatedAt = self.createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let taskId = Column(CodingKeys.taskId)
        public static let state = Column(CodingKeys.state)
    }
}

extension Submission {
    public static var databaseSelection: [any SQLSelectable] { [
        Column("id"), Column("characterId"), Column("kind"), Column("endpoint"), Column("provider"), Column("requestBody"),
        Column("state"), Column("taskStatus"), Column("providerStatus"), Column("httpStatus"), Column("responseBody"),
        Column("taskId"), Column("error"), Column("downloadPath"), Column("createdAt"), Column("updatedAt"),
    ] }

    /// Checked column by column like the other records, so that a broken row is named, not dumped.
    public init(row: Row) throws {
        let stored = StoredRow(row) { row in
            let id: DatabaseValue = row[0]
            return "submission #\(Int64.fromDatabaseValue(id).map(String.init) ?? "?")"
        }
        id = try stored.value(0, "id") as Int64
        characterId = try stored.optional(1, "characterId")
        kind = try stored.value(2, "kind")
        endpoint = try stored.value(3, "endpoint")
        provider = try stored.optional(4, "provider")
        requestBody = try stored.value(5, "requestBody")
        state = try stored.value(6, "state")
        taskStatus = try stored.optional(7, "taskStatus")
        providerStatus = try stored.optional(8, "providerStatus")
        httpStatus = try stored.optional(9, "httpStatus")
        responseBody = try stored.optional(10, "responseBody")
        taskId = try stored.optional(11, "taskId")
        error = try stored.optional(12, "error")
        downloadPath = try stored.optional(13, "downloadPath")
        createdAt = try stored.value(14, "createdAt")
        updatedAt = try stored.value(15, "updatedAt")
    }
}

/// What cameo knows about a request it sent.
public enum SubmissionState: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
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
public enum SubmissionKind: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
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

/// A probe's findings: the duration, and every fact as the JSON `cameo probe --json` prints.
public struct ProbeFacts: Sendable, Equatable {
    public var duration: Double
    public var json: String

    public init(duration: Double, json: String) {
        self.duration = duration
        self.json = json
    }
}
