import CameoTestSupport
import Foundation
import GRDB
import Testing

/// `send` and `status` against a real HTTP server on 127.0.0.1.
@Suite struct SendTests {
    static let key = "sk-test-4f8a2c9d1e7b"

    let scratch: Scratch
    let catalogPath: String

    init() throws {
        scratch = try Scratch()
        catalogPath = scratch.path("catalog.sqlite")
        try ProviderCatalog.seed(catalogPath, home: scratch.path("home"))
    }

    func cli(_ server: HTTPServer?, port: UInt16? = nil) -> CLI {
        let base = server?.baseURL ?? "http://127.0.0.1:\(port ?? 1)"
        return CLI(database: catalogPath, home: scratch.path("home"), extra: ["CAMEO_API_KEY": Self.key, "CAMEO_BASE_URL": base])
    }

    func submissions() throws -> [Row] {
        try DatabaseQueue(path: catalogPath).read { try Row.fetchAll($0, sql: "SELECT * FROM submission ORDER BY id") }
    }

    func posts(_ server: HTTPServer) -> [HTTPServer.Request] {
        server.requests.filter { $0.method == "POST" }
    }

    /// The key is in no output and nowhere in the catalog's files.
    func expectKeyNowhere(_ results: [CLI.Result], sourceLocation: SourceLocation = #_sourceLocation) throws {
        for result in results {
            #expect(!result.stdout.contains(Self.key) && !result.stderr.contains(Self.key), sourceLocation: sourceLocation)
        }
        for suffix in ["", "-wal", "-shm"] {
            if let bytes = FileManager.default.contents(atPath: catalogPath + suffix) {
                #expect(bytes.range(of: Data(Self.key.utf8)) == nil, "key found in catalog\(suffix)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func sendsWhatRequestPrintsWithTheRightHeaders() throws {
        let server = try HTTPServer { _ in .json(#"{"task_id":"task-123","status":"queued"}"#) }
        let cli = cli(server)
        let expected = try cli.run("request", "@cookie在舞台上跳舞", "--model", "sora-2", "--character", "duck", "--json")
        #expect(expected.status == 0, "\(expected)")
        let result = try cli.run("send", "@cookie在舞台上跳舞", "--model", "sora-2", "--character", "duck")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("task-123"))
        let received = try #require(posts(server).first)
        #expect(posts(server).count == 1)
        #expect(received.path == "/v2/videos/generations")
        #expect(received.header("content-type") == "application/json")
        #expect(received.header("authorization") == "Bearer \(Self.key)")
        #expect(String(decoding: received.body, as: UTF8.self) + "\n" == expected.stdout)
        let body = try JSONSerialization.jsonObject(with: received.body) as? [String: Any]
        #expect(body?["prompt"] as? String == "@crumbs.jar 在舞台上跳舞")
        #expect(body?["character_url"] as? String == "https://cdn.example.com/duck.mp4")
        #expect(body?["character_timestamps"] as? String == "1,3")
        let rows = try submissions()
        #expect(rows.count == 1)
        #expect(rows[0]["state"] as String == "submitted")
        #expect(rows[0]["taskId"] as String? == "task-123")
        #expect(rows[0]["httpStatus"] as Int? == 200)
        #expect(rows[0]["requestBody"] as String + "\n" == expected.stdout)
        try expectKeyNowhere([expected, result])
    }

    @Test func theOtherResponseShapeAndAUsernameForTheCreatedCharacter() throws {
        let server = try HTTPServer { _ in
            .json(#"{"code":0,"data":{"id":"task-9","character":{"id":"ch_77","username":"quackers.duck","display_name":"Quackers"}}}"#)
        }
        let cli = cli(server)
        let result = try cli.run("send", "a duck on a stage", "--model", "sora-2", "--character", "duck", "--json")
        #expect(result.status == 0, "\(result)")
        let submission = try #require(try json(result) as? [String: Any])
        #expect(submission["task_id"] as? String == "task-9")
        let duck = try #require(try json(try cli.run("show", "duck", "--json")) as? [String: Any])
        #expect(duck["username"] as? String == "quackers.duck")
        let identity = try #require((duck["usernames"] as? [[String: Any]])?.first)
        #expect(identity["origin"] as? String == "task")
        #expect(identity["task_id"] as? String == "task-9")
        #expect(identity["platform_character_id"] as? String == "ch_77")
        #expect(identity["display_name"] as? String == "Quackers")
        #expect(identity["provider"] as? String == server.baseURL)
        try expectKeyNowhere([result])
    }

    @Test(arguments: [
        (500, #"{"error":{"message":"database on fire"}}"#, "HTTP 500: database on fire"),
        (401, #"{"error":{"code":"invalid_api_key","message":"Incorrect API key provided"}}"#, "HTTP 401: invalid_api_key: Incorrect API key provided"),
        (200, "<html><body>Bad gateway</body></html>", "not JSON: <html><body>Bad gateway</body></html>"),
        (403, #"{"error":{"code":"moderation_blocked","message":"prompt blocked"}}"#, "moderation_blocked (HTTP 403): the provider's moderation refused"),
        (400, #"{"error":{"code":"sentinel_block","message":"x"}}"#, "sentinel_block (HTTP 400): the provider's safety system blocked"),
        (451, #"{"error":{"code":"input_unsafe","message":"unsafe input"}}"#, "unsafe (HTTP 451): the provider judged the content unsafe"),
        (400, #"{"error":{"message":"character_timestamps invalid: must be 1-3 seconds"}}"#, "invalid_timestamps (HTTP 400)"),
    ] as [(Int, String, String)])
    func failuresAreExplainedAndRecordedNotRetried(_ status: Int, _ body: String, _ message: String) throws {
        let server = try HTTPServer { _ in .text(body, status: status, contentType: body.hasPrefix("{") ? "application/json" : "text/html") }
        let result = try cli(server).run("send", "@cookie runs", "--model", "sora-2")
        #expect(result.status == 6, "\(result)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(posts(server).count == 1)
        let rows = try submissions()
        #expect(rows.count == 1)
        #expect(rows[0]["state"] as String == "failed")
        #expect(rows[0]["httpStatus"] as Int? == status)
        #expect(rows[0]["responseBody"] as String? == body)
        try expectKeyNowhere([result])
    }

    @Test func permissionDeniedMarksTheUsernameRevoked() throws {
        let server = try HTTPServer { _ in
            .json(#"{"error":{"code":"cameo_permission_denied","message":"you cannot use @crumbs.jar"}}"#, status: 403)
        }
        let cli = cli(server)
        let result = try cli.run("send", "@cookie runs", "--model", "sora-2")
        #expect(result.status == 6)
        #expect(result.stderr.contains("revoked access"))
        #expect(result.stderr.contains("marked @crumbs.jar revoked"))
        let cookie = try #require(try json(try cli.run("show", "cookie", "--json")) as? [String: Any])
        #expect(cookie["username"] is NSNull)
        #expect((cookie["usernames"] as? [[String: Any]])?.first?["state"] as? String == "revoked")
        // The next prompt is stopped before it costs anything.
        let again = try cli.run("request", "@cookie runs", "--model", "sora-2")
        #expect(again.status == 1)
        #expect(again.stderr.contains("revoked-character"))
    }

    @Test func aRefusedConnectionIsRetriedThenReported() throws {
        let closed = try HTTPServer { _ in .json("{}") }
        let port = closed.port
        closed.stop()
        let started = Date()
        let result = try cli(nil, port: port).run("send", "@cookie runs", "--model", "sora-2")
        #expect(result.status == 6, "\(result)")
        #expect(result.stderr.contains("cannot reach"))
        #expect(result.stderr.contains("nothing was sent"))
        #expect(Date().timeIntervalSince(started) >= 1.4, "three attempts with back-off")
        let rows = try submissions()
        #expect(rows.count == 1)
        #expect(rows[0]["state"] as String == "not-sent")
    }

    @Test func aSlowServerTimesOutAndTheOutcomeIsUnknown() throws {
        let server = try HTTPServer { _ in
            var response = HTTPServer.Response.json(#"{"task_id":"late"}"#)
            response.delay = 4
            return response
        }
        let started = Date()
        let result = try cli(server).run("send", "@cookie runs", "--model", "sora-2", "--timeout", "1")
        #expect(result.status == 6, "\(result)")
        #expect(result.stderr.contains("no complete answer"))
        #expect(result.stderr.contains("may still have been created"))
        #expect(Date().timeIntervalSince(started) < 4)
        #expect(posts(server).count == 1)
        #expect(try submissions().first?["state"] as String? == "unknown")
    }

    @Test func tooManyRequestsWithRetryAfterIsRetried() throws {
        let counter = Counter()
        let server = try HTTPServer { _ in
            counter.next() == 1
                ? .json(#"{"error":{"message":"slow down"}}"#, status: 429, headers: [("Retry-After", "1")])
                : .json(#"{"task_id":"after-wait"}"#)
        }
        let result = try cli(server).run("send", "@cookie runs", "--model", "sora-2")
        #expect(result.status == 0, "\(result)")
        #expect(posts(server).count == 2)
        #expect(try submissions().first?["taskId"] as String? == "after-wait")
    }

    @Test func serviceUnavailableWithoutRetryAfterIsNotRetried() throws {
        let server = try HTTPServer { _ in .json(#"{"error":{"message":"overloaded"}}"#, status: 503) }
        let result = try cli(server).run("send", "@cookie runs", "--model", "sora-2")
        #expect(result.status == 6)
        #expect(result.stderr.contains("HTTP 503: overloaded"))
        #expect(posts(server).count == 1)
    }

    @Test func nothingIsSentWhenTheRulesFindAnError() throws {
        let server = try HTTPServer { _ in .json(#"{"task_id":"x"}"#) }
        let result = try cli(server).run("send", "@duck runs", "--model", "sora-2", "--duration", "25")
        #expect(result.status == 1)
        #expect(result.stderr.contains("unresolved-character"))
        #expect(result.stderr.contains("duration-25-needs-pro"))
        #expect(server.requests.isEmpty)
        #expect(try submissions().isEmpty)
    }

    @Test func statusShowsAndRecordsTheAnswer() throws {
        let server = try HTTPServer { request in
            request.method == "POST"
                ? .json(#"{"id":"task-5"}"#)
                : .json(#"{"data":{"status":"succeeded","progress":100,"video_url":"https://cdn.example/v.mp4","username":"quackers.duck"}}"#)
        }
        let cli = cli(server)
        #expect(try cli.run("send", "a duck", "--model", "sora-2", "--character", "duck").status == 0)
        let status = try cli.run("status", "task-5")
        #expect(status.status == 0, "\(status)")
        #expect(status.stdout.contains("task task-5: succeeded"))
        #expect(status.stdout.contains("https://cdn.example/v.mp4"))
        let get = try #require(server.requests.first { $0.method == "GET" })
        #expect(get.path == "/v2/videos/generations/task-5")
        #expect(get.header("authorization") == "Bearer \(Self.key)")
        #expect(try submissions().first?["state"] as String? == "submitted")
        #expect(try submissions().first?["taskStatus"] as String? == "succeeded")
        let duck = try #require(try json(try cli.run("show", "duck", "--json")) as? [String: Any])
        #expect(duck["username"] as? String == "quackers.duck")
        let history = try #require(try json(try cli.run("history", "--json")) as? [[String: Any]])
        #expect(history.first?["task_id"] as? String == "task-5")
        #expect(history.first?["state"] as? String == "submitted")
        #expect(history.first?["task_status"] as? String == "succeeded")
        let custom = try cli.run("status", "task-5", "--path", "/tasks/{id}/info")
        #expect(custom.status == 0)
        #expect(server.requests.last?.path == "/tasks/task-5/info")
        try expectKeyNowhere([status, custom])
    }

    @Test func aKeyInAWorldReadableConfigIsRefused() throws {
        let server = try HTTPServer { _ in .json(#"{"task_id":"x"}"#) }
        try FileManager.default.createDirectory(atPath: scratch.path("home/config/cameo"), withIntermediateDirectories: true)
        let config = try scratch.write("home/config/cameo/config.json", "{\"base_url\":\"\(server.baseURL)\",\"api_key\":\"\(Self.key)\"}")
        chmod(config, 0o644)
        let plain = CLI(database: catalogPath, home: scratch.path("home"))
        let refused = try plain.run("send", "@cookie runs", "--model", "sora-2")
        #expect(refused.status == 4, "\(refused)")
        #expect(refused.stderr.contains("chmod 600"))
        #expect(server.requests.isEmpty)
        chmod(config, 0o600)
        let sent = try plain.run("send", "@cookie runs", "--model", "sora-2")
        #expect(sent.status == 0, "\(sent)")
        #expect(server.requests.first?.header("authorization") == "Bearer \(Self.key)")
        try expectKeyNowhere([refused, sent])
    }

    @Test func curlReadsTheKeyFromTheEnvironmentAndSendsTheSameBody() throws {
        let server = try HTTPServer { _ in .json(#"{"task_id":"via-curl"}"#) }
        let cli = cli(server)
        let curl = try cli.run("request", "it's @cookie 跳舞", "--model", "sora-2-pro", "--hd", "--curl")
        #expect(curl.status == 0, "\(curl)")
        #expect(curl.stdout.contains("$CAMEO_API_KEY") || curl.stdout.contains("${CAMEO_API_KEY"))
        try expectKeyNowhere([curl])
        let body = try cli.run("request", "it's @cookie 跳舞", "--model", "sora-2-pro", "--hd", "--json").stdout
        let shell = try CLI.Running(executable: "/bin/bash", arguments: ["-c", curl.stdout],
                                    environment: ["PATH": "/usr/bin:/bin", "CAMEO_API_KEY": Self.key], stdin: nil)
        #expect(try shell.finish(timeout: 30).status == 0)
        let received = try #require(posts(server).first)
        #expect(String(decoding: received.body, as: UTF8.self) + "\n" == body)
        #expect(received.header("authorization") == "Bearer \(Self.key)")
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.withLock { value += 1; return value } }
}
