import CameoText
import Foundation
import PostgresNIO

/// The trash of a PostgreSQL catalog: the same entries, undo and errors as
/// the SQLite catalog's (Trash.swift). Each character's rows are kept as one
/// jsonb document, taken and put back by the server itself, so every column
/// travels as the database holds it.
extension PostgresCatalog {
    /// The columns an undo puts back on a character row that still exists (all but its id).
    static let restoredColumns = [
        "alias", "alias_key", "source_url", "window_start_ms", "window_end_ms", "notes", "clip_path", "clip_sha256", "clip_duration",
        "clip_probe", "source_check", "source_duration", "source_probe", "person_check", "created_at", "updated_at",
    ]

    public func trash() throws(CatalogError) -> [TrashEntry] {
        try read { try trashEntries() }
    }

    /// Restores change `id` (the newest when nil) and forgets it. The entry
    /// and the character rows it touches are locked first, so an undo racing
    /// an edit, a rename or another undo waits for it and sees what it did.
    public func undo(_ id: Int64?) throws(CatalogError) -> RestoredChange {
        try write {
            let entry = try lockedEntry(id)
            let items = try session.query("""
                SELECT position, character_id, alias, rows IS NULL FROM trash_item WHERE trash_id = $1 ORDER BY position
                """, [.int(entry.id)]).map { row in
                let stored = PostgresStoredRow(row: row) { "an item of trash entry #\(entry.id)" }
                return (position: Int(try stored.value(0, "position", as: Int32.self)), characterId: try stored.value(1, "character_id", as: Int64.self),
                        alias: try stored.optional(2, "alias", as: String.self), created: try stored.value(3, "rows", as: Bool.self))
            }
            let leaving = items.filter(\.created).map(\.characterId)
            try refuseClashes(entry.id, items.filter { !$0.created }.map { ($0.position, $0.characterId, $0.alias ?? "") }, leaving: leaving)
            var restored: [String] = [], removed: [String] = []
            do {
                // Rows the change created go first: their aliases may be the ones coming back.
                for id in leaving {
                    if let alias = try session.query("DELETE FROM character WHERE id = $1 RETURNING alias", [.int(id)]).first {
                        removed.append(try alias[0].decode(String.self))
                    }
                }
                for item in items where !item.created {
                    try restore(trashId: entry.id, position: item.position, characterId: item.characterId)
                    restored.append(item.alias ?? "")
                }
            } catch where PostgresSession.sqlState(error) == "23505" {
                // Another client took a name between the check and the restore.
                throw CatalogError.restoreConflict(["another client took one of its aliases or usernames meanwhile (\(PostgresSession.describe(error)))"])
            }
            try session.execute("DELETE FROM trash WHERE id = $1", [.int(entry.id)])
            return RestoredChange(entry: entry, restored: restored, removed: removed)
        }
    }

    /// The entry an undo takes back, locked with the character rows it
    /// touches. A concurrent undo that took it first, or an edit that kept a
    /// newer change of those characters while this waited, makes the newest another one.
    func lockedEntry(_ id: Int64?) throws -> TrashEntry {
        while true {
            let wanted: Int64
            if let id {
                wanted = id
            } else {
                guard let newest = try session.query("SELECT id FROM trash ORDER BY id DESC LIMIT 1").first else { throw CatalogError.nothingToUndo }
                wanted = try newest[0].decode(Int64.self)
            }
            if try !session.query("SELECT 1 FROM trash WHERE id = $1 FOR UPDATE", [.int(wanted)]).isEmpty,
               let entry = try trashEntries(id: wanted).first {
                try session.execute("SELECT id FROM character WHERE id = ANY($1) ORDER BY id FOR UPDATE", [.ints(entry.items.map(\.characterId))])
                // Each statement sees what committed before it: a change that waited on these rows shows now.
                let newest = try session.query("SELECT max(id) FROM trash").first?[0].decode(Int64?.self)
                if id != nil || newest == wanted { return entry }
                continue
            }
            if let id { throw CatalogError.unknownTrashEntry(id) }
        }
    }

    /// Keeps the rows of these characters, as they are now, in the trash
    /// (inside the transaction of the change that is about to alter them).
    /// Returns the entry's id, or nil when there was nothing to keep.
    @discardableResult
    func keepInTrash(_ action: TrashAction, characterIds: [Int64]) throws -> Int64? {
        guard !characterIds.isEmpty else { return nil }
        let trashId = try session.query("INSERT INTO trash (action, created_at) VALUES ($1, ms_to_time($2)) RETURNING id",
                                         [.text(action.rawValue), .time(transactionTime)]).first?[0].decode(Int64.self) ?? 0
        var position = 0
        for id in characterIds {
            let kept = try session.query("""
                INSERT INTO trash_item (trash_id, position, character_id, alias, usernames, rows)
                SELECT $1, $2, c.id, c.alias, (SELECT count(*) FROM identity WHERE character_id = c.id),
                       jsonb_build_object(
                           'character', to_jsonb(c),
                           'tags', COALESCE((SELECT jsonb_agg(to_jsonb(t)) FROM character_tag t WHERE t.character_id = c.id), '[]'),
                           'identities', COALESCE((SELECT jsonb_agg(to_jsonb(i) ORDER BY i.id) FROM identity i WHERE i.character_id = c.id), '[]'),
                           'submissions', COALESCE((SELECT jsonb_agg(s.id ORDER BY s.id) FROM submission s WHERE s.character_id = c.id), '[]'))
                FROM character c WHERE c.id = $3
                RETURNING 1
                """, [.int(trashId), .int(position), .int(id)])
            position += kept.count
        }
        try session.execute("DELETE FROM trash WHERE id NOT IN (SELECT id FROM trash ORDER BY id DESC LIMIT \(Catalog.trashCapacity))")
        return trashId
    }

