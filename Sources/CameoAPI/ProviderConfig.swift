import Foundation

/// Where the provider is and the key to use: flags and the environment first,
/// then `$XDG_CONFIG_HOME/cameo/config.json`. JSON rather than TOML: Foundation
/// reads it completely and strictly, where a TOML subset parsed by hand would
/// misread some valid files and a TOML library is a dependency for four keys.
public struct ProviderConfig: Sendable, Equatable {
    public var baseURL: String?
    public var apiKey: String?
    public var statusPath: String
    public var timeout: Double

    public static let defaultStatusPath = "/v2/videos/generations/{id}"

    public init(baseURL: String?, apiKey: String?, statusPath: String = defaultStatusPath, timeout: Double = 60) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.statusPath = statusPath
        self.timeout = timeout
    }

    struct File: Decodable {
        var baseURL: String?
        var apiKey: String?
        var statusPath: String?
        var timeout: Double?

        enum CodingKeys: String, CodingKey {
            case baseURL = "base_url", apiKey = "api_key", statusPath = "status_path", timeout
        }
    }

    public static func path(environment: [String: String]) -> String {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") { return xdg + "/cameo/config.json" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.config/cameo/config.json"
    }

    /// Reads the configuration. A key in a file that others can read is refused:
    /// whoever can read it can spend the owner's money.
    public static func load(environment: [String: String], baseURLFlag: String?) throws(APIError) -> ProviderConfig {
        let path = path(environment: environment)
        var file = File()
        if FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .config(path: path, detail: "cannot be read (check its permissions)")
            }
            do {
                file = try JSONDecoder().decode(File.self, from: data)
            } catch {
                throw .config(path: path, detail: "is not a JSON object with base_url, api_key, status_path, timeout")
            }
            if file.apiKey != nil {
                var info = stat()
                if stat(path, &info) == 0, info.st_mode & 0o077 != 0 {
                    throw .config(path: path, detail: String(format: "holds api_key but others can read it (mode %o); run chmod 600 %@", info.st_mode & 0o777, path))
                }
            }
        }
        let baseURL = [baseURLFlag, environment["CAMEO_BASE_URL"], file.baseURL].compactMap { $0 }.first { !$0.isEmpty }
        let key = [environment["CAMEO_API_KEY"], file.apiKey].compactMap { $0 }.first { !$0.isEmpty }
        return ProviderConfig(baseURL: baseURL, apiKey: key, statusPath: file.statusPath ?? defaultStatusPath, timeout: file.timeout ?? 60)
    }

    /// A client, once the base URL and key are known.
    public func client(timeout override: Double? = nil) throws(APIError) -> ProviderClient {
        guard let text = baseURL else { throw .missingBaseURL }
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
            throw .badBaseURL(text)
        }
        guard let apiKey else { throw .missingKey }
        return ProviderClient(baseURL: url, apiKey: apiKey, timeout: override ?? timeout)
    }
}
