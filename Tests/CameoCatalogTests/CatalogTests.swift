import CameoCatalog
import CameoTestSupport
import Foundation
import GRDB
import Testing

func makeCharacter(_ alias: String, window: String = "1,3", tags: [String] = [], notes: String = "") throws -> NewCharacter {
    NewCharacter(alias: try Alias(alias), sourceURL: try SourceURL("https://cdn.example.com/\(alias).mp4"),
                 window: try CharacterWindow(parsing: window), notes: notes, tags: try tags.map { try Tag($0) })
}

/// A fresh catalog of one store for one test, and what it needs to stay alive.
final class Fixture {
    let scratch: Scratch
    let test: TestCatalog
    let catalog: any CatalogStore

    init(_ store: Store) throws {
        scratch = try Scratch()
        test = try TestCatalog(store, in: scratch, file: "nested/folder/catalog.sqlite")
        catalog = try test.open()
    }

    /// Rows of a table, counted by the database itself.
    func count(_ table: String) throws -> Int {
        switch test.store {
        case .sqlite:
            try DatabaseQueue(path: test.location).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM \(table)") ?? -1 }
        case .postgres:
            Int(try test.sql("SELECT count(*) FROM cameo.\(table == "characterTag" ? "character_tag" : table)")) ?? -1
        }
    }
}

/// A clock a test sets, which moves on by a millisecond each time it is
/// read: rows one write stamps share a time only when the store read the
/// clock once for the whole transaction.
final class SteppingClock: @unchecked Sendable {
    private let lock = NSLock()
    private var last: Int64

    init(from start: Timestamp) {
        last = start.millisecondsSince1970
    }

    var clock: CatalogClock {
        CatalogClock { [self] in
            lock.withLock {
                last += 1
                return Timestamp(millisecondsSince1970: last)
            }
        }
    }
}

/// The catalog's behaviour, once against each store.
@Suite struct CatalogTests {

