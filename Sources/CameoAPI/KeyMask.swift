import Foundation

/// Hides the API key in text a server sent back, in whatever form it was
/// echoed: as is, JSON-escaped (`\/`, `\u0073…`), percent-encoded (once or
/// more), as HTML character references (numeric or named), mixed, or base64 at
/// any alignment. Applied where answers enter cameo, before anything decodes,
/// prints or stores them.
public struct KeyMask: Sendable {
    public static let replacement = "***"
    private let pattern: NSRegularExpression?
    private let literals: [String]
    private let key: String

    public init(key: String) {
        self.key = key
        guard !key.isEmpty else {
            pattern = nil
            literals = []
            return
        }
        // Each character may appear as itself or in any escape a JSON, URL or HTML encoder might use.
        let characters = key.unicodeScalars.map { scalar -> String in
            var forms = [NSRegularExpression.escapedPattern(for: String(scalar))]
            let value = scalar.value
            if value < 0x10000 {
                forms.append("\\\\u" + Self.hexClass(value, digits: 4))
            }
            if value < 0x80 {
                // Percent-encoded once or again (`%252F`), as a URL inside a URL is.
                forms.append("%(?:25)*" + Self.hexClass(value, digits: 2))
                if scalar == "/" { forms.append("\\\\/") }
            }
            forms += (Self.htmlNames[scalar] ?? []).map { "&\($0);" }
            forms.append("&#0*\(value);")
            forms.append("&#[xX]0*" + Self.hexClass(value, digits: String(value, radix: 16).count) + ";")
            return "(?:" + forms.joined(separator: "|") + ")"
        }
        pattern = try? NSRegularExpression(pattern: characters.joined())
        literals = Self.base64Forms(of: key)
    }

    public func mask(_ text: String) -> String {
        guard let pattern else { return text }
        var result = text.replacingOccurrences(of: key, with: Self.replacement)
        let range = NSRange(result.startIndex..., in: result)
        result = pattern.stringByReplacingMatches(in: result, range: range, withTemplate: NSRegularExpression.escapedTemplate(for: Self.replacement))
        for literal in literals where result.contains(literal) {
            result = result.replacingOccurrences(of: literal, with: Self.replacement)
        }
        return result
    }

    /// HTML5's named references for the punctuation keys are made of.
    private static let htmlNames: [Unicode.Scalar: [String]] = [
        "-": ["hyphen", "dash", "minus"], "/": ["sol"], "+": ["plus"], "_": ["lowbar", "UnderBar"], ".": ["period"],
        "=": ["equals"], ":": ["colon"], "~": ["tilde"], "&": ["amp", "AMP"], "!": ["excl"], "$": ["dollar"], "%": ["percnt"],
        "*": ["ast", "midast"], "#": ["num"], "@": ["commat"], "?": ["quest"], ",": ["comma"], ";": ["semi"],
    ]

    /// A character class per hex digit, so `\u006B` and `\u006b` both match.
    private static func hexClass(_ value: UInt32, digits: Int) -> String {
        var hex = String(value, radix: 16)
        while hex.count < digits { hex = "0" + hex }
        return hex.map { $0.isLetter ? "[\($0.lowercased())\($0.uppercased())]" : String($0) }.joined()
    }

    /// The part of the key's base64 that does not depend on the bytes around
    /// it, for each of the three alignments, in standard and URL alphabets.
    private static func base64Forms(of key: String) -> [String] {
        let bytes = Array(key.utf8)
        guard bytes.count >= 12 else { return [] }
        var forms: [String] = []
        for offset in 0..<3 {
            let encoded = Data(Array(repeating: 0, count: offset) + bytes).base64EncodedString()
            let total = offset + bytes.count
            let leading = (offset * 8 + 5) / 6
            let trailing = total % 3 == 0 ? 0 : 4
            let core = String(encoded.dropFirst(leading).dropLast(trailing))
            guard core.count >= 8 else { continue }
            forms.append(core)
            forms.append(core.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_"))
        }
        return Array(Set(forms))
    }
}
