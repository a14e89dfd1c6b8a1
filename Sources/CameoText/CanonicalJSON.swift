import Foundation

/// JSON as cameo writes it, everywhere: sorted keys, so the same value is
/// always the same bytes (exports diff cleanly, a request body is
/// reproducible), and `/` left as it is. Pretty documents print an empty
/// array or object as `[]` and `{}`, as `PrettyJSON` does.
public enum CanonicalJSON {
    /// Foundation's encoder as configured; `encode` is what prints (a pretty
    /// document from this encoder alone keeps Foundation's empty containers).
    public static func encoder(pretty: Bool = true) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func encode<T: Encodable>(_ value: T, pretty: Bool = false) throws -> Data {
        let data = try encoder(pretty: pretty).encode(value)
        return pretty ? collapsingEmptyContainers(data) : data
    }

    /// Foundation prints an empty container over three lines (`[\n\n  ]`). A
    /// line break never stands raw inside a JSON string, so `[` or `{` followed
    /// by nothing but line breaks and spaces up to its closing bracket is an
    /// empty container, never text.
    static func collapsingEmptyContainers(_ data: Data) -> Data {
        let newline = UInt8(ascii: "\n"), space = UInt8(ascii: " ")
        let bytes = [UInt8](data)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            result.append(byte)
            index += 1
            let closing: UInt8
            switch byte {
            case UInt8(ascii: "["): closing = UInt8(ascii: "]")
            case UInt8(ascii: "{"): closing = UInt8(ascii: "}")
            default: continue
            }
            var end = index
            while end < bytes.count, bytes[end] == newline || bytes[end] == space { end += 1 }
            if end > index, end < bytes.count, bytes[end] == closing, bytes[index] == newline {
                result.append(closing)
                index = end + 1
            }
        }
        return Data(result)
    }
}
