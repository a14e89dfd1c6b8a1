import CameoCatalog
import CameoText
import CameoTestSupport
import Foundation
import Testing

@Suite struct AliasTests {
    @Test(arguments: ["duck", "Duck_2", "小鸭子", "кот-1", "ダック", "a", String(repeating: "x", count: 64), "e\u{301}te"])
    func accepts(_ text: String) throws {
        let alias = try Alias(text)
        #expect(alias.text == text.precomposedStringWithCanonicalMapping)
    }

    @Test(arguments: ["", "has space", "duck!", "@duck", "a.b", String(repeating: "x", count: 65), "\u{301}x", "tab\tx"])
    func refuses(_ text: String) {
        #expect(throws: CatalogError.self) { try Alias(text) }
    }

    @Test func keyIgnoresCaseAndNormalization() throws {
        #expect(try Alias("DUCK").key == Alias("duck").key)
        #expect(try Alias("Cafe\u{301}").key == Alias("café").key)
    }
}

@Suite struct WindowTests {
    @Test(arguments: [
        ("1,3", 1000, 3000, "1,3"), ("0.5,2.5", 500, 2500, "0.5,2.5"), ("0,1", 0, 1000, "0,1"),
        ("0.7,1.7", 700, 1700, "0.7,1.7"), (" 2 , 4.25 ", 2000, 4250, "2,4.25"), ("1.50,3.000", 1500, 3000, "1.5,3"),
        ("0.5,1.5", 500, 1500, "0.5,1.5"),
    ])
    func parses(_ text: String, _ start: Int, _ end: Int, _ printed: String) throws {
        let window = try CharacterWindow(parsing: text)
        #expect(window.startMilliseconds == start)
        #expect(window.endMilliseconds == end)
        #expect(window.description == printed)
    }

    @Test(arguments: [
        ("3,1", "end must be after start"), ("0,5", "5 s long"), ("1,1.5", "0.5 s long"), ("-1,1", "before 0"),
        ("a,b", "not a number"), ("1", "two numbers"), ("1,2,3", "two numbers"), ("1e0,3", "not a number"),
        ("1.0001,3", "not a number"), ("", "two numbers"), ("1,", "not a number"), ("inf,3", "not a number"),
        // One grammar for seconds (Seconds.milliseconds): no bare point, no sign.
        (".5,1.5", "not a number"), ("1.,3", "not a number"), ("+1,3", "not a number"), ("1,+3", "not a number"),
    ])
    func refuses(_ text: String, _ reason: String) {
        #expect {
            try CharacterWindow(parsing: text)
        } throws: { error in
            guard case .invalidWindow(let given, let why) = error as? CatalogError else { return false }
            return given == text && why.contains(reason)
        }
    }
}

@Suite struct OtherValueTests {
    @Test func sourceURLs() throws {
        #expect(try SourceURL("https://cdn.example.com/a.mp4").text == "https://cdn.example.com/a.mp4")
        #expect(try SourceURL("HTTP://cdn.example.com/a.mp4?x=1").text == "HTTP://cdn.example.com/a.mp4?x=1")
        for bad in ["file:///tmp/a.mp4", "ftp://x/y", "cdn.example.com/a.mp4", "https://", "", "https://a b/c", "data:video/mp4;base64,AA"] {
            #expect(throws: CatalogError.self, "\(bad)") { try SourceURL(bad) }
        }
    }

    @Test func usernames() throws {
        #expect(try Username("@quackers.duck").text == "quackers.duck")
        #expect(try Username("a-b_c.9").text == "a-b_c.9")
        for bad in ["", "@", "has space", ".lead", "trail.", "a/b", "a@b"] {
            #expect(throws: CatalogError.self, "\(bad)") { try Username(bad) }
        }
    }

    @Test func tagsAreCaseInsensitive() throws {
        #expect(try Tag(" Pets ").text == "pets")
        #expect(throws: CatalogError.self) { try Tag("a,b") }
        #expect(throws: CatalogError.self) { try Tag("  ") }
        // Invisible characters are refused, not trimmed away, wherever they stand.
        for hidden in ["t\u{200B}", "\u{200B}t", "t\u{2060}", "\u{FEFF}t", "t\u{202E}"] {
            #expect(throws: CatalogError.self, "\(hidden.unicodeScalars.map(\.value))") { try Tag(hidden) }
        }
    }

    @Test func secondsPrintLikeTheSpec() {
        #expect(Seconds.format(1) == "1")
        #expect(Seconds.format(0.5) == "0.5")
        #expect(Seconds.format(2.25) == "2.25")
        #expect(Seconds.format(0.1 + 0.2) == "0.3")
        #expect(Seconds.format(10.05) == "10.05")
    }

    @Test func closestNameSuggestsNearTypos() {
        #expect(ClosestName.find("dcuk", among: ["duck", "cookie"]) == "duck")
        #expect(ClosestName.find("COOKI", among: ["duck", "cookie"]) == "cookie")
        #expect(ClosestName.find("zebra", among: ["duck", "cookie"]) == nil)
    }
}

@Suite struct TimestampTests {
    @Test func roundTripsThroughTextExactly() {
        var random = SeededGenerator(seed: 7)
        for _ in 0..<2000 {
            let value = Int64.random(in: -2_000_000_000_000...4_000_000_000_000, using: &random)
            let time = Timestamp(millisecondsSince1970: value)
            #expect(Timestamp(parsing: time.description) == time, "\(value)")
        }
    }

    @Test func agreesWithFoundation() throws {
        let time = Timestamp(millisecondsSince1970: 1_764_044_328_874)
        #expect(time.description == "2025-11-25T04:18:48.874Z")
        #expect(time.date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)) == "2025-11-25T04:18:48.874Z")
        #expect(Timestamp(parsing: "2025-11-25T06:18:48.874+02:00") == time)
        #expect(Timestamp(parsing: "2025-11-25 04:18:48.874") == time)
        #expect(Timestamp(parsing: "2025-11-25T04:18:48Z")?.millisecondsSince1970 == 1_764_044_328_000)
        #expect(Timestamp(parsing: "2024-02-29T00:00:00Z") != nil && Timestamp(parsing: "2000-02-29T00:00:00Z") != nil)
        #expect(Timestamp(parsing: "2025-12-31T23:59:59.999Z") != nil)
        for bad in ["", "2025-13-01T00:00:00Z", "2025-11-25T04:18", "yesterday", "2025-11-25T04:18:48.Z", "2025-11-25T04:18:48.874+0200",
                    "2026-02-30T00:00:00Z", "2026-02-29T00:00:00Z", "1900-02-29 00:00:00", "2025-04-31T00:00:00Z", "2025-01-00T00:00:00Z"] {
            #expect(Timestamp(parsing: bad) == nil, "\(bad)")
        }
    }
}
