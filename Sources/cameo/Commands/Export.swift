import ArgumentParser
import CameoCatalog
import CameoText
import Foundation

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every character, usernames included, as one JSON document.",
        discussion: """
            A row the catalog holds but cameo cannot read is left out and named; the \
            export then ends with exit code 5 after writing every other character.

            EXAMPLES:
              cameo export > characters.json
              cameo export --history --out backup.json
              cameo export --out backup.json --force
            """)

    @OptionGroup var catalog: CatalogOptions

    @Option(help: ArgumentHelp("Write to this file instead of stdout (replaced whole, or left as it was; new files are 0600).", valueName: "file"), completion: Complete.json)
    var out: String?

    @Flag(help: "Replace the --out file when it exists.")
    var force = false

    @Flag(help: "Include every submission (requests and answers), for `cameo import` to read back.")
    var history = false

    func run() throws {
        if let out, !force, FileOutput.isExistingRegularFile(out) {
            throw CommandFailure("\(out) already exists; add --force to replace it, or choose another --out", status: .conflict)
        }
        let catalog = try catalog.openForReading()
        let submissions = history ? try catalog.exchangedSubmissions() : nil
        var exported = 0
        var unreadable: [String] = []
        // Each character is written as it is read; rows cameo cannot read are passed over and named.
        let write = { (stream: JSONStream) throws in
            stream.json.catalogDocumentStart()
            unreadable = try catalog.eachCharacter(skippingUnreadable: true) { character in
                stream.json.element()
                stream.json.character(CharacterDocument(character))
                exported += 1
                try stream.flushIfLarge()
            }
            if let submissions {
                stream.json.catalogDocumentEnd(submissions: submissions)
            } else {
                stream.json.catalogDocumentEnd()
            }
        }
        if let out {
            try FileOutput.write(to: out, newFileMode: .userOnly) { sink in
                let stream = JSONStream { try sink(Array($0)) }
                try write(stream)
                try stream.finish()
            }
            Output.error("exported \(exported) character(s)\(submissions.map { " and \($0.count) submission(s)" } ?? "") to \(out)")
        } else {
            try Output.streamJSON(write)
        }
        guard unreadable.isEmpty else {
            for row in unreadable { Output.warning("left out \(row)") }
            throw CommandFailure(
                "exported \(exported) character(s) but left out \(unreadable.count) row(s) cameo cannot read (listed above); `cameo rm ALIAS` removes one",
                status: .catalogUnusable)
        }
    }
}
