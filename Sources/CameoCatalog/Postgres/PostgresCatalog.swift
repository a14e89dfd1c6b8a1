import CameoText
import Foundation
import PostgresNIO

/// A team's catalog in a PostgreSQL database: the same calls, answers and
/// errors as the SQLite `Catalog`. Each write is one transaction that locks
/// the rows it changes, so several machines adding, renaming and editing at
/// once end in one consistent state; the database's own constraints back
/// every rule Swift checks first.
public final class PostgresCatalog: CatalogStore, @unchecked Sendable {
    public let path: String
    public var exists: Bool { true }
    let session: PostgresSession
    /// One call at a time on the connection.
    private let lock = NSLock()
    let clock: CatalogClock
    /// The time of the write transaction under way (read from `clock` as it began), under `lock`.
    private var transactionStart: Timestamp?

    private init(session: PostgresSession, clock: CatalogClock) {
        self.session = session
        self.path = session.display
        self.clock = clock
    }

    /// Connects and, unless only reading, creates or migrates the schema. A
    /// database written by a newer cameo, or whose `cameo` schema is another
    /// program's, is refused. Reading a database without a catalog yet reads
    /// as an empty catalog and creates nothing.
    static func open(url: String, environment: [String: String], forReading: Bool = false,
                     clock: CatalogClock = .system) throws(CatalogError) -> any CatalogStore {
        let location = try PostgresLocation.parse(url, environment: environment)
        let session = try PostgresSession.connect(location)
        let catalog = PostgresCatalog(session: session, clock: clock)
        try catalog.translating {
            let state = try PostgresSchema.state(session)
            try PostgresSchema.refuseUnusable(state, path: catalog.path)
            if state == .current { return }
            if forReading && state == .blank { return }
            try PostgresSchema.migrate(session, path: catalog.path)
        }
        if forReading, try catalog.translating({ try PostgresSchema.state(session) }) == .blank {
            return try Catalog.empty(path: catalog.path)
        }
        return catalog
    }

    // MARK: - Running statements

    /// Runs `body` in one write transaction, whose rows all get the time
    /// `transactionTime` read from the clock as it began (as GRDB's
    /// `transactionDate` does for the SQLite store).
    func write<T>(_ body: () throws -> T) throws(CatalogError) -> T {
        try translating {
            try session.transaction {
                transactionStart = clock.now()
                defer { transactionStart = nil }
                return try body()
            }
        }
    }

    /// The time of the write transaction under way.
    var transactionTime: Timestamp {
        transactionStart ?? clock.now()
    }

    func read<T>(_ body: () throws -> T) throws(CatalogError) -> T {
        try translating { try session.transaction(readOnly: true, body) }
    }

    func translating<T>(_ work: () throws -> T) throws(CatalogError) -> T {
        lock.lock()
        defer { lock.unlock() }
        do {
            return try work()
        } catch {
            if let own = CatalogError(own: error, path: path) { throw own }
            switch PostgresSession.sqlState(error) {
            case "40001", "40P01":
                throw .cannotOpen(path: path, detail: "another client changed the same rows at the same moment; try again")
            case "23505", "23503", "23514", "23502":
                throw .cannotOpen(path: path, detail: "the database refused the change: \(PostgresSession.describe(error))")
            default:
                throw .cannotOpen(path: path, detail: PostgresSession.describe(error))
            }
        }
    }

    /// Runs a statement whose unique-key violation means `conflict`.
    func guarding(_ conflict: @autoclosure () -> CatalogError, _ work: () throws -> Void) throws {
        do {
            try work()
        } catch where PostgresSession.sqlState(error) == "23505" {
            throw conflict()
        }
    }

    // MARK: - Characters

    static let characterColumns = """
        id, alias, alias_key, source_url, window_start_ms, window_end_ms, notes, clip_path, clip_sha256, clip_duration,
        clip_probe, source_check, time_to_ms(created_at), time_to_ms(updated_at), source_duration, source_probe, person_check
        """

    static func characterRecord(_ row: PostgresRandomAccessRow) throws -> CharacterRecord {
        let stored = PostgresStoredRow(row: row) {
            let id = (try? row[0].decode(Int64.self)).map(String.init) ?? "?"
            return "character #\(id)" + ((try? row[1].decode(String.self)).map { " (\(StoredRow.show($0)))" } ?? "")
        }
        var record = CharacterRecord(
            alias: try stored.value(1, "alias"), aliasKey: try stored.value(2, "alias_key"), sourceURL: try stored.value(3, "source_url"),
            windowStartMs: Int(try stored.value(4, "window_start_ms", as: Int32.self)),
            windowEndMs: Int(try stored.value(5, "window_end_ms", as: Int32.self)),
            notes: try stored.value(6, "notes"), clipPath: try stored.optional(7, "clip_path"),
            clipSHA256: try stored.optional(8, "clip_sha256"), clipDuration: try stored.optional(9, "clip_duration"),
            clipProbe: try stored.optional(10, "clip_probe"), sourceCheck: try stored.word(11, "source_check"),
            createdAt: try stored.time(12, "created_at"), updatedAt: try stored.time(13, "updated_at"),
            sourceDuration: try stored.optional(14, "source_duration"), sourceProbe: try stored.optional(15, "source_probe"),
            personCheck: try stored.optional(16, "person_check"))
        record.id = try stored.value(0, "id")
        return record
    }

