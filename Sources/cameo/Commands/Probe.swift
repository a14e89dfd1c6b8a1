import ArgumentParser
import CameoMedia
import Foundation

struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Tell what clips are: duration, size, rotation, streams, and what providers may refuse.",
        discussion: "A folder probes the video files in it. Exit code 1 when any input could not be probed.")

    @Argument(help: "Clip files, folders of clips, or http(s) URLs.")
    var inputs: [String]

    @Option(help: ArgumentHelp("Seconds to wait for one input before giving up.", valueName: "seconds"))
    var timeout = SecondsArgument(milliseconds: 20_000)

    @OptionGroup var output: JSONFlag

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give at least one clip, folder or URL") }
        try SecondsArgument.checkTimeout(timeout)
    }

    func run() throws {
        let paths = ProbeBatch.expand(inputs)
        let progress = paths.count > 1 && Output.stderrIsTerminal ? ProgressBar(total: paths.count, label: "probing") : nil
        let outcomes = ProbeBatch.run(paths, probe: ClipProbe(timeout: timeout.seconds)) { done in progress?.update(done) }
        progress?.finish()
        if output.json {
            try Output.json(zip(paths, outcomes).map { ProbeDocument(path: $0, outcome: $1) })
        } else {
            Output.line(ProbeText.table(zip(paths, outcomes).map { ($0, $1) }))
            for case .success(let info) in outcomes where !info.warnings.isEmpty {
                for warning in info.warnings { Output.warning("\(info.path) \(warning.message)") }
            }
        }
        if outcomes.contains(where: { if case .failure = $0 { true } else { false } }) {
            throw SilentFailure(status: .findings)
        }
    }
}

/// One element of `probe --json`: the facts, or an `error` in their place.
struct ProbeDocument: Encodable {
    var path: String
    var outcome: ProbeBatch.Outcome

    enum CodingKeys: String, CodingKey { case path, error }

    func encode(to encoder: any Encoder) throws {
        switch outcome {
        case .success(let info):
            try info.encode(to: encoder)
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
