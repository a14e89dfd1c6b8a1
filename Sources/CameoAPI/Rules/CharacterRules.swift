import CameoPrompt
import Foundation

/// A character whose stored person check saw a face will most likely be
/// refused when it is created.
struct PersonInWindowRule: CharacterRule {
    static let description = RuleDescription(
        identifier: "person-in-window", summary: "the character's window shows a human face", severity: .warning,
        explanation: """
            Providers refuse character videos that show a real person, after the request is paid for. \
            When a character is registered with a clip (`add`, `edit --window`), cameo looks for faces \
            in its window and keeps what it saw; `lint`, `request` and `send` with --character report \
            it (an error with --strict). Pick a window without people with `cameo windows`.
            """,
        triggeringExamples: [], nonTriggeringExamples: [])

    func check(_ character: CreatedCharacter) -> [Diagnostic] {
        guard let result = character.personCheck, result.foundPerson else { return [] }
        return [Diagnostic(
            rule: Self.description.identifier, severity: Self.description.severity,
            message: "the window \(character.window) of \(character.alias) shows a human face at \(result.faceTimesText): "
                + "providers refuse character videos with real people",
            location: .field(RequestBody.Field.characterURL.rawValue),
            note: "seen by \(result.detector) \(result.version) in \(result.frames.count) frames; "
                + "`cameo windows CLIP` finds windows without people, `cameo edit \(character.alias) --window S,E` stores one")]
    }
}
