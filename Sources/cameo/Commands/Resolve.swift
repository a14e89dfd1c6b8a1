import ArgumentParser
import CameoCatalog

struct Resolve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Record the username the platform gave a character and make it the one prompts use.",
        discussion: """
            EXAMPLES:
              cameo resolve duck quackers.duck
              cameo resolve duck @quackers.duck --display-name Quackers
            """)

    @OptionGroup var catalog: CatalogOptions

    @Argument(help: "The character's alias.", completion: Complete.alias)
    var alias: String

    @Argument(help: "The platform's username (letters, digits, '.', '_' or '-'), with or without '@'.")
    var username: String

    @Option(help: "The platform's own id for the character, if it gave one.")
    var platformId: String?

    @Option(help: "The platform's display name for the character.")
    var displayName: String?

    @Option(help: ArgumentHelp("The character's avatar image URL.", valueName: "url"))
    var avatarUrl: String?

    @Option(help: ArgumentHelp("The provider base URL this username belongs to.", valueName: "url"))
    var provider: String?

    @OptionGroup var output: JSONFlag

    func run() throws {
        let identity = NewIdentity(
            username: try Username(username), platformCharacterId: platformId, displayName: displayName,
            avatarURL: avatarUrl, origin: .manual, provider: provider)
        let character = try catalog.openExisting().resolve(alias, to: identity)
        try Show.print(character, json: output.json)
    }
}
