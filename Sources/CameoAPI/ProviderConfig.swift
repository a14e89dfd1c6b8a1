import CameoText
import Foundation

/// One provider as `config.json` describes it: where it is, its routes, the
/// window and models it accepts, and where its key comes from.
public struct ProviderProfile: Sendable, Equatable {
    public var name: String
    public var baseURL: String?
    public var generationsPath = ProviderProfile.defaultGenerationsPath
    public var statusPath = ProviderProfile.defaultStatusPath
    public var charactersPath = ProviderProfile.defaultCharactersPath
    /// Where an asynchronous character creation is followed, `{id}` the task id.
    public var characterStatusPath = ProviderProfile.defaultCharacterStatusPath
    /// The character window's shortest and longest length, in seconds.
    public var windowMin = 1.0
    public var windowMax = 3.0
    public var models = ["sora-2", "sora-2-pro"]
    /// The environment variable holding this provider's key.
    public var keyEnv = "CAMEO_API_KEY"
    public var timeout = 60.0
    /// Defaults for requests (`model`, `duration`, `aspect_ratio` in the config): flags win.
    public var defaultModel: String?
    public var defaultDuration: String?
    public var defaultAspectRatio: String?
    var fileKey: String?

    public static let defaultGenerationsPath = "/v2/videos/generations"
    public static let defaultStatusPath = "/v2/videos/generations/{id}"
    public static let defaultCharactersPath = "/sora/v1/characters"
    public static let defaultCharacterStatusPath = "/sora/v1/characters/{id}"

    public init(name: String, baseURL: String? = nil) {
        self.name = name
        self.baseURL = baseURL
    }
}

/// The active provider and its key: flags and the environment first, then
/// `$XDG_CONFIG_HOME/cameo/config.json`. JSON rather than TOML: Foundation
/// reads it completely and strictly.
///
/// The file decides where the key is sent, so it is trusted the way ssh trusts
/// its config: it must belong to the user and sit in folders only the user can
/// write, whatever it holds; one holding a key must be readable by the user only.
public struct ProviderConfig: Sendable, Equatable {
    public var profile: ProviderProfile
    public var apiKey: String?
    /// Where the key came from, for messages (`$CAMEO_API_KEY`, or the file).
    public var keySource: String?
    /// Where the base URL came from (`--base-url`, `$CAMEO_BASE_URL`, or the file).
    public var baseURLSource: String?
    /// What chose the active profile (`--provider`, `$CAMEO_PROVIDER`, the file, or built-in).
    public var profileSource = "built-in"
    public var baseURL: String? { profile.baseURL }
    public var statusPath: String { profile.statusPath }
    public var timeout: Double { profile.timeout }

    public init(profile: ProviderProfile, apiKey: String?, keySource: String? = nil) {
        self.profile = profile
        self.apiKey = apiKey
        self.keySource = keySource
    }

    struct Window: Decodable {
        var min: Double?
        var max: Double?
    }

    struct Profile: Decodable {
        var baseURL: String?
        var apiKey: String?
        var generationsPath: String?
        var statusPath: String?
        var charactersPath: String?
        var characterStatusPath: String?
        var window: Window?
        var models: [String]?
        var keyEnv: String?
        var timeout: Double?
        var model: String?
        /// A string as the spec sends it ("10"), or a number (10).
        var duration: JSONValue?
        var aspectRatio: String?

        enum CodingKeys: String, CodingKey {
            case baseURL = "base_url", apiKey = "api_key", generationsPath = "generations_path", statusPath = "status_path"
            case charactersPath = "characters_path", characterStatusPath = "character_status_path", window, models
            case keyEnv = "key_env", timeout, model, duration, aspectRatio = "aspect_ratio"
        }

        var isEmpty: Bool {
            baseURL == nil && apiKey == nil && generationsPath == nil && statusPath == nil && charactersPath == nil
                && characterStatusPath == nil && window == nil && models == nil && keyEnv == nil && timeout == nil
                && model == nil && duration == nil && aspectRatio == nil
        }
    }

