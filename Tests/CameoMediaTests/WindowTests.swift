import CFFmpeg
@testable import CameoMedia
import CameoTestSupport
import Foundation
import Testing

/// shots.mp4 by construction: black 0-1 s, three shots cut at 1, 4 and 7 s, frozen 9.5-11.5 s, 30 fps.
enum Shots {
    static let cuts = [1.0, 4.0, 7.0]
    static let black = (0.0, 1.0)
    static let frozen = (9.5, 11.5)
    static let frame = 1.0 / 30
}

func isValid(_ window: RankedWindow, duration: Double) -> Bool {
    window.start >= 0 && window.end <= duration + 0.0005 && window.length >= 0.9995 && window.length <= 3.0005
}

@Suite struct WindowTests {
    static let shots: ClipAnalysis? = try? ClipAnalyzer().analyze(Repository.fixture("shots.mp4"))

    @Test func findsTheCutsWithinOneFrame() throws {
        let analysis = try #require(Self.shots)
        #expect(analysis.cuts.count == Shots.cuts.count, "\(analysis.cuts)")
        for (found, truth) in zip(analysis.cuts, Shots.cuts) {
            #expect(abs(found.time - truth) <= Shots.frame + 0.0005, "cut at \(found.time), truth \(truth)")
        }
    }

    @Test func findsTheBlackAndFrozenSpans() throws {
        let analysis = try #require(Self.shots)
        #expect(analysis.black.count == 1)
        #expect(abs((analysis.black.first?.start ?? -1) - Shots.black.0) <= Shots.frame)
        #expect(abs((analysis.black.first?.end ?? -1) - Shots.black.1) <= Shots.frame)
        #expect(analysis.frozen.count == 1)
        #expect(abs((analysis.frozen.first?.start ?? -1) - Shots.frozen.0) <= 2 * Shots.frame)
        #expect(abs((analysis.frozen.first?.end ?? -1) - Shots.frozen.1) <= Shots.frame)
    }

    @Test(arguments: [1.0, 0.1, 0.25])
    func everyProposedWindowIsValidAndCrossesNoKnownCut(step: Double) throws {
        let analysis = try #require(Self.shots)
        let windows = try analysis.windows(step: step, top: 10_000)
        #expect(!windows.isEmpty)
        for window in windows {
            #expect(isValid(window, duration: 11.5), "\(window)")
            for cut in Shots.cuts {
                #expect(!(window.start < cut - 0.0005 && window.end > cut + 0.0005), "\(window.start),\(window.end) crosses \(cut)")
            }
            #expect(window.start >= Shots.black.1 - 0.0005, "\(window.start),\(window.end) overlaps the black lead-in")
            #expect(window.end <= Shots.frozen.0 + 0.0005, "\(window.start),\(window.end) overlaps the frozen tail")
            let startsOnStep = (window.start / step).rounded() * step
            #expect(abs(window.start - startsOnStep) < 0.0005)
        }
        // Longest first: with 3 s shots available, the best window is a whole shot.
        let best = try #require(windows.first)
        #expect(best.length == 3)
        #expect([1.0, 4.0].contains(best.start))
    }

    @Test func lengthAsksForShorterWindows() throws {
        let analysis = try #require(Self.shots)
        let windows = try analysis.windows(maximumLength: 2, top: 100)
        #expect(windows.allSatisfy { $0.length <= 2 })
        #expect(windows.first?.length == 2)
    }

    @Test func problemsOfAGivenWindow() throws {
        let analysis = try #require(Self.shots)
        #expect(analysis.problems(start: 1, end: 4).isEmpty)
        #expect(analysis.problems(start: 3, end: 5).contains { if case .crossesCut = $0 { true } else { false } })
        #expect(analysis.problems(start: 0, end: 2).contains { if case .overlapsBlack = $0 { true } else { false } })
        #expect(analysis.problems(start: 9, end: 11).contains { if case .overlapsFrozen = $0 { true } else { false } })
        #expect(analysis.problems(start: 10, end: 12).contains(.outsideClip(duration: 11.5)))
    }