    /// Every time a write stores comes from the store's clock, read once per
    /// transaction: the character, identity, submission and trash rows one
    /// write touches share one time, and a later write has a later one.
    @Test(arguments: Store.allCases) func timesComeFromTheClockOncePerTransaction(_ store: Store) throws {
        let scratch = try Scratch()
        let start = Timestamp(millisecondsSince1970: 1_900_000_000_000)  // in 2030, after any test run
        let catalog = try TestCatalog(store, in: scratch).open(clock: SteppingClock(from: start).clock)
        func fromTheClock(_ time: Timestamp) -> Bool {
            time > start && time.millisecondsSince1970 < start.millisecondsSince1970 + 1000
        }
        let added = try catalog.add(makeCharacter("duck", tags: ["a", "b"]))
        #expect(fromTheClock(added.createdAt) && added.updatedAt == added.createdAt)

        try catalog.resolve("duck", to: NewIdentity(username: Username("duck.one")))
        let resolved = try catalog.resolve("duck", to: NewIdentity(username: Username("duck.two"), avatarURL: "https://a.example/a.png"))
        let one = try #require(resolved.identities.first { $0.username == "duck.one" })
        let two = try #require(resolved.identities.first { $0.username == "duck.two" })
        #expect(one.state == .superseded && one.createdAt > added.createdAt && one.createdAt < two.createdAt)
        #expect(one.updatedAt == two.createdAt && two.updatedAt == two.createdAt && two.avatarFetchedAt == two.createdAt)

        let edited = try catalog.update("duck", CharacterChange(window: try CharacterWindow(parsing: "1,2")))
        #expect(edited.createdAt == added.createdAt && edited.updatedAt > two.createdAt)
        #expect(try catalog.trash().first?.createdAt == edited.updatedAt)
        let renamed = try catalog.rename("duck", to: Alias("drake"))
        #expect(renamed.updatedAt > edited.updatedAt)
        #expect(try catalog.trash().first?.createdAt == renamed.updatedAt)

        var sent = try catalog.record(Submission(characterId: renamed.id, endpoint: "/v1/videos", requestBody: "{}"))
        #expect(sent.createdAt > renamed.updatedAt && fromTheClock(sent.createdAt) && sent.updatedAt == sent.createdAt)
        sent.state = .submitted
        try catalog.update(sent)
        let stored = try catalog.submission(id: try #require(sent.id))
        #expect(stored.createdAt == sent.createdAt && stored.updatedAt > sent.createdAt && fromTheClock(stored.updatedAt))
    }

    @Test(arguments: Store.allCases) func addsAndShows(_ store: Store) throws {
        let fixture = try Fixture(store)
        try fixture.catalog.add(makeCharacter("duck", window: "0.5,2.5", tags: ["pets", "Yard"], notes: "yellow"))
        let duck = try fixture.catalog.character(named: "DUCK")
        #expect(duck.alias == "duck")
        #expect(try fixture.catalog.character(id: duck.id) == duck)
        #expect(try fixture.catalog.character(id: duck.id + 1000) == nil)
        #expect(duck.window.description == "0.5,2.5")
        #expect(duck.tags == ["pets", "yard"])
        #expect(duck.notes == "yellow")
        #expect(duck.activeIdentity == nil)
        #expect(duck.sourceURL == "https://cdn.example.com/duck.mp4")
    }

    @Test(arguments: Store.allCases) func refusesDuplicateAliasAnyCase(_ store: Store) throws {
        let fixture = try Fixture(store)
        try fixture.catalog.add(makeCharacter("Duck"))
        #expect(throws: CatalogError.duplicateAlias("duck")) { try fixture.catalog.add(makeCharacter("duck")) }
        #expect(try fixture.catalog.characters().count == 1)
    }

    @Test(arguments: Store.allCases) func unknownAliasSuggestsTheClosest(_ store: Store) throws {
        let fixture = try Fixture(store)
        try fixture.catalog.add(makeCharacter("cookie"))
        #expect(throws: CatalogError.unknownAlias("cokie", suggestion: "cookie")) { try fixture.catalog.character(named: "cokie") }
    }

    @Test(arguments: Store.allCases) func listsByTagAndText(_ store: Store) throws {
        let fixture = try Fixture(store)
        try fixture.catalog.add(makeCharacter("duck", tags: ["pets"], notes: "rubber duck"))
        try fixture.catalog.add(makeCharacter("cookie", tags: ["pets", "jar"]))
        try fixture.catalog.add(makeCharacter("lamp"))
        try fixture.catalog.resolve("lamp", to: NewIdentity(username: Username("glow.worm")))
        #expect(try fixture.catalog.characters().map(\.alias) == ["cookie", "duck", "lamp"])
        #expect(try fixture.catalog.characters(tag: "PETS").map(\.alias) == ["cookie", "duck"])
        #expect(try fixture.catalog.characters(matching: "RUBBER").map(\.alias) == ["duck"])
        #expect(try fixture.catalog.characters(matching: "worm").map(\.alias) == ["lamp"])
        #expect(try fixture.catalog.characters(tag: "jar", matching: "duck").isEmpty)
    }

    @Test(arguments: Store.allCases) func editsFieldsAndTags(_ store: Store) throws {
        let fixture = try Fixture(store)
        try fixture.catalog.add(makeCharacter("duck", tags: ["pets"]))
        let edited = try fixture.catalog.update("duck", CharacterChange(
            sourceURL: SourceURL("https://other.example.com/d.mp4"), window: CharacterWindow(parsing: "2,4.5"),
            notes: "new", addTags: [Tag("yard")], removeTags: [Tag("pets")]))
        #expect(edited.sourceURL == "https://other.example.com/d.mp4")
        #expect(edited.window.description == "2,4.5")
        #expect(edited.notes == "new")
        #expect(edited.tags == ["yard"])
        #expect(edited.updatedAt >= edited.createdAt)
    }

    @Test(arguments: Store.allCases) func renamesKeepingUsernames(_ store: Store) throws {
        let fixture = try Fixture(store)
        try fixture.catalog.add(makeCharacter("duck"))
        try fixture.catalog.add(makeCharacter("goose"))
        try fixture.catalog.resolve("duck", to: NewIdentity(username: Username("quackers.duck")))
        #expect(throws: CatalogError.duplicateAlias("Goose")) { try fixture.catalog.rename("duck", to: Alias("Goose")) }
        let renamed = try fixture.catalog.rename("duck", to: Alias("Quacky"))
        #expect(renamed.activeIdentity?.username == "quackers.duck")
        #expect(throws: CatalogError.self) { try fixture.catalog.character(named: "duck") }
        // Changing only the case of one's own alias is allowed.
        #expect(try fixture.catalog.rename("quacky", to: Alias("QUACKY")).alias == "QUACKY")
    }

    @Test(arguments: Store.allCases) func removesWithTagsAndIdentitiesButKeepsSubmissions(_ store: Store) throws {
        let fixture = try Fixture(store)
        try fixture.catalog.add(makeCharacter("duck", tags: ["pets"]))
        let duck = try fixture.catalog.resolve("duck", to: NewIdentity(username: Username("quackers.duck")))
        let submission = try fixture.catalog.record(Submission(characterId: duck.id, endpoint: "https://x/v2", requestBody: "{}", state: .submitted))
        try fixture.catalog.remove("duck")
        #expect(try fixture.catalog.characters().isEmpty)
        #expect(try fixture.count("identity") == 0 && fixture.count("characterTag") == 0)
        #expect(try fixture.catalog.submission(id: submission.id ?? -1).characterId == nil)
        #expect(throws: CatalogError.unknownAlias("duck", suggestion: nil)) { try fixture.catalog.remove("duck") }
    }

    @Test(arguments: Store.allCases) func resolvingSupersedesAndReactivates(_ store: Store) throws {
        let fixture = try Fixture(store)
        try fixture.catalog.add(makeCharacter("duck"))
        try fixture.catalog.add(makeCharacter("goose"))
        try fixture.catalog.resolve("duck", to: NewIdentity(username: Username("one.duck")))
        try fixture.catalog.resolve("duck", to: NewIdentity(username: Username("two.duck"), platformCharacterId: "ch_2",
                                                    displayName: "Two", origin: .task, taskId: "task-9", provider: "https://api.example.com"))
        var duck = try fixture.catalog.character(named: "duck")
        #expect(duck.identities.map(\.username) == ["one.duck", "two.duck"])
        #expect(duck.identities.map(\.state) == [.superseded, .active])
        #expect(duck.activeIdentity?.platformCharacterId == "ch_2")
        #expect(duck.activeIdentity?.displayName == "Two")
        #expect(duck.activeIdentity?.taskId == "task-9")
        duck = try fixture.catalog.resolve("duck", to: NewIdentity(username: Username("ONE.duck")))
        #expect(duck.activeIdentity?.username == "ONE.duck")
        #expect(duck.identities.count == 2)
        #expect(throws: CatalogError.usernameTaken("one.duck", owner: "duck")) {
            try fixture.catalog.resolve("goose", to: NewIdentity(username: Username("one.duck")))
        }
    }

