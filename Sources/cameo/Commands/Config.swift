import ArgumentParser
import CameoAPI
import CameoCatalog
import CameoMedia
import CameoText
import Foundation

struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show where cameo looks for everything, and what is wrong with it (with the fix).",
        discussion: """
            The catalog (where, whether it exists), the config file (where, its mode, the keys it sets — never their \
            values), where the base URL and the key come from, the active provider profile, and the FFmpeg libraries. \
            Exits with 1 when something is broken.

            EXAMPLES:
              cameo config
              cameo doctor --json
              CAMEO_PROVIDER=acme cameo config
            """,
        aliases: ["doctor"])

    @OptionGroup var catalog: CatalogOptions

    @Option(help: ArgumentHelp("The provider profile to look at (else CAMEO_PROVIDER, else default_provider).", valueName: "name"))
    var provider: String?

    @OptionGroup var output: JSONFlag

    func run() throws {
        let report = Checkup.run(catalogFlag: catalog.path, providerFlag: provider)
        if output.json {
            try Output.json(report)
        } else {
            Output.line(report.text)
        }
        if report.counts.errors > 0 { throw SilentFailure(status: .findings) }
    }
}

/// What `cameo config` finds, as `--json` prints it.
struct Checkup: Encodable {
    var catalog: CatalogPart
    var config: ConfigPart
    var provider: ProviderPart?
    var ffmpeg: FFmpegPart
    var issues: [Issue] = []
    var counts: Counts { Counts(issues) }

    struct CatalogPart: Encodable {
        /// A file, or a postgres:// URL without its password.
        var path: String
        /// `--db`, `$CAMEO_DB`, `config` (its `catalog` entry) or `default`.
        var source: String
        /// `sqlite` or `postgres`.
        var kind: String
        var exists: Bool
        /// For a postgres catalog: whether its server answered.
        @NullEncoded var reachable: Bool?
        @NullEncoded var characters: Int?
    }

    struct ConfigPart: Encodable {
        var path: String
        var exists: Bool
        @NullEncoded var mode: String?
        var keys: [String]
        var unknownKeys: [UnknownKey]

        struct UnknownKey: Encodable {
            var key: String
            @NullEncoded var suggestion: String?
        }

        enum CodingKeys: String, CodingKey { case path, exists, mode, keys, unknownKeys = "unknown_keys" }
    }

    struct ProviderPart: Encodable {
        var name: String
        var source: String
        @NullEncoded var baseURL: String?
        @NullEncoded var baseURLSource: String?
        var keyEnv: String
        /// Where the key comes from (`$CAMEO_API_KEY`, the config file), never the key.
        @NullEncoded var keySource: String?
        var models: [String]
        var defaults: Defaults

        struct Defaults: Encodable {
            @NullEncoded var model: String?
            @NullEncoded var duration: String?
            @NullEncoded var aspectRatio: String?
            enum CodingKeys: String, CodingKey { case model, duration, aspectRatio = "aspect_ratio" }
        }

        enum CodingKeys: String, CodingKey {
            case name, source, models, defaults
            case baseURL = "base_url", baseURLSource = "base_url_source", keyEnv = "key_env", keySource = "key_source"
        }
    }

    struct FFmpegPart: Encodable {
        var available: Bool
        var libraries: [FFmpegLibraries.Library]
    }

    struct Issue: Encodable {
        var severity: String
        var message: String
        @NullEncoded var fix: String?
    }

    struct Counts: Encodable {
        var errors: Int, warnings: Int, notes: Int
        init(_ issues: [Issue]) {
            errors = issues.filter { $0.severity == "error" }.count
            warnings = issues.filter { $0.severity == "warning" }.count
            notes = issues.filter { $0.severity == "note" }.count
        }
    }

