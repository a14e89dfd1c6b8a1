import CameoTestSupport
import Foundation
import Testing

/// Every command's `--json` output, produced for real, checked against the
/// schema in `schemas/` (with the `jsonschema` validator, Draft 2020-12).
@Suite struct JSONSchemaTests {
    let scratch: Scratch
    let cli: CLI

    init() throws {
        scratch = try Scratch()
        cli = CLI(database: scratch.path("catalog.sqlite"), home: scratch.path("home"))
    }

    /// Documents to check, by schema name.
    final class Documents: @unchecked Sendable {
        var items: [(schema: String, command: String, json: String)] = []
    }

    func record(_ documents: Documents, _ schema: String, _ arguments: [String], cli: CLI? = nil,
                status: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try (cli ?? self.cli).run(arguments)
        #expect(result.status == status, "\(arguments): \(result)", sourceLocation: sourceLocation)
        documents.items.append((schema, arguments.joined(separator: " "), result.stdout))
    }

    /// Runs the validator once over every document; returns one line per violation.
    func violations(_ documents: Documents) throws -> [String] {
        var manifest: [[String: String]] = []
        for (index, item) in documents.items.enumerated() {
            let path = try scratch.write("document-\(index).json", item.json)
            manifest.append(["schema": item.schema, "command": item.command, "document": path])
        }
        let list = try scratch.write("manifest.json", String(decoding: try JSONSerialization.data(withJSONObject: manifest), as: UTF8.self))
        let script = """
            import glob, json, sys
            import jsonschema
            from referencing import Registry, Resource
            folder = sys.argv[1]
            schemas = {}
            for path in glob.glob(folder + "/*.schema.json"):
                with open(path, encoding="utf-8") as handle:
                    schema = json.load(handle)
                schemas[path.split("/")[-1][:-len(".schema.json")]] = schema
            registry = Registry().with_resources([(s["$id"], Resource.from_contents(s)) for s in schemas.values()])
            for name, schema in schemas.items():
                jsonschema.Draft202012Validator.check_schema(schema)
            with open(sys.argv[2], encoding="utf-8") as handle:
                manifest = json.load(handle)
            for item in manifest:
                with open(item["document"], encoding="utf-8") as handle:
                    document = json.load(handle)
                validator = jsonschema.Draft202012Validator(schemas[item["schema"]], registry=registry)
                for error in validator.iter_errors(document):
                    print(item["command"] + ": " + "/".join(str(p) for p in error.absolute_path) + ": " + error.message)
            """
        let result = try CLI.Running(executable: "/usr/bin/env", arguments: ["python3", "-c", script, Repository.root.appendingPathComponent("schemas").path, list],
                                     environment: cli.environment.merging(["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]) { $1 },
                                     stdin: nil).finish(timeout: 120)
        #expect(result.status == 0, "the validator failed: \(result)")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    @Test func everyCommandsJSONMatchesItsSchema() throws {
        let documents = Documents()
        try record(documents, "config", ["config", "--json"])
        let clip = Repository.fixture("shots.mp4")
        try record(documents, "character", ["add", "duck", "--clip", clip, "--url", "https://cdn.example.com/duck.mp4", "--window", "4,6", "--json"])
        try record(documents, "character", ["add", "小鸭子", "--url", "https://cdn.example.com/x.mp4", "--window", "1,3", "--no-probe", "--tag", "pets", "--json"])
        try record(documents, "character", ["resolve", "duck", "quackers.duck", "--json"])
        try record(documents, "character", ["edit", "小鸭子", "--window", "0.5,2.5", "--no-probe", "--json"])
        try record(documents, "character", ["rename", "小鸭子", "xiaoya", "--json"])
        try record(documents, "character", ["show", "duck", "--json"])
        try record(documents, "character-list", ["list", "--json"])
        try record(documents, "probe", ["probe", clip, scratch.path("missing.mp4"), "--json"], status: 2)
        try record(documents, "windows", ["windows", clip, "--top", "2", "--json"])
        try record(documents, "cut", ["cut", "duck", "-o", scratch.path("duck.mp4"), "--json"])
        try record(documents, "trash", ["trash", "--json"])
        try record(documents, "undo", ["undo", "--json"])
        try record(documents, "removed", ["rm", "小鸭子", "--yes", "--json"])  // undo gave it its old alias back

        // A submission, through a provider on this machine.
        let server = try HTTPServer { _ in .json(#"{"task_id":"task-9","status":"queued"}"#) }
        let provider = CLI(database: scratch.path("catalog.sqlite"), home: scratch.path("home"),
                           extra: ["CAMEO_API_KEY": "sk-test-0123456789", "CAMEO_BASE_URL": server.baseURL])
        try record(documents, "submission", ["send", "@duck 跳舞", "--model", "sora-2", "--json"], cli: provider)
        try record(documents, "status", ["status", "task-9", "--json"], cli: provider)
        try record(documents, "created", ["create", "duck", "--json"], cli: provider)
        try record(documents, "history", ["history", "--json"])
        // compose writes lint's document (its schema is lint's own).
        try record(documents, "lint", ["compose", "@duck 跳舞", "--json"])
        try record(documents, "catalog", ["export"])
        let out = scratch.path("backup.json")
        #expect(try cli.run("export", "--history", "--out", out).status == 0)
        documents.items.append(("catalog", "export --history", try String(contentsOfFile: out, encoding: .utf8)))
        let other = CLI(database: scratch.path("other.sqlite"), home: scratch.path("home"))
        try record(documents, "imported", ["import", out, "--json"], cli: other)

        #expect(documents.items.allSatisfy { !$0.json.isEmpty }, "\(documents.items.filter { $0.json.isEmpty }.map(\.command))")
        let found = try violations(documents)
        #expect(found.isEmpty, "\(found.joined(separator: "\n"))")
        // UTF-8 as is, not \\uXXXX.
        #expect(documents.items.contains { $0.json.contains("跳舞") })
        #expect(!documents.items.contains { $0.json.contains("\\u") })
    }

    @Test func theValidatorRejectsADocumentThatBreaksItsSchema() throws {
        let documents = Documents()
        documents.items.append(("removed", "a hand-written document", #"{"alias": "duck", "usernames": -1, "removed": "yes", "extra": 1}"#))
        let found = try violations(documents)
        #expect(found.count == 3, "\(found)")
    }
}
