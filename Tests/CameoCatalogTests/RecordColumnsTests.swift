@testable import CameoCatalog
import CameoMediaFacts
import CameoTestSupport
import Foundation
import GRDB
import Testing

/// Each record's `Columns` enum is the one list of its columns: reads select
/// them in its order and decode them by its positions, and persistence writes
/// them by `CodingKeys`. These pin the two lists to each other and to the schema.
@Suite struct RecordColumnsTests {
    let scratch: Scratch

    init() throws {
        scratch = try Scratch()
    }

    func expectColumns<R: EncodableRecord & TableRecord, C: PositionalColumns>(
        of record: R, _ columns: C.Type, _ db: Database, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let names = C.allCases.map(\.name)
        #expect(C.allCases.map(\.rawValue) == Array(0..<names.count), sourceLocation: sourceLocation)
        #expect(Set(names).count == names.count, sourceLocation: sourceLocation)
        #expect(Set(names) == Set(try record.databaseDictionary.keys), sourceLocation: sourceLocation)
        #expect(Set(names) == Set(try db.columns(in: R.databaseTableName).map(\.name)), sourceLocation: sourceLocation)
    }

    @Test func everyRecordReadsAndWritesTheSameColumnsAsTheSchema() throws {
        let catalog = try Catalog.open(at: scratch.path("catalog.sqlite"))
        let now = Timestamp.now
        let new = NewCharacter(alias: try Alias("duck"), sourceURL: try SourceURL("https://example.com/duck.mp4"),
                               window: try CharacterWindow(start: 1, end: 2))
        let character = Catalog.record(new, createdAt: now, updatedAt: now)
        let identity = IdentityRecord(Identity(characterId: 1, username: "duck.one", usernameKey: "duck.one", origin: .manual,
                                state: .active, createdAt: now, updatedAt: now))
        let submission = SubmissionRecord(Submission(kind: .generation, characterId: 1, endpoint: "/v1/videos", provider: nil, requestBody: "{}",
                                                     state: .sending, at: now))
        try catalog.database.read { db in
            try expectColumns(of: character, CharacterRecord.Columns.self, db)
            try expectColumns(of: TagRecord(characterId: 1, tag: "bird"), TagRecord.Columns.self, db)
            try expectColumns(of: identity, IdentityRecord.Columns.self, db)
            try expectColumns(of: submission, SubmissionRecord.Columns.self, db)
        }
    }

    @Test func aRecordReadsBackWhatItWrote() throws {
        let catalog = try Catalog.open(at: scratch.path("catalog.sqlite"))
        let now = try #require(Timestamp(parsing: Timestamp.now.description))
        var new = NewCharacter(alias: try Alias("Duck"), sourceURL: try SourceURL("https://example.com/duck.mp4"),
                               window: try CharacterWindow(start: 1, end: 2.5), notes: "quacks",
                               clip: .init(path: "/clips/duck.mp4", sha256: "ab", duration: 4, probeJSON: "{}"),
                               sourceCheck: .probed, sourceFacts: ProbeFacts(duration: 5, json: "{\"d\":5}"))
        new.personCheck = "{\"people\":0}"
        let written = try catalog.database.write { db in
            var record = Catalog.record(new, createdAt: now, updatedAt: now)
            try record.insert(db)
            return record
        }
        let read = try catalog.database.read { db in try CharacterRecord.fetchOne(db, key: written.id) }
        let stored = try #require(read)
        #expect(try stored.databaseDictionary == written.databaseDictionary)
    }
}
