import ArgumentParser
import CameoCatalog
import CameoText
import CameoMedia
import Foundation

struct Windows: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "windows",
        abstract: "Find the best 1-3 s character windows of a clip: no cut inside, no black or frozen frames, no people, sharp and steady.",
        discussion: """
            Ranking: windows without a human face first (PERSON), then the longest (LENGTH), then the highest \
            SCORE = 0.6 x SHARP + 0.4 x STEADY (each 0-1: sharpness against the clip's own sharpest frames, \
            and how little the picture moves). Exit code 1 when no valid window exists; the message says why.

            EXAMPLES:
              cameo windows clip.mp4
              cameo windows clip.mp4 --length 2 --step 0.1 --preview windows.png
              cameo windows clip.mp4 --json
            """)

    @Argument(help: "A clip file or an http(s) URL.", completion: Complete.clip)
    var input: String

    @Option(help: ArgumentHelp("The longest window to propose, 1 to 3 seconds.", valueName: "seconds"))
    var length = SecondsArgument(milliseconds: 3000)

    @Option(help: "How many windows to list.")
    var top = CountArgument(5)

    @Option(help: ArgumentHelp("Windows start and end on multiples of this many seconds (e.g. 0.1).", valueName: "seconds"))
    var step = SecondsArgument(milliseconds: 1000)

    @Option(help: ArgumentHelp("Also draw the best window and the clip's cuts into this PNG file.", valueName: "file.png"), completion: Complete.png)
    var preview: String?

    @Option(help: ArgumentHelp("Seconds to wait for the input before giving up.", valueName: "seconds"))
    var timeout = SecondsArgument(milliseconds: 60_000)

    @Flag(help: "Decode every frame instead of keyframes first and the rest only where it matters (slower; the same findings).")
    var exact = false

    @Flag(help: "Do not look for human faces in the windows.")
    var noPersonCheck = false

    @OptionGroup var output: JSONFlag

    func validate() throws {
        try PreviewFile.validate(preview)
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
            input, capturingStrip: preview != nil, capturingPersonFrames: !noPersonCheck, exact: exact,
            ranking: WindowQuery(maximumLength: length.seconds, step: step.seconds, top: top.value), progress: line.map { line in { line.update($0) } })
        line?.finish()
        let candidates = try analysis.windows(maximumLength: length.seconds, step: usableStep(analysis).seconds, top: top.value)
        let checks = noPersonCheck ? nil
            : try PersonScreen.check(input, windows: candidates.map { $0.start...$0.end }, timeout: timeout.seconds, reusing: analysis)
        let ranked = PersonScreen.rank(candidates, checks)
        if let preview, let best = ranked.first {
            try PreviewFile.write(analysis, window: (best.window.start, best.window.end), faces: best.check?.faces ?? [],
                                  to: preview, timeout: timeout.seconds)
        }
        if output.json {
            try Output.json(WindowsDocument(analysis, windows: ranked))
        } else {
            Output.line(WindowsText.render(analysis, windows: ranked))
        }
        let withFaces = ranked.enumerated().filter { $1.check?.foundPerson == true }.map { "#\($0.offset + 1)" }
        if !withFaces.isEmpty {
            Output.warning("\(withFaces.joined(separator: ", ")) show a human face: providers refuse character videos with real people")
        }
        if let best = ranked.first?.window {
            // A URL is already what character_url needs; a file still has to be hosted.
            let source = (try? MediaLocation(input))?.isURL == true ? "--url \(input)" : "--clip \(input) --url URL"
            Output.note("use it with: cameo add ALIAS \(source) --window \(best.start.secondsText),\(best.end.secondsText)")
        }
    }
}

/// A preview PNG written next to what the user asked for.
enum PreviewFile {
    /// The preview is a PNG: another name would hide what the file is.
    static func validate(_ path: String?) throws {
        guard let path else { return }
        guard path.lowercased().hasSuffix(".png") else {
            throw ValidationError("--preview writes a PNG picture: give a file name ending in .png, e.g. --preview window.png")
        }
    }

    static func write(_ analysis: ClipAnalysis, window: (start: Double, end: Double), faces: [FaceSighting] = [],
                      to path: String, timeout: Double) throws {
        let image = try Preview.render(analysis, window: window, faces: faces, timeout: timeout)
        let data = try image.pngData()
        try FileOutput.write(data, to: path, newFileMode: .standard)
        Output.note("preview written to \(path) (\(image.width)x\(image.height))")
    }
}

extension Double {
    /// Seconds as the spec writes them: `1`, `0.5`, `2.367`.
    var secondsText: String { Seconds.format(self) }
}
