import CameoTestSupport
import Foundation
import GRDB
import Testing

/// Decodes one JSON document from a command's stdout.
func json(_ result: CLI.Result) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(result.stdout.utf8), options: [.fragmentsAllowed])
}

@Suite struct CatalogCommandTests {
    let scratch: Scratch
    let cli: CLI

    init() throws {
        scratch = try Scratch()
        cli = CLI(database: scratch.path("catalog.sqlite"), home: scratch.path("home"))
    }

    func addDuck() throws {
        let result = try cli.run("add", "duck", "--url", "https://cdn.example.com/duck.mp4", "--window", "0.5,2.5",
                                 "--tag", "pets", "--note", "yellow", "--no-probe")
        #expect(result.status == 0, "\(result)")
    }

    @Test func addThenShowJSON() throws {
        try addDuck()
        let result = try cli.run("show", "DUCK", "--json")
        #expect(result.status == 0)
        let object = try #require(try json(result) as? [String: Any])
        #expect(object["alias"] as? String == "duck")
        #expect(object["source_url"] as? String == "https://cdn.example.com/duck.mp4")
        #expect((object["window"] as? [String: Double]) == ["start": 0.5, "end": 2.5])
        #expect(object["username"] is NSNull)
        #expect((object["usernames"] as? [Any])?.isEmpty == true)
        #expect(object["notes"] as? String == "yellow")
        #expect(object["tags"] as? [String] == ["pets"])
    }

