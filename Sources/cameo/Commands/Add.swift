import ArgumentParser
import CameoCatalog
import CameoMedia
import Foundation

struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Register a character: its alias, source video URL and window.",
        discussion: """
            The window is the 1 to 3 seconds of the source video that show the character, \
            sent as character_timestamps, e.g. --window 1,3. Without --window, cameo looks at \
            the clip (or the URL) and picks the best window.

            EXAMPLES:
              cameo add duck --clip clip.mp4 --url https://cdn.example.com/duck.mp4   # picks the window
              cameo add duck --url https://cdn.example.com/duck.mp4 --window 1,3 --tag pets --no-probe
            """)

    @OptionGroup var catalog: CatalogOptions

    @Argument(help: "The name you will write after @ in prompts (letters, digits, '_' or '-').")
    var alias: String

    @Option(help: ArgumentHelp("The http(s) address of the source video, sent as character_url.", valueName: "url"))
    var url: String

    @Option(help: ArgumentHelp("Seconds of the source video that show the character, e.g. 1,3.", valueName: "start,end"))
    var window: String?

    @Option(help: ArgumentHelp("A local copy of the source video: probed, hashed, and used to pick or check the window.", valueName: "path"), completion: Complete.clip)
    var clip: String?

    @Option(help: "A note to keep with the character.")
    var note: String = ""

    @Option(help: "A tag (repeatable).")
    var tag: [String] = []

    @Option(help: ArgumentHelp("Without --window: the longest window to pick, 1 to 3 seconds (as `cameo windows --length`).", valueName: "seconds"))
    var length = SecondsArgument(milliseconds: 3000)

    @Option(help: ArgumentHelp("Without --window: windows start and end on multiples of this many seconds (as `cameo windows --step`).", valueName: "seconds"))
    var step = SecondsArgument(milliseconds: 1000)

    @Flag(help: "Do not look at the clip or the URL (then --window is required).")
    var noProbe = false

    @Option(help: ArgumentHelp("Seconds to wait for the clip or URL.", valueName: "seconds"))
    var timeout = SecondsArgument(milliseconds: 20_000)

    @OptionGroup var output: JSONFlag

    func validate() throws {
        guard (1000...3000).contains(length.milliseconds) else { throw ValidationError("--length must be between 1 and 3 seconds, not \(length)") }
        guard (1...3000).contains(step.milliseconds) else { throw ValidationError("--step must be between 0.001 and 3 seconds, not \(step)") }
        try SecondsArgument.checkTimeout(timeout)
    }

    func run() throws {
        let alias = try Alias(self.alias)
        let sourceURL = try SourceURL(url)
        let requestedWindow = try window.map { raw throws(CatalogError) in try CharacterWindow(parsing: raw) }
        let tags = try tag.map { raw throws(CatalogError) in try Tag(raw) }
        let catalog = try catalog.open()
        try catalog.requireUnusedAlias(alias)

        let media = try MediaIntake.examine(clip: clip, sourceURL: sourceURL, probe: !noProbe, timeout: timeout.seconds)
        let window = try media.settleWindow(requestedWindow, length: length.seconds, step: step.seconds)
        let personCheck = noProbe ? nil : try media.checkPerson(window)
        let character = try catalog.add(NewCharacter(
            alias: alias, sourceURL: sourceURL, window: window, notes: note, tags: tags,
            clip: media.clip, sourceCheck: media.sourceCheck, sourceFacts: media.sourceFacts, personCheck: personCheck))
        try Show.print(character, json: output.json)
    }
}
