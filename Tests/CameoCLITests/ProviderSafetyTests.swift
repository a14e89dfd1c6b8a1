import CameoTestSupport
import Foundation
import GRDB
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The key and the money against hostile providers: real servers on 127.0.0.1,
/// a real catalog, the real executable.
@Suite struct ProviderSafetyTests {
    /// A key with a slash, so JSON's `\/` escape can hide it.
    static let key = "sk-SECRET/XYZ-4f8a2c9d1e7b"

    let scratch: Scratch
    let catalogPath: String

    init() throws {
        scratch = try Scratch()
        catalogPath = scratch.path("catalog.sqlite")
        try ProviderCatalog.seed(catalogPath, home: scratch.path("home"), withDuck: false)
    }

    func cli(_ base: String, key: String = Self.key, extra: [String: String] = [:]) -> CLI {
        CLI(database: catalogPath, home: scratch.path("home"), extra: ["CAMEO_API_KEY": key, "CAMEO_BASE_URL": base].merging(extra) { $1 })
    }

    func rows() throws -> [Row] {
        try DatabaseQueue(path: catalogPath).read { try Row.fetchAll($0, sql: "SELECT * FROM submission ORDER BY id") }
    }

    func expectKeyNowhere(_ results: [CLI.Result], key: String = Self.key, sourceLocation: SourceLocation = #_sourceLocation) {
        let forms = [key, "SECRET", Data(key.utf8).base64EncodedString().dropLast(4).description]
        for result in results {
            for form in forms {
                #expect(!result.stdout.contains(form) && !result.stderr.contains(form), "\(form) printed: \(result)", sourceLocation: sourceLocation)
            }
        }
        for suffix in ["", "-wal"] {
            if let bytes = FileManager.default.contents(atPath: catalogPath + suffix) {
                for form in forms {
                    #expect(bytes.range(of: Data(form.utf8)) == nil, "\(form) stored in catalog\(suffix)", sourceLocation: sourceLocation)
                }
            }
        }
    }

    // MARK: Redirects

