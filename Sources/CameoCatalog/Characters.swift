import CameoMediaFacts
import CameoText
import Foundation
import GRDB

/// What `cameo add` registers.
public struct NewCharacter: Sendable {
    public var alias: Alias
    public var sourceURL: SourceURL
    public var window: CharacterWindow
    public var notes: String
    public var tags: [Tag]
    public var clip: CameoCharacter.Clip?
    public var sourceCheck: SourceCheck
    public var sourceFacts: ProbeFacts?
    /// What the person check saw in the window (JSON), when it ran.
    public var personCheck: String?

    public init(alias: Alias, sourceURL: SourceURL, window: CharacterWindow, notes: String = "",
                tags: [Tag] = [], clip: CameoCharacter.Clip? = nil, sourceCheck: SourceCheck = .notProbed,
                sourceFacts: ProbeFacts? = nil, personCheck: String? = nil) {
        self.personCheck = personCheck
        self.sourceFacts = sourceFacts
        self.alias = alias
        self.sourceURL = sourceURL
        self.window = window
        self.notes = notes
        self.tags = tags
        self.clip = clip
        self.sourceCheck = sourceCheck
    }
}

/// What `cameo edit` changes; nil leaves a field as it is.
public struct CharacterChange: Sendable {
    public var sourceURL: SourceURL?
    public var window: CharacterWindow?
    public var notes: String?
    public var addTags: [Tag] = []
    public var removeTags: [Tag] = []
    public var clip: CameoCharacter.Clip?
    /// With a new source URL: what probing it found (none when it was not probed).
    public var sourceCheck: SourceCheck?
    public var sourceFacts: ProbeFacts?
    /// With a new window or clip: the person check of what is now the window
    /// (`.some(nil)` when it did not run). Nil leaves the stored check as it is.
    public var personCheck: String??

    public init(sourceURL: SourceURL? = nil, window: CharacterWindow? = nil, notes: String? = nil,
                addTags: [Tag] = [], removeTags: [Tag] = [], clip: CameoCharacter.Clip? = nil,
                sourceCheck: SourceCheck? = nil, sourceFacts: ProbeFacts? = nil) {
        self.sourceFacts = sourceFacts
        self.sourceURL = sourceURL
        self.window = window
        self.notes = notes
        self.addTags = addTags
        self.removeTags = removeTags
        self.clip = clip
        self.sourceCheck = sourceCheck
    }
}

extension Catalog {
    @discardableResult
    public func add(_ new: NewCharacter) throws(CatalogError) -> CameoCharacter {
        try write { db in
            let date = try db.transactionTime
            if try CharacterRecord.aliasTaken(new.alias.key, db) {
                throw CatalogError.duplicateAlias(new.alias.text)
            }
            let id = try Self.insert(new, createdAt: date, updatedAt: date, db)
            return try Self.fetchCharacter(id: id, db)
        }
    }

    static func record(_ new: NewCharacter, createdAt: Timestamp, updatedAt: Timestamp) -> CharacterRecord {
        CharacterRecord(
            alias: new.alias.text, aliasKey: new.alias.key, sourceURL: new.sourceURL.text,
            windowStartMs: new.window.startMilliseconds, windowEndMs: new.window.endMilliseconds,
            notes: new.notes, clipPath: new.clip?.path, clipSHA256: new.clip?.sha256,
            clipDuration: new.clip?.duration, clipProbe: new.clip?.probeJSON,
            sourceCheck: new.sourceCheck, createdAt: createdAt, updatedAt: updatedAt,
            sourceDuration: new.sourceFacts?.duration, sourceProbe: new.sourceFacts?.json,
            personCheck: new.personCheck)
    }

    /// Writes `new` over the character with row id `id`, tags and usernames
    /// dropped: the row keeps its id, so submissions stay linked to it.
    static func overwrite(id: Int64, with new: NewCharacter, createdAt: Timestamp, updatedAt: Timestamp, _ db: Database) throws {
        var record = record(new, createdAt: createdAt, updatedAt: updatedAt)
        record.id = id
        try db.execute(sql: "DELETE FROM characterTag WHERE characterId = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM identity WHERE characterId = ?", arguments: [id])
        try record.update(db)
        for tag in Set(new.tags) {
            try TagRecord(characterId: id, tag: tag.text).insert(db)
        }
    }

