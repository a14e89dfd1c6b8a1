import CameoCatalog
import CameoText
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where and how cameo writes: data to stdout, everything else to stderr,
/// colour only on a terminal and never with NO_COLOR.
enum Output {
    enum Stream {
        case standardOutput, standardError

        var handle: FileHandle {
            switch self {
            case .standardOutput: FileHandle.standardOutput
            case .standardError: FileHandle.standardError
            }
        }
    }

    static func line(_ text: String = "") {
        write(text + "\n", to: .standardOutput)
    }

    static func error(_ text: String) {
        write(text + "\n", to: .standardError)
    }

    /// Warnings and notes are one line each, whatever file name or provider text they quote.
    static func warning(_ text: String) {
        error(paint("warning", .yellow) + ": " + TerminalText.escape(text))
    }

    static func note(_ text: String) {
        error(paint("note", .cyan) + ": " + TerminalText.escape(text))
    }

    /// Unbuffered: what cameo printed is out before it exits or crashes.
    /// Everything cameo prints passes here, so this is where text from outside
    /// (a provider's message, a file name, a note) is kept from acting on the
    /// terminal: control characters, escape sequences and bidi controls are
    /// shown escaped, and only cameo's own colours get through.
    static func write(_ text: String, to stream: Stream) {
        writeRaw(TerminalText.guarded(text, colour: stream == .standardError && colourEnabled), to: stream)
    }

    /// Redraws the current stderr line in place (a progress bar): the text is
    /// guarded, the carriage return and the line erase are cameo's own.
    static func redrawLine(_ text: String) {
        writeRaw("\r\u{1B}[2K" + TerminalText.guarded(text, colour: colourEnabled), to: .standardError)
    }

    static func clearLine() {
        writeRaw("\r\u{1B}[2K", to: .standardError)
    }

    private static func writeRaw(_ text: String, to stream: Stream) {
        // A closed pipe (`cameo list | head`) is not an error worth a crash.
        try? stream.handle.write(contentsOf: Data(text.utf8))
    }

    /// Prints one JSON document on stdout. JSONEncoder escapes C0 controls;
    /// C1 controls and bidi controls are written as `\uXXXX` too, which
    /// decodes to the same text but shows nothing surprising when the
    /// document lands on a terminal.
    static func json<T: Encodable>(_ value: T) throws {
        let data = try CatalogJSON.encoder().encode(value)
        line(TerminalText.jsonEscaped(String(decoding: data, as: UTF8.self)))
    }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    static let colourEnabled: Bool = {
        let environment = ProcessInfo.processInfo.environment
        return environment["NO_COLOR"] == nil && environment["TERM"] != "dumb" && isatty(STDERR_FILENO) == 1
    }()

    enum Colour: String {
        case red = "31", yellow = "33", cyan = "36", green = "32", bold = "1", dim = "2"
    }

    /// Colours text bound for stderr.
    static func paint(_ text: String, _ colour: Colour) -> String {
        colourEnabled ? "\u{1B}[\(colour.rawValue)m\(text)\u{1B}[0m" : text
    }

    /// Asks a yes/no question on the terminal; anything but y/yes is no.
    static func confirm(_ question: String) -> Bool {
        write(question + " [y/N] ", to: .standardError)
        guard let answer = readLine() else { return false }
        return ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
    }
}

/// A plain-text table whose columns line up under CJK text too.
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []

    init(_ headers: String...) {
        self.headers = headers
    }

    mutating func add(_ cells: String...) {
        rows.append(cells)
    }

    func render() -> String {
        // Cells are escaped before they are measured, so columns line up with what shows.
        let all = ([headers] + rows).map { $0.map { TerminalText.escape($0) } }
        let widths = headers.indices.map { column in
            all.map { DisplayWidth.of($0[column]) }.max() ?? 0
        }
        return all.map { cells in
            cells.enumerated().map { column, cell in
                column == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - DisplayWidth.of(cell))
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }.joined(separator: "\n")
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var result = self
        while result.last == " " { result.removeLast() }
        return result
    }
}
