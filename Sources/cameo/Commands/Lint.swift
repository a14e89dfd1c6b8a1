import ArgumentParser
import CameoAPI
import CameoCatalog
import CameoPrompt
import CameoText
import Foundation

struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Explain every problem in a prompt before it is sent.",
        discussion: """
            Exit code 0 with warnings only, 1 when there is an error. `cameo lint --rules` lists the rules.

            EXAMPLES:
              cameo lint '和@cokie跳舞'
              cameo lint '@duck在湖上' --fix
              cameo lint --explain missing-space --json
              cameo lint --request body.json
            """)

    @OptionGroup var catalog: CatalogOptions

    @Argument(help: "The prompt, or - to read it from stdin.")
    var prompt: String?

    @Flag(help: "Print the fixed (composed) prompt on stdout.")
    var fix = false

    @Flag(help: "List every rule with its summary.")
    var rules = false

    @Option(help: ArgumentHelp("Explain one rule, with its examples.", valueName: "rule"), completion: Complete.rule)
    var explain: String?

    @Option(name: .customLong("request"), help: ArgumentHelp("Check a request body written by hand against the spec.", valueName: "file.json"), completion: Complete.json)
    var requestFile: String?

    @Flag(help: "Treat a face in the --character window as an error.")
    var strict = false

    @OptionGroup var flags: PromptFlags

    @Option(help: ArgumentHelp("Check against this provider profile's window and models (else CAMEO_PROVIDER, else default_provider).", valueName: "name"))
    var provider: String?

    @OptionGroup var output: JSONFlag

    func validate() throws {
        if prompt == nil, !rules, explain == nil, requestFile == nil {
            throw ValidationError("give a prompt (or - for stdin), --request FILE, --rules or --explain RULE")
        }
    }

    func run() throws {
        if rules { return try RuleList.print(RuleList.all, json: output.json) }
        if let explain { return try RuleList.explain(explain, among: RuleList.all, json: output.json) }
        if let requestFile { return try lintRequest(requestFile) }
        let text = try PromptInput.read(prompt ?? "-")
        let profile = try activeProfile()
        let opened = try catalog.openForReading()
        let index = try CharacterIndex.load(for: text, from: opened)
        let result = PromptLinter.lint(text, index: index, options: flags.options)
        // --character: the request creates this character, so its stored window is checked too.
        let characterFindings = try flags.creating.map { alias in
            try CharacterLinter.lint(opened.character(named: alias).created, strict: strict)
        }
        let all = result.diagnostics + (characterFindings ?? [])
        if output.json {
            try Output.json(LintDocument(prompt: text, result: result, characterFindings: characterFindings, provider: profile.name))
        } else {
            DiagnosticsOutput.printHuman(all, in: text)
            Output.error((all.isEmpty ? "no problems found" : DiagnosticsOutput.summary(result.diagnostics)
                          + ((characterFindings ?? []).isEmpty ? "" : "; \(characterFindings?.count ?? 0) about the character"))
                         + " (checked for provider \(profile.name))")
            if fix { Output.line(result.composition.text) }
        }
        if all.hasErrors { throw SilentFailure(status: .findings) }
    }
}

extension Lint {
    /// The profile whose limits apply; the spec's own when no config names one.
    func activeProfile() throws -> ProviderProfile {
        try ConfigPath.load(baseURLFlag: nil, providerFlag: provider).profile
    }

    func lintRequest(_ path: String) throws {
        let data = try InputFile.read(path, expecting: "a JSON request body")
        guard let body = RequestBody(json: data) else {
            throw CommandFailure("\(path) is not a JSON object; a request body is {\"prompt\": …, \"model\": …}", status: .invalidData)
        }
        let promptText = body.string(.prompt) ?? ""
        let index = try CharacterIndex.load(for: promptText, from: catalog.openForReading())
        let profile = try activeProfile()
        let result = RequestLinter.lint(body, index: index, options: flags.options, limits: profile.limits)
        if output.json {
            try Output.json(RequestLintDocument(request: result.request, prompt: result.prompt, provider: profile.name))
        } else {
            DiagnosticsOutput.printHuman(result.prompt, in: promptText, source: "body.prompt")
            DiagnosticsOutput.printHuman(result.request)
            let total = result.request.count + result.prompt.count
            Output.error((total == 0 ? "no problems found" : "\(total) finding(s)")
                         + " (checked for provider \(profile.name): window \(profile.limits.windowText), models \(profile.models.joined(separator: ", ")))")
        }
        if result.hasErrors { throw SilentFailure(status: .findings) }
    }
}

/// `lint --request --json`, and `request --json` when there are errors: the
/// body's findings and its prompt's, in the one finding shape.
struct RequestLintDocument: Encodable {
    var provider: String
    var diagnostics: [DiagnosticDocument]
    var promptDiagnostics: [DiagnosticDocument]
    var counts: FindingCounts

