import ArgumentParser
import CameoCatalog
import CameoMedia
import CameoText
import Foundation

struct Cut: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cut",
        abstract: "Write a character's window as a clip providers accept: H.264 + AAC MP4, index at the front.",
        discussion: """
            Exactly the window is written: its first frame is the source's frame at the window's start, \
            its length is the window's to within one frame, rotation is applied, and the picture is scaled \
            down to at most 1080p on the short side (never up). In the cut clip the window is 0,LENGTH: once \
            you have hosted it, record it with `cameo edit ALIAS --clip OUT.mp4 --url HOSTED_URL --window 0,LENGTH`. \
            The file is probed before it takes the output's name; a failure leaves no file.

            EXAMPLES:
              cameo cut duck -o duck.mp4
              cameo cut clip.mp4 --window 1,3 -o duck.mp4 --json
            """)

    @OptionGroup var catalog: CatalogOptions

    @Argument(help: "A character's alias (its local clip, else its source URL), or a clip file or http(s) URL.", completion: Complete.alias)
    var source: String

    @Option(help: ArgumentHelp("The seconds to keep, e.g. 1,3 (default: the character's window).", valueName: "start,end"))
    var window: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("The MP4 file to write.", valueName: "out.mp4"), completion: Complete.clip)
    var output: String

    @Flag(help: "Give a clip without audio a silent AAC track (some providers require audio).")
    var addSilence = false

    @Option(help: ArgumentHelp("Seconds to wait for the input before giving up.", valueName: "seconds"))
    var timeout = SecondsArgument(milliseconds: 60_000)

    @OptionGroup var format: JSONFlag

    func validate() throws {
        guard output.lowercased().hasSuffix(".mp4") else { throw ValidationError("-o must name an .mp4 file, e.g. -o duck.mp4") }
        try SecondsArgument.checkTimeout(timeout)
    }

    func run() throws {
        let requested = try window.map { raw throws(CatalogError) in try CharacterWindow(parsing: raw) }
        let (input, character) = try resolveSource()
        guard let window = requested ?? character?.window else {
            throw CommandFailure("\(source) is a clip, not a character: give the window to keep with --window S,E", status: .usage)
        }
        let cut = try ClipCutter(timeout: timeout.seconds, addSilence: addSilence).cut(input, window: window.start...window.end, to: output)
        for warning in cut.warnings { Output.warning(warning) }
        let length = cut.duration.secondsText
        if format.json {
            try Output.json(CutDocument(cut, source: input, window: window))
        } else {
            Output.line("\(cut.path): \(cut.width)x\(cut.height), \(length) s (\(cut.frames) frames at \(cut.frameRate) fps), "
                        + "H.264 + \(cut.audio == .none ? "no audio" : cut.audio == .silence ? "silent AAC" : "AAC"), window 0,\(length)")
        }
        let alias = character?.alias ?? "ALIAS"
        Output.note("host \(cut.path), then record it: cameo edit \(alias) --clip \(cut.path) --url HOSTED_URL --window 0,\(length)")
    }

    /// An existing file or a URL is cut as it is; anything else names a character.
    private func resolveSource() throws -> (String, CameoCharacter?) {
        if WebAddress.hasHTTPScheme(source) || FileManager.default.fileExists(atPath: source) {
            return (source, nil)
        }
        let character = try catalog.openForReading().character(named: source)
        if let clip = character.clip?.path, FileManager.default.fileExists(atPath: clip) { return (clip, character) }
        return (character.sourceURL, character)
    }
}
