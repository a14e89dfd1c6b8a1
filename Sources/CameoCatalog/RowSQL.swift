import GRDB

/// The SELECTs the read path makes for every character, written once per
/// record type from its `Columns` (so the selection and the positional
/// decoding still cannot drift apart). GRDB's query interface builds the same
/// SQL again for every request, through expression trees and each column's
/// name by reflection: that was a good part of `show`'s own time.
enum RowSQL {
    static let character = select(CharacterRecord.Columns.self, from: CharacterRecord.databaseTableName)
    static let tag = select(TagRecord.Columns.self, from: TagRecord.databaseTableName)
    static let identity = select(Identity.Columns.self, from: Identity.databaseTableName)

    private static func select<Columns: PositionalColumns>(_: Columns.Type, from table: String) -> String {
        "SELECT " + Columns.allCases.map(\.name.quotedDatabaseIdentifier).joined(separator: ", ") + " FROM " + table.quotedDatabaseIdentifier
    }

    /// ` WHERE column IN (…)` for row ids (numbers: written inline, nothing to escape).
    static func whereIn(_ column: String, _ ids: [Int64]) -> String {
        " WHERE \(column) IN (\(ids.map(String.init).joined(separator: ",")))"
    }
}