    static let identityColumns = """
        id, character_id, username, username_key, platform_character_id, display_name, avatar_url, origin, task_id, provider,
        state, time_to_ms(created_at), time_to_ms(updated_at), time_to_ms(avatar_fetched_at), permalink
        """

    static func identity(_ row: PostgresRandomAccessRow) throws -> Identity {
        let stored = PostgresStoredRow(row: row) {
            let id = (try? row[0].decode(Int64.self)).map(String.init) ?? "?"
            let owner = (try? row[1].decode(Int64.self)).map(String.init) ?? "?"
            return "username #\(id) of character #\(owner)"
        }
        var identity = Identity(
            characterId: try stored.value(1, "character_id"), username: try stored.value(2, "username"),
            usernameKey: try stored.value(3, "username_key"), platformCharacterId: try stored.optional(4, "platform_character_id"),
            displayName: try stored.optional(5, "display_name"), avatarURL: try stored.optional(6, "avatar_url"),
            avatarFetchedAt: try stored.optionalTime(13, "avatar_fetched_at"), permalink: try stored.optional(14, "permalink"),
            origin: try stored.word(7, "origin"), taskId: try stored.optional(8, "task_id"), provider: try stored.optional(9, "provider"),
            state: try stored.word(10, "state"), createdAt: try stored.time(11, "created_at"), updatedAt: try stored.time(12, "updated_at"))
        identity.id = try stored.value(0, "id")
        return identity
    }

    /// Tags and identities of these characters (nil: all of them), in the order the SQLite catalog gives them.
    func parts(ids: [Int64]?, strict: Bool, unreadable: inout [String]) throws -> Catalog.Parts {
        var parts = Catalog.Parts()
        let filter = ids == nil ? "" : " WHERE character_id = ANY($1)"
        let values: [SQLValue] = ids.map { [.ints($0)] } ?? []
        for row in try session.query("SELECT character_id, tag FROM character_tag\(filter) ORDER BY character_id, tag", values) {
            let stored = PostgresStoredRow(row: row) { "a tag" }
            parts.tags[try stored.value(0, "character_id", as: Int64.self), default: []].append(try stored.value(1, "tag"))
        }
        for row in try session.query("SELECT \(Self.identityColumns) FROM identity\(filter) ORDER BY created_at, id", values) {
            do {
                let identity = try Self.identity(row)
                parts.identities[identity.characterId, default: []].append(identity)
            } catch let error as UnreadableRow where !strict {
                if let owner = try? row[1].decode(Int64.self) { parts.broken[owner] = error } else { unreadable.append("\(error.row): \(error.detail)") }
            }
        }
        return parts
    }

    func assemble(_ rows: [PostgresRandomAccessRow]) throws -> [CameoCharacter] {
        let records = try rows.map(Self.characterRecord)
        guard !records.isEmpty else { return [] }
        var unreadable: [String] = []
        let parts = try parts(ids: records.compactMap(\.id), strict: true, unreadable: &unreadable)
        return try records.map { try Catalog.character($0, parts) }
    }

    /// The character named `alias`, locked for the rest of the transaction when `forUpdate`.
    func requireCharacter(named alias: String, forUpdate: Bool = false) throws -> CameoCharacter {
        let rows = try session.query(
            "SELECT \(Self.characterColumns) FROM character WHERE alias_key = $1\(forUpdate ? " FOR UPDATE" : "")", [.text(NameKey.of(alias))])
        guard let character = try assemble(rows).first else {
            throw CatalogError.unknownAlias(alias, suggestion: try suggestion(for: alias))
        }
        return character
    }

    func fetchCharacter(id: Int64) throws -> CameoCharacter {
        guard let character = try assemble(try session.query("SELECT \(Self.characterColumns) FROM character WHERE id = $1", [.int(id)])).first else {
            throw CatalogError.unknownAlias("#\(id)", suggestion: nil)
        }
        return character
    }

    func suggestion(for alias: String) throws -> String? {
        ClosestName.find(alias, among: try nearAliases(alias))
    }

    func aliasTaken(_ key: String) throws -> Bool {
        try !session.query("SELECT 1 FROM character WHERE alias_key = $1", [.text(key)]).isEmpty
    }

