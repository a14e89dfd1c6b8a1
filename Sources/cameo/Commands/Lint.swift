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
        discussion: "Exit code 0 with warnings only, 1 when there is an error. `cameo lint --rules` lists the rules.")

    @OptionGroup var catalog: CatalogOptions

    @Argument(help: "The prompt, or - to read it from stdin.")
    var prompt: String?

    @Flag(help: "Print the fixed (composed) prompt on stdout.")
    var fix = false

    @Flag(help: "List every rule with its summary.")
    var rules = false

    @Option(help: ArgumentHelp("Explain one rule, with its examples.", valueName: "rule"))
    var explain: String?

    @Option(name: .customLong("request"), help: ArgumentHelp("Check a request body written by hand against the spec.", valueName: "file.json"))
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
        let allRules = PromptLinter.descriptions + RequestLinter.descriptions + [PersonInWindowRule.description]
        if rules { return try RuleList.print(allRules, json: output.json) }
        if let explain { return try RuleList.explain(explain, among: allRules) }
        if let requestFile { return try lintRequest(requestFile) }
        let text = try PromptInput.read(prompt ?? "-")
        let profile = try activeProfile()
        let opened = try catalog.openForReading()
        let index = try CharacterIndex.load(for: text, from: opened)
        let result = PromptLinter.lint(text, index: index, options: flags.options)
        // --character: the request creates this character, so its stored window is checked too.
        let characterFindings = try flags.creating.map { alias in
            try PersonInWindowRule.check(opened.character(named: alias), strict: strict).map { [$0] } ?? []
        }
        if output.json {
            var document = LintDocument(prompt: text, result: result, provider: profile.name)
            document.characterDiagnostics = characterFindings?.map(RequestDiagnosticDocument.init)
            document.errors += characterFindings?.filter { $0.severity == .error }.count ?? 0
            document.warnings += characterFindings?.filter { $0.severity == .warning }.count ?? 0
            if document.errors > 0 { document.composed = nil }
            try Output.json(document)
        } else {
            DiagnosticsOutput.printHuman(result.diagnostics, in: text)
            RequestDiagnosticsOutput.printHuman(characterFindings ?? [])
            let total = result.diagnostics.count + (characterFindings?.count ?? 0)
            Output.error((total == 0 ? "no problems found" : DiagnosticsOutput.summary(result.diagnostics)
                          + ((characterFindings ?? []).isEmpty ? "" : "; \(characterFindings?.count ?? 0) about the character"))
                         + " (checked for provider \(profile.name))")
            if fix { Output.line(result.composition.text) }
        }
        if result.hasErrors || characterFindings?.contains(where: { $0.severity == .error }) == true {
            throw SilentFailure(status: .findings)
        }
    }
}

extension Lint {
    /// The profile whose limits apply; the spec's own when no config names one.
    func activeProfile() throws -> ProviderProfile {
        try ProviderConfig.load(environment: ProcessInfo.processInfo.environment, baseURLFlag: nil, providerFlag: provider).profile
    }

    func lintRequest(_ path: String) throws {
        let data = try InputFile.read(path, expecting: "a JSON request body")
        guard let body = RequestBody(json: data) else {
            throw CommandFailure("\(path) is not a JSON object; a request body is {\"prompt\": …, \"model\": …}", status: .invalidData)
        }
        let promptText = body.string("prompt") ?? ""
        let index = try CharacterIndex.load(for: promptText, from: catalog.openForReading())
        let profile = try activeProfile()
        let result = RequestLinter.lint(body, index: index, options: flags.options, limits: profile.limits)
        if output.json {
            try Output.json(RequestLintDocument(result, provider: profile.name))
        } else {
            DiagnosticsOutput.printHuman(result.prompt, in: promptText, source: "body.prompt")
            RequestDiagnosticsOutput.printHuman(result.request)
            let total = result.request.count + result.prompt.count
            Output.error((total == 0 ? "no problems found" : "\(total) finding(s)")
                         + " (checked for provider \(profile.name): window \(profile.limits.windowText), models \(profile.models.joined(separator: ", ")))")
        }
        if result.hasErrors { throw SilentFailure(status: .findings) }
    }
}

struct RequestLintDocument: Encodable {
    var provider: String
    var diagnostics: [RequestDiagnosticDocument]
    var promptDiagnostics: [DiagnosticDocument]
    var errors: Int

    init(_ result: RequestLinter.Result, provider: String) {
        self.provider = provider
        diagnostics = result.request.map(RequestDiagnosticDocument.init)
        promptDiagnostics = result.prompt.map(DiagnosticDocument.init)
        errors = result.request.filter { $0.severity == .error }.count + result.prompt.filter { $0.severity == .error }.count
    }

    enum CodingKeys: String, CodingKey {
        case provider, diagnostics, errors
        case promptDiagnostics = "prompt_diagnostics"
    }
}

struct LintDocument: Encodable {
    var prompt: String
    var provider: String
    var diagnostics: [DiagnosticDocument]
    var errors: Int
    var warnings: Int
    /// The prompt as it would be sent; null while errors remain.
    @NullEncoded var composed: String?
    /// With --character: what is wrong with the character's window.
    var characterDiagnostics: [RequestDiagnosticDocument]?

    init(prompt: String, result: PromptLinter.Result, provider: String) {
        self.prompt = prompt
        self.provider = provider
        diagnostics = result.diagnostics.map(DiagnosticDocument.init)
        errors = result.diagnostics.filter { $0.severity == .error }.count
        warnings = result.diagnostics.filter { $0.severity == .warning }.count
        composed = result.hasErrors ? nil : result.composition.text
    }

    enum CodingKeys: String, CodingKey {
        case prompt, provider, diagnostics, errors, warnings, composed
        case characterDiagnostics = "character_diagnostics"
    }
}

/// The rules' own documentation, printed.
enum RuleList {
    static func print(_ rules: [RuleDescription], json: Bool) throws {
        if json {
            try Output.json(rules.map { ["identifier": $0.identifier, "severity": $0.severity.rawValue, "summary": $0.summary, "explanation": $0.explanation] })
            return
        }
        var table = TextTable("RULE", "SEVERITY", "SUMMARY")
        for rule in rules { table.add(rule.identifier, rule.severity.rawValue, rule.summary) }
        Output.line(table.render())
    }

    static func explain(_ identifier: String, among rules: [RuleDescription]) throws {
        guard let rule = rules.first(where: { $0.identifier == identifier }) else {
            throw CommandFailure("no rule \"\(identifier)\"; `cameo lint --rules` lists them", status: .notFound)
        }
        var lines = ["\(rule.identifier) (\(rule.severity.rawValue)): \(rule.summary)", "", rule.explanation, "", "Triggers:"]
        lines += rule.triggeringExamples.map { "  " + $0.replacingOccurrences(of: "↓", with: "") }
        lines += ["", "Does not trigger:"] + rule.nonTriggeringExamples.map { "  " + $0 }
        Output.line(lines.joined(separator: "\n"))
    }
}
