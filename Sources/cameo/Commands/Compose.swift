import ArgumentParser
import CameoCatalog
import CameoPrompt

/// Options shared by the commands that read prompts.
struct PromptFlags: ParsableArguments {
    @Option(help: "Warn when a prompt mentions more characters than this.")
    var maxCharacters: Int = 5

    @Option(name: .customLong("character"), help: ArgumentHelp(
        "A character this request creates from its source URL: its mentions are sent as plain words.", valueName: "alias"))
    var creating: String?

    func validate() throws {
        try CountArgument.check(maxCharacters, "--max-characters", in: 0...1000)
    }

    var options: PromptOptions {
        PromptOptions(maximumCharacters: maxCharacters, creating: Set(creating.map { [$0] } ?? []))
    }
}

struct Compose: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compose",
        abstract: "Write a prompt's @alias mentions as the @username the API expects, correctly spaced.",
        discussion: "Errors (unknown or unresolved characters…) print to stderr with exit code 1, and nothing on stdout.")

    @OptionGroup var catalog: CatalogOptions

    @Argument(help: "The prompt, or - to read it from stdin.")
    var prompt: String

    @OptionGroup var flags: PromptFlags

    func run() throws {
        let text = try PromptInput.read(prompt)
        let index = try CharacterIndex.load(for: text, from: catalog.openForReading())
        let result = PromptLinter.lint(text, index: index, options: flags.options)
        DiagnosticsOutput.printHuman(result.diagnostics, in: text)
        guard !result.hasErrors else { throw SilentFailure(status: .findings) }
        Output.line(result.composition.text)
    }
}
