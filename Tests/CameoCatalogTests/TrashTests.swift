import CameoCatalog
import CameoTestSupport
import CameoText
import Foundation
import GRDB
import Testing

/// `undo` and the trash, once against each store.
@Suite struct TrashTests {

    @Test(arguments: Store.allCases) func undoBringsBackARemovedCharacterWholeAndRelinksItsSubmissions(_ store: Store) throws {
        let fixture = try Fixture(store), catalog = fixture.catalog
        try catalog.add(makeCharacter("duck", tags: ["pets", "yard"], notes: "yellow"))
        try catalog.resolve("duck", to: NewIdentity(username: Username("old.duck")))
        try catalog.resolve("duck", to: NewIdentity(username: Username("quackers.duck"), displayName: "Quackers"))
        let before = try catalog.character(named: "duck")
        let sent = try catalog.record(Submission(characterId: before.id, endpoint: "/v1/videos", requestBody: "{}"))

        try catalog.remove("duck")
        #expect(try catalog.characters().isEmpty)
        let entries = try catalog.trash()
        #expect(entries.map(\.action) == [.remove])
        #expect(entries.first?.aliases == ["duck"])
        #expect(entries.first?.items.first?.usernames == 2)

        let undone = try catalog.undo()
        #expect(undone.restored == ["duck"])
        #expect(try catalog.character(named: "duck") == before)
        #expect(try catalog.submission(id: try #require(sent.id)).characterId == before.id)
        #expect(try catalog.trash().isEmpty)
        #expect(throws: CatalogError.nothingToUndo) { try catalog.undo() }
    }

