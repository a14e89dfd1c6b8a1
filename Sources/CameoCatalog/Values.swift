import CameoText
import Foundation

/// A character's name in the catalog: what users type after `@`.
public struct Alias: Hashable, Sendable, CustomStringConvertible {
    public let text: String
    public var key: String { NameKey.of(text) }
    public var description: String { text }

    public static let maxLength = 64

    public init(_ raw: String) throws(CatalogError) {
        let text = NameKey.nfc(raw)
        guard !text.isEmpty else { throw .invalidAlias(raw, reason: "it is empty") }
        guard text.count <= Self.maxLength else {
            throw .invalidAlias(raw, reason: "it is \(text.count) characters long")
        }
        if let bad = text.unicodeScalars.first(where: { !Self.allows($0) }) {
            throw .invalidAlias(raw, reason: "it contains \(describe(bad))")
        }
        if let first = text.unicodeScalars.first, [.nonspacingMark, .spacingMark].contains(first.properties.generalCategory) {
            throw .invalidAlias(raw, reason: "it starts with a combining mark")
        }
        if let problem = NameKey.visibilityProblem(in: text) { throw .invalidAlias(raw, reason: problem) }
        self.text = text
    }

    static func allows(_ scalar: Unicode.Scalar) -> Bool {
        NameKey.isNameScalar(scalar)
    }
}

/// A username the platform gave a character, as written after `@` in a prompt.
public struct Username: Hashable, Sendable, CustomStringConvertible {
    public let text: String
    public var key: String { NameKey.of(text) }
    public var description: String { text }

    public init(_ raw: String) throws(CatalogError) {
        let text = NameKey.nfc(raw.hasPrefix("@") ? String(raw.dropFirst()) : raw)
        guard !text.isEmpty else { throw .invalidUsername(raw, reason: "it is empty") }
        guard text.count <= 64 else { throw .invalidUsername(raw, reason: "it is \(text.count) characters long") }
        if let bad = text.unicodeScalars.first(where: { !Self.allows($0) }) {
            throw .invalidUsername(raw, reason: "it contains \(describe(bad))")
        }
        if let problem = NameKey.visibilityProblem(in: text) { throw .invalidUsername(raw, reason: problem) }
        // A dot at either end would be read as sentence punctuation in a prompt.
        guard !text.hasPrefix("."), !text.hasSuffix(".") else {
            throw .invalidUsername(raw, reason: "it starts or ends with '.'")
        }
        self.text = text
    }

    static func allows(_ scalar: Unicode.Scalar) -> Bool {
        NameKey.isNameScalar(scalar) || scalar == "."
    }
}

extension Username {
    /// Whether `text` (a provider's message, say) names `username` whole, in
    /// any case: "@duck.king was refused" names `duck.king`, not `duck`; a
    /// dot that ends a sentence ends the name.
    public static func isNamed(_ username: String, in text: String) -> Bool {
        let name = Array(NameKey.of(username.hasPrefix("@") ? String(username.dropFirst()) : username))
        let haystack = Array(NameKey.of(text))
        guard !name.isEmpty, haystack.count >= name.count else { return false }
        func continuesName(_ character: Character) -> Bool {
            character != "." && character.unicodeScalars.first.map(allows) == true
        }
        for start in 0...(haystack.count - name.count) where haystack[start..<start + name.count].elementsEqual(name) {
            let end = start + name.count
            if start > 0 {
                let before = haystack[start - 1]
                if continuesName(before) { continue }
                if before == ".", start > 1, continuesName(haystack[start - 2]) { continue }
            }
            if end < haystack.count {
                let after = haystack[end]
                if continuesName(after) { continue }
                if after == ".", end + 1 < haystack.count, continuesName(haystack[end + 1]) { continue }
            }
            return true
        }
        return false
    }
}

/// The http(s) address of the source video, sent as `character_url`.
public struct SourceURL: Hashable, Sendable, CustomStringConvertible {
    public let text: String
    public var description: String { text }

    public init(_ raw: String) throws(CatalogError) {
        let text = raw.trimmingCharacters(in: .whitespaces)
        if let problem = WebAddress.problem(text) { throw .invalidURL(raw, reason: problem) }
        self.text = text
    }
}

/// The stretch of the source video that shows the character, as the API's
/// `character_timestamps`. Kept in whole milliseconds so that `0.7,1.7` is
/// exactly one second long and prints back as written.
public struct CharacterWindow: Hashable, Sendable, CustomStringConvertible {
    public let startMilliseconds: Int
    public let endMilliseconds: Int

