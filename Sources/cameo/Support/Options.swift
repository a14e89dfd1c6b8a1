import ArgumentParser
import CameoCatalog
import CameoText
import Foundation

/// `--db`, shared by every command that reads or writes the catalog.
struct CatalogOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: ArgumentHelp(
        "The catalog: a file, or a team's postgres://USER@HOST:PORT/DATABASE (default: $CAMEO_DB, else the config's \"catalog\", else $XDG_DATA_HOME/cameo/catalog.sqlite).",
        valueName: "path-or-url"))
    var path: String?

    var resolvedPath: String {
        CatalogLocation.resolve(explicit: path, environment: ProcessInfo.processInfo.environment)
    }

    /// For commands that change the catalog: created on first use.
    func open() throws -> any CatalogStore {
        try CatalogStores.open(resolvedPath, environment: ProcessInfo.processInfo.environment)
    }

    /// For commands that only read it: nothing is created, written or locked
    /// for writing, and a catalog that does not exist yet reads as empty.
    func openForReading() throws -> any CatalogStore {
        let catalog = try CatalogStores.openForReading(resolvedPath, environment: ProcessInfo.processInfo.environment)
        if !catalog.exists {
            Output.note("no catalog at \(catalog.path) yet; `cameo add` or `cameo import` creates it")
        }
        return catalog
    }
}

struct JSONFlag: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON document instead of text.")
    var json = false
}

/// A number of seconds given as an option (`--timeout 20`, `--step 0.1`,
/// `--length 2.5`): a plain decimal with at most 3 decimals, as windows are
/// written. Every seconds option parses through it, so `nan`, `inf`, `1e300`
/// and 20-digit numbers are refused before anything converts them.
struct SecondsArgument: ExpressibleByArgument, Equatable, CustomStringConvertible {
    let milliseconds: Int
    var seconds: Double { Double(milliseconds) / 1000 }
    var description: String { Seconds.format(seconds) }

    init(milliseconds: Int) {
        self.milliseconds = milliseconds
    }

    init?(argument: String) {
        guard let milliseconds = Seconds.milliseconds(argument.trimmingCharacters(in: .whitespaces)) else { return nil }
        self.milliseconds = milliseconds
    }

    var defaultValueDescription: String { description }

    /// The longest anyone waits for a clip or the provider: a day.
    static let longestTimeout = SecondsArgument(milliseconds: 86_400_000)

    /// Refuses a timeout of 0 or beyond a day, naming the option.
    static func checkTimeout(_ value: SecondsArgument?, option: String = "--timeout") throws {
        guard let value else { return }
        guard value.milliseconds > 0, value.milliseconds <= longestTimeout.milliseconds else {
            throw ValidationError("\(option) must be more than 0 and at most \(longestTimeout.milliseconds / 1000) seconds, not \(value)")
        }
    }
}

/// A count given as an option (`--top`, `--limit`, `--max-characters`), refused
/// outside what the command can use so that no arithmetic on it overflows.
enum CountArgument {
    static func check(_ value: Int?, _ option: String, in range: ClosedRange<Int>) throws {
        guard let value, !range.contains(value) else { return }
        throw ValidationError("\(option) must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
    }
}
