import CameoText

/// A character as prompts see it: its alias and the usernames the platform gave it.
public struct PromptCharacter: Sendable, Equatable {
    public var alias: String
    public var activeUsername: String?
    /// Older usernames: superseded by a newer one, or revoked by their owner.
    public var retiredUsernames: [RetiredUsername]
    /// How long its clip (or source video) plays, when probed.
    public var mediaDuration: Double?
    /// Where its window ends, in seconds.
    public var windowEnd: Double

    public struct RetiredUsername: Sendable, Equatable {
        public var username: String
        public var revoked: Bool

        public init(username: String, revoked: Bool) {
            self.username = username
            self.revoked = revoked
        }
    }

    public init(alias: String, activeUsername: String? = nil, retiredUsernames: [RetiredUsername] = [],
                mediaDuration: Double? = nil, windowEnd: Double = 3) {
        self.alias = alias
        self.activeUsername = activeUsername
        self.retiredUsernames = retiredUsernames
        self.mediaDuration = mediaDuration
        self.windowEnd = windowEnd
    }

    /// The username it lost most recently to revocation, if it has no active one.
    var revokedUsername: String? {
        activeUsername == nil ? retiredUsernames.last(where: \.revoked)?.username : nil
    }
}

/// Whatever keeps characters (the catalog); prompts only need to read them.
public protocol CharacterSource {
    /// The characters whose alias or one of whose usernames has one of these
    /// keys (`NameKey.of`): all that the mentions of a prompt can refer to.
    func promptCharacters(named keys: Set<String>) throws -> [PromptCharacter]
    /// The aliases a did-you-mean for `name` must consider: at least every
    /// alias close enough to suggest (`ClosestName`), typed names that run on
    /// into CJK text included.
    func aliases(near name: String) throws -> [String]
}

/// Characters by alias and by username, compared as the catalog compares them.
public struct CharacterIndex: Sendable {
    public enum UsernameState: Sendable, Equatable {
        case active, superseded, revoked
    }

    public let characters: [PromptCharacter]
    /// Aliases besides `characters`' to suggest, by the key of the mistyped name.
    private var suggestionCandidates: [String: [String]] = [:]
    private var byAlias: [String: Int] = [:]
    private var byUsername: [String: (character: Int, state: UsernameState)] = [:]
    /// The longest name, in characters: how far after `@` a match can reach.
    private(set) var longestName = 0

    /// How many different unknown names get a did-you-mean from the whole
    /// catalog: each asks the catalog once, so a prompt of thousands of
    /// mistyped names stays fast (the rest are compared with the characters
    /// the prompt does name).
    public static let maximumSuggestedNames = 20

    /// Loads from `source` only the characters that `text` may mention, and
    /// for each name that matches none, the aliases close enough to suggest.
    public static func load(for text: String, from source: some CharacterSource) throws -> CharacterIndex {
        var index = CharacterIndex(try source.promptCharacters(named: MentionParser.candidateKeys(in: text)))
        for mention in MentionParser.mentions(in: text, index: index) {
            guard case .unknown(let name) = mention.target, index.suggestionCandidates.count < maximumSuggestedNames else { continue }
            let key = NameKey.of(name)
            if index.suggestionCandidates[key] == nil {
                index.suggestionCandidates[key] = try source.aliases(near: name)
            }
        }
        return index
    }

    public init(_ characters: [PromptCharacter]) {
        self.characters = characters
        for (index, character) in characters.enumerated() {
            byAlias[NameKey.of(character.alias)] = index
            longestName = max(longestName, character.alias.count)
            for retired in character.retiredUsernames {
                byUsername[NameKey.of(retired.username)] = (index, retired.revoked ? .revoked : .superseded)
                longestName = max(longestName, retired.username.count)
            }
        }
        // Active usernames last: they win over a stale record of the same name.
        for (index, character) in characters.enumerated() {
            guard let username = character.activeUsername else { continue }
            byUsername[NameKey.of(username)] = (index, .active)
            longestName = max(longestName, username.count)
        }
    }

    public func character(alias: String) -> Int? {
        byAlias[NameKey.of(alias)]
    }

    public func character(username: String) -> (character: Int, state: UsernameState)? {
        byUsername[NameKey.of(username)]
    }

    /// The alias closest to a mistyped name, comparing it and its prefixes (CJK
    /// text runs on after a name with no space) with every alias.
    public func suggestion(for name: String) -> String? {
        ClosestName.find(name, among: characters.map(\.alias) + suggestionCandidates[NameKey.of(name), default: []], allowingRunOn: true)
    }
}
