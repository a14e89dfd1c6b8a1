import ArgumentParser
import CameoCatalog

struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Remove a character with its tags and usernames (its submissions stay in history).")

    @OptionGroup var catalog: CatalogOptions

    @Argument(help: "The character's alias.")
    var alias: String

    @Flag(name: [.short, .long], help: "Remove without asking (required when not on a terminal).")
    var yes = false

    func run() throws {
        let catalog = try catalog.open()
        // Read without decoding the whole row: a row cameo cannot read can still be removed.
        let character = try catalog.removal(of: alias)
        if !yes {
            guard Output.stdinIsTerminal else {
                throw CommandFailure("`cameo rm` removes \"\(character.alias)\" only with --yes when not run from a terminal", status: .usage)
            }
            let usernames = character.usernames == 0 ? "" : " and its \(character.usernames) username(s)"
            // Saying no is an answer, not a failure.
            guard Output.confirm("Remove \"\(character.alias)\"\(usernames)?") else {
                Output.error("nothing removed")
                return
            }
        }
        try catalog.remove(alias)
        Output.error("removed \(character.alias); `cameo undo` brings it back")
    }
}
