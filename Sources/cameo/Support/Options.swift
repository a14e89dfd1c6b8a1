import ArgumentParser
import CameoCatalog
import Foundation

/// `--db`, shared by every command that reads or writes the catalog.
struct CatalogOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: ArgumentHelp(
        "The catalog file (default: $CAMEO_DB, else $XDG_DATA_HOME/cameo/catalog.sqlite).", valueName: "path"))
    var path: String?

    var resolvedPath: String {
        CatalogLocation.resolve(explicit: path, environment: ProcessInfo.processInfo.environment)
    }

    func open() throws -> Catalog {
        try Catalog.open(at: resolvedPath)
    }
}

struct JSONFlag: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON document instead of text.")
    var json = false
}
