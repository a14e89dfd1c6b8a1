import CameoCatalog
import CameoText
import Foundation

// How the catalog commands (trash, undo, rm, import) show what they did.

extension TrashEntry {
    /// The characters, as a table cell.
    var summary: String {
        let aliases = self.aliases
        let added = items.count - aliases.count
        var text = aliases.prefix(5).joined(separator: ", ") + (aliases.count > 5 ? ", … (\(aliases.count))" : "")
        if added > 0 { text += (text.isEmpty ? "" : "; ") + "\(added) added" }
        return text
    }
}

/// A change in the trash as `trash --json` prints it.
struct TrashEntryDocument: Encodable {
    var id: Int64
    var change: String
    var createdAt: Timestamp
    /// Characters as they were before the change.
    var characters: [Item]
    /// How many characters the change created (undo removes them).
    var added: Int

    struct Item: Encodable {
        var alias: String
        var usernames: Int
    }

    init(_ entry: TrashEntry) {
        id = entry.id
        change = entry.action.rawValue
        createdAt = entry.createdAt
        characters = entry.items.compactMap { item in item.alias.map { Item(alias: $0, usernames: item.usernames) } }
        added = entry.items.count - characters.count
    }

    enum CodingKeys: String, CodingKey {
        case id, change, characters, added
        case createdAt = "created_at"
    }
}

/// What `undo --json` prints.
struct RestoredDocument: Encodable {
    var undone: TrashEntryDocument
    var restored: [String]
    var removed: [String]

    init(_ change: RestoredChange) {
        undone = TrashEntryDocument(change.entry)
        restored = change.restored
        removed = change.removed
    }
}

/// What `rm --json` prints.
struct RemovedDocument: Encodable {
    var alias: String
    /// How many usernames went with it.
    var usernames: Int
    /// False when the confirmation was declined.
    var removed: Bool
}

/// What `import --json` prints: how many characters and submissions went where.
struct ImportedDocument: Encodable {
    var added: Int
    var replaced: Int
    var skipped: Int
    var submissions: Int

    init(_ summary: ImportSummary) {
        added = summary.added
        replaced = summary.replaced
        skipped = summary.skipped
        submissions = summary.submissions
    }
}
