import CameoText
import Foundation
import Testing

@Suite struct TerminalTextTests {
    @Test func unsafeScalarsAreShownEscaped() {
        #expect(TerminalText.escape("a\u{1B}[31mb") == #"a\u{1b}[31mb"#)
        #expect(TerminalText.escape("\u{9B}2J\u{7F}") == #"\u{9b}2J\u{7f}"#)
        #expect(TerminalText.escape("x\u{202E}y\u{2066}z\u{200F}\u{061C}") == #"x\u{202e}y\u{2066}z\u{200f}\u{61c}"#)
        #expect(TerminalText.escape("line\nbreak\ttab\r") == #"line\u{a}break\u{9}tab\u{d}"#)
        #expect(TerminalText.escape("line\nbreak\ttab\r", keepingLineBreaks: true) == "line\nbreak\ttab\\u{d}")
        for safe in ["plain", "小鸭子 🦆 👩‍👩‍👧", "e\u{301}", "ｆｕｌｌ", ""] {
            #expect(TerminalText.escape(safe) == safe)
        }
    }

    /// Invisible format characters (category Cf) make two texts look alike ("succeeded" and
    /// "succeeded\u{200B}"); outside text shows them escaped. A joiner between two emoji stays.
    @Test func invisibleFormatCharactersAreShownEscaped() {
        #expect(TerminalText.escape("zero\u{200B}width") == #"zero\u{200b}width"#)
        #expect(TerminalText.escape("\u{FEFF}ok\u{2060}\u{200C}\u{200D}\u{AD}") == #"\u{feff}ok\u{2060}\u{200c}\u{200d}\u{ad}"#)
        // Tag characters spell invisible ASCII ("hi").
        #expect(TerminalText.escape("a\u{E0068}\u{E0069}") == #"a\u{e0068}\u{e0069}"#)
        #expect(TerminalText.escape("\u{200D}🦆") == #"\u{200d}🦆"#)
        #expect(TerminalText.escape("🦆\u{200D}") == #"🦆\u{200d}"#)
        #expect(TerminalText.escape("1\u{200D}2") == #"1\u{200d}2"#)
        for joined in ["👩‍💻", "🏳️‍🌈", "👩🏽‍🚒", "❤️‍🔥"] {
            #expect(TerminalText.escape(joined) == joined, "\(joined.unicodeScalars.map(\.value))")
        }
        // The last guard leaves them (JSON passes it and keeps values exact); only what acts on the terminal goes.
        #expect(TerminalText.guarded("a\u{200B}b", colour: false) == "a\u{200B}b")
    }

    @Test func theGuardKeepsOnlyColourSequencesAndOnlyWithColour() {
        let ours = "\u{1B}[1;31merror\u{1B}[0m: x"
        #expect(TerminalText.guarded(ours, colour: true) == ours)
        #expect(TerminalText.guarded(ours, colour: false) == #"\u{1b}[1;31merror\u{1b}[0m: x"#)
        for hostile in ["\u{1B}]0;title\u{07}", "\u{1B}[2J", "\u{1B}[31", "\u{1B}", "\u{1B}[12345678901m", "\u{1B}P1$r\u{1B}\\"] {
            let shown = TerminalText.guarded(hostile, colour: true)
            #expect(!shown.unicodeScalars.contains { TerminalText.isUnsafe($0) }, "\(shown)")
        }
        #expect(TerminalText.guarded("a\nb\tc", colour: false) == "a\nb\tc")
    }

    @Test func jsonKeepsItsValueAndLosesItsControls() throws {
        let value = "hi\u{9B}\u{202E}\u{7F}\u{2069}"
        let document = String(decoding: try JSONEncoder().encode(["notes": value]), as: UTF8.self)
        let escaped = TerminalText.jsonEscaped(document)
        #expect(!escaped.unicodeScalars.contains { TerminalText.isUnsafe($0) })
        #expect(try JSONDecoder().decode([String: String].self, from: Data(escaped.utf8)) == ["notes": value])
    }

    @Test func namesRefuseWhatDoesNotShow() {
        for bad in ["a\u{200B}b", "a\u{200D}b", "a\u{202A}b", "a\u{2067}b", "a\u{00AD}b", "a\u{FEFF}b", "a\u{E000}b",
                    "a" + String(repeating: "\u{301}", count: 5)] {
            #expect(NameKey.visibilityProblem(in: bad) != nil, "\(bad.unicodeScalars.map(\.value))")
        }
        for good in ["duck", "小鸭子", "vịt", "e\u{301}\u{302}\u{303}\u{304}", "שָׁלוֹם", "क्षत्रिय"] {
            #expect(NameKey.visibilityProblem(in: good) == nil, "\(good)")
        }
    }
}
