import ArgumentParser
import CameoAPI
import CameoCatalog
import CameoText
import Foundation

@main
struct Cameo: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "cameo",
        abstract: "Keep Sora 2 cameo characters, pick their clip windows, and build prompts and requests that the API accepts.",
        discussion: """
            Start with `cameo config`: where the catalog and the config are, and what is wrong with them.

            ENVIRONMENT:
              CAMEO_DB          the catalog file (also --db, before or after the command)
              CAMEO_API_KEY     the provider's key (a profile's key_env may name another variable)
              CAMEO_BASE_URL    the provider's base URL (the default profile's)
              CAMEO_PROVIDER    the provider profile of the config file to use
              NO_COLOR          when set and not empty, no colour (FORCE_COLOR forces it; --color decides first)
              FORCE_COLOR       when set and not empty (nor 0), colour even when stderr is not a terminal
              XDG_DATA_HOME     the catalog defaults to $XDG_DATA_HOME/cameo/catalog.sqlite (~/.local/share/…)
              XDG_CONFIG_HOME   the config is $XDG_CONFIG_HOME/cameo/config.json (~/.config/…)

            OPTIONS OF EVERY COMMAND (before or after it):
              --db PATH                   the catalog file
              --color auto|always|never   colour on stderr (auto: on a terminal, unless NO_COLOR)
              --format auto|table|tsv     tables: padded on a terminal, tab-separated when piped (auto)

            EXIT CODES:
              0 success; 1 the check found errors; 2 not found; 3 conflict; 4 unusable file contents; \
            5 unusable catalog; 6 provider or network failure; 64 bad arguments; 130 interrupted.

            EXAMPLES:
              cameo config
              cameo add duck --clip clip.mp4 --url https://cdn.example.com/duck.mp4
              cameo compose '@duck在舞台上跳舞'
              cameo --db /tmp/other.sqlite ls
            """,
        version: version,
        // Each command sets its commandName: without one, ArgumentParser derives it
        // with String(describing:), a scan of every conformance in the binary per command, at every start.
        subcommands: [
            Config.self, Add.self, List.self, Show.self, Edit.self, Rename.self, Remove.self, Resolve.self,
            History.self, Export.self, Import.self, Undo.self, TrashCommand.self,
            Probe.self, Windows.self, Cut.self, Compose.self, Lint.self, Request.self, Send.self,
            Status.self, Create.self, AliasList.self,
        ]
    )

    static func main() async {
        do {
            let arguments = try CommandLineArguments.prepare(Array(CommandLine.arguments.dropFirst()))
            if let script = CompletionScript.requested(arguments) {
                Output.line(script)
                return
            }
            var command = try CommandLineArguments.parse(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: ExitCode(ErrorReport.print(error).rawValue))
        }
    }
}

/// What the command line says before ArgumentParser reads it.
enum CommandLineArguments {
    /// `--db PATH` (or `--db=PATH`) before the command counts as after it: it
    /// becomes CAMEO_DB for this run, which `--db` after the command still overrides.
    static func prepare(_ arguments: [String]) throws -> [String] {
        var arguments = try takePresentation(arguments)
        while let first = arguments.first, first == "--db" || first.hasPrefix("--db=") {
            if first == "--db", arguments.count > 1 {
                setenv("CAMEO_DB", arguments[1], 1)
                arguments.removeFirst(2)
            } else if first.hasPrefix("--db=") {
                setenv("CAMEO_DB", String(first.dropFirst(5)), 1)
                arguments.removeFirst()
            } else {
                break
            }
        }
        return arguments
    }

