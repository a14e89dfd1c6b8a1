/// A rule's documentation, the same for every rule: `cameo lint --rules`
/// prints it, and the test suite runs its examples.
public struct RuleDescription: Sendable {
    public let identifier: String
    public let summary: String
    public let severity: Severity
    public let explanation: String
    /// Each must trigger the rule; a `↓` marks where the finding starts.
    public let triggeringExamples: [String]
    /// None may trigger the rule.
    public let nonTriggeringExamples: [String]

    public init(identifier: String, summary: String, severity: Severity, explanation: String,
                triggeringExamples: [String], nonTriggeringExamples: [String]) {
        self.identifier = identifier
        self.summary = summary
        self.severity = severity
        self.explanation = explanation
        self.triggeringExamples = triggeringExamples
        self.nonTriggeringExamples = nonTriggeringExamples
    }
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
                   range: range, span: prompt.locator.span(range), note: note, replacement: replacement)
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
        public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
    }

    public static func lint(_ text: String, index: CharacterIndex, options: PromptOptions = .init()) -> Result {
        let context = PromptContext(text: text, index: index, options: options)
        let diagnostics = rules.flatMap { $0.check(context) }.sorted {
            ($0.span.utf16.lowerBound, $1.severity.rank) < ($1.span.utf16.lowerBound, $0.severity.rank)
        }
        return Result(diagnostics: diagnostics,
                      composition: Composer.compose(text, mentions: context.mentions, index: index, options: options))
    }
}
