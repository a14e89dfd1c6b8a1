import Foundation

/// The body of `POST /v2/videos/generations`, with exactly the spec's fields
/// and types: `duration` is a string, booleans are booleans, and absent
/// optionals are left out rather than sent as null.
public struct GenerationRequest: Codable, Equatable, Sendable {
    public var prompt: String
    public var model: String
    public var images: [String]?
    public var aspectRatio: String?
    public var hd: Bool?
    public var duration: String?
    public var notifyHook: String?
    public var watermark: Bool?
    public var isPrivate: Bool?
    public var characterURL: String?
    public var characterTimestamps: String?

    public init(prompt: String, model: String, images: [String]? = nil, aspectRatio: String? = nil, hd: Bool? = nil,
                duration: String? = nil, notifyHook: String? = nil, watermark: Bool? = nil, isPrivate: Bool? = nil,
                characterURL: String? = nil, characterTimestamps: String? = nil) {
        self.prompt = prompt
        self.model = model
        self.images = images
        self.aspectRatio = aspectRatio
        self.hd = hd
        self.duration = duration
        self.notifyHook = notifyHook
        self.watermark = watermark
        self.isPrivate = isPrivate
        self.characterURL = characterURL
        self.characterTimestamps = characterTimestamps
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case prompt, model, images, hd, duration, watermark
        case aspectRatio = "aspect_ratio", notifyHook = "notify_hook", isPrivate = "private"
        case characterURL = "character_url", characterTimestamps = "character_timestamps"
    }

    /// The spec's field names.
    public static let fieldNames: [String] = CodingKeys.allCases.map(\.rawValue)

    /// The body as sent: compact JSON with sorted keys, so the same request is always the same bytes.
    public func jsonData(pretty: Bool = false) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