    @Test(arguments: Store.allCases) func revokingKeepsSourceAndWindow(_ store: Store) throws {
        let fixture = try Fixture(store)
        try fixture.catalog.add(makeCharacter("duck", window: "0.5,2"))
        try fixture.catalog.resolve("duck", to: NewIdentity(username: Username("quackers")))
        #expect(try fixture.catalog.revoke(username: "QUACKERS") == "duck")
        #expect(try fixture.catalog.revoke(username: "nobody") == nil)
        let duck = try fixture.catalog.character(named: "duck")
        #expect(duck.activeIdentity == nil)
        #expect(duck.identities.first?.state == .revoked)
        #expect(duck.window.description == "0.5,2")
        #expect(duck.sourceURL == "https://cdn.example.com/duck.mp4")
    }

    @Test(arguments: Store.allCases) func recordsAndUpdatesSubmissions(_ store: Store) throws {
        let fixture = try Fixture(store)
        var submission = try fixture.catalog.record(Submission(characterId: nil, endpoint: "https://api/v2", requestBody: "{\"a\":1}", state: .sending))
        submission.state = .submitted
        submission.taskId = "t-1"
        submission.httpStatus = 200
        try fixture.catalog.update(submission)
        let second = try fixture.catalog.record(Submission(characterId: nil, endpoint: "https://api/v2", requestBody: "{}", state: .sending))
        #expect(try fixture.catalog.submissions().map(\.id) == [second.id, submission.id])
        #expect(try fixture.catalog.submission(taskId: "t-1")?.state == .submitted)
        #expect(throws: CatalogError.unknownSubmission(999)) { try fixture.catalog.submission(id: 999) }
    }

