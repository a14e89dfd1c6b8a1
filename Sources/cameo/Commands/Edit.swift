import ArgumentParser
import CameoCatalog

struct Edit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Change a character's source URL, local clip, window, notes or tags.",
        discussion: """
            A new URL is probed (unless --no-probe); a new clip is probed and hashed; the window (new, or the \
            stored one with a new clip) is checked against the clip, for people too. After `cameo cut`: \
            `cameo edit ALIAS --clip OUT.mp4 --url HOSTED_URL --window 0,LENGTH`.

            EXAMPLES:
              cameo edit duck --window 0.5,2.5
              cameo edit duck --note 'yellow, rubber' --tag bath
              cameo edit duck --clip duck-cut.mp4 --url https://cdn.example.com/duck-cut.mp4 --window 0,2
            """)

    @OptionGroup var catalog: CatalogOptions

    @Argument(help: "The character's alias.", completion: Complete.alias)
    var alias: String

    @Option(help: ArgumentHelp("A new source video URL.", valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("A new window, e.g. 1,3.", valueName: "start,end"))
    var window: String?

    @Option(help: ArgumentHelp("A new local copy of the source video (e.g. what `cameo cut` wrote).", valueName: "path"), completion: Complete.clip)
    var clip: String?

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
        if url == nil, window == nil, clip == nil, note == nil, tag.isEmpty, untag.isEmpty {
            throw ValidationError("nothing to change: give --url, --window, --clip, --note, --tag or --untag")
        }
    }

    func run() throws {
        let sourceURL = try url.map { raw throws(CatalogError) in try SourceURL(raw) }
        let requestedWindow = try window.map { raw throws(CatalogError) in try CharacterWindow(parsing: raw) }
        var change = CharacterChange(
            sourceURL: sourceURL, window: requestedWindow, notes: note,
            addTags: try tag.map { raw throws(CatalogError) in try Tag(raw) },
            removeTags: try untag.map { raw throws(CatalogError) in try Tag(raw) })
        let catalog = try catalog.openExisting()
        let current = try catalog.character(named: alias)

        // A new clip: probed and hashed, and what the window is measured against from now on.
        let newClip = try clip.map { path in
            try MediaIntake.examine(clip: path, sourceURL: nil, probe: !noProbe, timeout: timeout.seconds)
        }
        change.clip = newClip?.clip
        if let sourceURL {
            let media = try MediaIntake.examine(clip: nil, sourceURL: sourceURL, probe: !noProbe, timeout: timeout.seconds)
            change.sourceCheck = media.sourceCheck
            change.sourceFacts = media.sourceFacts
        }
        if !noProbe, requestedWindow != nil || newClip != nil {
            // The new clip, else the stored one, is what the window must fit.
            let media = try newClip ?? MediaIntake.examine(clip: current.clip?.path, sourceURL: nil, probe: current.clip != nil,
                                                           timeout: timeout.seconds, reportWarnings: false)
            let window = requestedWindow ?? current.window
            _ = try media.settleWindow(window)
            change.personCheck = .some(try media.checkPerson(window))
        }
        let character = try catalog.update(current.alias, change)
        try Show.print(character, json: output.json)
    }
}