    public func add(_ new: NewCharacter) throws(CatalogError) -> CameoCharacter {
        try write {
            let date = transactionTime
            if try aliasTaken(new.alias.key) { throw CatalogError.duplicateAlias(new.alias.text) }
            var ids: [Int64] = []
            // Another client may add the same alias between the look and the write: the unique index decides.
            try guarding(.duplicateAlias(new.alias.text)) {
                ids = try insert([Catalog.record(new, createdAt: date, updatedAt: date)], tags: [Set(new.tags).map(\.text)])
            }
            return try fetchCharacter(id: ids[0])
        }
    }

    /// Rows to insert, in batches of at most 2,000: a multi-row INSERT of
    /// any of cameo's tables stays far below the protocol's 65,535 parameters.
    static func batches<T>(_ rows: [T]) -> [ArraySlice<T>] {
        stride(from: 0, to: rows.count, by: 2000).map { rows[$0..<min($0 + 2000, rows.count)] }
    }

    /// The VALUES list of a multi-row INSERT: `rows` tuples of `columns`
    /// parameters numbered from $1, those at the (1-based) positions `times`
    /// read through `ms_to_time`.
    static func valuesList(rows: Int, columns: Int, times: Set<Int>) -> String {
        (0..<rows).map { row in
            "(" + (1...columns).map { column in
                let parameter = "$\(row * columns + column)"
                return times.contains(column) ? "ms_to_time(\(parameter))" : parameter
            }.joined(separator: ", ") + ")"
        }.joined(separator: ", ")
    }

    /// Inserts characters and their tags in a few statements however many
    /// there are; returns their ids in order.
    func insert(_ records: [CharacterRecord], tags: [[String]]) throws -> [Int64] {
        var ids: [Int64] = []
        for chunk in Self.batches(records) {
            var values: [SQLValue] = []
            for record in chunk {
                values += [
                    .text(record.alias), .text(record.aliasKey), .text(record.sourceURL), .int(record.windowStartMs), .int(record.windowEndMs),
                    .text(record.notes), .text(record.clipPath), .text(record.clipSHA256), .real(record.clipDuration), .text(record.clipProbe),
                    .text(record.sourceCheck.rawValue), .text(record.personCheck), .time(record.createdAt), .time(record.updatedAt),
                    .real(record.sourceDuration), .text(record.sourceProbe),
                ]
            }
            let inserted = try session.query("""
                INSERT INTO character (alias, alias_key, source_url, window_start_ms, window_end_ms, notes, clip_path, clip_sha256,
                                       clip_duration, clip_probe, source_check, person_check, created_at, updated_at, source_duration, source_probe)
                VALUES \(Self.valuesList(rows: chunk.count, columns: 16, times: [13, 14])) RETURNING id
                """, values)
            ids += try inserted.map { try $0[0].decode(Int64.self) }
        }
        try insertTags(zip(ids, tags).flatMap { id, tags in tags.map { (id, $0) } })
        return ids
    }

    func insertTags(_ pairs: [(Int64, String)]) throws {
        guard !pairs.isEmpty else { return }
        try session.execute("""
            INSERT INTO character_tag (character_id, tag) SELECT * FROM unnest($1::bigint[], $2::text[]) ON CONFLICT DO NOTHING
            """, [.ints(pairs.map(\.0)), .texts(pairs.map(\.1))])
    }

    public func requireUnusedAlias(_ alias: Alias) throws(CatalogError) {
        if try read({ try aliasTaken(alias.key) }) { throw .duplicateAlias(alias.text) }
    }

    public func character(named alias: String) throws(CatalogError) -> CameoCharacter {
        try read { try requireCharacter(named: alias) }
    }

    public func character(id: Int64) throws(CatalogError) -> CameoCharacter? {
        try read { try assemble(try session.query("SELECT \(Self.characterColumns) FROM character WHERE id = $1", [.int(id)])).first }
    }

    public func eachCharacter(tag: String?, matching text: String?, skippingUnreadable: Bool,
                              _ body: (CameoCharacter) throws -> Void) throws -> [String] {
        let tagKey = try tag.map { raw throws(CatalogError) in try Tag(raw).text }
        let needle = text.flatMap { $0.isEmpty ? nil : NameKey.of($0) }
        let (characters, unreadable) = try read { () throws -> ([CameoCharacter], [String]) in
            var unreadable: [String] = []
            let rows = tagKey == nil
                ? try session.query("SELECT \(Self.characterColumns) FROM character ORDER BY alias_key COLLATE \"C\"")
                : try session.query("""
                    SELECT \(Self.characterColumns) FROM character
                    WHERE id IN (SELECT character_id FROM character_tag WHERE tag = $1) ORDER BY alias_key COLLATE "C"
                    """, [.text(tagKey)])
            let parts = try parts(ids: nil, strict: !skippingUnreadable, unreadable: &unreadable)
            var characters: [CameoCharacter] = []
            for row in rows {
                do {
                    let character = try Catalog.character(try Self.characterRecord(row), parts)
                    if let needle, !Catalog.character(character, contains: needle) { continue }
                    characters.append(character)
                } catch let error as UnreadableRow where skippingUnreadable {
                    unreadable.append("\(error.row): \(error.detail)")
                }
            }
            return (characters, unreadable)
        }
        for character in characters { try body(character) }
        return unreadable
    }

