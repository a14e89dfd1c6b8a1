import Foundation

/// A probe's findings as the catalog keeps them: every fact as the JSON
/// `cameo probe --json` prints (`ClipInfo`), and the ones cameo reads back.
/// The catalog stores and exchanges the JSON; what it needs from it is read
/// here, by the media module's own key names, never by the catalog.
public struct ProbeFacts: Sendable, Equatable {
    public var duration: Double
    public var json: String

    public init(duration: Double, json: String) {
        self.duration = duration
        self.json = json
    }

    /// The facts of probe JSON written by `cameo probe --json` (stored, or in an
    /// exported catalog); nil when it does not hold a usable duration.
    public init?(json: String) {
        guard let summary = try? JSONDecoder().decode(Summary.self, from: Data(json.utf8)) else { return nil }
        self.init(duration: summary.duration, json: json)
    }

    /// The part of `ClipInfo`'s JSON that cameo reads back (a test in
    /// CameoMediaTests pins it to what `ClipInfo` writes).
    struct Summary: Decodable {
        var duration: Double
    }
}
