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
    public func add(_ new: NewCharacter, at date: Timestamp = .now) throws(CatalogError) -> CameoCharacter {
        try write { db in
            if try CharacterRecord.filter(CharacterRecord.Columns.aliasKey == new.alias.key).fetchCount(db) > 0 {
                throw CatalogError.duplicateAlias(new.alias.text)
            }
            let id = try Self.insert(new, createdAt: date, updatedAt: date, db)
            return try Self.fetchCharacter(id: id, db)
        }
    }

    /// Inserts the character and its tags, and returns its row id.
    static func insert(_ new: NewCharacter, createdAt: Timestamp, updatedAt: Timestamp, _ db: Database) throws -> Int64 {
        var record = CharacterRecord(
            alias: new.alias.text, aliasKey: new.alias.key, sourceURL: new.sourceURL.text,
            windowStartMs: new.window.startMilliseconds, windowEndMs: new.window.endMilliseconds,
            notes: new.notes, clipPath: new.clip?.path, clipSHA256: new.clip?.sha256,
            clipDuration: new.clip?.duration, clipProbe: new.clip?.probeJSON,
            sourceCheck: new.sourceCheck, createdAt: createdAt, updatedAt: updatedAt,
            sourceDuration: new.sourceFacts?.duration, sourceProbe: new.sourceFacts?.json,
            personCheck: new.personCheck)
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
            try CharacterRecord.filter(CharacterRecord.Columns.aliasKey == alias.key).fetchCount(db) > 0
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
            try CharacterRecord.fetchOne(db, key: id).flatMap { try Self.assemble([$0], db).first }
        }
    }

    /// Characters ordered by alias, narrowed to a tag and to a text found in
    /// the alias, the notes or a username.
    public func characters(tag: String? = nil, matching text: String? = nil) throws(CatalogError) -> [CameoCharacter] {
        let tagKey = try tag.map { raw throws(CatalogError) in try Tag(raw).text }
        let all = try read { db -> [CameoCharacter] in
            var request = CharacterRecord.all()
            if let tagKey {
                request = request.filter(sql: "id IN (SELECT characterId FROM characterTag WHERE tag = ?)", arguments: [tagKey])
            }
            return try Self.assemble(request.order(sql: "aliasKey").fetchAll(db), db)
        }
        guard let text, !text.isEmpty else { return all }
        let needle = NameKey.of(text)
        return all.filter { character in
            NameKey.of(character.alias).contains(needle)
                || NameKey.of(character.notes).contains(needle)
                || character.identities.contains { $0.usernameKey.contains(needle) }
        }
    }

    @discardableResult
    public func update(_ alias: String, _ change: CharacterChange, at date: Timestamp = .now) throws(CatalogError) -> CameoCharacter {
        try write { db in
            let current = try Self.requireCharacter(named: alias, db)
            guard var record = try CharacterRecord.fetchOne(db, key: current.id) else {
                throw CatalogError.unknownAlias(alias, suggestion: nil)
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
    public func rename(_ alias: String, to newAlias: Alias, at date: Timestamp = .now) throws(CatalogError) -> CameoCharacter {
        try write { db in
            let current = try Self.requireCharacter(named: alias, db)
            if NameKey.of(alias) != newAlias.key,
               try CharacterRecord.filter(CharacterRecord.Columns.aliasKey == newAlias.key).fetchCount(db) > 0 {
                throw CatalogError.duplicateAlias(newAlias.text)
            }
            try db.execute(
                sql: "UPDATE character SET alias = ?, aliasKey = ?, updatedAt = ? WHERE id = ?",
                arguments: [newAlias.text, newAlias.key, date, current.id])
            return try Self.fetchCharacter(id: current.id, db)
        }
    }

    /// Deletes a character with its tags and identities; its submissions stay, unattached.
    public func remove(_ alias: String) throws(CatalogError) {
        try write { db in
            let current = try Self.requireCharacter(named: alias, db)
            _ = try CharacterRecord.deleteOne(db, key: current.id)
        }
    }

    // MARK: - Reading rows into characters

    static func requireCharacter(named alias: String, _ db: Database) throws -> CameoCharacter {
        let key = NameKey.of(alias)
        guard let record = try CharacterRecord.filter(CharacterRecord.Columns.aliasKey == key).fetchOne(db),
              let character = try assemble([record], db).first
        else {
            let aliases = try String.fetchAll(db, sql: "SELECT alias FROM character")
            throw CatalogError.unknownAlias(alias, suggestion: ClosestName.find(alias, among: aliases))
        }
        return character
    }

    static func fetchCharacter(id: Int64, _ db: Database) throws -> CameoCharacter {
        guard let record = try CharacterRecord.fetchOne(db, key: id), let character = try assemble([record], db).first else {
            throw CatalogError.unknownAlias("#\(id)", suggestion: nil)
        }
        return character
    }

    /// Joins records with their tags and identities in three queries, however many records.
    static func assemble(_ records: [CharacterRecord], _ db: Database) throws -> [CameoCharacter] {
        guard !records.isEmpty else { return [] }
        let ids = records.compactMap(\.id)
        let single = ids.count == 1
        let tags = try (single
            ? TagRecord.filter(Column("characterId") == ids[0]) : TagRecord.all())
            .order(Column("tag")).fetchAll(db)
        let identities = try (single
            ? Identity.filter(Identity.Columns.characterId == ids[0]) : Identity.all())
            .order(Column("createdAt"), Column("id")).fetchAll(db)
        let tagsByCharacter = Dictionary(grouping: tags, by: \.characterId)
        let identitiesByCharacter = Dictionary(grouping: identities, by: \.characterId)
        return records.compactMap { record in
            guard let id = record.id,
                  let window = try? CharacterWindow(startMilliseconds: record.windowStartMs, endMilliseconds: record.windowEndMs)
            else { return nil }
            return CameoCharacter(
                id: id, alias: record.alias, sourceURL: record.sourceURL, window: window, notes: record.notes,
                tags: tagsByCharacter[id, default: []].map(\.tag),
                clip: record.clipPath.map {
                    CameoCharacter.Clip(path: $0, sha256: record.clipSHA256, duration: record.clipDuration, probeJSON: record.clipProbe)
                },
                sourceCheck: record.sourceCheck,
                sourceFacts: record.sourceDuration.flatMap { duration in
                    record.sourceProbe.map { ProbeFacts(duration: duration, json: $0) }
                },
                personCheck: record.personCheck,
                identities: identitiesByCharacter[id, default: []],
                createdAt: record.createdAt, updatedAt: record.updatedAt)
        }
    }
}
