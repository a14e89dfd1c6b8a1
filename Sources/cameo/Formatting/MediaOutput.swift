import CameoCatalog
import CameoMedia
import CameoMediaFacts
import CameoText
import Foundation

// How probe, windows and cut show what they found: tables for people, documents for programs.

/// One element of `probe --json`: the facts, or an `error` in their place.
struct ProbeDocument: Encodable {
    var path: String
    var outcome: ProbeBatch.Outcome

    enum CodingKeys: String, CodingKey { case path, error }

    func encode(to encoder: any Encoder) throws {
        switch outcome {
        case .success(let info):
            try JSONShapes.probe(info).encode(to: encoder)
        case .failure(let error):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(path, forKey: .path)
            try container.encode(error.description, forKey: .error)
        }
    }
}

enum ProbeText {
    static func table(_ rows: [(String, ProbeBatch.Outcome)]) -> String {
        var table = TextTable("PATH", "FORMAT", "DURATION", "SIZE", "VIDEO", "FPS", "AUDIO", "NOTES")
        for (path, outcome) in rows {
            switch outcome {
            case .success(let info):
                let video = info.video
                let rotation = video.rotation == 0 ? "" : " ↻\(video.rotation)"
                table.add(path, String(info.formatName.split(separator: ",").first ?? ""),
                          String(format: "%.3f s", info.duration),
                          "\(video.displayWidth)x\(video.displayHeight)\(rotation)", video.codecName,
                          video.framesPerSecond.map { String(format: "%.3g", $0) } ?? "?",
                          info.audio.map { "\($0.codecName) \($0.channels)ch \($0.sampleRate / 1000)k" } ?? "none",
                          info.warnings.map(\.code.rawValue).joined(separator: ","))
            case .failure(let error):
                table.add(path, "-", "-", "-", "-", "-", "-", "error: " + error.description.replacingOccurrences(of: path + ": ", with: ""))
            }
        }
        return table.render()
    }
}

struct WindowsDocument: Encodable {
    var path: String
    var duration: Double
    var frameRate: String
    var cuts: [Double]
    var black: [TimeRange]
    var frozen: [TimeRange]
    var windows: [Window]

    struct Window: Encodable {
        var start: Double
        var end: Double
        var score: Double
        var sharpness: Double
        var steadiness: Double
        /// Null when the person check could not run.
        @NullEncoded var faces: [FaceSighting]?
    }

    init(_ analysis: ClipAnalysis, windows: [(window: RankedWindow, check: PersonCheckResult?)]) {
        func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
        path = analysis.location
        duration = rounded(analysis.duration)
        frameRate = analysis.info.video.avgFrameRate
        cuts = analysis.cuts.map { rounded($0.time) }
        black = analysis.black.map { TimeRange(start: rounded($0.start), end: rounded($0.end)) }
        frozen = analysis.frozen.map { TimeRange(start: rounded($0.start), end: rounded($0.end)) }
        self.windows = windows.map { window, check in
            Window(start: window.start, end: window.end, score: window.score, sharpness: window.sharpness, steadiness: window.steadiness,
                   faces: check?.faces)
        }
    }

    enum CodingKeys: String, CodingKey {
        case path, duration, cuts, black, frozen, windows
        case frameRate = "frame_rate"
    }
}

enum WindowsText {
    static func render(_ analysis: ClipAnalysis, windows: [(window: RankedWindow, check: PersonCheckResult?)]) -> String {
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
        var table = TextTable("#", "WINDOW", "LENGTH", "SCORE", "SHARP", "STEADY", "PERSON")
        for (rank, (window, check)) in windows.enumerated() {
            let person = check.map { check in
                guard let first = check.faceTimes.first, let last = check.faceTimes.last else { return "none" }
                return first == last ? "face at \(first.secondsText) s" : "faces \(first.secondsText)-\(last.secondsText) s"
            } ?? "not checked"
            table.add("\(rank + 1)", "\(window.start.secondsText),\(window.end.secondsText)", "\(window.length.secondsText) s",
                      String(format: "%.3f", window.score), String(format: "%.3f", window.sharpness), String(format: "%.3f", window.steadiness),
                      person)
        }
        lines.append(table.render())
        lines.append("")
        lines.append("ranked by: no face (PERSON) first, then LENGTH, then SCORE = 0.6 x SHARP + 0.4 x STEADY")
        return lines.joined(separator: "\n")
    }
}

struct CutDocument: Encodable {
    var path: String
    var source: String
    var sourceWindow: TimeRange
    var window: TimeRange
    var width: Int
    var height: Int
    var duration: Double
    var frames: Int
    var frameRate: String
    var audio: String
    var warnings: [String]

    init(_ cut: CutClip, source: String, window: CharacterWindow) {
        path = cut.path
        self.source = source
        sourceWindow = TimeRange(start: window.start, end: window.end)
        self.window = TimeRange(start: 0, end: (cut.duration * 1000).rounded() / 1000)
        width = cut.width
        height = cut.height
        duration = (cut.duration * 1000).rounded() / 1000
        frames = cut.frames
        frameRate = cut.frameRate
        audio = cut.audio.rawValue
        warnings = cut.warnings
    }

    enum CodingKeys: String, CodingKey {
        case path, source, window, width, height, duration, frames, audio, warnings
        case sourceWindow = "source_window", frameRate = "frame_rate"
    }
}
