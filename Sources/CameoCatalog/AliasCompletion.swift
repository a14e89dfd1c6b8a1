import CameoText
import GRDB

extension Catalog {
    /// Aliases whose key starts with `prefix`'s, in key order: what a shell
    /// completes. A range over the unique aliasKey index, so a 10,000-character
    /// catalog answers as fast as a small one.
    public func aliases(startingWith prefix: String, limit: Int = 500) throws(CatalogError) -> [String] {
        let key = NameKey.of(prefix)
        return try read { db in
            try String.fetchAll(db, sql: """
                SELECT alias FROM character WHERE aliasKey >= ? AND aliasKey < ? ORDER BY aliasKey LIMIT ?
                """, arguments: [key, key + "\u{10FFFF}", limit])
        }
    }
}
