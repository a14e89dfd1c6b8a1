import CameoText
import Foundation
import GRDB

/// What kind of change put characters in the trash.
public enum TrashAction: String, Codable, Sendable, CaseIterable {
    /// `cameo rm`.
    case remove = "rm"
    /// `cameo import --on-conflict replace` that replaced characters.
    case importReplace = "import"
    /// `cameo rename`.
    case rename
    /// `cameo edit` of a window, URL or clip.
    case edit
}

/// A change `cameo undo` can take back: the rows of each character as they
/// were before it, kept whole (tags, usernames, links to submissions).
public struct TrashEntry: Sendable, Equatable {
    public var id: Int64
    public var action: TrashAction
    public var createdAt: Timestamp
    public var items: [Item]

    public struct Item: Sendable, Equatable {
        /// The character's row id.
        public var characterId: Int64
        /// Its alias before the change; nil when the change created the row (undo removes it).
        public var alias: String?
        /// How many usernames it had before the change.
        public var usernames: Int
    }

    /// Aliases the change took away or altered, as they were.
    public var aliases: [String] { items.compactMap(\.alias) }
}

/// What `cameo undo` restored.
public struct RestoredChange: Sendable, Equatable {
    public var entry: TrashEntry
    /// Characters the undo put back or reset, by their restored alias.
    public var restored: [String]
    /// Characters the change had added and the undo took away.
    public var removed: [String]
}

extension Catalog {
    /// How many changes the trash keeps; older ones are forgotten.
    public static let trashCapacity = 200

    /// Changes that can be undone, newest first.
    public func trash() throws(CatalogError) -> [TrashEntry] {
        try read { db in try Self.trashEntries(db) }
    }

    /// Restores the change `id` (the newest when nil) and forgets it. A
    /// restore that would clash with what the catalog holds now (an alias or
    /// username taken since) throws `restoreConflict` and changes nothing.
    @discardableResult
    public func undo(_ id: Int64?) throws(CatalogError) -> RestoredChange {
        try write { db in
            let entries = try Self.trashEntries(db)
            let found = id.map { wanted in entries.first { $0.id == wanted } } ?? entries.first
            guard let entry = found else {
                if let id { throw CatalogError.unknownTrashEntry(id) }
                throw CatalogError.nothingToUndo
            }
            let snapshots = try TrashItemRecord.filter(Column("trashId") == entry.id).order(Column("position")).fetchAll(db)
            var restored: [String] = [], removed: [String] = []
            try Self.refuseClashes(snapshots, db)
            // Rows the change created go first: their aliases may be the ones coming back.
            for item in snapshots where item.rows == nil {
                if let alias = try CharacterRecord.alias(id: item.characterId, db) {
                    try db.execute(sql: "DELETE FROM character WHERE id = ?", arguments: [item.characterId])
                    removed.append(alias)
                }
            }
            for item in snapshots {
                guard let snapshot = try item.snapshot() else { continue }
                try snapshot.restore(db)
                restored.append(snapshot.alias)
            }
            try db.execute(sql: "DELETE FROM trash WHERE id = ?", arguments: [entry.id])
            return RestoredChange(entry: entry, restored: restored, removed: removed)
        }
    }

    /// Keeps the rows of these characters, as they are now, in the trash
    /// (inside the transaction of the change that is about to alter them).
    /// Returns the entry's id, or nil when there was nothing to keep.
    @discardableResult
    static func keepInTrash(_ action: TrashAction, characterIds: [Int64], _ db: Database) throws -> Int64? {
        guard !characterIds.isEmpty else { return nil }
        try db.execute(sql: "INSERT INTO trash (action, createdAt) VALUES (?, ?)", arguments: [action, try db.transactionTime])
        let trashId = db.lastInsertedRowID
        var position = 0
        for id in characterIds {
            guard let snapshot = try CharacterSnapshot.take(id: id, db) else { continue }
            try TrashItemRecord(trashId: trashId, position: position, characterId: id, alias: snapshot.alias,
                                usernames: snapshot.identities.count, rows: try snapshot.encoded()).insert(db)
            position += 1
        }
        try db.execute(sql: """
            DELETE FROM trash WHERE id NOT IN (SELECT id FROM trash ORDER BY id DESC LIMIT \(trashCapacity))
            """)
        return trashId
    }

