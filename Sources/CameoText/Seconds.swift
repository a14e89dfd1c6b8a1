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

    /// Whole milliseconds from a plain decimal (`2`, `2.5`, `.5`), or nil.
    public static func milliseconds(_ text: String) -> Int? {
        let pieces = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(pieces.count) else { return nil }
        let whole = pieces[0], fraction = pieces.count == 2 ? pieces[1] : ""
        guard !(whole.isEmpty && fraction.isEmpty), whole.count <= 6, fraction.count <= 3,
              whole.allSatisfy(\.isASCIIDigit), fraction.allSatisfy(\.isASCIIDigit),
              pieces.count == 1 || !fraction.isEmpty
        else { return nil }
        let wholeValue = Int(whole) ?? 0
        let fractionValue = Int(fraction.padding(toLength: 3, withPad: "0", startingAt: 0)) ?? 0
        return wholeValue * 1000 + fractionValue
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