    public static let minimumMilliseconds = 1000
    public static let maximumMilliseconds = 3000

    public var start: Double { Double(startMilliseconds) / 1000 }
    public var end: Double { Double(endMilliseconds) / 1000 }
    public var length: Double { Double(endMilliseconds - startMilliseconds) / 1000 }

    /// `start,end` as the spec writes it: `1,3`, `0.5,2.5`.
    public var description: String { "\(Seconds.format(start)),\(Seconds.format(end))" }

    public init(startMilliseconds: Int, endMilliseconds: Int) throws(CatalogError) {
        let text = "\(Seconds.format(Double(startMilliseconds) / 1000)),\(Seconds.format(Double(endMilliseconds) / 1000))"
        guard startMilliseconds >= 0 else { throw .invalidWindow(text, reason: "start is before 0") }
        // The same bound as any seconds cameo reads: a stored row may hold anything.
        guard Double(endMilliseconds) <= Seconds.largest * 1000 else {
            throw .invalidWindow(text, reason: "these are not numbers of seconds a video can have")
        }
        guard endMilliseconds > startMilliseconds else { throw .invalidWindow(text, reason: "end must be after start") }
        let length = endMilliseconds - startMilliseconds
        guard length >= Self.minimumMilliseconds, length <= Self.maximumMilliseconds else {
            throw .invalidWindow(text, reason: "it is \(Seconds.format(Double(length) / 1000)) s long")
        }
        self.startMilliseconds = startMilliseconds
        self.endMilliseconds = endMilliseconds
    }

    public init(start: Double, end: Double) throws(CatalogError) {
        guard let startMilliseconds = Seconds.milliseconds(exactly: start), let endMilliseconds = Seconds.milliseconds(exactly: end) else {
            throw .invalidWindow("\(start),\(end)", reason: "these are not numbers of seconds a video can have")
        }
        try self.init(startMilliseconds: startMilliseconds, endMilliseconds: endMilliseconds)
    }

    /// Parses `START,END` in seconds, e.g. `1,3` or `0.5,2.5`.
    public init(parsing raw: String) throws(CatalogError) {
        let parts = raw.split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
        guard parts.count == 2 else { throw .invalidWindow(raw, reason: "expected two numbers separated by a comma") }
        var values: [Int] = []
        for part in parts {
            if part.drop(while: { $0 == " " }).hasPrefix("-"), Seconds.milliseconds(part.drop { $0 == " " }.dropFirst()) != nil {
                throw .invalidWindow(raw, reason: "start is before 0")
            }
            guard let value = Seconds.milliseconds(part) else {
                throw .invalidWindow(raw, reason: "\(quoted(part.trimmingCharacters(in: .whitespaces))) is not a number of seconds: write \(Seconds.grammar)")
            }
            values.append(value)
        }
        do throws(CatalogError) {
            try self.init(startMilliseconds: values[0], endMilliseconds: values[1])
        } catch {
            guard case .invalidWindow(_, let reason) = error else { throw error }
            throw .invalidWindow(raw, reason: reason)
        }
    }
}

/// A free label for grouping characters; compared case-insensitively.
public struct Tag: Hashable, Sendable, CustomStringConvertible {
    public let text: String
    public var description: String { text }

    public init(_ raw: String) throws(CatalogError) {
        // Looked at before trimming: Foundation counts some invisible characters (U+200B) as spaces to trim.
        if let problem = NameKey.visibilityProblem(in: raw) { throw .invalidTag(raw, reason: problem) }
        let text = NameKey.of(raw.trimmingCharacters(in: .whitespaces))
        guard !text.isEmpty else { throw .invalidTag(raw, reason: "it is empty") }
        guard text.count <= 64 else { throw .invalidTag(raw, reason: "it is longer than 64 characters") }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == "," }) else {
            throw .invalidTag(raw, reason: "it contains a comma or a control character")
        }
        if let problem = NameKey.visibilityProblem(in: text) { throw .invalidTag(raw, reason: problem) }
        self.text = text
    }
}

func describe(_ scalar: Unicode.Scalar) -> String {
    let code = "U+" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4)
    if scalar.properties.isWhitespace { return "a space (\(code))" }
    if scalar.properties.generalCategory == .control { return "a control character (\(code))" }
    if NameKey.isInvisible(scalar) { return "an invisible or direction-changing character (\(code))" }
    return "\(quoted(String(scalar))) (\(code))"
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
