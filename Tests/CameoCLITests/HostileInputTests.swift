import CameoTestSupport
import Foundation
import Testing

/// Every command, run as an attacker would: hostile numbers in every numeric
/// option and field, hostile strings in every string argument, against a real
/// catalog. No run may end by a signal, hang, exit with an undocumented code,
/// or let an escape sequence (or a bidi control) from its input reach the terminal.
@Suite struct HostileInputTests {
    static let documentedExits: Set<Int32> = [0, 1, 2, 3, 4, 5, 6, 64]

    static let numbers = [
        "nan", "NaN", "inf", "-inf", "infinity", "-0", "0", "1e300", "-1e300", "1e-300", "4.9e-324",
        "99999999999999999999", "-99999999999999999999", "9223372036854775807", "-9223372036854775808",
        "18446744073709551616", "", " ", "0x10", "1_000", "١", "0.0000001",
    ]

    static let strings: [String] = [
        "\u{1B}[31mred\u{1B}[0m", "\u{1B}]0;owned\u{07}", "\u{1B}]52;c;aGk=\u{1B}\\", "\u{9B}2J", "ab\u{202E}gnp.exe",
        "\u{2066}x\u{2069}", "cr\rover", "tab\tnew\nline", "@\u{1B}[2Jduck", "zero\u{200B}width", "e\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}",
        String(repeating: "x", count: 100_000), String(repeating: "@duck ", count: 500), "-", "..", "/",
    ]

    /// A marker no hostile value contains, replaced by each hostile value in turn.
    static let slot = "\u{1}SLOT\u{1}"

    let scratch: Scratch
    let cli: CLI
    let clip: String
    let url = "https://cdn.example.com/duck.mp4"
    let deadURL = "http://127.0.0.1:1"

    init() throws {
        scratch = try Scratch("cameo-hostile")
        cli = CLI(database: scratch.path("catalog.sqlite"), home: scratch.path("home"),
                  extra: ["CAMEO_API_KEY": "sk-hostile-test"])
        clip = Repository.fixture("one-second.mp4")
    }

    @Test func hostileNumbersInEveryNumericOptionAndField() throws {
        try seed()
        let s = Self.slot
        let templates: [[String]] = [
            ["windows", clip, "--length", s], ["windows", clip, "--top", s], ["windows", clip, "--step", s],
            ["windows", clip, "--timeout", s], ["probe", clip, "--timeout", s],
            ["add", "n", "--url", url, "--window", "\(s),3", "--no-probe"],
            ["add", "n", "--url", url, "--window", "1,\(s)", "--no-probe"],
            ["add", "n", "--url", url, "--window", "\(s),\(s)", "--no-probe"],
            ["add", "n", "--url", url, "--clip", clip, "--timeout", s],
            ["edit", "duck", "--window", "\(s),2", "--no-probe"], ["edit", "duck", "--url", deadURL + "/a.mp4", "--timeout", s],
            ["history", "--limit", s],
            ["compose", "@duck", "--max-characters", s], ["lint", "@duck", "--max-characters", s],
            ["request", "@duck 跳舞", "--model", "sora-2", "--duration", s],
            ["request", "@duck 跳舞", "--model", "sora-2", "--max-characters", s],
            ["request", "x 跳舞", "--model", "sora-2", "--character-url", url, "--character-timestamps", "\(s),3"],
            ["send", "@duck 跳舞", "--model", "sora-2", "--base-url", deadURL, "--timeout", s],
            ["status", "task-1", "--base-url", deadURL, "--timeout", s],
            ["status", "task-1", "--base-url", deadURL, "--wait", "--wait-timeout", "1", "--interval", s],
            ["status", "--last", "--base-url", deadURL, "--wait", "--wait-timeout", s],
            ["create", "duck", "--base-url", deadURL, "--timeout", s],
        ]
        var runs = templates.flatMap { template in Self.numbers.map { value in template.map { $0.replacingOccurrences(of: s, with: value) } } }
        let jsonNumbers = ["1e300", "-1e300", "1e400", "-0", "99999999999999999999", "-99999999999999999999", "4.9e-324", "0.0001", "1.5"]
        for (index, number) in jsonNumbers.enumerated() {
            let window = try scratch.write("window-\(index).json", exportDocument(start: number, end: "3", created: "\"2025-01-01T00:00:00.000Z\""))
            let end = try scratch.write("end-\(index).json", exportDocument(start: "1", end: number, created: "\"2025-01-01T00:00:00.000Z\""))
            runs.append(["import", window, "--on-conflict", "replace"])
            runs.append(["import", end, "--on-conflict", "replace"])
            for field in ["\"duration\": \(number)", "\"duration\": \"\(number)\"", "\"character_timestamps\": \"\(number),3\"",
                          "\"character_timestamps\": [\(number), 3]"] {
                let request = try scratch.write("request-\(index)-\(field.count).json",
                                                "{\"model\": \"sora-2\", \"prompt\": \"x 跳舞\", \"character_url\": \"\(url)\", \(field)}")
                runs.append(["lint", "--request", request])
            }
        }
        try check(runs)
    }

