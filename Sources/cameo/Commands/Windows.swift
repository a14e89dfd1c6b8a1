import ArgumentParser
import CameoCatalog
import CameoText
import CameoMedia
import Foundation

struct Windows: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find the best 1-3 s character windows of a clip: no cut inside, no black or frozen frames, sharp and steady.",
        discussion: "Exit code 1 when no valid window exists; the message says why.")

    @Argument(help: "A clip file or an http(s) URL.")
    var input: String

    @Option(help: ArgumentHelp("The longest window to propose, 1 to 3 seconds.", valueName: "seconds"))
    var length = SecondsArgument(milliseconds: 3000)

    @Option(help: "How many windows to list.")
    var top: Int = 5

    @Option(help: ArgumentHelp("Windows start and end on multiples of this many seconds (e.g. 0.1).", valueName: "seconds"))
    var step = SecondsArgument(milliseconds: 1000)

    @Option(help: ArgumentHelp("Also draw the best window and the clip's cuts into this PNG file.", valueName: "file.png"))
    var preview: String?

    @Option(help: ArgumentHelp("Seconds to wait for the input before giving up.", valueName: "seconds"))
    var timeout = SecondsArgument(milliseconds: 60_000)

    @Flag(help: "Decode every frame instead of keyframes first and the rest only where it matters (slower; the same findings).")
    var exact = false

    @OptionGroup var output: JSONFlag

    func validate() throws {
        guard (1000...3000).contains(length.milliseconds) else { throw ValidationError("--length must be between 1 and 3 seconds, not \(length)") }
        try CountArgument.check(top, "--top", in: 1...100)
        guard (1...3000).contains(step.milliseconds) else { throw ValidationError("--step must be between 0.001 and 3 seconds, not \(step)") }
        try SecondsArgument.checkTimeout(timeout)
    }

    /// A step shorter than a frame only multiplies candidates that start on
    /// the same picture: it is raised to the first round step that is at least
    /// a frame of this clip (0.04 s at 30 fps), so whole seconds stay reachable.
    func usableStep(_ analysis: ClipAnalysis) -> SecondsArgument {
        let frame = Seconds.milliseconds(exactly: analysis.frameDuration) ?? 1000
        guard step.milliseconds < frame else { return step }
        let round = [10, 20, 25, 40, 50, 100, 200, 250, 500, 1000].first { $0 >= frame } ?? 1000
        guard step.milliseconds < round else { return step }
        let raised = SecondsArgument(milliseconds: round)
        Output.note("--step \(step) is shorter than a frame of this clip; using \(raised) s")
        return raised
    }

    func run() throws {
        let line = AnalysisLine.start(for: input)
        defer { line?.finish() }
        let analysis = try ClipAnalyzer(timeout: timeout.seconds).analyze(
            input, capturingStrip: preview != nil, exact: exact,
            ranking: WindowQuery(maximumLength: length.seconds, step: step.seconds, top: top), progress: line.map { line in { line.update($0) } })
        line?.finish()
        let windows = try analysis.windows(maximumLength: length.seconds, step: usableStep(analysis).seconds, top: top)
        if let preview, let best = windows.first {
            try PreviewFile.write(analysis, window: (best.start, best.end), to: preview, timeout: timeout.seconds)
        }
        if output.json {
            try Output.json(WindowsDocument(analysis, windows: windows))
        } else {
            Output.line(WindowsText.render(analysis, windows: windows))
        }
        if let best = windows.first {
            Output.note("use it with: cameo add ALIAS --clip \(input) --url URL --window \(best.start.secondsText),\(best.end.secondsText)")
        }
    }
}

/// A preview PNG written next to what the user asked for.
enum PreviewFile {
    static func write(_ analysis: ClipAnalysis, window: (start: Double, end: Double), to path: String, timeout: Double) throws {
        let image = try Preview.render(analysis, window: window, timeout: timeout)
        let data = try image.pngData()
        try FileOutput.write(data, to: path, newFileMode: .standard)
        Output.note("preview written to \(path) (\(image.width)x\(image.height))")
    }
}

struct WindowsDocument: Encodable {
    var path: String
    var duration: Double
    var frameRate: String
    var cuts: [Double]
    var black: [[Double]]
    var frozen: [[Double]]
    var windows: [Window]

    struct Window: Encodable {
        var start: Double
        var end: Double
        var score: Double
        var sharpness: Double
        var steadiness: Double
    }

    init(_ analysis: ClipAnalysis, windows: [RankedWindow]) {
        func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
        path = analysis.location
        duration = rounded(analysis.duration)
        frameRate = analysis.info.video.avgFrameRate
        cuts = analysis.cuts.map { rounded($0.time) }
        black = analysis.black.map { [rounded($0.start), rounded($0.end)] }
        frozen = analysis.frozen.map { [rounded($0.start), rounded($0.end)] }
        self.windows = windows.map { Window(start: $0.start, end: $0.end, score: $0.score, sharpness: $0.sharpness, steadiness: $0.steadiness) }
    }

    enum CodingKeys: String, CodingKey {
        case path, duration, cuts, black, frozen, windows
        case frameRate = "frame_rate"
    }
}

enum WindowsText {
    static func render(_ analysis: ClipAnalysis, windows: [RankedWindow]) -> String {
        func spans(_ spans: [ClipAnalysis.Span]) -> String {
            spans.isEmpty ? "none" : spans.map { "\($0.start.secondsText)-\($0.end.secondsText) s" }.joined(separator: ", ")
        }
        var lines = [
            "\(TerminalText.escape(analysis.location)): \(analysis.duration.secondsText) s at \(analysis.info.video.avgFrameRate) fps",
            "  cuts    " + (analysis.cuts.isEmpty ? "none" : analysis.cuts.map { $0.time.secondsText }.joined(separator: ", ") + " s"),
            "  black   " + spans(analysis.black),
            "  frozen  " + spans(analysis.frozen),
            "",
        ]
        var table = TextTable("#", "WINDOW", "LENGTH", "SCORE", "SHARP", "STEADY")
        for (rank, window) in windows.enumerated() {
            table.add("\(rank + 1)", "\(window.start.secondsText),\(window.end.secondsText)", "\(window.length.secondsText) s",
                      String(format: "%.3f", window.score), String(format: "%.3f", window.sharpness), String(format: "%.3f", window.steadiness))
        }
        lines.append(table.render())
        return lines.joined(separator: "\n")
    }
}

extension Double {
    /// Seconds as the spec writes them: `1`, `0.5`, `2.367`.
    var secondsText: String { Seconds.format(self) }
}
