import CameoPrompt
import CameoTestSupport
import CameoText
import Testing

/// Random prompts from a seeded generator: the seed is in every failure message, so any case can be replayed.
struct PromptGenerator {
    var random: SeededGenerator

    static let pieces: [String] = [
        "@", "＠", "@{", "}", "{", "@duck", "@cookie", "@小鸭", "@小鸭子", "@quackers.duck", "@xiaoya", "@newbie", "@ghost",
        "@pup.old", "@{duck}", "@{ 小鸭 }", "@duckling", "@cokie", "duck", "小鸭子", ".", ",", "，", "。", "-", "_", "@@",
        " ", "  ", "\t", "\n", "\r\n", "\u{3000}", "\u{A0}", "\u{2028}", "在舞台上", "跳舞", "dance", "me@duck.com",
        "🦆", "👩‍👩‍👧", "🏳️‍🌈", "e\u{301}", "\u{301}", "\u{300}\u{301}", "مرحبا", "שלום", "\u{202E}", "\u{200D}", "\u{FEFF}",
        "\u{0}", "\u{7}", "\u{1B}[31m", "\u{FFFD}", "ｆｕｌｌ", "A", "z", "9",
    ]

    mutating func prompt() -> String {
        let count = Int.random(in: 0...14, using: &random)
        return (0..<count).map { _ in
            if Int.random(in: 0..<6, using: &random) == 0 {
                // Any scalar at all, surrogates excepted.
                let value = UInt32.random(in: 0...0x10FFFF, using: &random)
                return Unicode.Scalar(value).map { String(Character($0)) } ?? "?"
            }
            return Self.pieces[Int.random(in: 0..<Self.pieces.count, using: &random)]
        }.joined()
    }
}

@Suite struct CompositionPropertyTests {
    static let seeds: [UInt64] = [1, 2, 3, 42, 2026, 0xC0FFEE]

    @Test(arguments: seeds)
    func composingTwiceChangesNothing(seed: UInt64) {
        var generator = PromptGenerator(random: SeededGenerator(seed: seed))
        for round in 0..<400 {
            let text = generator.prompt()
            let once = PromptLinter.lint(text, index: catalog).composition.text
            let twice = PromptLinter.lint(once, index: catalog).composition.text
            #expect(once == twice, "seed \(seed) round \(round): \(text.debugDescription) → \(once.debugDescription) → \(twice.debugDescription)")
        }
    }

    /// Every piece of the original is accounted for: mentions become `@username`
    /// or a created character's plain alias, and text between them changes only
    /// in the whitespace that touches a mention.
    @Test(arguments: seeds)
    func textOutsideMentionsIsKept(seed: UInt64) {
        var generator = PromptGenerator(random: SeededGenerator(seed: seed &+ 100))
        for round in 0..<400 {
            let text = generator.prompt()
            let composition = PromptLinter.lint(text, index: catalog).composition
            var cursor = text.startIndex
            for piece in composition.pieces {
                #expect(piece.original.lowerBound == cursor, "seed \(seed) round \(round): pieces do not tile \(text.debugDescription)")
                cursor = piece.original.upperBound
                let original = String(text[piece.original])
                if piece.isMention {
                    #expect(piece.output.hasPrefix("@") && !piece.output.dropFirst().contains { $0.isWhitespace })
                } else {
                    #expect(trimmed(piece.output) == trimmed(original),
                            "seed \(seed) round \(round): \(original.debugDescription) became \(piece.output.debugDescription)")
                }
            }
            #expect(cursor == text.endIndex)
            #expect(composition.pieces.map(\.output).joined() == composition.text)
        }
    }

    @Test(arguments: seeds)
    func withAnEmptyCatalogNothingChanges(seed: UInt64) {
        var generator = PromptGenerator(random: SeededGenerator(seed: seed &+ 200))
        let empty = CharacterIndex([])
        for round in 0..<400 {
            let text = generator.prompt()
            #expect(PromptLinter.lint(text, index: empty).composition.text == text, "seed \(seed) round \(round): \(text.debugDescription)")
        }
    }

    /// Rendering every diagnostic of any prompt works, and the caret line is never empty.
    @Test(arguments: seeds)
    func diagnosticsRenderForAnyText(seed: UInt64) {
        var generator = PromptGenerator(random: SeededGenerator(seed: seed &+ 300))
        for _ in 0..<300 {
            let text = generator.prompt()
            let result = PromptLinter.lint(text, index: catalog)
            for diagnostic in result.diagnostics {
                let rendered = DiagnosticRenderer.render(diagnostic, in: text)
                #expect(rendered.contains("^"))
                #expect((diagnostic.span?.utf16.upperBound ?? .max) <= text.utf16.count)
            }
        }
    }

    /// `load` asks the catalog only for the names `candidateKeys` lists: every
    /// mention reads the same as with every character at hand.
    @Test(arguments: seeds)
    func candidateKeysFindEveryMention(seed: UInt64) throws {
        var generator = PromptGenerator(random: SeededGenerator(seed: seed &+ 400))
        for round in 0..<400 {
            let text = generator.prompt()
            let loaded = try CharacterIndex.load(for: text, from: NamedCharacters())
            #expect(MentionParser.mentions(in: text, index: loaded).map { described($0, loaded, in: text) }
                        == MentionParser.mentions(in: text, index: catalog).map { described($0, catalog, in: text) },
                    "seed \(seed) round \(round): \(text.debugDescription)")
        }
    }

    func described(_ mention: Mention, _ index: CharacterIndex, in text: String) -> String {
        let range = "\(mention.range.lowerBound.utf16Offset(in: text))-\(mention.range.upperBound.utf16Offset(in: text))"
        switch mention.target {
        case .alias(let number): return "alias:\(index.characters[number].alias)@\(range)"
        case .username(let number, let state): return "user:\(index.characters[number].alias):\(state)@\(range)"
        case .unknown(let name): return "unknown:\(name)@\(range)"
        case .malformed: return "malformed@\(range)"
        }
    }

    func trimmed(_ text: String) -> String {
        String(text.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}

/// The test catalog as a store answers: only the characters one of whose names is among the keys.
struct NamedCharacters: CharacterSource {
    func promptCharacters(named keys: Set<String>) throws -> [PromptCharacter] {
        catalog.characters.filter { character in
            let names = [character.alias] + [character.activeUsername].compactMap { $0 } + character.retiredUsernames.map(\.username)
            return names.contains { keys.contains(NameKey.of($0)) }
        }
    }

    func aliases(near name: String) throws -> [String] { [] }
}
