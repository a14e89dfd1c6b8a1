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

    init(utf16: Range<Int>, scalars: Range<Int>, line: Int, column: Int) {
        self.utf16 = utf16
        self.scalars = scalars
        self.line = line
        self.column = column
    }
}

/// Finds spans in one text in time that follows the span, not the text: it
/// keeps the counts at every `stride`-th character, so a prompt with
/// thousands of findings is located in linear time overall.
public struct TextLocator: Sendable {
    struct Checkpoint: Sendable {
        var index: String.Index
        var utf16: Int
        var scalars: Int
        var line: Int
        var column: Int
    }

    static let stride = 64
    let text: String
    private var checkpoints: [Checkpoint] = []

    public init(_ text: String) {
        self.text = text
        var point = Checkpoint(index: text.startIndex, utf16: 0, scalars: 0, line: 1, column: 1)
        var count = 0
        checkpoints.reserveCapacity(text.utf8.count / Self.stride + 1)
        while point.index < text.endIndex {
            if count % Self.stride == 0 { checkpoints.append(point) }
            Self.advance(&point, over: text[point.index], in: text)
            count += 1
        }
        checkpoints.append(point)
    }

    static func advance(_ point: inout Checkpoint, over character: Character, in text: String) {
        point.utf16 += character.utf16.count
        point.scalars += character.unicodeScalars.count
        if character.isNewline {
            point.line += 1
            point.column = 1
        } else {
            point.column += 1
        }
        point.index = text.index(after: point.index)
    }

    public func span(_ range: Range<String.Index>) -> TextSpan {
        var low = 0, high = checkpoints.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if checkpoints[middle].index <= range.lowerBound { low = middle } else { high = middle - 1 }
        }
        var point = checkpoints[low]
        while point.index < range.lowerBound {
            let next = text.index(after: point.index)
            guard next <= range.lowerBound else { break }
            Self.advance(&point, over: text[point.index], in: text)
        }
        // A start inside a character (never from the parser, but possible from a caller): count the rest exactly.
        let utf16Start = point.utf16 + text.utf16.distance(from: point.index, to: range.lowerBound)
        let scalarStart = point.scalars + text.unicodeScalars.distance(from: point.index, to: range.lowerBound)
        return TextSpan(
            utf16: utf16Start..<(utf16Start + text.utf16.distance(from: range.lowerBound, to: range.upperBound)),
            scalars: scalarStart..<(scalarStart + text.unicodeScalars.distance(from: range.lowerBound, to: range.upperBound)),
            line: point.line, column: point.column)
    }
}

/// One finding of a rule, about a prompt or a request body: the one type
/// every rule returns, every renderer prints and every `--json` writes.
public struct Diagnostic: Sendable, Equatable {
    /// Where a finding is: a span of a text, or a field of a JSON body.
    public enum Location: Sendable, Equatable {
        /// Indices of the text that was checked, and the span they cover.
        case text(Range<String.Index>, TextSpan)
        /// The field's path, e.g. `duration` or `images[1]`.
        case field(String)
    }

    public var rule: String
    public var severity: Severity
    public var message: String
    public var location: Location
    /// A hint shown under the finding.
    public var note: String?
    /// What the location becomes when fixed, if there is a fix: the text
    /// that replaces the span, or the JSON value that replaces the field.
    public var replacement: String?

    public init(rule: String, severity: Severity, message: String, location: Location, note: String? = nil, replacement: String? = nil) {
        self.rule = rule
        self.severity = severity
        self.message = message
        self.location = location
        self.note = note
        self.replacement = replacement
    }

    /// The span in the text, for a finding about text.
    public var span: TextSpan? {
        if case .text(_, let span) = location { span } else { nil }
    }

    public var range: Range<String.Index>? {
        if case .text(let range, _) = location { range } else { nil }
    }

    /// The field's path, for a finding about a request body.
    public var field: String? {
        if case .field(let path) = location { path } else { nil }
    }
}

extension [Diagnostic] {
    public var hasErrors: Bool { contains { $0.severity == .error } }

    public func count(of severity: Severity) -> Int {
        reduce(0) { $0 + ($1.severity == severity ? 1 : 0) }
    }
}
