import Foundation

/// JSON as cameo writes it, everywhere: sorted keys, so the same value is
/// always the same bytes (exports diff cleanly, a request body is
/// reproducible), and `/` left as it is.
public enum CanonicalJSON {
    public static func encoder(pretty: Bool = true) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func encode<T: Encodable>(_ value: T, pretty: Bool = false) throws -> Data {
        try encoder(pretty: pretty).encode(value)
    }
}