    @Test func aOneSecondClipYieldsExactlyZeroToOne() throws {
        let windows = try ClipAnalyzer().analyze(Repository.fixture("one-second.mp4")).windows(top: 100)
        #expect(windows.map { [$0.start, $0.end] } == [[0, 1]])
        let fine = try ClipAnalyzer().analyze(Repository.fixture("one-second.mp4")).windows(step: 0.1, top: 100)
        #expect(fine.map { [$0.start, $0.end] } == [[0, 1]])
    }

    @Test func aClipUnderOneSecondIsAnError() {
        #expect(throws: MediaError.tooShort(Repository.fixture("short.mp4"), duration: 0.8)) {
            try ClipAnalyzer().analyze(Repository.fixture("short.mp4"))
        }
    }

    @Test(arguments: [("rapid-cuts.mp4", "less than 1 s apart"), ("black.mp4", "black or blank")])
    func noValidWindowSaysWhy(_ file: String, _ reason: String) throws {
        let analysis = try ClipAnalyzer().analyze(Repository.fixture(file))
        #expect {
            try analysis.windows()
        } throws: { error in
            guard case .noValidWindow(_, let why) = error as? MediaError else { return false }
            return why.contains(reason)
        }
    }

    @Test func rapidCutsAreFoundEveryHalfSecond() throws {
        let analysis = try ClipAnalyzer().analyze(Repository.fixture("rapid-cuts.mp4"))
        let truth = stride(from: 0.5, to: 4.0, by: 0.5).map { $0 }
        #expect(analysis.cuts.count == truth.count, "\(analysis.cuts.map(\.time))")
        for (found, expected) in zip(analysis.cuts, truth) {
            #expect(abs(found.time - expected) <= Shots.frame + 0.0005)
        }
    }

    /// Continuous moving pictures must not be cut up, whatever the codec, container or orientation.
    @Test(arguments: ["landscape.mp4", "portrait.mp4", "rotated.mp4", "hevc.mp4", "no-header-duration.webm", "offset.ts", "moov-at-end.mp4"])
    func continuousClipsHaveNoCutsAndFullWindows(_ file: String) throws {
        let analysis = try ClipAnalyzer().analyze(Repository.fixture(file))
        #expect(analysis.cuts.isEmpty, "\(analysis.cuts)")
        #expect(analysis.black.isEmpty)
        #expect(analysis.frozen.isEmpty)
        let windows = try analysis.windows(top: 50)
        #expect(windows.allSatisfy { isValid($0, duration: analysis.duration) })
        // Times count from the first frame shown, even when the stream starts at 1.4 s.
        #expect(windows.contains { $0.start == 0 })
    }

    @Test(arguments: ["broken-empty.mp4", "broken-random.mp4", "broken-text.mp4", "broken-truncated.mp4", "audio-only.m4a"])
    func brokenInputsAreErrors(_ file: String) {
        #expect(throws: MediaError.self) { try ClipAnalyzer().analyze(Repository.fixture(file)) }
    }

    @Test func aTruncatedClipIsAnalysedAsFarAsItGoes() throws {
        let scratch = try Scratch()
        let path = scratch.path("cut.webm")
        let whole = try Data(contentsOf: URL(fileURLWithPath: Repository.fixture("no-header-duration.webm")))
        try whole.prefix(whole.count * 3 / 4).write(to: URL(fileURLWithPath: path))
        let analysis = try ClipAnalyzer(timeout: 10).analyze(path)
        #expect(analysis.duration > 1)
        #expect(try !analysis.windows().isEmpty)
    }
}