    /// Rows the change of trash entry `trashId` created: undoing it removes them.
    func noteAddedInTrash(_ trashId: Int64, added: [Int64]) throws {
        guard !added.isEmpty else { return }
        try session.execute("""
            INSERT INTO trash_item (trash_id, position, character_id, usernames)
            SELECT $1, (SELECT count(*) FROM trash_item WHERE trash_id = $1) + n - 1, id, 0 FROM unnest($2::bigint[]) WITH ORDINALITY AS added(id, n)
            """, [.int(trashId), .ints(added)])
    }

    /// Entries newest first (only `id` when given), with their items in order.
    func trashEntries(id: Int64? = nil) throws -> [TrashEntry] {
        let filter = id == nil ? "" : " WHERE id = $1"
        let itemFilter = id == nil ? "" : " WHERE trash_id = $1"
        let values: [SQLValue] = id.map { [.int($0)] } ?? []
        var items: [Int64: [TrashEntry.Item]] = [:]
        for row in try session.query("SELECT trash_id, character_id, alias, usernames FROM trash_item\(itemFilter) ORDER BY trash_id, position", values) {
            let stored = PostgresStoredRow(row: row) { "a trash item" }
            let trashId: Int64 = try stored.value(0, "trash_id")
            items[trashId, default: []].append(TrashEntry.Item(
                characterId: try stored.value(1, "character_id"), alias: try stored.optional(2, "alias"),
                usernames: Int(try stored.value(3, "usernames", as: Int32.self))))
        }
        return try session.query("SELECT id, action, time_to_ms(created_at) FROM trash\(filter) ORDER BY id DESC", values).map { row in
            let stored = PostgresStoredRow(row: row) { "a trash entry" }
            let id: Int64 = try stored.value(0, "id")
            return TrashEntry(id: id, action: try stored.word(1, "action"), createdAt: try stored.time(2, "created_at"),
                              items: items[id, default: []])
        }
    }

    /// An alias or username a kept character would bring back that another
    /// character holds now (rows the undo removes do not count).
    func refuseClashes(_ trashId: Int64, _ kept: [(position: Int, characterId: Int64, alias: String)], leaving: [Int64]) throws {
        var clashes: [String] = []
        for item in kept {
            let others: [SQLValue] = [.int(trashId), .int(item.position), .int(item.characterId), .ints(leaving)]
            for row in try session.query("""
                SELECT c.alias FROM trash_item t JOIN character c ON c.alias_key = t.rows->'character'->>'alias_key'
                WHERE t.trash_id = $1 AND t.position = $2 AND c.id <> $3 AND c.id <> ALL($4)
                """, others) {
                clashes.append("alias \(quoted(item.alias)) now belongs to \(quoted(try row[0].decode(String.self)))")
            }
            for row in try session.query("""
                SELECT x.value->>'username', c.alias
                FROM trash_item t, jsonb_array_elements(t.rows->'identities') WITH ORDINALITY AS x(value, n)
                JOIN identity i ON i.username_key = x.value->>'username_key'
                JOIN character c ON c.id = i.character_id
                WHERE t.trash_id = $1 AND t.position = $2 AND i.character_id <> $3 AND i.character_id <> ALL($4)
                ORDER BY x.n
                """, others) {
                clashes.append("username \(quoted(try row[0].decode(String.self))) of \(quoted(item.alias)) now belongs to \(quoted(try row[1].decode(String.self)))")
            }
        }
        if !clashes.isEmpty { throw CatalogError.restoreConflict(clashes) }
    }

    /// Puts one kept character back: its row keeps its id (updated in place
    /// when it still exists, so later submissions stay linked), its tags and
    /// usernames become the kept ones, its submissions left unattached come back to it.
    func restore(trashId: Int64, position: Int, characterId: Int64) throws {
        let kept: [SQLValue] = [.int(trashId), .int(position)]
        let source = "FROM trash_item t WHERE t.trash_id = $1 AND t.position = $2"
        if try session.query("SELECT 1 FROM character WHERE id = $1", [.int(characterId)]).isEmpty {
            try session.execute("""
                INSERT INTO character SELECT r.* FROM trash_item t, jsonb_populate_record(NULL::cameo."character", t.rows->'character') r
                WHERE t.trash_id = $1 AND t.position = $2
                """, kept)
        } else {
            try session.execute("""
                UPDATE character c SET \(Self.restoredColumns.map { "\($0) = r.\($0)" }.joined(separator: ", "))
                FROM trash_item t, jsonb_populate_record(NULL::cameo."character", t.rows->'character') r
                WHERE t.trash_id = $1 AND t.position = $2 AND c.id = r.id
                """, kept)
            try session.execute("DELETE FROM character_tag WHERE character_id = $1", [.int(characterId)])
            try session.execute("DELETE FROM identity WHERE character_id = $1", [.int(characterId)])
        }
        try session.execute("""
            INSERT INTO character_tag SELECT r.* FROM trash_item t, jsonb_populate_recordset(NULL::cameo.character_tag, t.rows->'tags') r
            WHERE t.trash_id = $1 AND t.position = $2
            """, kept)
        try session.execute("""
            INSERT INTO identity SELECT r.* FROM trash_item t, jsonb_populate_recordset(NULL::cameo.identity, t.rows->'identities') r
            WHERE t.trash_id = $1 AND t.position = $2 ORDER BY r.id
            """, kept)
        try session.execute("""
            UPDATE submission SET character_id = $3
            WHERE character_id IS NULL AND id IN (SELECT jsonb_array_elements_text(t.rows->'submissions')::bigint \(source))
            """, kept + [.int(characterId)])
    }
}