    public func update(_ alias: String, _ change: CharacterChange) throws(CatalogError) -> CameoCharacter {
        try write {
            let date = transactionTime
            let current = try requireCharacter(named: alias, forUpdate: true)
            if change.sourceURL != nil || change.window != nil || change.clip != nil {
                try keepInTrash(.edit, characterIds: [current.id])
            }
            var sets: [String] = []
            var values: [SQLValue] = []
            func set(_ column: String, _ value: SQLValue) {
                values.append(value)
                sets.append(column == "updated_at" ? "\(column) = ms_to_time($\(values.count))" : "\(column) = $\(values.count)")
            }
            if let url = change.sourceURL {
                // Facts about the old address say nothing about the new one.
                set("source_url", .text(url.text))
                set("source_check", .text((change.sourceCheck ?? .notProbed).rawValue))
                set("source_duration", .real(change.sourceFacts?.duration))
                set("source_probe", .text(change.sourceFacts?.json))
            }
            if let window = change.window {
                set("window_start_ms", .int(window.startMilliseconds))
                set("window_end_ms", .int(window.endMilliseconds))
            }
            if let notes = change.notes { set("notes", .text(notes)) }
            if let clip = change.clip {
                set("clip_path", .text(clip.path))
                set("clip_sha256", .text(clip.sha256))
                set("clip_duration", .real(clip.duration))
                set("clip_probe", .text(clip.probeJSON))
            }
            if let check = change.personCheck {
                set("person_check", .text(check))
            } else if change.window != nil || change.clip != nil {
                // A check of another window says nothing about this one.
                set("person_check", .text(nil))
            }
            set("updated_at", .time(date))
            values.append(.int(current.id))
            try session.execute("UPDATE character SET \(sets.joined(separator: ", ")) WHERE id = $\(values.count)", values)
            if !change.removeTags.isEmpty {
                try session.execute("DELETE FROM character_tag WHERE character_id = $1 AND tag = ANY($2)",
                                    [.int(current.id), .texts(change.removeTags.map(\.text))])
            }
            try insertTags(Set(change.addTags).map { (current.id, $0.text) })
            return try fetchCharacter(id: current.id)
        }
    }

    public func rename(_ alias: String, to newAlias: Alias) throws(CatalogError) -> CameoCharacter {
        try write {
            let date = transactionTime
            let current = try requireCharacter(named: alias, forUpdate: true)
            if NameKey.of(alias) != newAlias.key, try aliasTaken(newAlias.key) {
                throw CatalogError.duplicateAlias(newAlias.text)
            }
            try keepInTrash(.rename, characterIds: [current.id])
            // Another client may take the name between the look and the write: the unique index decides.
            try guarding(.duplicateAlias(newAlias.text)) {
                try session.execute("UPDATE character SET alias = $1, alias_key = $2, updated_at = ms_to_time($3) WHERE id = $4",
                                    [.text(newAlias.text), .text(newAlias.key), .time(date), .int(current.id)])
            }
            return try fetchCharacter(id: current.id)
        }
    }

    public func removal(of alias: String) throws(CatalogError) -> (alias: String, usernames: Int) {
        try read {
            let rows = try session.query("""
                SELECT alias, (SELECT count(*) FROM identity WHERE character_id = character.id) FROM character WHERE alias_key = $1
                """, [.text(NameKey.of(alias))])
            guard let row = rows.first else { throw CatalogError.unknownAlias(alias, suggestion: try suggestion(for: alias)) }
            return ((try? row[0].decode(String.self)) ?? alias, Int((try? row[1].decode(Int64.self)) ?? 0))
        }
    }

    public func remove(_ alias: String) throws(CatalogError) {
        try write {
            let found = try session.query("SELECT id FROM character WHERE alias_key = $1 FOR UPDATE", [.text(NameKey.of(alias))])
            guard let id = try found.first?[0].decode(Int64.self) else {
                throw CatalogError.unknownAlias(alias, suggestion: try suggestion(for: alias))
            }
            try keepInTrash(.remove, characterIds: [id])
            try session.execute("DELETE FROM character WHERE id = $1", [.int(id)])
        }
    }

