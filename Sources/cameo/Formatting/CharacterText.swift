import CameoCatalog
import CameoText
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Characters as people read them in a terminal.
enum CharacterText {
    static func block(_ character: CameoCharacter) -> String {
        var lines = [TerminalText.escape(character.alias)]
        // Every value holds catalog text (imported, typed, or from a provider): one escaped line each.
        func field(_ name: String, _ value: String) {
            // Swift's own padding: Foundation's goes through NSString.
            lines.append("  " + name + String(repeating: " ", count: max(0, 10 - name.count)) + " " + TerminalText.escape(value))
        }
        field("source", character.sourceURL + (character.sourceCheck == .unverified ? "  (unverified: unreachable when added)" : ""))
        field("window", "\(character.window)  (\(Seconds.format(character.window.length)) s)")
        if character.identities.isEmpty {
            field("username", "none yet (`cameo resolve \(character.alias) USERNAME` once the platform names it)")
        }
        for (index, identity) in character.identities.reversed().enumerated() {
            var facts = [identity.state.rawValue]
            if identity.origin == .task, let task = identity.taskId { facts.append("from task \(TerminalText.escape(task))") }
            if identity.origin == .created { facts.append("created by `cameo create`") }
            if let permalink = identity.permalink { facts.append(TerminalText.escape(permalink)) }
            // Avatar URLs are signed and expire: say how old one is rather than offer it as current.
            if identity.avatarURL != nil, let fetched = identity.avatarFetchedAt { facts.append("avatar URL fetched \(day(fetched)), may have expired") }
            if let name = identity.displayName { facts.append("display name \"\(name)\"") }
            if let id = identity.platformCharacterId { facts.append("id \(id)") }
            if let provider = identity.provider { facts.append(provider) }
            facts.append(day(identity.createdAt))
            field(index == 0 ? "username" : "", "@\(identity.username)  (\(facts.joined(separator: ", ")))")
        }
        if !character.tags.isEmpty { field("tags", character.tags.joined(separator: ", ")) }
        if let clip = character.clip {
            var facts = [clip.path]
            if let duration = clip.duration { facts.append(String(format: "%.2f s", duration)) }
            if let sha = clip.sha256 { facts.append("sha256 \(sha.prefix(12))…") }
            field("clip", facts.joined(separator: "  "))
        }
        if !character.notes.isEmpty {
            for (index, line) in character.notes.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                field(index == 0 ? "notes" : "", String(line))
            }
        }
        field("added", minute(character.createdAt) + (character.updatedAt != character.createdAt ? "  (updated \(minute(character.updatedAt)))" : ""))
        return lines.joined(separator: "\n")
    }

    static func table(_ characters: [CameoCharacter]) -> String {
        var table = TextTable("ALIAS", "WINDOW", "USERNAME", "TAGS")
        for character in characters {
            table.add(character.alias, character.window.description,
                      character.activeIdentity.map { "@" + $0.username } ?? "-",
                      character.tags.joined(separator: ","))
        }
        return table.render()
    }

    static func day(_ date: Timestamp) -> String {
        String(minute(date).prefix(10))
    }

    /// Local time, to the minute: when a person did something. (localtime_r
    /// rather than DateFormatter, whose ICU set-up costs more than `show` itself.)
    static func minute(_ time: Timestamp) -> String {
        var seconds = time_t(time.millisecondsSince1970 / 1000)
        var parts = tm()
        guard localtime_r(&seconds, &parts) != nil else { return time.description }
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min))"
    }
}
