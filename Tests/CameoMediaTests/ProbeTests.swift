import CameoMedia
import CameoMediaFacts
import CameoTestSupport
import Foundation
import Testing

/// Facts each fixture has by construction (scripts/make-fixtures).
struct Truth: Sendable, CustomStringConvertible {
    var file: String
    var format: String
    var duration: Double
    var tolerance: Double = 0.0005
    var startTime: Double?
    var codec: String
    var width: Int
    var height: Int
    var rotation = 0
    var displayWidth: Int
    var displayHeight: Int
    var rate: String
    var frames: Int?
    var audio: ClipInfo.AudioStream?
    var warnings: Set<ClipWarning.Code>

    var description: String { file }
}

let truths: [Truth] = [
    Truth(file: "landscape.mp4", format: "mov,mp4,m4a,3gp,3g2,mj2", duration: 4, startTime: 0, codec: "h264", width: 1280, height: 720,
          displayWidth: 1280, displayHeight: 720, rate: "30/1", frames: 120,
          audio: .init(codecName: "aac", channels: 2, sampleRate: 48000), warnings: []),
    Truth(file: "moov-at-end.mp4", format: "mov,mp4,m4a,3gp,3g2,mj2", duration: 2, startTime: 0, codec: "h264", width: 640, height: 360,
          displayWidth: 640, displayHeight: 360, rate: "30/1", frames: 60,
          audio: .init(codecName: "aac", channels: 2, sampleRate: 48000), warnings: [.belowHD]),
    Truth(file: "portrait.mp4", format: "mov,mp4,m4a,3gp,3g2,mj2", duration: 3, startTime: 0, codec: "h264", width: 720, height: 1280,
          displayWidth: 720, displayHeight: 1280, rate: "30/1", frames: 90, audio: nil, warnings: [.noAudio]),
    Truth(file: "rotated.mp4", format: "mov,mp4,m4a,3gp,3g2,mj2", duration: 2, startTime: 0, codec: "h264", width: 1280, height: 720,
          rotation: 90, displayWidth: 720, displayHeight: 1280, rate: "30/1", frames: 60,
          audio: .init(codecName: "aac", channels: 1, sampleRate: 44100), warnings: []),
    // MPEG-TS starts at 1.4 s (plus the encoder's delay); it still plays for 3 s, give or take one 25 fps frame.
    Truth(file: "offset.ts", format: "mpegts", duration: 3, tolerance: 0.04, startTime: 1.4, codec: "h264", width: 640, height: 360,
          displayWidth: 640, displayHeight: 360, rate: "25/1", frames: nil,
          audio: .init(codecName: "aac", channels: 2, sampleRate: 48000), warnings: [.belowHD, .notMP4H264]),
    // No duration in the header: 75 frames at 30 fps, read from the packets.
    Truth(file: "no-header-duration.webm", format: "matroska,webm", duration: 2.5, tolerance: 1.0 / 30, startTime: nil, codec: "vp9",
          width: 320, height: 240, displayWidth: 320, displayHeight: 240, rate: "30/1", frames: 75,
          audio: .init(codecName: "opus", channels: 1, sampleRate: 48000), warnings: [.belowHD, .notMP4H264]),
    Truth(file: "short.mp4", format: "mov,mp4,m4a,3gp,3g2,mj2", duration: 0.8, startTime: 0, codec: "h264", width: 640, height: 360,
          displayWidth: 640, displayHeight: 360, rate: "30/1", frames: 24, audio: nil, warnings: [.tooShort, .noAudio, .belowHD]),
    Truth(file: "one-second.mp4", format: "mov,mp4,m4a,3gp,3g2,mj2", duration: 1, startTime: 0, codec: "h264", width: 640, height: 360,
          displayWidth: 640, displayHeight: 360, rate: "30/1", frames: 30, audio: nil, warnings: [.noAudio, .belowHD]),
    Truth(file: "hevc.mp4", format: "mov,mp4,m4a,3gp,3g2,mj2", duration: 2, startTime: 0, codec: "hevc", width: 640, height: 360,
          displayWidth: 640, displayHeight: 360, rate: "30/1", frames: 60, audio: nil, warnings: [.noAudio, .belowHD, .notMP4H264]),
    Truth(file: "ultrawide.mp4", format: "mov,mp4,m4a,3gp,3g2,mj2", duration: 1, startTime: 0, codec: "h264", width: 1280, height: 400,
          displayWidth: 1280, displayHeight: 400, rate: "30/1", frames: 30, audio: nil, warnings: [.noAudio, .belowHD, .extremeAspect]),
    Truth(file: "shots.mp4", format: "mov,mp4,m4a,3gp,3g2,mj2", duration: 11.5, startTime: 0, codec: "h264", width: 320, height: 180,
          displayWidth: 320, displayHeight: 180, rate: "30/1", frames: 345, audio: nil, warnings: [.noAudio, .belowHD]),
]

