import CameoMediaFacts
import CameoPrompt
import Foundation

/// What the catalog knows of the character a request creates (`--character`):
/// the facts the character rules read, which are not in the body itself.
public struct CreatedCharacter: Sendable {
    public var alias: String
    /// The stored window, as `character_timestamps` writes it.
    public var window: String
    /// What the person check saw in the window, when it ran.
    public var personCheck: PersonCheckResult?

    public init(alias: String, window: String, personCheck: PersonCheckResult?) {
        self.alias = alias
        self.window = window
        self.personCheck = personCheck
    }
}

/// A check on the character a request creates, in the same framework as the
/// prompt and request rules. Its input is what the catalog stored, not a text,
/// so it has no text examples: CameoAPITests checks it on stored results.
public protocol CharacterRule: Sendable {
    static var description: RuleDescription { get }
    func check(_ character: CreatedCharacter) -> [Diagnostic]
}

/// Runs every character rule. With `strict` (`--strict`) their warnings are
/// errors: a character the provider will most likely refuse costs a paid request.
public enum CharacterLinter {
    public static let rules: [any CharacterRule] = [PersonInWindowRule()]

    public static var descriptions: [RuleDescription] {
        rules.map { type(of: $0).description }
    }

    public static func lint(_ character: CreatedCharacter, strict: Bool) -> [Diagnostic] {
        rules.flatMap { $0.check(character) }.map { finding in
            var finding = finding
            if strict { finding.severity = .error }
            return finding
        }
    }
}
