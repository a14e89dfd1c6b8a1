import CameoText
import Foundation
import GRDB

/// A username the platform gave a character, with what else it said about it.
public struct NewIdentity: Sendable {
    public var username: Username
    public var platformCharacterId: String?
    public var displayName: String?
    public var avatarURL: String?
    public var permalink: String?
    public var origin: Identity.Origin
    public var taskId: String?
    public var provider: String?

    public init(username: Username, platformCharacterId: String? = nil, displayName: String? = nil,
                avatarURL: String? = nil, permalink: String? = nil, origin: Identity.Origin = .manual, taskId: String? = nil,
                provider: String? = nil) {
        self.permalink = permalink
        self.username = username
        self.platformCharacterId = platformCharacterId
        self.displayName = displayName
        self.avatarURL = avatarURL
        self.origin = origin
        self.taskId = taskId
        self.provider = provider
    }
}

extension Catalog {
    /// Records `identity` for the character and makes it the active one; the
    /// previous active identity becomes superseded. Resolving a username the
    /// character already had brings it back.
    @discardableResult
    public func resolve(_ alias: String, to identity: NewIdentity, at date: Timestamp) throws(CatalogError) -> CameoCharacter {
        try write { db in
            let character = try Self.requireCharacter(named: alias, db)
            try Self.activate(identity, for: character, at: date, db)
            return try Self.fetchCharacter(id: character.id, db)
        }
    }

    static func activate(_ new: NewIdentity, for character: CameoCharacter, at date: Timestamp, _ db: Database) throws {
        let existing = try Identity.all().filter(usernameKey: new.username.key).fetchOne(db)
        if let existing, existing.characterId != character.id {
            let owner = try CharacterRecord.alias(id: existing.characterId, db)
            throw CatalogError.usernameTaken(new.username.text, owner: owner ?? "another character")
        }
        try db.execute(
            sql: "UPDATE identity SET state = 'superseded', updatedAt = ? WHERE characterId = ? AND state = 'active'",
            arguments: [date, character.id])
        var identity = existing ?? Identity(
            characterId: character.id, username: new.username.text, usernameKey: new.username.key,
            origin: new.origin, state: .active, createdAt: date, updatedAt: date)
        identity.username = new.username.text
        identity.platformCharacterId = new.platformCharacterId ?? identity.platformCharacterId
        identity.displayName = new.displayName ?? identity.displayName
        identity.permalink = new.permalink ?? identity.permalink
        if let avatar = new.avatarURL {
            identity.avatarURL = avatar
            identity.avatarFetchedAt = date
        }
        identity.taskId = new.taskId ?? identity.taskId
        identity.provider = new.provider ?? identity.provider
        if existing == nil { identity.origin = new.origin }
        identity.state = .active
        identity.updatedAt = date
        try identity.save(db)
    }

    /// Marks a username revoked: its owner withdrew access, so prompts must not
    /// use it. The character keeps its source URL and window to be created again.
    /// Returns the alias of the character it belonged to, or nil if the catalog
    /// does not know the username.
    @discardableResult
    public func revoke(username: String, at date: Timestamp) throws(CatalogError) -> String? {
        try write { db in
            guard var identity = try Identity.all().filter(usernameKey: NameKey.of(username)).fetchOne(db) else {
                return nil
            }
            identity.state = .revoked
            identity.updatedAt = date
            try identity.update(db)
            return try CharacterRecord.alias(id: identity.characterId, db)
        }
    }

    /// The characters a prompt may mean by these names (keys as `NameKey.of`
    /// makes them): those whose alias, or one of whose usernames, is among
    /// them. Without names, every character. A prompt asks only for the names
    /// its mentions could be, so composing costs the same with 10 characters
    /// in the catalog as with 10,000.
    public func mentionDirectory(names keys: Set<String>?) throws(CatalogError) -> MentionDirectory {
        try read { db in
            var sql = "SELECT id, alias, COALESCE(clipDuration, sourceDuration) AS mediaDuration, windowEndMs FROM character"
            var arguments = StatementArguments()
            if let keys {
                guard !keys.isEmpty else { return MentionDirectory(entries: []) }
                let marks = Array(repeating: "?", count: keys.count).joined(separator: ",")
                sql += " WHERE aliasKey IN (\(marks)) OR id IN (SELECT characterId FROM identity WHERE usernameKey IN (\(marks)))"
                arguments = StatementArguments(Array(keys) + Array(keys))
            }
            let characters = try Row.fetchAll(db, sql: sql, arguments: arguments)
            var byId: [Int64: MentionDirectory.Entry] = [:]
            for row in characters {
                let stored = StoredRow(row, name: CharacterRecord.name(of:))
                let id: Int64 = try stored.value(0, "id")
                let windowEnd: Int = try stored.value(3, "windowEndMs")
                byId[id] = MentionDirectory.Entry(
                    alias: try stored.value(1, "alias"), activeUsername: nil, retiredUsernames: [],
                    mediaDuration: try stored.optional(2, "mediaDuration"), windowEnd: Double(windowEnd) / 1000)
            }
            guard !byId.isEmpty else { return MentionDirectory(entries: []) }
            let identities = keys == nil
                ? try Row.fetchAll(db, sql: "SELECT characterId, username, state FROM identity ORDER BY createdAt, id")
                : try Row.fetchAll(db, sql: """
                    SELECT characterId, username, state FROM identity WHERE characterId IN (\(byId.keys.map(String.init).joined(separator: ",")))
                    ORDER BY createdAt, id
                    """)
            for row in identities {
                let stored = StoredRow(row) { row in
                    let owner: DatabaseValue = row[0]
                    return "a username of character #\(Int64.fromDatabaseValue(owner).map(String.init) ?? "?")"
                }
                let id: Int64 = try stored.value(0, "characterId")
                let username: String = try stored.value(1, "username")
                let state: Identity.State = try stored.value(2, "state")
                switch state {
                case .active: byId[id]?.activeUsername = username
                case .superseded, .revoked: byId[id]?.retiredUsernames.append(.init(username: username, revoked: state == .revoked))
                }
            }
            return MentionDirectory(entries: Array(byId.values))
        }
    }

    /// The aliases a did-you-mean for `name` must consider: every alias close
    /// enough to suggest, and few others, found through SQLite's index of
    /// alias pieces (`AliasPieces`) rather than by reading every alias.
    public func aliases(near name: String) throws(CatalogError) -> [String] {
        try read { db in try Self.aliases(near: name, db) }
    }

    static func aliases(near name: String, _ db: Database) throws -> [String] {
        try AliasPieces.aliases(near: name, db)
    }
}

/// The catalog as prompts see it: one entry per character.
public struct MentionDirectory: Sendable {
    public struct Entry: Sendable {
        public var alias: String
        public var activeUsername: String?
        public var retiredUsernames: [Retired]
        /// How long the clip (or else the source video) plays, when it was probed.
        public var mediaDuration: Double?
        public var windowEnd: Double

        public struct Retired: Sendable {
            public var username: String
            public var revoked: Bool
        }
    }

    public var entries: [Entry]
}
