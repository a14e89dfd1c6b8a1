import CameoMediaFacts
import CameoText
import Foundation
import GRDB

/// A character as JSON: what `show --json` and `list --json` print, and what
/// `export` writes and `import` reads back.
public struct CharacterDocument: Codable, Equatable, Sendable {
    public var alias: String
    public var sourceURL: String
    public var window: Window
    /// The active username; derived from `usernames`, ignored on import.
    @NullEncoded public var username: String?
    public var usernames: [IdentityDocument]
    public var notes: String
    public var tags: [String]
    @NullEncoded public var clip: ClipDocument?
    public var sourceCheck: SourceCheck
    /// What probing the source URL found (as `cameo probe --json` prints it).
    @NullEncoded public var sourceProbe: JSONValue?
    /// What the person check saw in the window: detector, version, frames checked, faces.
    @NullEncoded public var personCheck: JSONValue?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public struct Window: Codable, Equatable, Sendable {
        public var start: Double
        public var end: Double

        public init(start: Double, end: Double) {
            self.start = start
            self.end = end
        }
    }

    public struct ClipDocument: Codable, Equatable, Sendable {
        public var path: String
        @NullEncoded public var sha256: String?
        @NullEncoded public var duration: Double?
        @NullEncoded public var probe: JSONValue?
    }

    enum CodingKeys: String, CodingKey {
        case alias, window, username, usernames, notes, tags, clip
        case sourceURL = "source_url", sourceCheck = "source_check", sourceProbe = "source_probe"
        case personCheck = "person_check"
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    public init(_ character: CameoCharacter) {
        alias = character.alias
        sourceURL = character.sourceURL
        window = Window(start: character.window.start, end: character.window.end)
        username = character.activeIdentity?.username
        usernames = character.identities.map(IdentityDocument.init)
        notes = character.notes
        tags = character.tags
        clip = character.clip.map {
            ClipDocument(path: $0.path, sha256: $0.sha256, duration: $0.duration, probe: $0.probeJSON.map(Self.probe))
        }
        sourceCheck = character.sourceCheck
        sourceProbe = character.sourceFacts.map { Self.probe($0.json) }
        personCheck = character.personCheck.flatMap { try? JSONValue(parsing: $0) }
        createdAt = character.createdAt
        updatedAt = character.updatedAt
    }

    /// Stored probe facts as JSON; text that is not JSON (edited by hand) is
    /// kept as a string rather than dropped.
    static func probe(_ stored: String) -> JSONValue {
        (try? JSONValue(parsing: stored)) ?? .string(stored)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        alias = try c.decode(String.self, forKey: .alias)
        sourceURL = try c.decode(String.self, forKey: .sourceURL)
        window = try c.decode(Window.self, forKey: .window)
        username = try c.decodeIfPresent(String.self, forKey: .username)
        usernames = try c.decodeIfPresent([IdentityDocument].self, forKey: .usernames) ?? []
        notes = try c.decodeIfPresent(String.self, forKey: .notes) ?? ""
        tags = try c.decodeIfPresent([String].self, forKey: .tags) ?? []
        clip = try c.decodeIfPresent(ClipDocument.self, forKey: .clip)
        sourceCheck = try c.decodeIfPresent(SourceCheck.self, forKey: .sourceCheck) ?? .notProbed
        sourceProbe = try c.decodeIfPresent(JSONValue.self, forKey: .sourceProbe)
        personCheck = try c.decodeIfPresent(JSONValue.self, forKey: .personCheck)
        let now = Timestamp.now
        createdAt = try c.decodeIfPresent(Timestamp.self, forKey: .createdAt) ?? now
        updatedAt = try c.decodeIfPresent(Timestamp.self, forKey: .updatedAt) ?? createdAt
    }
}

public struct IdentityDocument: Codable, Equatable, Sendable {
    public var username: String
    @NullEncoded public var platformCharacterId: String?
    @NullEncoded public var displayName: String?
    @NullEncoded public var avatarURL: String?
    /// When the provider gave the (signed, expiring) avatar URL.
    @NullEncoded public var avatarFetchedAt: Timestamp?
    @NullEncoded public var permalink: String?
    public var origin: Identity.Origin
    @NullEncoded public var taskId: String?
    @NullEncoded public var provider: String?
    public var state: Identity.State
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    enum CodingKeys: String, CodingKey {
        case username, origin, provider, state
        case platformCharacterId = "platform_character_id", displayName = "display_name"
        case avatarURL = "avatar_url", taskId = "task_id", avatarFetchedAt = "avatar_fetched_at", permalink
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    init(_ identity: Identity) {
        avatarFetchedAt = identity.avatarFetchedAt
        permalink = identity.permalink
        username = identity.username
        platformCharacterId = identity.platformCharacterId
        displayName = identity.displayName
        avatarURL = identity.avatarURL
        origin = identity.origin
        taskId = identity.taskId
        provider = identity.provider
        state = identity.state
        createdAt = identity.createdAt
        updatedAt = identity.updatedAt
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        username = try c.decode(String.self, forKey: .username)
        platformCharacterId = try c.decodeIfPresent(String.self, forKey: .platformCharacterId)
        displayName = try c.decodeIfPresent(String.self, forKey: .displayName)
        avatarURL = try c.decodeIfPresent(String.self, forKey: .avatarURL)
        avatarFetchedAt = try c.decodeIfPresent(Timestamp.self, forKey: .avatarFetchedAt)
        permalink = try c.decodeIfPresent(String.self, forKey: .permalink)
        origin = try c.decodeIfPresent(Identity.Origin.self, forKey: .origin) ?? .manual
        taskId = try c.decodeIfPresent(String.self, forKey: .taskId)
        provider = try c.decodeIfPresent(String.self, forKey: .provider)
        state = try c.decode(Identity.State.self, forKey: .state)
        let now = Timestamp.now
        createdAt = try c.decodeIfPresent(Timestamp.self, forKey: .createdAt) ?? now
        updatedAt = try c.decodeIfPresent(Timestamp.self, forKey: .updatedAt) ?? createdAt
    }
}

/// The whole catalog's characters in one document.
public struct CatalogDocument: Codable, Equatable, Sendable {
    public static let currentVersion = 1
    public var version: Int
    public var characters: [CharacterDocument]
    /// What `export --history` adds: every submission, oldest first.
    public var submissions: [ExchangedSubmission]?