    /// `--color WHEN` and `--format FORMAT` apply to every command, wherever they
    /// are given (before `--`, after which everything is an argument).
    static func takePresentation(_ arguments: [String]) throws -> [String] {
        var kept: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" {
                kept += arguments[index...]
                break
            }
            var matched = false
            for (option, apply) in presentationOptions {
                let value: String
                if argument == option {
                    guard index + 1 < arguments.count else { throw CommandFailure("\(option) needs a value", status: .usage) }
                    value = arguments[index + 1]
                    index += 1
                } else if argument.hasPrefix(option + "=") {
                    value = String(argument.dropFirst(option.count + 1))
                } else {
                    continue
                }
                try apply(value)
                matched = true
            }
            if !matched { kept.append(argument) }
            index += 1
        }
        return kept
    }

    static let presentationOptions: [(String, @Sendable (String) throws -> Void)] = [
        ("--color", { value in
            guard let choice = Presentation.Colour(rawValue: value) else {
                throw CommandFailure("--color must be auto, always or never, not \(quotedArgument(value))", status: .usage)
            }
            Presentation.colour = choice
        }),
        ("--format", { value in
            guard let choice = Presentation.TableFormat(rawValue: value) else {
                throw CommandFailure("--format must be auto, table or tsv, not \(quotedArgument(value))", status: .usage)
            }
            Presentation.tableFormat = choice
        }),
    ]

    /// Every name a command answers to.
    static var commandNames: [String] {
        Cameo.configuration.subcommands.flatMap { [$0._commandName] + $0.configuration.aliases }
    }

    /// The command the arguments ask for. An unknown command name is looked for
    /// only where parsing does not settle it: `cameo lsit` fails to parse (the root
    /// takes no arguments), while `cameo lsit --help` and `cameo help lsit` parse as
    /// root help. Looked for first, the names of every command cost each start-up
    /// 0.1–0.3 ms of CPU (each command's configuration is built to read its names).
    static func parse(_ arguments: [String]) throws -> any ParsableCommand {
        let command: any ParsableCommand
        do {
            command = try Cameo.parseAsRoot(arguments)
        } catch {
            try refuseUnknownCommand(arguments)
            throw error
        }
        if !Cameo.configuration.subcommands.contains(where: { $0 == type(of: command) }) {
            try refuseUnknownCommand(arguments)
        }
        return command
    }

    /// `cameo lsit` and `cameo help lsit` are errors with a did-you-mean, not root help.
    static func refuseUnknownCommand(_ arguments: [String]) throws {
        guard let first = arguments.first, !first.hasPrefix("-") else { return }
        let names = commandNames
        let typed: String
        if first == "help" {
            guard arguments.count > 1 else { return }
            typed = arguments[1]
        } else {
            typed = first
        }
        guard !names.contains(typed), typed != "help" else { return }
        // Two swapped letters (`lsit`) are one slip, not two edits.
        let suggestion = names.first { $0.count == typed.count && $0.sorted() == typed.lowercased().sorted() }
            ?? ClosestName.find(typed, among: names)
        throw CommandFailure(
            "unknown command \(quotedArgument(typed))" + (suggestion.map { "; did you mean `cameo \($0)`?" } ?? "")
                + " (`cameo --help` lists the commands)",
            status: .usage)
    }

    static func quotedArgument(_ text: String) -> String {
        "'" + (text.count > 60 ? String(text.prefix(59)) + "…" : text) + "'"
    }
}

/// One error style for every failure, the parser's too: `cameo: error: …` on one line.
enum ErrorReport {
    static func print(_ error: any Error) -> ExitStatus {
        guard let status = Failure.status(for: error) else {
            let code = Cameo.exitCode(for: error)
            if code == .success {
                // --help and --version: what was asked for, on stdout.
                let message = Cameo.fullMessage(for: error)
                if !message.isEmpty { Output.write(message + "\n", to: .standardOutput) }
                return .success
            }
            // ArgumentParser's own messages quote what was typed: they go out escaped like everything else.
            let message = Cameo.message(for: error).trimmingCharacters(in: .whitespacesAndNewlines)
            let oneLine = message.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "; ")
            Output.error(Output.paint("cameo: error:", .red) + " " + TerminalText.escape(lowercasedFirst(oneLine))
                         + " (`cameo help COMMAND` shows its options)")
            return ExitStatus(rawValue: code.rawValue) ?? .usage
        }
        if !(error is SilentFailure) {
            // One line, whatever a provider or a file put into the message.
            Output.error(Output.paint("cameo: error:", .red) + " " + TerminalText.escape("\(error)"))
        }
        return status
    }

    static func lowercasedFirst(_ text: String) -> String {
        guard let first = text.first, first.isUppercase, text.dropFirst().first?.isLowercase == true else { return text }
        return first.lowercased() + text.dropFirst()
    }
}