    init(request: [Diagnostic], prompt: [Diagnostic], provider: String) {
        self.provider = provider
        diagnostics = request.map(DiagnosticDocument.init)
        promptDiagnostics = prompt.map(DiagnosticDocument.init)
        counts = FindingCounts(request + prompt)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(provider, forKey: .provider)
        try container.encode(diagnostics, forKey: .diagnostics)
        try container.encode(promptDiagnostics, forKey: .promptDiagnostics)
        try counts.encode(to: encoder)
    }

    enum CodingKeys: String, CodingKey {
        case provider, diagnostics
        case promptDiagnostics = "prompt_diagnostics"
    }
}

/// `lint --json`: the prompt's findings, and with --character the character's.
struct LintDocument: Encodable {
    var prompt: String
    var provider: String
    var diagnostics: [DiagnosticDocument]
    /// Of every finding, the character's included.
    var counts: FindingCounts
    /// The prompt as it would be sent; null while errors remain.
    @NullEncoded var composed: String?
    /// With --character: what is wrong with the character's window.
    var characterDiagnostics: [DiagnosticDocument]?

    init(prompt: String, result: PromptLinter.Result, characterFindings: [Diagnostic]?, provider: String) {
        self.prompt = prompt
        self.provider = provider
        diagnostics = result.diagnostics.map(DiagnosticDocument.init)
        characterDiagnostics = characterFindings?.map(DiagnosticDocument.init)
        let all = result.diagnostics + (characterFindings ?? [])
        counts = FindingCounts(all)
        composed = all.hasErrors ? nil : result.composition.text
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(prompt, forKey: .prompt)
        try container.encode(provider, forKey: .provider)
        try container.encode(diagnostics, forKey: .diagnostics)
        try container.encode(_composed, forKey: .composed)
        try container.encodeIfPresent(characterDiagnostics, forKey: .characterDiagnostics)
        try counts.encode(to: encoder)
    }

    enum CodingKeys: String, CodingKey {
        case prompt, provider, diagnostics, composed
        case characterDiagnostics = "character_diagnostics"
    }
}

/// The rules' own documentation, printed.
enum RuleList {
    /// Built only for --rules and --explain: linting a prompt needs no examples.
    static var all: [RuleDescription] {
        PromptLinter.descriptions + RequestLinter.descriptions + CharacterLinter.descriptions
    }

    /// A rule as `--rules --json` and `--explain --json` write it.
    struct RuleDocument: Encodable {
        var rule: String
        var severity: String
        var summary: String
        var explanation: String
        var triggeringExamples: [String]?
        var nonTriggeringExamples: [String]?
        var corrections: [Correction]?

        struct Correction: Encodable {
            var before: String
            var after: String
        }

        init(_ description: RuleDescription, examples: Bool) {
            rule = description.identifier
            severity = description.severity.rawValue
            summary = description.summary
            explanation = description.explanation
            guard examples else { return }
            triggeringExamples = description.triggeringExamples.map(\.text)
            nonTriggeringExamples = description.nonTriggeringExamples.map(\.text)
            corrections = RuleList.corrections(description).map { Correction(before: $0.text, after: $1.text) }
        }

        enum CodingKeys: String, CodingKey {
            case rule, severity, summary, explanation, corrections
            case triggeringExamples = "triggering_examples", nonTriggeringExamples = "non_triggering_examples"
        }
    }

    static func print(_ rules: [RuleDescription], json: Bool) throws {
        if json { return try Output.json(rules.map { RuleDocument($0, examples: false) }) }
        var table = TextTable("RULE", "SEVERITY", "SUMMARY")
        for rule in rules { table.add(rule.identifier, rule.severity.rawValue, rule.summary) }
        Output.line(table.render())
    }

    static func explain(_ identifier: String, among rules: [RuleDescription], json: Bool) throws {
        guard let rule = rules.first(where: { $0.identifier == identifier }) else {
            let near = ClosestName.find(identifier, among: rules.map(\.identifier)).map { "did you mean \"\($0)\"? " } ?? ""
            throw CommandFailure("no rule \"\(identifier)\"; \(near)`cameo lint --rules` lists them", status: .notFound)
        }
        if json { return try Output.json(RuleDocument(rule, examples: true)) }
        var lines = ["\(rule.identifier) (\(rule.severity.rawValue)): \(rule.summary)", "", rule.explanation, "", "Triggers:"]
        lines += rule.triggeringExamples.map { "  " + $0.text }
        lines += ["", "Does not trigger:"] + rule.nonTriggeringExamples.map { "  " + $0.text }
        let corrections = corrections(rule)
        if !corrections.isEmpty {
            lines += ["", "Fixes:"] + corrections.flatMap { ["  " + $0.text, "  → " + $1.text] }
        }
        Output.line(lines.joined(separator: "\n"))
    }

    /// In a stable order: the dictionary's is not.
    static func corrections(_ rule: RuleDescription) -> [(Example, Example)] {
        rule.corrections.sorted { $0.key.code < $1.key.code }.map { ($0.key, $0.value) }
    }
}
