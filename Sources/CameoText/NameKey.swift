import Foundation

/// Text as cameo compares names: NFC, so that "é" typed two ways is one
/// name, and lowercased for case-insensitive identity.
public enum NameKey {
    public static func nfc(_ text: String) -> String {
        text.precomposedStringWithCanonicalMapping
    }

    public static func of(_ text: String) -> String {
        nfc(nfc(text).lowercased())
    }
}

/// Did-you-mean for a mistyped name: the closest one by edit distance, when close enough to help.
public enum ClosestName {
    public static func find(_ name: String, among candidates: [String]) -> String? {
        let target = Array(NameKey.of(name))
        guard !target.isEmpty else { return nil }
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let key = Array(NameKey.of(candidate))
            guard let distance = closeEnough(target, key) else { continue }
            if let current = best, distance > current.distance || (distance == current.distance && candidate >= current.name) {
                continue
            }
            best = (candidate, distance)
        }
        return best?.name
    }

    /// How many edits still make a name of `length` characters close: a third of it, at least 1, at most 3.
    public static func limit(forLength length: Int) -> Int {
        max(1, min(3, length / 3 + 1))
    }

    /// The edit distance, when it is small for names of this length.
    public static func closeEnough(_ a: [Character], _ b: [Character]) -> Int? {
        let limit = limit(forLength: a.count)
        guard abs(a.count - b.count) <= limit else { return nil }
        let distance = editDistance(a, b)
        return distance <= limit ? distance : nil
    }

    public static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
