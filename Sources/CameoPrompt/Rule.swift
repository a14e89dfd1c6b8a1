/// A rule's documentation, the same for every rule: `cameo lint --rules`
/// prints it, and the test suite runs its examples.
public struct RuleDescription: Sendable {
    public let identifier: String
    public let summary: String
    public let severity: Severity
    public let explanation: String
    /// Each must trigger the rule; a `↓` marks where a finding starts.
    package let triggeringExamples: [Example]
    /// None may trigger the rule.
    package let nonTriggeringExamples: [Example]
    /// For a rule that offers a fix: each text before, and what applying
    /// the rule's fixes makes of it.
    package let corrections: [Example: Example]

    package init(identifier: String, summary: String, severity: Severity, explanation: String,
                 triggeringExamples: [Example], nonTriggeringExamples: [Example], corrections: [Example: Example] = [:]) {
        self.identifier = identifier
        self.summary = summary
        self.severity = severity
        self.explanation = explanation
        self.triggeringExamples = triggeringExamples
        self.nonTriggeringExamples = nonTriggeringExamples
        self.corrections = corrections
    }
}

/// A rule's example, as SwiftLint writes them: the text (a prompt, or a
/// request body's JSON) with `↓` where each finding starts (before a field's
/// key, or before an array entry), and where the example is written, so a
/// test that fails on it points at its line.
package struct Example: Sendable, Hashable {
    package static let marker: Character = "↓"

    package let code: String
    package let fileID: String
    package let filePath: String
    package let line: Int
    package let column: Int

    package init(_ code: String, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) {
        self.code = code
        self.fileID = fileID
        self.filePath = filePath
        self.line = line
        self.column = column
    }

    /// The example without its markers.
    package var text: String { code.replacingOccurrences(of: String(Self.marker), with: "") }

    /// Where each marker stands in `text`, in Unicode scalars.
    package var markers: [Int] {
        var offsets: [Int] = [], offset = 0
        for scalar in code.unicodeScalars {
            if Character(scalar) == Self.marker { offsets.append(offset) } else { offset += 1 }
        }
        return offsets
    }

    package static func == (lhs: Example, rhs: Example) -> Bool { lhs.code == rhs.code }
    package func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

/// A check on a prompt, in the style of SwiftLint: one type per rule.
public protocol PromptRule: Sendable {
    static var description: RuleDescription { get }
    func check(_ prompt: PromptContext) -> [Diagnostic]
}

extension PromptRule {
    func diagnostic(_ message: String, at range: Range<String.Index>, in prompt: PromptContext,
                    note: String? = nil, replacement: String? = nil) -> Diagnostic {
        Diagnostic(rule: Self.description.identifier, severity: Self.description.severity, message: message,
                   location: .text(range, prompt.locator.span(range)), note: note, replacement: replacement)
    }
}

/// Everything a prompt rule may look at.
public struct PromptContext: Sendable {
    public var text: String
    public var mentions: [Mention]
    public var index: CharacterIndex
    public var options: PromptOptions
    let locator: TextLocator

    public init(text: String, index: CharacterIndex, options: PromptOptions = .init()) {
        self.text = text
        locator = TextLocator(text)
        self.index = index
        self.options = options
        mentions = MentionParser.mentions(in: text, index: index)
    }

    func character(_ number: Int) -> PromptCharacter {
        index.characters[number]
    }

    func isCreated(_ number: Int) -> Bool {
        options.creating.contains { index.character(alias: $0) == number }
    }
}

/// Runs every prompt rule and composes the prompt.
public enum PromptLinter {
    public static let rules: [any PromptRule] = [
        EmptyPromptRule(), UnknownCharacterRule(), MalformedMentionRule(), UnresolvedCharacterRule(),
        RevokedCharacterRule(), SupersededUsernameRule(), MissingSpaceRule(), FullwidthAtRule(),
        AmbiguousMentionRule(), DuplicateMentionRule(), TooManyCharactersRule(), WindowBeyondClipRule(),
    ]

    public static var descriptions: [RuleDescription] {
        rules.map { type(of: $0).description }
    }

    public struct Result: Sendable {
        public var diagnostics: [Diagnostic]
        public var composition: Composition
        public var hasErrors: Bool { diagnostics.hasErrors }
    }

    public static func lint(_ text: String, index: CharacterIndex, options: PromptOptions = .init()) -> Result {
        let context = PromptContext(text: text, index: index, options: options)
        let diagnostics = rules.flatMap { $0.check(context) }.sorted {
            ($0.span?.utf16.lowerBound ?? 0, $1.severity.rank) < ($1.span?.utf16.lowerBound ?? 0, $0.severity.rank)
        }
        return Result(diagnostics: diagnostics,
                      composition: Composer.compose(text, mentions: context.mentions, index: index, options: options))
    }
}
