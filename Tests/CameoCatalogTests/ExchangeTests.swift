import CameoCatalog
import CameoTestSupport
import CameoText
import Foundation
import Testing

@Suite struct ExchangeTests {
    let scratch: Scratch
    let catalog: Catalog

    init() throws {
        scratch = try Scratch()
        catalog = try Catalog.open(at: scratch.path("catalog.sqlite"))
    }

    func populate(_ catalog: Catalog) throws {
        try catalog.add(makeCharacter("duck", window: "0.5,2.5", tags: ["pets"], notes: "line one\nline two"))
        try catalog.resolve("duck", to: NewIdentity(username: Username("old.duck")))
        try catalog.resolve("duck", to: NewIdentity(username: Username("quackers.duck"), platformCharacterId: "ch_1",
                                                    displayName: "Quackers", avatarURL: "https://img/x.png",
                                                    origin: .task, taskId: "task-1", provider: "https://api.example.com"))
        try catalog.add(makeCharacter("小鸭子"))
        try catalog.update("小鸭子", CharacterChange(clip: CameoCharacter.Clip(
            path: "/clips/x.mp4", sha256: "abc", duration: 6.5, probeJSON: "{\"duration\":6.5,\"video\":{\"width\":1920}}")))
    }

    @Test func roundTripsEveryField() throws {
        try populate(catalog)
        let document = try catalog.exportDocument()
        let data = try CanonicalJSON.encoder().encode(document)
        let other = try Catalog.open(at: scratch.path("other.sqlite"))
        let summary = try other.importDocument(Catalog.parseDocument(data, source: "test"), source: "test", onConflict: .fail)
        #expect(summary == ImportSummary(added: 2, replaced: 0, skipped: 0))
        let again = try other.exportDocument()
        #expect(again == document)
        #expect(try CanonicalJSON.encoder().encode(again) == data)
        #expect(document.characters.first { $0.alias == "duck" }?.username == "quackers.duck")
        #expect(document.characters.first { $0.alias == "小鸭子" }?.clip?.probe?["video"]?["width"] == .number(1920))
    }

    @Test func conflictPolicies() throws {
        try populate(catalog)
        let document = try catalog.exportDocument()
        #expect(throws: CatalogError.importConflict(aliases: ["duck", "小鸭子"])) {
            try catalog.importDocument(document, source: "f", onConflict: .fail)
        }
        #expect(try catalog.importDocument(document, source: "f", onConflict: .skip) == ImportSummary(added: 0, replaced: 0, skipped: 2))
        try catalog.update("duck", CharacterChange(notes: "changed"))
        #expect(try catalog.importDocument(document, source: "f", onConflict: .replace) == ImportSummary(added: 0, replaced: 2, skipped: 0))
        #expect(try catalog.character(named: "duck").notes == "line one\nline two")
    }

    @Test func aBadEntryImportsNothing() throws {
        try catalog.add(makeCharacter("existing"))
        var document = CatalogDocument(characters: try [makeCharacter("a"), makeCharacter("b")].map { new in
            let scratchCatalog = try Catalog.open(at: scratch.path("tmp-\(new.alias.text).sqlite"))
            return CharacterDocument(try scratchCatalog.add(new))
        })
        document.characters[1].window = .init(start: 3, end: 1)
        #expect {
            try catalog.importDocument(document, source: "f.json", onConflict: .fail)
        } throws: { error in
            guard case .malformedImport(let source, let detail) = error as? CatalogError else { return false }
            return source == "f.json" && detail.hasPrefix("characters[1]: invalid window")
        }
        #expect(try catalog.characters().map(\.alias) == ["existing"])
    }

    @Test func aUsernameOwnedByAnotherCharacterImportsNothing() throws {
        try catalog.add(makeCharacter("goose"))
        try catalog.resolve("goose", to: NewIdentity(username: Username("quackers.duck")))
        let source = try Catalog.open(at: scratch.path("source.sqlite"))
        try populate(source)
        #expect(throws: CatalogError.usernameTaken("quackers.duck", owner: "goose")) {
            try catalog.importDocument(source.exportDocument(), source: "f", onConflict: .fail)
        }
        #expect(try catalog.characters().map(\.alias) == ["goose"])
    }

    @Test(arguments: [
        ("", "not valid JSON"), ("{", "not valid JSON"), ("[]", "not"), ("{\"version\":1}", "lacks \"characters\""),
        ("{\"version\":2,\"characters\":[]}", "format version 2"),
        ("{\"version\":1,\"characters\":[{\"alias\":\"x\"}]}", "characters[0] lacks \"source_url\""),
        ("{\"version\":1,\"characters\":[{\"alias\":5,\"source_url\":\"https://a/b\",\"window\":{\"start\":1,\"end\":2}}]}", "characters[0].alias is not a string"),
    ])
    func malformedDocuments(_ text: String, _ expected: String) {
        #expect {
            try Catalog.parseDocument(Data(text.utf8), source: "in.json")
        } throws: { error in
            guard case .malformedImport(_, let detail) = error as? CatalogError else { return false }
            return detail.contains(expected)
        }
    }
}
