/// Text from outside cameo (a provider's message, a file name, a catalog
/// note) made safe to show on a terminal: control characters (C0, DEL, C1),
/// and with them every escape sequence, the bidi controls that reorder what a
/// reader sees, and the invisible format characters (zero-width spaces and
/// joiners, U+FEFF, word joiners, tag characters: general category Cf) that
/// make two different texts look the same, are shown as `\u{1b}`, `\u{200b}`.
/// A zero-width joiner between two emoji stays: it draws one glyph from them
/// (👩‍💻) and hides nothing, while escaped it would garble every such emoji.
public enum TerminalText {
    /// Every unsafe scalar escaped, line breaks and tabs included: for text
    /// embedded in a line of cameo's own (an error message, a table cell).
    public static func escape(_ text: some StringProtocol) -> String {
        escape(text, keepingLineBreaks: false)
    }

    /// `keepingLineBreaks` leaves `\n` and `\t` alone, for text whose lines
    /// cameo lays out itself (a block of notes, a whole document).
    public static func escape(_ text: some StringProtocol, keepingLineBreaks: Bool) -> String {
        guard text.unicodeScalars.contains(where: { isUnsafe($0, keepingLineBreaks: keepingLineBreaks) }) else {
            return String(text)
        }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        let scalars = Array(text.unicodeScalars)
        for index in scalars.indices {
            if isUnsafe(scalars, at: index, keepingLineBreaks: keepingLineBreaks) {
                result += escaped(scalars[index])
            } else {
                result.unicodeScalars.append(scalars[index])
            }
        }
        return result
    }

    /// The last guard before bytes reach stdout or stderr: escapes whatever
    /// acts on the terminal, keeping line breaks and, when `colour` is on, the
    /// plain colour sequences (SGR: `ESC [ 1;31 m`) cameo paints with. Nothing
    /// else with an ESC gets through, whoever composed the text. Invisible
    /// format characters are left to `escape`, which every piece of outside
    /// text passes on its way into a line: they act on nothing, and JSON
    /// documents (which pass here too) keep every value exact.
    public static func guarded(_ text: String, colour: Bool) -> String {
        guard text.unicodeScalars.contains(where: { actsOnTerminal($0, keepingLineBreaks: true) }) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if colour, scalar == "\u{1B}", let end = colourSequenceEnd(scalars, from: index) {
                for position in index..<end { result.unicodeScalars.append(scalars[position]) }
                index = end
                continue
            }
            if actsOnTerminal(scalar, keepingLineBreaks: true) {
                result += escaped(scalar)
            } else {
                result.unicodeScalars.append(scalar)
            }
            index += 1
        }
        return result
    }

    /// Whether the scalar, wherever it stands, is escaped on a terminal (a
    /// zero-width joiner is, unless `isUnsafe(_:at:)` sees it join two emoji).
    public static func isUnsafe(_ scalar: Unicode.Scalar, keepingLineBreaks: Bool = false) -> Bool {
        actsOnTerminal(scalar, keepingLineBreaks: keepingLineBreaks) || isInvisibleFormat(scalar)
    }

    /// The scalar at `index`, with its neighbours: a zero-width joiner between two emoji is safe.
    static func isUnsafe(_ scalars: [Unicode.Scalar], at index: Int, keepingLineBreaks: Bool) -> Bool {
        let scalar = scalars[index]
        guard isUnsafe(scalar, keepingLineBreaks: keepingLineBreaks) else { return false }
        guard scalar.value == 0x200D, index > 0, index + 1 < scalars.count else { return true }
        let before = scalars[index - 1], after = scalars[index + 1]
        let joinsEmoji = (before.value == 0xFE0F || before.properties.isEmojiModifier || isPictographic(before)) && isPictographic(after)
        return !joinsEmoji
    }

    /// Controls (and with them escape sequences) and bidi controls: what changes
    /// the terminal or the order of what it shows. JSON output writes these as
    /// `\uXXXX`; invisible format characters stay as they are there, exact for
    /// the programs that read it.
    public static func actsOnTerminal(_ scalar: Unicode.Scalar, keepingLineBreaks: Bool) -> Bool {
        let value = scalar.value
        if value < 0x20 {
            return !(keepingLineBreaks && (value == 0x0A || value == 0x09))
        }
        if (0x7F...0x9F).contains(value) { return true }
        return isBidiControl(scalar)
    }

    /// General category Cf: zero-width space, joiners, U+FEFF, the word joiner and
    /// invisible operators, the soft hyphen, tag characters (invisible ASCII), bidi controls.
    public static func isInvisibleFormat(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= 0xAD && scalar.properties.generalCategory == .format
    }

    /// An emoji picture (not the ASCII digits, `#` and `*` that Unicode also counts as emoji).
    private static func isPictographic(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value > 0x7F && scalar.properties.isEmoji
    }

    /// The scalars that reorder text around them without showing (Trojan Source):
    /// embeddings and overrides, isolates, and the directional marks.
    public static func isBidiControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: true
        default: false
        }
    }

    static func escaped(_ scalar: Unicode.Scalar) -> String {
        "\\u{" + String(scalar.value, radix: 16) + "}"
    }

    /// Where `ESC [ digits(;digits)* m` starting at `start` ends, if it is one.
    static func colourSequenceEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        var index = start + 1
        guard index < scalars.count, scalars[index] == "[" else { return nil }
        index += 1
        let parametersStart = index
        while index < scalars.count, index - parametersStart < 8,
              ("0"..."9").contains(scalars[index]) || scalars[index] == ";" {
            index += 1
        }
        guard index > parametersStart, index < scalars.count, scalars[index] == "m" else { return nil }
        return index + 1
    }
}

extension TerminalText {
    /// A JSON document with C1 controls, DEL and bidi controls written as
    /// `\uXXXX` escapes: the same value for any JSON reader, inert on a
    /// terminal. (Such scalars can only occur inside JSON strings, where the
    /// escape is valid; JSONEncoder already escapes C0.)
    public static func jsonEscaped(_ document: String) -> String {
        guard document.unicodeScalars.contains(where: { actsOnTerminal($0, keepingLineBreaks: true) }) else { return document }
        var result = ""
        result.reserveCapacity(document.utf8.count + 8)
        for scalar in document.unicodeScalars {
            if actsOnTerminal(scalar, keepingLineBreaks: true) {
                let hex = String(scalar.value, radix: 16, uppercase: false)
                result += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
