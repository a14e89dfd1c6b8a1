import CameoTestSupport
import Foundation
import Testing

/// Numbers a user or a file gives are refused with a clear error, never
/// trapped on; media and input sizes are checked before work is sized by them.
@Suite struct NumbersAndSizesTests {
    let scratch: Scratch
    let cli: CLI
    let clip = Repository.fixture("one-second.mp4")

    init() throws {
        scratch = try Scratch()
        cli = CLI(database: scratch.path("catalog.sqlite"), home: scratch.path("home"))
    }

    @Test(arguments: ["inf", "nan", "1e300", "-5", "0", "99999999999999999999", "86400.001"])
    func timeoutsOutsideADayAreUsageErrors(_ value: String) throws {
        for arguments in [["windows", clip], ["probe", clip], ["add", "a", "--url", "https://a.example/d.mp4", "--clip", clip],
                          ["status", "t", "--base-url", "http://127.0.0.1:1"]] {
            let result = try cli.run(arguments + ["--timeout", value])
            #expect(result.status == 64, "\(arguments) \(result)")
            #expect(result.stderr.contains("--timeout"), "\(result)")
        }
    }

    @Test func secondsOptionsTakePlainDecimals() throws {
        for (option, value) in [("--step", "1e-3"), ("--step", "nan"), ("--length", "inf"), ("--length", "0x2"), ("--top", "9223372036854775807")] {
            let result = try cli.run(["windows", clip, option, value])
            #expect(result.status == 64, "\(option) \(value): \(result)")
        }
        let result = try cli.run(["compose", "@duck", "--max-characters", "9223372036854775807"])
        #expect(result.status == 64, "\(result)")
        #expect(result.stderr.contains("--max-characters must be between 0 and 1000"), "\(result)")
    }

    /// Seconds and counts have one grammar (`Seconds.milliseconds`, `WholeNumber`): a bare point
    /// or a sign is refused by every option, window and request field alike.
    @Test(arguments: [".5", "+5", "5.", "+0.5"])
    func everyNumberParserRefusesTheSameSpellings(_ value: String) throws {
        let url = "https://a.example/d.mp4"
        for arguments in [["windows", clip, "--step", value], ["windows", clip, "--length", value], ["windows", clip, "--top", value],
                          ["probe", clip, "--timeout", value], ["history", "--limit", value], ["undo", value],
                          ["compose", "@duck", "--max-characters", value],
                          ["status", "t", "--base-url", "http://127.0.0.1:1", "--wait", "--interval", value],
                          ["add", "a", "--url", url, "--window", "\(value),2", "--no-probe"],
                          ["add", "a", "--url", url, "--window", "1,\(value)", "--no-probe"],
                          ["cut", clip, "--window", "\(value),2", "-o", scratch.path("cut.mp4")]] {
            let result = try cli.run(arguments)
            #expect(result.status == 64, "\(arguments) \(result)")
        }
        let request = try scratch.write("request.json", """
            {"model": "sora-2", "prompt": "x 跳舞", "character_url": "\(url)", "character_timestamps": "\(value),2.5"}
            """)
        let lint = try cli.run("lint", "--request", request)
        #expect(lint.status == 1, "\(lint)")
        #expect(lint.stderr.contains("\"\(value),2.5\" is not start,end in seconds"), "\(lint)")
        #expect(try cli.run("list", "--json").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
    }

