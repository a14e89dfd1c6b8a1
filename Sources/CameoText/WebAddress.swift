import Foundation

/// What cameo counts as a web address: an http(s) URL with a host and no
/// spaces or control characters. Everything that takes a URL asks here.
public enum WebAddress {
    /// Whether `text` is written as an http(s) address (any case), which is
    /// how an argument is told apart from a file path or a catalog alias.
    public static func hasHTTPScheme(_ text: String) -> Bool {
        let lower = text.prefix(8).lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }

    /// Why `text` is not a usable http(s) URL, or nil when it is one.
    public static func problem(_ text: String) -> String? {
        guard !text.isEmpty else { return "it is empty" }
        guard !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 }) else {
            return "it contains spaces or control characters (percent-encode them)"
        }
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased() else { return "it is not a URL" }
        guard scheme == "http" || scheme == "https" else {
            return "\(scheme): URLs cannot be fetched by the provider, only http and https"
        }
        guard let host = url.host, !host.isEmpty else { return "it has no host" }
        return nil
    }

    public static func isHTTP(_ text: String) -> Bool {
        problem(text) == nil
    }
}