    public func importDocument(_ document: CatalogDocument, source: String,
                               onConflict policy: ImportConflictPolicy) throws(CatalogError) -> ImportSummary {
        let incoming = try Catalog.validate(document, source: source)
        return try write {
            // Other clients' adds wait until this import ends, so what it found stays true.
            try session.execute("LOCK TABLE character IN SHARE ROW EXCLUSIVE MODE")
            var existing: [String: Int64] = [:]
            for row in try session.query("SELECT alias_key, id FROM character") {
                existing[try row[0].decode(String.self)] = try row[1].decode(Int64.self)
            }
            let clashes = incoming.filter { existing[$0.character.alias.key] != nil }
            if policy == .fail, !clashes.isEmpty {
                throw CatalogError.importConflict(aliases: clashes.map(\.character.alias.text))
            }
            var summary = ImportSummary()
            let replacing = policy == .replace ? clashes.compactMap { existing[$0.character.alias.key] } : []
            let trash = try keepInTrash(.importReplace, characterIds: replacing)
            var fresh: [Catalog.IncomingCharacter] = []
            var identities: [Identity] = []
            for item in incoming {
                guard let current = existing[item.character.alias.key] else {
                    fresh.append(item)
                    continue
                }
                if policy == .skip {
                    summary.skipped += 1
                    continue
                }
                // Replaced in place: the row keeps its id and its submissions.
                try overwrite(id: current, with: item)
                identities += item.identities.map { var identity = $0; identity.characterId = current; return identity }
                summary.replaced += 1
            }
            let ids = try insert(fresh.map { Catalog.record($0.character, createdAt: $0.createdAt, updatedAt: $0.updatedAt) },
                                 tags: fresh.map { Set($0.character.tags).map(\.text) })
            for (id, item) in zip(ids, fresh) {
                identities += item.identities.map { var identity = $0; identity.characterId = id; return identity }
            }
            summary.added = fresh.count
            if let trash { try noteAddedInTrash(trash, added: ids) }
            try insertIdentities(identities)
            summary.submissions = try importSubmissions(document.submissions ?? [])
            return summary
        }
    }

    func overwrite(id: Int64, with item: Catalog.IncomingCharacter) throws {
        let record = Catalog.record(item.character, createdAt: item.createdAt, updatedAt: item.updatedAt)
        try session.execute("DELETE FROM character_tag WHERE character_id = $1", [.int(id)])
        try session.execute("DELETE FROM identity WHERE character_id = $1", [.int(id)])
        try session.execute("""
            UPDATE character SET alias = $1, alias_key = $2, source_url = $3, window_start_ms = $4, window_end_ms = $5, notes = $6,
                clip_path = $7, clip_sha256 = $8, clip_duration = $9, clip_probe = $10, source_check = $11, person_check = $12,
                created_at = ms_to_time($13), updated_at = ms_to_time($14), source_duration = $15, source_probe = $16
            WHERE id = $17
            """, [
                .text(record.alias), .text(record.aliasKey), .text(record.sourceURL), .int(record.windowStartMs), .int(record.windowEndMs),
                .text(record.notes), .text(record.clipPath), .text(record.clipSHA256), .real(record.clipDuration), .text(record.clipProbe),
                .text(record.sourceCheck.rawValue), .text(record.personCheck), .time(record.createdAt), .time(record.updatedAt),
                .real(record.sourceDuration), .text(record.sourceProbe), .int(id),
            ])
        try insertTags(Set(item.character.tags).map { (id, $0.text) })
    }

    func insertIdentities(_ identities: [Identity]) throws {
        for chunk in Self.batches(identities) {
            var values: [SQLValue] = []
            for identity in chunk {
                values += [
                    .int(identity.characterId), .text(identity.username), .text(identity.usernameKey), .text(identity.platformCharacterId),
                    .text(identity.displayName), .text(identity.avatarURL), .text(identity.permalink), .text(identity.origin.rawValue),
                    .text(identity.taskId), .text(identity.provider), .text(identity.state.rawValue),
                    .time(identity.avatarFetchedAt), .time(identity.createdAt), .time(identity.updatedAt),
                ]
            }
            // A failed statement spoils the transaction; the savepoint lets the
            // next query find out which username was taken.
            try session.execute("SAVEPOINT identities")
            do {
                try session.execute("""
                    INSERT INTO identity (character_id, username, username_key, platform_character_id, display_name, avatar_url, permalink,
                                          origin, task_id, provider, state, avatar_fetched_at, created_at, updated_at)
                    VALUES \(Self.valuesList(rows: chunk.count, columns: 14, times: [12, 13, 14]))
                    """, values)
            } catch where PostgresSession.sqlState(error) == "23505" {
                try session.execute("ROLLBACK TO SAVEPOINT identities")
                // Which username: the first of this batch another character already has.
                let keys = chunk.map(\.usernameKey)
                let taken = try session.query("""
                    SELECT i.username_key, c.alias FROM identity i JOIN character c ON c.id = i.character_id WHERE i.username_key = ANY($1) LIMIT 1
                    """, [.texts(keys)])
                if let row = taken.first, let key = try? row[0].decode(String.self),
                   let identity = chunk.first(where: { $0.usernameKey == key }) {
                    throw CatalogError.usernameTaken(identity.username, owner: (try? row[1].decode(String.self)) ?? "another character")
                }
                throw error
            }
        }
    }