    struct File: Decodable {
        var defaultProvider: String?
        var providers: [String: Profile]?
        /// The single-provider keys of the first config format: the profile named `default`.
        var legacy: Profile

        enum CodingKeys: String, CodingKey {
            case defaultProvider = "default_provider", providers
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            defaultProvider = try container.decodeIfPresent(String.self, forKey: .defaultProvider)
            providers = try container.decodeIfPresent([String: Profile].self, forKey: .providers)
            legacy = try Profile(from: decoder)
        }

        init() {
            legacy = Profile()
        }

        var profiles: [String: Profile] {
            var all = providers ?? [:]
            if !legacy.isEmpty, all["default"] == nil { all["default"] = legacy }
            return all
        }

        var holdsKey: Bool { profiles.values.contains { $0.apiKey != nil } }
    }

    public static func path(environment: [String: String]) -> String {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") { return xdg + "/cameo/config.json" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.config/cameo/config.json"
    }

    /// The names of the profiles the file defines (for messages), sorted.
    public static func profileNames(environment: [String: String]) -> [String] {
        let path = path(environment: environment)
        guard let data = FileManager.default.contents(atPath: path), let file = try? JSONDecoder().decode(File.self, from: data) else { return [] }
        return file.profiles.keys.sorted()
    }

    /// Reads the configuration and picks the active profile: `--provider`, then
    /// `CAMEO_PROVIDER`, then `default_provider`, then `default`.
    public static func load(environment: [String: String], baseURLFlag: String?, providerFlag: String? = nil) throws(APIError) -> ProviderConfig {
        let path = path(environment: environment)
        var file = File()
        if FileManager.default.fileExists(atPath: path) {
            try checkTrust(path, environment: environment)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .config(path: path, detail: "cannot be read (check its permissions)")
            }
            do {
                file = try JSONDecoder().decode(File.self, from: data)
            } catch let error as DecodingError {
                let detail: String
                if case .dataCorrupted(let context) = error, context.codingPath.isEmpty {
                    detail = "is not valid JSON (\(ConfigFileReport.syntaxError(in: data)))"
                } else {
                    detail = "is not a JSON object with base_url, api_key, status_path, timeout, model, or providers and default_provider"
                        + " (\(Self.describe(error)))"
                }
                throw .config(path: path, detail: detail)
            } catch {
                throw .config(path: path, detail: "is not valid JSON (\(ConfigFileReport.syntaxError(in: data)))")
            }
            if file.holdsKey {
                var info = stat()
                if stat(path, &info) == 0, info.st_mode & 0o077 != 0 {
                    throw .config(path: path, detail: String(format: "holds api_key but others can read it (mode %o); run chmod 600 %@", info.st_mode & 0o777, path))
                }
            }
        }
        let profiles = file.profiles
        let requested = [providerFlag, environment["CAMEO_PROVIDER"]].compactMap { $0 }.first { !$0.isEmpty }
        let name = requested ?? file.defaultProvider ?? (profiles.count == 1 ? profiles.keys.first : nil) ?? "default"
        guard let written = profiles[name] ?? (name == "default" ? Profile() : nil) else {
            let known = profiles.keys.sorted()
            throw .unknownProvider(name, known: known, path: path)
        }
        var profile = try ProviderProfile(name: name, written, path: path)
        // CAMEO_BASE_URL stands for the single provider of the first config format: a named
        // profile's key never follows it elsewhere. --base-url is explicit, and wins.
        let environmentURL = name == "default" ? environment["CAMEO_BASE_URL"] : nil
        profile.baseURL = [baseURLFlag, environmentURL, written.baseURL].compactMap { $0 }.first { !$0.isEmpty }
        let baseURLSource: String? = if let baseURLFlag, !baseURLFlag.isEmpty { "--base-url" }
            else if let environmentURL, !environmentURL.isEmpty { "$CAMEO_BASE_URL" }
            else if written.baseURL?.isEmpty == false { path } else { nil }
        let profileSource: String = if providerFlag?.isEmpty == false { "--provider" }
            else if environment["CAMEO_PROVIDER"]?.isEmpty == false { "$CAMEO_PROVIDER" }
            else if file.defaultProvider != nil { path + " (default_provider)" }
            else if profiles.count == 1 { path + " (its only profile)" } else { "built-in" }
        var key: String?
        var source: String?
        if let value = environment[profile.keyEnv], !value.isEmpty {
            key = value
            source = "$" + profile.keyEnv
        } else if let value = profile.fileKey, !value.isEmpty {
            key = value
            source = path
        }
        if let key, let source, key.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw .badKey(source: source)
        }
        var config = ProviderConfig(profile: profile, apiKey: key, keySource: source)
        config.baseURLSource = baseURLSource
        config.profileSource = profileSource
        return config
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context)) has the wrong kind of value"
        case .keyNotFound(let key, _):
            return "\(key.stringValue) is missing"
        @unknown default:
            return "\(error)"
        }
    }

    /// Like ssh: the file and every folder above it up to the home folder must be
    /// the user's (or root's) and writable by nobody else. A symlinked config is
    /// checked where it really lives too: whoever can replace the file it points
    /// to decides where the key goes.
    /// The config file's owner, mode and folders, checked as ssh does: what
    /// decides where the key (or the catalog) goes must be the user's own.
    public static func checkTrust(_ path: String, environment: [String: String]) throws(APIError) {
        try checkTrust(path, reportedAs: path, environment: environment)
        if let resolved = realpath(path, nil) {
            defer { free(resolved) }
            let target = String(cString: resolved)
            if target != path { try checkTrust(target, reportedAs: path, environment: environment) }
        }
    }

    private static func checkTrust(_ checked: String, reportedAs path: String, environment: [String: String]) throws(APIError) {
        let location = checked == path ? "" : " (through a link to \(checked))"
        var info = stat()
        guard stat(checked, &info) == 0 else { throw .config(path: path, detail: "cannot be read (check its permissions)") }
        let user = geteuid()
        if info.st_uid != user {
            throw .config(path: path, detail: "belongs to another user (uid \(info.st_uid))\(location); it decides where the key goes, so cameo reads only your own (chown it, or remove it)")
        }
        if info.st_mode & 0o022 != 0 {
            throw .config(path: path, detail: String(format: "can be changed by others (mode %o)%@; it decides where the key goes; run chmod go-w %@", info.st_mode & 0o777, location, checked))
        }
        let home = (environment["HOME"] ?? NSHomeDirectory()).trimmingSuffix("/")
        var folder = (checked as NSString).deletingLastPathComponent
        var depth = 0
        while !folder.isEmpty, folder != "/", depth < 64 {
            var folderInfo = stat()
            if stat(folder, &folderInfo) == 0 {
                if folderInfo.st_uid != user && folderInfo.st_uid != 0 {
                    throw .config(path: path, detail: "sits in \(folder)\(location), which belongs to another user; move the config under a folder of your own")
                }
                // A sticky folder (like /tmp) lets others add entries but not replace or move ours.
                if folderInfo.st_mode & 0o022 != 0 && folderInfo.st_mode & mode_t(S_ISVTX) == 0 {
                    throw .config(path: path, detail: String(format: "sits in %@%@, which others can write (mode %o); run chmod go-w %@", folder, location, folderInfo.st_mode & 0o777, folder))
                }
            }
            // ssh's rule: check up to the home folder when the file is inside it, else up to the root.
            if folder == home { break }
            if !checked.hasPrefix(home + "/") && (folder as NSString).deletingLastPathComponent == "/" { break }
            folder = (folder as NSString).deletingLastPathComponent
            depth += 1
        }
    }

    /// A client, once the base URL and key are known and acceptable.
    public func client(timeout override: Double? = nil) throws(APIError) -> ProviderClient {
        guard let text = baseURL else { throw .missingBaseURL }
        let url = try Self.checkedBaseURL(text)
        guard let apiKey else { throw .missingKey(env: profile.keyEnv) }
        return ProviderClient(baseURL: url, apiKey: apiKey, timeout: override ?? timeout)
    }

    public static func checkedBaseURL(_ text: String) throws(APIError) -> URL {
        guard WebAddress.isHTTP(text), let components = URLComponents(string: text), let url = components.url else {
            throw .badBaseURL(text, reason: "is not an http(s) URL")
        }
        if components.query != nil || components.fragment != nil || text.contains("?") || text.contains("#") {
            throw .badBaseURL(text, reason: "has a query or a fragment; give the provider's address only, like https://api.example.com")
        }
        if components.user != nil || components.password != nil {
            throw .badBaseURL(text, reason: "holds a user name or password; the key is the only credential cameo sends")
        }
        return url
    }

    /// A warning when the key would cross the network in clear text.
    public var plainTextWarning: String? {
        guard let text = baseURL, let components = URLComponents(string: text), components.scheme?.lowercased() == "http",
              let host = components.host?.lowercased(), !Self.isLoopback(host)
        else { return nil }
        return "the key goes to \(text) over plain http://, readable by anyone on the way; use https:// for a provider that is not on this machine"
    }

    static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if bare == "localhost" || bare.hasSuffix(".localhost") || bare == "::1" { return true }
        let parts = bare.split(separator: ".")
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}

