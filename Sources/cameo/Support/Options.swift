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

    /// For commands that change the catalog: created on first use.
    func open() throws -> Catalog {
        try Catalog.open(at: resolvedPath)
    }

    /// For commands that only read it: nothing is created, written or locked
    /// for writing, and a catalog that does not exist yet reads as empty.
    func openForReading() throws -> Catalog {
        let catalog = try Catalog.openForReading(at: resolvedPath)
        if !catalog.exists {
            Output.note("no catalog at \(catalog.path) yet; `cameo add` or `cameo import` creates it")
        }
        return catalog
    }
}

struct JSONFlag: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON document instead of text.")
    var json = false
}