    @Test func hostileStringsInEveryStringArgument() throws {
        try seed()
        let s = Self.slot
        var generator = SeededGenerator(seed: 0x5EED_CA3E0)
        let garbage = Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let invalidUTF8 = scratch.path("invalid-utf8.json")
        try (Data("{\"version\": 1, \"characters\": [{\"alias\": \"".utf8) + garbage + Data("\"}]}".utf8))
            .write(to: URL(fileURLWithPath: invalidUTF8))
        let junk = scratch.path("junk.mp4")
        try Data("1\n00:00:01,000 --> 00:00:02,000\n\u{1B}[31msubtitle\u{1B}[0m\n\n".utf8).write(to: URL(fileURLWithPath: junk))
        let hostileName = scratch.path("clip\u{1B}[31m\u{202E}4pm.mp4")
        try FileManager.default.copyItem(atPath: clip, toPath: hostileName)
        let hostileNotes = try scratch.write("notes.json", exportDocument(start: "1", end: "3", created: "\"2025-01-01T00:00:00.000Z\"",
                                                                           alias: "imp\\u001b[31m", notes: "\\u001b]0;t\\u0007\\u202e\\u009b"))

        let templates: [[String]] = [
            ["add", s, "--url", url, "--window", "1,3", "--no-probe"],
            ["add", "u", "--url", s, "--window", "1,3", "--no-probe"],
            ["add", "v", "--url", url, "--window", s, "--no-probe"],
            ["add", "w", "--url", url, "--window", "1,3", "--no-probe", "--note", s],
            ["add", "x", "--url", url, "--window", "1,3", "--no-probe", "--tag", s],
            ["add", "y", "--url", url, "--clip", s],
            ["show", s], ["show", "duck", "--preview", scratch.path("p") + s], ["rm", s, "--yes"],
            ["rename", "duck", s], ["rename", s, "duck2"],
            ["resolve", "duck", s], ["resolve", "duck", "u.\(s)"],
            ["resolve", "duck", "quackers.duck", "--display-name", s, "--platform-id", s, "--avatar-url", s, "--provider", s],
            ["edit", "duck", "--note", s], ["edit", "duck", "--tag", s], ["edit", "duck", "--untag", s],
            ["edit", "duck", "--url", s, "--no-probe"],
            ["list", s], ["list", "--tag", s], ["list", "--db", scratch.path("db") + s],
            ["probe", s], ["windows", s], ["windows", clip, "--preview", scratch.path("w") + s],
            ["compose", s], ["compose", "@duck " + s], ["lint", s], ["lint", "--explain", s], ["lint", "--request", s],
            ["request", s, "--model", "sora-2"], ["request", "@duck", "--model", s], ["request", "@duck", "--model", "sora-2", "--aspect-ratio", s],
            ["request", "@duck", "--model", "sora-2", "--image", s], ["request", "@duck", "--model", "sora-2", "--notify-hook", s],
            ["request", "@duck", "--model", "sora-2", "--character", s],
            ["send", s, "--model", "sora-2", "--base-url", deadURL, "--timeout", "2"],
            ["status", s, "--base-url", deadURL, "--timeout", "2"], ["status", "t", "--base-url", s, "--timeout", "2"],
            ["status", "t", "--base-url", deadURL, "--provider", s], ["status", "t", "--base-url", deadURL, "--download", s],
            ["create", s, "--base-url", deadURL, "--timeout", "2"], ["create", "duck", "--from-task", s, "--base-url", deadURL, "--timeout", "2"],
            ["history", "--state", s],
            ["import", s], ["export", "--out", scratch.path("e") + s],
            [s], ["help", s],
        ]
        // Every template gets the escape sequence and a seeded draw of the other strings: all
        // of them are tried across the templates, and the run stays within half a minute.
        var runs = templates.flatMap { template in
            ([Self.strings[0]] + Self.strings.dropFirst().shuffled(using: &generator).prefix(5)).map { value in
                template.map { $0.replacingOccurrences(of: s, with: value) }
            }
        }
        runs += [
            ["import", invalidUTF8], ["lint", "--request", invalidUTF8], ["probe", junk], ["windows", junk],
            ["add", "j", "--url", url, "--clip", junk], ["probe", hostileName], ["windows", hostileName],
            ["add", "hostile-clip", "--url", url, "--clip", hostileName], ["import", hostileNotes, "--on-conflict", "replace"],
            ["list"], ["show", "duck"], ["show", "imp"], ["history"], ["export"],
        ]
        try check(runs)
        // Text stored by the runs above (notes, tags, display names) comes back out through these.
        try check([["list"], ["show", "duck"], ["history"], ["show", "hostile-clip"]])
        for stdin in [String(decoding: garbage, as: UTF8.self), "\u{1B}[31m@duck\u{1B}[0m 跳舞\u{202E}"] {
            for arguments in [["compose", "-"], ["lint", "-"], ["request", "-", "--model", "sora-2"], ["import", "-"]] {
                try check([arguments], stdin: stdin)
            }
        }
    }

