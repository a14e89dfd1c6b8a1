import CameoTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct PersonAndCutCommandTests {
    let scratch: Scratch
    let cli: CLI
    static let person = Repository.fixture("faces/person/astronaut-frontal.mp4")
    static let cat = Repository.fixture("faces/other/cat.mp4")
    static let mixed = Repository.fixture("faces/cat-then-person.mp4")

    init() throws {
        scratch = try Scratch()
        cli = CLI(database: scratch.path("catalog.sqlite"), home: scratch.path("home"))
    }

    @Test func windowsListsFacesAndRanksFaceFreeWindowsFirst() throws {
        let result = try cli.run("windows", Self.mixed, "--json", "--top", "5")
        #expect(result.status == 0, "\(result)")
        let windows = try #require((try json(result) as? [String: Any])?["windows"] as? [[String: Any]])
        let faces = windows.map { $0["faces"] as? [[String: Any]] }
        #expect(faces.allSatisfy { $0 != nil }, "every window carries faces")
        let flagged = faces.map { !($0 ?? []).isEmpty }
        #expect(flagged.contains(true) && flagged.contains(false))
        #expect(flagged == flagged.sorted { !$0 && $1 }, "windows with a face come after those without: \(flagged)")
        #expect((windows.first?["start"] as? Double) == 0)
        let face = try #require(faces.compactMap { $0 }.flatMap { $0 }.first)
        #expect((face["box"] as? [Int])?.count == 4 && face["time"] is Double && face["score"] is Double)
        #expect(result.stderr.contains("show a human face"))

        // Without the check the person's steadier window wins: the check is what moved it down.
        let unchecked = try cli.run("windows", Self.mixed, "--json", "--no-person-check")
        let first = try #require(((try json(unchecked) as? [String: Any])?["windows"] as? [[String: Any]])?.first)
        #expect(first["start"] as? Double == 3 && first["faces"] is NSNull)

        let text = try cli.run("windows", Self.mixed)
        #expect(text.stdout.contains("PERSON") && text.stdout.contains("faces 3.") && text.stdout.contains("none"))
    }

    @Test func aBrokenDetectorIsSaidAndTheRestStillWorks() throws {
        let notAModel = try scratch.write("centerface.onnx", "not a network")
        let broken = CLI(database: scratch.path("catalog.sqlite"), home: scratch.path("home"), extra: ["CAMEO_FACE_MODEL": notAModel])
        let result = try broken.run("windows", Self.person, "--json")
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("face detector is not usable") && result.stderr.contains("scripts/bootstrap"))
        let windows = try #require((try json(result) as? [String: Any])?["windows"] as? [[String: Any]])
        #expect(!windows.isEmpty && windows.allSatisfy { $0["faces"] is NSNull })
        let added = try broken.run("add", "astro", "--clip", Self.person, "--url", "https://cdn.example.com/a.mp4", "--window", "0,2", "--json")
        let document = try json(added) as? [String: Any]
        #expect(added.status == 0 && document?["person_check"] is NSNull)
    }

    @Test func addEditAndTheStoredCheck() throws {
        let added = try cli.run("add", "astro", "--clip", Self.person, "--url", "https://cdn.example.com/a.mp4", "--window", "0,2", "--json")
        #expect(added.status == 0, "\(added)")
        #expect(added.stderr.contains("window 0,2 of \(Self.person) shows a human face at 0."))
        let stored = try #require((try json(added) as? [String: Any])?["person_check"] as? [String: Any])
        #expect(stored["detector"] as? String == "centerface-opencv-dnn" && stored["version"] as? String == "3")
        #expect(((stored["frames"] as? [Double])?.count ?? 0) >= 5)
        #expect(((stored["faces"] as? [[String: Any]])?.count ?? 0) >= 1)

        let cat = try cli.run("add", "kitty", "--clip", Self.cat, "--url", "https://cdn.example.com/c.mp4", "--window", "0,2", "--json")
        #expect(cat.status == 0 && !cat.stderr.contains("human face"))
        #expect(((try json(cat) as? [String: Any])?["person_check"] as? [String: Any])?["faces"] as? [Any] != nil)

        // A new window is checked again; the stored result follows it.
        let edited = try cli.run("edit", "astro", "--window", "1,3", "--json")
        #expect(edited.stderr.contains("window 1,3 of") && edited.stderr.contains("shows a human face at 1."))
        let frames = ((try json(edited) as? [String: Any])?["person_check"] as? [String: Any])?["frames"] as? [Double]
        #expect(frames?.allSatisfy { (1...3).contains($0) } == true)

        // Export and import keep it.
        let exported = try cli.run("export")
        let file = try scratch.write("export.json", exported.stdout)
        let other = CLI(database: scratch.path("other.sqlite"), home: scratch.path("home"))
        #expect(try other.run("import", file).status == 0)
        let shown = try other.run("show", "astro", "--json")
        let imported = (try json(shown) as? [String: Any])?["person_check"] as? [String: Any]
        #expect(imported?["frames"] as? [Double] == frames)
        #expect((imported?["faces"] as? [Any])?.isEmpty == false)
    }

    @Test func personInWindowRule() throws {
        #expect(try cli.run("add", "astro", "--clip", Self.person, "--url", "https://cdn.example.com/a.mp4", "--window", "0,2").status == 0)
        #expect(try cli.run("add", "kitty", "--clip", Self.cat, "--url", "https://cdn.example.com/c.mp4", "--window", "0,2").status == 0)

        let lint = try cli.run("lint", "a duck with @astro", "--character", "astro")
        #expect(lint.status == 0 && lint.stderr.contains("warning[person-in-window]"), "\(lint)")
        let strict = try cli.run("lint", "a duck with @astro", "--character", "astro", "--strict", "--json")
        #expect(strict.status == 1)
        let document = try #require(try json(strict) as? [String: Any])
        #expect((document["character_diagnostics"] as? [[String: Any]])?.first?["severity"] as? String == "error")
        #expect(try cli.run("lint", "a duck with @kitty", "--character", "kitty", "--strict").status == 0)
        #expect(try cli.run("lint", "--rules").stdout.contains("person-in-window"))

        let request = try cli.run("request", "@astro 跳舞", "--model", "sora-2", "--character", "astro")
        #expect(request.status == 0 && request.stderr.contains("warning[person-in-window]") && request.stderr.contains("0,2 of astro"))
        let strictRequest = try cli.run("request", "@astro 跳舞", "--model", "sora-2", "--character", "astro", "--strict")
        #expect(strictRequest.status == 1 && strictRequest.stderr.contains("error[person-in-window]") && strictRequest.stdout.isEmpty)
        let keyed = CLI(database: scratch.path("catalog.sqlite"), home: scratch.path("home"), extra: ["CAMEO_API_KEY": "sk-test"])
        let send = try keyed.run("send", "@astro 跳舞", "--model", "sora-2", "--character", "astro", "--strict", "--base-url", "http://127.0.0.1:9")
        #expect(send.status == 1 && send.stderr.contains("error[person-in-window]"), "\(send)")
    }

    @Test func cutACharactersWindow() throws {
        #expect(try cli.run("add", "land", "--clip", Repository.fixture("landscape.mp4"), "--url", "https://cdn.example.com/l.mp4",
                            "--window", "1,3").status == 0)
        let output = scratch.path("land.mp4")
        let result = try cli.run("cut", "land", "-o", output, "--json")
        #expect(result.status == 0, "\(result)")
        let document = try #require(try json(result) as? [String: Any])
        // A time range is {"start", "end"} in seconds in every document (issue 11).
        #expect(document["window"] as? [String: Double] == ["start": 0, "end": 2]
                && document["source_window"] as? [String: Double] == ["start": 1, "end": 3])
        #expect(document["audio"] as? String == "aac" || document["audio"] as? String == "source")
        #expect(result.stderr.contains("cameo edit land --clip \(output) --url HOSTED_URL --window 0,2"))
        #expect(try cli.run("probe", output, "--json").stdout.contains("\"codec_name\" : \"h264\""))

        // The path the README shows: record the hosted cut with its own window.
        let edited = try cli.run("edit", "land", "--clip", output, "--url", "https://cdn.example.com/land-cut.mp4", "--window", "0,2", "--json")
        #expect(edited.status == 0, "\(edited)")
        let character = try #require(try json(edited) as? [String: Any])
        #expect((character["clip"] as? [String: Any])?["path"] as? String == output)
        #expect((character["clip"] as? [String: Any])?["duration"] as? Double == 2)
        #expect(character["source_url"] as? String == "https://cdn.example.com/land-cut.mp4")
        #expect((character["window"] as? [String: Any])?["end"] as? Double == 2)
        #expect(((character["person_check"] as? [String: Any])?["faces"] as? [Any])?.isEmpty == true)
        let tooLong = try cli.run("edit", "land", "--clip", Repository.fixture("one-second.mp4"))
        #expect(tooLong.status != 0 && tooLong.stderr.contains("ends after the video"), "\(tooLong)")

        let silent = try cli.run("cut", Repository.fixture("portrait.mp4"), "--window", "0,1", "-o", scratch.path("p.mp4"))
        #expect(silent.status == 0 && silent.stderr.contains("--add-silence"))
        let wrongName = try cli.run("cut", "land", "-o", scratch.path("land.mov"))
        #expect(wrongName.status == 64 && wrongName.stderr.contains(".mp4"))
        let noWindow = try cli.run("cut", Repository.fixture("portrait.mp4"), "-o", scratch.path("q.mp4"))
        #expect(noWindow.status == 64 && noWindow.stderr.contains("--window"))
        let outside = try cli.run("cut", "land", "--window", "3,5", "-o", scratch.path("r.mp4"))
        #expect(outside.status != 0 && !FileManager.default.fileExists(atPath: scratch.path("r.mp4")))
        #expect(try cli.run("cut", "nobody", "-o", scratch.path("s.mp4")).status == 2)
    }

    /// Ctrl-C while the clip is being written: no file at the output name, none beside it, exit 130.
    @Test func ctrlCDuringCutLeavesNoFile() throws {
        let folder = scratch.path("cuts")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let output = folder + "/land.mp4"
        let running = try cli.start(["cut", Repository.fixture("landscape.mp4"), "--window", "0.9,3.9", "-o", output])
        // The half-written file appears beside the output once encoding starts.
        let deadline = Date().addingTimeInterval(60)
        var writing = false
        while !writing && Date() < deadline && kill(running.pid, 0) == 0 {
            writing = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).contains { $0.hasSuffix(".tmp") }
            if !writing { usleep(1_000) }
        }
        #expect(writing, "cut finished or failed before it was interrupted")
        kill(running.pid, SIGINT)
        let result = try running.finish(timeout: 30)
        #expect(result.status == 130, "\(result)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    @Test func windowsAsAUserMeetsIt() throws {
        let server = try HTTPServer { request in .file(Repository.fixture("landscape.mp4"), request: request, ranges: true) }
        defer { server.stop() }
        let url = server.baseURL + "/landscape.mp4"
        let remote = try cli.run("windows", url, "--top", "1")
        #expect(remote.status == 0 && remote.stderr.contains("cameo add ALIAS --url \(url) --window"), "\(remote)")
        #expect(!remote.stderr.contains("--clip"))
        #expect(remote.stdout.contains("ranked by: no face (PERSON) first, then LENGTH, then SCORE"))
        #expect(try cli.run("windows", "--help").stdout.contains("SCORE = 0.6 x SHARP + 0.4 x STEADY"))

        let notPNG = try cli.run("windows", Repository.fixture("landscape.mp4"), "--preview", scratch.path("w.jpg"))
        #expect(notPNG.status == 64 && notPNG.stderr.contains(".png") && !FileManager.default.fileExists(atPath: scratch.path("w.jpg")))

        // add picks with windows' --length and --step; a 1.5 s clip (cut for the purpose) gets a 1.5 s window.
        let one = try cli.run("add", "one", "--clip", Repository.fixture("landscape.mp4"), "--url", url, "--length", "1", "--step", "0.5", "--json")
        let oneWindow = (try json(one) as? [String: Any])?["window"] as? [String: Double]
        #expect(one.status == 0 && oneWindow.map { $0["end", default: 0] - $0["start", default: 0] } == 1, "\(one)")
        let short = scratch.path("short.mp4")
        #expect(try cli.run("cut", Repository.fixture("landscape.mp4"), "--window", "1,2.5", "-o", short).status == 0)
        let shortAdd = try cli.run("add", "short", "--clip", short, "--url", url + "?short", "--json")
        #expect((try json(shortAdd) as? [String: Any])?["window"] as? [String: Double] == ["start": 0, "end": 1.5], "\(shortAdd)")

        // show --preview of a character without a local clip says it reads the URL first.
        #expect(try cli.run("add", "far", "--url", url, "--window", "1,3").status == 0)
        let preview = try cli.run("show", "far", "--preview", scratch.path("far.png"), "--timeout", "30")
        #expect(preview.status == 0 && preview.stderr.contains("has no local clip: reading its source URL \(url)"), "\(preview)")
        #expect(FileManager.default.fileExists(atPath: scratch.path("far.png")))
        #expect(try cli.run("show", "far", "--preview", scratch.path("far.gif")).status == 64)
    }
}