    @Test(arguments: Store.allCases) func mentionDirectoryListsAliasesAndUsernames(_ store: Store) throws {
        let fixture = try Fixture(store)
        try fixture.catalog.add(makeCharacter("duck"))
        try fixture.catalog.resolve("duck", to: NewIdentity(username: Username("old.duck")))
        try fixture.catalog.resolve("duck", to: NewIdentity(username: Username("new.duck")))
        try fixture.catalog.add(makeCharacter("cat"))
        try fixture.catalog.resolve("cat", to: NewIdentity(username: Username("cat.x")))
        try fixture.catalog.revoke(username: "cat.x")
        let entries = try fixture.catalog.mentionDirectory().entries.sorted { $0.alias < $1.alias }
        #expect(entries.map(\.alias) == ["cat", "duck"])
        #expect(entries[0].activeUsername == nil)
        #expect(entries[0].retiredUsernames.map(\.revoked) == [true])
        #expect(entries[1].activeUsername == "new.duck")
        #expect(entries[1].retiredUsernames.map(\.username) == ["old.duck"])
        // Asked by name, only the characters those names can mean come back.
        #expect(try fixture.catalog.mentionDirectory(names: ["old.duck", "nobody"]).entries.map(\.alias) == ["duck"])
        #expect(try fixture.catalog.mentionDirectory(names: ["cat"]).entries.map(\.alias) == ["cat"])
        #expect(try fixture.catalog.mentionDirectory(names: []).entries.isEmpty)
        #expect(try fixture.catalog.aliases(near: "dcuk").contains("duck"))
    }
}

@Suite struct CatalogFileTests {
    @Test func createsItsFolderAndUsesWAL() throws {
        let scratch = try Scratch()
        let catalog = try Catalog.open(at: scratch.path("nested/folder/catalog.sqlite"))
        #expect(FileManager.default.fileExists(atPath: scratch.path("nested/folder/catalog.sqlite")))
        let mode = try DatabaseQueue(path: catalog.path).read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }

    @Test func refusesANonSQLiteFileWithoutTouchingIt() throws {
        let scratch = try Scratch()
        let path = try scratch.write("notes.txt", "these are my notes, not a database\n")
        #expect {
            try Catalog.open(at: path)
        } throws: { error in
            guard case .notACatalog = error as? CatalogError else { return false }
            return true
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "these are my notes, not a database\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) == ["notes.txt"])
    }

    @Test func refusesAnotherProgramsDatabase() throws {
        let scratch = try Scratch()
        let path = scratch.path("other.sqlite")
        try DatabaseQueue(path: path).write { try $0.execute(sql: "CREATE TABLE photos (id INTEGER PRIMARY KEY)") }
        #expect(throws: CatalogError.notACatalog(path: path, detail: "it is an SQLite database of another program")) {
            try Catalog.open(at: path)
        }
        let tables = try DatabaseQueue(path: path).read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") }
        #expect(tables == ["photos"])
    }

    @Test func refusesACatalogFromANewerCameo() throws {
        let scratch = try Scratch()
        let path = scratch.path("catalog.sqlite")
        _ = try Catalog.open(at: path)
        try DatabaseQueue(path: path).write { try $0.execute(sql: "INSERT INTO grdb_migrations VALUES ('fromTheFuture')") }
        #expect(throws: CatalogError.newerSchema(path: path, unknownMigrations: ["fromTheFuture"])) {
            try Catalog.open(at: path)
        }
    }

    @Test func anEmptyFileBecomesACatalog() throws {
        let scratch = try Scratch()
        let path = try scratch.write("empty.sqlite", "")
        let catalog = try Catalog.open(at: path)
        try catalog.add(makeCharacter("duck"))
        #expect(try catalog.characters().count == 1)
    }

    @Test func locationFollowsFlagThenEnvironmentThenXDG() {
        #expect(CatalogLocation.resolve(explicit: "/a.sqlite", environment: ["CAMEO_DB": "/b.sqlite"]) == "/a.sqlite")
        #expect(CatalogLocation.resolve(explicit: nil, environment: ["CAMEO_DB": "/b.sqlite", "XDG_DATA_HOME": "/x"]) == "/b.sqlite")
        #expect(CatalogLocation.resolve(explicit: nil, environment: ["XDG_DATA_HOME": "/x", "HOME": "/h"]) == "/x/cameo/catalog.sqlite")
        #expect(CatalogLocation.resolve(explicit: nil, environment: ["HOME": "/h"]) == "/h/.local/share/cameo/catalog.sqlite")
        #expect(CatalogLocation.resolve(explicit: nil, environment: ["XDG_DATA_HOME": "relative", "HOME": "/h"]) == "/h/.local/share/cameo/catalog.sqlite")
        #expect(CatalogLocation.resolve(explicit: "~/c.sqlite", environment: ["HOME": "/h"]) == "/h/c.sqlite")
    }
}
