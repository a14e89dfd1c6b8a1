import ArgumentParser
import CameoCatalog
import CameoMedia
import Foundation

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one character with its usernames, clip and notes.",
        discussion: """
            EXAMPLES:
              cameo show duck
              cameo show duck --json
              cameo show duck --preview window.png
            """)

    @OptionGroup var catalog: CatalogOptions

    @Argument(help: "The character's alias.", completion: Complete.alias)
    var alias: String

    @Option(help: ArgumentHelp("Draw the stored window over the clip (or the source URL) into this PNG file.", valueName: "file.png"), completion: Complete.png)
    var preview: String?

    @Option(help: ArgumentHelp("Seconds to wait for the clip or the source URL when drawing --preview.", valueName: "seconds"))
    var timeout = SecondsArgument(milliseconds: 60_000)

    @OptionGroup var output: JSONFlag

    func validate() throws {
        try PreviewFile.validate(preview)
        try SecondsArgument.checkTimeout(timeout)
    }

    func run() throws {
        let character = try catalog.openForReading().character(named: alias)
        if let preview {
            let localClip = character.clip.map(\.path).flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
            if localClip == nil {
                Output.note("\(character.alias) has no local clip: reading its source URL \(character.sourceURL) (up to \(timeout) s; --timeout changes that)")
            }
            let video = localClip ?? character.sourceURL
            let analysis = try ClipAnalyzer(timeout: timeout.seconds).analyze(video, capturingStrip: true)
            try PreviewFile.write(analysis, window: (character.window.start, character.window.end),
                                  faces: character.personCheckResult?.faces ?? [], to: preview, timeout: timeout.seconds)
            for problem in analysis.problems(start: character.window.start, end: character.window.end) {
                Output.warning("window \(character.window): \(problem)")
            }
        }
        try Self.print(character, json: output.json)
    }

    static func print(_ character: CameoCharacter, json: Bool) throws {
        if json {
            try Output.streamJSON { $0.json.character(CharacterDocument(character)) }
        } else {
            Output.line(CharacterText.block(character))
        }
    }
}
