import CameoText
import Foundation
import Testing

/// The one did-you-mean, URL check, name alphabet and JSON encoder every module uses.
@Suite struct SharedDefinitionsTests {
    @Test func didYouMeanDoesNotDependOnOrder() {
        let candidates = ["duck", "dusk", "luck", "cookie"]
        #expect(ClosestName.find("dück", among: candidates) == "duck")
        // "duxk" is one edit from both duck and dusk: the alphabetically first wins, in any order.
        #expect(ClosestName.find("duxk", among: candidates) == "duck")
        #expect(ClosestName.find("duxk", among: candidates.reversed()) == "duck")
        #expect(ClosestName.find("zebra", among: candidates) == nil)
        // A name that runs on (CJK text after it) prefers the candidate that explains more of it.
        #expect(ClosestName.find("小鴨子在", among: ["小鸭", "小鸭子"], allowingRunOn: true) == "小鸭子")
        #expect(ClosestName.find("小鴨子在", among: ["小鸭子", "小鸭"], allowingRunOn: true) == "小鸭子")
        #expect(ClosestName.find("小鴨子在舞台", among: ["小鸭子"]) == nil)
        #expect(ClosestName.find("小鴨子在舞台", among: ["小鸭子"], allowingRunOn: true) == "小鸭子")
    }

    @Test func webAddresses() {
        #expect(WebAddress.isHTTP("https://a.example/d.mp4") && WebAddress.isHTTP("HTTP://a.example"))
        #expect(WebAddress.problem("file:///tmp/d.mp4") == "file: URLs cannot be fetched by the provider, only http and https")
        #expect(WebAddress.problem("https:///d.mp4") == "it has no host")
        #expect(WebAddress.problem("https://a.example/a b.mp4") == "it contains spaces or control characters (percent-encode them)")
        #expect(WebAddress.problem("") == "it is empty")
        #expect(WebAddress.hasHTTPScheme("HTTPS://x") && !WebAddress.hasHTTPScheme("httpx://x") && !WebAddress.hasHTTPScheme("clip.mp4"))
    }

    @Test func nameScalars() {
        for scalar in ["a", "Ж", "鸭", "7", "_", "-", "\u{301}"] as [Unicode.Scalar] { #expect(NameKey.isNameScalar(scalar), "\(scalar)") }
        for scalar in [".", " ", "@", "\u{200B}", "🦆"] as [Unicode.Scalar] { #expect(!NameKey.isNameScalar(scalar), "\(scalar)") }
    }

    @Test func oneGrammarForSecondsAndCounts() {
        let seconds: [(String, Int?)] = [
            ("2", 2000), ("0.5", 500), ("2.25", 2250), ("007", 7000), (" 1.5 ", 1500), ("999999.999", 999_999_999),
            (".5", nil), ("5.", nil), ("+5", nil), ("-5", nil), ("1e3", nil), ("0.0005", nil), ("1234567", nil), ("", nil),
            (".", nil), ("1.2.3", nil), ("٣", nil), ("0x10", nil), ("1_000", nil), ("inf", nil), ("nan", nil), ("\t1", nil),
        ]
        for (text, expected) in seconds { #expect(Seconds.milliseconds(text) == expected, "\(text)") }
        let counts: [(String, Int?)] = [("3", 3), (" 12 ", 12), ("99999999999999999999", Int.max),
                                        ("+5", nil), ("-1", nil), ("1.0", nil), ("", nil), ("1e2", nil), ("٣", nil)]
        for (text, expected) in counts { #expect(WholeNumber.value(text) == expected, "\(text)") }
    }

    /// Pretty documents print empty containers as `[]` and `{}`, from the encoder and from
    /// `PrettyJSON` alike; compact ones are Foundation's bytes, unchanged.
    @Test func emptyContainersPrintOnOneLine() throws {
        let value: JSONValue = .object(["a": .array([]), "b": .object([:]), "c": .array([.object([:]), .array([.array([])])]),
                                        "d": .string("[\n\n  ] {\n}"), "e": .array([.number(1)])])
        let expected = """
            {
              "a" : [],
              "b" : {},
              "c" : [
                {},
                [
                  []
                ]
              ],
              "d" : "[\\n\\n  ] {\\n}",
              "e" : [
                1
              ]
            }
            """
        #expect(String(decoding: try CanonicalJSON.encode(value, pretty: true), as: UTF8.self) == expected)
        var pretty = PrettyJSON()
        pretty.value(value)
        #expect(String(decoding: pretty.bytes, as: UTF8.self) == expected)
        #expect(String(decoding: try CanonicalJSON.encode(value), as: UTF8.self)
                == #"{"a":[],"b":{},"c":[{},[[]]],"d":"[\n\n  ] {\n}","e":[1]}"#)
        #expect(String(decoding: try CanonicalJSON.encode([String]()), as: UTF8.self) == "[]")
        var empty = PrettyJSON()
        empty.beginArray()
        empty.endArray()
        #expect(empty.bytes == Array("[]".utf8))
    }

    @Test func canonicalJSONSortsKeysAndKeepsSlashes() throws {
        let data = try CanonicalJSON.encode(["b": "https://a.example/x", "a": "鸭"])
        #expect(String(decoding: data, as: UTF8.self) == #"{"a":"鸭","b":"https://a.example/x"}"#)
    }
}
