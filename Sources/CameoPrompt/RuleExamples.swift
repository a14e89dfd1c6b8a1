/// The catalog that rule examples are written against.
package enum RuleExamples {
    package static let characters: [PromptCharacter] = [
        PromptCharacter(alias: "duck", activeUsername: "quackers.duck",
                        retiredUsernames: [.init(username: "old.duck", revoked: false)], mediaDuration: 6, windowEnd: 3),
        PromptCharacter(alias: "cookie", activeUsername: "crumbs.jar", windowEnd: 2),
        PromptCharacter(alias: "小鸭子", activeUsername: "xiaoya"),
        PromptCharacter(alias: "小鸭", activeUsername: "xiaoya.small"),
        PromptCharacter(alias: "newbie"),
        PromptCharacter(alias: "ghost", retiredUsernames: [.init(username: "ghost.gone", revoked: true)]),
        PromptCharacter(alias: "tiny", activeUsername: "tiny.one", mediaDuration: 1.5, windowEnd: 2.5),
        PromptCharacter(alias: "bob", activeUsername: "bobby.cat"),
        PromptCharacter(alias: "robert", activeUsername: "bob"),
    ]

    package static let index = CharacterIndex(characters)
}