    // MARK: - Usernames

    public func resolve(_ alias: String, to identity: NewIdentity) throws(CatalogError) -> CameoCharacter {
        try write {
            let date = transactionTime
            let character = try requireCharacter(named: alias, forUpdate: true)
            let existing = try session.query("SELECT \(Self.identityColumns) FROM identity WHERE username_key = $1 FOR UPDATE",
                                             [.text(identity.username.key)]).first.map(Self.identity)
            if let existing, existing.characterId != character.id {
                let owner = try session.query("SELECT alias FROM character WHERE id = $1", [.int(existing.characterId)])
                    .first.flatMap { try? $0[0].decode(String.self) }
                throw CatalogError.usernameTaken(identity.username.text, owner: owner ?? "another character")
            }
            try session.execute("UPDATE identity SET state = 'superseded', updated_at = ms_to_time($1) WHERE character_id = $2 AND state = 'active'",
                                [.time(date), .int(character.id)])
            let avatarTime: Timestamp? = identity.avatarURL == nil ? existing?.avatarFetchedAt : date
            if let existing {
                try session.execute("""
                    UPDATE identity SET username = $1, platform_character_id = COALESCE($2, platform_character_id),
                        display_name = COALESCE($3, display_name), permalink = COALESCE($4, permalink), avatar_url = COALESCE($5, avatar_url),
                        avatar_fetched_at = ms_to_time($6), task_id = COALESCE($7, task_id), provider = COALESCE($8, provider),
                        state = 'active', updated_at = ms_to_time($9)
                    WHERE id = $10
                    """, [.text(identity.username.text), .text(identity.platformCharacterId), .text(identity.displayName), .text(identity.permalink),
                          .text(identity.avatarURL), .time(avatarTime), .text(identity.taskId), .text(identity.provider), .time(date),
                          .int(existing.id ?? 0)])
            } else {
                let owner = character.alias
                try guarding(.usernameTaken(identity.username.text, owner: owner)) {
                    try insertIdentities([Identity(
                        characterId: character.id, username: identity.username.text, usernameKey: identity.username.key,
                        platformCharacterId: identity.platformCharacterId, displayName: identity.displayName, avatarURL: identity.avatarURL,
                        avatarFetchedAt: avatarTime, permalink: identity.permalink, origin: identity.origin, taskId: identity.taskId,
                        provider: identity.provider, state: .active, createdAt: date, updatedAt: date)])
                }
            }
            return try fetchCharacter(id: character.id)
        }
    }

    public func revoke(username: String) throws(CatalogError) -> String? {
        try write {
            let date = transactionTime
            return try session.query("""
                WITH revoked AS (
                    UPDATE identity SET state = 'revoked', updated_at = ms_to_time($2) WHERE username_key = $1 RETURNING character_id
                )
                SELECT alias FROM character WHERE id IN (SELECT character_id FROM revoked)
                """, [.text(NameKey.of(username)), .time(date)]).first.flatMap { try? $0[0].decode(String.self) }
        }
    }

    public func mentionDirectory(names keys: Set<String>?) throws(CatalogError) -> MentionDirectory {
        if let keys, keys.isEmpty { return MentionDirectory(entries: []) }
        return try read {
            var sql = "SELECT id, alias, COALESCE(clip_duration, source_duration), window_end_ms FROM character"
            var values: [SQLValue] = []
            if let keys {
                sql += " WHERE alias_key = ANY($1) OR id IN (SELECT character_id FROM identity WHERE username_key = ANY($1))"
                values = [.texts(Array(keys))]
            }
            var byId: [Int64: MentionDirectory.Entry] = [:]
            for row in try session.query(sql, values) {
                let stored = PostgresStoredRow(row: row) { "a character" }
                byId[try stored.value(0, "id", as: Int64.self)] = MentionDirectory.Entry(
                    alias: try stored.value(1, "alias"), activeUsername: nil, retiredUsernames: [],
                    mediaDuration: try stored.optional(2, "media_duration"),
                    windowEnd: Double(try stored.value(3, "window_end_ms", as: Int32.self)) / 1000)
            }
            guard !byId.isEmpty else { return MentionDirectory(entries: []) }
            let identities = keys == nil
                ? try session.query("SELECT character_id, username, state FROM identity ORDER BY created_at, id")
                : try session.query("SELECT character_id, username, state FROM identity WHERE character_id = ANY($1) ORDER BY created_at, id",
                                    [.ints(Array(byId.keys))])
            for row in identities {
                let stored = PostgresStoredRow(row: row) { "a username" }
                let id: Int64 = try stored.value(0, "character_id")
                let username: String = try stored.value(1, "username")
                let state: Identity.State = try stored.word(2, "state")
                byId[id]?.add(username: username, state)
            }
            return MentionDirectory(entries: Array(byId.values))
        }
    }

