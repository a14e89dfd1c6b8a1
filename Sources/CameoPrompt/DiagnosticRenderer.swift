import CameoText

/// Diagnostics as compilers print them: the finding, the line of the prompt,
/// and carets under the exact span, lined up under wide CJK characters too.
///
///     error[unknown-character]: no character named "duckling"
///      --> prompt:1:1
///       |
///     1 | @duckling在舞台上
///       | ^^^^^^^^^ did you mean "duck"?
public enum DiagnosticRenderer {
    public struct Style: Sendable {
        public var colour: Bool
        public init(colour: Bool) { self.colour = colour }
    }

    public static func render(_ diagnostic: Diagnostic, in text: String, source: String = "prompt", style: Style = .init(colour: false)) -> String {
        let (lineText, caretLine) = lineAndCarets(for: diagnostic.range, in: text)
        let number = String(diagnostic.span.line)
        let gutter = String(repeating: " ", count: number.count)
        let severity = paint(diagnostic.severity.rawValue, colour(for: diagnostic.severity), style)
        var lines = [
            "\(severity)\(paint("[\(diagnostic.rule)]", colour(for: diagnostic.severity), style)): \(diagnostic.message)",
            "\(gutter)--> \(source):\(diagnostic.span.line):\(diagnostic.span.column)",
            "\(gutter) |",
            "\(number) | \(lineText)",
            "\(gutter) | \(paint(caretLine, colour(for: diagnostic.severity), style))" + (diagnostic.note.map { " " + $0 } ?? ""),
        ]
        if let replacement = diagnostic.replacement {
            lines.append("\(gutter) = fix: write \"\(replacement)\"")
        }
        return lines.joined(separator: "\n")
    }

    /// The line holding the span's start, made safe to print, and the caret line beneath it.
    static func lineAndCarets(for range: Range<String.Index>, in text: String) -> (String, String) {
        let lineStart = text[..<range.lowerBound].lastIndex(where: \.isNewline).map { text.index(after: $0) } ?? text.startIndex
        let lineEnd = text[range.lowerBound...].firstIndex(where: \.isNewline) ?? text.endIndex
        var shown = "", padding = "", carets = 0
        var position = lineStart
        while position < lineEnd {
            let character = text[position]
            let printable = printableForm(character)
            shown.append(printable)
            if position < range.lowerBound {
                padding += character == "\t" ? "\t" : String(repeating: " ", count: DisplayWidth.of(printable))
            } else if position < range.upperBound {
                carets += character == "\t" ? 1 : DisplayWidth.of(printable)
            }
            position = text.index(after: position)
        }
        return (shown, padding + String(repeating: "^", count: max(1, carets)))
    }

    /// Control characters would move the cursor or ring a bell: they show as `�`.
    static func printableForm(_ character: Character) -> String {
        if character == "\t" { return "\t" }
        if let scalar = character.unicodeScalars.first, scalar.properties.generalCategory == .control { return "\u{FFFD}" }
        return String(character)
    }

    static func colour(for severity: Severity) -> String {
        switch severity {
        case .error: "31"
        case .warning: "33"
        case .info: "36"
        }
    }

    static func paint(_ text: String, _ code: String, _ style: Style) -> String {
        style.colour ? "\u{1B}[1;\(code)m\(text)\u{1B}[0m" : text
    }
}
