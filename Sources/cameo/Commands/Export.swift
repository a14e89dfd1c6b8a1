import ArgumentParser
import CameoCatalog
import Foundation

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write every character, usernames included, as one JSON document.")

    @OptionGroup var catalog: CatalogOptions

    @Option(help: ArgumentHelp("Write to this file instead of stdout.", valueName: "file"))
    var out: String?

    func run() throws {
        let document = try catalog.open().exportDocument()
        let data = try CatalogJSON.encoder().encode(document) + Data("\n".utf8)
        guard let out else {
            Output.write(String(decoding: data, as: UTF8.self), to: .standardOutput)
            return
        }
        do {
            // Atomic: an interrupted export never leaves half a file where a good one was.
            try data.write(to: URL(fileURLWithPath: out), options: .atomic)
        } catch {
            throw CommandFailure("cannot write \(out): \(error.localizedDescription)", status: .invalidData)
        }
        Output.error("exported \(document.characters.count) character(s) to \(out)")
    }
}
