import ArgumentParser
import CameoCatalog

struct Edit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Change a character's source URL, window, notes or tags.",
        discussion: "A new URL is probed (unless --no-probe); a new window is checked against the clip.")

    @OptionGroup var catalog: CatalogOptions

    @Argument(help: "The character's alias.")
    var alias: String

    @Option(help: ArgumentHelp("A new source video URL.", valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("A new window, e.g. 1,3.", valueName: "start,end"))
    var window: String?

    @Option(help: "New notes (replacing the old ones; \"\" clears them).")
    var note: String?

    @Option(help: "Add a tag (repeatable).")
    var tag: [String] = []

    @Option(help: "Remove a tag (repeatable).")
    var untag: [String] = []

    @Flag(help: "Do not probe a new URL or check a new window against the clip.")
    var noProbe = false

    @Option(help: ArgumentHelp("Seconds to wait for the clip or URL.", valueName: "seconds"))
    var timeout = SecondsArgument(milliseconds: 20_000)

    @OptionGroup var output: JSONFlag

    func validate() throws {
        try SecondsArgument.checkTimeout(timeout)
        if url == nil, window == nil, note == nil, tag.isEmpty, untag.isEmpty {
            throw ValidationError("nothing to change: give --url, --window, --note, --tag or --untag")
        }
    }

    func run() throws {
        let sourceURL = try url.map { raw throws(CatalogError) in try SourceURL(raw) }
        let requestedWindow = try window.map { raw throws(CatalogError) in try CharacterWindow(parsing: raw) }
        var change = CharacterChange(
            sourceURL: sourceURL, window: requestedWindow, notes: note,
            addTags: try tag.map { raw throws(CatalogError) in try Tag(raw) },
            removeTags: try untag.map { raw throws(CatalogError) in try Tag(raw) })
        let catalog = try catalog.open()
        let current = try catalog.character(named: alias)

        if let sourceURL {
            let media = try MediaIntake.examine(clip: nil, sourceURL: sourceURL, probe: !noProbe, timeout: timeout.seconds)
            change.sourceCheck = media.sourceCheck
            change.sourceFacts = media.sourceFacts
        }
        if let requestedWindow, !noProbe {
            // The stored clip, if any, is what the window must fit.
            let media = try MediaIntake.examine(clip: current.clip?.path, sourceURL: nil, probe: current.clip != nil,
                                             timeout: timeout.seconds, reportWarnings: false)
            _ = try media.settleWindow(requestedWindow)
        }
        let character = try catalog.update(current.alias, change)
        try Show.print(character, json: output.json)
    }
}
