import CameoTestSupport
import Foundation
import Testing

@Suite struct MediaCommandTests {
    let scratch: Scratch
    let cli: CLI

    init() throws {
        scratch = try Scratch()
        cli = CLI(database: scratch.path("catalog.sqlite"), home: scratch.path("home"))
    }

    @Test func probeJSONKeepsInputOrderWithErrorsInPlace() throws {
        let inputs = ["rotated.mp4", "broken-text.mp4", "no-header-duration.webm", "audio-only.m4a"].map(Repository.fixture)
        let result = try cli.run(["probe", "--json"] + inputs)
        // The first input that failed is not a playable video: 4, as for every command (issue 11).
        #expect(result.status == 4, "some inputs failed")
        let items = try #require(try json(result) as? [[String: Any]])
        #expect(items.map { $0["path"] as? String } == inputs)
        let rotated = items[0]
        #expect(rotated["format_name"] as? String == "mov,mp4,m4a,3gp,3g2,mj2")
        #expect(rotated["duration"] as? Double == 2)
        let video = try #require(rotated["video"] as? [String: Any])
        #expect(video["rotation"] as? Int == 90)
        #expect(video["display_width"] as? Int == 720 && video["display_height"] as? Int == 1280)
        // `frame_rate`, as `windows` and `cut` name it too (issue 11).
        #expect(video["frame_rate"] as? String == "30/1")
        #expect((rotated["audio"] as? [String: Any])?["sample_rate"] as? Int == 44100)
        #expect((items[1]["error"] as? String)?.contains("not a playable video") == true)
        #expect(items[2]["duration_source"] as? String == "packets")
        #expect((items[3]["error"] as? String)?.contains("no video stream") == true)
    }

