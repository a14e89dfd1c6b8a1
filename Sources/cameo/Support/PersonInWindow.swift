import CameoAPI
import CameoCatalog
import CameoMedia
import CameoPrompt
import Foundation

/// The `person-in-window` rule: a character whose stored person check saw a
/// face will most likely be refused when it is created.
enum PersonInWindowRule {
    static let description = RuleDescription(
        identifier: "person-in-window", summary: "the character's window shows a human face", severity: .warning,
        explanation: """
            Providers refuse character videos that show a real person, after the request is paid for. \
            When a character is registered with a clip (`add`, `edit --window`), cameo looks for faces \
            in its window and keeps what it saw; `lint`, `request` and `send` with --character report \
            it (an error with --strict). Pick a window without people with `cameo windows`.
            """,
        triggeringExamples: [], nonTriggeringExamples: [])

    static func stored(_ character: CameoCharacter) -> PersonCheckResult? {
        guard let json = character.personCheck else { return nil }
        return try? JSONDecoder().decode(PersonCheckResult.self, from: Data(json.utf8))
    }

    static func check(_ character: CameoCharacter, strict: Bool) -> Diagnostic? {
        guard let result = stored(character), result.foundPerson else { return nil }
        return Diagnostic(
            rule: description.identifier, severity: strict ? .error : .warning,
            message: "the window \(character.window) of \(character.alias) shows a human face at \(PersonScreen.times(result)): "
                + "providers refuse character videos with real people",
            location: .field("character_url"),
            note: "seen by \(result.detector) \(result.version) in \(result.frames.count) frames; "
                + "`cameo windows CLIP` finds windows without people, `cameo edit \(character.alias) --window S,E` stores one")
    }
}

extension MediaIntake {
    /// Looks for faces in the window of the video the window was measured against,
    /// warns when it finds one, and returns the result to store (nil when it could not look).
    func checkPerson(_ window: CharacterWindow) throws -> String? {
        guard let source = windowSource else { return nil }
        guard let result = try PersonScreen.check(source.location, window: window.start...window.end, timeout: timeout) else { return nil }
        PersonScreen.warn(result, window: window.description, location: source.location)
        return String(decoding: try JSONEncoder().encode(result), as: UTF8.self)
    }
}
