import CameoTestSupport
import Foundation
import Testing

/// Text from outside (catalog notes, display names, file names, arguments
/// quoted back in errors) reaches the terminal escaped; names refuse invisible characters.
@Suite struct TerminalSafetyTests {
    let scratch: Scratch
    let cli: CLI
    let hostile = "hi\u{1B}]0;owned\u{07}\u{1B}[2J\u{202E}gnp\u{9B}1m"

    init() throws {
        scratch = try Scratch()
        cli = CLI(database: scratch.path("catalog.sqlite"), home: scratch.path("home"))
    }

    @Test func catalogTextIsShownEscaped() throws {
        let added = try cli.run("add", "duck", "--url", "https://a.example/d.mp4", "--window", "1,3", "--no-probe", "--note", hostile)
        #expect(added.status == 0, "\(added)")
        let resolved = try cli.run("resolve", "duck", "quackers.duck", "--display-name", hostile, "--platform-id", "id\u{1B}[A")
        #expect(resolved.status == 0, "\(resolved)")
        let show = try cli.run("show", "duck")
        #expect(show.stdout.contains(#"notes      hi\u{1b}]0;owned\u{7}\u{1b}[2J\u{202e}gnp\u{9b}1m"#), "\(show)")
        #expect(show.stdout.contains(#"display name "hi\u{1b}]0;owned"#), "\(show)")
        #expect(show.stdout.contains(#"id id\u{1b}[A"#), "\(show)")
        for result in [show, try cli.run("list"), try cli.run("list", "--json"), try cli.run("export")] {
            #expect(!result.stdout.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{202E}" || $0 == "\u{9B}" }, "\(result)")
        }
        // JSON keeps the text exactly (as \u escapes), so programs read back what was stored.
        let json = try cli.run("show", "duck", "--json")
        #expect(json.stdout.contains(#"\u202e"#) && json.stdout.contains(#"\u009b"#), "\(json)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["notes"] as? String == hostile)
    }

    @Test func requestBodiesStayValidJSONWithoutRawControls() throws {
        try cli.run("add", "duck", "--url", "https://a.example/d.mp4", "--window", "1,3", "--no-probe")
        try cli.run("resolve", "duck", "quackers.duck")
        let prompt = "@duck \u{202E}跳舞\u{9B}"
        for arguments in [["request", prompt, "--model", "sora-2", "--json"], ["request", prompt, "--model", "sora-2"]] {
            let result = try cli.run(arguments)
            #expect(result.status == 0, "\(result)")
            #expect(!result.stdout.unicodeScalars.contains { $0 == "\u{202E}" || $0 == "\u{9B}" }, "\(result)")
            let body = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(body["prompt"] as? String == "@quackers.duck \u{202E}跳舞\u{9B}")
        }
    }

    @Test func argumentsQuotedInErrorsAreEscaped() throws {
        for arguments in [["show", "\u{1B}[31mx"], ["windows", "/nope/\u{1B}]0;t\u{07}.mp4"], ["windows", Repository.fixture("one-second.mp4"), "--top", "\u{1B}[2J\u{202E}"]] {
            let result = try cli.run(arguments)
            #expect([2, 64].contains(result.status), "\(arguments) \(result)")
            #expect(result.stderr.contains(#"\u{1b}"#), "\(result)")
            #expect(!result.stderr.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{202E}" || $0 == "\u{07}" }, "\(result)")
        }
        let error = try cli.run("rm", "x\ny", "--yes")
        #expect(error.stderr.split(separator: "\n").count == 1, "one line: \(error)")
    }

    @Test func namesRefuseInvisibleCharactersAndStackedMarks() throws {
        for alias in ["d\u{200B}uck", "du\u{202E}ck", "d\u{2066}uck", "d\u{00AD}uck", "duck\u{FE0F}", "x" + String(repeating: "\u{301}", count: 5)] {
            let result = try cli.run("add", alias, "--url", "https://a.example/d.mp4", "--window", "1,3", "--no-probe")
            #expect(result.status == 64, "\(alias.unicodeScalars.map(\.value)) \(result)")
        }
        for tag in ["pe\u{200D}ts", "pets\u{200F}", "a" + String(repeating: "\u{308}", count: 6)] {
            let result = try cli.run("add", "tagged", "--url", "https://a.example/d.mp4", "--window", "1,3", "--no-probe", "--tag", tag)
            #expect(result.status == 64, "\(result)")
            #expect(result.stderr.contains("invalid tag"), "\(result)")
        }
        // Scripts that need marks keep them: Vietnamese stacks two on one letter.
        let vietnamese = try cli.run("add", "vịt-ngỗ\u{323}", "--url", "https://a.example/d.mp4", "--window", "1,3", "--no-probe")
        #expect(vietnamese.status == 0, "\(vietnamese)")
        let imported = try scratch.write("import.json", """
            {"version": 1, "characters": [{"alias": "im\\u200bp", "source_url": "https://a.example/d.mp4", "window": {"start": 1, "end": 3},
              "notes": "", "tags": [], "usernames": [], "created_at": "2025-01-01T00:00:00.000Z", "updated_at": "2025-01-01T00:00:00.000Z"}]}
            """)
        let result = try cli.run("import", imported)
        #expect(result.status == 4, "\(result)")
        #expect(result.stderr.contains("an invisible or direction-changing character (U+200B)"), "\(result)")
    }
}
