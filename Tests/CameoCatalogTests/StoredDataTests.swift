@testable import CameoCatalog
import CameoTestSupport
import CameoText
import Foundation
import GRDB
import Testing

/// Issue 9 "Data" and issue 14 "Catalog reads", at the catalog's level, on real SQLite files.
@Suite struct StoredDataTests {
    let scratch: Scratch

    init() throws {
        scratch = try Scratch()
    }

    /// Every file in the scratch folder with its bytes, to prove nothing changed.
    func snapshot() throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) {
            files[name] = FileManager.default.contents(atPath: scratch.path(name))
        }
        return files
    }

    @Test func anotherProgramsDatabaseIsNeverModified() throws {
        let path = scratch.path("photos.sqlite")
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO photos VALUES (1, 'cat')")
        }
        // Another program built with GRDB: migrations of its own, none of cameo's.
        let gallery = scratch.path("gallery.sqlite")
        try DatabaseQueue(path: gallery).write { db in
            try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY); INSERT INTO grdb_migrations VALUES ('v1')")
        }
        // Programs that stamp their files before they make any table.
        let stamped = scratch.path("stamped.db")
        try DatabaseQueue(path: stamped).write { try $0.execute(sql: "PRAGMA application_id = 1179734604") }
        let versioned = scratch.path("versioned.db")
        try DatabaseQueue(path: versioned).write { try $0.execute(sql: "PRAGMA user_version = 3") }
        let before = try snapshot()
        for file in [path, gallery, stamped, versioned] {
            let refusal = CatalogError.notACatalog(path: file, detail: "it is an SQLite database of another program")
            #expect(throws: refusal) { try Catalog.open(at: file) }
            #expect(throws: refusal) { try Catalog.openForReading(at: file) }
        }
        // Same bytes, still a rollback-journal database, no -wal or -shm beside it.
        #expect(try snapshot() == before)
        #expect(try DatabaseQueue(path: path).read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "delete")
    }

    @Test func readingAMissingCatalogCreatesNothing() throws {
        let path = scratch.path("not/yet/catalog.sqlite")
        let catalog = try Catalog.openForReading(at: path)
        #expect(!catalog.exists)
        #expect(try catalog.characters().isEmpty)
        #expect(try catalog.readableCharacters().characters.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).isEmpty)
    }

    @Test func readersWriteNothingAndSeeWhatWritersCommitted() throws {
        let path = scratch.path("catalog.sqlite")
        let writer = try Catalog.open(at: path)
        try writer.add(makeCharacter("duck"))
        // Writers leave SQLite's WAL files, emptied, for readers that may not create them.
        #expect(FileManager.default.fileExists(atPath: path + "-wal") && FileManager.default.fileExists(atPath: path + "-shm"))
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let reader = try Catalog.openForReading(at: path)
        #expect(try reader.characters().map(\.alias) == ["duck"])
        // A reader never takes the write lock, so it does not wait behind a writer's open transaction.
        let other = try DatabaseQueue(path: path)
        try other.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            #expect(try reader.character(named: "duck").alias == "duck")
            try db.execute(sql: "ROLLBACK")
        }
        #expect(throws: CatalogError.self) { try reader.add(makeCharacter("goose")) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func readingAnOlderCatalogMigratesItFirst() throws {
        let path = scratch.path("catalog.sqlite")
        try Catalog.open(at: path).add(makeCharacter("duck"))
        // As a cameo from before the last migration left it.
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: """
                ALTER TABLE character DROP COLUMN sourceDuration; ALTER TABLE character DROP COLUMN sourceProbe;
                DELETE FROM grdb_migrations WHERE identifier = 'addSourceProbe'
                """)
        }
        let reader = try Catalog.openForReading(at: path)
        #expect(try reader.characters().map(\.alias) == ["duck"])
        #expect(try DatabaseQueue(path: path).read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }.contains("addSourceProbe"))
    }

    /// As above, with the -wal and -shm files cameo's writers leave: the
    /// read-only look shares SQLite's -shm mapping with the migration's writer.
    @Test func readingAnOlderCatalogWithItsWALFilesMigratesItFirst() throws {
        let path = scratch.path("catalog.sqlite")
        try Catalog.open(at: path).add(makeCharacter("duck"))
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: """
                DROP TABLE trashItem; DROP TABLE trash; DELETE FROM grdb_migrations WHERE identifier = 'createTrash'
                """)
        }
        let writer = try DatabaseQueue(path: path, configuration: CatalogFile.writerConfiguration)
        try writer.read { _ = try Int.fetchOne($0, sql: "SELECT count(*) FROM character") }
        try writer.close()
        #expect(FileManager.default.fileExists(atPath: path + "-wal") && FileManager.default.fileExists(atPath: path + "-shm"))
        let reader = try Catalog.openForReading(at: path)
        #expect(try reader.characters().map(\.alias) == ["duck"])
        #expect(try DatabaseQueue(path: path).read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }.contains("createTrash"))
    }

    @Test func streamedJSONIsTheEncodersBytes() throws {
        let catalog = try Catalog.open(at: scratch.path("catalog.sqlite"))
        try catalog.add(makeCharacter("duck", window: "0.5,2.5", tags: ["pets", "yard"], notes: "line one\nline \"two\"\t\\ /slash \u{1}\u{1F}\u{7F}\u{85}\u{9F}\u{A0} é 鸭 \u{202E}evil\u{202C} \u{2066}\u{2069}\u{200E}\u{200F}\u{061C}\u{2028}"))
        try catalog.resolve("duck", to: NewIdentity(username: Username("old.duck")))
        try catalog.resolve("duck", to: NewIdentity(username: Username("quackers.duck"), platformCharacterId: "ch_1",
                                                    displayName: "Quackers", avatarURL: "https://img.example/x.png",
                                                    origin: .task, taskId: "task-1", provider: "https://api.example.com"))
        try catalog.add(makeCharacter("小鸭子", window: "0.123,1.123"))
        try catalog.update("小鸭子", CharacterChange(clip: CameoCharacter.Clip(
            path: "/clips/x.mp4", sha256: "abc", duration: 6.566666666666666,
            probeJSON: #"{"duration":6.566666666666666,"video":{"width":1920,"avg_frame_rate":"30000/1001","Zeta":[],"empty":{},"é":1e-7,"big":1e21,"neg":-0.5,"list":[true,false,null,"x"]}}"#)))
        try catalog.add(makeCharacter("bare"))
        try catalog.update("bare", CharacterChange(sourceURL: SourceURL("https://cdn.example.com/b.mp4"), sourceCheck: .probed,
                                                  sourceFacts: ProbeFacts(duration: 12, json: #"{"duration":12,"a_b":1,"aB":2,"_":3}"#)))
        let characters = try catalog.characters()
        let documents = characters.map(CharacterDocument.init)

        var list = PrettyJSON()
        list.beginArray()
        for document in documents {
            list.element()
            list.character(document)
        }
        list.endArray()
        // The encoder's bytes, with DEL, C1 and bidi controls escaped as `Output.json` prints them.
        func canonical(_ data: Data) -> String { TerminalText.jsonEscaped(String(decoding: data, as: UTF8.self)) }
        #expect(String(decoding: list.bytes, as: UTF8.self) == canonical(try CanonicalJSON.encode(documents, pretty: true)))
        #expect(String(decoding: list.bytes, as: UTF8.self).contains("\\u202e"))

        for count in [0, 1, 3] {
            var export = PrettyJSON()
            export.catalogDocumentStart()
            for document in documents.prefix(count) {
                export.element()
                export.character(document)
            }
            export.catalogDocumentEnd()
            let encoded = try CanonicalJSON.encode(CatalogDocument(characters: Array(documents.prefix(count))), pretty: true)
            #expect(String(decoding: export.bytes, as: UTF8.self) == canonical(encoded))
        }
    }

    @Test func numbersPrintAsTheEncoderPrintsThem() throws {
        var random = SeededGenerator(seed: 14)
        var values: [Double] = [0, -0.0, 1, -1, 0.5, 2.5, 1e15, 1e15 - 1, 1e16, 9_007_199_254_740_993, 1e21, 1e-7, 5e-324,
                                .greatestFiniteMagnitude, 0.1 + 0.2, 123_456.789]
        for _ in 0..<500 {
            // Any finite Double: a random bit pattern with the exponent kept below infinity's.
            values.append(Double(bitPattern: random.next() & 0xFFEF_FFFF_FFFF_FFFF))
            values.append(Double(Int64.random(in: -1_000_000...1_000_000, using: &random)) / 1000)
        }
        for value in values where value.isFinite {
            var json = PrettyJSON()
            json.number(value)
            let encoded = try CanonicalJSON.encoder().encode([value])
            let expected = String(decoding: encoded, as: UTF8.self)
                .replacingOccurrences(of: "[\n  ", with: "").replacingOccurrences(of: "\n]", with: "")
            #expect(String(decoding: json.bytes, as: UTF8.self) == expected, "\(value)")
        }
    }

    /// Writes rows as a broken program or a hand edit would, past cameo's checks.
    func corrupt(_ path: String, _ sql: String) throws {
        try DatabaseQueue(path: path).writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.execute(sql: sql)
        }
    }

    @Test func undecodableRowsFailReadablyAndCanBeWorkedAround() throws {
        let path = scratch.path("catalog.sqlite")
        let catalog = try Catalog.open(at: path)
        for alias in ["good", "future", "odd", "narrow", "far", "bad-name"] { try catalog.add(makeCharacter(alias)) }
        try catalog.resolve("bad-name", to: NewIdentity(username: Username("bad.name")))
        try corrupt(path, "UPDATE character SET createdAt = '10000-01-01 00:00:00.000' WHERE alias = 'future'")
        try corrupt(path, "UPDATE character SET sourceCheck = 'maybe' WHERE alias = 'odd'")
        try corrupt(path, "UPDATE character SET windowStartMs = 3000, windowEndMs = 1000 WHERE alias = 'narrow'")
        // Two seconds long, but where no video reaches.
        try corrupt(path, "UPDATE character SET windowStartMs = 9223372036854773807, windowEndMs = 9223372036854775807 WHERE alias = 'far'")
        try corrupt(path, "UPDATE identity SET state = 'paused'")

        #expect { try catalog.characters() } throws: { error in
            guard case .unreadableRow(let where_, let row, let detail) = error as? CatalogError else { return false }
            return where_ == path && row.contains("character #") && !detail.isEmpty
        }
        #expect { try catalog.character(named: "future") } throws: { error in
            guard case .unreadableRow(_, let row, let detail) = error as? CatalogError else { return false }
            return row.contains("\"future\"") && detail.contains("createdAt") && detail.contains("10000-01-01")
        }
        #expect { try catalog.character(named: "odd") } throws: { error in
            guard case .unreadableRow(_, _, let detail) = error as? CatalogError else { return false }
            return detail.contains("sourceCheck") && detail.contains("\"maybe\"")
        }
        // An invalid window is reported, not dropped.
        #expect { try catalog.character(named: "narrow") } throws: { error in
            guard case .unreadableRow(_, let row, let detail) = error as? CatalogError else { return false }
            return row.contains("\"narrow\"") && detail.contains("window")
        }
        #expect { try catalog.character(named: "far") } throws: { error in
            guard case .unreadableRow(_, let row, let detail) = error as? CatalogError else { return false }
            return row.contains("\"far\"") && detail.contains("window")
        }
        #expect { try catalog.character(named: "bad-name") } throws: { error in
            guard case .unreadableRow(_, _, let detail) = error as? CatalogError else { return false }
            return detail.contains("state") && detail.contains("paused")
        }
        #expect((try? catalog.character(named: "good"))?.alias == "good")
        #expect(CatalogError.unreadableRow(path: path, row: "x", detail: "y").category == .catalogUnusable)

        // Export reads around them and names each; rm removes them.
        let readable = try catalog.readableCharacters()
        #expect(readable.characters.map(\.alias) == ["good"])
        #expect(readable.unreadable.count == 5)
        #expect(readable.unreadable.contains { $0.contains("\"future\"") })
        #expect(readable.unreadable.contains { $0.contains("\"bad-name\"") && $0.contains("paused") })
        for alias in ["future", "odd", "narrow", "far", "bad-name"] {
            #expect(try catalog.removal(of: alias).alias == alias)
            try catalog.remove(alias)
        }
        #expect(try catalog.characters().map(\.alias) == ["good"])
    }

    @Test func anUnreadableSubmissionIsNamed() throws {
        let path = scratch.path("catalog.sqlite")
        _ = try Catalog.open(at: path)
        try corrupt(path, """
            INSERT INTO submission (id, endpoint, requestBody, state, createdAt, updatedAt)
            VALUES (7, '/v', '{}', 'submitted', '10000-01-01 00:00:00.000', '2026-01-01 00:00:00.000')
            """)
        let catalog = try Catalog.openForReading(at: path)
        #expect { try catalog.submissions(limit: nil) } throws: { error in
            guard case .unreadableRow(_, let row, let detail) = error as? CatalogError else { return false }
            let message = "\(error)"
            return row == "submission #7" && detail.contains("createdAt") && detail.contains("10000-01-01")
                && !message.contains("cameo rm") && message.contains("sqlite3")
        }
    }

    @Test func importRefusesTimesOutsideYears1000To9999AndUnknownWords() throws {
        let catalog = try Catalog.open(at: scratch.path("catalog.sqlite"))
        func document(createdAt: String = "2026-01-01T00:00:00.000Z", state: String = "active", sourceCheck: String = "probed") -> Data {
            Data("""
                {"version":1,"characters":[{"alias":"duck","source_url":"https://cdn.example.com/d.mp4","window":{"start":1,"end":3},
                "source_check":"\(sourceCheck)","created_at":"\(createdAt)",
                "usernames":[{"username":"quackers","state":"\(state)","origin":"manual"}]}]}
                """.utf8)
        }
        for bad in [document(createdAt: "0999-12-31T23:59:59.999Z"), document(createdAt: "9999-12-31T23:30:00.000-01:00"),
                    document(createdAt: "0001-01-01T00:00:00Z"), document(state: "paused"), document(sourceCheck: "maybe")] {
            #expect { try Catalog.parseDocument(bad, source: "f.json") } throws: { error in
                guard case .malformedImport(let source, let detail) = error as? CatalogError else { return false }
                return source == "f.json" && detail.contains("characters[0]")
            }
        }
        for good in [document(createdAt: "1000-01-01T00:00:00.000Z"), document(createdAt: "9999-12-31T23:59:59.999Z")] {
            try catalog.importDocument(try Catalog.parseDocument(good, source: "f.json"), source: "f.json", onConflict: .replace)
            #expect(try catalog.character(named: "duck").activeIdentity?.username == "quackers")
        }
    }

    @Test func replacingOnImportKeepsSubmissionsLinked() throws {
        let catalog = try Catalog.open(at: scratch.path("catalog.sqlite"))
        let duck = try catalog.add(makeCharacter("duck", notes: "before"))
        try catalog.resolve("duck", to: NewIdentity(username: Username("quackers")))
        let submission = try catalog.record(Submission(characterId: duck.id, endpoint: "/v1/videos", requestBody: "{}", state: .submitted))
        var document = try catalog.exportDocument()
        document.characters[0].notes = "after"
        let summary = try catalog.importDocument(document, source: "f", onConflict: .replace)
        #expect(summary == ImportSummary(added: 0, replaced: 1, skipped: 0))
        let replaced = try catalog.character(named: "duck")
        #expect(replaced.notes == "after")
        #expect(replaced.activeIdentity?.username == "quackers")
        #expect(try catalog.submission(id: try #require(submission.id)).characterId == replaced.id)
        #expect(replaced.id == duck.id)
    }

    @Test func revocationMatchesWholeUsernames() {
        #expect(Username.isNamed("duck.king", in: "Access to @duck.king was revoked."))
        #expect(!Username.isNamed("duck", in: "Access to @duck.king was revoked."))
        #expect(Username.isNamed("duck", in: "cameo_permission_denied: @duck."))
        #expect(Username.isNamed("@Duck", in: "character duck is gone"))
        #expect(!Username.isNamed("duck", in: "mallard-duck and duckling"))
        #expect(!Username.isNamed("king", in: "@duck.king"))
        #expect(!Username.isNamed("duck", in: "duck_2"))
        #expect(Username.isNamed("鸭子", in: "角色 鸭子 不可用"))
    }

    /// The index of alias pieces follows every way a character row changes
    /// (add, rename, remove, undo, a catalog migrated from before the index),
    /// and a did-you-mean through it reads a few entries, not every alias.
    @Test func aliasPieceIndexFollowsEveryChange() throws {
        let path = scratch.path("catalog.sqlite")
        let catalog = try Catalog.open(at: path)
        for alias in ["duck", "小鸭子", "Café", "goose"] { try catalog.add(makeCharacter(alias)) }
        try catalog.rename("goose", to: try Alias("gander"))
        try catalog.remove("duck")
        _ = try catalog.undo()
        try catalog.rename("小鸭子", to: try Alias("小鸡"))
        /// What the index holds, and what it would hold if built afresh from the characters.
        func pieces(_ db: Database) throws -> (stored: [String], fresh: [String]) {
            let query = "SELECT pieces || ' ' || piece || ' ' || keyLength || ' ' || characterId FROM aliasPiece ORDER BY 1"
            let stored = try String.fetchAll(db, sql: query)
            try db.execute(sql: "DELETE FROM aliasPiece")
            try AliasPieces.fill(db)
            return (stored, try String.fetchAll(db, sql: query))
        }
        let afterChanges = try DatabaseQueue(path: path).write(pieces)
        #expect(afterChanges.stored == afterChanges.fresh)
        #expect(afterChanges.stored.contains("2 gan 6 4") && !afterChanges.stored.contains("2 go 5 4"))
        // A catalog from before the index gets it, filled, on its next open.
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: """
                DROP TRIGGER aliasPiece_insert; DROP TRIGGER aliasPiece_update; DROP TRIGGER aliasPiece_delete;
                DROP TABLE aliasPiece; DELETE FROM grdb_migrations WHERE identifier = 'createAliasPieces'
                """)
        }
        #expect(try Catalog.openForReading(at: path).aliases(near: "gandr").contains("gander"))
        let migrated = try DatabaseQueue(path: path).write(pieces)
        #expect(migrated.stored == migrated.fresh && migrated.stored == afterChanges.fresh)
        // Which rows a did-you-mean reads: the plan searches the index, it never scans the characters.
        let plan = try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + AliasPieces.nearSQL, arguments: ["gandr", 3, 3, 7]).map { row -> String in row["detail"] }
        }
        #expect(!plan.isEmpty && !plan.contains { $0.hasPrefix("SCAN character") || $0.hasPrefix("SCAN aliasPiece") }, "\(plan)")
    }

    /// The did-you-mean candidates SQLite selects hold every alias `ClosestName`
    /// would suggest, over random aliases and typos of every kind.
    @Test func suggestionCandidatesMissNothing() throws {
        let catalog = try Catalog.open(at: scratch.path("catalog.sqlite"))
        var random = SeededGenerator(seed: 9)
        let alphabets: [[Character]] = [Array("abcde-_12"), Array("鸭子小猫狗"), Array("กิา"), ["e", "\u{301}", "a"]]
        var aliases: [String] = []
        while aliases.count < 300 {
            let letters = alphabets[Int.random(in: 0..<alphabets.count, using: &random)]
            let text = String((0..<Int.random(in: 1...9, using: &random)).map { _ in letters[Int.random(in: 0..<letters.count, using: &random)] })
            guard let alias = try? Alias(text), !aliases.contains(where: { NameKey.of($0) == alias.key }) else { continue }
            aliases.append(alias.text)
            try catalog.add(NewCharacter(alias: alias, sourceURL: try SourceURL("https://cdn.example.com/x.mp4"),
                                         window: try CharacterWindow(parsing: "1,3")))
        }
        for _ in 0..<300 {
            var typed = Array(aliases[Int.random(in: 0..<aliases.count, using: &random)])
            let letters = alphabets.randomElement(using: &random) ?? []
            for _ in 0..<Int.random(in: 0...3, using: &random) {
                let position = Int.random(in: 0...typed.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: typed.insert(letters.randomElement(using: &random) ?? "x", at: position)
                case 1 where position < typed.count: typed.remove(at: position)
                default: if position < typed.count { typed[position] = letters.randomElement(using: &random) ?? "x" }
                }
            }
            let name = String(typed) + (Bool.random(using: &random) ? "在舞台上" : "")
            guard !name.isEmpty else { continue }
            let candidates = try catalog.aliases(near: name)
            #expect(candidates.count <= aliases.count)
            // Typed names run on into CJK text: what is close to any prefix must be a candidate too.
            for length in 1...name.count {
                if let expected = ClosestName.find(String(name.prefix(length)), among: aliases) {
                    #expect(candidates.contains(expected), "\(name): \(expected) not among \(candidates.count) candidates")
                }
            }
        }
    }
}