    @Test func humanOutputs() throws {
        try addDuck()
        try cli.run("add", "小鸭子", "--url", "https://cdn.example.com/x.mp4", "--window", "1,3", "--no-probe")
        try cli.run("resolve", "duck", "@quackers.duck")
        // Padded for a terminal (asked for here: the test's stdout is a pipe)…
        let list = try cli.run("list", "--format", "table")
        #expect(list.stdout == """
            ALIAS   WINDOW   USERNAME        TAGS
            duck    0.5,2.5  @quackers.duck  pets
            小鸭子  1,3      -

            """)
        // …and tab-separated, without padding, for another program.
        let piped = try cli.run("list")
        #expect(piped.stdout == "ALIAS\tWINDOW\tUSERNAME\tTAGS\nduck\t0.5,2.5\t@quackers.duck\tpets\n小鸭子\t1,3\t-\t\n")
        let show = try cli.run("show", "duck")
        #expect(show.stdout.contains("window     0.5,2.5  (2 s)"))
        #expect(show.stdout.contains("username   @quackers.duck  (active,"))
    }

    @Test func listFiltersByTagAndText() throws {
        try addDuck()
        try cli.run("add", "cookie", "--url", "https://cdn.example.com/c.mp4", "--window", "1,3", "--tag", "jar", "--no-probe")
        try cli.run("resolve", "cookie", "crumbs.jar")
        func aliases(_ arguments: String...) throws -> [String] {
            let result = try cli.run(["list", "--json"] + arguments)
            return try #require(try json(result) as? [[String: Any]]).compactMap { $0["alias"] as? String }
        }
        #expect(try aliases() == ["cookie", "duck"])
        #expect(try aliases("--tag", "pets") == ["duck"])
        #expect(try aliases("crumbs") == ["cookie"])
        #expect(try aliases("YELLOW") == ["duck"])
        #expect(try aliases("nothing-like-this") == [])
    }

    @Test func editRenameResolveRemove() throws {
        try addDuck()
        var result = try cli.run("edit", "duck", "--window", "1,3", "--untag", "pets", "--tag", "yard", "--note", "", "--json")
        #expect(result.status == 0, "\(result)")
        var object = try #require(try json(result) as? [String: Any])
        #expect((object["window"] as? [String: Double]) == ["start": 1, "end": 3])
        #expect(object["tags"] as? [String] == ["yard"])
        #expect(object["notes"] as? String == "")
        result = try cli.run("resolve", "duck", "quackers", "--display-name", "Quackers", "--platform-id", "ch_1")
        #expect(result.status == 0)
        result = try cli.run("rename", "duck", "quacky", "--json")
        object = try #require(try json(result) as? [String: Any])
        #expect(object["alias"] as? String == "quacky")
        #expect(object["username"] as? String == "quackers")
        let identity = try #require((object["usernames"] as? [[String: Any]])?.first)
        #expect(identity["display_name"] as? String == "Quackers")
        #expect(identity["platform_character_id"] as? String == "ch_1")
        #expect(identity["origin"] as? String == "manual")
        #expect(identity["state"] as? String == "active")
        result = try cli.run("rm", "quacky", "--yes")
        #expect(result.status == 0)
        #expect(try cli.run("show", "quacky").status == 2)
    }

    @Test func rmAsksOnlyOnATerminal() throws {
        try addDuck()
        let result = try cli.run("rm", "duck")
        #expect(result.status == 64)
        #expect(result.stderr.contains("--yes"))
        #expect(try cli.run("show", "duck").status == 0)
    }

    @Test func historyIsEmptyAtFirst() throws {
        let result = try cli.run("history", "--json")
        #expect(result.status == 0)
        #expect((try json(result) as? [Any])?.isEmpty == true)
    }

    /// Every refused input: one line on stderr naming the problem, the documented exit code, nothing changed.
    @Test(arguments: [
        (["add", "duck", "--url", "https://a.example/d.mp4", "--window", "1,3", "--no-probe"], 3, "already exists"),
        (["add", "x", "--url", "https://a.example/d.mp4", "--window", "3,1", "--no-probe"], 64, "end must be after start"),
        (["add", "x", "--url", "https://a.example/d.mp4", "--window", "0,5", "--no-probe"], 64, "5 s long; write START,END in seconds, 1 to 4 seconds long"),
        (["add", "x", "--url", "https://a.example/d.mp4", "--window", "1,1.5", "--no-probe"], 64, "0.5 s long"),
        (["add", "x", "--url", "https://a.example/d.mp4", "--window=-1,1", "--no-probe"], 64, "before 0"),
        (["add", "x", "--url", "https://a.example/d.mp4", "--window", "a,b", "--no-probe"], 64, "not a number"),
        (["add", "x", "--url", "file:///tmp/d.mp4", "--window", "1,3", "--no-probe"], 64, "only http and https"),
        (["add", "bad alias", "--url", "https://a.example/d.mp4", "--window", "1,3", "--no-probe"], 64, "invalid alias"),
        (["show", "dcuk"], 2, "did you mean \"duck\""),
        (["edit", "nobody", "--note", "x"], 2, "no character named"),
        (["edit", "duck", "--window", "2,9"], 64, "7 s long"),
        (["rename", "duck", "goose"], 3, "already exists"),
        (["rename", "duck", "no way"], 64, "invalid alias"),
        (["resolve", "duck", "bad name!"], 64, "invalid username"),
        (["resolve", "goose", "quackers.duck"], 3, "already belongs to \"duck\""),
        (["rm", "nobody", "--yes"], 2, "no character named"),
        (["import", "/nonexistent/file.json"], 2, "no file at"),
    ] as [([String], Int32, String)])
    func refusesBadInput(_ arguments: [String], _ status: Int32, _ message: String) throws {
        try addDuck()
        try cli.run("add", "goose", "--url", "https://cdn.example.com/g.mp4", "--window", "1,3", "--no-probe")
        try cli.run("resolve", "duck", "quackers.duck")
        let before = try cli.run("export").stdout
        let result = try cli.run(arguments)
        #expect(result.status == status, "\(result)")
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("cameo: error: "))
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(try cli.run("export").stdout == before)
    }

    @Test(arguments: [
        ("not json at all", "not valid JSON"),
        ("{\"version\":1,\"characters\":[{\"alias\":\"ok\",\"source_url\":\"https://a/b\",\"window\":{\"start\":1,\"end\":3}},{\"alias\":\"bad\",\"source_url\":\"https://a/b\",\"window\":{\"start\":3,\"end\":1}}]}", "characters[1]: invalid window"),
        ("{\"version\":7,\"characters\":[]}", "format version 7"),
        ("{\"version\":1,\"characters\":[{\"alias\":\"ok\",\"source_url\":\"ftp://a/b\",\"window\":{\"start\":1,\"end\":3}}]}", "characters[0]: invalid source URL"),
        // An impossible calendar date, after a good entry: named by entry and field, nothing imported.
        ("{\"version\":1,\"characters\":[{\"alias\":\"ok\",\"source_url\":\"https://a/b\",\"window\":{\"start\":1,\"end\":3}},{\"alias\":\"feb\",\"source_url\":\"https://a/b\",\"window\":{\"start\":1,\"end\":3},\"created_at\":\"2026-02-30T10:00:00.000Z\"}]}",
         "characters[1].created_at: \"2026-02-30T10:00:00.000Z\" is not a time: a calendar date of years 1000 to 9999 that exists"),
    ])
    func refusesMalformedImports(_ contents: String, _ message: String) throws {
        try addDuck()
        let before = try cli.run("export").stdout
        let file = try scratch.write("import.json", contents)
        let result = try cli.run("import", file)
        #expect(result.status == 4, "\(result)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(try cli.run("export").stdout == before)
    }

    @Test func unreadableImportFile() throws {
        guard getuid() != 0 else { return }  // root reads anything; the check is meaningless there.
        let file = try scratch.write("secret.json", "{}")
        chmod(file, 0)
        let result = try cli.run("import", file)
        #expect(result.status == 4)
        #expect(result.stderr.contains("cannot read"))
    }

    @Test func importConflictPolicies() throws {
        try addDuck()
        let exported = try scratch.write("export.json", try cli.run("export").stdout)
        var result = try cli.run("import", exported)
        #expect(result.status == 3)
        #expect(result.stderr.contains("--on-conflict"))
        result = try cli.run("import", exported, "--on-conflict", "skip")
        #expect(result.status == 0)
        #expect(result.stderr.contains("skipped 1"))
        try cli.run("edit", "duck", "--note", "changed")
        result = try cli.run("import", exported, "--on-conflict", "replace")
        #expect(result.status == 0)
        #expect(try cli.run("show", "duck", "--json").stdout.contains("\"notes\" : \"yellow\""))
        result = try cli.run("import", exported, "--on-conflict", "merge")
        #expect(result.status == 64)
    }

    @Test func exportThenImportIntoAnEmptyCatalogListsTheSame() throws {
        try addDuck()
        try cli.run("add", "小鸭子", "--url", "https://cdn.example.com/x.mp4", "--window", "0.25,3", "--no-probe", "--note", "多行\nnotes")
        try cli.run("resolve", "duck", "first.duck")
        try cli.run("resolve", "duck", "second.duck", "--display-name", "Second", "--avatar-url", "https://img.example/a.png")
        try cli.run("resolve", "小鸭子", "xiaoya")
        let file = scratch.path("out/export.json")
        try FileManager.default.createDirectory(atPath: scratch.path("out"), withIntermediateDirectories: true)
        #expect(try cli.run("export", "--out", file).status == 0)
        let other = CLI(database: scratch.path("empty.sqlite"), home: scratch.path("home"))
        let imported = try other.run("import", file)
        #expect(imported.status == 0, "\(imported)")
        let original = try cli.run("list", "--json").stdout
        #expect(!original.isEmpty)
        #expect(try other.run("list", "--json").stdout == original)
        #expect(try other.run("export").stdout == cli.run("export").stdout)
    }

    @Test func importReadsStdin() throws {
        try addDuck()
        let exported = try cli.run("export").stdout
        let other = CLI(database: scratch.path("second.sqlite"), home: scratch.path("home"))
        #expect(try other.run(["import", "-"], stdin: exported).status == 0)
        #expect(try other.run("show", "duck").status == 0)
    }

    @Test func dbFlagBeatsEnvironmentAndXDGIsTheDefault() throws {
        let flagged = scratch.path("flag.sqlite")
        #expect(try cli.run("add", "a", "--url", "https://x.example/a.mp4", "--window", "1,3", "--no-probe", "--db", flagged).status == 0)
        #expect(FileManager.default.fileExists(atPath: flagged))
        #expect(try cli.run("list", "--json").stdout.contains("\"a\"") == false)
        var environment = cli.environment
        environment.removeValue(forKey: "CAMEO_DB")
        var plain = cli
        plain.environment = environment
        #expect(try plain.run("add", "b", "--url", "https://x.example/b.mp4", "--window", "1,3", "--no-probe").status == 0)
        #expect(FileManager.default.fileExists(atPath: scratch.path("home/data/cameo/catalog.sqlite")))
    }

    @Test func refusesAFileThatIsNotSQLite() throws {
        let path = try scratch.write("notes.txt", "my shopping list\n")
        let other = CLI(database: path, home: scratch.path("home"))
        let result = try other.run("list")
        #expect(result.status == 5)
        #expect(result.stderr.contains("is not a cameo catalog"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "my shopping list\n")
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    /// A folder given as the catalog used to trap inside FileHandle's read (exit 132).
    @Test func refusesAFolderAsTheCatalog() throws {
        let folder = scratch.path("folder.sqlite")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let other = CLI(database: folder, home: scratch.path("home"))
        for arguments in [["list"], ["show", "duck"], ["add", "duck", "--url", "https://a.example/d.mp4", "--window", "1,3", "--no-probe"]] {
            let result = try other.run(arguments)
            #expect(result.status == 5, "\(arguments)")
            #expect(result.stderr.contains("cannot open the catalog at \(folder): it cannot be read"), "\(arguments)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    @Test func refusesACatalogFromANewerSchema() throws {
        try addDuck()
        try DatabaseQueue(path: scratch.path("catalog.sqlite")).write {
            try $0.execute(sql: "INSERT INTO grdb_migrations VALUES ('v99-future')")
        }
        let result = try cli.run("add", "x", "--url", "https://a.example/x.mp4", "--window", "1,3", "--no-probe")
        #expect(result.status == 5)
        #expect(result.stderr.contains("newer cameo"))
        #expect(result.stderr.contains("v99-future"))
    }
}
