@testable import CameoCatalog
import CameoTestSupport
import Foundation
import GRDB
import Testing

/// A catalog written before submissions had a life cycle opens with every row's meaning kept.
@Suite struct SubmissionMigrationTests {
    /// A catalog as cameo wrote it before the submission life cycle, closed before cameo opens it.
    func writeOldCatalog(at path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(queue, upTo: "addSourceProbe")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO character (alias, aliasKey, sourceURL, windowStartMs, windowEndMs, createdAt, updatedAt)
                VALUES ('duck', 'duck', 'https://a.example/d.mp4', 1000, 3000, '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000');
                INSERT INTO identity (characterId, username, usernameKey, avatarURL, origin, state, createdAt, updatedAt)
                VALUES (1, 'quackers.duck', 'quackers.duck', 'https://cdn/a.png', 'task', 'active', '2026-01-01 00:00:00.000', '2026-01-02 00:00:00.000')
                """)
            for (index, status) in ["sending", "submitted", "not-sent", "unknown", "failed", "SUCCESS", "in_progress"].enumerated() {
                try db.execute(sql: """
                    INSERT INTO submission (endpoint, requestBody, status, taskId, createdAt, updatedAt)
                    VALUES ('https://x/v2', '{}', ?, ?, '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000')
                    """, arguments: [status, "t-\(index)"])
            }
        }
        try queue.close()
    }

    @Test func oldStatusWordsBecomeStatesAndProviderWords() throws {
        let scratch = try Scratch()
        let path = scratch.path("old.sqlite")
        try writeOldCatalog(at: path)
        let catalog = try Catalog.open(at: path)
        let rows = try catalog.submissions().reversed().map { ($0.state, $0.providerStatus, $0.kind) }
        #expect(rows.map(\.0) == [.sending, .submitted, .notSent, .unknown, .failed, .submitted, .submitted])
        #expect(rows.map(\.1) == [nil, nil, nil, nil, nil, "SUCCESS", "in_progress"])
        #expect(rows.allSatisfy { $0.2 == .generation })
        let identity = try #require(try catalog.character(named: "duck").activeIdentity)
        #expect(identity.avatarFetchedAt != nil, "an old avatar URL is dated by its row")
        #expect(identity.origin == .task)
        try DatabaseQueue(path: path).write { db in
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "UPDATE submission SET state = 'done' WHERE id = 1")
            }
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "UPDATE identity SET origin = 'guessed' WHERE id = 1")
            }
        }
    }
}
