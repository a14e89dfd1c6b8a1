import CameoText
import GRDB

/// The index behind an unknown name's did-you-mean on an SQLite catalog.
///
/// An alias within `k` edits of a typed name (`k` is what `ClosestName`
/// allows for the name's length, 1 to 3) keeps one of its `k + 1` pieces
/// intact, so that piece occurs in the typed name. The `aliasPiece` table
/// holds each alias key cut into 2, 3 and 4 pieces at fixed offsets;
/// triggers on `character` keep it in step with every insert, rename and
/// delete, whoever makes them. A did-you-mean looks up the typed name's
/// substrings in it, so it reads a few index entries instead of every alias.
///
/// SQLite counts code points, Swift characters: the two agree on keys made
/// of ASCII, CJK ideographs, kana and Hangul syllables. Other keys are cut
/// into no pieces and stored once with `pieces = 0`: always candidates.
enum AliasPieces {
    /// One for each edit limit `ClosestName.limit(forLength:)` can give (1...3).
    static let pieceCounts = [2, 3, 4]

    /// Scalars outside the ranges where SQLite's code points are Swift's characters.
    static let complexScalar = "[^ -~\u{3041}-\u{3096}\u{309D}-\u{30FF}\u{3400}-\u{4DBF}\u{4E00}-\u{9FFF}\u{AC00}-\u{D7A3}]"

    /// Creates the table and its triggers, and fills it from the characters there are.
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE aliasPiece (
                pieces INTEGER NOT NULL,
                piece TEXT NOT NULL,
                keyLength INTEGER NOT NULL,
                characterId INTEGER NOT NULL,
                PRIMARY KEY (pieces, piece, keyLength, characterId)
            ) WITHOUT ROWID
            """)
        try db.execute(sql: "CREATE INDEX aliasPiece_characterId ON aliasPiece(characterId)")
        try createTriggers(db)
        try fill(db)
    }

    /// Adds the pieces of every character's alias.
    static func fill(_ db: Database) throws {
        try db.execute(sql: insert(key: "character.aliasKey", id: "character.id", from: "character"))
    }

    /// The triggers alone: a migration that rebuilds the `character` table
    /// drops them with it and must call this again.
    static func createTriggers(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TRIGGER aliasPiece_insert AFTER INSERT ON character BEGIN
                \(insert(key: "NEW.aliasKey", id: "NEW.id"));
            END;
            CREATE TRIGGER aliasPiece_update AFTER UPDATE OF id, aliasKey ON character BEGIN
                DELETE FROM aliasPiece WHERE characterId = OLD.id;
                \(insert(key: "NEW.aliasKey", id: "NEW.id"));
            END;
            CREATE TRIGGER aliasPiece_delete AFTER DELETE ON character BEGIN
                DELETE FROM aliasPiece WHERE characterId = OLD.id;
            END
            """)
    }

    /// `INSERT` of the pieces of the key `key` of the character `id` (SQL
    /// expressions), for each row of `table` when one is given.
    private static func insert(key: String, id: String, from table: String? = nil) -> String {
        let cuts = pieceCounts.flatMap { count in (0..<count).map { "SELECT \(count) AS pieces, \($0) AS piece" } }
        let complex = "(length(\(key)) <> length(CAST(\(key) AS BLOB)) AND \(key) GLOB '*\(complexScalar)*')"
        let start = "cut.piece * length(\(key)) / cut.pieces"
        let end = "(cut.piece + 1) * length(\(key)) / cut.pieces"
        return """
            INSERT OR IGNORE INTO aliasPiece (pieces, piece, keyLength, characterId)
            SELECT cut.pieces, substr(\(key), \(start) + 1, \(end) - \(start)), length(\(key)), \(id)
            FROM \(table.map { "\($0), " } ?? "")(\(cuts.joined(separator: " UNION ALL "))) AS cut
            WHERE NOT \(complex)
            UNION ALL
            SELECT 0, '', length(\(key)), \(id)\(table.map { " FROM \($0)" } ?? "") WHERE \(complex)
            """
    }

    /// The aliases a did-you-mean for `name` must consider: every alias close
    /// enough to suggest, typed names that run on into CJK text included, and
    /// few others.
    static func aliases(near name: String, _ db: Database) throws -> [String] {
        let typed = NameKey.of(name)
        let length = typed.count
        guard length > 0 else { return [] }
        let edits = ClosestName.limit(forLength: length)
        let pieces = edits + 1
        let longestKey = min(length + edits, Alias.maxLength)
        // Only a prefix within reach of the longest alias can be close to one
        // (a name may run on into CJK text), so only its substrings are looked up.
        let reach = String(typed.prefix(Alias.maxLength + ClosestName.limit(forLength: Alias.maxLength)))
        let longestPiece = (longestKey + pieces - 1) / pieces
        return try String.fetchAll(db, sql: nearSQL, arguments: [reach, pieces, longestPiece, longestKey])
    }

    /// The characters with a piece among the substrings (up to ?3 long) of
    /// the typed key ?1, cut into ?2 pieces, with keys up to ?4 long; and
    /// those whose keys are not cut.
    static let nearSQL = """
        WITH RECURSIVE
            start(at) AS (SELECT 1 UNION ALL SELECT at + 1 FROM start WHERE at < length(?1)),
            span(count) AS (SELECT 0 UNION ALL SELECT count + 1 FROM span WHERE count < ?3),
            fragment(text) AS (SELECT substr(?1, at, count) FROM start, span WHERE at + count - 1 <= length(?1))
        SELECT alias FROM character WHERE id IN (
            SELECT characterId FROM aliasPiece WHERE pieces = ?2 AND piece IN fragment AND keyLength <= ?4
            UNION SELECT characterId FROM aliasPiece WHERE pieces = 0)
        """
}
