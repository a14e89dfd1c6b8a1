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
        let aliases = try Self.aliases(at: try catalog.trustedLocation(), prefix: prefix)
        if !aliases.isEmpty { Output.line(aliases.joined(separator: "\n")) }
    }

    /// From an SQLite file (none yet: none) or a team's PostgreSQL catalog.
    static func aliases(at location: String, prefix: String) throws -> [String] {
        if !CatalogStores.isServerURL(location), !FileManager.default.fileExists(atPath: location) { return [] }
        return try CatalogStores.openForReading(location, environment: ProcessInfo.processInfo.environment)
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
