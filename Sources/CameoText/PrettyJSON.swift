/// Writes JSON straight into bytes, exactly as `CanonicalJSON.encode(_:pretty: true)`
/// prints it (Foundation's `JSONEncoder` with `[.prettyPrinted, .sortedKeys,
/// .withoutEscapingSlashes]`): two-space indents, `"key" : value`, its string
/// escapes and number forms; empty containers as `[]` and `{}`. Documents of
/// thousands of entries are written without building them as values first; a
/// test compares the bytes with the encoder's. Keys must be given in the
/// encoder's order (UTF-8 byte order); `JSONValue` objects are sorted here.
///
/// The bytes go into one buffer of its own, written through a pointer: a
/// `list --json` of 10,000 characters makes over a million small writes, and
/// `Array.append(contentsOf:)` (a uniqueness check, a capacity check and a
/// call each) was a sixth of its time. Not copyable, so nothing shares the buffer.
public struct PrettyJSON: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// How many bytes are written.
    public private(set) var count = 0
    /// How many containers are open.
    private var depth = 0
    /// Whether the innermost open container has a member or element yet.
    private var hasMembers = false
    /// `hasMembers` of each container around the innermost one.
    private var outer: [Bool] = []

    public init(reservingCapacity capacity: Int = 1 << 16) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deallocate()
    }

    /// A copy of what is written so far.
    public var bytes: [UInt8] {
        Array(UnsafeBufferPointer(start: base, count: count))
    }

    /// What is written so far, without copying it.
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Forgets what is written (a stream has sent it), keeping the buffer and the open containers.
    public mutating func removeAll() {
        count = 0
    }

    /// One byte as it is (a stream's final line break).
    public mutating func appendByte(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    /// Lets `fill` write up to `maximum` bytes in place; it returns how many it wrote.
    public mutating func write(atMost maximum: Int, _ fill: (UnsafeMutablePointer<UInt8>) -> Int) {
        reserve(maximum)
        count += min(max(fill(base + count), 0), maximum)
    }

    @inline(__always)
    private mutating func reserve(_ more: Int) {
        if capacity - count < more { grow(more) }
    }

    private mutating func grow(_ more: Int) {
        let larger = max(capacity * 2, count + more)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        moved.update(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = larger
    }

    @inline(__always)
    private mutating func append(_ start: UnsafePointer<UInt8>, _ length: Int) {
        reserve(length)
        (base + count).update(from: start, count: length)
        count += length
    }

    @inline(__always)
    private mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    public mutating func beginObject() {
        append(UInt8(ascii: "{"))
        open()
    }

    public mutating func endObject() {
        close(UInt8(ascii: "}"))
    }

    public mutating func beginArray() {
        append(UInt8(ascii: "["))
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
        // One reservation for the quotes, the name and ` : `: objects of 10,000 characters have 250,000 keys.
        let length = name.utf8CodeUnitCount
        reserve(length + 5)
        let start = base + count
        start[0] = UInt8(ascii: "\"")
        (start + 1).update(from: name.utf8Start, count: length)
        (start + 1 + length).update(from: Self.keyEnd.utf8Start, count: 4)
        count += length + 5
    }

    private static let keyEnd: StaticString = "\" : "

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
        // At most 20 bytes: a sign and 19 digits. Written from the end, then moved to the front.
        write(atMost: 20) { start in
            var magnitude = value.magnitude
            var end = 20
            repeat {
                end -= 1
                start[end] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 {
                end -= 1
                start[end] = UInt8(ascii: "-")
            }
            let length = 20 - end
            if end > 0 { start.update(from: start + end, count: length) }
            return length
        }
    }

    /// As the encoder writes a Double: its description without a trailing
    /// `.0`. Infinity and NaN (which the encoder refuses) are written as null.
    public mutating func number(_ value: Double) {
        guard value.isFinite else { return null() }
        if value == value.rounded(), abs(value) < 1e15 {
            if value == 0, value.sign == .minus { append(UInt8(ascii: "-")) }
            return integer(Int64(value))
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        text.withUTF8 { append($0.baseAddress!, $0.count) }
    }

    /// JSONEncoder's escapes, and like `TerminalText.jsonEscaped` DEL, C1 and
    /// bidi controls as `\uXXXX` too: inert if the document lands on a terminal.
    public mutating func string(_ text: String) {
        append(UInt8(ascii: "\""))
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
                if index > mark { append(utf8.baseAddress! + mark, index - mark) }
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
            if utf8.count > mark { append(utf8.baseAddress! + mark, utf8.count - mark) }
        }
        append(UInt8(ascii: "\""))
    }

    /// `\u` and four lowercase hex digits.
    private mutating func unicodeEscape(_ scalar: UInt32) {
        let hex: StaticString = "0123456789abcdef"
        raw("\\u")
        for shift: UInt32 in [12, 8, 4, 0] { append(hex.utf8Start[Int((scalar >> shift) & 0xF)]) }
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
        outer.append(hasMembers)
        hasMembers = false
    }

    private mutating func close(_ bracket: UInt8) {
        depth -= 1
        if hasMembers {
            append(0x0A)
            indent()
        }
        hasMembers = outer.popLast() ?? false
        append(bracket)
    }

    private mutating func separate() {
        if depth > 0 {
            hasMembers ? raw(",\n") : append(0x0A)
            hasMembers = true
        }
        indent()
    }

    private mutating func indent() {
        let spaces = 2 * depth
        reserve(spaces)
        (base + count).initialize(repeating: UInt8(ascii: " "), count: spaces)
        count += spaces
    }

    private mutating func raw(_ text: StaticString) {
        append(text.utf8Start, text.utf8CodeUnitCount)
    }
}
