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

    @Test func canonicalJSONSortsKeysAndKeepsSlashes() throws {
        let data = try CanonicalJSON.encode(["b": "https://a.example/x", "a": "鸭"])
        #expect(String(decoding: data, as: UTF8.self) == #"{"a":"鸭","b":"https://a.example/x"}"#)
    }
}