    @Test func probeAFolderAsATable() throws {
        let folder = scratch.path("clips")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in ["portrait.mp4", "short.mp4"] {
            try FileManager.default.copyItem(atPath: Repository.fixture(name), toPath: folder + "/" + name)
        }
        let result = try cli.run("probe", folder)
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("PATH"))
        #expect(lines[1].contains("portrait.mp4") && lines[1].contains("720x1280"))
        #expect(lines[2].contains("short.mp4") && lines[2].contains("too-short"))
        #expect(result.stderr.contains("plays for 0.8 s"))
    }

    @Test func probeLooksIntoSubfoldersOnlyWhenAskedAndCountsWhatItSkips() throws {
        let folder = scratch.path("clips")
        try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Repository.fixture("short.mp4"), toPath: folder + "/short.mp4")
        try FileManager.default.copyItem(atPath: Repository.fixture("portrait.mp4"), toPath: folder + "/sub/portrait.mp4")
        _ = try scratch.write("clips/notes.txt", "not a clip")

        let flat = try cli.run("probe", folder, folder + "/short.mp4")
        #expect(flat.status == 0, "\(flat)")
        #expect(flat.stdout.split(separator: "\n").count == 2, "the file given twice is probed once: \(flat)")
        #expect(flat.stderr.contains("skipped 2 file(s) that are not videos (-v names them)"))
        // Each warning once.
        #expect(flat.stderr.components(separatedBy: "plays for 0.8 s").count == 2, "\(flat.stderr)")

        let deep = try cli.run("probe", folder, "--recursive", "-v")
        #expect(deep.status == 0, "\(deep)")
        #expect(deep.stdout.contains("sub/portrait.mp4"))
        #expect(deep.stderr.contains("skipped \(folder)/notes.txt"))
        #expect(deep.stderr.contains("skipped 1 file(s) that are not videos\n"))
    }

    @Test func windowsJSONAndPreview() throws {
        let preview = scratch.path("shots.png")
        let result = try cli.run("windows", Repository.fixture("shots.mp4"), "--json", "--preview", preview, "--top", "3")
        #expect(result.status == 0, "\(result)")
        let document = try #require(try json(result) as? [String: Any])
        #expect(document["duration"] as? Double == 11.5)
        #expect((document["cuts"] as? [Double])?.count == 3)
        // A time range is {"start", "end"} in every document (issue 11).
        #expect((document["black"] as? [[String: Double]])?.first == ["start": 0, "end": 1])
        let windows = try #require(document["windows"] as? [[String: Any]])
        #expect(windows.count == 3)
        // Only two whole 3 s shots exist; the third best is the best 2 s window.
        #expect(windows.map { ($0["end"] as? Double ?? 0) - ($0["start"] as? Double ?? 0) } == [3, 3, 2])
        let png = try Data(contentsOf: URL(fileURLWithPath: preview))
        #expect(Array(png.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
    }

    @Test(arguments: [
        ("short.mp4", 4, "needs at least 1 s"), ("rapid-cuts.mp4", 1, "less than 1 s apart"), ("black.mp4", 1, "black or blank"),
        ("broken-truncated.mp4", 4, "moov atom not found"), ("audio-only.m4a", 4, "no video stream"), ("nothing.mp4", 2, "no such file"),
    ] as [(String, Int32, String)])
    func windowsRefusesWhatHasNoWindow(_ file: String, _ status: Int32, _ message: String) throws {
        let result = try cli.run("windows", Repository.fixture(file))
        #expect(result.status == status, "\(result)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func windowsExactFindsTheSameAsTheFastPath() throws {
        let clip = Repository.fixture("pframes.mp4")
        let fast = try #require(try json(try cli.run("windows", clip, "--json")) as? [String: Any])
        let exact = try #require(try json(try cli.run("windows", clip, "--json", "--exact")) as? [String: Any])
        #expect(fast["cuts"] as? [Double] == [2.6, 5.3])
        #expect(exact["cuts"] as? [Double] == fast["cuts"] as? [Double])
    }

    /// On a terminal (a pty made by script(1)) stderr shows how far analysis got; piped, nothing.
    @Test func windowsShowsProgressOnlyOnATerminal() throws {
        let clip = Repository.fixture("pframes.mp4")
        let piped = try cli.run("windows", clip)
        #expect(piped.status == 0)
        #expect(!piped.stderr.contains("analysing"), "\(piped.stderr)")
        let command = "'\(CLI.executable.path)' windows '\(clip)' >/dev/null"
        let terminal = try CLI.Running(executable: "/usr/bin/script", arguments: ["-qec", command, "/dev/null"],
                                       environment: cli.environment, stdin: nil).finish()
        #expect(terminal.status == 0, "\(terminal)")
        // Redrawn in place: a carriage return and erase-line as bytes, not shown escaped as text.
        #expect(terminal.stdout.contains("\r\u{1B}[2Kanalysing pframes.mp4: reading"), "\(terminal.stdout)")
        #expect(!terminal.stdout.contains("\\u{1b}"), "\(terminal.stdout)")
        #expect(terminal.stdout.contains("/8.0 s"), "\(terminal.stdout)")
    }

    /// The progress line is redrawn through a guard that lets colours through,
    /// so a file name's own escape sequence must not reach it.
    @Test func aFileNamesEscapeSequenceNeverReachesTheProgressLine() throws {
        let clip = scratch.path("red\u{1B}[31mclip.mp4")
        try FileManager.default.copyItem(atPath: Repository.fixture("pframes.mp4"), toPath: clip)
        let command = "'\(CLI.executable.path)' windows '\(clip)' >/dev/null"
        // With colour on, as on a user's terminal: without it the guard escapes every sequence.
        var environment = cli.environment
        environment["NO_COLOR"] = nil
        environment["TERM"] = "xterm-256color"
        let terminal = try CLI.Running(executable: "/usr/bin/script", arguments: ["-qec", command, "/dev/null"],
                                       environment: environment, stdin: nil).finish()
        #expect(terminal.status == 0, "\(terminal)")
        #expect(terminal.stdout.contains("\r\u{1B}[2Kanalysing red"), "\(terminal.stdout)")
        #expect(terminal.stdout.contains("\u{1B}[36mnote"), "colour is on: \(terminal.stdout)")
        #expect(!terminal.stdout.contains("\u{1B}[31m"), "\(terminal.stdout)")
    }

    @Test func windowsOnAOneSecondClip() throws {
        let result = try cli.run("windows", Repository.fixture("one-second.mp4"), "--json")
        let windows = try #require((try json(result) as? [String: Any])?["windows"] as? [[String: Any]])
        #expect(windows.map { [$0["start"] as? Double, $0["end"] as? Double] } == [[0, 1]])
    }

    @Test func addWithAClipPicksTheWindowAndStoresFactsAndHash() throws {
        let result = try cli.run("add", "duck", "--clip", Repository.fixture("shots.mp4"), "--url", "https://cdn.example.com/shots.mp4", "--json")
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("picked window"))
        let duck = try #require(try json(result) as? [String: Any])
        let window = try #require(duck["window"] as? [String: Double])
        #expect([1.0, 4.0].contains(window["start"] ?? -1) && (window["end"] ?? 0) - (window["start"] ?? 0) == 3)
        let clip = try #require(duck["clip"] as? [String: Any])
        #expect((clip["sha256"] as? String)?.count == 64)
        #expect(clip["duration"] as? Double == 11.5)
        #expect((clip["probe"] as? [String: Any])?["format_name"] as? String == "mov,mp4,m4a,3gp,3g2,mj2")
    }

    @Test func addWarnsWhenTheGivenWindowCrossesACut() throws {
        let result = try cli.run("add", "duck", "--clip", Repository.fixture("shots.mp4"), "--url", "https://cdn.example.com/s.mp4", "--window", "3,5")
        #expect(result.status == 0)
        #expect(result.stderr.contains("crosses a shot cut at 4 s"))
    }

    @Test(arguments: [
        (["--clip", "broken-truncated.mp4", "--window", "1,2"], 4, "not a playable video"),
        (["--clip", "short.mp4"], 4, "needs at least 1 s"),
        (["--clip", "shots.mp4", "--window", "10,12"], 64, "ends after the video"),
        (["--clip", "nothing.mp4", "--window", "1,2"], 2, "no such file"),
    ] as [([String], Int32, String)])
    func addRefusesBadClipsAndWritesNothing(_ arguments: [String], _ status: Int32, _ message: String) throws {
        let fixed = arguments.enumerated().map { index, value in index > 0 && arguments[index - 1] == "--clip" ? Repository.fixture(value) : value }
        let result = try cli.run(["add", "duck", "--url", "https://cdn.example.com/d.mp4"] + fixed)
        #expect(result.status == status, "\(result)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect((try json(try cli.run("list", "--json")) as? [Any])?.isEmpty == true)
    }

    @Test func addProbesTheURLOrKeepsItUnverified() throws {
        let server = try HTTPServer { request in .file(Repository.fixture("landscape.mp4"), request: request, ranges: true) }
        let probed = try cli.run("add", "duck", "--url", server.baseURL + "/landscape.mp4", "--json")
        #expect(probed.status == 0, "\(probed)")
        let duck = try #require(try json(probed) as? [String: Any])
        #expect(duck["source_check"] as? String == "probed")
        #expect((duck["source_probe"] as? [String: Any])?["duration"] as? Double == 4)
        #expect(duck["window"] as? [String: Double] == ["start": 0, "end": 3])

        server.stop()
        let unreachable = try cli.run("add", "goose", "--url", server.baseURL + "/goose.mp4", "--window", "1,3", "--json", "--timeout", "3")
        #expect(unreachable.status == 0, "\(unreachable)")
        #expect(unreachable.stderr.contains("stored as unverified"))
        #expect((try json(unreachable) as? [String: Any])?["source_check"] as? String == "unverified")
    }

    /// An MP4 head and then `free` boxes for ever: libavformat's MP4 reader looks for the
    /// movie box until the input ends, so only the byte cap (not the deadline) stops it.
    @Test func aURLThatNeverStopsSendingIsCutOffAtTheByteCap() throws {
        func box(_ type: String, _ payload: Data) -> Data {
            let size = UInt32(8 + payload.count)
            return Data([UInt8(size >> 24), UInt8(size >> 16 & 0xff), UInt8(size >> 8 & 0xff), UInt8(size & 0xff)]) + Data(type.utf8) + payload
        }
        let head = box("ftyp", Data("isom".utf8) + Data([0, 0, 2, 0]) + Data("isomiso2mp41".utf8))
        let free = box("free", Data(count: (1 << 20) - 8))
        let server = try HTTPServer { _ in
            var response = HTTPServer.Response(headers: [("Content-Type", "video/mp4")], body: head)
            response.endless = free
            return response
        }
        let message = "sent more than 2 GB, the most cameo reads of a clip from a URL; download the clip and give its path"
        // probe reports each input in its table; windows as the one error line.
        let probe = try cli.run(["probe", server.baseURL + "/live.mp4", "--timeout", "600"], timeout: 300)
        #expect(probe.status == 6, "\(probe)")
        #expect(probe.stdout.contains("/live.mp4") && probe.stdout.contains("error: " + message), "\(probe)")
        let windows = try cli.run(["windows", server.baseURL + "/live.mp4", "--timeout", "600"], timeout: 300)
        #expect(windows.status == 6, "\(windows)")
        #expect(windows.stderr == "cameo: error: \(server.baseURL)/live.mp4: \(message), or cut the part you need\n", "\(windows)")
    }

    @Test func showDrawsTheStoredWindow() throws {
        try cli.run("add", "duck", "--clip", Repository.fixture("shots.mp4"), "--url", "https://cdn.example.com/s.mp4", "--window", "8,10")
        let preview = scratch.path("duck.png")
        let result = try cli.run("show", "duck", "--preview", preview)
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("overlaps frozen frames"))
        #expect(FileManager.default.fileExists(atPath: preview))
    }
}