    public init(version: Int = currentVersion, characters: [CharacterDocument], submissions: [ExchangedSubmission]? = nil) {
        self.version = version
        self.characters = characters
        self.submissions = submissions
    }
}

/// JSON as cameo writes and reads it.
public enum CatalogJSON {
    public static func decoder() -> JSONDecoder {
        JSONDecoder()
    }
}

/// What `import` does with a character whose alias the catalog already has.
public enum ImportConflictPolicy: String, CaseIterable, Sendable {
    case skip, replace, fail
}

public struct ImportSummary: Equatable, Sendable {
    public var added = 0
    public var replaced = 0
    public var skipped = 0
    /// Submissions read from an `export --history` file.
    public var submissions = 0

    public init(added: Int = 0, replaced: Int = 0, skipped: Int = 0, submissions: Int = 0) {
        self.added = added
        self.replaced = replaced
        self.skipped = skipped
        self.submissions = submissions
    }
}

extension Catalog {
    /// Parses an export file; every problem is reported with where it is.
    public static func parseDocument(_ data: Data, source: String) throws(CatalogError) -> CatalogDocument {
        let document: CatalogDocument
        do {
            document = try CatalogJSON.decoder().decode(CatalogDocument.self, from: data)
        } catch let error as DecodingError {
            throw .malformedImport(source: source, detail: describe(error))
        } catch {
            throw .malformedImport(source: source, detail: "\(error)")
        }
        guard document.version <= CatalogDocument.currentVersion, document.version >= 1 else {
            throw .malformedImport(source: source, detail: "it is format version \(document.version); this cameo reads version \(CatalogDocument.currentVersion)")
        }
        return document
    }

