import Foundation
import CameoText

/// Everything the catalog refuses, phrased for the person at the terminal:
/// what is wrong, with which value, and what to do about it.
public enum CatalogError: Error, Equatable, Sendable {
    case invalidAlias(String, reason: String)
    case invalidWindow(String, reason: String)
    case invalidURL(String, reason: String)
    case invalidUsername(String, reason: String)
    case invalidTag(String, reason: String)
    case unknownAlias(String, suggestion: String?)
    case duplicateAlias(String)
    case usernameTaken(String, owner: String)
    case unknownUsername(alias: String, username: String)
    case unknownSubmission(Int64)
    case notACatalog(path: String, detail: String)
    case newerSchema(path: String, unknownMigrations: [String])
    case cannotOpen(path: String, detail: String)
    /// A stored row holds what cameo cannot read (a value out of range, an unknown word).
    case unreadableRow(path: String, row: String, detail: String)
    case malformedImport(source: String, detail: String)
    case importConflict(aliases: [String])
    /// `cameo undo` with an empty trash.
    case nothingToUndo
    case unknownTrashEntry(Int64)
    /// Undoing would bring back aliases or usernames other characters hold now.
    case restoreConflict([String])

    public var category: Category {
        switch self {
        case .invalidAlias, .invalidWindow, .invalidURL, .invalidUsername, .invalidTag:
            .invalidValue
        case .unknownAlias, .unknownUsername, .unknownSubmission, .nothingToUndo, .unknownTrashEntry:
            .notFound
        case .duplicateAlias, .usernameTaken, .importConflict, .restoreConflict:
            .conflict
        case .malformedImport:
            .invalidData
        case .notACatalog, .newerSchema, .cannotOpen, .unreadableRow:
            .catalogUnusable
        }
    }

    /// Broad kinds of failure; the command line maps each to one exit code.
    public enum Category: Sendable {
        case invalidValue, notFound, conflict, invalidData, catalogUnusable
    }
}

extension CatalogError {
    /// What every store makes of an error of cameo's own, whichever database
    /// it came through: a `CatalogError` as it is, an unreadable row named in
    /// the catalog at `path`. Nil for the database's own errors, which each
    /// store translates.
    init?(own error: any Error, path: String) {
        if let error = error as? CatalogError {
            self = error
        } else if let error = error as? UnreadableRow {
            self = .unreadableRow(path: path, row: error.row, detail: error.detail)
        } else {
            return nil
        }
    }
}

extension CatalogError: CustomStringConvertible, LocalizedError {
    public var description: String {
        switch self {
        case .invalidAlias(let alias, let reason):
            "invalid alias \(quoted(alias)): \(reason); use 1 to 64 letters, digits, '_' or '-'"
        case .invalidWindow(let text, let reason):
            "invalid window \(quoted(text)): \(reason); write START,END in seconds, "
                + "\(Seconds.format(WindowLength.minimum)) to \(Seconds.format(WindowLength.maximum)) seconds long "
                + "(the spec's own limit is 1 to 3; a provider profile may allow more), e.g. 1,3"
        case .invalidURL(let text, let reason):
            "invalid source URL \(quoted(text)): \(reason); give the http(s) address the provider will download"
        case .invalidUsername(let text, let reason):
            "invalid username \(quoted(text)): \(reason); usernames are letters, digits, '.', '_' or '-'"
        case .invalidTag(let text, let reason):
            "invalid tag \(quoted(text)): \(reason)"
        case .unknownAlias(let alias, let suggestion):
            if let suggestion {
                "no character named \(quoted(alias)); did you mean \(quoted(suggestion))? (`cameo list` shows them all)"
            } else {
                "no character named \(quoted(alias)); `cameo list` shows the catalog, `cameo add` registers one"
            }
        case .duplicateAlias(let alias):
            "a character named \(quoted(alias)) already exists; pick another alias, or `cameo edit`/`cameo rm` the existing one"
        case .usernameTaken(let username, let owner):
            "username \(quoted(username)) already belongs to \(quoted(owner)); a platform username names one character"
        case .unknownUsername(let alias, let username):
            "\(quoted(alias)) has no username \(quoted(username)); `cameo show \(alias)` lists its usernames"
        case .unknownSubmission(let id):
            "no submission #\(id); `cameo history` lists them"
        case .notACatalog(let path, let detail):
            "\(path) is not a cameo catalog (\(detail)); point --db or CAMEO_DB at a catalog, or at a new file to start one"
        case .newerSchema(let path, let unknown):
            "\(path) was written by a newer cameo (migrations \(unknown.joined(separator: ", ")) are unknown to this one); upgrade cameo to use it"
        case .cannotOpen(let path, let detail):
            "cannot open the catalog at \(path): \(detail)"
        case .unreadableRow(let path, let row, let detail):
            "cannot read \(row) in the catalog at \(path): \(detail); "
                + (row.hasPrefix("submission #")
                    ? "the row was written by another program or by hand: restore the catalog from a backup, or correct that row with sqlite3"
                    : "`cameo rm ALIAS` removes that character, and `cameo export` writes every other one")
        case .malformedImport(let source, let detail):
            "cannot import \(source): \(detail); nothing was imported"
        case .importConflict(let aliases):
            "cannot import: \(aliases.count) alias(es) already in the catalog (\(aliases.prefix(5).map(quoted).joined(separator: ", "))\(aliases.count > 5 ? ", …" : "")); nothing was imported; use --on-conflict skip or replace"
        case .nothingToUndo:
            "nothing to undo: the trash is empty (`cameo trash` lists what can be restored)"
        case .unknownTrashEntry(let id):
            "no change #\(id) in the trash; `cameo trash` lists what can be restored"
        case .restoreConflict(let clashes):
            "cannot undo: \(clashes.prefix(3).joined(separator: "; "))\(clashes.count > 3 ? "; …" : ""); nothing was changed; rename or remove those first"
        }
    }

    public var errorDescription: String? { description }
}

/// A value in a message, cut short when long: an error line about a
/// 100 KB alias stays one readable line.
func quoted(_ text: String) -> String {
    let shown = text.count > 80 ? text.prefix(60) + "…" + " (\(text.count) characters)" : text
    return "\"" + shown + "\""
}
