@testable import CameoCatalog
import CameoTestSupport
import Foundation
import GRDB
import Testing

/// Windows of up to 4 s, the widest a provider's dialect takes: both stores
/// keep them, refuse anything longer in the database itself, and a catalog
/// written when windows were 1 to 3 s migrates with all of its rows.
@Suite struct WindowLengthTests {
    @Test(arguments: Store.allCases) func anOlderCatalogMigratesAndKeepsFourSecondWindows(_ store: Store) throws {
        let scratch = try Scratch()
        let test = try TestCatalog(store, in: scratch)
        try writeCatalogWithThreeSecondWindows(test)

        let catalog = try test.open()
        let duck = try catalog.character(named: "duck")
        #expect(duck.window.description == "1,3" && duck.tags == ["pets"] && duck.notes == "kept")
        #expect(duck.activeIdentity?.username == "quackers.duck")
        #expect(try catalog.submissions().map(\.characterId) == [duck.id])

        let goose = try catalog.add(makeCharacter("goose", window: "0.5,4.5"))
        #expect(try catalog.character(named: "goose").window.description == "0.5,4.5")
        #expect(try catalog.update("duck", CharacterChange(window: CharacterWindow(parsing: "0,4"))).window.description == "0,4")
        // The database's own CHECK: 4 s and no more, whoever writes.
        #expect(throws: (any Error).self) { try rawWrite(test, windowEndMs: 4501, id: goose.id) }
        try rawWrite(test, windowEndMs: 4000, id: goose.id)
        #expect(try catalog.character(named: "goose").window.description == "0.5,4")
        // What hangs on the rebuilt table still works: the did-you-mean's index of alias pieces.
        #expect(throws: CatalogError.unknownAlias("gose", suggestion: "goose")) { try catalog.character(named: "gose") }
        if store == .sqlite {
            let triggers = try DatabaseQueue(path: test.location).read {
                try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'character' ORDER BY name")
            }
            #expect(triggers == ["aliasPiece_delete", "aliasPiece_insert", "aliasPiece_update"])
        }
    }

    @Test func theWindowBoundIsFourSeconds() throws {
        #expect(try CharacterWindow(parsing: "0,4").length == 4)
        #expect {
            try CharacterWindow(parsing: "0,4.001")
        } throws: { error in
            guard case .invalidWindow(_, let why) = error as? CatalogError else { return false }
            return why.contains("4.001 s long")
        }
    }

    /// The catalog as cameo wrote it up to the last migration before windows of 4 s.
    func writeCatalogWithThreeSecondWindows(_ test: TestCatalog) throws {
        let rows = """
            INSERT INTO character (alias, aliasKey, sourceURL, windowStartMs, windowEndMs, notes, createdAt, updatedAt)
            VALUES ('duck', 'duck', 'https://a.example/d.mp4', 1000, 3000, 'kept', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000');
            INSERT INTO characterTag (characterId, tag) VALUES (1, 'pets');
            INSERT INTO identity (characterId, username, usernameKey, origin, state, createdAt, updatedAt)
            VALUES (1, 'quackers.duck', 'quackers.duck', 'task', 'active', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000');
            INSERT INTO submission (characterId, endpoint, requestBody, state, createdAt, updatedAt)
            VALUES (1, 'https://x/v2', '{}', 'submitted', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000')
            """
        switch test.store {
        case .sqlite:
            let queue = try DatabaseQueue(path: test.location)
            let migrations = Schema.migrator.migrations
            let before = try #require(migrations.firstIndex(of: "widenWindowsToFourSeconds"))
            try Schema.migrator.migrate(queue, upTo: migrations[before - 1])
            try queue.write { db in
                try db.execute(sql: rows)
                // 4 s: refused before the migration.
                #expect(throws: DatabaseError.self) { try db.execute(sql: "UPDATE character SET windowEndMs = 5000") }
            }
            try queue.close()
        case .postgres:
            let old = PostgresSchema.migrations.prefix { $0.name != "widenWindowsToFourSeconds" }
            try test.sql(old.map(\.sql).joined(separator: "\n"))
            try test.sql(old.map { "INSERT INTO cameo.migrations (identifier) VALUES ('\($0.name)');" }.joined(separator: "\n"))
            let snake = rows.replacingOccurrences(of: "characterTag", with: "character_tag")
                .replacingOccurrences(of: "aliasKey", with: "alias_key").replacingOccurrences(of: "sourceURL", with: "source_url")
                .replacingOccurrences(of: "windowStartMs", with: "window_start_ms").replacingOccurrences(of: "windowEndMs", with: "window_end_ms")
                .replacingOccurrences(of: "characterId", with: "character_id").replacingOccurrences(of: "usernameKey", with: "username_key")
                .replacingOccurrences(of: "requestBody", with: "request_body").replacingOccurrences(of: "createdAt", with: "created_at")
                .replacingOccurrences(of: "updatedAt", with: "updated_at").replacingOccurrences(of: "INSERT INTO ", with: "INSERT INTO cameo.")
                .replacingOccurrences(of: "00.000'", with: "00.000Z'")
            try test.sql(snake)
            #expect(throws: PostgresCluster.ClusterError.self) { try test.sql("UPDATE cameo.character SET window_end_ms = 5000") }
        }
    }

    func rawWrite(_ test: TestCatalog, windowEndMs: Int, id: Int64) throws {
        switch test.store {
        case .sqlite:
            try DatabaseQueue(path: test.location).write { db in
                try db.execute(sql: "UPDATE character SET windowEndMs = ? WHERE id = ?", arguments: [windowEndMs, id])
            }
        case .postgres:
            try test.sql("UPDATE cameo.character SET window_end_ms = \(windowEndMs) WHERE id = \(id)")
        }
    }
}