    /// Adds every character of `document` in one transaction: all of it, or
    /// (on any error, or if the process dies) none of it.
    @discardableResult
    public func importDocument(_ document: CatalogDocument, source: String,
                               onConflict policy: ImportConflictPolicy) throws(CatalogError) -> ImportSummary {
        let incoming = try Self.validate(document, source: source)
        return try write { db in
            var summary = ImportSummary()
            var existing: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT aliasKey, id FROM character") {
                let key: DatabaseValue = row[0], id: DatabaseValue = row[1]
                if let key = String.fromDatabaseValue(key), let id = Int64.fromDatabaseValue(id) { existing[key] = id }
            }
            let clashes = incoming.filter { existing[$0.character.alias.key] != nil }
            if policy == .fail, !clashes.isEmpty {
                throw CatalogError.importConflict(aliases: clashes.map(\.character.alias.text))
            }
            var added: [Int64] = []
            let replacing = policy == .replace ? clashes.compactMap { existing[$0.character.alias.key] } : []
            let trash = try Self.keepInTrash(.importReplace, characterIds: replacing, db)
            for item in incoming {
                let id: Int64
                if let current = existing[item.character.alias.key] {
                    if policy == .skip { summary.skipped += 1; continue }
                    // Replaced in place: the row keeps its id and its submissions.
                    try Self.overwrite(id: current, with: item.character, createdAt: item.createdAt, updatedAt: item.updatedAt, db)
                    id = current
                    summary.replaced += 1
                } else {
                    id = try Self.insert(item.character, createdAt: item.createdAt, updatedAt: item.updatedAt, db)
                    added.append(id)
                    summary.added += 1
                }
                for var identity in item.identities {
                    identity.characterId = id
                    do {
                        var record = IdentityRecord(identity)
                        try record.insert(db)
                    } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                        let owner = try String.fetchOne(db, sql: """
                            SELECT character.alias FROM identity JOIN character ON character.id = identity.characterId
                            WHERE identity.usernameKey = ?
                            """, arguments: [identity.usernameKey])
                        throw CatalogError.usernameTaken(identity.username, owner: owner ?? "another character")
                    }
                }
            }
            if let trash { try Self.noteAddedInTrash(trash, added: added, db) }
            summary.submissions = try Self.importSubmissions(document.submissions ?? [], db)
            return summary
        }
    }

    struct IncomingCharacter {
        var character: NewCharacter
        var identities: [Identity]
        var createdAt: Timestamp
        var updatedAt: Timestamp
    }

    static func validate(_ document: CatalogDocument, source: String) throws(CatalogError) -> [IncomingCharacter] {
        var aliases: [String: Int] = [:]
        var usernames: [String: String] = [:]
        var result: [IncomingCharacter] = []
        for (index, entry) in document.characters.enumerated() {
            let place = "characters[\(index)]"
            do throws(CatalogError) {
                let alias = try Alias(entry.alias)
                if let first = aliases[alias.key] {
                    throw CatalogError.malformedImport(source: source, detail: "\(place): alias \(quoted(entry.alias)) repeats characters[\(first)]")
                }
                aliases[alias.key] = index
                let new = NewCharacter(
                    alias: alias, sourceURL: try SourceURL(entry.sourceURL),
                    window: try CharacterWindow(start: entry.window.start, end: entry.window.end),
                    notes: entry.notes, tags: try entry.tags.map { raw throws(CatalogError) in try Tag(raw) },
                    clip: entry.clip.map { clip in
                        CameoCharacter.Clip(path: clip.path, sha256: clip.sha256, duration: clip.duration,
                                            probeJSON: clip.probe.flatMap { try? $0.serialized() })
                    },
                    sourceCheck: entry.sourceCheck,
                    sourceFacts: entry.sourceProbe.flatMap { probe in (try? probe.serialized()).flatMap(ProbeFacts.init(json:)) },
                    personCheck: entry.personCheck.flatMap { try? $0.serialized() })
                var identities: [Identity] = []
                for identity in entry.usernames {
                    let username = try Username(identity.username)
                    if let owner = usernames[username.key] {
                        throw CatalogError.malformedImport(source: source, detail: "\(place): username \(quoted(username.text)) also belongs to \(quoted(owner))")
                    }
                    usernames[username.key] = entry.alias
                    identities.append(Identity(
                        characterId: 0, username: username.text, usernameKey: username.key,
                        platformCharacterId: identity.platformCharacterId, displayName: identity.displayName,
                        avatarURL: identity.avatarURL, avatarFetchedAt: identity.avatarFetchedAt, permalink: identity.permalink,
                        origin: identity.origin, taskId: identity.taskId,
                        provider: identity.provider, state: identity.state,
                        createdAt: identity.createdAt, updatedAt: identity.updatedAt))
                }
                guard identities.filter({ $0.state == .active }).count <= 1 else {
                    throw CatalogError.malformedImport(source: source, detail: "\(place): more than one active username")
                }
                result.append(IncomingCharacter(character: new, identities: identities,
                                                createdAt: entry.createdAt, updatedAt: entry.updatedAt))
            } catch .malformedImport(let source, let detail) {
                throw .malformedImport(source: source, detail: detail)
            } catch {
                throw .malformedImport(source: source, detail: "\(place): \(error.description)")
            }
        }
        return result
    }
}

