import ArgumentParser
import CameoAPI
import CameoSubmissions
import CameoCatalog
import CameoPrompt
import CameoText
import Foundation

/// `--db`, shared by every command that reads or writes the catalog.
struct CatalogOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: ArgumentHelp(
        "The catalog: a file, or a team's postgres://USER@HOST:PORT/DATABASE (default: $CAMEO_DB, else the config's \"catalog\", else $XDG_DATA_HOME/cameo/catalog.sqlite).",
        valueName: "path-or-url"),
        completion: .file(extensions: ["sqlite", "db"]))
    var path: String?

    init() {}

    /// Options as if `--db` said `path` (nil: not given).
    init(_ path: String?) {
        self.path = path
    }

    var resolvedPath: String {
        CatalogLocation.resolve(explicit: path, environment: ProcessInfo.processInfo.environment)
    }

    /// The catalog's location. One the config file's `catalog` entry names
    /// counts only when that file passes the same trust checks as its provider
    /// settings: whoever can change it decides where the characters go.
    func trustedLocation(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        let (location, source) = CatalogLocation.resolveWithSource(explicit: path, environment: environment)
        if source == "config" { try ProviderConfig.checkTrust(ProviderConfig.path(environment: environment), environment: environment) }
        return location
    }

    /// For commands that change the catalog: created on first use.
    func open() throws -> any CatalogStore {
        let location = try trustedLocation()
        let isNew = !CatalogStores.isServerURL(location) && !FileManager.default.fileExists(atPath: location)
        let catalog = try CatalogStores.open(location, environment: ProcessInfo.processInfo.environment)
        if isNew { Output.note("created the catalog at \(location)") }
        return catalog
    }

    /// For commands that change what the catalog already holds (`rm`, `edit`,
    /// `undo`…): one that does not exist yet is not created for them; it reads
    /// as empty, so they end with "not found".
    func openExisting() throws -> any CatalogStore {
        try CatalogStores.openExisting(try trustedLocation(), environment: ProcessInfo.processInfo.environment)
    }

    /// For commands that only read it: nothing is created, written or locked
    /// for writing, and a catalog that does not exist yet reads as empty.
    func openForReading() throws -> any CatalogStore {
        // Read once: Foundation builds the whole dictionary on each call.
        let environment = ProcessInfo.processInfo.environment
        let catalog = try CatalogStores.openForReading(try trustedLocation(environment: environment), environment: environment)
        if !catalog.exists {
            Output.note("no catalog at \(catalog.path) yet; `cameo add` or `cameo import` creates it")
        }
        ReadOnlyCatalogs.keepOpen(catalog)
        return catalog
    }
}

/// SQLite catalogs opened read-only stay open until the process ends.
/// Closing one disposes GRDB's dispatch queue, and libdispatch starts a
/// worker thread to do that: more than `show`'s query costs. A reader holds
/// no lock between reads and has nothing to flush. (A writer, opened when the
/// schema had to be migrated, and a PostgreSQL store close as usual.)
enum ReadOnlyCatalogs {
    nonisolated(unsafe) private static var kept: [Catalog] = []

    static func keepOpen(_ store: any CatalogStore) {
        if let catalog = store as? Catalog, catalog.readsOnly { kept.append(catalog) }
    }
}

struct JSONFlag: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON document instead of text.")
    var json = false
}

/// A number of seconds given as an option (`--timeout 20`, `--step 0.1`,
/// `--length 2.5`), in `Seconds`' one grammar, as windows are written. Every
/// seconds option parses through it, so `nan`, `inf`, `1e300`, `.5`, `+5`
/// and 20-digit numbers are refused before anything converts them.
struct SecondsArgument: ExpressibleByArgument, Equatable, CustomStringConvertible {
    let milliseconds: Int
    var seconds: Double { Double(milliseconds) / 1000 }
    var description: String { Seconds.format(seconds) }

    init(milliseconds: Int) {
        self.milliseconds = milliseconds
    }

