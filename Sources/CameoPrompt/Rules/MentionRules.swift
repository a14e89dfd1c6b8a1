import CameoText

struct EmptyPromptRule: PromptRule {
    static let description = RuleDescription(
        identifier: "empty-prompt", summary: "The prompt has no text", severity: .error,
        explanation: "The API requires a prompt; an empty or blank one is refused before any video is made.",
        triggeringExamples: [Example("↓"), Example("↓   "), Example("↓\n\t")],
        nonTriggeringExamples: [Example("a duck on a stage"), Example("@duck")])

    func check(_ prompt: PromptContext) -> [Diagnostic] {
        guard prompt.text.allSatisfy(\.isWhitespace) else { return [] }
        return [diagnostic("the prompt is empty", at: prompt.text.startIndex..<prompt.text.endIndex, in: prompt,
                           note: "describe the video to make")]
    }
}

struct UnknownCharacterRule: PromptRule {
    static let description = RuleDescription(
        identifier: "unknown-character", summary: "A mention names no character in the catalog", severity: .error,
        explanation: """
            The API fails on a reference it cannot read. A mention must be an alias from the catalog \
            (`cameo list`) or a username the platform gave one of its characters.
            """,
        triggeringExamples: [Example("↓@duckling dances"), Example("和↓@cokie跳舞"), Example("↓@{nobody} waves"), Example("look ↓＠nobody")],
        nonTriggeringExamples: [Example("@duck dances"), Example("me@duck.com"), Example("@quackers.duck waves"), Example("@小鸭子在舞台上"), Example("a lone @ sign")])

    func check(_ prompt: PromptContext) -> [Diagnostic] {
        prompt.mentions.compactMap { mention in
            guard case .unknown(let name) = mention.target else { return nil }
            let suggestion = prompt.index.suggestion(for: name)
            return diagnostic("no character named \"\(name)\"", at: mention.range, in: prompt,
                              note: suggestion.map { "did you mean \"\($0)\"?" } ?? "`cameo list` shows the catalog's characters")
        }
    }
}

struct MalformedMentionRule: PromptRule {
    static let description = RuleDescription(
        identifier: "malformed-mention", summary: "`@{` without a closing `}`, or an empty `@{}`", severity: .error,
        explanation: "`@{name}` names a character explicitly; without its closing brace, or without a name, it names nothing.",
        triggeringExamples: [Example("↓@{duck dances"), Example("↓@{} dances")],
        nonTriggeringExamples: [Example("@{duck} dances"), Example("@duck {happily}")])

    func check(_ prompt: PromptContext) -> [Diagnostic] {
        prompt.mentions.compactMap { mention in
            guard case .malformed = mention.target else { return nil }
            let message = mention.name.isEmpty ? "`@{}` names no character" : "`@{` is not closed"
            return diagnostic(message, at: mention.range, in: prompt, note: "write @{alias}")
        }
    }
}

struct UnresolvedCharacterRule: PromptRule {
    static let description = RuleDescription(
        identifier: "unresolved-character", summary: "A character has no username yet", severity: .error,
        explanation: """
            A prompt refers to a character by the username the platform gave it. Until that username is \
            recorded (`cameo resolve ALIAS USERNAME`), the alias cannot be written as `@username`. A request \
            that creates the character (`--character ALIAS`) may mention it: it is sent as a plain word.
            """,
        triggeringExamples: [Example("↓@newbie plays"), Example("和↓@{newbie}玩")],
        nonTriggeringExamples: [Example("@duck plays"), Example("@ghost waves")])

    func check(_ prompt: PromptContext) -> [Diagnostic] {
        prompt.mentions.compactMap { mention in
            guard case .alias(let number) = mention.target else { return nil }
            let character = prompt.character(number)
            guard character.activeUsername == nil, character.revokedUsername == nil, !prompt.isCreated(number) else { return nil }
            return diagnostic("\"\(character.alias)\" has no username yet", at: mention.range, in: prompt,
                              note: "resolve it (`cameo resolve \(character.alias) USERNAME`), or send with `--character \(character.alias)` to create it")
        }
    }
}

struct RevokedCharacterRule: PromptRule {
    static let description = RuleDescription(
        identifier: "revoked-character", summary: "A character's username was revoked", severity: .error,
        explanation: """
            The character's owner revoked access to it or deleted it (`cameo_permission_denied`): \
            the platform refuses the username. The catalog keeps the source URL and window, so the \
            character can be created again with `--character`.
            """,
        triggeringExamples: [Example("↓@ghost waves"), Example("↓@ghost.gone waves")],
        nonTriggeringExamples: [Example("@duck waves"), Example("@newbie waves")])

