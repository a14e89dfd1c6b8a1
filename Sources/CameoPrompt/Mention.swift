import CameoText

/// One `@name` in a prompt, and what it refers to.
public struct Mention: Sendable {
    public enum Target: Sendable, Equatable {
        /// An alias from the catalog: composition replaces it with the username.
        case alias(character: Int)
        /// A platform username: already what the API reads; only its spacing is fixed.
        case username(character: Int, state: CharacterIndex.UsernameState)
        /// A name the catalog does not know.
        case unknown(name: String)
        /// `@{` without `}`, or `@{}`.
        case malformed
    }

    /// From the `@` to the end of the name (closing brace included).
    public var range: Range<String.Index>
    public var target: Target
    /// The name as written, without `@` or braces.
    public var name: String
    /// Written `@{name}`.
    public var explicit: Bool
    /// Written with the full-width `＠`.
    public var fullwidth: Bool
    /// Another character whose alias reads the same as this username.
    public var shadowedAlias: Int?

    public var character: Int? {
        switch target {
        case .alias(let character), .username(let character, _): character
        case .unknown, .malformed: nil
        }
    }
}

/// Finds mentions: `@` or `＠` at the start of the text or after anything but
/// an ASCII letter or digit, `_`, `.`, `@` or `-` (so `me@duck.com` is no
/// mention, while `和@cookie` is one), then either `{name}` or the longest
/// known name the text starts with.
public enum MentionParser {
    public static func mentions(in text: String, index: CharacterIndex) -> [Mention] {
        var mentions: [Mention] = []
        var position = text.startIndex
        var previous: Character?
        var previousEndedMention = false
        while position < text.endIndex {
            let character = text[position]
            let next = text.index(after: position)
            if character == "@" || character == "＠", previousEndedMention || !blocksMention(previous),
               let mention = mention(at: position, in: text, index: index) {
                mentions.append(mention)
                previous = text[text.index(before: mention.range.upperBound)]
                previousEndedMention = true
                position = mention.range.upperBound
                continue
            }
            previous = character
            previousEndedMention = false
            position = next
        }
        return mentions
    }

    /// Every name the mentions of `text` could be: each run of up to 64
    /// characters after an `@` or `＠`, cut at each length where a name may end
    /// (`nameMayEnd`, as the parser reads mentions), and each `{name}`.
    public static func candidateKeys(in text: String, longest: Int = 64) -> Set<String> {
        var keys = Set<String>()
        var position = text.startIndex
        while let at = text[position...].firstIndex(where: { $0 == "@" || $0 == "＠" }) {
            var end = text.index(after: at)
            if end < text.endIndex, text[end] == "{" {
                let inner = text.index(after: end)
                if let close = text[inner...].firstIndex(where: { $0 == "}" || $0.isNewline }), text[close] == "}" {
                    keys.insert(NameKey.of(text[inner..<close].trimmingWhitespace()))
                }
            } else {
                let start = end
                var count = 0
                while end < text.endIndex, count < longest, !text[end].isWhitespace, text[end] != "@", text[end] != "＠" {
                    end = text.index(after: end)
                    count += 1
                    // Only where a known name may end: "@char-487" asks for "char-" and "char-487", not "c", "ch"…
                    if nameMayEnd(at: end, in: text) { keys.insert(NameKey.of(String(text[start..<end]))) }
                }
            }
            position = text.index(after: at)
        }
        return keys
    }

    /// Whether a known name may end just before `end` (a name is at least one
    /// character): an ASCII name must not run on into more ASCII name characters
    /// (`@duckling` is not `@duck`); after `_`, `-` or CJK text a name may end anywhere.
    static func nameMayEnd(at end: String.Index, in text: String) -> Bool {
        let last = text[text.index(before: end)]
        guard isASCIIWordCharacter(last), last != "_", last != "-", end < text.endIndex else { return true }
        return !isASCIIWordCharacter(text[end])
    }

    static func blocksMention(_ previous: Character?) -> Bool {
        guard let previous else { return false }
        return isASCIIWordCharacter(previous) || previous == "." || previous == "@"
    }

