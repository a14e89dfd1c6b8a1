import Foundation

/// Text as cameo compares names: NFC, so that "é" typed two ways is one
/// name, and lowercased for case-insensitive identity.
public enum NameKey {
    public static func nfc(_ text: String) -> String {
        isNFCByConstruction(text) ? text : text.precomposedStringWithCanonicalMapping
    }

    /// True when every scalar is NFC on its own and none composes with a
    /// neighbour: ASCII and Latin up to U+02FF, CJK punctuation before its
    /// tone marks, CJK unified ideographs, full-width ASCII. Names and prompts
    /// are mostly that, and Foundation's normalization (a bridge through
    /// NSString for each call) was a third of `compose`'s own work.
    static func isNFCByConstruction(_ text: String) -> Bool {
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0..<0x300, 0x3000..<0x302A, 0x4E00..<0xA000, 0xFF01..<0xFF5F: continue
            default: return false
            }
        }
        return true
    }

    public static func of(_ text: String) -> String {
        nfc(nfc(text).lowercased())
    }
}

/// Did-you-mean, the one cameo has: for a mistyped alias, rule, field or
/// key, the closest candidate by edit distance, when close enough to help.
public enum ClosestName {
    /// Ties go to the candidate that leaves less of the typed name over, then
    /// to the alphabetically first, so the answer never depends on order.
    /// With `allowingRunOn`, the typed name may run on past the candidate
    /// (CJK text continues after a name with no space): its prefixes count too.
    public static func find(_ name: String, among candidates: some Sequence<String>, allowingRunOn: Bool = false) -> String? {
        let typed = Array(NameKey.of(name))
        guard !typed.isEmpty else { return nil }
        var best: (name: String, distance: Int, leftOver: Int)?
        for candidate in candidates {
            let key = Array(NameKey.of(candidate))
            let lengths = allowingRunOn ? Set([key.count - 1, key.count, key.count + 1, typed.count]) : [typed.count]
            for length in lengths where length > 0 && length <= typed.count {
                guard let distance = closeEnough(Array(typed.prefix(length)), key) else { continue }
                let leftOver = typed.count - length
                if let current = best,
                   (distance, leftOver) > (current.distance, current.leftOver)
                    || ((distance, leftOver) == (current.distance, current.leftOver) && candidate >= current.name) {
                    continue
                }
                best = (candidate, distance, leftOver)
            }
        }
        return best?.name
    }

    /// How many edits still make a name of `length` characters close: a third of it, at least 1, at most 3.
    public static func limit(forLength length: Int) -> Int {
        max(1, min(3, length / 3 + 1))
    }

    /// The edit distance, when it is small for names of this length.
    public static func closeEnough(_ a: [Character], _ b: [Character]) -> Int? {
        let limit = limit(forLength: a.count)
        guard abs(a.count - b.count) <= limit else { return nil }
        let distance = editDistance(a, b)
        return distance <= limit ? distance : nil
    }

    public static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

/// Which scalars a name (an alias, a username, a tag) may hold, beyond what
/// each kind of name allows for itself: nothing that shows nothing or turns
/// the text around it (zero-width characters, bidi controls, every default-
/// ignorable scalar), and no tower of combining marks on one character. Two
/// names that look alike on screen should be alike in the catalog.
extension NameKey {
    /// Enough for any script's letters (Vietnamese stacks two, Hebrew with
    /// cantillation three or four); a taller stack is drawn over other lines.
    public static let maximumMarksPerCharacter = 4

    /// The scalars a name is made of: letters of any script with the marks
    /// that complete them, decimal digits, `_` and `-`. Usernames add `.`.
    public static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .decimalNumber:
            true
        default:
            scalar == "_" || scalar == "-"
        }
    }

    public static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        if properties.isDefaultIgnorableCodePoint || properties.isBidiControl { return true }
        switch properties.generalCategory {
        case .format, .control, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned: return true
        default: return TerminalText.isBidiControl(scalar)
        }
    }

    public static func isCombiningMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: true
        default: false
        }
    }

    /// Why `text` cannot be a name, or nil when nothing in it is invisible or stacked too high.
    public static func visibilityProblem(in text: String) -> String? {
        var marks = 0
        for scalar in text.unicodeScalars {
            if isInvisible(scalar) {
                return "it contains an invisible or direction-changing character (U+\(hex(scalar)))"
            }
            marks = isCombiningMark(scalar) ? marks + 1 : 0
            if marks > maximumMarksPerCharacter {
                return "it stacks more than \(maximumMarksPerCharacter) combining marks on one character"
            }
        }
        return nil
    }

    static func hex(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