    public func aliases(startingWith prefix: String, limit: Int) throws(CatalogError) -> [String] {
        try read {
            try session.query("""
                SELECT alias FROM character WHERE starts_with(alias_key, $1) ORDER BY alias_key COLLATE "C" LIMIT $2
                """, [.text(NameKey.of(prefix)), .int(limit)]).map { try $0[0].decode(String.self) }
        }
    }

    public func aliases(near name: String) throws(CatalogError) -> [String] {
        try read { try nearAliases(name) }
    }

    /// The aliases close enough to `name` to suggest, and few others: as the
    /// SQLite catalog reasons, an alias within k edits keeps one of its k + 1
    /// pieces intact, so the typed key contains it. PostgreSQL counts code
    /// points like Swift's characters for the keys that reasoning covers;
    /// other keys are always candidates.
    func nearAliases(_ name: String) throws -> [String] {
        let typed = NameKey.of(name)
        let length = typed.count
        guard length > 0 else { return [] }
        let pieces = ClosestName.limit(forLength: length) + 1
        let maxLength = min(length + pieces - 1, Alias.maxLength)
        return try session.query("""
            SELECT alias FROM character
            WHERE (char_length(alias_key) <= $2::int AND EXISTS (
                       SELECT 1 FROM generate_series(0, $3::int - 1) AS piece
                       WHERE strpos($1, substr(alias_key, piece * char_length(alias_key) / $3::int + 1,
                                     (piece + 1) * char_length(alias_key) / $3::int - piece * char_length(alias_key) / $3::int)) > 0))
               OR alias_key ~ '[^ -~\u{3041}-\u{3096}\u{309D}-\u{30FF}\u{3400}-\u{4DBF}\u{4E00}-\u{9FFF}\u{AC00}-\u{D7A3}]'
            """, [.text(typed), .int(maxLength), .int(pieces)]).map { try $0[0].decode(String.self) }
    }

    public func providers(ofUsernames usernames: [String]) throws(CatalogError) -> [(username: String, alias: String, provider: String?)] {
        guard !usernames.isEmpty else { return [] }
        return try read {
            try session.query("""
                SELECT i.username, c.alias, i.provider FROM identity i JOIN character c ON c.id = i.character_id WHERE i.username_key = ANY($1)
                """, [.texts(usernames.map { NameKey.of($0) })]).map { row in
                (username: try row[0].decode(String.self), alias: try row[1].decode(String.self), provider: try row[2].decode(String?.self))
            }
        }
    }

    // MARK: - Submissions

    static let submissionColumns = """
        id, character_id, kind, endpoint, provider, request_body, state, task_status, provider_status, http_status, response_body,
        task_id, error, download_path, time_to_ms(created_at), time_to_ms(updated_at)
        """

    static func submission(_ row: PostgresRandomAccessRow) throws -> Submission {
        let stored = PostgresStoredRow(row: row) { "submission #\((try? row[0].decode(Int64.self)).map(String.init) ?? "?")" }
        var submission = Submission(
            kind: try stored.word(2, "kind"), characterId: try stored.optional(1, "character_id"), endpoint: try stored.value(3, "endpoint"),
            provider: try stored.optional(4, "provider"), requestBody: try stored.value(5, "request_body"), state: try stored.word(6, "state"),
            at: try stored.time(14, "created_at"))
        submission.id = try stored.value(0, "id")
        submission.taskStatus = try stored.optional(7, "task_status")
        submission.providerStatus = try stored.optional(8, "provider_status")
        submission.httpStatus = try stored.optional(9, "http_status", as: Int32.self).map(Int.init)
        submission.responseBody = try stored.optional(10, "response_body")
        submission.taskId = try stored.optional(11, "task_id")
        submission.error = try stored.optional(12, "error")
        submission.downloadPath = try stored.optional(13, "download_path")
        submission.updatedAt = try stored.time(15, "updated_at")
        return submission
    }

    static func submissionValues(_ submission: Submission) -> [SQLValue] {
        [
            .int(submission.characterId), .text(submission.kind.rawValue), .text(submission.endpoint), .text(submission.provider),
            .text(submission.requestBody), .text(submission.state.rawValue), .text(submission.taskStatus), .text(submission.providerStatus),
            .int(submission.httpStatus), .text(submission.responseBody), .text(submission.taskId), .text(submission.error),
            .text(submission.downloadPath), .time(submission.createdAt), .time(submission.updatedAt),
        ]
    }