func check(_ info: ClipInfo, against truth: Truth, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(info.formatName == truth.format, sourceLocation: sourceLocation)
    #expect(abs(info.duration - truth.duration) <= truth.tolerance, "duration \(info.duration)", sourceLocation: sourceLocation)
    if let start = truth.startTime {
        #expect(abs((info.startTime ?? -1) - start) < 0.1, "start \(String(describing: info.startTime))", sourceLocation: sourceLocation)
    }
    #expect(info.video.codecName == truth.codec, sourceLocation: sourceLocation)
    #expect(info.video.width == truth.width && info.video.height == truth.height, sourceLocation: sourceLocation)
    #expect(info.video.rotation == truth.rotation, sourceLocation: sourceLocation)
    #expect(info.video.displayWidth == truth.displayWidth && info.video.displayHeight == truth.displayHeight, sourceLocation: sourceLocation)
    #expect(info.video.avgFrameRate == truth.rate, sourceLocation: sourceLocation)
    #expect(info.video.nbFrames == truth.frames, sourceLocation: sourceLocation)
    #expect(info.audio == truth.audio, sourceLocation: sourceLocation)
    #expect(Set(info.warnings.map(\.code)) == truth.warnings, sourceLocation: sourceLocation)
    let size = (try? FileManager.default.attributesOfItem(atPath: Repository.fixture(truth.file))[.size] as? NSNumber)?.int64Value
    #expect(info.size == size, sourceLocation: sourceLocation)
    #expect((info.bitRate ?? 0) > 0, sourceLocation: sourceLocation)
}

@Suite struct ProbeTests {
    @Test(arguments: truths)
    func reportsTheTruthOfEachFixture(_ truth: Truth) throws {
        let info = try ClipProbe().probe(Repository.fixture(truth.file))
        check(info, against: truth)
        #expect(info.path == Repository.fixture(truth.file))
    }

    /// The catalog keeps a probe as `ClipInfo`'s JSON and reads its duration
    /// back through `ProbeFacts`: the two agree on the key.
    @Test func storedProbeJSONReadsBackThroughTheFactsType() throws {
        let info = try ClipProbe().probe(Repository.fixture("landscape.mp4"))
        let stored = try ProbeFacts(info)
        let facts = try #require(ProbeFacts(json: stored.json))
        #expect(facts == stored && facts.duration == info.duration && stored.json.contains("\"format_name\""))
        #expect(ProbeFacts(json: #"{"length":3}"#) == nil)
    }

    @Test func durationFromPacketsWhenTheHeaderHasNone() throws {
        let info = try ClipProbe().probe(Repository.fixture("no-header-duration.webm"))
        #expect(info.durationSource == .packets)
        #expect(try ClipProbe().probe(Repository.fixture("landscape.mp4")).durationSource == .header)
    }