    enum CodingKeys: String, CodingKey { case catalog, config, provider, ffmpeg, issues, counts }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(catalog, forKey: .catalog)
        try container.encode(config, forKey: .config)
        try container.encode(provider, forKey: .provider)
        try container.encode(ffmpeg, forKey: .ffmpeg)
        try container.encode(issues, forKey: .issues)
        try container.encode(counts, forKey: .counts)
    }

    static func run(catalogFlag: String?, providerFlag: String?) -> Checkup {
        let environment = ProcessInfo.processInfo.environment
        var issues: [Issue] = []

        let (location, source) = CatalogLocation.resolveWithSource(explicit: catalogFlag, environment: environment)
        let path = CatalogStores.display(location)
        var catalogPart = CatalogPart(path: path, source: source, kind: "sqlite", exists: false)
        let untrusted = source == "config" && ConfigFileReport.inspect(environment: environment).problem != nil
        if untrusted {
            catalogPart.kind = CatalogStores.isServerURL(location) ? "postgres" : "sqlite"
            issues.append(Issue(severity: "error", message: "the config file's \"catalog\" entry is not used while the file fails its checks",
                                fix: "fix the config file's problem below, or choose the catalog with --db or CAMEO_DB"))
        } else if CatalogStores.isServerURL(location) {
            catalogPart.kind = "postgres"
            issues += inspectServer(location, into: &catalogPart, environment: environment)
        } else if FileManager.default.fileExists(atPath: path) {
            catalogPart.exists = true
            do {
                catalogPart.characters = try Catalog.openForReading(at: path).characterCount()
            } catch {
                issues.append(Issue(severity: "error", message: "\(error)", fix: nil))
            }
        } else {
            issues.append(Issue(severity: "note", message: "no catalog at \(path) yet",
                                fix: "`cameo add` or `cameo import` creates it there; --db or CAMEO_DB choose another file"))
        }

        let file = ConfigFileReport.inspect(environment: environment)
        let configPart = ConfigPart(path: file.path, exists: file.exists, mode: file.mode, keys: file.keys,
                                    unknownKeys: file.unknownKeys.map { .init(key: $0.key, suggestion: $0.suggestion) })
        if let problem = file.problem { issues.append(Issue(severity: "error", message: problem, fix: nil)) }
        for unknown in file.unknownKeys {
            issues.append(Issue(severity: "warning", message: unknown.message(path: file.path),
                                fix: "keys are \(ConfigFileReport.topKeys.joined(separator: ", "))"))
        }

        var providerPart: ProviderPart?
        do {
            let config = try ProviderConfig.load(environment: environment, baseURLFlag: nil, providerFlag: providerFlag)
            let profile = config.profile
            providerPart = ProviderPart(
                name: profile.name, source: config.profileSource, baseURL: profile.baseURL, baseURLSource: config.baseURLSource,
                keyEnv: profile.keyEnv, keySource: config.keySource, models: profile.models,
                defaults: .init(model: profile.defaultModel, duration: profile.defaultDuration, aspectRatio: profile.defaultAspectRatio))
            if profile.baseURL == nil {
                issues.append(Issue(severity: "note", message: "no provider base URL: `send`, `status` and `create` need one",
                                    fix: "set CAMEO_BASE_URL, or \"base_url\" in \(file.path)"))
            } else if let text = profile.baseURL {
                do { _ = try ProviderConfig.checkedBaseURL(text) } catch {
                    issues.append(Issue(severity: "error", message: error.description, fix: nil))
                }
            }
            if let warning = config.plainTextWarning { issues.append(Issue(severity: "warning", message: warning, fix: nil)) }
            if config.apiKey == nil {
                issues.append(Issue(severity: "note", message: "no API key: `send`, `status` and `create` need one",
                                    fix: "set \(profile.keyEnv), or \"api_key\" in \(file.path) (chmod 600)"))
            }
        } catch {
            if file.problem == nil { issues.append(Issue(severity: "error", message: error.description, fix: nil)) }
        }

        let ffmpeg = FFmpegLibraries.find()
        if let problem = ffmpeg.error {
            issues.append(Issue(severity: "error", message: "FFmpeg: \(problem)",
                                fix: "install FFmpeg's libraries (Debian: apt-get install libavformat59 libavcodec59 libswscale6 libswresample4)"))
        }
        return Checkup(catalog: catalogPart, config: configPart, provider: providerPart,
                       ffmpeg: FFmpegPart(available: ffmpeg.error == nil, libraries: ffmpeg.libraries), issues: issues)
    }

    /// Whether the server answers and holds a catalog, and how many characters;
    /// a password spelled out in the URL is pointed out (and never printed).
    static func inspectServer(_ location: String, into part: inout CatalogPart, environment: [String: String]) -> [Issue] {
        var issues: [Issue] = []
        if CatalogStores.carriesPassword(location) {
            let whereFrom = part.source == "config" ? "the config file's \"catalog\" entry" : part.source
            issues.append(Issue(severity: "warning", message: "the catalog URL from \(whereFrom) carries a password, readable by whoever sees it there",
                                fix: "remove it from the URL and keep it in ~/.pgpass (chmod 600) or PGPASSWORD"))
        }
        do {
            let store = try CatalogStores.openForReading(location, environment: environment)
            part.reachable = true
            part.exists = store.exists
            if store.exists {
                part.characters = try store.characters().count
            } else {
                issues.append(Issue(severity: "note", message: "no catalog in \(part.path) yet",
                                    fix: "`cameo add` or `cameo import` creates it there"))
            }
        } catch {
            switch error {
            case .notACatalog, .newerSchema: part.reachable = true
            default: part.reachable = part.reachable ?? false
            }
            issues.append(Issue(severity: "error", message: "\(error)", fix: nil))
        }
        return issues
    }

    var text: String {
        var lines: [String] = []
        func row(_ label: String, _ value: String) { lines.append(label.padding(toLength: 16, withPad: " ", startingAt: 0) + value) }
        let state = catalog.reachable == false ? "unreachable"
            : catalog.exists ? catalog.characters.map { "\($0) character(s)" } ?? "unusable" : "not created yet"
        row("catalog", catalog.path + " (\(catalog.kind), from \(catalog.source), \(state))")
        row("config", config.path + (config.exists ? " (mode \(config.mode ?? "?"))" : " (none)"))
        if !config.keys.isEmpty { row("  keys", config.keys.joined(separator: ", ")) }
        if let provider {
            row("provider", provider.name + " (chosen by \(provider.source))")
            row("  base URL", (provider.baseURL ?? "-") + (provider.baseURLSource.map { " (from \($0))" } ?? ""))
            row("  key", provider.keySource.map { "set (from \($0))" } ?? "not set ($\(provider.keyEnv))")
            row("  models", provider.models.joined(separator: ", "))
            let defaults = [("model", provider.defaults.model), ("duration", provider.defaults.duration),
                            ("aspect_ratio", provider.defaults.aspectRatio)].compactMap { name, value in value.map { "\(name)=\($0)" } }
            if !defaults.isEmpty { row("  defaults", defaults.joined(separator: ", ")) }
        }
        row("ffmpeg", ffmpeg.available
            ? ffmpeg.libraries.map { "\($0.name) \($0.version)" }.joined(separator: ", ")
            : "not available")
        for issue in issues {
            lines.append("\(issue.severity): \(issue.message)" + (issue.fix.map { "\n  fix: \($0)" } ?? ""))
        }
        if issues.isEmpty { lines.append("everything looks right") }
        return lines.joined(separator: "\n")
    }
}

