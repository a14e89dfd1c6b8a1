import ArgumentParser
import CameoCatalog
import CameoText

struct Undo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore what the last destructive change (rm, import --on-conflict replace, rename, edit) altered.",
        discussion: """
            The change leaves the trash. A restore that would clash with the catalog as it is now (an alias or a \
            username another character took since) says so, changes nothing and exits with 3.

            EXAMPLES:
              cameo rm duck --yes && cameo undo
              cameo trash              # what can be restored
              cameo undo 12            # restore change #12 of `cameo trash`
            """)

    @OptionGroup var catalog: CatalogOptions

    @Argument(help: ArgumentHelp("The change to restore, as `cameo trash` numbers it (default: the newest).", valueName: "change"))
    var change: Int64?

    @OptionGroup var output: JSONFlag

    func run() throws {
        let restored = try catalog.open().undo(change)
        if output.json {
            try Output.json(RestoredDocument(restored))
        } else {
            let what = restored.restored.map { "\"\($0)\"" }.joined(separator: ", ")
            let removed = restored.removed.isEmpty ? "" : "; removed what it added: " + restored.removed.map { "\"\($0)\"" }.joined(separator: ", ")
            Output.error("undid \(restored.entry.action.rawValue) #\(restored.entry.id): restored \(what.isEmpty ? "nothing" : what)\(removed)")
        }
    }
}

struct TrashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trash",
        abstract: "List the destructive changes `cameo undo` can take back, newest first.",
        discussion: """
            The trash keeps the last \(Catalog.trashCapacity) changes.

            EXAMPLES:
              cameo trash
              cameo trash --json
            """)

    @OptionGroup var catalog: CatalogOptions

    @OptionGroup var output: JSONFlag

    func run() throws {
        let entries = try catalog.openForReading().trash()
        if output.json {
            try Output.json(entries.map(TrashEntryDocument.init))
            return
        }
        guard !entries.isEmpty else {
            Output.error("the trash is empty; `cameo rm`, `import --on-conflict replace`, `rename` and `edit` keep what they change here")
            return
        }
        var table = TextTable("#", "WHEN", "CHANGE", "CHARACTERS")
        for entry in entries {
            table.add("\(entry.id)", CharacterText.minute(entry.createdAt), entry.action.rawValue, entry.summary)
        }
        Output.line(table.render())
    }
}

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
