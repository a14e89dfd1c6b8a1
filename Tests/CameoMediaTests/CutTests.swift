import CFFmpeg
@testable import CameoMedia
import CameoTestSupport
import Foundation
import Testing

/// The picture shown at `time` (the first frame at or after it), as a small grid of luma values.
func lumaGrid(_ path: String, at time: Double, columns: Int = 64, rows: Int = 36) throws -> [Double]? {
    let input = try MediaInput(.file(path), timeout: 30)
    let info = try ClipProbe().probe(input)
    let decoder = try VideoDecoder(input, shortcuts: .none)
    if avformat_seek_file(input.context, -1, Int64.min, 0, Int64.max, AVSEEK_FLAG_BACKWARD) < 0 {
        _ = avformat_seek_file(input.context, -1, Int64.min, 0, Int64.max, AVSEEK_FLAG_BYTE)
    }
    avcodec_flush_buffers(decoder.codec)
    let frame = 1 / (info.video.framesPerSecond ?? 30)
    var picture: RGBImage?
    try decoder.decode { decoded throws(MediaError) in
        guard let shown = decoder.time(of: decoded), shown >= time - frame / 2 else { return true }
        picture = RGBImage(frame: decoded, width: columns, height: rows, rotation: info.video.rotation)
        return false
    }
    guard let image = picture else { return nil }
    var luma: [Double] = []
    for index in stride(from: 0, to: image.pixels.count, by: 3) {
        let red = Double(image.pixels[index]), green = Double(image.pixels[index + 1]), blue = Double(image.pixels[index + 2])
        luma.append(0.299 * red + 0.587 * green + 0.114 * blue)
    }
    return luma
}

func meanDifference(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).reduce(0) { $0 + abs($1.0 - $1.1) } / Double(max(1, a.count))
}

@Suite struct CutTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var file: String
        var window: ClosedRange<Double>
        var width: Int
        var height: Int
        var hasAudio: Bool
        var testDescription: String { "\(file) \(window)" }
    }

    static let cases: [Case] = [
        Case(file: "landscape.mp4", window: 1.2...3.2, width: 1280, height: 720, hasAudio: true),
        Case(file: "rotated.mp4", window: 0.5...1.8, width: 720, height: 1280, hasAudio: true),
        Case(file: "portrait.mp4", window: 1...2.5, width: 720, height: 1280, hasAudio: false),
        Case(file: "ultrawide.mp4", window: 0...1, width: 1280, height: 400, hasAudio: false),
        Case(file: "hevc.mp4", window: 0.4...1.9, width: 640, height: 360, hasAudio: false),
        Case(file: "no-header-duration.webm", window: 1...2.5, width: 320, height: 240, hasAudio: true),
        Case(file: "offset.ts", window: 1...2.5, width: 640, height: 360, hasAudio: true),
    ]

    @Test(arguments: cases)
    func writesExactlyTheWindowAsProvidersWantIt(_ test: Case) throws {
        let scratch = try Scratch("cut")
        let output = scratch.path("out.mp4")
        let source = Repository.fixture(test.file)
        let cut = try ClipCutter().cut(source, window: test.window, to: output)
        let info = try ClipProbe().probe(output)
        #expect(info.isMP4 && info.video.codecName == "h264")
        #expect(info.audio?.codecName == (test.hasAudio ? "aac" : nil))
        #expect(MP4Layout.indexComesFirst(output) == true)
        #expect(info.video.rotation == 0)
        #expect(info.video.displayWidth == test.width && info.video.displayHeight == test.height)
        #expect(cut.width % 2 == 0 && cut.height % 2 == 0)
        let sourceInfo = try ClipProbe().probe(source)
        #expect(info.video.avgFrameRate == sourceInfo.video.avgFrameRate)
        let frame = 1 / (sourceInfo.video.framesPerSecond ?? 30)
        let length = test.window.upperBound - test.window.lowerBound
        #expect(abs(info.duration - length) <= frame + 0.001, "plays \(info.duration) s for a \(length) s window")
        #expect(abs(cut.duration - length) <= frame + 0.001)

        // The first frame is the source's frame at the window's start, not its neighbours.
        let first = try #require(try lumaGrid(output, at: 0))
        let atStart = try #require(try lumaGrid(source, at: test.window.lowerBound))
        let difference = meanDifference(first, atStart)
        #expect(difference < 6, "first frame differs from the source at \(test.window.lowerBound) s by \(difference)")
        if let next = try lumaGrid(source, at: test.window.lowerBound + frame) {
            #expect(difference < meanDifference(first, next), "the first frame looks more like the next one")
        }
        if test.window.lowerBound >= frame, let before = try lumaGrid(source, at: test.window.lowerBound - frame) {
            #expect(difference < meanDifference(first, before), "the first frame looks more like the one before")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) == ["out.mp4"])
    }

    @Test func addsSilenceWhenAskedAndWarnsOtherwise() throws {
        let scratch = try Scratch("cut")
        let silent = try ClipCutter().cut(Repository.fixture("portrait.mp4"), window: 0...1, to: scratch.path("a.mp4"))
        #expect(silent.audio == .none && silent.warnings.contains { $0.contains("--add-silence") })
        let padded = try ClipCutter(addSilence: true).cut(Repository.fixture("portrait.mp4"), window: 0...1, to: scratch.path("b.mp4"))
        #expect(padded.audio == .silence && !padded.warnings.contains { $0.contains("--add-silence") })
        let info = try ClipProbe().probe(scratch.path("b.mp4"))
        #expect(info.audio?.codecName == "aac" && info.audio?.channels == 2)
        #expect(abs(info.duration - 1) <= 1.0 / 30 + 0.001)
        #expect(!silent.warnings.contains { $0.contains("720p") })
        let small = try ClipCutter().cut(Repository.fixture("ultrawide.mp4"), window: 0...1, to: scratch.path("c.mp4"))
        #expect(small.warnings.contains { $0.contains("1280x400, smaller than 720p") })
    }

    @Test func failuresLeaveNoFile() throws {
        let scratch = try Scratch("cut")
        let output = scratch.path("out.mp4")
        #expect(throws: MediaError.self) { try ClipCutter().cut(Repository.fixture("landscape.mp4"), window: 3...5, to: output) }
        #expect(throws: MediaError.self) { try ClipCutter().cut(Repository.fixture("broken-random.mp4"), window: 0...1, to: output) }
        #expect(throws: MediaError.self) { try ClipCutter().cut(Repository.fixture("landscape.mp4"), window: 0...1, to: scratch.path("no/such/folder/out.mp4")) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).isEmpty)
    }

    @Test func scalesDownToAtMost1080pAndNeverUp() {
        #expect(ClipCutter.outputSize(width: 3840, height: 2160) == (1920, 1080))
        #expect(ClipCutter.outputSize(width: 2160, height: 3840) == (1080, 1920))
        #expect(ClipCutter.outputSize(width: 1281, height: 721) == (1280, 720))
        #expect(ClipCutter.outputSize(width: 2560, height: 1080) == (2560, 1080))
        #expect(ClipCutter.outputSize(width: 640, height: 360) == (640, 360))
        #expect(ClipCutter.outputSize(width: 4000, height: 1500) == (2880, 1080))
    }
}
