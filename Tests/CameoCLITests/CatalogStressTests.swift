import CameoTestSupport
import Foundation
import GRDB
import Testing

@Suite(.serialized) struct CatalogStressTests {
    /// Eight shells adding at once, starting on a catalog that does not exist yet.
    @Test func eightProcessesAddFortyEachWithoutLoss() async throws {
        let scratch = try Scratch()
        let cli = CLI(database: scratch.path("shared.sqlite"), home: scratch.path("home"))
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
        let counts = try await DatabaseQueue(path: scratch.path("shared.sqlite")).read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM character"),
             try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT aliasKey) FROM character"),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM characterTag"))
        }
        #expect(counts.0 == 320 && counts.1 == 320 && counts.2 == 320)
    }

    /// An import killed at random moments leaves a sound catalog with all of that import or none of it.
    @Test func killedImportIsAllOrNothing() throws {
        let scratch = try Scratch()
        let catalogPath = scratch.path("catalog.sqlite")
        let cli = CLI(database: catalogPath, home: scratch.path("home"))
        #expect(try cli.run("add", "before", "--url", "https://cdn.example.com/b.mp4", "--window", "1,3", "--no-probe").status == 0)
        let file = try scratch.write("big.json", Self.exportDocument(count: 20_000))

        // How long a whole import takes here, to spread the kills across it.
        let probeCLI = CLI(database: scratch.path("timing.sqlite"), home: scratch.path("home"))
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
            let (integrity, count) = try DatabaseQueue(path: catalogPath).read { db in
                (try String.fetchOne(db, sql: "PRAGMA integrity_check"), try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM character") ?? -1)
            }
            #expect(integrity == "ok")
            #expect(count == 1 || count == 20_001, "partial import: \(count) rows")
            outcomes.append(count)
            if count == 20_001 {
                try DatabaseQueue(path: catalogPath).write { try $0.execute(sql: "DELETE FROM character WHERE alias != 'before'") }
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