    @Test func aStepShorterThanAFrameIsRaisedToOneFrame() throws {
        let result = try cli.run("windows", clip, "--step", "0.001", "--json")
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("--step 0.001 is shorter than a frame of this clip; using 0.04 s"), "\(result)")
    }

    @Test func hugeNumbersInFilesAreFileErrors() throws {
        let window = try scratch.write("import.json", """
            {"version": 1, "characters": [{"alias": "imp", "source_url": "https://a.example/d.mp4", "window": {"start": 1e300, "end": 3},
              "notes": "", "tags": [], "usernames": [], "created_at": "2025-01-01T00:00:00.000Z", "updated_at": "2025-01-01T00:00:00.000Z"}]}
            """)
        let imported = try cli.run("import", window)
        #expect(imported.status == 4, "\(imported)")
        #expect(imported.stderr.contains("not numbers of seconds a video can have"), "\(imported)")
        let request = try scratch.write("request.json", #"{"model": "sora-2", "prompt": "x", "duration": 1e300, "character_url": "https://a.example/d.mp4", "character_timestamps": "99999999999999999999999,3"}"#)
        let linted = try cli.run("lint", "--request", request)
        #expect(linted.status == 1, "\(linted)")
        #expect(linted.stderr.contains("`duration` must be a string, not the number 1e+300"), "\(linted)")
    }

    /// One second of video whose header says it plays for 2^32 s (136 years), or is 16384 pixels square.
    func lyingClip(_ name: String, _ patch: (inout Data) -> Void) throws -> String {
        var data = try Data(contentsOf: URL(fileURLWithPath: clip))
        patch(&data)
        let path = scratch.path(name)
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    static func offset(of text: String, in data: Data, after start: Int = 0) throws -> Int {
        try #require(data.range(of: Data(text.utf8), in: start..<data.count)).lowerBound
    }

    static func put(_ value: UInt32, at offset: Int, in data: inout Data) {
        for index in 0..<4 { data[offset + index] = UInt8((value >> (8 * (3 - UInt32(index)))) & 0xFF) }
    }

    @Test func headersThatClaimTooMuchAreRefusedBeforeAnyWorkIsSizedByThem() throws {
        let years = try lyingClip("136-years.mp4") { data in
            guard let mvhd = try? Self.offset(of: "mvhd", in: data) else { return }
            Self.put(1, at: mvhd + 16, in: &data)  // timescale: 1 tick a second
            Self.put(0xFFFF_FFFF, at: mvhd + 20, in: &data)  // duration: 2^32 - 1 ticks
        }
        let huge = try lyingClip("16k.mp4") { data in
            guard let stsd = try? Self.offset(of: "stsd", in: data), let avc1 = try? Self.offset(of: "avc1", in: data, after: stsd) else { return }
            Self.put(0x4000_4000, at: avc1 + 28, in: &data)  // width and height: 16384
        }
        for (path, reason) in [(years, "its header claims it plays for 4294967295.0 s, more than a day"),
                               (huge, "its picture is 16384x16384, larger than 8K")] {
            let windows = try cli.run(["windows", path], timeout: 30)
            #expect(windows.status == 4, "\(windows)")
            #expect(windows.stderr.contains(reason), "\(windows)")
            let probe = try cli.run("probe", path, "--json")
            #expect(probe.status == 4, "an unusable clip is 4 for probe too: \(probe)")
            #expect(probe.stdout.contains(reason), "\(probe)")
        }
    }

    /// A text file that a subtitle demuxer would take, and a large one: refused as not a video container.
    @Test func onlyVideoContainersAreRead() throws {
        let subtitles = try scratch.write("junk.mp4", "1\n00:00:01,000 --> 00:00:02,000\nhello\n\n")
        let big = scratch.path("big.mp4")
        let line = Data("00:00:01,000 --> 00:00:02,000 lorem ipsum dolor sit amet\n".utf8)
        var text = Data()
        text.reserveCapacity(24 << 20)
        while text.count < 24 << 20 { text.append(line) }
        try text.write(to: URL(fileURLWithPath: big))
        for path in [subtitles, big] {
            let result = try cli.run(["windows", path], timeout: 30)
            #expect(result.status == 4, "\(result)")
            #expect(result.stderr.contains("not in a video container cameo reads"), "\(result)")
        }
    }

    @Test func stdinAndFilesAreReadUpToACap() throws {
        let prompt = try cli.run(["compose", "-"], stdin: String(repeating: "鸭", count: 400_000))
        #expect(prompt.status == 4, "\(prompt)")
        #expect(prompt.stderr.contains("stdin holds more than 1 MB, too much for a prompt"), "\(prompt)")
        let folder = try cli.run("import", scratch.url.path)
        #expect(folder.status == 4, "\(folder)")
        #expect(folder.stderr.contains("is a folder"), "\(folder)")
    }
}