    /// Inserts the character and its tags, and returns its row id.
    static func insert(_ new: NewCharacter, createdAt: Timestamp, updatedAt: Timestamp, _ db: Database) throws -> Int64 {
        var record = record(new, createdAt: createdAt, updatedAt: updatedAt)
        do {
            try record.insert(db)
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw CatalogError.duplicateAlias(new.alias.text)
        }
        let id = db.lastInsertedRowID
        for tag in Set(new.tags) {
            try TagRecord(characterId: id, tag: tag.text).insert(db)
        }
        return id
    }

    /// Fails early, before slow work, when the alias is taken. (`add` checks again in its transaction.)
    public func requireUnusedAlias(_ alias: Alias) throws(CatalogError) {
        let taken = try read { db in
            try CharacterRecord.aliasTaken(alias.key, db)
        }
        if taken { throw .duplicateAlias(alias.text) }
    }

    /// The character whose alias is `alias` (any case, any normalization).
    public func character(named alias: String) throws(CatalogError) -> CameoCharacter {
        try read { db in try Self.requireCharacter(named: alias, db) }
    }

    /// The character with this row id (a submission's), or nil when it was removed.
    public func character(id: Int64) throws(CatalogError) -> CameoCharacter? {
        try read { db in
            try CharacterRecord.fetchOne(db, sql: RowSQL.character + " WHERE id = ?", arguments: [id]).map { try Self.assemble($0, db) }
        }
    }

    /// Hands `body` each character in alias order as it is read, without
    /// holding them all: `list --json` and `export` write each one out and
    /// forget it. Narrowed like `characters(tag:matching:)`. A row cameo
    /// cannot read throws (a `CatalogError` naming it), or with
    /// `skippingUnreadable` is passed over and described in the result.
    /// Errors thrown by `body` come out as they are.
    @discardableResult
    public func eachCharacter(tag: String?, matching text: String?, skippingUnreadable: Bool,
                              _ body: (CameoCharacter) throws -> Void) throws -> [String] {
        let tagKey = try tag.map { raw throws(CatalogError) in try Tag(raw).text }
        let needle = text.flatMap { $0.isEmpty ? nil : NameKey.of($0) }
        var failure: (any Error)?
        let unreadable = try read { db -> [String] in
            var unreadable: [String] = []
            var sql = RowSQL.character
            if tagKey != nil { sql += " WHERE id IN (SELECT characterId FROM characterTag WHERE tag = ?)" }
            let parts = try Self.parts(ids: nil, db, unreadable: &unreadable, strict: !skippingUnreadable)
            let rows = try Row.fetchCursor(db, sql: sql + " ORDER BY aliasKey", arguments: StatementArguments(tagKey.map { [$0] } ?? []))
            while let row = try rows.next() {
                let character: CameoCharacter
                do {
                    character = try Self.character(try CharacterRecord(row: row), parts)
                } catch let error as UnreadableRow where skippingUnreadable {
                    unreadable.append("\(error.row): \(error.detail)")
                    continue
                }
                if let needle, !Self.character(character, contains: needle) { continue }
                do {
                    try body(character)
                } catch {
                    failure = error
                    break
                }
            }
            return unreadable
        }
        if let failure { throw failure }
        return unreadable
    }

    static func character(_ character: CameoCharacter, contains needle: String) -> Bool {
        NameKey.of(character.alias).contains(needle)
            || NameKey.of(character.notes).contains(needle)
            || character.identities.contains { $0.usernameKey.contains(needle) }
    }