    /// Rows the change of trash entry `trashId` created: undoing it removes them.
    static func noteAddedInTrash(_ trashId: Int64, added: [Int64], _ db: Database) throws {
        var position = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM trashItem WHERE trashId = ?", arguments: [trashId]) ?? 0
        for id in added {
            try TrashItemRecord(trashId: trashId, position: position, characterId: id, alias: nil, usernames: 0, rows: nil).insert(db)
            position += 1
        }
    }

    static func trashEntries(_ db: Database) throws -> [TrashEntry] {
        let rows = try Row.fetchAll(db, sql: "SELECT id, action, createdAt FROM trash ORDER BY id DESC")
        var items: [Int64: [TrashEntry.Item]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT trashId, characterId, alias, usernames FROM trashItem ORDER BY trashId, position") {
            let stored = StoredRow(row) { _ in "a trash item" }
            let trashId: Int64 = try stored.value(0, "trashId")
            items[trashId, default: []].append(TrashEntry.Item(
                characterId: try stored.value(1, "characterId"), alias: try stored.optional(2, "alias"),
                usernames: try stored.value(3, "usernames")))
        }
        return try rows.map { row in
            let stored = StoredRow(row) { _ in "a trash entry" }
            let id: Int64 = try stored.value(0, "id")
            return TrashEntry(id: id, action: try stored.value(1, "action"), createdAt: try stored.value(2, "createdAt"),
                              items: items[id, default: []])
        }
    }

    /// An alias or username a snapshot would bring back that another
    /// character holds now (rows the undo removes do not count).
    static func refuseClashes(_ items: [TrashItemRecord], _ db: Database) throws {
        var clashes: [String] = []
        let leaving = Set(items.filter { $0.rows == nil }.map(\.characterId))
        for item in items {
            guard let snapshot = try item.snapshot() else { continue }
            if let holder = try Row.fetchOne(db, sql: "SELECT id, alias FROM character WHERE aliasKey = ? AND id <> ?",
                                             arguments: [snapshot.aliasKey, item.characterId]),
               !leaving.contains(holder[0]) {
                let alias: String = holder[1]
                clashes.append("alias \(quoted(snapshot.alias)) now belongs to \(quoted(alias))")
            }
            for identity in snapshot.identities {
                guard let key = identity["usernameKey"]?.text else { continue }
                if let owner = try Row.fetchOne(db, sql: """
                    SELECT character.id, character.alias FROM identity JOIN character ON character.id = identity.characterId
                    WHERE identity.usernameKey = ? AND identity.characterId <> ?
                    """, arguments: [key, item.characterId]),
                   !leaving.contains(owner[0]) {
                    let alias: String = owner[1]
                    let username = identity["username"]?.text ?? key
                    clashes.append("username \(quoted(username)) of \(quoted(snapshot.alias)) now belongs to \(quoted(alias))")
                }
            }
        }
        if !clashes.isEmpty { throw CatalogError.restoreConflict(clashes) }
    }
}

/// A row of `trashItem`: one character's rows before a change.
struct TrashItemRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "trashItem"
    var trashId: Int64
    var position: Int
    var characterId: Int64
    var alias: String?
    var usernames: Int
    /// The character's rows as JSON (`CharacterSnapshot`); nil: the change created the row.
    var rows: String?

    func snapshot() throws -> CharacterSnapshot? {
        guard let rows else { return nil }
        do {
            return try JSONDecoder().decode(CharacterSnapshot.self, from: Data(rows.utf8))
        } catch {
            throw UnreadableRow(row: "trash entry #\(trashId)", detail: "its stored rows cannot be read (\(error))")
        }
    }
}

/// A character's rows exactly as SQLite holds them, column by column: a row
/// cameo cannot decode is kept (and restored) as faithfully as any other.
struct CharacterSnapshot: Codable {
    var character: [String: StoredValue]
    var tags: [[String: StoredValue]]
    var identities: [[String: StoredValue]]
    /// Submissions that belonged to the character; a restore links those left unattached back to it.
    var submissionIds: [Int64]

