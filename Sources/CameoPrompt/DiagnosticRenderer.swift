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

    /// A finding about text shows its line with carets (`text` is the text
    /// that was checked, `source` names it); one about a request body's
    /// field names the field (`body.duration`).
    public static func render(_ diagnostic: Diagnostic, in text: String = "", source: String = "prompt",
                              style: Style = .init(colour: false)) -> String {
        let colour = colour(for: diagnostic.severity)
        let heading = paint(diagnostic.severity.rawValue, colour, style) + paint("[\(diagnostic.rule)]", colour, style)
            + ": \(TerminalText.escape(diagnostic.message))"
        let note = diagnostic.note.map(TerminalText.escape)
        var lines: [String]
        var gutter: String
        switch diagnostic.location {
        case .text(let range, let span):
            let (lineText, caretLine) = lineAndCarets(for: range, in: text)
            let number = String(span.line)
            gutter = String(repeating: " ", count: number.count)
            lines = [heading, "\(gutter)--> \(source):\(span.line):\(span.column)", "\(gutter) |", "\(number) | \(lineText)",
                     "\(gutter) | \(paint(caretLine, colour, style))" + (note.map { " " + $0 } ?? "")]
        case .field(let path):
            gutter = " "
            lines = [heading, " --> body.\(TerminalText.escape(path))"]
            if let note { lines.append("\(gutter) = note: \(note)") }
        }
        if let replacement = diagnostic.replacement {
            // A field's replacement is already JSON ("10"); a span's is bare text.
            let written = diagnostic.field == nil ? "\"\(TerminalText.escape(replacement))\"" : TerminalText.escape(replacement)
            lines.append("\(gutter) = fix: write \(written)")
        }
        return lines.joined(separator: "\n")
    }

    /// "2 errors, 1 warning, 0 notes": the counts of a run's findings.
    public static func summary(_ diagnostics: [Diagnostic]) -> String {
        func plural(_ count: Int, _ word: String) -> String { "\(count) \(word)\(count == 1 ? "" : "s")" }
        return [plural(diagnostics.count(of: .error), "error"), plural(diagnostics.count(of: .warning), "warning"),
                plural(diagnostics.count(of: .info), "note")].joined(separator: ", ")
    }

    /// Characters of the line shown on either side of the span, and of the span itself.
    public static let context = 40
    static let longestSpan = 80

    /// The part of the line around the span (at most `context` characters
    /// either side, `…` where it is cut), made safe to print, and the caret
    /// line beneath it. Its cost follows the window, not the line: a prompt
    /// of one long line with thousands of findings renders in linear time.
    static func lineAndCarets(for range: Range<String.Index>, in text: String) -> (String, String) {
        var lineStart = range.lowerBound, before = 0
        while lineStart > text.startIndex, before < context {
            let previous = text.index(before: lineStart)
            if text[previous].isNewline { break }
            lineStart = previous
            before += 1
        }
        let cutBefore = lineStart > text.startIndex && !text[text.index(before: lineStart)].isNewline
        var spanEnd = range.lowerBound, spanLength = 0
        while spanEnd < range.upperBound, spanEnd < text.endIndex, spanLength < longestSpan, !text[spanEnd].isNewline {
            spanEnd = text.index(after: spanEnd)
            spanLength += 1
        }
        var lineEnd = spanEnd, after = 0
        while lineEnd < text.endIndex, after < context, !text[lineEnd].isNewline {
            lineEnd = text.index(after: lineEnd)
            after += 1
        }
        let cutAfter = lineEnd < text.endIndex && !text[lineEnd].isNewline
        var shown = cutBefore ? "…" : "", padding = cutBefore ? " " : "", carets = 0
        var position = lineStart
        while position < lineEnd {
            let character = text[position]
            let printable = printableForm(character)
            shown.append(printable)
            if position < range.lowerBound {
                padding += character == "\t" ? "\t" : String(repeating: " ", count: DisplayWidth.of(printable))
            } else if position < spanEnd {
                carets += character == "\t" ? 1 : DisplayWidth.of(printable)
            }
            position = text.index(after: position)
        }
        if cutAfter { shown += "…" }
        return (shown, padding + String(repeating: "^", count: max(1, carets)))
    }

    /// Control characters, escape sequences and bidi controls would act on the
    /// terminal: they show escaped (`\u{1b}`), and the carets count what shows.
    static func printableForm(_ character: Character) -> String {
        if character == "\t" { return "\t" }
        return TerminalText.escape(String(character))
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
