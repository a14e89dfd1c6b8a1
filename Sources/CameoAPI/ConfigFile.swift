import CameoText
import Foundation

/// What `config.json` holds, looked at key by key (never value by value, so
/// that the key is never read into a report): which keys it sets, which it
/// does not know, and where it stops being JSON.
public struct ConfigFileReport: Sendable, Equatable {
    public var path: String
    public var exists: Bool
    /// Permission bits, e.g. "600".
    public var mode: String?
    /// Every key set, as a dotted path (`providers.acme.base_url`), sorted.
    public var keys: [String]
    public var unknownKeys: [UnknownKey]
    /// Why the file cannot be used, when it cannot (with what to do).
    public var problem: String?

    public struct UnknownKey: Sendable, Equatable {
        public var key: String
        public var suggestion: String?

        /// The warning cameo prints.
        public func message(path: String) -> String {
            "\(path): unknown key \"\(key)\"" + (suggestion.map { "; did you mean \"\($0)\"?" } ?? "; it is ignored")
        }
    }

    /// The keys a profile (or the top level of a single-provider file) may set.
    public static let profileKeys = [
        "base_url", "api_key", "generations_path", "status_path", "characters_path", "character_status_path",
        "window", "models", "key_env", "timeout", "model", "duration", "aspect_ratio",
    ]
    public static let topKeys = ["catalog", "default_provider", "providers"] + profileKeys

    public static func inspect(environment: [String: String]) -> ConfigFileReport {
        let path = ProviderConfig.path(environment: environment)
        var report = ConfigFileReport(path: path, exists: false, keys: [], unknownKeys: [])
        var info = stat()
        guard stat(path, &info) == 0 else { return report }
        report.exists = true
        report.mode = String(info.st_mode & 0o777, radix: 8)
        do {
            try ProviderConfig.checkTrust(path, environment: environment)
        } catch {
            report.problem = error.description
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            report.problem = report.problem ?? "\(path) cannot be read; check its permissions"
            return report
        }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            report.problem = report.problem ?? "\(path) is not valid JSON: \(syntaxError(in: data))"
            return report
        }
        guard case .object(let top) = value else {
            report.problem = report.problem ?? "\(path) is not a JSON object"
            return report
        }
        report.visit(top, prefix: "", known: topKeys)
        if case .object(let providers)? = top["providers"] {
            for (name, profile) in providers {
                if case .object(let members) = profile { report.visit(members, prefix: "providers.\(name).", known: profileKeys) }
            }
        }
        report.keys.sort()
        report.unknownKeys.sort { $0.key < $1.key }
        return report
    }

    private mutating func visit(_ members: [String: JSONValue], prefix: String, known: [String]) {
        for (key, value) in members {
            keys.append(prefix + key)
            if !known.contains(key) {
                unknownKeys.append(UnknownKey(key: prefix + key, suggestion: ClosestName.find(key, among: known).map { prefix + $0 }))
            }
            if key == "window", case .object(let window) = value {
                for name in window.keys {
                    keys.append(prefix + "window." + name)
                    if !["min", "max"].contains(name) {
                        unknownKeys.append(UnknownKey(key: prefix + "window." + name,
                                                      suggestion: ClosestName.find(name, among: ["min", "max"]).map { prefix + "window." + $0 }))
                    }
                }
            }
        }
    }

    /// Where JSON text stops being JSON: "line L, column C: what".
    public static func syntaxError(in data: Data) -> String {
        do {
            _ = try JSONSerialization.jsonObject(with: data)
            return "the document is not what cameo expects"
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            // Foundation says where as a byte offset ("around character 16"); people count lines and columns.
            if let offset = (error as NSError).userInfo["NSJSONSerializationErrorIndex"] as? Int {
                return position(of: offset, in: data) + ": " + detail
            }
            if let range = detail.range(of: #"character (\d+)"#, options: .regularExpression),
               let offset = Int(detail[range].dropFirst("character ".count)) {
                let what = detail[..<range.lowerBound].replacingOccurrences(of: " around ", with: "")
                return position(of: offset, in: data) + ": " + what.lowercased()
            }
            return detail
        }
    }

    static func position(of offset: Int, in data: Data) -> String {
        var line = 1, column = 1
        for byte in data.prefix(offset) {
            if byte == 0x0A { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
        }
        return "line \(line), column \(column)"
    }
}
