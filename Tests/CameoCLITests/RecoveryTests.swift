import CameoTestSupport
import Foundation
import GRDB
import Testing

/// `cameo undo`, `cameo trash`, and exports that keep what they are given.
@Suite struct RecoveryTests {
    let scratch: Scratch
    let cli: CLI

    init() throws {
        scratch = try Scratch()
        cli = CLI(database: scratch.path("catalog.sqlite"), home: scratch.path("home"))
        let added = try cli.run("add", "duck", "--url", "https://cdn.example.com/duck.mp4", "--window", "1,3", "--no-probe")
        #expect(added.status == 0, "\(added)")
    }

    /// A catalog of `store` holding "duck", and the command line that uses it.
    static func duck(_ store: Store, in scratch: Scratch) throws -> (TestCatalog, CLI) {
        let test = try TestCatalog(store, in: scratch)
        let cli = test.cli(home: scratch.path("home"))
        let added = try cli.run("add", "duck", "--url", "https://cdn.example.com/duck.mp4", "--window", "1,3", "--no-probe")
        #expect(added.status == 0, "\(added)")
        return (test, cli)
    }

    @Test(arguments: Store.allCases) func removeThenUndoThenTrash(_ store: Store) throws {
        let scratch = try Scratch()
        let (_, cli) = try Self.duck(store, in: scratch)
        try cli.run("resolve", "duck", "quackers.duck")
        let removed = try cli.run("rm", "duck", "--yes")
        #expect(removed.status == 0)
        #expect(removed.stderr.contains("cameo undo"))

        let trash = try cli.run("trash", "--json")
        #expect(trash.status == 0, "\(trash)")
        let entries = try #require(try json(trash) as? [[String: Any]])
        #expect(entries.count == 1)
        #expect(entries.first?["change"] as? String == "rm")
        let characters = try #require(entries.first?["characters"] as? [[String: Any]])
        #expect(characters.first?["alias"] as? String == "duck")
        #expect(characters.first?["usernames"] as? Int == 1)

        let undo = try cli.run("undo")
        #expect(undo.status == 0, "\(undo)")
        #expect(undo.stderr.contains("restored \"duck\""))
        #expect(try cli.run("show", "duck").stdout.contains("@quackers.duck"))
        let empty = try cli.run("undo")
        #expect(empty.status == 2)
        #expect(empty.stderr.hasPrefix("cameo: error: nothing to undo"))
    }

    @Test(arguments: Store.allCases) func aClashingUndoExitsWithConflictAndChangesNothing(_ store: Store) throws {
        let scratch = try Scratch()
        let (_, cli) = try Self.duck(store, in: scratch)
        try cli.run("rm", "duck", "--yes")
        try cli.run("add", "duck", "--url", "https://cdn.example.com/other.mp4", "--window", "0,2", "--no-probe")
        let undo = try cli.run("undo")
        #expect(undo.status == 3, "\(undo)")
        #expect(undo.stderr.contains("alias \"duck\" now belongs to \"duck\""))
        #expect(undo.stderr.contains("nothing was changed"))
        #expect(try cli.run("show", "duck", "--json").stdout.contains("other.mp4"))
        #expect(try cli.run("trash").stdout.contains("rm"))
    }