    func check(_ prompt: PromptContext) -> [Diagnostic] {
        prompt.mentions.compactMap { mention in
            switch mention.target {
            case .alias(let number):
                let character = prompt.character(number)
                guard let revoked = character.revokedUsername, !prompt.isCreated(number) else { return nil }
                return diagnostic("\"\(character.alias)\"'s username @\(revoked) was revoked", at: mention.range, in: prompt,
                                  note: "create it again with `--character \(character.alias)`, or resolve a new username")
            case .username(let number, .revoked):
                let alias = prompt.character(number).alias
                return diagnostic("@\(mention.name) was revoked", at: mention.range, in: prompt,
                                  note: "create \"\(alias)\" again with `--character \(alias)`, or resolve a new username")
            default:
                return nil
            }
        }
    }
}

struct SupersededUsernameRule: PromptRule {
    static let description = RuleDescription(
        identifier: "superseded-username", summary: "A username was replaced by a newer one", severity: .warning,
        explanation: "The character has a newer username; composition writes the newer one.",
        triggeringExamples: [Example("↓@old.duck dances")],
        nonTriggeringExamples: [Example("@quackers.duck dances"), Example("@duck dances")],
        corrections: [Example("↓@old.duck dances"): Example("@quackers.duck dances")])

    func check(_ prompt: PromptContext) -> [Diagnostic] {
        prompt.mentions.compactMap { mention in
            guard case .username(let number, .superseded) = mention.target,
                  let active = prompt.character(number).activeUsername else { return nil }
            return diagnostic("@\(mention.name) is superseded by @\(active)", at: mention.range, in: prompt,
                              replacement: "@" + active)
        }
    }
}

struct MissingSpaceRule: PromptRule {
    static let description = RuleDescription(
        identifier: "missing-space", summary: "A `@username` touches the text around it", severity: .error,
        explanation: """
            The API reads a character reference only when spaces separate it from the rest of the prompt \
            (`@{角色1Username} 在一个舞台上`). Aliases are spaced by composition; a username written \
            by hand must be spaced too. Punctuation counts as a neighbour.
            """,
        triggeringExamples: [Example("↓@quackers.duck在舞台上"), Example("和↓@quackers.duck 跳舞"), Example("↓@quackers.duck, hi"), Example("hi\u{3000}↓@crumbs.jar")],
        nonTriggeringExamples: [Example("@quackers.duck 在舞台上"), Example("和 @crumbs.jar 跳舞"), Example("@duck在舞台上"), Example("@quackers.duck\n@crumbs.jar")],
        corrections: [
            Example("↓@quackers.duck在舞台上"): Example("@quackers.duck 在舞台上"),
            Example("和↓@quackers.duck 跳舞"): Example("和 @quackers.duck 跳舞"),
            Example("和↓@crumbs.jar跳舞"): Example("和 @crumbs.jar 跳舞"),
        ])

    func check(_ prompt: PromptContext) -> [Diagnostic] {
        let text = prompt.text
        return prompt.mentions.compactMap { mention in
            guard case .username = mention.target, !mention.explicit else { return nil }
            let before = mention.range.lowerBound > text.startIndex ? text[text.index(before: mention.range.lowerBound)] : nil
            let after = mention.range.upperBound < text.endIndex ? text[mention.range.upperBound] : nil
            let gluedBefore = before.map { !Composer.isASCIIWhitespace($0) } ?? false
            let gluedAfter = after.map { !Composer.isASCIIWhitespace($0) } ?? false
            guard gluedBefore || gluedAfter else { return nil }
            let sides = gluedBefore && gluedAfter ? "either side" : gluedBefore ? "before it" : "after it"
            let written = (mention.fullwidth ? "＠" : "@") + mention.name
            return diagnostic("\(written) needs a space \(sides)", at: mention.range, in: prompt,
                              note: "the API reads a reference only when spaces separate it from the prompt",
                              replacement: (gluedBefore && before?.isWhitespace == false ? " " : "") + "@" + mention.name
                                  + (gluedAfter && after?.isWhitespace == false ? " " : ""))
        }
    }
}

struct FullwidthAtRule: PromptRule {
    static let description = RuleDescription(
        identifier: "fullwidth-at", summary: "A mention starts with the full-width `＠`", severity: .warning,
        explanation: "Chinese and Japanese keyboards type `＠` (U+FF20); the API reads only `@`. Composition writes `@`.",
        triggeringExamples: [Example("↓＠duck 跳舞"), Example("和 ↓＠quackers.duck 跳舞")],
        nonTriggeringExamples: [Example("@duck 跳舞"), Example("a price＠3")],
        corrections: [Example("↓＠duck 跳舞"): Example("@duck 跳舞"), Example("和 ↓＠quackers.duck 跳舞"): Example("和 @quackers.duck 跳舞")])