    init?(argument: String) {
        guard let milliseconds = Seconds.milliseconds(argument) else { return nil }
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

/// A count given as an option (`--top`, `--limit`, `--max-characters`) in
/// `WholeNumber`'s grammar (digits only, as seconds are), refused outside what
/// the command can use so that no arithmetic on it overflows.
struct CountArgument: ExpressibleByArgument, Equatable, CustomStringConvertible {
    let value: Int
    private let text: String
    var description: String { text }
    var defaultValueDescription: String { text }

    init(_ value: Int) {
        self.value = value
        text = String(value)
    }

    init?(argument: String) {
        guard let value = WholeNumber.value(argument) else { return nil }
        self.value = value
        text = argument.trimmingCharacters(in: .whitespaces)
    }

    static func check(_ count: CountArgument?, _ option: String, in range: ClosedRange<Int>) throws {
        guard let count, !range.contains(count.value) else { return }
        throw ValidationError("\(option) must be between \(range.lowerBound) and \(range.upperBound), not \(count)")
    }
}

/// The config file, for messages that send the user there.
enum ConfigPath {
    static var current: String { ProviderConfig.path(environment: ProcessInfo.processInfo.environment) }

    /// The active provider configuration; keys the file sets that cameo does not know are warned about, with a did-you-mean.
    static func load(baseURLFlag: String?, providerFlag: String?) throws -> ProviderConfig {
        let environment = ProcessInfo.processInfo.environment
        let config = try ProviderConfig.load(environment: environment, baseURLFlag: baseURLFlag, providerFlag: providerFlag)
        let file = ConfigFileReport.inspect(environment: environment)
        for unknown in file.unknownKeys { Output.warning(unknown.message(path: file.path)) }
        return config
    }
}

/// Where the provider is, for the commands that build or send requests.
struct ProviderOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The provider profile in the config file (else CAMEO_PROVIDER, else default_provider).", valueName: "name"))
    var provider: String?

    @Option(help: ArgumentHelp("The provider base URL (else CAMEO_BASE_URL or the profile).", valueName: "url"))
    var baseUrl: String?

    @Option(name: .customLong("timeout"), help: ArgumentHelp("Seconds the whole exchange with the provider may take, waits included.",
                                                              valueName: "seconds"))
    var timeoutArgument: SecondsArgument?

    var timeout: Double? { timeoutArgument?.seconds }

    func validate() throws {
        try SecondsArgument.checkTimeout(timeoutArgument)
    }

    func config() throws -> ProviderConfig {
        try ConfigPath.load(baseURLFlag: baseUrl, providerFlag: provider)
    }

    /// A client for the active profile; warns when the key would travel in clear text.
    /// From here on Ctrl-C and SIGTERM are caught, so the outcome is recorded before exiting.
    func client() throws -> (ProviderConfig, ProviderClient) {
        let config = try config()
        let client: ProviderClient
        do {
            client = try config.client(timeout: timeout)
        } catch .missingBaseURL {
            // Errors that send the user to the config name it.
            throw CommandFailure("no provider base URL: give --base-url, set CAMEO_BASE_URL, or put base_url in \(ConfigPath.current)",
                                 status: .usage)
        } catch .missingKey(let variable) {
            throw CommandFailure("no API key: set \(variable), or put api_key in \(ConfigPath.current) (readable by you only: chmod 600)",
                                 status: .usage)
        }
        if let warning = config.plainTextWarning { Output.warning(warning) }
        Interruption.catchSignals()
        return (config, client)
    }
}

/// How long and how often to wait for a task.
struct WaitOptions: ParsableArguments {
    @Flag(help: "Wait until the task is finished (Ctrl-C stops waiting, not the task).")
    var wait = false

    @Option(name: .customLong("interval"), help: ArgumentHelp("Seconds between two status requests while waiting.", valueName: "seconds"))
    var intervalArgument = SecondsArgument(milliseconds: 15_000)

    @Option(name: .customLong("wait-timeout"), help: ArgumentHelp("Seconds to wait in all before giving up.", valueName: "seconds"))
    var waitTimeoutArgument = SecondsArgument(milliseconds: 1_200_000)

    var interval: Double { intervalArgument.seconds }
    var waitTimeout: Double { waitTimeoutArgument.seconds }

    func validate() throws {
        guard intervalArgument.milliseconds >= 100, intervalArgument.milliseconds <= 3_600_000 else {
            throw ValidationError("--interval must be between 0.1 and 3600 seconds, not \(intervalArgument)")
        }
        try SecondsArgument.checkTimeout(waitTimeoutArgument, option: "--wait-timeout")
    }
}

/// Options shared by the commands that read prompts.
struct PromptFlags: ParsableArguments {
    @Option(help: "Warn when a prompt mentions more characters than this.")
    var maxCharacters = CountArgument(5)

    @Option(name: .customLong("character"), help: ArgumentHelp(
        "A character this request creates from its source URL: its mentions are sent as plain words.", valueName: "alias"),
        completion: Complete.alias)
    var creating: String?

    func validate() throws {
        try CountArgument.check(maxCharacters, "--max-characters", in: 0...1000)
    }

    var options: PromptOptions {
        PromptOptions(maximumCharacters: maxCharacters.value, creating: Set(creating.map { [$0] } ?? []))
    }
}