    @Test(arguments: [301, 302, 303, 307, 308])
    func aRedirectIsReportedNeverFollowedAndTheKeyStaysHome(_ code: Int) throws {
        let elsewhere = try HTTPServer { _ in .json(#"{"task_id":"stolen"}"#) }
        let provider = try HTTPServer { request in
            HTTPServer.Response(status: code, headers: [("Location", elsewhere.baseURL + "/collect" + request.path)])
        }
        let cli = cli(provider.baseURL)
        let send = try cli.run("send", "@cookie runs", "--model", "sora-2")
        #expect(send.status == 6, "\(send)")
        #expect(send.stderr.contains("HTTP \(code) redirecting"), "\(send.stderr)")
        #expect(send.stderr.contains(elsewhere.baseURL + "/collect/v2/videos/generations"))
        let status = try cli.run("status", "task-1")
        #expect(status.status == 6, "\(status)")
        #expect(status.stderr.contains("redirecting"))
        #expect(elsewhere.requests.isEmpty, "the other origin received \(elsewhere.requests.map(\.path))")
        #expect(provider.requests.filter { $0.method == "POST" }.count == 1)
        let row = try #require(try rows().first)
        #expect(row["state"] as String == "failed")
        #expect(row["taskId"] as String? == nil)
        #expect(row["httpStatus"] as Int? == code)
        expectKeyNowhere([send, status])
    }

    @Test func aPathThatLeavesTheOriginIsRefusedBeforeSending() throws {
        let elsewhere = try HTTPServer { _ in .json(#"{"status":"queued"}"#) }
        let provider = try HTTPServer { _ in .json(#"{"status":"queued"}"#) }
        // "http://127.0.0.1:A" + "@127.0.0.1:B/x" is a URL whose host is B.
        let hostile = "@127.0.0.1:\(elsewhere.port)/x/{id}"
        let result = try cli(provider.baseURL).run("status", "t-1", "--path", hostile)
        #expect(result.status != 0, "\(result)")
        #expect(elsewhere.requests.isEmpty)
        try FileManager.default.createDirectory(atPath: scratch.path("home/config/cameo"), withIntermediateDirectories: true)
        let config = try scratch.write("home/config/cameo/config.json", #"{"status_path":"@127.0.0.1:\#(elsewhere.port)/x/{id}"}"#)
        chmod(config, 0o600)
        let fromFile = try cli(provider.baseURL).run("status", "t-1")
        #expect(fromFile.status == 4, "\(fromFile)")
        #expect(fromFile.stderr.contains("status_path"))
        #expect(elsewhere.requests.isEmpty)
    }

    // MARK: Echoed secrets

    @Test func anEchoedKeyIsMaskedInEveryEncoding() throws {
        let escapedSlash = Self.key.replacingOccurrences(of: "/", with: "\\/")
        let unicode = Self.key.unicodeScalars.map { String(format: "\\u%04x", $0.value) }.joined()
        let upperUnicode = Self.key.unicodeScalars.map { String(format: "\\u%04X", $0.value) }.joined()
        let percent = Self.key.utf8.map { String(format: "%%%02X", $0) }.joined()
        let mixed = "sk-\\u0053ECRET\\/XYZ-4f8a%32c9d1e7b"
        let base64 = Data("Bearer \(Self.key)".utf8).base64EncodedString()
        let forms = [Self.key, escapedSlash, unicode, upperUnicode, percent, mixed, base64]
        let body = "{" + forms.enumerated().map { "\"echo\($0.offset)\":\"\($0.element)\"" }.joined(separator: ",")
            + ",\"error\":{\"message\":\"bad key \(unicode) / \(escapedSlash) / \(percent)\"}}"
        let server = try HTTPServer { request in
            request.method == "POST" ? .json(body, status: 401) : .json(body.replacingOccurrences(of: "\"error\"", with: "\"data\":{\"status\":\"queued\"},\"x\""))
        }
        let cli = cli(server.baseURL)
        let send = try cli.run("send", "@cookie runs", "--model", "sora-2")
        #expect(send.status == 6, "\(send)")
        #expect(send.stderr.contains("***"))
        let status = try cli.run("status", "t-1", "--json")
        #expect(status.status == 0, "\(status)")
        let history = try cli.run("history", "--json")
        expectKeyNowhere([send, status, history])
    }

    @Test func providerTextReachesTheTerminalEscaped() throws {
        let server = try HTTPServer { request in
            request.method == "POST"
                ? .json(#"{"error":{"message":"bad \u001b]0;owned\u0007 \u202Eevil\u009b2J"}}"#, status: 400)
                : .json(#"{"status":"\u001b[2Jqueued","progress":"\u202E50%"}"#)
        }
        let cli = cli(server.baseURL)
        let send = try cli.run("send", "@cookie runs", "--model", "sora-2")
        #expect(send.status == 6)
        let status = try cli.run("status", "t-1")
        #expect(status.status == 0, "\(status)")
        for result in [send, status] {
            for raw in ["\u{1B}", "\u{202E}", "\u{9B}", "\u{07}"] {
                #expect(!result.stderr.contains(raw) && !result.stdout.contains(raw), "raw control reached the terminal: \(result)")
            }
        }
        #expect(send.stderr.contains("\\u{1b}]0;owned") && send.stderr.contains("\\u{202e}evil"), "\(send.stderr)")
        #expect(status.stdout.contains("\\u{1b}[2Jqueued"), "\(status.stdout)")
    }

    /// Zero-width and other invisible format characters (category Cf) would make a status or a
    /// message look like another: they show escaped, from the error line and the status table alike.
    @Test func invisibleProviderTextReachesTheTerminalEscaped() throws {
        let server = try HTTPServer { request in
            request.method == "POST"
                ? .json(#"{"error":{"message":"quota\u200b ok\ufeff, retry\u2060 \udb40\udc68\udb40\udc69 later"}}"#, status: 400)
                : .json(#"{"status":"queued\u200d","progress":"50%\u200c","message":"done \ud83d\udc69\u200d\ud83d\udcbb"}"#)
        }
        let cli = cli(server.baseURL)
        let send = try cli.run("send", "@cookie runs", "--model", "sora-2")
        #expect(send.status == 6, "\(send)")
        let status = try cli.run("status", "t-1")
        #expect(status.status == 0, "\(status)")
        for result in [send, status] {
            for raw in ["\u{200B}", "\u{FEFF}", "\u{2060}", "\u{E0068}", "\u{200C}"] {
                #expect(!result.stderr.contains(raw) && !result.stdout.contains(raw), "an invisible character reached the terminal: \(result)")
            }
        }
        #expect(send.stderr.contains(#"quota\u{200b} ok\u{feff}, retry\u{2060} \u{e0068}\u{e0069} later"#), "\(send.stderr)")
        #expect(status.stdout.contains(#"queued\u{200d}"#) || status.stderr.contains(#"queued\u{200d}"#), "\(status)")
    }

    // MARK: What "not sent" means

    @Test func anEmptyReplyAfterTheRequestIsUnknownNotNotSent() throws {
        let server = try HTTPServer { _ in .hangingUp }
        let result = try cli(server.baseURL).run("send", "@cookie runs", "--model", "sora-2")
        #expect(result.status == 6, "\(result)")
        #expect(result.stderr.contains("a task may exist"), "\(result.stderr)")
        #expect(result.stderr.contains("cameo status --last"))
        #expect(server.requests.filter { $0.method == "POST" }.count == 1, "a POST that may have arrived is never retried")
        #expect(try rows().first?["state"] as String? == "unknown")
    }

    @Test func anAnswerCutMidwayIsUnknown() throws {
        let server = try HTTPServer { _ in
            var response = HTTPServer.Response(status: 200, headers: [("Content-Type", "application/json"), ("Content-Length", "500")],
                                               body: Data(#"{"task_id":"half"#.utf8))
            response.closeAfterBody = true
            return response
        }
        let result = try cli(server.baseURL).run("send", "@cookie runs", "--model", "sora-2")
        #expect(result.status == 6, "\(result)")
        #expect(result.stderr.contains("after the request was sent"))
        #expect(try rows().first?["state"] as String? == "unknown")
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalDuringSendRecordsUnknownAndExits130(_ signal: Int32) throws {
        let arrived = Counter()
        let server = try HTTPServer { _ in
            _ = arrived.next()
            var response = HTTPServer.Response.json(#"{"task_id":"late"}"#)
            response.delay = 6
            return response
        }
        let running = try cli(server.baseURL).start(["send", "@cookie runs", "--model", "sora-2"])
        let deadline = Date().addingTimeInterval(20)
        while server.requests.isEmpty && Date() < deadline { usleep(20_000) }
        usleep(200_000)
        kill(running.pid, signal)
        let started = Date()
        let result = try running.finish(timeout: 30)
        #expect(result.status == 130, "\(result)")
        #expect(Date().timeIntervalSince(started) < 4, "the signal ends the wait at once")
        #expect(result.stderr.contains("a task may exist"), "\(result.stderr)")
        #expect(try rows().first?["state"] as String? == "unknown")
    }

    @Test func aCatalogThatRefusesTheOutcomeDoesNotHideTheNetworkError() throws {
        try CLI(database: catalogPath, home: scratch.path("home")).run("history")
        try DatabaseQueue(path: catalogPath).write { db in
            try db.execute(sql: "CREATE TRIGGER refuse BEFORE UPDATE ON submission BEGIN SELECT RAISE(ABORT, 'disk says no'); END")
        }
        let server = try HTTPServer { _ in .json(#"{"error":{"message":"database on fire"}}"#, status: 500) }
        let result = try cli(server.baseURL).run("send", "@cookie runs", "--model", "sora-2")
        #expect(result.status == 6, "\(result)")
        #expect(result.stderr.contains("HTTP 500: database on fire"))
        #expect(result.stderr.contains("could not be recorded"))
        #expect(try rows().first?["state"] as String? == "sending", "the row stays as it was, and reads as unknown")
    }

    @Test func aRowLeftSendingReadsAsUnknown() throws {
        let queue = try DatabaseQueue(path: catalogPath)
        try CLI(database: catalogPath, home: scratch.path("home")).run("history")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO submission (kind, endpoint, requestBody, state, createdAt, updatedAt)
                VALUES ('generation', 'http://x/v2', '{"model":"sora-2","prompt":"killed"}', 'sending', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000')
                """)
        }
        let cli = CLI(database: catalogPath, home: scratch.path("home"))
        let history = try #require(try json(try cli.run("history", "--json")) as? [[String: Any]])
        #expect(history.first?["state"] as? String == "unknown")
        #expect((history.first?["error"] as? String)?.contains("ended first") == true)
        let unknown = try #require(try json(try cli.run("history", "--state", "unknown", "--json")) as? [[String: Any]])
        #expect(unknown.count == 1)
        let table = try cli.run("history")
        #expect(table.stdout.contains("unknown"))
        #expect(!table.stdout.contains("sending"))
        #expect(try cli.run("history", "--state", "sending").status == 64)
    }

    // MARK: Bounded answers

    @Test func aHugeAnswerIsCutOffWithBoundedMemory() throws {
        let huge = Data(("{\"task_id\":\"x\",\"pad\":\"" + String(repeating: "a", count: 6 << 20) + "\"}").utf8)
        let server = try HTTPServer { _ in HTTPServer.Response(status: 200, headers: [("Content-Type", "application/json")], body: huge) }
        let result = try cli(server.baseURL).run("send", "@cookie runs", "--model", "sora-2")
        #expect(result.status == 6, "\(result)")
        #expect(result.stderr.contains("passed 4 MB"), "\(result.stderr)")
        #expect(try rows().first?["state"] as String? == "unknown")
    }

    @Test(arguments: ["send", "status"])
    func aDrippedAnswerEndsWithinTheTimeoutAsAWhole(_ command: String) throws {
        let server = try HTTPServer { _ in
            var response = HTTPServer.Response.json(#"{"task_id":"drip","status":"queued","pad":""# + String(repeating: " ", count: 400) + #""}"#)
            response.piece = 1
            response.pace = 0.05
            return response
        }
        let arguments = command == "send" ? ["send", "@cookie runs", "--model", "sora-2", "--timeout", "2"] : ["status", "drip", "--timeout", "2"]
        let started = Date()
        let result = try cli(server.baseURL).run(arguments)
        let elapsed = Date().timeIntervalSince(started)
        #expect(result.status == 6, "\(result)")
        #expect(elapsed < 5, "took \(elapsed) s")
        #expect(result.stderr.contains("within 2 s"), "\(result.stderr)")
    }

    @Test(arguments: ["-1", "soon", "inf", "1.5e3", "99999999999"])
    func aRetryAfterThatIsNotSaneIsIgnored(_ header: String) throws {
        let server = try HTTPServer { _ in .json(#"{"error":{"message":"slow down"}}"#, status: 429, headers: [("Retry-After", header)]) }
        let result = try cli(server.baseURL).run("send", "@cookie runs", "--model", "sora-2")
        #expect(result.status == 6, "\(result)")
        #expect(server.requests.count == 1, "Retry-After \(header) was honoured")
        #expect(try rows().first?["state"] as String? == "failed")
    }

    @Test func aRetryAfterCountsAgainstTheTimeout() throws {
        let server = try HTTPServer { _ in .json(#"{"error":{"message":"slow down"}}"#, status: 503, headers: [("Retry-After", "5")]) }
        let started = Date()
        let result = try cli(server.baseURL).run("send", "@cookie runs", "--model", "sora-2", "--timeout", "2")
        #expect(result.status == 6, "\(result)")
        #expect(Date().timeIntervalSince(started) < 4)
        #expect(server.requests.count == 1)
    }

    // MARK: Config trust

    func writeConfig(_ text: String, mode: mode_t = 0o600) throws -> String {
        try FileManager.default.createDirectory(atPath: scratch.path("home/config/cameo"), withIntermediateDirectories: true)
        let path = try scratch.write("home/config/cameo/config.json", text)
        chmod(path, mode)
        return path
    }

    @Test func aConfigOthersCanChangeIsRefusedWhateverItHolds() throws {
        let server = try HTTPServer { _ in .json(#"{"task_id":"x"}"#) }
        let plain = cli(server.baseURL)
        let path = try writeConfig(#"{"timeout": 30}"#, mode: 0o666)
        let writable = try plain.run("send", "@cookie runs", "--model", "sora-2")
        #expect(writable.status == 4, "\(writable)")
        #expect(writable.stderr.contains("can be changed by others"))
        chmod(path, 0o600)
        chmod(scratch.path("home/config/cameo"), 0o777)
        let folder = try plain.run("send", "@cookie runs", "--model", "sora-2")
        #expect(folder.status == 4, "\(folder)")
        #expect(folder.stderr.contains("others can write"))
        chmod(scratch.path("home/config/cameo"), 0o755)
        if geteuid() == 0 {
            chown(path, 65534, 65534)
            let foreign = try plain.run("send", "@cookie runs", "--model", "sora-2")
            #expect(foreign.status == 4, "\(foreign)")
            #expect(foreign.stderr.contains("belongs to another user"))
            chown(path, 0, 0)
        }
        #expect(server.requests.isEmpty)
        let fine = try plain.run("send", "@cookie runs", "--model", "sora-2")
        #expect(fine.status == 0, "\(fine)")
    }

    @Test func aLinkedConfigIsTrustedOnlyWhereItReallyLives() throws {
        let server = try HTTPServer { _ in .json(#"{"task_id":"x"}"#) }
        let shared = scratch.path("shared")
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        chmod(shared, 0o777)
        let target = try scratch.write("shared/config.json", "{\"base_url\": \"\(server.baseURL)\"}")
        chmod(target, 0o600)
        try FileManager.default.createDirectory(atPath: scratch.path("home/config/cameo"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: scratch.path("home/config/cameo/config.json"), withDestinationPath: target)
        let keyOnly = CLI(database: catalogPath, home: scratch.path("home"), extra: ["CAMEO_API_KEY": Self.key])
        let linked = try keyOnly.run("send", "@cookie runs", "--model", "sora-2")
        #expect(linked.status == 4, "\(linked)")
        #expect(linked.stderr.contains("through a link to \(target)") && linked.stderr.contains("others can write"), "\(linked)")
        #expect(server.requests.isEmpty)
        chmod(shared, 0o755)
        let trusted = try keyOnly.run("send", "@cookie runs", "--model", "sora-2")
        #expect(trusted.status == 0, "\(trusted)")
        #expect(server.requests.count == 1)
    }

    @Test func plainHTTPToAnotherHostWarnsAndBadBaseURLsAreErrors() throws {
        let remote = try cli("http://cameo-provider.invalid").run("send", "@cookie runs", "--model", "sora-2", "--timeout", "3")
        #expect(remote.stderr.contains("over plain http://"), "\(remote)")
        #expect(try rows().first?["state"] as String? == "not-sent")
        let local = try cli("http://127.0.0.1:1").run("send", "@cookie runs", "--model", "sora-2")
        #expect(!local.stderr.contains("plain http://"))
        for base in ["https://api.example.com/?token=1", "https://api.example.com/#x"] {
            let result = try cli(base).run("send", "@cookie runs", "--model", "sora-2")
            #expect(result.status == 64, "\(result)")
            #expect(result.stderr.contains("query or a fragment"))
        }
    }

    @Test(arguments: ["sk-abc\ndef", "sk-abc\r\nX-Evil: 1", "sk-abc\r"])
    func aKeyWithALineBreakIsRefused(_ key: String) throws {
        let server = try HTTPServer { _ in .json(#"{"task_id":"x"}"#) }
        let result = try cli(server.baseURL, key: key).run("send", "@cookie runs", "--model", "sora-2")
        #expect(result.status == 4, "\(result)")
        #expect(result.stderr.contains("line break"))
        #expect(server.requests.isEmpty)
        let path = try writeConfig("{\"api_key\": \(String(data: try JSONEncoder().encode(key), encoding: .utf8) ?? "")}")
        _ = path
        let fromFile = try CLI(database: catalogPath, home: scratch.path("home"), extra: ["CAMEO_BASE_URL": server.baseURL])
            .run("send", "@cookie runs", "--model", "sora-2")
        #expect(fromFile.status == 4, "\(fromFile)")
        #expect(server.requests.isEmpty)
    }

    @Test func curlNeverHasTheKeyInItsArguments() throws {
        let server = try HTTPServer { _ in .json(#"{"task_id":"via-curl"}"#) }
        let cli = cli(server.baseURL)
        let command = try cli.run("request", "@cookie 跳舞", "--model", "sora-2", "--curl")
        #expect(command.status == 0, "\(command)")
        // A curl on PATH that records its arguments, then runs the real one.
        let bin = scratch.path("bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let argv = scratch.path("argv.txt")
        _ = try scratch.writeExecutable("bin/curl", "#!/bin/sh\nprintf '%s\\n' \"$@\" > '\(argv)'\nexec /usr/bin/curl \"$@\"\n")
        for shell in ["/bin/bash", "/bin/sh"] {
            let run = try CLI.Running(executable: shell, arguments: ["-c", command.stdout],
                                      environment: ["PATH": bin + ":/usr/bin:/bin", "CAMEO_API_KEY": Self.key], stdin: nil)
            #expect(try run.finish(timeout: 30).status == 0)
            let arguments = try String(contentsOfFile: argv, encoding: .utf8)
            #expect(arguments.contains("--data-raw"))
            #expect(!arguments.contains(Self.key) && !arguments.contains("SECRET"), "\(shell): key in curl's argv")
        }
        #expect(server.requests.count == 2)
        #expect(server.requests.allSatisfy { $0.header("authorization") == "Bearer \(Self.key)" })
    }
}
