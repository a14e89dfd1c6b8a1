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

    /// Every write is checked (see StandardStreams).
    private static func writeRaw(_ text: String, to stream: Stream) {
        var text = text
        text.withUTF8 { bytes in
            switch stream {
            case .standardOutput: StandardStreams.write(UnsafeRawBufferPointer(bytes))
            case .standardError: StandardStreams.writeDiagnostics(UnsafeRawBufferPointer(bytes))
            }
        }
    }

    /// Prints one JSON document on stdout. JSONEncoder escapes C0 controls;
    /// C1 controls and bidi controls are written as `\uXXXX` too, which
    /// decodes to the same text but shows nothing surprising when the
    /// document lands on a terminal.
    static func json<T: Encodable>(_ value: T) throws {
        let data = try CanonicalJSON.encode(value, pretty: true)
        line(TerminalText.jsonEscaped(String(decoding: data, as: UTF8.self)))
    }

    /// Streams a JSON document to stdout as `produce` writes it, a piece at a time.
    static func streamJSON(_ produce: (JSONStream) throws -> Void) throws {
        let stream = JSONStream { StandardStreams.write($0) }
        try produce(stream)
        try stream.finish()
    }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    /// Only the three variables that decide it are read: Foundation builds the whole environment on each ask.
    static let colourEnabled: Bool = Presentation.colour.enabled(
        environment: ["FORCE_COLOR", "NO_COLOR", "TERM"].reduce(into: [:]) { values, name in
            values[name] = getenv(name).map { String(cString: $0) }
        },
        terminal: isatty(STDERR_FILENO) == 1)

    enum Colour: String {
        case red = "31", yellow = "33", cyan = "36"
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

/// Writes to the process's stdout and stderr file descriptors, checking
/// every write: output that cannot be written (a full disk, a closed
/// terminal) ends cameo with an error instead of a truncated result.
enum StandardStreams {
    /// A closed pipe must surface as EPIPE from write(), not kill the process.
    private static let pipeSignalIgnored: Void = { signal(SIGPIPE, SIG_IGN) }()

    static func write(_ bytes: UnsafeRawBufferPointer) {
        _ = pipeSignalIgnored
        guard let failure = writeAll(bytes, to: STDOUT_FILENO) else { return }
        // The reader went away (`cameo list | head`): nothing is wrong, nobody is listening.
        if failure == EPIPE { exit(ExitStatus.success.rawValue) }
        let reason = String(cString: strerror(failure))
        writeDiagnostics("cameo: error: cannot write to stdout: \(reason); the output is incomplete\n")
        exit(ExitStatus.invalidData.rawValue)
    }

    static func writeDiagnostics(_ text: String) {
        var text = text
        text.withUTF8 { writeDiagnostics(UnsafeRawBufferPointer($0)) }
    }

    /// Diagnostics that cannot be written have nowhere else to go: the exit
    /// code still tells what happened.
    static func writeDiagnostics(_ bytes: UnsafeRawBufferPointer) {
        _ = pipeSignalIgnored
        _ = writeAll(bytes, to: STDERR_FILENO)
    }

    /// Writes every byte, through interrupted and partial writes; returns the
    /// errno of a failure.
    static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let written = posixWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written > 0 {
                offset += written
            } else if written < 0, errno == EINTR {
                continue
            } else if written < 0, errno == EAGAIN {
                var ready = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                _ = poll(&ready, 1, 1000)
            } else {
                return written < 0 ? errno : EIO
            }
        }
        return nil
    }
}

/// write(2), out of reach of the `write` methods above.
func posixWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

/// A JSON document written in pieces as it is produced.
final class JSONStream {
    var json = PrettyJSON()
    private let sink: (UnsafeRawBufferPointer) throws -> Void

    init(sink: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.sink = sink
    }

    /// Hands what is written so far to the sink once it is worth a write.
    func flushIfLarge() throws {
        guard json.count >= 1 << 16 else { return }
        try json.withBytes(sink)
        json.removeAll()
    }

    func finish() throws {
        json.appendByte(0x0A)
        try json.withBytes(sink)
        json.removeAll()
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
        // For another program (like `gh`): one line per row, tab-separated, no padding.
        if Presentation.tableFormat.isTSV(terminal: isatty(STDOUT_FILENO) == 1) {
            return all.map { $0.map { $0.replacingOccurrences(of: "\t", with: "\\t") }.joined(separator: "\t") }.joined(separator: "\n")
        }
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

/// How output looks, chosen once per run by `--color` and `--format` (given
/// before or after the command) and the environment.
enum Presentation {
    enum Colour: String, CaseIterable {
        case auto, always, never

        /// `--color` first; then FORCE_COLOR and NO_COLOR, each only when set to
        /// something (an empty NO_COLOR counts as unset, as no-color.org says);
        /// then whether stderr is a terminal that shows colour.
        func enabled(environment: [String: String], terminal: Bool) -> Bool {
            switch self {
            case .always: return true
            case .never: return false
            case .auto:
                if let force = environment["FORCE_COLOR"], !force.isEmpty, force != "0" { return true }
                if let noColour = environment["NO_COLOR"], !noColour.isEmpty { return false }
                return terminal && environment["TERM"] != "dumb"
            }
        }
    }

    enum TableFormat: String, CaseIterable {
        case auto, table, tsv

        func isTSV(terminal: Bool) -> Bool {
            self == .tsv || (self == .auto && !terminal)
        }
    }

    nonisolated(unsafe) static var colour = Colour.auto
    nonisolated(unsafe) static var tableFormat = TableFormat.auto
}
