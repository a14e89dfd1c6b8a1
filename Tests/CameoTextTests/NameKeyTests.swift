import CameoText
import Foundation
import Testing

@Suite struct NameKeyTests {
    static let plainRanges: [ClosedRange<UInt32>] = [0x1...0x2FF, 0x3000...0x3029, 0x4E00...0x9FFF, 0xFF01...0xFF5E]

    /// The scalars NameKey passes through without Foundation normalize to themselves there too.
    @Test func theFastPathAgreesWithFoundationOnEveryScalarItPasses() {
        var disagreements: [UInt32] = []
        for range in Self.plainRanges {
            for value in range {
                guard let scalar = Unicode.Scalar(value) else { continue }
                let text = String(Character(scalar))
                if NameKey.nfc(text) != text.precomposedStringWithCanonicalMapping { disagreements.append(value) }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10).map { String($0, radix: 16) })")
    }

    /// ... and on pairs of them, where a composition would show.
    @Test func theFastPathAgreesWithFoundationOnPairs() {
        let firsts = (0x20...0x2FF).compactMap(Unicode.Scalar.init) + [Unicode.Scalar(0x3001)!, Unicode.Scalar(0x4E00)!, Unicode.Scalar(0xFF41)!]
        let seconds = (0x20...0x2FF).compactMap(Unicode.Scalar.init) + [Unicode.Scalar(0x3029)!, Unicode.Scalar(0x9FFF)!, Unicode.Scalar(0xFF5E)!]
        var disagreements: [String] = []
        for first in firsts {
            for second in seconds {
                var text = ""
                text.unicodeScalars.append(first)
                text.unicodeScalars.append(second)
                if NameKey.nfc(text) != text.precomposedStringWithCanonicalMapping { disagreements.append(text) }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
    }

    @Test func whatMayComposeStillGoesThroughFoundation() {
        #expect(NameKey.nfc("e\u{301}") == "\u{E9}")
        #expect(NameKey.nfc("\u{304B}\u{3099}") == "\u{304C}")  // か + combining dakuten = が
        #expect(NameKey.nfc("\u{1100}\u{1161}") == "\u{AC00}")  // Hangul jamo compose
        #expect(NameKey.nfc("\u{F900}") == "\u{8C48}")  // a compatibility ideograph's canonical singleton
        #expect(NameKey.of("DUCK") == "duck")
        #expect(NameKey.of("\u{130}") == "i\u{307}")  // İ lowercases to i + a combining dot, normalized again
    }
}
