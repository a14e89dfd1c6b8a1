/// Seconds as the spec writes them: no exponent, no trailing zeros (`1`, `0.5`, `2.25`).
public enum Seconds {
    public static func format(_ seconds: Double) -> String {
        let milliseconds = (seconds * 1000).rounded()
        let whole = Int(milliseconds / 1000)
        var fraction = Int(abs(milliseconds.truncatingRemainder(dividingBy: 1000)))
        let sign = milliseconds < 0 && whole == 0 ? "-" : ""
        guard fraction != 0 else { return sign + String(whole) }
        var digits = 3
        while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
        let padded = String(repeating: "0", count: digits - String(fraction).count) + String(fraction)
        return "\(sign)\(whole).\(padded)"
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
