import ArgumentParser
import CameoCatalog

struct Rename: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rename", abstract: "Give a character a new alias; its usernames stay.",
        discussion: """
            EXAMPLES:
              cameo rename duck quackers
              cameo undo                     # the old alias back
            """)

    @OptionGroup var catalog: CatalogOptions

    @Argument(help: "The current alias.", completion: Complete.alias)
    var old: String

    @Argument(help: "The new alias.")
    var new: String

    @OptionGroup var output: JSONFlag

    func run() throws {
        let character = try catalog.openExisting().rename(old, to: try Alias(new))
        try Show.print(character, json: output.json)
    }
}