    public func record(_ submission: Submission) throws(CatalogError) -> Submission {
        try write {
            var submission = submission
            submission.createdAt = transactionTime
            submission.updatedAt = submission.createdAt
            let rows = try session.query("""
                INSERT INTO submission (character_id, kind, endpoint, provider, request_body, state, task_status, provider_status, http_status,
                                        response_body, task_id, error, download_path, created_at, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, ms_to_time($14), ms_to_time($15)) RETURNING id
                """, Self.submissionValues(submission))
            var inserted = submission
            inserted.id = try rows.first?[0].decode(Int64.self)
            return inserted
        }
    }

    public func update(_ submission: Submission) throws(CatalogError) {
        try write {
            var changed = submission
            changed.updatedAt = transactionTime
            try session.execute("""
                UPDATE submission SET character_id = $1, kind = $2, endpoint = $3, provider = $4, request_body = $5, state = $6,
                    task_status = $7, provider_status = $8, http_status = $9, response_body = $10, task_id = $11, error = $12,
                    download_path = $13, created_at = ms_to_time($14), updated_at = ms_to_time($15)
                WHERE id = $16
                """, Self.submissionValues(changed) + [.int(changed.id)])
        }
    }

    public func submission(taskId: String) throws(CatalogError) -> Submission? {
        try read {
            try session.query("SELECT \(Self.submissionColumns) FROM submission WHERE task_id = $1 ORDER BY id DESC LIMIT 1", [.text(taskId)])
                .first.map(Self.submission)
        }
    }

    public func submission(id: Int64) throws(CatalogError) -> Submission {
        let found = try read {
            try session.query("SELECT \(Self.submissionColumns) FROM submission WHERE id = $1", [.int(id)]).first.map(Self.submission)
        }
        guard let found else { throw .unknownSubmission(id) }
        return found
    }

    public func newestSubmissionWithTask() throws(CatalogError) -> Submission? {
        try read {
            try session.query("SELECT \(Self.submissionColumns) FROM submission WHERE task_id IS NOT NULL ORDER BY id DESC LIMIT 1")
                .first.map(Self.submission)
        }
    }

    public func exchangedSubmissions() throws(CatalogError) -> [ExchangedSubmission] {
        try read {
            var aliases: [Int64: String] = [:]
            for row in try session.query("SELECT id, alias FROM character WHERE id IN (SELECT character_id FROM submission)") {
                aliases[try row[0].decode(Int64.self)] = try row[1].decode(String.self)
            }
            return try session.query("SELECT \(Self.submissionColumns) FROM submission ORDER BY id").map { row in
                let submission = try Self.submission(row)
                return ExchangedSubmission(submission, alias: submission.characterId.flatMap { aliases[$0] })
            }
        }
    }

    /// As the SQLite catalog: each attached to the character of its alias (or
    /// none), one already held (same endpoint, body and creation time) passed over.
    func importSubmissions(_ submissions: [ExchangedSubmission]) throws -> Int {
        var added = 0
        for exchanged in submissions {
            let known = try session.query("""
                SELECT 1 FROM submission WHERE endpoint = $1 AND request_body = $2 AND created_at = ms_to_time($3)
                """, [.text(exchanged.endpoint), .text(exchanged.requestBody), .time(exchanged.createdAt)])
            if !known.isEmpty { continue }
            let characterId = try exchanged.alias.flatMap {
                try session.query("SELECT id FROM character WHERE alias_key = $1", [.text(NameKey.of($0))]).first?[0].decode(Int64.self)
            }
            let submission = exchanged.submission(characterId: characterId)
            try session.execute("""
                INSERT INTO submission (character_id, kind, endpoint, provider, request_body, state, task_status, provider_status, http_status,
                                        response_body, task_id, error, download_path, created_at, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, ms_to_time($14), ms_to_time($15))
                """, Self.submissionValues(submission))
            added += 1
        }
        return added
    }

    public func submissions(limit: Int?, state: SubmissionState?) throws(CatalogError) -> [Submission] {
        try read {
            var sql = "SELECT \(Self.submissionColumns) FROM submission"
            var values: [SQLValue] = []
            if let state {
                // A row still `sending` belongs to a process that ended without an outcome: unknown.
                let states = state == .unknown ? [SubmissionState.unknown, .sending] : [state]
                values.append(.texts(states.map(\.rawValue)))
                sql += " WHERE state = ANY($1)"
            }
            sql += " ORDER BY id DESC"
            if let limit {
                values.append(.int(limit))
                sql += " LIMIT $\(values.count)"
            }
            return try session.query(sql, values).map(Self.submission)
        }
    }
}
