import ArgumentParser
import CameoAPI
import CameoCatalog
import CameoPrompt
import Foundation

/// What the shell completes where: aliases from the catalog, files, and the
/// values an option allows. Every argument that names one of these says so here.
enum Complete {
    static let alias = CompletionKind.custom { words, _, prefix in AliasList.aliases(words: words, prefix: prefix) }
    static let file = CompletionKind.file()
    static let json = CompletionKind.file(extensions: ["json"])
    static let png = CompletionKind.file(extensions: ["png"])
    static let clip = CompletionKind.file(extensions: ["mp4", "mov", "m4v", "mkv", "webm", "avi", "ts", "mts", "flv", "mpg", "ogv", "mxf"])
    static let model = CompletionKind.list(ProviderProfile(name: "default").models)
    static let aspectRatio = CompletionKind.list(["16:9", "9:16"])
    static let duration = CompletionKind.list(["10", "15", "25"])
    static let rule = CompletionKind.custom { _, _, _ in RuleList.all.map(\.identifier) }
    static let state = CompletionKind.list(["submitted", "failed", "not-sent", "unknown"])
}

/// `cameo __aliases [PREFIX]`: the catalog's aliases, one per line, for shell
/// completion. Hidden: people run `cameo list`.
struct AliasList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "__aliases", abstract: "List aliases for shell completion.", shouldDisplay: false)

    @OptionGroup var catalog: CatalogOptions

    @Argument(help: "Only aliases starting with this.")
    var prefix = ""

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let aliases = try Self.aliases(at: try catalog.trustedLocation(environment: environment), prefix: prefix, environment: environment)
        if !aliases.isEmpty { Output.line(aliases.joined(separator: "\n")) }
    }

    /// From an SQLite file (none yet: none) or a team's PostgreSQL catalog.
    static func aliases(at location: String, prefix: String,
                        environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [String] {
        if !CatalogStores.isServerURL(location), !FileManager.default.fileExists(atPath: location) { return [] }
        return try CatalogStores.openForReading(location, environment: environment)
            .aliases(startingWith: prefix, limit: 500)
    }

    /// For a completion script: quiet on any failure (a shell prompt is no place for an error).
    static func aliases(words: [String], prefix: String) -> [String] {
        var explicit: String?
        for (index, word) in words.enumerated() {
            if word == "--db", index + 1 < words.count { explicit = words[index + 1] }
            if word.hasPrefix("--db=") { explicit = String(word.dropFirst(5)) }
        }
        let options = CatalogOptions(explicit)
        return (try? aliases(at: try options.trustedLocation(), prefix: prefix)) ?? []
    }
}

/// `cameo --generate-completion-script [SHELL]` with the command aliases
/// (`ls`, `remove`, `doctor`) in it. swift-argument-parser's scripts offer
/// only each command's own name, and complete nothing after an alias; here
/// each alias is offered beside its command and completes as it does.
enum CompletionScript {
    struct Alias {
        var alias: String
        var command: String
    }

    static var aliases: [Alias] {
        Cameo.configuration.subcommands.flatMap { command in
            command.configuration.aliases.map { Alias(alias: $0, command: command._commandName) }
        }
    }

    /// The script asked for, or nil when the arguments ask for something else
    /// (ArgumentParser then answers, an unknown shell included).
    static func requested(_ arguments: [String]) -> String? {
        let option = "--generate-completion-script"
        let shell: CompletionShell?
        switch arguments.count {
        case 1 where arguments[0] == option: shell = CompletionShell.autodetected()
        case 1 where arguments[0].hasPrefix(option + "="): shell = CompletionShell(rawValue: String(arguments[0].dropFirst(option.count + 1)))
        case 2 where arguments[0] == option: shell = CompletionShell(rawValue: arguments[1])
        default: return nil
        }
        guard let shell else { return nil }
        return withAliases(Cameo.completionScript(for: shell), shell: shell)
    }

    static func withAliases(_ script: String, shell: CompletionShell) -> String {
        let names = Set(Cameo.configuration.subcommands.filter { $0.configuration.shouldDisplay }.map { $0._commandName })
        var lines = script.components(separatedBy: "\n")
        for index in lines.indices {
            lines[index] = addingAliases(to: lines[index], commands: names, shell: shell)
        }
        // bash and zsh complete a command's arguments in `_cameo_COMMAND`: each alias's function forwards
        // to its command's, placed before anything runs (a zsh script ends by calling `_cameo`).
        if shell != .fish, let first = lines.firstIndex(where: { $0.hasPrefix("_cameo_") && $0.hasSuffix("() {") }) {
            lines.insert(contentsOf: aliases.map { "_cameo_\($0.alias)() {\n    _cameo_\($0.command) \"$@\"\n}\n" }, at: first)
        }
        return lines.joined(separator: "\n")
    }

    /// One line of the script, with the aliases added where it lists the commands, offers them, or dispatches on them.
    private static func addingAliases(to line: String, commands: Set<String>, shell: CompletionShell) -> String {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        // bash and zsh dispatch: `config|add|list|…|help)`.
        if trimmed.hasSuffix(")"), !trimmed.contains(" "), commands.isSubset(of: trimmed.dropLast().split(separator: "|").map(String.init)) {
            return String(line.dropLast()) + aliases.map { "|" + $0.alias }.joined() + ")"
        }
        // bash offers: `compgen -W 'config add list … help' -- "${cur}"`.
        if shell == .bash, let start = line.range(of: "compgen -W '"), let end = line[start.upperBound...].firstIndex(of: "'"),
           commands.isSubset(of: line[start.upperBound..<end].split(separator: " ").map(String.init)) {
            return String(line[..<end]) + aliases.map { " " + $0.alias }.joined() + String(line[end...])
        }
        for entry in aliases {
            switch shell {
            case .zsh where trimmed.hasPrefix("'\(entry.command):"):
                // zsh offers `'list:List characters…'` in the root's list: the alias with the same description.
                return line + "\n" + line.replacingOccurrences(of: "'\(entry.command):", with: "'\(entry.alias):")
            case .fish where trimmed.hasPrefix("complete -c 'cameo' -n '__cameo_should_offer_completions_for_positional \"cameo\" -eq 1' -fa '\(entry.command)' "):
                return line + "\n" + line.replacingOccurrences(of: "-fa '\(entry.command)' ", with: "-fa '\(entry.alias)' ")
            case .fish where trimmed == "case '\(entry.command)'":
                return line + " '\(entry.alias)'"
            default:
                continue
            }
        }
        // fish names the command path by the words typed: an alias counts as its command's name.
        if shell == .fish, trimmed == "set -a commands $unparsed_tokens[1]" {
            let indent = String(line.prefix { $0 == " " })
            let cases = aliases.map { "\(indent)    case '\($0.alias)'\n\(indent)        set name '\($0.command)'" }.joined(separator: "\n")
            return "\(indent)set -l name $unparsed_tokens[1]\n\(indent)switch $name\n\(cases)\n\(indent)end\n\(indent)set -a commands $name"
        }
        return line
    }
}
