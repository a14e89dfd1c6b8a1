import ArgumentParser
import CameoCatalog
import CameoText

struct Undo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "undo",
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
    var change: CountArgument?

    @OptionGroup var output: JSONFlag

    func run() throws {
        let restored = try catalog.openExisting().undo(change.map { Int64($0.value) })
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
