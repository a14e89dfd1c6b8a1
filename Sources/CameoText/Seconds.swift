/// Seconds as the spec writes them: no exponent, no trailing zeros (`1`, `0.5`, `2.25`).
public enum Seconds {
    public static func format(_ seconds: Double) -> String {
        // Whatever a file or a header claims is printed, never trapped on.
        guard let exact = milliseconds(exactly: seconds) else { return String(seconds) }
        let milliseconds = Double(exact)
        let whole = Int(milliseconds / 1000)
        var fraction = Int(abs(milliseconds.truncatingRemainder(dividingBy: 1000)))
        let sign = milliseconds < 0 && whole == 0 ? "-" : ""
        guard fraction != 0 else { return sign + String(whole) }
        var digits = 3
        while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
        let padded = String(repeating: "0", count: digits - String(fraction).count) + String(fraction)
        return "\(sign)\(whole).\(padded)"
    }

    /// The largest number of seconds cameo takes from anyone (about 31 years):
    /// far beyond any clip or wait, and far from where Int and Double lose precision.
    public static let largest: Double = 1e9

    /// Whole milliseconds of a number of seconds a user, a file or a provider
    /// gave, or nil when it is not finite or beyond `largest`: the one checked
    /// conversion from Double seconds, so that no value can trap.
    public static func milliseconds(exactly seconds: Double) -> Int? {
        guard seconds.isFinite, abs(seconds) <= largest else { return nil }
        return Int(exactly: (seconds * 1000).rounded())
    }

    /// Whole milliseconds from a number of seconds as a person writes it, or
    /// nil: the one grammar of seconds cameo reads, in every option, window
    /// (`START,END`) and request field. Digits (1 to 6), then optionally a
    /// point and 1 to 3 digits: `2`, `0.5`, `2.25`, `007`. Spaces around it are
    /// ignored. No sign (`+5`, `-5`), no bare point (`.5`, `5.`), no exponent,
    /// no other digits than 0-9: the same text means the same number everywhere.
    public static func milliseconds(_ text: some StringProtocol) -> Int? {
        let pieces = trimmingSpaces(text).split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(pieces.count) else { return nil }
        let whole = pieces[0], fraction = pieces.count == 2 ? pieces[1] : ""
        guard (1...6).contains(whole.count), whole.allSatisfy(\.isASCIIDigit),
              pieces.count == 1 || (1...3).contains(fraction.count), fraction.allSatisfy(\.isASCIIDigit)
        else { return nil }
        let digits = String(fraction) + String(repeating: "0", count: 3 - fraction.count)
        return (Int(String(whole)) ?? 0) * 1000 + (Int(digits) ?? 0)
    }

    /// The grammar above, for messages that say what to write instead.
    public static let grammar = "digits with at most 3 decimals after a point (2, 0.5; not .5, +5 or 1e3)"
}

/// A count as a person writes it (`--top 3`, `--limit 20`): digits only,
/// spaces around ignored; no sign, point or exponent, as in seconds. A number
/// beyond Int reads as `Int.max`, which every range a count is checked against refuses.
public enum WholeNumber {
    public static func value(_ text: some StringProtocol) -> Int? {
        let trimmed = trimmingSpaces(text)
        guard !trimmed.isEmpty, trimmed.allSatisfy(\.isASCIIDigit) else { return nil }
        return Int(trimmed) ?? Int.max
    }
}

private func trimmingSpaces(_ text: some StringProtocol) -> Substring {
    let start = text.firstIndex { $0 != " " } ?? text.endIndex
    let end = text.lastIndex { $0 != " " }.map { text.index(after: $0) } ?? start
    return Substring(text[start..<max(start, end)])
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
