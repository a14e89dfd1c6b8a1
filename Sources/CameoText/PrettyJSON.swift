/// Writes JSON straight into bytes, exactly as `CanonicalJSON.encode(_:pretty: true)`
/// prints it (Foundation's `JSONEncoder` with `[.prettyPrinted, .sortedKeys,
/// .withoutEscapingSlashes]`): two-space indents, `"key" : value`, its string
/// escapes and number forms; empty containers as `[]` and `{}`. Documents of
/// thousands of entries are written without building them as values first; a
/// test compares the bytes with the encoder's. Keys must be given in the
/// encoder's order (UTF-8 byte order); `JSONValue` objects are sorted here.
public struct PrettyJSON {
    public var bytes: [UInt8] = []
    private var depth = 0
    /// How many members or elements each open container has so far.
    private var counts: [Int] = []

    public init(reservingCapacity capacity: Int = 1 << 16) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func beginObject() {
        bytes.append(UInt8(ascii: "{"))
        open()
    }

    public mutating func endObject() {
        close(UInt8(ascii: "}"))
    }

    public mutating func beginArray() {
        bytes.append(UInt8(ascii: "["))
        open()
    }

    public mutating func endArray() {
        close(UInt8(ascii: "]"))
    }

    /// Starts a member of the open object whose key is data (escaped as
    /// needed); its value comes next.
    public mutating func dynamicKey(_ name: String) {
        separate()
        string(name)
        raw(" : ")
    }

    /// Starts a member of the open object; its value comes next. The key is
    /// one of cameo's own, written as is.
    public mutating func key(_ name: StaticString) {
        separate()
        raw("\"")
        raw(name)
        raw("\" : ")
    }

    /// Starts an element of the open array; its value comes next.
    public mutating func element() {
        separate()
    }

    public mutating func null() {
        raw("null")
    }

    public mutating func bool(_ value: Bool) {
        value ? raw("true") : raw("false")
    }

    public mutating func integer(_ value: Int64) {
        if value == 0 { bytes.append(UInt8(ascii: "0")); return }
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: [UInt8] = []
        while magnitude > 0 {
            digits.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        }
        bytes.append(contentsOf: digits.reversed())
    }

    /// As the encoder writes a Double: its description without a trailing
    /// `.0`. Infinity and NaN (which the encoder refuses) are written as null.
    public mutating func number(_ value: Double) {
        guard value.isFinite else { return null() }
        if value == value.rounded(), abs(value) < 1e15 {
            if value == 0, value.sign == .minus { bytes.append(UInt8(ascii: "-")) }
            return integer(Int64(value))
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    /// JSONEncoder's escapes, and like `TerminalText.jsonEscaped` DEL, C1 and
    /// bidi controls as `\uXXXX` too: inert if the document lands on a terminal.
    public mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var mark = 0
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                var unsafeScalar: UInt32?
                var length = 1
                switch byte {
                case 0x20..<0x7F where byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\"):
                    index += 1
                    continue
                case 0x7F:
                    unsafeScalar = 0x7F
                case 0xC2 where index + 1 < utf8.count && (0x80...0x9F).contains(utf8[index + 1]):
                    unsafeScalar = UInt32(utf8[index + 1])
                    length = 2
                case 0xD8 where index + 1 < utf8.count && utf8[index + 1] == 0x9C:
                    unsafeScalar = 0x061C
                    length = 2
                case 0xE2 where index + 2 < utf8.count && (
                        (utf8[index + 1] == 0x80 && ((0x8E...0x8F).contains(utf8[index + 2]) || (0xAA...0xAE).contains(utf8[index + 2])))
                        || (utf8[index + 1] == 0x81 && (0xA6...0xA9).contains(utf8[index + 2]))):
                    unsafeScalar = (utf8[index + 1] == 0x80 ? 0x2000 : 0x2040) + UInt32(utf8[index + 2] - 0x80)
                    length = 3
                case 0x80...:
                    index += 1
                    continue
                default:
                    break
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[mark..<index]))
                mark = index + length
                index += length
                if let unsafeScalar {
                    unicodeEscape(unsafeScalar)
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""): raw("\\\"")
                case UInt8(ascii: "\\"): raw("\\\\")
                case 0x08: raw("\\b")
                case 0x0C: raw("\\f")
                case 0x0A: raw("\\n")
                case 0x0D: raw("\\r")
                case 0x09: raw("\\t")
                default: unicodeEscape(UInt32(byte))
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[mark...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `\u` and four lowercase hex digits.
    private mutating func unicodeEscape(_ scalar: UInt32) {
        let hex = Array("0123456789abcdef".utf8)
        raw("\\u")
        for shift in [12, 8, 4, 0] { bytes.append(hex[Int((scalar >> UInt32(shift)) & 0xF)]) }
    }

    public mutating func optionalString(_ text: String?) {
        if let text { string(text) } else { null() }
    }

    public mutating func optionalNumber(_ value: Double?) {
        if let value { number(value) } else { null() }
    }

    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .number(let number): self.number(number)
        case .string(let text): string(text)
        case .array(let values):
            beginArray()
            for item in values {
                element()
                self.value(item)
            }
            endArray()
        case .object(let members):
            beginObject()
            for name in members.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                dynamicKey(name)
                self.value(members[name] ?? .null)
            }
            endObject()
        }
    }

    /// The line break after the bracket waits for the first member: an empty
    /// container closes on the same line (`[]`), even when a stream has sent
    /// the bracket already.
    private mutating func open() {
        depth += 1
        counts.append(0)
    }

    private mutating func close(_ bracket: UInt8) {
        depth -= 1
        if let count = counts.popLast(), count > 0 {
            bytes.append(0x0A)
            indent()
        }
        bytes.append(bracket)
    }

    private mutating func separate() {
        if let count = counts.last {
            count > 0 ? raw(",\n") : bytes.append(0x0A)
            counts[counts.count - 1] += 1
        }
        indent()
    }

    private mutating func indent() {
        let spaces: StaticString = "                                                                "
        var left = 2 * depth
        while left > 0 {
            let count = min(left, spaces.utf8CodeUnitCount)
            bytes.append(contentsOf: UnsafeBufferPointer(start: spaces.utf8Start, count: count))
            left -= count
        }
    }

    private mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
