import CameoCatalog
import CameoPrompt
import CameoText
import Foundation

extension Catalog: CharacterSource {
    public func promptCharacters(named keys: Set<String>) throws -> [PromptCharacter] {
        try mentionDirectory(names: keys).entries.map { entry in
            PromptCharacter(alias: entry.alias, activeUsername: entry.activeUsername,
                            retiredUsernames: entry.retiredUsernames.map { .init(username: $0.username, revoked: $0.revoked) },
                            mediaDuration: entry.mediaDuration, windowEnd: entry.windowEnd)
        }
    }
}

/// A file named on the command line, or stdin for `-`. Reads stop at
/// `limit` bytes: `/dev/zero` or an endless pipe is refused, not buffered.
enum InputFile {
    /// Far above any export of a real catalog or any request body.
    static let defaultLimit = 64 << 20

    static func read(_ path: String, expecting what: String, limit: Int = defaultLimit) throws -> Data {
        let handle: FileHandle
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw CommandFailure("no file at \(path); give the path of \(what)", status: .notFound)
            }
            guard !isFolder.boolValue else {
                throw CommandFailure("\(path) is a folder; give the path of \(what)", status: .invalidData)
            }
            guard let opened = FileHandle(forReadingAtPath: path) else {
                throw CommandFailure("cannot read \(path) (check its permissions); nothing was done", status: .invalidData)
            }
            handle = opened
        }
        defer { if path != "-" { try? handle.close() } }
        var contents = Data()
        do {
            while contents.count <= limit, let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                contents.append(chunk)
            }
        } catch {
            throw CommandFailure("cannot read \(path == "-" ? "stdin" : path): \(error.localizedDescription); nothing was done", status: .invalidData)
        }
        guard contents.count <= limit else {
            let source = path == "-" ? "stdin" : path
            throw CommandFailure("\(source) holds more than \(limit >> 20) MB, too much for \(what); nothing was done", status: .invalidData)
        }
        return contents
    }
}

enum PromptInput {
    /// Prompts are a few hundred characters; a megabyte is already absurd.
    static let limit = 1 << 20

    /// The prompt argument, or stdin for `-` (without the newline that ends a piped line).
    static func read(_ argument: String) throws -> String {
        guard argument == "-" else { return argument }
        let data = try InputFile.read("-", expecting: "a prompt", limit: PromptInput.limit)
        guard var text = String(data: data, encoding: .utf8) else {
            throw CommandFailure("the prompt on stdin is not UTF-8 text", status: .invalidData)
        }
        if text.hasSuffix("\r\n") { text.removeLast() } else if text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}

/// Prompt and request findings, as people read them: one renderer for both.
enum DiagnosticsOutput {
    /// Findings about text show carets under `text` (named `source`); those about a body's fields name the field.
    static func printHuman(_ diagnostics: [Diagnostic], in text: String = "", source: String = "prompt") {
        let style = DiagnosticRenderer.Style(colour: Output.colourEnabled)
        for diagnostic in diagnostics {
            Output.error(DiagnosticRenderer.render(diagnostic, in: text, source: source, style: style) + "\n")
        }
    }

    static func summary(_ diagnostics: [Diagnostic]) -> String {
        DiagnosticRenderer.summary(diagnostics)
    }
}

/// A finding in JSON, for editors and scripts: one shape for prompt and
/// request findings. Exactly one of `span` (in a text) and `field` (of a
/// request body) is set; the other is null.
struct DiagnosticDocument: Encodable {
    var rule: String
    var severity: String
    var message: String
    @NullEncoded var note: String?
    @NullEncoded var replacement: String?
    @NullEncoded var span: Span?
    @NullEncoded var field: String?

    struct Span: Codable, Equatable {
        /// Offsets in UTF-16 code units, end exclusive.
        var utf16: [Int]
        /// Offsets in Unicode scalars, end exclusive.
        var scalars: [Int]
        var line: Int
        var column: Int
    }

    init(_ diagnostic: Diagnostic) {
        rule = diagnostic.rule
        severity = diagnostic.severity.rawValue
        message = diagnostic.message
        note = diagnostic.note
        replacement = diagnostic.replacement
        switch diagnostic.location {
        case .text(_, let span):
            self.span = Span(utf16: [span.utf16.lowerBound, span.utf16.upperBound], scalars: [span.scalars.lowerBound, span.scalars.upperBound],
                             line: span.line, column: span.column)
        case .field(let path):
            field = path
        }
    }

    enum CodingKeys: String, CodingKey { case rule, severity, message, note, replacement, span, field }
}

/// How many findings of each severity a document holds, under the names
/// every findings document uses.
struct FindingCounts: Encodable {
    var errors: Int
    var warnings: Int
    var notes: Int

    init(_ diagnostics: [Diagnostic]) {
        errors = diagnostics.count(of: .error)
        warnings = diagnostics.count(of: .warning)
        notes = diagnostics.count(of: .info)
    }
}
