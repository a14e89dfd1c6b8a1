import ArgumentParser
import CameoCatalog

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List characters, optionally by tag or by text in alias, notes or usernames.",
        discussion: """
            EXAMPLES:
              cameo list
              cameo ls --tag pets
              cameo list duck --json
              cameo list | cut -f1          # piped: tab-separated
            """,
        aliases: ["ls"])

    @OptionGroup var catalog: CatalogOptions

    @Option(help: "Only characters with this tag.")
    var tag: String?

    @Argument(help: "Text to look for in aliases, notes and usernames.")
    var text: String?

    @OptionGroup var output: JSONFlag

    func run() throws {
        let catalog = try catalog.openForReading()
        if output.json {
            // Each character is written as it is read: nothing holds the whole catalog.
            try Output.streamJSON { stream in
                stream.json.beginArray()
                try catalog.eachCharacter(tag: tag, matching: text) { character in
                    stream.json.element()
                    stream.json.character(CharacterDocument(character))
                    try stream.flushIfLarge()
                }
                stream.json.endArray()
            }
            return
        }
        let characters = try catalog.characters(tag: tag, matching: text)
        if characters.isEmpty {
            Output.error("no characters\(tag.map { " tagged \"\($0)\"" } ?? "")\(text.map { " matching \"\($0)\"" } ?? ""); `cameo add` registers one")
        } else {
            Output.line(CharacterText.table(characters))
        }
    }
}
