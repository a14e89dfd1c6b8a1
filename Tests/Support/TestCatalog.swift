import CameoCatalog
import Foundation

/// The two places a catalog can live. Suites take it as an argument, so each
/// test runs once against each store.
public enum Store: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres

    public var description: String { rawValue }
}

/// A fresh, empty catalog for one test: a file in its scratch folder, or a
/// new database in the test process's PostgreSQL cluster.
public struct TestCatalog: Sendable {
    public let store: Store
    /// What `--db` / CAMEO_DB would say.
    public let location: String
    /// What a client needs besides the location (the cluster's password).
    public let environment: [String: String]
    /// The database's name, for a postgres catalog.
    public let database: String?

    public init(_ store: Store, in scratch: Scratch, file: String = "catalog.sqlite") throws {
        self.store = store
        switch store {
        case .sqlite:
            location = scratch.path(file)
            environment = [:]
            database = nil
        case .postgres:
            let cluster = try PostgresCluster.start()
            let name = try cluster.createDatabase()
            location = cluster.url(database: name)
            environment = cluster.environment
            database = name
        }
    }

    public func open(clock: CatalogClock = .system) throws -> any CatalogStore {
        try CatalogStores.open(location, environment: environment, clock: clock)
    }

    public func openForReading() throws -> any CatalogStore {
        try CatalogStores.openForReading(location, environment: environment)
    }

    /// The command line, with this catalog as CAMEO_DB.
    public func cli(home: String, extra: [String: String] = [:]) -> CLI {
        CLI(database: location, home: home, extra: environment.merging(extra) { $1 })
    }

    /// Runs SQL on the catalog's database (postgres only).
    @discardableResult
    public func sql(_ text: String) throws -> String {
        guard let database else { throw PostgresCluster.ClusterError(description: "not a postgres catalog") }
        return try PostgresCluster.start().psql(text, database: database)
    }
}
