import CameoText
import GRDB

extension Catalog {
    /// For each username the catalog knows: its character's alias and the provider it was made on (when recorded).
    public func providers(ofUsernames usernames: [String]) throws(CatalogError) -> [(username: String, alias: String, provider: String?)] {
        guard !usernames.isEmpty else { return [] }
        let keys = usernames.map { NameKey.of($0) }
        return try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT identity.username, character.alias, identity.provider
                FROM identity JOIN character ON character.id = identity.characterId
                WHERE identity.usernameKey IN (\(databaseQuestionMarks(count: keys.count)))
                """, arguments: StatementArguments(keys))
            return rows.map { (username: $0[0], alias: $0[1], provider: $0[2]) }
        }
    }
}
