import ArgumentParser
import CameoCatalog
import Foundation

extension ImportConflictPolicy: ExpressibleByArgument {}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Read characters from a `cameo export` file, all of it or none of it.",
        discussion: """
            EXAMPLES:
              cameo import backup.json
              cameo import backup.json --on-conflict replace   # `cameo undo` takes it back
              cameo export | ssh other cameo import -
            """)

    @OptionGroup var catalog: CatalogOptions

    @Argument(help: "The export file (- for stdin).", completion: Complete.json)
    var file: String

    @Option(help: "What to do with an alias the catalog already has: skip, replace or fail.")
    var onConflict: ImportConflictPolicy = .fail

    @OptionGroup var output: JSONFlag

    func run() throws {
        let data = try InputFile.read(file, expecting: "a `cameo export` file")
        let source = file == "-" ? "stdin" : file
        let document = try Catalog.parseDocument(data, source: source)
        let summary = try catalog.open().importDocument(document, source: source, onConflict: onConflict)
        let history = document.submissions == nil ? "" : ", \(summary.submissions) submission(s)"
        let undo = summary.replaced > 0 ? "; `cameo undo` restores the replaced ones" : ""
        Output.error("imported \(summary.added) new, replaced \(summary.replaced), skipped \(summary.skipped)\(history)\(undo)")
        if output.json { try Output.json(ImportedDocument(summary)) }
    }
}
