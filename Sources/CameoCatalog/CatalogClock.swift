import Foundation
import GRDB

/// Where a catalog's times come from: the system's clock, or one a test sets.
/// A write reads it once, as its transaction starts, and every row it stamps
/// gets that one time: the SQLite store through GRDB's `transactionClock`
/// (`db.transactionDate`), the PostgreSQL store in `PostgresCatalog.write`.
public struct CatalogClock: Sendable {
    let now: @Sendable () -> Timestamp

    public init(_ now: @escaping @Sendable () -> Timestamp) {
        self.now = now
    }

    public static let system = CatalogClock { .now }
}

extension Database {
    /// The time of the current write transaction, from the catalog's clock.
    var transactionTime: Timestamp {
        get throws { Timestamp(try transactionDate) }
    }
}