private func describe(_ error: DecodingError) -> String {
    func path(_ context: DecodingError.Context) -> String {
        let parts = context.codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }
        let joined = parts.joined().drop { $0 == "." }
        return joined.isEmpty ? "the document" : String(joined)
    }
    switch error {
    case .dataCorrupted(let context):
        if context.codingPath.isEmpty { return "it is not valid JSON" }
        return "\(path(context)): \(context.debugDescription)"
    case .keyNotFound(let key, let context):
        return "\(path(context)) lacks \(quoted(key.stringValue))"
    case .typeMismatch(let type, let context):
        return "\(path(context)) is not \(typeName(type))"
    case .valueNotFound(let type, let context):
        return "\(path(context)) is null where \(typeName(type)) is needed"
    @unknown default:
        return "\(error)"
    }
}

private func typeName(_ type: Any.Type) -> String {
    switch type {
    case is String.Type: "a string"
    case is Double.Type, is Int.Type: "a number"
    case is Bool.Type: "true or false"
    case is [Any].Type: "an array"
    default: "the expected kind of value"
    }
}

/// The catalog's documents written directly, byte for byte as
/// `CanonicalJSON.encode(_:pretty: true)` prints them: `list --json` and `export` of
/// 10,000 characters stream in a fraction of the encoder's time. Members are
/// in the encoder's (UTF-8) key order; a test holds the two to the same bytes.
extension PrettyJSON {
    public mutating func catalogDocumentStart() {
        beginObject()
        key("characters")
        beginArray()
    }

    public mutating func catalogDocumentEnd(version: Int = CatalogDocument.currentVersion) {
        endArray()
        key("version")
        integer(Int64(version))
        endObject()
    }

    public mutating func character(_ document: CharacterDocument) {
        beginObject()
        key("alias"); string(document.alias)
        key("clip")
        if let clip = document.clip {
            beginObject()
            key("duration"); optionalNumber(clip.duration)
            key("path"); string(clip.path)
            key("probe"); if let probe = clip.probe { value(probe) } else { null() }
            key("sha256"); optionalString(clip.sha256)
            endObject()
        } else {
            null()
        }
        key("created_at"); timestamp(document.createdAt)
        key("notes"); string(document.notes)
        key("person_check"); if let check = document.personCheck { value(check) } else { null() }
        key("source_check"); string(document.sourceCheck.rawValue)
        key("source_probe"); if let probe = document.sourceProbe { value(probe) } else { null() }
        key("source_url"); string(document.sourceURL)
        key("tags")
        beginArray()
        for tag in document.tags {
            element(); string(tag)
        }
        endArray()
        key("updated_at"); timestamp(document.updatedAt)
        key("username"); optionalString(document.username)
        key("usernames")
        beginArray()
        for identity in document.usernames {
            element()
            beginObject()
            key("avatar_fetched_at")
            if let fetched = identity.avatarFetchedAt { timestamp(fetched) } else { null() }
            key("avatar_url"); optionalString(identity.avatarURL)
            key("created_at"); timestamp(identity.createdAt)
            key("display_name"); optionalString(identity.displayName)
            key("origin"); string(identity.origin.rawValue)
            key("permalink"); optionalString(identity.permalink)
            key("platform_character_id"); optionalString(identity.platformCharacterId)
            key("provider"); optionalString(identity.provider)
            key("state"); string(identity.state.rawValue)
            key("task_id"); optionalString(identity.taskId)
            key("updated_at"); timestamp(identity.updatedAt)
            key("username"); string(identity.username)
            endObject()
        }
        endArray()
        key("window")
        beginObject()
        key("end"); number(document.window.end)
        key("start"); number(document.window.start)
        endObject()
        endObject()
    }

    mutating func timestamp(_ time: Timestamp) {
        write(atMost: Timestamp.descriptionCapacity + 2) { start in
            start.pointee = UInt8(ascii: "\"")
            let length = time.writeDescription(to: start + 1)
            start[length + 1] = UInt8(ascii: "\"")
            return length + 2
        }
    }
}
