import ArgumentParser
import CameoCatalog
import CameoPrompt

struct Compose: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compose",
        abstract: "Write a prompt's @alias mentions as the @username the API expects, correctly spaced.",
        discussion: """
            Errors (unknown or unresolved characters…) print to stderr with exit code 1, and nothing on stdout.

            EXAMPLES:
              cameo compose '@duck在舞台上和@cookie牵手跳舞'
              echo '@duck 跳舞' | cameo compose -
              cameo compose '@duck runs' --json
            """)

    @OptionGroup var catalog: CatalogOptions

    @Argument(help: "The prompt, or - to read it from stdin.")
    var prompt: String

    @OptionGroup var flags: PromptFlags

    @OptionGroup var output: JSONFlag

    func run() throws {
        let text = try PromptInput.read(prompt)
        let index = try CharacterIndex.load(for: text, from: catalog.openForReading())
        let result = PromptLinter.lint(text, index: index, options: flags.options)
        if output.json {
            // The same document as `lint --json`: the prompt, its findings, and what would be sent.
            let profile = try ConfigPath.load(baseURLFlag: nil, providerFlag: nil).profile
            try Output.json(LintDocument(prompt: text, result: result, characterFindings: nil, provider: profile.name))
            if result.hasErrors { throw SilentFailure(status: .findings) }
            return
        }
        DiagnosticsOutput.printHuman(result.diagnostics, in: text)
        guard !result.hasErrors else { throw SilentFailure(status: .findings) }
        Output.line(result.composition.text)
    }
}