    @discardableResult
    public func update(_ alias: String, _ change: CharacterChange) throws(CatalogError) -> CameoCharacter {
        try write { db in
            let date = try db.transactionTime
            let current = try Self.requireCharacter(named: alias, db)
            guard var record = try CharacterRecord.fetchOne(db, key: current.id) else {
                throw CatalogError.unknownAlias(alias, suggestion: nil)
            }
            if change.sourceURL != nil || change.window != nil || change.clip != nil {
                try Self.keepInTrash(.edit, characterIds: [current.id], db)
            }
            if let url = change.sourceURL {
                // Facts about the old address say nothing about the new one.
                record.sourceURL = url.text
                record.sourceCheck = change.sourceCheck ?? .notProbed
                record.sourceDuration = change.sourceFacts?.duration
                record.sourceProbe = change.sourceFacts?.json
            }
            if let window = change.window {
                record.windowStartMs = window.startMilliseconds
                record.windowEndMs = window.endMilliseconds
            }
            if let notes = change.notes { record.notes = notes }
            if let clip = change.clip {
                record.clipPath = clip.path
                record.clipSHA256 = clip.sha256
                record.clipDuration = clip.duration
                record.clipProbe = clip.probeJSON
            }
            if let check = change.personCheck {
                record.personCheck = check
            } else if change.window != nil || change.clip != nil {
                // A check of another window says nothing about this one.
                record.personCheck = nil
            }
            record.updatedAt = date
            try record.update(db)
            for tag in change.removeTags {
                try TagRecord.deleteOne(db, key: ["characterId": current.id, "tag": tag.text])
            }
            for tag in Set(change.addTags) {
                try TagRecord(characterId: current.id, tag: tag.text).insert(db, onConflict: .ignore)
            }
            return try Self.fetchCharacter(id: current.id, db)
        }
    }

    @discardableResult
    public func rename(_ alias: String, to newAlias: Alias) throws(CatalogError) -> CameoCharacter {
        try write { db in
            let date = try db.transactionTime
            let current = try Self.requireCharacter(named: alias, db)
            if NameKey.of(alias) != newAlias.key,
               try CharacterRecord.aliasTaken(newAlias.key, db) {
                throw CatalogError.duplicateAlias(newAlias.text)
            }
            try Self.keepInTrash(.rename, characterIds: [current.id], db)
            try db.execute(
                sql: "UPDATE character SET alias = ?, aliasKey = ?, updatedAt = ? WHERE id = ?",
                arguments: [newAlias.text, newAlias.key, date, current.id])
            return try Self.fetchCharacter(id: current.id, db)
        }
    }

    /// What removing a character takes away, read without decoding the rest
    /// of its row, so that a row cameo cannot read can still be removed.
    public func removal(of alias: String) throws(CatalogError) -> (alias: String, usernames: Int) {
        try read { db in
            let found = try Row.fetchOne(db, sql: """
                SELECT alias, (SELECT COUNT(*) FROM identity WHERE characterId = character.id) AS usernames
                FROM character WHERE aliasKey = ?
                """, arguments: [NameKey.of(alias)])
            guard let found else {
                throw CatalogError.unknownAlias(alias, suggestion: try Self.suggestion(for: alias, db))
            }
            let storedAlias: DatabaseValue = found[0]
            let usernames: DatabaseValue = found[1]
            return (String.fromDatabaseValue(storedAlias) ?? alias, Int.fromDatabaseValue(usernames) ?? 0)
        }
    }

    /// Deletes a character with its tags and identities; its submissions stay, unattached.
    public func remove(_ alias: String) throws(CatalogError) {
        try write { db in
            if let id = try CharacterRecord.id(aliasKey: NameKey.of(alias), db) {
                try Self.keepInTrash(.remove, characterIds: [id], db)
            }
            try db.execute(sql: "DELETE FROM character WHERE aliasKey = ?", arguments: [NameKey.of(alias)])
            if db.changesCount == 0 {
                throw CatalogError.unknownAlias(alias, suggestion: try Self.suggestion(for: alias, db))
            }
        }
    }

    // MARK: - Reading rows into characters

    static func requireCharacter(named alias: String, _ db: Database) throws -> CameoCharacter {
        let key = NameKey.of(alias)
        guard let record = try CharacterRecord.fetchOne(db, sql: RowSQL.character + " WHERE aliasKey = ?", arguments: [key]) else {
            throw CatalogError.unknownAlias(alias, suggestion: try suggestion(for: alias, db))
        }
        return try assemble(record, db)
    }

    static func suggestion(for alias: String, _ db: Database) throws -> String? {
        ClosestName.find(alias, among: try aliases(near: alias, db))
    }

