import CameoTestSupport
import Foundation
import GRDB
import Testing

@Suite(.serialized) struct CatalogStressTests {
    /// Eight shells (or machines) adding at once, starting on a catalog that does not exist yet.
    @Test(arguments: Store.allCases) func eightProcessesAddFortyEachWithoutLoss(_ store: Store) async throws {
        let scratch = try Scratch()
        let test = try TestCatalog(store, in: scratch, file: "shared.sqlite")
        let cli = test.cli(home: scratch.path("home"))
        let failures = await withTaskGroup(of: [String].self) { group in
            for process in 0..<8 {
                group.addTask {
                    var failures: [String] = []
                    for index in 0..<40 {
                        do {
                            let result = try cli.run("add", "p\(process)-c\(index)", "--url", "https://cdn.example.com/\(process)/\(index).mp4",
                                                     "--window", "1,3", "--tag", "shell\(process)", "--no-probe")
                            if result.status != 0 { failures.append("p\(process)-c\(index): \(result)") }
                        } catch {
                            failures.append("p\(process)-c\(index): \(error)")
                        }
                    }
                    return failures
                }
            }
            var all: [String] = []
            for await failures in group { all += failures }
            return all
        }
        #expect(failures.isEmpty, "\(failures.prefix(3))")
        let counts = try Self.count(test, "SELECT COUNT(*) FROM character", "SELECT COUNT(DISTINCT aliasKey) FROM character",
                                    "SELECT COUNT(*) FROM characterTag")
        #expect(counts == [320, 320, 320])
    }

    /// Numbers the database itself counts; the queries are written for SQLite's
    /// names and rewritten to the PostgreSQL catalog's.
    static func count(_ test: TestCatalog, _ queries: String...) throws -> [Int] {
        switch test.store {
        case .sqlite:
            return try DatabaseQueue(path: test.location).read { db in try queries.map { try Int.fetchOne(db, sql: $0) ?? -1 } }
        case .postgres:
            return try queries.map { query in
                let rewritten = query.replacingOccurrences(of: "aliasKey", with: "alias_key")
                    .replacingOccurrences(of: "characterTag", with: "cameo.character_tag")
                    .replacingOccurrences(of: "FROM character", with: "FROM cameo.character")
                    .replacingOccurrences(of: "FROM identity", with: "FROM cameo.identity")
                return Int(try test.sql(rewritten)) ?? -1
            }
        }
    }

    /// Two people renaming and editing the same character at once: every
    /// command either does its work or fails with a clear not-found or
    /// conflict error, and the catalog ends with the one character, whole.
    @Test(arguments: Store.allCases) func renamingAndEditingTheSameAliasAtOnceStaysConsistent(_ store: Store) async throws {
        let scratch = try Scratch()
        let test = try TestCatalog(store, in: scratch)
        let cli = test.cli(home: scratch.path("home"))
        #expect(try cli.run("add", "duck", "--url", "https://cdn.example.com/d.mp4", "--window", "1,3", "--no-probe").status == 0)
        #expect(try cli.run("add", "swan", "--url", "https://cdn.example.com/s.mp4", "--window", "1,3", "--no-probe").status == 0)
        let rounds = 12
        let results = await withTaskGroup(of: [(String, CLI.Result?)].self) { group in
            // One renames duck to goose and back; one renames duck to swan (taken: a conflict); one edits duck.
            group.addTask {
                var results: [(String, CLI.Result?)] = []
                for _ in 0..<rounds {
                    results.append(("rename duck goose", try? cli.run("rename", "duck", "goose")))
                    results.append(("rename goose duck", try? cli.run("rename", "goose", "duck")))
                }
                return results
            }
            group.addTask {
                (0..<rounds).map { _ in ("rename duck swan", try? cli.run("rename", "duck", "swan")) }
            }
            group.addTask {
                (0..<rounds * 2).map { index in ("edit duck", try? cli.run("edit", "duck", "--note", "note \(index)", "--no-probe")) }
            }
            var all: [(String, CLI.Result?)] = []
            for await results in group { all += results }
            return all
        }
        var succeeded = 0
        for (command, result) in results {
            guard let result else {
                Issue.record("\(command) did not finish")
                continue
            }
            switch result.status {
            case 0:
                succeeded += 1
            case 2:
                #expect(result.stderr.contains("cameo: error: no character"), "\(command): \(result)")
            case 3:
                #expect(command == "rename duck swan" && result.stderr.contains("swan"), "\(command): \(result)")
            default:
                Issue.record("\(command) failed unclearly: \(result)")
            }
            #expect(result.stderr.split(separator: "\n").count <= 1, "\(command): \(result)")
        }
        #expect(succeeded > 0)
        let listing = try cli.run("list", "--json")
        #expect(listing.status == 0)
        let characters = try JSONSerialization.jsonObject(with: Data(listing.stdout.utf8)) as? [[String: Any]]
        let aliases = Set((characters ?? []).compactMap { $0["alias"] as? String })
        #expect(aliases == ["duck", "swan"] || aliases == ["goose", "swan"], "\(aliases)")
    }