/// The FFmpeg libraries media commands load, and their run-time versions.
enum FFmpegLibraries {
    struct Library: Encodable {
        var name: String
        var version: String
        var path: String
    }

    static let names = ["libavutil", "libavcodec", "libavformat", "libswscale", "libswresample"]

    static func find() -> (libraries: [Library], error: String?) {
        if let error = FFmpegInstallation.loadError() { return ([], error) }
        // The loader keeps its handles to itself; the process's memory map names the files it loaded.
        // procfs reports a size of 0: read to the end rather than by the size.
        let maps = String(decoding: FileHandle(forReadingAtPath: "/proc/self/maps")?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
        let paths = Set(maps.split(separator: "\n").compactMap { line in line.firstIndex(of: "/").map { String(line[$0...]) } })
        var libraries: [Library] = []
        for name in names {
            guard let path = paths.sorted().first(where: { ($0 as NSString).lastPathComponent.hasPrefix(name + ".so") }),
                  let handle = dlopen(path, RTLD_LAZY | RTLD_NOLOAD)
            else { continue }
            defer { dlclose(handle) }
            guard let symbol = dlsym(handle, String(name.dropFirst(3)) + "_version") else { continue }
            let version = unsafeBitCast(symbol, to: (@convention(c) () -> UInt32).self)()
            libraries.append(Library(name: name, version: "\(version >> 16).\((version >> 8) & 0xFF).\(version & 0xFF)", path: path))
        }
        return (libraries, nil)
    }
}

extension Catalog {
    func characterCount() throws -> Int {
        try characters().count
    }
}