    /// Another writer takes the alias while the undo runs: on SQLite it holds
    /// the write lock, so the undo waits and its check finds the new holder; on
    /// PostgreSQL the undo's check passes and its restore meets the other
    /// client's row in the unique index. Either way: exit 3, nothing changed.
    @Test(arguments: Store.allCases) func anAliasTakenWhileTheUndoRunsIsAConflict(_ store: Store) throws {
        let scratch = try Scratch()
        let (test, cli) = try Self.duck(store, in: scratch)
        #expect(try cli.run("rm", "duck", "--yes").status == 0)
        let undo: CLI.Result
        switch store {
        case .sqlite:
            let queue = try DatabaseQueue(path: test.location)
            undo = try queue.writeWithoutTransaction { db in
                try db.execute(sql: """
                    BEGIN IMMEDIATE;
                    INSERT INTO character (alias, aliasKey, sourceURL, windowStartMs, windowEndMs, createdAt, updatedAt)
                    VALUES ('duck', 'duck', 'https://cdn.example.com/meanwhile.mp4', 0, 2000, '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000')
                    """)
                let running = try cli.start(["undo"])
                usleep(300_000)
                try db.execute(sql: "COMMIT")
                return try running.finish()
            }
        case .postgres:
            let cluster = try PostgresCluster.start()
            let database = try #require(test.database)
            let holder = "holder_\(database)"
            // Commits once a cameo client of this database waits for a lock (its restore meeting this row).
            let taking = try cluster.startPsql("""
                BEGIN;
                INSERT INTO cameo.character (alias, alias_key, source_url, window_start_ms, window_end_ms, created_at, updated_at)
                VALUES ('duck', 'duck', 'https://cdn.example.com/meanwhile.mp4', 0, 2000, now(), now());
                DO $$ BEGIN FOR i IN 1..1200 LOOP
                    EXIT WHEN EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                                      WHERE NOT l.granted AND a.datname = current_database() AND a.application_name = 'cameo');
                    PERFORM pg_stat_clear_snapshot();
                    PERFORM pg_sleep(0.05);
                END LOOP; END $$;
                COMMIT;
                """, database: database, application: holder)
            // The row is in (not yet committed) once the holder sleeps in its loop.
            var waited = 0
            while try cluster.psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = '\(holder)' AND wait_event = 'PgSleep'") != "1" {
                waited += 1
                try #require(waited < 400, "the holder did not start: \(try? taking.finish(timeout: 1))")
                usleep(25_000)
            }
            undo = try cli.run("undo")
            let took = try taking.finish()
            #expect(took.status == 0, "\(took)")
        }
        #expect(undo.status == 3, "\(undo)")
        #expect(undo.stderr.hasPrefix("cameo: error: cannot undo: ") && undo.stderr.contains("nothing was changed"), "\(undo)")
        #expect(undo.stderr.split(separator: "\n").count == 1, "\(undo)")
        let listing = try cli.run("list", "--json")
        let characters = try #require(try json(listing) as? [[String: Any]])
        #expect(characters.count == 1 && characters.first?["source_url"] as? String == "https://cdn.example.com/meanwhile.mp4", "\(listing)")
        #expect(try cli.run("trash").stdout.contains("rm"))
    }

    @Test func exportOutDoesNotOverwriteWithoutForce() throws {
        let out = try scratch.write("export.json", "precious")
        let refused = try cli.run("export", "--out", out)
        #expect(refused.status == 3, "\(refused)")
        #expect(refused.stderr.contains("--force"))
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "precious")
        let forced = try cli.run("export", "--out", out, "--force")
        #expect(forced.status == 0, "\(forced)")
        #expect(try String(contentsOfFile: out, encoding: .utf8).contains("\"duck\""))
    }

    @Test func exportHistoryIsReadBackByImport() throws {
        try cli.run("resolve", "duck", "quackers.duck")
        // A request the provider refuses is recorded like any other.
        let server = try HTTPServer { _ in .json(#"{"error":{"message":"bad"}}"#, status: 400) }
        let sender = CLI(database: scratch.path("catalog.sqlite"), home: scratch.path("home"),
                         extra: ["CAMEO_API_KEY": "sk-test-1234567890", "CAMEO_BASE_URL": server.baseURL])
        let send = try sender.run("send", "@duck 在湖上", "--model", "sora-2")
        #expect(send.status == 6, "\(send)")

        let out = scratch.path("history.json")
        let export = try cli.run("export", "--history", "--out", out)
        #expect(export.status == 0, "\(export)")
        #expect(export.stderr.contains("1 submission(s)"))
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.contains("在湖上"))

        let other = CLI(database: scratch.path("other.sqlite"), home: scratch.path("home"))
        let imported = try other.run("import", out)
        #expect(imported.status == 0, "\(imported)")
        #expect(imported.stderr.contains("1 submission(s)"))
        let history = try other.run("history", "--json")
        let rows = try #require(try json(history) as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows.first?["http_status"] as? Int == 400)
    }
}
