import CameoPrompt
import Testing

let catalog = CharacterIndex([
    PromptCharacter(alias: "duck", activeUsername: "quackers.duck"),
    PromptCharacter(alias: "cookie", activeUsername: "crumbs.jar"),
    PromptCharacter(alias: "小鸭", activeUsername: "xiaoya.small"),
    PromptCharacter(alias: "小鸭子", activeUsername: "xiaoya"),
    PromptCharacter(alias: "quackers", activeUsername: "q.bird"),
    PromptCharacter(alias: "Café", activeUsername: "cafe.cup"),
    PromptCharacter(alias: "kitty-2", activeUsername: "kit_two"),
    PromptCharacter(alias: "newbie"),
    PromptCharacter(alias: "ghost", retiredUsernames: [.init(username: "ghost.gone", revoked: true)]),
    PromptCharacter(alias: "pup", activeUsername: "pup.new", retiredUsernames: [.init(username: "pup.old", revoked: false)]),
])

func names(_ text: String) -> [String] {
    MentionParser.mentions(in: text, index: catalog).map { mention in
        switch mention.target {
        case .alias(let number): "alias:" + catalog.characters[number].alias
        case .username(let number, let state): "user:\(catalog.characters[number].alias):\(state)"
        case .unknown(let name): "unknown:" + name
        case .malformed: "malformed"
        }
    }
}

func compose(_ text: String, _ options: PromptOptions = .init()) -> String {
    PromptLinter.lint(text, index: catalog, options: options).composition.text
}

@Suite struct MentionTests {
    @Test(arguments: [
        ("@duck", ["alias:duck"]),
        ("和@cookie跳舞", ["alias:cookie"]),
        ("me@duck.com", []),
        ("a_@duck x.@duck y-@duck z@@duck", []),
        ("@duck@cookie", ["alias:duck", "alias:cookie"]),
        ("(@duck)", ["alias:duck"]),
        ("＠duck", ["alias:duck"]),
        ("@DUCK dances", ["alias:duck"]),
        ("@caf\u{E9} and @cafe\u{301}", ["alias:Café", "alias:Café"]),
        ("🦆@duck", ["alias:duck"]),
    ])
    func startsOnlyWhereAllowed(_ text: String, _ expected: [String]) {
        #expect(names(text) == expected, "\(text)")
    }

    @Test(arguments: [
        ("@duckling", ["unknown:duckling"]),
        ("@duck_x", ["unknown:duck_x"]),
        ("@duck-2", ["unknown:duck-2"]),
        ("@duck.", ["alias:duck"]),
        ("@duck's hat", ["alias:duck"]),
        ("@duck在舞台上", ["alias:duck"]),
        ("@小鸭子在舞台上", ["alias:小鸭子"]),
        ("@小鸭在舞台上", ["alias:小鸭"]),
        ("@小鸡在舞台上", ["unknown:小鸡在舞台上"]),
        ("@duckling在舞台上", ["unknown:duckling"]),
        ("@kitty-2 runs", ["alias:kitty-2"]),
    ])
    func longestNameWithASCIIBoundary(_ text: String, _ expected: [String]) {
        #expect(names(text) == expected, "\(text)")
    }

    @Test func usernamesBeatShorterAliases() {
        #expect(names("@quackers.duck waves") == ["user:duck:active"])
        #expect(names("@quackers waves") == ["alias:quackers"])
        #expect(names("@xiaoya在跳舞") == ["user:小鸭子:active"])
        #expect(names("@ghost.gone") == ["user:ghost:revoked"])
        #expect(names("@pup.old") == ["user:pup:superseded"])
    }

    @Test func explicitMentions() {
        #expect(names("@{duck} and @{ 小鸭 }") == ["alias:duck", "alias:小鸭"])
        #expect(names("@{quackers.duck}") == ["user:duck:active"])
        #expect(names("@{nobody}") == ["unknown:nobody"])
        #expect(names("@{duck") == ["malformed"])
        #expect(names("@{}") == ["malformed"])
        #expect(names("@{duck\n}") == ["malformed"])
    }

    @Test func loneAtSignsAreNotMentions() {
        #expect(names("@") == [])
        #expect(names("@ duck") == [])
        #expect(names("email me @ home") == [])
        #expect(names("@!") == [])
    }
}

@Suite struct CompositionTests {
    @Test(arguments: [
        ("@duck在舞台上和@cookie牵手跳舞", "@quackers.duck 在舞台上和 @crumbs.jar 牵手跳舞"),
        ("@duck,", "@quackers.duck ,"),
        ("@duck dances", "@quackers.duck dances"),
        ("see @duck", "see @quackers.duck"),
        ("@duck\t和\n@cookie", "@quackers.duck\t和\n@crumbs.jar"),
        ("和\u{3000}@duck\u{3000}跳舞", "和 @quackers.duck 跳舞"),
        ("和\u{A0}\u{3000}@duck", "和 @quackers.duck"),
        ("和 \u{3000}@duck", "和 \u{3000}@quackers.duck"),
        ("@duck@cookie", "@quackers.duck @crumbs.jar"),
        ("＠duck跳舞", "@quackers.duck 跳舞"),
        ("@{duck}跳舞", "@quackers.duck 跳舞"),
        ("(@duck)", "( @quackers.duck )"),
        ("@quackers.duck在跳舞", "@quackers.duck 在跳舞"),
        ("@pup.old runs", "@pup.new runs"),
        ("me@duck.com", "me@duck.com"),
        ("@duckling在舞台上", "@duckling在舞台上"),
        ("和@newbie跳舞", "和@newbie跳舞"),
        ("", ""),
    ])
    func composes(_ text: String, _ expected: String) {
        #expect(compose(text) == expected)
        #expect(compose(compose(text)) == compose(text), "composing twice changes \(text)")
    }

    @Test func createdCharactersAreSentAsPlainWords() {
        #expect(compose("和@newbie跳舞", PromptOptions(creating: ["newbie"])) == "和newbie跳舞")
        #expect(compose("@duck和@newbie", PromptOptions(creating: ["NEWBIE"])) == "@quackers.duck 和newbie")
    }

    @Test(arguments: [
        ("Wɪᴛʜ @duck ünïcödé", "Wɪᴛʜ @quackers.duck ünïcödé"),
        ("مرحبا@duckשלום", "مرحبا @quackers.duck שלום"),
        ("👩‍👩‍👧@duck🏳️‍🌈", "👩‍👩‍👧 @quackers.duck 🏳️‍🌈"),
    ])
    func leavesEveryOtherCharacterAsWritten(_ text: String, _ expected: String) {
        #expect(compose(text) == expected)
    }
}

@Suite struct CandidateKeyTests {
    /// Only where the parser lets a name end: after `-`, before CJK text, before a space.
    @Test func onlyWhereANameMayEnd() {
        #expect(MentionParser.candidateKeys(in: "@Char-487牵手 and @duck.x {b}") == ["char-", "char-487", "char-487牵", "char-487牵手", "duck", "duck.", "duck.x"])
        #expect(MentionParser.candidateKeys(in: "@{ Duck } @duckling") == ["duck", "duckling"])
    }
}