extension ProviderProfile {
    init(name: String, _ written: ProviderConfig.Profile, path: String) throws(APIError) {
        self.init(name: name, baseURL: written.baseURL)
        func checkedPath(_ value: String?, _ key: String, default fallback: String) throws(APIError) -> String {
            guard let value else { return fallback }
            guard value.hasPrefix("/"), !value.contains("?"), !value.contains("#"), !value.contains("@"), !value.contains("\\"),
                  !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " })
            else {
                throw .config(path: path, detail: "provider \(name): \(key) \"\(value)\" must be a path starting with /, without ?, #, @ or spaces")
            }
            return value
        }
        generationsPath = try checkedPath(written.generationsPath, "generations_path", default: Self.defaultGenerationsPath)
        statusPath = try checkedPath(written.statusPath, "status_path", default: Self.defaultStatusPath)
        charactersPath = try checkedPath(written.charactersPath, "characters_path", default: Self.defaultCharactersPath)
        characterStatusPath = try checkedPath(written.characterStatusPath, "character_status_path",
                                              default: charactersPath.trimmingSuffix("/") + "/{id}")
        if let window = written.window {
            let low = window.min ?? 1, high = window.max ?? 3
            // A window the catalog could not keep would be refused after the profile accepted it.
            guard low.isFinite, high.isFinite, low >= WindowLength.minimum, low <= high, high <= WindowLength.maximum else {
                throw .config(path: path, detail: "provider \(name): window {\"min\": \(Seconds.format(low)), \"max\": \(Seconds.format(high))} "
                              + "must be \(Seconds.format(WindowLength.minimum)) <= min <= max <= \(Seconds.format(WindowLength.maximum)) seconds")
            }
            windowMin = low
            windowMax = high
        }
        if let models = written.models {
            guard !models.isEmpty, models.allSatisfy({ !$0.isEmpty }) else {
                throw .config(path: path, detail: "provider \(name): models must be a non-empty list of names")
            }
            self.models = models
        }
        if let keyEnv = written.keyEnv {
            guard !keyEnv.isEmpty, keyEnv.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                throw .config(path: path, detail: "provider \(name): key_env \"\(keyEnv)\" is not an environment variable name")
            }
            self.keyEnv = keyEnv
        }
        if let timeout = written.timeout {
            guard timeout.isFinite, timeout > 0, timeout <= 86_400 else {
                throw .config(path: path, detail: "provider \(name): timeout must be between 0 and 86400 seconds")
            }
            self.timeout = timeout
        }
        fileKey = written.apiKey
        defaultModel = written.model
        if let duration = written.duration {
            guard let text = duration.stringValue, !text.isEmpty else {
                throw .config(path: path, detail: "provider \(name): duration must be a whole number of seconds, like \"10\"")
            }
            defaultDuration = text
        }
        defaultAspectRatio = written.aspectRatio
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var result = self
        while result.count > 1, result.hasSuffix(suffix) { result.removeLast(suffix.count) }
        return result
    }
}