    func check(_ prompt: PromptContext) -> [Diagnostic] {
        prompt.mentions.compactMap { mention in
            guard mention.fullwidth else { return nil }
            let at = mention.range.lowerBound
            return diagnostic("full-width ＠ instead of @", at: at..<prompt.text.index(after: at), in: prompt, replacement: "@")
        }
    }
}

struct AmbiguousMentionRule: PromptRule {
    static let description = RuleDescription(
        identifier: "ambiguous-mention", summary: "A name is one character's username and another's alias", severity: .warning,
        explanation: """
            A bare `@name` that is both reads as the username, so that composed prompts stay as they are. \
            Write `@{name}` to mean the alias.
            """,
        triggeringExamples: [Example("↓@bob waves")],
        nonTriggeringExamples: [Example("@{bob} waves"), Example("@robert waves")])

    func check(_ prompt: PromptContext) -> [Diagnostic] {
        prompt.mentions.compactMap { mention in
            guard let shadowed = mention.shadowedAlias, let number = mention.character else { return nil }
            return diagnostic("@\(mention.name) is read as the username of \"\(prompt.character(number).alias)\", not the alias of \"\(prompt.character(shadowed).alias)\"",
                              at: mention.range, in: prompt, note: "write @{\(prompt.character(shadowed).alias)} for the alias")
        }
    }
}

struct DuplicateMentionRule: PromptRule {
    static let description = RuleDescription(
        identifier: "duplicate-mention", summary: "A character is mentioned more than once", severity: .info,
        explanation: "Mentioning a character twice is allowed; it is often a slip, such as an alias and its username both used.",
        triggeringExamples: [Example("@duck meets ↓@duck"), Example("@duck meets ↓@quackers.duck")],
        nonTriggeringExamples: [Example("@duck meets @cookie")])

    func check(_ prompt: PromptContext) -> [Diagnostic] {
        var seen = Set<Int>()
        return prompt.mentions.compactMap { mention in
            guard let number = mention.character else { return nil }
            guard !seen.insert(number).inserted else { return nil }
            return diagnostic("\"\(prompt.character(number).alias)\" is mentioned again", at: mention.range, in: prompt)
        }
    }
}

struct TooManyCharactersRule: PromptRule {
    static let description = RuleDescription(
        identifier: "too-many-characters", summary: "More characters than a video can hold well (5 by default)", severity: .warning,
        explanation: "Each character takes part of the video; past a handful they crowd out and fade. The limit is `--max-characters`.",
        triggeringExamples: [Example("@duck @cookie @小鸭子 @小鸭 @tiny ↓@robert")],
        nonTriggeringExamples: [Example("@duck @cookie @小鸭子 @小鸭 @tiny"), Example("@duck @duck @duck @duck @duck @duck")])

    func check(_ prompt: PromptContext) -> [Diagnostic] {
        var seen = Set<Int>()
        for mention in prompt.mentions {
            guard let number = mention.character, seen.insert(number).inserted else { continue }
            if seen.count == prompt.options.maximumCharacters + 1 {
                return [diagnostic("more than \(prompt.options.maximumCharacters) characters in one prompt", at: mention.range, in: prompt,
                                   note: "split the scene, or raise the limit with --max-characters")]
            }
        }
        return []
    }
}

struct WindowBeyondClipRule: PromptRule {
    static let description = RuleDescription(
        identifier: "window-beyond-clip", summary: "A character's window ends after its clip does", severity: .warning,
        explanation: "The clip's probed duration is shorter than the end of the character's window: creating it again from its source would fail.",
        triggeringExamples: [Example("↓@tiny jumps")],
        nonTriggeringExamples: [Example("@duck jumps")])

    func check(_ prompt: PromptContext) -> [Diagnostic] {
        prompt.mentions.compactMap { mention in
            guard let number = mention.character else { return nil }
            let character = prompt.character(number)
            guard let duration = character.mediaDuration, duration + 0.0005 < character.windowEnd else { return nil }
            return diagnostic("\"\(character.alias)\"'s window ends at \(Seconds.format(character.windowEnd)) s but its clip plays for \(Seconds.format(duration)) s",
                              at: mention.range, in: prompt, note: "`cameo windows` finds a window inside the clip")
        }
    }
}