    static func fetchCharacter(id: Int64, _ db: Database) throws -> CameoCharacter {
        guard let record = try CharacterRecord.fetchOne(db, sql: RowSQL.character + " WHERE id = ?", arguments: [id]) else {
            throw CatalogError.unknownAlias("#\(id)", suggestion: nil)
        }
        return try assemble(record, db)
    }

    /// Joins a record with its own tags and identities. Any row of them cameo
    /// cannot read throws, naming it.
    static func assemble(_ record: CharacterRecord, _ db: Database) throws -> CameoCharacter {
        guard let id = record.id else { throw UnreadableRow(row: "a character row", detail: "it has no id") }
        var unreadable: [String] = []
        return try character(record, try parts(ids: [id], db, unreadable: &unreadable, strict: true))
    }

    struct Parts {
        var tags: [Int64: [String]] = [:]
        var identities: [Int64: [Identity]] = [:]
        /// Characters one of whose tag or identity rows cannot be read.
        var broken: [Int64: UnreadableRow] = [:]
    }

    /// The tags and identities of the characters with these row ids (nil:
    /// all of them). With `strict`, the first unreadable row throws;
    /// otherwise it marks its character broken (or, when even its owner
    /// cannot be read, is listed in `unreadable`).
    static func parts(ids: [Int64]?, _ db: Database, unreadable: inout [String], strict: Bool = false) throws -> Parts {
        var parts = Parts()
        func collect<R>(_ sql: String, owner: (Row) -> Int64?, _ add: (R) -> Void) throws where R: FetchableRecord {
            let rows = try Row.fetchCursor(db, sql: sql)
            while let row = try rows.next() {
                do {
                    add(try R(row: row))
                } catch let error as UnreadableRow where !strict {
                    if let id = owner(row) { parts.broken[id] = error } else { unreadable.append("\(error.row): \(error.detail)") }
                }
            }
        }
        func owner(_ column: some PositionalColumns) -> (Row) -> Int64? {
            { row in
                let value: DatabaseValue = row[column.rawValue]
                return Int64.fromDatabaseValue(value)
            }
        }
        // In primary-key order: a covering index scan, each character's tags sorted.
        let only = ids.map { RowSQL.whereIn("characterId", $0) } ?? ""
        try collect(RowSQL.tag + only + " ORDER BY characterId, tag", owner: owner(TagRecord.Columns.characterId)) { (tag: TagRecord) in
            parts.tags[tag.characterId, default: []].append(tag.tag)
        }
        try collect(RowSQL.identity + only + " ORDER BY createdAt, id", owner: owner(IdentityRecord.Columns.characterId)) { (record: IdentityRecord) in
            parts.identities[record.value.characterId, default: []].append(record.value)
        }
        return parts
    }

    static func character(_ record: CharacterRecord, _ parts: Parts) throws -> CameoCharacter {
        guard let id = record.id else { throw UnreadableRow(row: "a character row", detail: "it has no id") }
        func name() -> String { "character #\(id) (\(StoredRow.show(record.alias)))" }
        // Almost always empty: a listing of 10,000 characters skips as many lookups.
        if !parts.broken.isEmpty, let broken = parts.broken[id] {
            throw UnreadableRow(row: name(), detail: "\(broken.row): \(broken.detail)")
        }
        let window: CharacterWindow
        do {
            window = try CharacterWindow(startMilliseconds: record.windowStartMs, endMilliseconds: record.windowEndMs)
        } catch {
            throw UnreadableRow(row: name(), detail: "its stored window is unusable: \(error.description)")
        }
        return CameoCharacter(
            id: id, alias: record.alias, sourceURL: record.sourceURL, window: window, notes: record.notes,
            tags: parts.tags[id, default: []],
            clip: record.clipPath.map {
                CameoCharacter.Clip(path: $0, sha256: record.clipSHA256, duration: record.clipDuration, probeJSON: record.clipProbe)
            },
            sourceCheck: record.sourceCheck,
            sourceFacts: record.sourceDuration.flatMap { duration in
                record.sourceProbe.map { ProbeFacts(duration: duration, json: $0) }
            },
                personCheck: record.personCheck,
            identities: parts.identities[id, default: []],
            createdAt: record.createdAt, updatedAt: record.updatedAt)
    }
}
