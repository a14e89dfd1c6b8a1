/// What a prompt needs besides its text.
public struct PromptOptions: Sendable {
    /// More distinct characters than this draws a warning.
    public var maximumCharacters: Int
    /// Aliases this request creates from character_url: they have no username
    /// yet, so their mentions are sent as plain words.
    public var creating: Set<String>

    public init(maximumCharacters: Int = 5, creating: Set<String> = []) {
        self.maximumCharacters = maximumCharacters
        self.creating = creating
    }
}

/// The prompt the API expects: each alias written as `@username`, each
/// mention separated from its neighbours by whitespace, everything else as written.
public struct Composition: Sendable {
    public var text: String
    /// The composed text piece by piece, each with the original range it comes from.
    public var pieces: [Piece]

    public struct Piece: Sendable {
        public var original: Range<String.Index>
        public var output: String
        public var isMention: Bool
    }
}

public enum Composer {
    public static func compose(_ text: String, mentions: [Mention], index: CharacterIndex, options: PromptOptions = .init()) -> Composition {
        // Mentions composition rewrites; unknown, malformed and revoked ones stay exactly as written.
        let rewritten: [(Mention, String)] = mentions.compactMap { mention in
            replacement(for: mention, index: index, options: options).map { (mention, $0) }
        }
        var pieces: [Composition.Piece] = []
        var cursor = text.startIndex
        for (position, (mention, output)) in rewritten.enumerated() {
            let spaced = output.hasPrefix("@")
            pieces.append(gap(text, cursor..<mention.range.lowerBound, after: position > 0 && rewritten[position - 1].1.hasPrefix("@"),
                              before: spaced))
            pieces.append(.init(original: mention.range, output: output, isMention: true))
            cursor = mention.range.upperBound
        }
        pieces.append(gap(text, cursor..<text.endIndex, after: rewritten.last?.1.hasPrefix("@") ?? false, before: false))
        return Composition(text: pieces.map(\.output).joined(), pieces: pieces)
    }

    /// What a mention becomes, or nil to leave it exactly as written.
    static func replacement(for mention: Mention, index: CharacterIndex, options: PromptOptions) -> String? {
        switch mention.target {
        case .alias(let number):
            let character = index.characters[number]
            if let username = character.activeUsername { return "@" + username }
            if options.creating.contains(where: { index.character(alias: $0) == number }) { return character.alias }
            return nil
        case .username(_, .active):
            return "@" + mention.name
        case .username(let number, .superseded):
            return "@" + (index.characters[number].activeUsername ?? mention.name)
        case .username(_, .revoked), .unknown, .malformed:
            return nil
        }
    }

    /// The text between two mentions, with whitespace at the edges that touch
    /// a rewritten mention: ASCII space, tab and newline stay as they are; a
    /// run of other spaces (U+3000, NBSP) becomes one ASCII space; no space
    /// at all gets one. Nothing is added at the very start or end of the text.
    static func gap(_ text: String, _ range: Range<String.Index>, after: Bool, before: Bool) -> Composition.Piece {
        let content = text[range]
        guard after || before else { return .init(original: range, output: String(content), isMention: false) }
        // Index arithmetic rather than reversed/prefix views of the text: each
        // such view is a generic type the runtime builds on first use, which
        // cost more than composing the whole prompt.
        let textStart = content.firstIndex { !$0.isWhitespace } ?? content.endIndex
        if textStart == content.endIndex {
            // All whitespace (or nothing) between a mention and its neighbour.
            let touchesText = (after && before) || (after ? range.upperBound < text.endIndex : range.lowerBound > text.startIndex)
            let output = normalized(String(content), needed: touchesText)
            return .init(original: range, output: output, isMention: false)
        }
        let textEnd = content.lastIndex { !$0.isWhitespace }.map(content.index(after:)) ?? content.endIndex
        let head = after ? normalized(String(content[..<textStart]), needed: true) : ""
        let tail = before ? normalized(String(content[textEnd...]), needed: true) : ""
        let middle = String(content[(after ? textStart : content.startIndex)..<(before ? textEnd : content.endIndex)])
        return .init(original: range, output: head + middle + tail, isMention: false)
    }

    static func normalized(_ whitespace: String, needed: Bool) -> String {
        if whitespace.contains(where: isASCIIWhitespace) { return whitespace }
        return needed || !whitespace.isEmpty ? " " : ""
    }

    static func isASCIIWhitespace(_ character: Character) -> Bool {
        character == " " || character == "\t" || character == "\n" || character == "\r" || character == "\r\n"
    }
}