    /// A reader that starts just as a writer changes SQLite's WAL index finds it
    /// half-written (here: its header zeroed, as a new connection's rebuild
    /// leaves it) with no lock held. It waits for the writer to put it right, as
    /// for a lock, instead of failing at once with exit 5 as "readonly" (the
    /// likely cause of renamingAndEditingTheSameAliasAtOnceStaysConsistent's rare
    /// unclear failure: every command there opens such a reader first).
    @Test func aReaderMeetingTheWALIndexMidChangeWaitsForAWriter() throws {
        let scratch = try Scratch()
        let test = try TestCatalog(.sqlite, in: scratch)
        let cli = test.cli(home: scratch.path("home"))
        #expect(try cli.run("add", "duck", "--url", "https://cdn.example.com/d.mp4", "--window", "1,3", "--no-probe").status == 0)
        // Another program's connection keeps the -shm mapped (so readers trust it) and a
        // moment later writes: its transaction finds the index header bad and rebuilds it.
        // It stays open until the reader is done: closing last, it would remove the WAL files.
        let ready = scratch.path("ready"), done = scratch.path("done")
        let writer = try CLI.Running(executable: "/usr/bin/python3", arguments: ["-c", """
            import os, sqlite3, sys, time
            db = sqlite3.connect(sys.argv[1], isolation_level=None)
            db.execute("SELECT COUNT(*) FROM character").fetchone()
            open(sys.argv[2], "w").close()
            time.sleep(2)
            db.execute("UPDATE character SET notes = 'seen'")
            for _ in range(600):
                if os.path.exists(sys.argv[3]): break
                time.sleep(0.05)
            """, test.location, ready, done], environment: ["PATH": "/usr/bin:/bin"], stdin: nil)
        var waited = 0
        while !FileManager.default.fileExists(atPath: ready) && waited < 1000 {
            usleep(10_000)
            waited += 1
        }
        // Zeroed from this process, which holds no lock on the file (closing a
        // descriptor would drop the writer's locks were it the writer's own).
        let index = try #require(FileHandle(forWritingAtPath: test.location + "-shm"))
        try index.write(contentsOf: Data(count: 136))
        try index.close()
        let listed = try cli.run("list", "--json")
        FileManager.default.createFile(atPath: done, contents: nil)
        let wrote = try writer.finish(timeout: 60)
        #expect(wrote.status == 0, "\(wrote)")
        #expect(listed.status == 0, "\(listed)")
        let characters = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]]
        // The snapshot from just before the writer's update, or from after it.
        #expect(characters?.count == 1 && ["", "seen"].contains(characters?.first?["notes"] as? String), "\(listed)")
    }

    /// An import killed at random moments leaves a sound catalog with all of that import or none of it.
    @Test(arguments: Store.allCases) func killedImportIsAllOrNothing(_ store: Store) throws {
        let scratch = try Scratch()
        let test = try TestCatalog(store, in: scratch)
        let cli = test.cli(home: scratch.path("home"))
        #expect(try cli.run("add", "before", "--url", "https://cdn.example.com/b.mp4", "--window", "1,3", "--no-probe").status == 0)
        let file = try scratch.write("big.json", Self.exportDocument(count: 20_000))

        // How long a whole import takes here, to spread the kills across it.
        let probeCLI = try TestCatalog(store, in: scratch, file: "timing.sqlite").cli(home: scratch.path("home"))
        let started = Date()
        let full = try probeCLI.run(["import", file], timeout: 300)
        #expect(full.status == 0, "\(full)")
        let duration = Date().timeIntervalSince(started)

        var random = SeededGenerator(seed: 20_000)
        var outcomes: [Int] = []
        for _ in 0..<5 {
            let running = try cli.start(["import", file, "--on-conflict", "skip"])
            usleep(useconds_t(Double.random(in: 0.05...0.95, using: &random) * duration * 1_000_000))
            running.kill()
            _ = try? running.finish(timeout: 30)
            if store == .sqlite {
                let integrity = try DatabaseQueue(path: test.location).read { try String.fetchOne($0, sql: "PRAGMA integrity_check") }
                #expect(integrity == "ok")
            }
            let counts = try Self.count(test, "SELECT COUNT(*) FROM character", "SELECT COUNT(*) FROM identity")
            #expect(counts == [1, 0] || counts == [20_001, 20_000], "partial import: \(counts) rows")
            outcomes.append(counts[0])
            if counts[0] == 20_001 {
                switch store {
                case .sqlite:
                    try DatabaseQueue(path: test.location).write { try $0.execute(sql: "DELETE FROM character WHERE alias != 'before'") }
                case .postgres:
                    try test.sql("DELETE FROM cameo.character WHERE alias <> 'before'")
                }
            }
        }
        #expect(outcomes.contains(1), "no kill landed inside the import: \(outcomes)")
    }

    static func exportDocument(count: Int) -> String {
        var entries: [String] = []
        entries.reserveCapacity(count)
        for index in 0..<count {
            entries.append("""
                {"alias":"bulk-\(index)","source_url":"https://cdn.example.com/bulk/\(index).mp4","window":{"start":\(index % 5),"end":\(index % 5 + 2)},\
                "notes":"note \(index)","tags":["bulk","t\(index % 7)"],"usernames":[{"username":"bulk.\(index)","state":"active","origin":"manual"}]}
                """)
        }
        return "{\"version\":1,\"characters\":[" + entries.joined(separator: ",") + "]}"
    }
}