    /// A catalog with one resolved character, so that every command has something to act on.
    func seed() throws {
        let added = try cli.run("add", "duck", "--url", url, "--window", "0.5,2.5", "--no-probe")
        #expect(added.status == 0, "\(added)")
        let resolved = try cli.run("resolve", "duck", "quackers.duck")
        #expect(resolved.status == 0, "\(resolved)")
    }

    func exportDocument(start: String, end: String, created: String, alias: String = "imported", notes: String = "") -> String {
        """
        {"version": 1, "characters": [{"alias": "\(alias)", "source_url": "\(url)", "window": {"start": \(start), "end": \(end)},
          "notes": "\(notes)", "tags": [], "usernames": [], "created_at": \(created), "updated_at": \(created)}]}
        """
    }

    /// Runs each argument list (two at a time: the machine is shared) and reports every run that misbehaved.
    func check(_ runs: [[String]], stdin: String? = nil) throws {
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 2) { lane in
            for index in stride(from: lane, to: runs.count, by: 2) {
                let arguments = runs[index]
                let shown = arguments.map { $0.count > 60 ? String($0.prefix(60)) + "…(\($0.count))" : $0 }.debugDescription
                do {
                    let result = try cli.start(arguments, stdin: stdin).finish(timeout: 30)
                    var problems: [String] = []
                    if result.status > 128 { problems.append("ended by signal \(result.status - 128)") }
                    if !Self.documentedExits.contains(result.status) { problems.append("exit \(result.status) is not documented") }
                    for (name, text) in [("stdout", result.stdout), ("stderr", result.stderr)] {
                        if let bad = text.unicodeScalars.first(where: Self.reachesTerminalRaw) {
                            problems.append("raw U+\(String(bad.value, radix: 16, uppercase: true)) on \(name)")
                        }
                    }
                    if !problems.isEmpty {
                        let excerpt = String(result.stderr.prefix(300)).debugDescription
                        failures.add("\(shown): \(problems.joined(separator: ", ")); stderr \(excerpt)")
                    }
                } catch {
                    failures.add("\(shown): \(error)")
                }
            }
        }
        let found = failures.all
        #expect(found.isEmpty, Comment(rawValue: "\(found.count) of \(runs.count) runs misbehaved:\n" + found.joined(separator: "\n")))
    }

    static func reachesTerminalRaw(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x1B, 0x07, 0x08, 0x0D, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}

/// What misbehaved, gathered from the lanes that run commands side by side.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []

    func add(_ failure: String) { lock.withLock { list.append(failure) } }
    var all: [String] { lock.withLock { list } }
}