    @Test(arguments: Store.allCases) func aRestoreThatWouldClashChangesNothing(_ store: Store) throws {
        let fixture = try Fixture(store), catalog = fixture.catalog
        try catalog.add(makeCharacter("duck"))
        try catalog.resolve("duck", to: NewIdentity(username: Username("quackers.duck")))
        try catalog.remove("duck")
        try catalog.add(makeCharacter("Duck", notes: "the new one"))
        try catalog.add(makeCharacter("goose"))
        try catalog.resolve("goose", to: NewIdentity(username: Username("quackers.duck")))
        let catalogBefore = try catalog.characters()

        #expect(throws: CatalogError.restoreConflict([
            "alias \"duck\" now belongs to \"Duck\"",
            "username \"quackers.duck\" of \"duck\" now belongs to \"goose\"",
        ])) { try catalog.undo() }
        #expect(try catalog.characters() == catalogBefore)
        #expect(try catalog.trash().count == 1)
    }

    @Test(arguments: Store.allCases) func renameAndEditOfTheWindowAreUndone(_ store: Store) throws {
        let fixture = try Fixture(store), catalog = fixture.catalog
        try catalog.add(makeCharacter("duck", window: "1,3"))
        let original = try catalog.character(named: "duck")
        try catalog.rename("duck", to: Alias("mallard"))
        try catalog.update("mallard", CharacterChange(window: CharacterWindow(parsing: "0,2")))
        // Notes and tags alone are not destructive: nothing is kept for them.
        try catalog.update("mallard", CharacterChange(notes: "green head"))
        #expect(try catalog.trash().map(\.action) == [.edit, .rename])

        try catalog.undo()
        #expect(try catalog.character(named: "mallard").window.description == "1,3")
        try catalog.undo()
        #expect(try catalog.character(named: "duck") == original)
        #expect(throws: CatalogError.unknownAlias("mallard", suggestion: nil)) { try catalog.character(named: "mallard") }
    }

    @Test(arguments: Store.allCases) func undoOfAReplacingImportRestoresTheOldRowsAndRemovesTheAddedOnes(_ store: Store) throws {
        let fixture = try Fixture(store), catalog = fixture.catalog
        try catalog.add(makeCharacter("duck", notes: "mine"))
        let mine = try catalog.character(named: "duck")
        var incoming = try catalog.exportDocument()
        incoming.characters[0].notes = "theirs"
        var goose = incoming.characters[0]
        goose.alias = "goose"
        incoming.characters.append(goose)

        let summary = try catalog.importDocument(incoming, source: "test", onConflict: .replace)
        #expect(summary == ImportSummary(added: 1, replaced: 1))
        #expect(try catalog.character(named: "duck").notes == "theirs")

        let undone = try catalog.undo()
        #expect(undone.restored == ["duck"])
        #expect(undone.removed == ["goose"])
        #expect(try catalog.characters() == [mine])
    }

    @Test(arguments: Store.allCases) func importsWithoutReplacingKeepNothing(_ store: Store) throws {
        let fixture = try Fixture(store), catalog = fixture.catalog
        try catalog.add(makeCharacter("duck"))
        let document = try catalog.exportDocument()
        try catalog.importDocument(document, source: "test", onConflict: .skip)
        #expect(try catalog.trash().isEmpty)
    }

    @Test(arguments: Store.allCases) func historyTravelsWithTheExportAndIsReadBackOnce(_ store: Store) throws {
        let fixture = try Fixture(store), catalog = fixture.catalog
        try catalog.add(makeCharacter("duck"))
        let duck = try catalog.character(named: "duck")
        var sent = try catalog.record(Submission(characterId: duck.id, endpoint: "/v1/videos", requestBody: #"{"prompt":"@duck 跳舞"}"#))
        sent.state = .submitted
        sent.taskId = "task_1"
        sent.httpStatus = 200
        try catalog.update(sent)
        try catalog.record(Submission(characterId: nil, endpoint: "/v1/videos", requestBody: "{}", state: .notSent))

        let document = CatalogDocument(characters: try catalog.exportDocument().characters,
                                       submissions: try catalog.exchangedSubmissions())
        let data = try CanonicalJSON.encoder().encode(document)
        let other = try TestCatalog(store, in: fixture.scratch, file: "other.sqlite").open()
        let parsed = try Catalog.parseDocument(data, source: "export.json")
        #expect(try other.importDocument(parsed, source: "export.json", onConflict: .fail).submissions == 2)
        let copied = try other.submissions()
        #expect(copied.map(\.taskId) == [nil, "task_1"])
        #expect(copied.last?.characterId == (try other.character(named: "duck").id))
        #expect(copied.last?.requestBody == #"{"prompt":"@duck 跳舞"}"#)
        #expect(copied.last?.httpStatus == 200)
        #expect(try other.importDocument(parsed, source: "export.json", onConflict: .skip).submissions == 0)
        #expect(try other.submissions().count == 2)
    }

    /// Two clients at once, one undoing the last edit, the other editing again:
    /// whichever goes first, the other sees what it did, and exactly one kept
    /// change is left, which takes the character back to where it began.
    @Test(arguments: Store.allCases) func anUndoRacingAnEditEndsConsistent(_ store: Store) throws {
        let fixture = try Fixture(store), catalog = fixture.catalog
        let other = try fixture.test.open()
        let failures = Failures()
        for round in 0..<4 {
            let alias = "duck\(round)"
            try catalog.add(makeCharacter(alias, window: "1,3"))
            try catalog.update(alias, CharacterChange(window: CharacterWindow(parsing: "0,2")))
            DispatchQueue.concurrentPerform(iterations: 2) { index in
                do {
                    if index == 0 {
                        try other.undo()
                    } else {
                        try catalog.update(alias, CharacterChange(window: CharacterWindow(parsing: "2,4")))
                    }
                } catch {
                    failures.add("\(error)")
                }
            }
            #expect(try catalog.trash().count == 1)
            try catalog.undo()
            #expect(try catalog.character(named: alias).window.description == "1,3")
            #expect(try catalog.trash().isEmpty)
        }
        #expect(failures.all.isEmpty)
    }

    /// SQLite only: PostgreSQL's own constraints keep such a value out of the row.
    @Test func aCharacterRowCameoCannotReadIsStillKeptAndRestored() throws {
        let fixture = try Fixture(.sqlite), catalog = fixture.catalog
        try catalog.add(makeCharacter("duck"))
        try DatabaseQueue(path: catalog.path).write { db in
            try db.execute(sql: "UPDATE character SET sourceCheck = 'bogus' WHERE aliasKey = 'duck'")
        }
        try catalog.remove("duck")
        try catalog.undo()
        let check = try DatabaseQueue(path: catalog.path).read { db in
            try String.fetchOne(db, sql: "SELECT sourceCheck FROM character WHERE aliasKey = 'duck'")
        }
        #expect(check == "bogus")
    }
}

/// Errors collected from several threads.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []

    func add(_ failure: String) {
        lock.lock()
        defer { lock.unlock() }
        list.append(failure)
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return list
    }
}