    @Test(arguments: [
        ("broken-empty.mp4", "not a playable video"), ("broken-random.mp4", "not a playable video"),
        ("broken-text.mp4", "not a playable video"), ("broken-truncated.mp4", "moov atom not found"),
        ("audio-only.m4a", "has no video stream"), ("does-not-exist.mp4", "no such file"),
    ])
    func brokenInputsGiveAClearError(_ file: String, _ message: String) {
        let path = Repository.fixture(file)
        #expect {
            try ClipProbe().probe(path)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix(path) && text.contains(message)
        }
    }

    @Test func foldersFIFOsAndOtherSchemesAreRefused() throws {
        let scratch = try Scratch()
        #expect(throws: MediaError.notAFile(scratch.url.path)) { try ClipProbe().probe(scratch.url.path) }
        let fifo = scratch.path("pipe.mp4")
        #expect(mkfifo(fifo, 0o600) == 0)
        // Opening a FIFO would block until a writer came; it must be refused instead.
        #expect(throws: MediaError.notAFile(fifo)) { try ClipProbe().probe(fifo) }
        #expect(throws: MediaError.unsupportedURL("ftp://example.com/a.mp4")) { try ClipProbe().probe("ftp://example.com/a.mp4") }
        #expect(throws: MediaError.unsupportedURL("file:///tmp/a.mp4")) { try ClipProbe().probe("file:///tmp/a.mp4") }
    }

    @Test func aPathWithAColonIsAPath() throws {
        let scratch = try Scratch()
        let path = scratch.path("take:2.mp4")
        try FileManager.default.copyItem(atPath: Repository.fixture("one-second.mp4"), toPath: path)
        #expect(try ClipProbe().probe(path).duration == 1)
    }

    /// A clip still being written: its index is not there yet, so it is an error, quickly, never a hang.
    @Test func aClipBeingWrittenNeverHangs() throws {
        let scratch = try Scratch()
        let path = scratch.path("growing.mp4")
        let whole = try Data(contentsOf: URL(fileURLWithPath: Repository.fixture("moov-at-end.mp4")))
        try whole.prefix(4096).write(to: URL(fileURLWithPath: path))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        let writer = Thread {
            for chunk in stride(from: 4096, to: whole.count / 2, by: 4096) {
                handle.write(whole.subdata(in: chunk..<min(chunk + 4096, whole.count / 2)))
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
        writer.start()
        let started = Date()
        for _ in 0..<5 {
            #expect(throws: MediaError.self) { try ClipProbe(timeout: 5).probe(path) }
        }
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func truncatedWebMStillProbesWhatIsThere() throws {
        let scratch = try Scratch()
        let path = scratch.path("cut.webm")
        let whole = try Data(contentsOf: URL(fileURLWithPath: Repository.fixture("no-header-duration.webm")))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: path))
        let info = try ClipProbe().probe(path)
        #expect(info.duration > 0.5 && info.duration < 2.5)
    }

    @Test func batchKeepsInputOrderAndExpandsFolders() throws {
        let scratch = try Scratch()
        for name in ["b.mp4", "a.mp4", ".hidden.mp4", "notes.txt"] {
            try FileManager.default.copyItem(atPath: Repository.fixture("one-second.mp4"), toPath: scratch.path(name))
        }
        let inputs = ProbeBatch.expand([Repository.fixture("short.mp4"), scratch.url.path, Repository.fixture("broken-text.mp4")])
        #expect(inputs == [Repository.fixture("short.mp4"), scratch.path("a.mp4"), scratch.path("b.mp4"), Repository.fixture("broken-text.mp4")])
        let outcomes = ProbeBatch.run(inputs, probe: ClipProbe(), concurrency: 3)
        #expect(outcomes.count == 4)
        #expect((try? outcomes[0].get().duration) == 0.8)
        #expect((try? outcomes[1].get().path) == scratch.path("a.mp4"))
        #expect((try? outcomes[2].get().path) == scratch.path("b.mp4"))
        if case .success = outcomes[3] { Issue.record("a text file probed as a video") }
    }

    @Test func sha256MatchesAKnownDigest() throws {
        let scratch = try Scratch()
        let path = try scratch.write("abc.txt", "abc")
        #expect(try FileHash.sha256(ofFile: path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let empty = try scratch.write("empty", "")
        #expect(try FileHash.sha256(ofFile: empty) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}

@Suite struct URLProbeTests {
    static func serve(ranges: Bool) throws -> HTTPServer {
        try HTTPServer { request in
            let name = String(request.path.dropFirst())
            guard !name.contains("/"), FileManager.default.fileExists(atPath: Repository.fixture(name)) else {
                return .text("no such clip", status: 404)
            }
            return .file(Repository.fixture(name), request: request, ranges: ranges)
        }
    }

    @Test(arguments: [true, false], ["landscape.mp4", "moov-at-end.mp4", "no-header-duration.webm", "offset.ts"])
    func probesOverHTTP(ranges: Bool, file: String) throws {
        let server = try Self.serve(ranges: ranges)
        defer { server.stop() }
        let info = try ClipProbe(timeout: 10).probe("\(server.baseURL)/\(file)")
        let truth = try #require(truths.first { $0.file == file })
        #expect(info.formatName == truth.format)
        #expect(abs(info.duration - truth.duration) <= truth.tolerance)
        #expect(info.video.width == truth.width && info.video.height == truth.height)
        #expect(info.audio == truth.audio)
        #expect(info.size == Int64(try Data(contentsOf: URL(fileURLWithPath: Repository.fixture(file))).count))
        #expect(!server.requests.isEmpty)
    }

    @Test func aMissingClipIsUnreachable() throws {
        let server = try Self.serve(ranges: true)
        defer { server.stop() }
        #expect {
            try ClipProbe(timeout: 5).probe("\(server.baseURL)/nothing.mp4")
        } throws: { error in
            guard case .unreachable(_, let detail) = error as? MediaError else { return false }
            return detail.contains("404")
        }
    }

    @Test func aStalledServerTimesOut() throws {
        let server = try HTTPServer { _ in Response.slow }
        defer { server.stop() }
        let started = Date()
        #expect(throws: MediaError.timedOut("\(server.baseURL)/slow.mp4", seconds: 1)) {
            try ClipProbe(timeout: 1).probe("\(server.baseURL)/slow.mp4")
        }
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test func aRefusedConnectionIsUnreachable() {
        #expect {
            try ClipProbe(timeout: 5).probe("http://127.0.0.1:1/clip.mp4")
        } throws: { error in
            guard case .unreachable = error as? MediaError else { return false }
            return true
        }
    }
}

extension HTTPServer.Response {
    static var slow: HTTPServer.Response {
        HTTPServer.Response(status: 200, headers: [("Content-Type", "video/mp4")], body: Data(), delay: 4)
    }
}

typealias Response = HTTPServer.Response
