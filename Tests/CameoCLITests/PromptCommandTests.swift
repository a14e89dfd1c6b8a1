import CameoTestSupport
import Foundation
import Testing

@Suite struct PromptCommandTests {
    let scratch: Scratch
    let cli: CLI

    init() throws {
        scratch = try Scratch()
        cli = CLI(database: scratch.path("catalog.sqlite"), home: scratch.path("home"))
        for (alias, username) in [("duck", "quackers.duck"), ("cookie", "crumbs.jar"), ("小鸭子", "xiaoya"), ("newbie", nil)] as [(String, String?)] {
            try cli.run("add", alias, "--url", "https://cdn.example.com/\(alias).mp4", "--window", "1,3", "--no-probe")
            if let username { try cli.run("resolve", alias, username) }
        }
    }

    @Test func composesTheIssuesExample() throws {
        let result = try cli.run("compose", "@duck在舞台上和@cookie牵手跳舞")
        #expect(result.status == 0)
        #expect(result.stdout == "@quackers.duck 在舞台上和 @crumbs.jar 牵手跳舞\n")
        #expect(result.stderr.isEmpty)
    }

    @Test func composeReadsStdinAndIsIdempotent() throws {
        let once = try cli.run(["compose", "-"], stdin: "＠小鸭子跳舞，@duck!\n")
        #expect(once.stdout == "@xiaoya 跳舞， @quackers.duck !\n")
        #expect(once.stderr.contains("fullwidth-at"))
        let twice = try cli.run(["compose", "-"], stdin: once.stdout)
        #expect(twice.stdout == once.stdout)
    }

