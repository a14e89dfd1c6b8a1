import ArgumentParser
import CameoCatalog
import CameoMedia

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show one character with its usernames, clip and notes.")

    @OptionGroup var catalog: CatalogOptions

    @Argument(help: "The character's alias.")
    var alias: String

    @Option(help: ArgumentHelp("Draw the stored window over the clip (or the source URL) into this PNG file.", valueName: "file.png"))
    var preview: String?

    @OptionGroup var output: JSONFlag

    func run() throws {
        let character = try catalog.openForReading().character(named: alias)
        if let preview {
            let video = character.clip?.path ?? character.sourceURL
            let analysis = try ClipAnalyzer().analyze(video, capturingStrip: true)
            try PreviewFile.write(analysis, window: (character.window.start, character.window.end), to: preview, timeout: 60)
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