    /// ASCII letters, digits, `_` and `-`: what continues an ASCII name.
    static func isASCIIWordCharacter(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue else { return false }
        return (0x30...0x39).contains(ascii) || (0x41...0x5A).contains(ascii) || (0x61...0x7A).contains(ascii) || ascii == 0x5F || ascii == 0x2D
    }

    static func isNameCharacter(_ character: Character) -> Bool {
        guard let first = character.unicodeScalars.first else { return false }
        return first == "." || NameKey.isNameScalar(first)
    }

    private static func mention(at start: String.Index, in text: String, index: CharacterIndex) -> Mention? {
        let fullwidth = text[start] == "＠"
        let nameStart = text.index(after: start)
        guard nameStart < text.endIndex else { return nil }
        if text[nameStart] == "{" {
            return explicitMention(at: start, in: text, index: index, fullwidth: fullwidth)
        }
        if let match = longestKnownName(from: nameStart, in: text, index: index) {
            return Mention(range: start..<match.end, target: match.target, name: String(text[nameStart..<match.end]),
                           explicit: false, fullwidth: fullwidth, shadowedAlias: match.shadowedAlias)
        }
        // Not a known name: anything that looks like one is an unknown character.
        // It ends where the script changes between ASCII and not, so "@duckling在舞台上"
        // names "duckling" and "@小鸡dances" names "小鸡".
        let ascii = text[nameStart].isASCII
        var end = nameStart
        while end < text.endIndex, isNameCharacter(text[end]), text[end].isASCII == ascii { end = text.index(after: end) }
        while end > nameStart, text[text.index(before: end)] == "." { end = text.index(before: end) }
        guard end > nameStart else { return nil }
        let name = String(text[nameStart..<end])
        return Mention(range: start..<end, target: .unknown(name: name), name: name, explicit: false, fullwidth: fullwidth)
    }

    private static func explicitMention(at start: String.Index, in text: String, index: CharacterIndex, fullwidth: Bool) -> Mention {
        let open = text.index(after: start)
        let inner = text.index(after: open)
        var close = inner
        while close < text.endIndex, text[close] != "}", !text[close].isNewline { close = text.index(after: close) }
        guard close < text.endIndex, text[close] == "}" else {
            // Unclosed: the mention runs to the end of the word so the caret shows it.
            var end = inner
            while end < text.endIndex, !text[end].isWhitespace { end = text.index(after: end) }
            return Mention(range: start..<end, target: .malformed, name: String(text[inner..<end]), explicit: true, fullwidth: fullwidth)
        }
        let name = text[inner..<close].trimmingWhitespace()
        let range = start..<text.index(after: close)
        guard !name.isEmpty else {
            return Mention(range: range, target: .malformed, name: "", explicit: true, fullwidth: fullwidth)
        }
        let target: Mention.Target
        if let character = index.character(alias: name) {
            target = .alias(character: character)
        } else if let found = index.character(username: name) {
            target = .username(character: found.character, state: found.state)
        } else {
            target = .unknown(name: name)
        }
        return Mention(range: range, target: target, name: name, explicit: true, fullwidth: fullwidth)
    }

    /// The longest alias or username that the text at `start` begins with. An
    /// ASCII name must not run on into more ASCII name characters
    /// (`@duckling` is not `@duck`); CJK text has no such boundary. At equal
    /// length a username wins over an alias: composed text must compose to itself.
    private static func longestKnownName(from start: String.Index, in text: String, index: CharacterIndex)
        -> (end: String.Index, target: Mention.Target, shadowedAlias: Int?)? {
        var ends: [String.Index] = []
        var end = start
        while end < text.endIndex, ends.count < index.longestName, !text[end].isWhitespace, text[end] != "@", text[end] != "＠" {
            end = text.index(after: end)
            ends.append(end)
        }
        for candidateEnd in ends.reversed() where nameMayEnd(at: candidateEnd, in: text) {
            let name = String(text[start..<candidateEnd])
            let alias = index.character(alias: name)
            if let username = index.character(username: name) {
                let shadowed = alias.flatMap { $0 == username.character ? nil : $0 }
                return (candidateEnd, .username(character: username.character, state: username.state), shadowed)
            }
            if let alias {
                return (candidateEnd, .alias(character: alias), nil)
            }
        }
        return nil
    }
}

extension Substring {
    func trimmingWhitespace() -> String {
        var slice = self
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }
}