@Suite struct PreviewTests {
    @Test(arguments: ["shots.mp4", "rotated.mp4"])
    func previewIsAPNGOfTheExpectedSize(_ file: String) throws {
        let path = Repository.fixture(file)
        let analysis = try ClipAnalyzer().analyze(path, capturingStrip: true)
        #expect(analysis.strip?.pictures.allSatisfy { $0 != nil } == true)
        let best = try #require(try analysis.windows().first)
        let image = try Preview.render(analysis, window: (best.start, best.end))
        #expect(image.width == Preview.width)
        let data = try image.pngData()

        // The PNG header, read by hand: signature, then IHDR's width and height.
        #expect(Array(data.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        func bigEndian(_ offset: Int) -> Int { data[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
        #expect(bigEndian(16) == image.width && bigEndian(20) == image.height)

        // And decoded by FFmpeg's PNG decoder: the same size and the same pixels.
        let scratch = try Scratch()
        let file = scratch.path("preview.png")
        try data.write(to: URL(fileURLWithPath: file))
        let decoded = try #require(decodePNG(file))
        #expect(decoded.width == image.width && decoded.height == image.height)
        #expect(decoded.pixels == image.pixels)

        // The window is highlighted in yellow on the strip, and the strip shows the clip.
        #expect(image.pixels.count == image.width * image.height * 3)
        let yellow = stride(from: 0, to: image.pixels.count, by: 3).filter {
            image.pixels[$0] == 255 && image.pixels[$0 + 1] == 204 && image.pixels[$0 + 2] == 0
        }.count
        #expect(yellow > 1000)
    }
}

/// Decodes a PNG with libavformat/libavcodec into packed RGB.
func decodePNG(_ path: String) -> (width: Int, height: Int, pixels: [UInt8])? {
    var format: UnsafeMutablePointer<AVFormatContext>?
    guard avformat_open_input(&format, path, nil, nil) >= 0, let format else { return nil }
    defer { var context: UnsafeMutablePointer<AVFormatContext>? = format; avformat_close_input(&context) }
    guard avformat_find_stream_info(format, nil) >= 0, let stream = format.pointee.streams[0], let parameters = stream.pointee.codecpar,
          let decoder = avcodec_find_decoder(parameters.pointee.codec_id), let codec = avcodec_alloc_context3(decoder)
    else { return nil }
    var codecPointer: UnsafeMutablePointer<AVCodecContext>? = codec
    defer { avcodec_free_context(&codecPointer) }
    guard avcodec_parameters_to_context(codec, parameters) >= 0, avcodec_open2(codec, decoder, nil) >= 0,
          let packet = av_packet_alloc(), let frame = av_frame_alloc() else { return nil }
    var packetPointer: UnsafeMutablePointer<AVPacket>? = packet
    var framePointer: UnsafeMutablePointer<AVFrame>? = frame
    defer { av_packet_free(&packetPointer); av_frame_free(&framePointer) }
    guard av_read_frame(format, packet) >= 0, avcodec_send_packet(codec, packet) >= 0, avcodec_receive_frame(codec, frame) >= 0,
          frame.pointee.format == AV_PIX_FMT_RGB24.rawValue, let plane = frame.pointee.data.0
    else { return nil }
    let width = Int(frame.pointee.width), height = Int(frame.pointee.height), stride = Int(frame.pointee.linesize.0)
    var pixels: [UInt8] = []
    pixels.reserveCapacity(width * height * 3)
    for row in 0..<height {
        pixels.append(contentsOf: UnsafeBufferPointer(start: plane + row * stride, count: width * 3))
    }
    return (width, height, pixels)
}

@Suite struct PartialAnalysisTests {
    /// Checking one window decodes only around it, and finds the same problems there.
    @Test(arguments: [(3.0, 5.0), (8.0, 10.0), (0.0, 2.0), (1.0, 4.0)])
    func aStretchFindsWhatTheWholeClipFindsThere(start: Double, end: Double) throws {
        let whole = try ClipAnalyzer().analyze(Repository.fixture("shots.mp4"))
        let part = try ClipAnalyzer().analyze(Repository.fixture("shots.mp4"), around: start...end)
        #expect(part.problems(start: start, end: end).map(\.kind) == whole.problems(start: start, end: end).map(\.kind))
        #expect(part.frames.count < whole.frames.count)
    }
}

extension WindowProblem {
    var kind: String {
        switch self {
        case .outsideClip: "outside"
        case .crossesCut(let time): "cut \(Int((time * 10).rounded()))"
        case .overlapsBlack: "black"
        case .overlapsFrozen: "frozen"
        }
    }
}
