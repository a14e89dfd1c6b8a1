import CameoTestSupport
import Foundation
import GRDB
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A task followed to its end, a character created, a video downloaded: a real
/// provider on 127.0.0.1 and, on another port, the host the videos live on.
@Suite struct FollowTests {
    static let key = "sk-follow-77aa31c2"

    let scratch: Scratch
    let catalogPath: String

    init() throws {
        scratch = try Scratch()
        catalogPath = scratch.path("catalog.sqlite")
        try ProviderCatalog.seed(catalogPath, home: scratch.path("home"))
    }

    func cli(_ server: HTTPServer, extra: [String: String] = [:]) -> CLI {
        CLI(database: catalogPath, home: scratch.path("home"),
            extra: ["CAMEO_API_KEY": Self.key, "CAMEO_BASE_URL": server.baseURL].merging(extra) { $1 })
    }

    func rows() throws -> [Row] {
        try DatabaseQueue(path: catalogPath).read { try Row.fetchAll($0, sql: "SELECT * FROM submission ORDER BY id") }
    }

    func identities() throws -> [Row] {
        try DatabaseQueue(path: catalogPath).read { try Row.fetchAll($0, sql: "SELECT * FROM identity ORDER BY id") }
    }

    /// A provider whose task answers step through `answers` (the last one repeats).
    static func provider(task: String = "task-1", answers: [String], post: String? = nil, video: HTTPServer? = nil) throws -> HTTPServer {
        let polls = Counter()
        return try HTTPServer { request in
            if request.method == "POST" { return .json(post ?? #"{"task_id":"\#(task)"}"#) }
            let index = min(polls.next() - 1, answers.count - 1)
            return .json(answers[index].replacingOccurrences(of: "VIDEO", with: (video?.baseURL ?? "https://cdn.example") + "/v/out.mp4"))
        }
    }

    static let shapes: [(String, [String], String)] = [
        ("upper", [#"{"code":"success","data":{"task_id":"task-1","status":"NOT_START","progress":"0%"}}"#,
                   #"{"code":"success","data":{"task_id":"task-1","status":"IN_PROGRESS","progress":"40%"}}"#,
                   #"{"code":"success","data":{"task_id":"task-1","status":"SUCCESS","progress":"100%","data":{"output":"VIDEO"}}}"#], "SUCCESS"),
        ("openai", [#"{"id":"task-1","status":"queued","progress":0}"#, #"{"id":"task-1","status":"in_progress","progress":55}"#,
                    #"{"id":"task-1","status":"completed","progress":100,"video_url":"VIDEO"}"#], "completed"),
        ("pending", [#"{"id":"task-1","status":"pending"}"#, #"{"id":"task-1","status":"processing"}"#,
                     #"{"id":"task-1","status":"completed","video_url":"VIDEO"}"#], "completed"),
    ]

    @Test(arguments: [0, 1, 2])
    func everyStatusShapeIsFollowedToTheEnd(_ shape: Int) throws {
        let (_, answers, finalWord) = Self.shapes[shape]
        let server = try Self.provider(answers: answers)
        let result = try cli(server).run(["send", "@cookie runs", "--model", "sora-2", "--wait", "--interval", "0.1"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "task-1\n")
        let lines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("task task-1:") }
        #expect(lines.first?.contains("queued") == true, "\(lines)")
        #expect(lines.contains { $0.contains("running") }, "\(lines)")
        #expect(lines.last?.contains("succeeded") == true, "\(lines)")
        #expect(Set(lines).count == lines.count, "one line per change off a terminal")
        let row = try #require(try rows().first)
        #expect(row["state"] as String == "submitted")
        #expect(row["taskStatus"] as String? == "succeeded")
        #expect(row["providerStatus"] as String? == finalWord)
        #expect(server.requests.filter { $0.method == "GET" }.allSatisfy { $0.path == "/v2/videos/generations/task-1" })
    }

    @Test func aFailedTaskGivesItsReasonAndExits6() throws {
        let server = try Self.provider(answers: [#"{"data":{"status":"SUBMITTED"}}"#,
                                                 #"{"data":{"status":"FAILURE","fail_reason":"content policy: \u001b[31mred"}}"#])
        let result = try cli(server).run(["send", "@cookie runs", "--model", "sora-2", "--wait", "--interval", "0.1"])
        #expect(result.status == 6, "\(result)")
        #expect(result.stderr.contains("ended failed: content policy"))
        #expect(!result.stderr.contains("\u{1B}[31m"), "provider text reaches the terminal escaped")
        let row = try #require(try rows().first)
        #expect(row["taskStatus"] as String? == "failed")
        #expect(row["providerStatus"] as String? == "FAILURE")
        #expect((row["error"] as String?)?.contains("content policy") == true)
        let history = try cli(server).run("history", "--state", "submitted")
        #expect(history.stdout.contains("failed") && history.stdout.contains("sora-2") && history.stdout.contains("@crumbs.jar"), "\(history)")
    }

    @Test func anUnknownWordIsShownWithAWarningAndWaitingGoesOn() throws {
        let server = try Self.provider(answers: [#"{"status":"RENDERING_FRAMES"}"#, #"{"status":"succeeded"}"#])
        let result = try cli(server).run(["status", "task-1", "--wait", "--interval", "0.1"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("\"RENDERING_FRAMES\" is not one cameo knows; still waiting"))
        #expect(result.stdout.contains("task task-1: succeeded"))
    }

    @Test func waitingGivesUpAfterTheLimitAndAFailedGetIsRetried() throws {
        let polls = Counter()
        let server = try HTTPServer { request in
            // Three failed GETs in a row exhaust one poll's attempts; the next poll goes on.
            request.method == "POST" ? .json(#"{"task_id":"slow"}"#) : (polls.next() <= 3 ? .hangingUp : .json(#"{"status":"queued"}"#))
        }
        let started = Date()
        let result = try cli(server).run(["send", "@cookie runs", "--model", "sora-2", "--wait", "--interval", "0.2", "--wait-timeout", "1.5"])
        #expect(result.status == 6, "\(result)")
        #expect(result.stderr.contains("trying again"))
        #expect(result.stderr.contains("resume with `cameo status slow --wait`"))
        #expect(Date().timeIntervalSince(started) < 6)
        #expect(server.requests.filter { $0.method == "GET" }.count >= 4)
        #expect(try rows().first?["taskStatus"] as String? == "queued")
    }

    @Test func ctrlCWhileWaitingStopsWaitingOnly() throws {
        let server = try Self.provider(answers: [#"{"status":"queued"}"#])
        let running = try cli(server).start(["send", "@cookie runs", "--model", "sora-2", "--wait", "--interval", "0.2"])
        let deadline = Date().addingTimeInterval(20)
        while server.requests.filter({ $0.method == "GET" }).isEmpty && Date() < deadline { usleep(20_000) }
        kill(running.pid, SIGINT)
        let result = try running.finish(timeout: 20)
        #expect(result.status == 130, "\(result)")
        #expect(result.stderr.contains("resume with `cameo status task-1 --wait`"))
        let row = try #require(try rows().first)
        #expect(row["state"] as String == "submitted")
        #expect(row["taskId"] as String? == "task-1")
    }

    @Test func onATerminalWaitingKeepsOneLiveLine() throws {
        let server = try Self.provider(answers: [#"{"status":"queued"}"#, #"{"status":"in_progress","progress":30}"#,
                                                 #"{"status":"in_progress","progress":60}"#, #"{"status":"completed"}"#])
        let cli = cli(server)
        // script(1) gives cameo a terminal; its transcript is what the user would see.
        let quoted = ([CLI.executable.path, "status", "task-1", "--wait", "--interval", "0.1"]).map { "'" + $0 + "'" }.joined(separator: " ")
        let result = try CLI.Running(executable: "/usr/bin/script", arguments: ["-qec", quoted, "/dev/null"],
                                     environment: cli.environment, stdin: nil).finish(timeout: 60)
        #expect(result.status == 0, "\(result)")
        let screen = result.stdout
        #expect(screen.contains("\r\u{1B}[2Ktask task-1: running 30%"), "\(screen.debugDescription)")
        #expect(screen.contains("\r\u{1B}[2Ktask task-1: running 60%"))
        let lines = screen.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n").filter { $0.contains("task task-1: running") }
        #expect(lines.count == 1, "one line, rewritten in place: \(lines)")
    }

    @Test func statusLastFollowsTheNewestSubmission() throws {
        let server = try Self.provider(task: "newest", answers: [#"{"status":"in_progress","progress":12}"#])
        let cli = cli(server)
        #expect(try cli.run("status", "--last").status == 2)
        #expect(try cli.run("send", "@cookie runs", "--model", "sora-2").status == 0)
        let result = try cli.run("status", "--last", "--json")
        #expect(result.status == 0, "\(result)")
        let document = try #require(try json(result) as? [String: Any])
        #expect(document["task_id"] as? String == "newest")
        #expect(document["status"] as? String == "running")
        #expect(document["provider_status"] as? String == "in_progress")
        #expect(document["progress"] as? String == "12%")
    }

    // MARK: Downloads

    enum Host { case ranges, plain, slow, truncated, text }

    static func videoHost(_ kind: Host) throws -> HTTPServer {
        let clip = Repository.fixture("short.mp4")
        return try HTTPServer { request in
            switch kind {
            case .ranges: return .file(clip, request: request, ranges: true)
            case .plain: return .file(clip, request: request, ranges: false)
            case .slow:
                var response = HTTPServer.Response.file(clip, request: request, ranges: false)
                response.piece = 4096
                response.pace = 0.01
                return response
            case .truncated:
                let data = FileManager.default.contents(atPath: clip) ?? Data()
                var response = HTTPServer.Response(status: 200, headers: [("Content-Type", "video/mp4"), ("Content-Length", "\(data.count)")],
                                                   body: data.prefix(data.count / 2))
                response.closeAfterBody = true
                return response
            case .text: return .text("<html>Access denied</html>", status: 200, contentType: "video/mp4")
            }
        }
    }

    func folderEntries() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: scratch.path("out")).sorted()
    }

    @Test(arguments: [Host.ranges, .plain, .slow])
    func aFinishedVideoIsDownloadedWithoutTheKey(_ kind: Host) throws {
        let host = try Self.videoHost(kind)
        let server = try Self.provider(answers: [#"{"status":"completed","video_url":"VIDEO"}"#], video: host)
        try FileManager.default.createDirectory(atPath: scratch.path("out"), withIntermediateDirectories: true)
        let target = scratch.path("out/duck.mp4")
        let result = try cli(server).run(["send", "@cookie runs", "--model", "sora-2", "--wait", "--interval", "0.1", "--download", target])
        #expect(result.status == 0, "\(result)")
        #expect(FileManager.default.contents(atPath: target) == FileManager.default.contents(atPath: Repository.fixture("short.mp4")))
        #expect(try folderEntries() == ["duck.mp4"], "no temporary file is left")
        #expect(host.requests.count >= 1)
        #expect(host.requests.allSatisfy { $0.header("authorization") == nil && $0.path == "/v/out.mp4" })
        #expect(server.requests.allSatisfy { $0.header("authorization") == "Bearer \(Self.key)" })
        #expect(try rows().first?["downloadPath"] as String? == URL(fileURLWithPath: target).standardizedFileURL.path)
    }

    @Test(arguments: [(Host.truncated, Int32(6)), (Host.text, Int32(4))] as [(Host, Int32)])
    func aBadDownloadLeavesNoFile(_ kind: Host, _ exit: Int32) throws {
        let host = try Self.videoHost(kind)
        let server = try Self.provider(answers: [#"{"status":"completed","video_url":"VIDEO"}"#], video: host)
        try FileManager.default.createDirectory(atPath: scratch.path("out"), withIntermediateDirectories: true)
        let target = scratch.path("out/duck.mp4")
        let result = try cli(server).run(["status", "task-1", "--download", target])
        #expect(result.status == exit, "\(result)")
        #expect(result.stderr.contains("nothing was saved"))
        let left = try folderEntries()
        #expect(left.isEmpty, "left \(left)")
        #expect(host.requests.allSatisfy { $0.header("authorization") == nil })
        #expect(try rows().isEmpty)
    }

    @Test func anExistingFileIsKeptWithoutForceAndNothingIsSent() throws {
        let host = try Self.videoHost(.plain)
        let server = try Self.provider(answers: [#"{"status":"completed","video_url":"VIDEO"}"#], video: host)
        try FileManager.default.createDirectory(atPath: scratch.path("out"), withIntermediateDirectories: true)
        let target = try scratch.write("out/duck.mp4", "mine")
        let refused = try cli(server).run(["send", "@cookie runs", "--model", "sora-2", "--wait", "--download", target])
        #expect(refused.status == 3, "\(refused)")
        #expect(server.requests.isEmpty && host.requests.isEmpty)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "mine")
        let forced = try cli(server).run(["status", "task-1", "--download", target, "--force"])
        #expect(forced.status == 0, "\(forced)")
        #expect(FileManager.default.contents(atPath: target) == FileManager.default.contents(atPath: Repository.fixture("short.mp4")))
    }

    @Test func aDownloadFollowsTheVideoHostsRedirectWithoutTheKey() throws {
        let cdn = try Self.videoHost(.ranges)
        let signer = try HTTPServer { request in
            HTTPServer.Response(status: 302, headers: [("Location", cdn.baseURL + request.path + "?sig=abc")])
        }
        let server = try Self.provider(answers: [#"{"status":"completed","video_url":"VIDEO"}"#], video: signer)
        try FileManager.default.createDirectory(atPath: scratch.path("out"), withIntermediateDirectories: true)
        let target = scratch.path("out/duck.mp4")
        let result = try cli(server).run(["status", "task-1", "--download", target])
        #expect(result.status == 0, "\(result)")
        #expect(FileManager.default.contents(atPath: target) == FileManager.default.contents(atPath: Repository.fixture("short.mp4")))
        #expect(cdn.requests.first?.path == "/v/out.mp4?sig=abc")
        #expect((signer.requests + cdn.requests).allSatisfy { $0.header("authorization") == nil })
    }

    @Test func aDownloadWritesThroughASymlinkAndIntoADevice() throws {
        let host = try Self.videoHost(.plain)
        let server = try Self.provider(answers: [#"{"status":"completed","video_url":"VIDEO"}"#], video: host)
        try FileManager.default.createDirectory(atPath: scratch.path("out"), withIntermediateDirectories: true)
        let real = try scratch.write("out/real.mp4", "old")
        chmod(real, 0o640)
        let link = scratch.path("out/link.mp4")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        let result = try cli(server).run(["status", "task-1", "--download", link, "--force"])
        #expect(result.status == 0, "\(result)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == real, "the link is still a link")
        #expect(FileManager.default.contents(atPath: real) == FileManager.default.contents(atPath: Repository.fixture("short.mp4")))
        #expect((try FileManager.default.attributesOfItem(atPath: real)[.posixPermissions] as? Int) == 0o640, "the file keeps its mode")
        #expect(try folderEntries() == ["link.mp4", "real.mp4"])
        let device = try cli(server).run(["status", "task-1", "--download", "/dev/null"])
        #expect(device.status == 0, "\(device)")
    }

    // MARK: Create

    @Test(arguments: [
        #"{"id":"ch_1","username":"quackers.duck","permalink":"https://sora.example/@quackers.duck","profile_picture_url":"https://cdn.example/a.png","display_name":"Quackers"}"#,
        #"{"code":0,"data":{"id":"ch_1","username":"quackers.duck","permalink":"https://sora.example/@quackers.duck","profile_picture_url":"https://cdn.example/a.png","display_name":"Quackers"}}"#,
    ])
    func createRecordsASynchronousAnswer(_ answer: String) throws {
        let server = try HTTPServer { _ in .json(answer) }
        let result = try cli(server).run("create", "duck", "--json")
        #expect(result.status == 0, "\(result)")
        let post = try #require(server.requests.first)
        #expect(post.path == "/sora/v1/characters")
        #expect(post.header("authorization") == "Bearer \(Self.key)")
        let body = try #require(try JSONSerialization.jsonObject(with: post.body) as? [String: String])
        #expect(body == ["url": "https://cdn.example.com/duck.mp4", "timestamps": "1,3"])
        let document = try #require(try json(result) as? [String: Any])
        #expect(document["username"] as? String == "quackers.duck")
        #expect(document["avatar_fetched_at"] is String)
        let identity = try #require(try identities().first { ($0["username"] as String) == "quackers.duck" })
        #expect(identity["origin"] as String == "created")
        #expect(identity["platformCharacterId"] as String? == "ch_1")
        #expect(identity["displayName"] as String? == "Quackers")
        #expect(identity["permalink"] as String? == "https://sora.example/@quackers.duck")
        #expect(identity["avatarURL"] as String? == "https://cdn.example/a.png")
        #expect(identity["avatarFetchedAt"] as String? != nil)
        #expect(identity["provider"] as String? == server.baseURL)
        let row = try #require(try rows().first)
        #expect(row["kind"] as String == "character")
        #expect(row["state"] as String == "submitted")
    }

    @Test func createLooksForPeopleInALocalClipFirst() throws {
        // Each clip's character gets its own username: the name of its file.
        let server = try HTTPServer { request in
            let url = (try? JSONSerialization.jsonObject(with: request.body) as? [String: String])?["url"] ?? "x"
            let name = URL(string: url)?.deletingPathExtension().lastPathComponent ?? "x"
            return .json(#"{"id":"ch_\#(name)","username":"\#(name).made"}"#)
        }
        let cli = cli(server)
        let person = Repository.fixture("faces/person/astronaut-frontal.mp4")
        try cli.run("add", "astro", "--clip", person, "--url", "https://cdn.example.com/astro.mp4", "--window", "0,2")
        let created = try cli.run("create", "astro")
        #expect(created.status == 0, "\(created)")
        #expect(created.stderr.contains("window 0,2 of \(person) shows a human face at 0."), "\(created)")
        #expect(server.requests.count == 1)
        #expect(created.stdout == "@astro.made\n")

        // Without the clip at hand, what was stored when it was added is said instead.
        let moved = scratch.path("elsewhere.mp4")
        try FileManager.default.copyItem(atPath: person, toPath: moved)
        try cli.run("add", "astro2", "--clip", moved, "--url", "https://cdn.example.com/astro2.mp4", "--window", "0,2")
        try FileManager.default.removeItem(atPath: moved)
        let fromStored = try cli.run("create", "astro2")
        #expect(fromStored.status == 0 && fromStored.stderr.contains("window 0,2 of astro2 shows a human face"), "\(fromStored)")

        // A cat draws no warning.
        try cli.run("add", "kitty", "--clip", Repository.fixture("faces/other/cat.mp4"), "--url", "https://cdn.example.com/c.mp4", "--window", "0,2")
        let cat = try cli.run("create", "kitty")
        #expect(cat.status == 0 && !cat.stderr.contains("human face"), "\(cat)")
    }

    @Test func createFollowsAnAsynchronousTaskUntilTheUsernameAppears() throws {
        let polls = Counter()
        let server = try HTTPServer { request in
            if request.method == "POST" { return .json(#"{"task_id":"ct-9","status":"queued"}"#) }
            return polls.next() < 3 ? .json(#"{"status":"processing"}"#)
                : .json(#"{"status":"completed","character":{"id":"ch_9","username":"quackers.duck"}}"#)
        }
        let noWait = try cli(server).run("create", "cookie", "--from-task", "gen-4")
        #expect(noWait.status == 0, "\(noWait)")
        #expect(noWait.stdout == "ct-9\n")
        let first = try #require(server.requests.first)
        let body = try #require(try JSONSerialization.jsonObject(with: first.body) as? [String: String])
        #expect(body == ["from_task": "gen-4", "timestamps": "0.5,2.5"])
        let result = try cli(server).run("create", "duck", "--wait", "--interval", "0.1")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "@quackers.duck\n")
        #expect(server.requests.filter { $0.method == "GET" }.allSatisfy { $0.path == "/sora/v1/characters/ct-9" })
        let duck = try #require(try json(try cli(server).run("show", "duck", "--json")) as? [String: Any])
        #expect(duck["username"] as? String == "quackers.duck")
    }

    @Test func statusFollowsACharacterTaskOnTheCharactersRoute() throws {
        let polls = Counter()
        let server = try HTTPServer { request in
            if request.method == "POST" { return .json(#"{"id":"ct-2"}"#) }
            return polls.next() < 2 ? .json(#"{"status":"processing"}"#) : .json(#"{"data":{"id":"ch_2","username":"quackers.duck"}}"#)
        }
        let cli = cli(server)
        #expect(try cli.run("create", "duck").stdout == "ct-2\n")
        let result = try cli.run("status", "ct-2", "--wait", "--interval", "0.1")
        #expect(result.status == 0, "\(result)")
        #expect(server.requests.filter { $0.method == "GET" }.allSatisfy { $0.path == "/sora/v1/characters/ct-2" })
        let identity = try #require(try identities().first { ($0["username"] as String) == "quackers.duck" })
        #expect(identity["origin"] as String == "created")
    }

    @Test(arguments: [
        (404, #"{"error":{"code":"cameo_not_found","message":"no such task"}}"#, "does not know that character"),
        (400, #"{"error":{"code":"invalid_request","message":"the video shows a real person"}}"#, "shows a person"),
        (400, #"{"error":{"message":"timestamps invalid: must be 1-3 seconds"}}"#, "refused character_timestamps"),
        (403, #"{"error":{"code":"moderation_blocked","message":"no"}}"#, "moderation"),
    ] as [(Int, String, String)])
    func createExplainsRefusals(_ status: Int, _ body: String, _ message: String) throws {
        let server = try HTTPServer { _ in .json(body, status: status) }
        let result = try cli(server).run("create", "duck")
        #expect(result.status == 6, "\(result)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(try rows().first?["state"] as String? == "failed")
        #expect(try identities().count == 1, "no identity recorded")
    }

    // MARK: Profiles

    func writeConfig(_ text: String) throws {
        try FileManager.default.createDirectory(atPath: scratch.path("home/config/cameo"), withIntermediateDirectories: true)
        let path = try scratch.write("home/config/cameo/config.json", text)
        chmod(path, 0o600)
    }

    @Test func profilesChooseRoutesWindowsModelsAndKeys() throws {
        let main = try HTTPServer { _ in .json(#"{"task_id":"m-1"}"#) }
        let backup = try HTTPServer { _ in .json(#"{"id":"b-1","status":"queued"}"#) }
        try writeConfig("""
            {"default_provider": "main",
             "providers": {
               "main": {"base_url": "\(main.baseURL)"},
               "backup": {"base_url": "\(backup.baseURL)", "generations_path": "/v1/videos", "status_path": "/v1/videos/{id}",
                          "window": {"min": 1, "max": 2}, "models": ["sora-2"], "key_env": "BACKUP_KEY"}}}
            """)
        let plain = CLI(database: catalogPath, home: scratch.path("home"), extra: ["CAMEO_API_KEY": Self.key, "BACKUP_KEY": "sk-backup"])
        #expect(try plain.run("send", "@cookie runs", "--model", "sora-2").status == 0)
        #expect(main.requests.first?.path == "/v2/videos/generations")
        // backup takes at most 2 s: a 3 s window is refused before anything is sent.
        #expect(try plain.run("add", "mouse", "--url", "https://cdn.example.com/mouse.mp4", "--window", "0,3", "--no-probe").status == 0)
        let tooLong = try plain.run("send", "a mouse", "--model", "sora-2", "--character", "mouse", "--provider", "backup")
        #expect(tooLong.status == 1, "\(tooLong)")
        #expect(tooLong.stderr.contains("1 to 2 seconds for provider backup"))
        let pro = try plain.run("request", "a duck", "--model", "sora-2-pro", "--provider", "backup")
        #expect(pro.status == 1)
        #expect(pro.stderr.contains("not one of sora-2 (provider backup)"))
        #expect(backup.requests.isEmpty)
        // @crumbs.jar was never made on backup: a warning, and the request goes to backup's route with backup's key.
        let moved = try CLI(database: catalogPath, home: scratch.path("home"),
                            extra: ["CAMEO_API_KEY": Self.key, "BACKUP_KEY": "sk-backup", "CAMEO_PROVIDER": "backup"])
            .run("send", "@cookie runs", "--model", "sora-2")
        #expect(moved.status == 0, "\(moved)")
        let post = try #require(backup.requests.first)
        #expect(post.path == "/v1/videos")
        #expect(post.header("authorization") == "Bearer sk-backup")
        // CAMEO_BASE_URL belongs to the default profile: backup's key does not follow it.
        let stray = try HTTPServer { _ in .json(#"{"task_id":"stray"}"#) }
        let pinned = try CLI(database: catalogPath, home: scratch.path("home"),
                             extra: ["BACKUP_KEY": "sk-backup", "CAMEO_BASE_URL": stray.baseURL])
            .run("send", "@cookie runs", "--model", "sora-2", "--provider", "backup")
        #expect(pinned.status == 0, "\(pinned)")
        #expect(stray.requests.isEmpty)
        #expect(backup.requests.count == 2)
        let lint = try plain.run("lint", "@cookie runs", "--provider", "backup")
        #expect(lint.stderr.contains("checked for provider backup"), "\(lint)")
        let unknown = try plain.run("send", "@cookie runs", "--model", "sora-2", "--provider", "nope")
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("it defines backup, main"))
        try CLI(database: catalogPath, home: scratch.path("home")).run("resolve", "cookie", "crumbs.jar.b")
        let identityProvider = try DatabaseQueue(path: catalogPath).write { db in
            try db.execute(sql: "UPDATE identity SET provider = ? WHERE username = 'crumbs.jar.b'", arguments: [main.baseURL])
        }
        _ = identityProvider
        let warned = try plain.run("request", "@cookie runs", "--model", "sora-2", "--provider", "backup", "--base-url", backup.baseURL)
        #expect(warned.stderr.contains("username-other-provider"), "\(warned)")
        #expect(warned.stderr.contains("cameo create cookie --provider backup"))
    }

    @Test func theOldSingleProviderKeysAreTheDefaultProfile() throws {
        let server = try HTTPServer { _ in .json(#"{"task_id":"old"}"#) }
        try writeConfig(#"{"base_url": "\#(server.baseURL)", "status_path": "/tasks/{id}", "api_key": "sk-in-file"}"#)
        let plain = CLI(database: catalogPath, home: scratch.path("home"))
        #expect(try plain.run("send", "@cookie runs", "--model", "sora-2").status == 0)
        #expect(try plain.run("status", "old").status == 0)
        #expect(server.requests.last?.path == "/tasks/old")
        #expect(server.requests.allSatisfy { $0.header("authorization") == "Bearer sk-in-file" })
    }

    // MARK: The whole loop

    @Test func fromAddToADownloadedVideoWithoutTypingAUsername() throws {
        let host = try Self.videoHost(.ranges)
        let polls = Counter()
        let server = try HTTPServer { request in
            switch (request.method, request.path) {
            case ("POST", "/sora/v1/characters"): return .json(#"{"task_id":"char-1"}"#)
            case ("GET", "/sora/v1/characters/char-1"):
                return .json(#"{"status":"completed","data":{"id":"ch_5","username":"pebble.rock","profile_picture_url":"https://cdn.example/p.png"}}"#)
            case ("POST", "/v2/videos/generations"): return .json(#"{"task_id":"gen-1"}"#)
            default:
                return polls.next() < 2 ? .json(#"{"status":"in_progress","progress":50}"#)
                    : .json(#"{"status":"completed","video_url":"\#(host.baseURL)/v/out.mp4"}"#)
            }
        }
        let cli = cli(server)
        #expect(try cli.run("add", "pebble", "--url", "https://cdn.example.com/pebble.mp4", "--window", "2,4", "--no-probe").status == 0)
        let created = try cli.run("create", "pebble", "--wait", "--interval", "0.1")
        #expect(created.status == 0, "\(created)")
        let target = scratch.path("pebble-video.mp4")
        let sent = try cli.run("send", "@pebble 在海边", "--model", "sora-2", "--wait", "--interval", "0.1", "--download", target)
        #expect(sent.status == 0, "\(sent)")
        let generation = try #require(server.requests.first { $0.path == "/v2/videos/generations" })
        let body = try #require(try JSONSerialization.jsonObject(with: generation.body) as? [String: Any])
        #expect(body["prompt"] as? String == "@pebble.rock 在海边")
        #expect(FileManager.default.contents(atPath: target) == FileManager.default.contents(atPath: Repository.fixture("short.mp4")))
        #expect(host.requests.allSatisfy { $0.header("authorization") == nil })
        let history = try #require(try json(try cli.run("history", "--json")) as? [[String: Any]])
        #expect(history.map { $0["kind"] as? String } == ["generation", "character"])
        #expect(history.first?["download_path"] as? String == URL(fileURLWithPath: target).standardizedFileURL.path)
    }
}