    var alias: String { character["alias"]?.text ?? "" }
    var aliasKey: String { character["aliasKey"]?.text ?? "" }

    static func take(id: Int64, _ db: Database) throws -> CharacterSnapshot? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM character WHERE id = ?", arguments: [id]) else { return nil }
        return CharacterSnapshot(
            character: StoredValue.columns(of: row),
            tags: try Row.fetchAll(db, sql: "SELECT * FROM characterTag WHERE characterId = ?", arguments: [id]).map(StoredValue.columns),
            identities: try Row.fetchAll(db, sql: "SELECT * FROM identity WHERE characterId = ? ORDER BY id", arguments: [id])
                .map(StoredValue.columns),
            submissionIds: try Int64.fetchAll(db, sql: "SELECT id FROM submission WHERE characterId = ? ORDER BY id", arguments: [id]))
    }

    func encoded() throws -> String {
        String(decoding: try CanonicalJSON.encode(self), as: UTF8.self)
    }

    /// Puts the rows back: the character row keeps its id (updated in place
    /// when it still exists, so later submissions stay linked), its tags and
    /// usernames become the snapshot's. Columns a later schema dropped are ignored.
    func restore(_ db: Database) throws {
        guard case .integer(let id)? = character["id"] else {
            throw UnreadableRow(row: "a trash entry", detail: "its character row has no id")
        }
        let exists = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM character WHERE id = ?)", arguments: [id]) ?? false
        let columns = Set(try db.columns(in: "character").map(\.name))
        let values = character.filter { columns.contains($0.key) }.sorted { $0.key < $1.key }
        if exists {
            let assignments = values.filter { $0.key != "id" }
            try db.execute(
                sql: "UPDATE character SET \(assignments.map { "\($0.key.quotedDatabaseIdentifier) = ?" }.joined(separator: ", ")) WHERE id = ?",
                arguments: StatementArguments(assignments.map(\.value.databaseValue) + [id.databaseValue]))
            try db.execute(sql: "DELETE FROM characterTag WHERE characterId = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM identity WHERE characterId = ?", arguments: [id])
        } else {
            try Self.insert(values, into: "character", db)
        }
        for tag in tags { try Self.insert(tag.sorted { $0.key < $1.key }, into: "characterTag", db) }
        let identityColumns = Set(try db.columns(in: "identity").map(\.name))
        for identity in identities {
            try Self.insert(identity.filter { identityColumns.contains($0.key) }.sorted { $0.key < $1.key }, into: "identity", db)
        }
        for submission in submissionIds {
            try db.execute(sql: "UPDATE submission SET characterId = ? WHERE id = ? AND characterId IS NULL", arguments: [id, submission])
        }
    }

    static func insert(_ values: [(key: String, value: StoredValue)], into table: String, _ db: Database) throws {
        let names = values.map(\.key.quotedDatabaseIdentifier).joined(separator: ", ")
        let marks = Array(repeating: "?", count: values.count).joined(separator: ", ")
        try db.execute(sql: "INSERT INTO \(table.quotedDatabaseIdentifier) (\(names)) VALUES (\(marks))",
                       arguments: StatementArguments(values.map(\.value.databaseValue)))
    }
}

/// One SQLite value, kept with its storage class so that it goes back as it came.
enum StoredValue: Codable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)

    init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let v): self = .integer(v)
        case .double(let v): self = .real(v)
        case .string(let v): self = .text(v)
        case .blob(let v): self = .blob(v)
        }
    }

    static func columns(of row: Row) -> [String: StoredValue] {
        var columns: [String: StoredValue] = [:]
        for (name, value) in row { columns[name] = StoredValue(value) }
        return columns
    }

    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .integer(let v): v.databaseValue
        case .real(let v): v.databaseValue
        case .text(let v): v.databaseValue
        case .blob(let v): v.databaseValue
        }
    }

    var text: String? {
        if case .text(let v) = self { v } else { nil }
    }
}
extension TrashAction: DatabaseValueConvertible {}
