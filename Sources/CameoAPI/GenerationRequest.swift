import CameoText
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

    /// The spec's fields, by their JSON names: adding one to the spec means
    /// adding it here (and to the model above), and to `kind`.
    public enum CodingKeys: String, CodingKey, CaseIterable, Sendable {
        case prompt, model, images, hd, duration, watermark
        case aspectRatio = "aspect_ratio", notifyHook = "notify_hook", isPrivate = "private"
        case characterURL = "character_url", characterTimestamps = "character_timestamps"

        /// The field's JSON type in the spec.
        public var kind: JSONKind {
            switch self {
            case .prompt, .model, .aspectRatio, .duration, .notifyHook, .characterURL, .characterTimestamps: .string
            case .hd, .watermark, .isPrivate: .bool
            case .images: .strings
            }
        }
    }

    public typealias Field = CodingKeys

    /// The JSON types the spec's fields have, as a message names them.
    public enum JSONKind: String, Sendable {
        case string = "a string", bool = "true or false", strings = "an array of strings"

        public func fits(_ value: JSONValue) -> Bool {
            switch (self, value) {
            case (.string, .string), (.bool, .bool): true
            case (.strings, .array(let values)): values.allSatisfy { if case .string = $0 { true } else { false } }
            default: false
            }
        }
    }

    /// The spec's field names.
    public static let fieldNames: [String] = CodingKeys.allCases.map(\.rawValue)

    /// The body as sent: canonical JSON, so the same request is always the same bytes.
    public func jsonData(pretty: Bool = false) throws -> Data {
        try CanonicalJSON.encode(self, pretty: pretty)
    }
}
