import ArgumentParser
import CameoAPI
import CameoCatalog
import CameoText
import Foundation

struct Cameo: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "cameo",
        abstract: "Keep Sora 2 cameo characters, pick their clip windows, and build prompts and requests that the API accepts.",
        discussion: """
            Exit codes: 0 success; 1 the check found errors; 2 not found; 3 conflict; \
            4 unusable file contents; 5 unusable catalog; 6 provider or network failure; 64 bad arguments; 130 interrupted.
            """,
        version: version,
        subcommands: [
            Add.self, List.self, Show.self, Edit.self, Rename.self, Remove.self, Resolve.self,
            History.self, Export.self, Import.self, Probe.self, Windows.self, Cut.self, Compose.self, Lint.self, Request.self, Send.self,
            Status.self, Create.self, Undo.self, TrashCommand.self,
        ]
    )
}

@main
enum Main {
    static func main() async {
        do {
            var command = try Cameo.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            guard let status = Failure.status(for: error) else {
                // ArgumentParser's own messages quote what was typed: they go
                // out through Output too, escaped like everything else.
                let message = Cameo.fullMessage(for: error)
                let code = Cameo.exitCode(for: error)
                if !message.isEmpty {
                    Output.write(message + "\n", to: code == .success ? .standardOutput : .standardError)
                }
                exit(code.rawValue)
            }
            if !(error is SilentFailure) {
                // One line, whatever a provider or a file put into the message.
                Output.error(Output.paint("cameo: error:", .red) + " " + TerminalText.escape("\(error)"))
            }
            exit(status.rawValue)
        }
    }
}
