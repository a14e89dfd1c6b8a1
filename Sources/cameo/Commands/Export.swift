import ArgumentParser
import CameoCatalog
import CameoText
import Foundation

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write every character, usernames included, as one JSON document.",
        discussion: """
            A row the catalog holds but cameo cannot read is left out and named; the \
            export then ends with exit code 5 after writing every other character.
            """)

    @OptionGroup var catalog: CatalogOptions

    @Option(help: ArgumentHelp("Write to this file instead of stdout (replaced whole, or left as it was; new files are 0600).", valueName: "file"))
    var out: String?

    func run() throws {
        let (characters, unreadable) = try catalog.openForReading().readableCharacters()
        if let out {
            try FileOutput.write(to: out, newFileMode: .userOnly) { sink in
                let stream = JSONStream(sink: sink)
                try Self.write(characters, to: stream)
                try stream.finish()
            }
            Output.error("exported \(characters.count) character(s) to \(out)")
        } else {
            try Output.streamJSON { try Self.write(characters, to: $0) }
        }
        guard unreadable.isEmpty else {
            for row in unreadable { Output.warning("left out \(row)") }
            throw CommandFailure(
                "exported \(characters.count) character(s) but left out \(unreadable.count) row(s) cameo cannot read (listed above); `cameo rm ALIAS` removes one",
                status: .catalogUnusable)
        }
    }

    static func write(_ characters: [CameoCharacter], to stream: JSONStream) throws {
        stream.json.catalogDocumentStart()
        for character in characters {
            stream.json.element()
            stream.json.character(CharacterDocument(character))
            try stream.flushIfLarge()
        }
        stream.json.catalogDocumentEnd()
    }
}
