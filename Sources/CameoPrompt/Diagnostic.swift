/// How much a finding matters: errors stop `compose` and `request`; the rest inform.
public enum Severity: String, Sendable, Comparable, CaseIterable {
    case info, warning, error

    var rank: Int {
        switch self {
        case .info: 0
        case .warning: 1
        case .error: 2
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        lhs.rank < rhs.rank
    }
}

/// Where in the text a finding is: offsets in UTF-16 code units (what
/// editors and JavaScript count) and in Unicode scalars (what Python and
/// Rust's chars count), plus a 1-based line and column in characters.
public struct TextSpan: Sendable, Equatable {
    public var utf16: Range<Int>
    public var scalars: Range<Int>
    public var line: Int
    public var column: Int

    public init(_ range: Range<String.Index>, in text: String) {
        let utf16Start = text.utf16.distance(from: text.startIndex, to: range.lowerBound)
        utf16 = utf16Start..<(utf16Start + text.utf16.distance(from: range.lowerBound, to: range.upperBound))
        let scalarStart = text.unicodeScalars.distance(from: text.startIndex, to: range.lowerBound)
        scalars = scalarStart..<(scalarStart + text.unicodeScalars.distance(from: range.lowerBound, to: range.upperBound))
        let before = text[text.startIndex..<range.lowerBound]
        line = before.reduce(1) { $1.isNewline ? $0 + 1 : $0 }
        let lineStart = before.lastIndex(where: \.isNewline).map { text.index(after: $0) } ?? text.startIndex
        column = text.distance(from: lineStart, to: range.lowerBound) + 1
    }
}

/// One finding of a rule.
public struct Diagnostic: Sendable, Equatable {
    public var rule: String
    public var severity: Severity
    public var message: String
    /// The part of the text it is about (indices of the text that was checked).
    public var range: Range<String.Index>
    public var span: TextSpan
    /// A hint shown under the caret.
    public var note: String?
    /// What the span becomes when fixed, if there is a fix.
    public var replacement: String?

    public init(rule: String, severity: Severity, message: String, range: Range<String.Index>, in text: String,
                note: String? = nil, replacement: String? = nil) {
        self.rule = rule
        self.severity = severity
        self.message = message
        self.range = range
        span = TextSpan(range, in: text)
        self.note = note
        self.replacement = replacement
    }
}
