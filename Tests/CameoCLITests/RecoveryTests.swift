import CameoTestSupport
import Foundation
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
