import CameoCatalog
import CameoTestSupport
import Foundation
import Testing

/// The command line on a team's PostgreSQL catalog: moving a personal catalog
/// there, and failures that name the server without ever showing a password.
@Suite struct PostgresCommandTests {
    @Test func exportPipedIntoImportMovesAPersonalCatalog() throws {
        let scratch = try Scratch()
        let personal = CLI(database: scratch.path("mine.sqlite"), home: scratch.path("home"))
        #expect(try personal.run("add", "duck", "--url", "https://cdn.example.com/d.mp4", "--window", "0.5,2.5", "--tag", "pets",
                                 "--note", "yellow", "--no-probe").status == 0)
        #expect(try personal.run("add", "Café", "--url", "https://cdn.example.com/c.mp4", "--window", "1,3", "--no-probe").status == 0)
        #expect(try personal.run("resolve", "duck", "quackers.duck").status == 0)
        let exported = try personal.run("export")
        #expect(exported.status == 0)

        let team = try TestCatalog(.postgres, in: scratch).cli(home: scratch.path("home"))
        let imported = try team.run(["import", "-"], stdin: exported.stdout)
        #expect(imported.status == 0, "\(imported)")
        // The team's catalog holds the same characters, byte for byte as cameo writes them.
        #expect(try team.run("export").stdout == exported.stdout)
        #expect(try team.run("show", "CAFÉ").stdout == personal.run("show", "café").stdout)
        // Importing again clashes, and nothing changes.
        let again = try team.run(["import", "-"], stdin: exported.stdout)
        #expect(again.status == 3 && again.stderr.contains("nothing was imported"), "\(again)")
        #expect(try team.run("export").stdout == exported.stdout)
    }

    /// `export --history | import -` copies the submissions too, attached to the same characters.
    @Test func historyMovesWithTheCharacters() throws {
        let scratch = try Scratch()
        let personal = CLI(database: scratch.path("mine.sqlite"), home: scratch.path("home"))
        #expect(try personal.run("add", "duck", "--url", "https://cdn.example.com/d.mp4", "--window", "1,3", "--no-probe").status == 0)
        let mine = try Catalog.open(at: scratch.path("mine.sqlite"))
        var sent = try mine.record(Submission(characterId: try mine.character(named: "duck").id, endpoint: "https://api.example.com/v2/videos",
                                              requestBody: "{\"prompt\":\"@duck swims\"}", state: .sending))
        sent.state = .submitted
        sent.taskId = "task-1"
        sent.httpStatus = 200
        try mine.update(sent)
        _ = try mine.record(Submission(characterId: nil, endpoint: "https://api.example.com/v2/videos", requestBody: "{}", state: .failed))
        let exported = try personal.run("export", "--history")
        #expect(exported.status == 0 && exported.stdout.contains("task-1"), "\(exported)")

        let team = try TestCatalog(.postgres, in: scratch).cli(home: scratch.path("home"))
        #expect(try team.run(["import", "-"], stdin: exported.stdout).status == 0)
        #expect(try team.run("export", "--history").stdout == exported.stdout)
        #expect(try team.run("history").stdout == personal.run("history").stdout)
    }

    @Test func aWrongPasswordIsRefusedWithoutShowingIt() throws {
        let scratch = try Scratch()
        let test = try TestCatalog(.postgres, in: scratch)
        let fromEnvironment = "env-secret-\(UUID().uuidString.prefix(6))"
        let wrong = test.cli(home: scratch.path("home"), extra: ["PGPASSWORD": fromEnvironment])
        let refused = try wrong.run("list")
        #expect(refused.status == 5, "\(refused)")
        #expect(refused.stderr.hasPrefix("cameo: error: cannot open the catalog at \(test.location): cannot connect: "), "\(refused)")
        #expect(refused.stderr.split(separator: "\n").count == 1)
        #expect(!refused.stderr.contains(fromEnvironment) && !refused.stdout.contains(fromEnvironment))

        let inURL = "url-secret-\(UUID().uuidString.prefix(6))"
        let url = test.location.replacingOccurrences(of: "cameo@", with: "cameo:\(inURL)@")
        let refusedURL = try test.cli(home: scratch.path("home")).run("list", "--db", url)
        #expect(refusedURL.status == 5, "\(refusedURL)")
        #expect(!refusedURL.stderr.contains(inURL) && refusedURL.stderr.contains(test.location), "\(refusedURL)")
    }

    @Test func anUnreachableServerIsACatalogError() throws {
        let scratch = try Scratch()
        let cli = CLI(database: "postgres://cameo@127.0.0.1:1/team", home: scratch.path("home"), extra: ["PGSSLMODE": "disable"])
        let result = try cli.run("show", "duck")
        #expect(result.status == 5, "\(result)")
        #expect(result.stderr.hasPrefix("cameo: error: cannot open the catalog at postgres://cameo@127.0.0.1:1/team: cannot connect:"), "\(result)")
    }
}
