import ArgumentParser
import CameoCatalog
import Foundation

extension ImportConflictPolicy: ExpressibleByArgument {}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read characters from a `cameo export` file, all of it or none of it.")

    @OptionGroup var catalog: CatalogOptions

    @Argument(help: "The export file (- for stdin).")
    var file: String

    @Option(help: "What to do with an alias the catalog already has: skip, replace or fail.")
    var onConflict: ImportConflictPolicy = .fail

    func run() throws {
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard FileManager.default.fileExists(atPath: file) else {
                throw CommandFailure("no file at \(file); give the path of a `cameo export` file", status: .notFound)
            }
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw CommandFailure("cannot read \(file) (check its permissions); nothing was imported", status: .invalidData)
            }
            data = contents
        }
        let source = file == "-" ? "stdin" : file
        let document = try Catalog.parseDocument(data, source: source)
        let summary = try catalog.open().importDocument(document, source: source, onConflict: onConflict)
        Output.error("imported \(summary.added) new, replaced \(summary.replaced), skipped \(summary.skipped)")
    }
}