    @Test func composeErrorsPrintNothingOnStdout() throws {
        let result = try cli.run("compose", "@duckling在舞台上和@newbie跳舞")
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("error[unknown-character]: no character named \"duckling\""))
        #expect(result.stderr.contains("did you mean \"duck\"?"))
        #expect(result.stderr.contains("error[unresolved-character]"))
    }

    @Test func lintShowsCaretsUnderCJKAndFixes() throws {
        let result = try cli.run("lint", "和@cokie跳舞 @quackers.duck，", "--fix")
        #expect(result.status == 1)
        #expect(result.stderr.contains("1 | 和@cokie跳舞 @quackers.duck，\n  |   ^^^^^^ did you mean \"cookie\"?"))
        #expect(result.stderr.contains("error[missing-space]"))
        #expect(result.stdout == "和@cokie跳舞 @quackers.duck ，\n")
    }

    @Test func lintWithOnlyWarningsExitsZero() throws {
        let result = try cli.run("lint", "＠duck 跳舞")
        #expect(result.status == 0)
        #expect(result.stderr.contains("warning[fullwidth-at]"))
    }

    @Test func lintJSON() throws {
        let result = try cli.run("lint", "🦆 @cokie", "--json")
        #expect(result.status == 1)
        let document = try #require(try json(result) as? [String: Any])
        let diagnostic = try #require((document["diagnostics"] as? [[String: Any]])?.first)
        #expect(diagnostic["rule"] as? String == "unknown-character")
        #expect(diagnostic["severity"] as? String == "error")
        let span = try #require(diagnostic["span"] as? [String: Any])
        #expect(span["utf16"] as? [Int] == [3, 9])
        #expect(span["scalars"] as? [Int] == [2, 8])
        #expect(document["composed"] is NSNull)
    }

    @Test func rulesAreListedAndExplained() throws {
        let rules = try cli.run("lint", "--rules")
        for rule in ["unknown-character", "missing-space", "too-many-characters", "duration-25-needs-pro", "images-entry"] {
            #expect(rules.stdout.contains(rule))
        }
        let explained = try cli.run("lint", "--explain", "missing-space")
        #expect(explained.stdout.contains("Triggers:"))
        #expect(try cli.run("lint", "--explain", "no-such-rule").status == 2)
    }

    @Test func lintARequestWrittenByHand() throws {
        let file = try scratch.write("body.json", #"{"prompt":"@cokie跳舞","model":"sora-2","duration":10,"hd":true}"#)
        let result = try cli.run("lint", "--request", file, "--json")
        #expect(result.status == 1)
        let document = try #require(try json(result) as? [String: Any])
        let rules = (document["diagnostics"] as? [[String: Any]])?.compactMap { $0["rule"] as? String } ?? []
        #expect(Set(rules) == ["field-type", "hd-needs-pro"])
        #expect((document["prompt_diagnostics"] as? [[String: Any]])?.first?["rule"] as? String == "unknown-character")
        let broken = try scratch.write("broken.json", "[1,2]")
        #expect(try cli.run("lint", "--request", broken).status == 4)
    }

    /// Every findings document `lint` writes validates against its schema in
    /// schemas/, prompt and request findings in the one finding shape, with
    /// counts that match and text written as UTF-8, not escaped.
    @Test func lintDocumentsMatchTheirSchemas() throws {
        let lint = try DocumentSchema("lint")
        for prompt in ["🦆 @cokie", "@duck 跳舞", "＠duck @quackers.duck在舞台上 @duck", " ", "和@小鴨子跳舞"] {
            let result = try cli.run("lint", prompt, "--json")
            #expect(try lint.violations(of: Data(result.stdout.utf8)) == [], "\(prompt): \(result.stdout)")
            let document = try #require(try json(result) as? [String: Any])
            let findings = document["diagnostics"] as? [[String: Any]] ?? []
            for (key, severity) in [("errors", "error"), ("warnings", "warning"), ("notes", "info")] {
                #expect(document[key] as? Int == findings.filter { $0["severity"] as? String == severity }.count, "\(prompt): \(key)")
            }
            #expect(findings.allSatisfy { $0["span"] is [String: Any] && $0["field"] is NSNull })
        }
        #expect(try cli.run("lint", "🦆 @cokie", "--json").stdout.contains("🦆 @cokie"))

        let request = try DocumentSchema("lint-request")
        let body = try scratch.write("body.json", #"{"prompt":"@cokie跳舞 ＠duck","model":"Sora-2","duration":10,"images":["/x.png"],"private":true}"#)
        let result = try cli.run("lint", "--request", body, "--json")
        #expect(result.status == 1)
        #expect(try request.violations(of: Data(result.stdout.utf8)) == [], "\(result.stdout)")
        let document = try #require(try json(result) as? [String: Any])
        let fields = (document["diagnostics"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
        #expect(Set(fields) == ["model", "duration", "images[0]", "private"])
        #expect((document["diagnostics"] as? [[String: Any]])?.allSatisfy { $0["span"] is NSNull } == true)
        let fixes = (document["diagnostics"] as? [[String: Any]] ?? []).compactMap { $0["replacement"] as? String }
        #expect(Set(fixes) == [#""sora-2""#, #""10""#])
        #expect(document["errors"] as? Int == 4 && document["warnings"] as? Int == 1 && document["notes"] as? Int == 1)
    }

    /// `request --json` with errors prints the findings where the body would be, in lint --request's shape.
    @Test func requestJSONWithErrorsPrintsTheFindings() throws {
        let result = try cli.run("request", "@cokie 跳舞", "--model", "Sora-2", "--duration", "25", "--json")
        #expect(result.status == 1)
        #expect(try DocumentSchema("lint-request").violations(of: Data(result.stdout.utf8)) == [], "\(result.stdout)")
        let document = try #require(try json(result) as? [String: Any])
        #expect(Set((document["diagnostics"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String }) == ["model-value"])
        #expect((document["prompt_diagnostics"] as? [[String: Any]])?.first?["rule"] as? String == "unknown-character")
        #expect(document["errors"] as? Int == 2)
        #expect(result.stderr.contains("error[model-value]"))
    }

    /// `lint --rules --json` and `lint --explain RULE --json` for every rule validate against their schemas.
    @Test func ruleDocumentsMatchTheirSchemas() throws {
        let list = try cli.run("lint", "--rules", "--json")
        #expect(try DocumentSchema("lint-rules").violations(of: Data(list.stdout.utf8)) == [])
        let names = (try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String }
        #expect(names.count > 25 && names.contains("person-in-window"))
        let explain = try DocumentSchema("lint-explain")
        for name in names {
            let result = try cli.run("lint", "--explain", name, "--json")
            #expect(result.status == 0)
            #expect(try explain.violations(of: Data(result.stdout.utf8)) == [], "\(name): \(result.stdout)")
        }
        let fixes = try #require(try json(try cli.run("lint", "--explain", "missing-space", "--json")) as? [String: Any])
        #expect((fixes["corrections"] as? [[String: Any]])?.contains { $0["before"] as? String == "和@crumbs.jar跳舞" && $0["after"] as? String == "和 @crumbs.jar 跳舞" } == true)
        #expect(try cli.run("lint", "--explain", "missing-space").stdout.contains("Fixes:\n"))
        #expect(try explain.violations(of: Data(#"{"rule":"x","severity":"fatal"}"#.utf8)).count >= 2)
    }

    /// Every body `request --json` prints validates against the schema in the spec file.
    @Test func requestBodiesValidateAgainstTheSpecSchema() throws {
        let schema = try SpecSchema()
        let image = scratch.path("tiny.gif")
        try Data(base64Encoded: "R0lGODlhAQABAAAAACw=")?.write(to: URL(fileURLWithPath: image))
        let variants: [[String]] = [
            ["--model", "sora-2"],
            ["--model", "sora-2-pro", "--hd", "--duration", "25", "--aspect-ratio", "9:16"],
            ["--model", "sora-2", "--duration", "10", "--aspect-ratio", "16:9", "--watermark", "--private"],
            ["--model", "sora-2", "--character", "newbie", "--notify-hook", "https://hooks.example.com/x"],
            ["--model", "sora-2-pro", "--character-url", "https://cdn.example.com/x.mp4", "--character-timestamps", "0.5,2.5"],
            ["--model", "sora-2", "--image", "https://img.example.com/a.png", "--image", image],
            ["--model", "sora-2-pro", "--duration", "15"],
        ]
        for variant in variants {
            let result = try cli.run(["request", "@duck在舞台上和@cookie牵手跳舞", "--json"] + variant)
            #expect(result.status == 0, "\(variant): \(result)")
            let violations = schema.violations(of: Data(result.stdout.utf8))
            #expect(violations.isEmpty, "\(variant): \(violations)")
        }
    }

    @Test func requestRefusesWithDiagnosticsAndNoBody() throws {
        let result = try cli.run("request", "@duck 跳舞", "--model", "sora-3", "--character-url", "file:///x.mp4", "--character-timestamps", "3,1")
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        for rule in ["model-value", "character-url", "character-timestamps"] { #expect(result.stderr.contains(rule)) }
    }
}
