import CameoPrompt
import CameoText
import Foundation

/// A finding about a request body, with the field it is about.
public struct RequestDiagnostic: Sendable, Equatable {
    public var rule: String
    public var severity: Severity
    /// The JSON field, e.g. `duration` or `images[1]`; nil for the body as a whole.
    public var field: String?
    public var message: String
    public var note: String?
    /// The value to write instead, when there is one.
    public var replacement: String?

    public init(rule: String, severity: Severity, field: String?, message: String, note: String? = nil, replacement: String? = nil) {
        self.rule = rule
        self.severity = severity
        self.field = field
        self.message = message
        self.note = note
        self.replacement = replacement
    }
}

/// What a provider accepts beyond the spec's shape: its character window and models.
public struct ProviderLimits: Sendable, Equatable {
    public var provider: String
    public var windowMin: Double
    public var windowMax: Double
    public var models: [String]

    public init(provider: String, windowMin: Double, windowMax: Double, models: [String]) {
        self.provider = provider
        self.windowMin = windowMin
        self.windowMax = windowMax
        self.models = models
    }

    /// The spec's own: 1 to 3 seconds, sora-2 and sora-2-pro.
    public static let spec = ProviderLimits(provider: "default", windowMin: 1, windowMax: 3, models: ["sora-2", "sora-2-pro"])

    public var windowText: String { "\(Seconds.format(windowMin))-\(Seconds.format(windowMax)) s" }
}

extension ProviderProfile {
    public var limits: ProviderLimits { ProviderLimits(provider: name, windowMin: windowMin, windowMax: windowMax, models: models) }
}

/// A body as written, with the JSON types it actually had: `lint --request`
/// checks files people wrote by hand, where `"duration": 10` happens.
public struct RequestBody: Sendable {
    /// The provider the body is checked for.
    public var limits = ProviderLimits.spec
    public var fields: [String: JSONField]
    /// Fields present with the wrong JSON type, and what they should be.
    public var typeErrors: [(field: String, expected: String, found: String)]

    public enum JSONField: Sendable, Equatable {
        case string(String), bool(Bool), number(Double), strings([String]), other(String)
    }

    /// The typed request, when `prompt` and `model` are strings.
    public var request: GenerationRequest? {
        guard case .string(let prompt) = fields["prompt"], case .string(let model) = fields["model"] else { return nil }
        func string(_ name: String) -> String? { if case .string(let value) = fields[name] { value } else { nil } }
        func bool(_ name: String) -> Bool? { if case .bool(let value) = fields[name] { value } else { nil } }
        var images: [String]?
        if case .strings(let values) = fields["images"] { images = values }
        return GenerationRequest(prompt: prompt, model: model, images: images, aspectRatio: string("aspect_ratio"), hd: bool("hd"),
                                 duration: string("duration"), notifyHook: string("notify_hook"), watermark: bool("watermark"),
                                 isPrivate: bool("private"), characterURL: string("character_url"),
                                 characterTimestamps: string("character_timestamps"))
    }

    public init(_ request: GenerationRequest) {
        var fields: [String: JSONField] = ["prompt": .string(request.prompt), "model": .string(request.model)]
        if let value = request.images { fields["images"] = .strings(value) }
        if let value = request.aspectRatio { fields["aspect_ratio"] = .string(value) }
        if let value = request.hd { fields["hd"] = .bool(value) }
        if let value = request.duration { fields["duration"] = .string(value) }
        if let value = request.notifyHook { fields["notify_hook"] = .string(value) }
        if let value = request.watermark { fields["watermark"] = .bool(value) }
        if let value = request.isPrivate { fields["private"] = .bool(value) }
        if let value = request.characterURL { fields["character_url"] = .string(value) }
        if let value = request.characterTimestamps { fields["character_timestamps"] = .string(value) }
        self.fields = fields
        typeErrors = []
    }

    static let expectedTypes: [String: String] = [
        "prompt": "a string", "model": "a string", "images": "an array of strings", "aspect_ratio": "a string", "hd": "true or false",
        "duration": "a string", "notify_hook": "a string", "watermark": "true or false", "private": "true or false",
        "character_url": "a string", "character_timestamps": "a string",
    ]

    /// Reads a JSON document; nil when it is not a JSON object.
    public init?(json data: Data) {
        guard let document = try? JSONDecoder().decode(JSONValue.self, from: data), case .object(let object) = document else { return nil }
        var fields: [String: JSONField] = [:]
        var typeErrors: [(String, String, String)] = []
        for (name, value) in object {
            let field = Self.field(value)
            fields[name] = field
            guard let expected = Self.expectedTypes[name] else { continue }
            let fits: Bool
            switch (expected, field) {
            case ("a string", .string), ("true or false", .bool), ("an array of strings", .strings): fits = true
            default: fits = false
            }
            if !fits { typeErrors.append((name, expected, Self.describe(field))) }
        }
        self.fields = fields
        self.typeErrors = typeErrors.sorted { $0.0 < $1.0 }
    }

    static func field(_ value: JSONValue) -> JSONField {
        switch value {
        case .string(let text): return .string(text)
        case .bool(let flag): return .bool(flag)
        case .number(let number): return .number(number)
        case .null: return .other("null")
        case .object: return .other("an object")
        case .array(let values):
            let strings = values.compactMap { if case .string(let text) = $0 { text } else { nil } }
            return strings.count == values.count ? .strings(strings) : .other("an array of mixed values")
        }
    }

    static func describe(_ field: JSONField) -> String {
        switch field {
        case .string(let value): "the string \"\(value)\""
        case .bool(let value): "\(value)"
        case .number(let value): "the number \(Int(exactly: value).map(String.init) ?? String(value))"
        case .strings: "an array of strings"
        case .other(let description): description
        }
    }
}

/// A check on a request body, in the same framework as the prompt rules.
public protocol RequestRule: Sendable {
    static var description: RuleDescription { get }
    func check(_ body: RequestBody) -> [RequestDiagnostic]
}

extension RequestRule {
    func finding(_ field: String?, _ message: String, note: String? = nil, replacement: String? = nil) -> RequestDiagnostic {
        RequestDiagnostic(rule: Self.description.identifier, severity: Self.description.severity, field: field,
                          message: message, note: note, replacement: replacement)
    }
}

/// Runs every spec rule on a body, and the prompt rules on its prompt.
public enum RequestLinter {
    public static let rules: [any RequestRule] = [
        RequiredFieldRule(), FieldTypeRule(), UnknownFieldRule(), ModelRule(), AspectRatioRule(), DurationRule(),
        LongDurationNeedsProRule(), FifteenSecondsOnSora2Rule(), HDNeedsProRule(), CharacterPairRule(), CharacterURLRule(),
        CharacterTimestampsRule(), TimestampsSpellingRule(), ImagesRule(), NotifyHookRule(), PrivateRule(),
    ]

    public static var descriptions: [RuleDescription] {
        rules.map { type(of: $0).description }
    }

    public struct Result: Sendable {
        public var request: [RequestDiagnostic]
        /// The prompt rules' findings, with spans in the prompt's text.
        public var prompt: [Diagnostic]
        public var promptText: String?

        public var hasErrors: Bool {
            request.contains { $0.severity == .error } || prompt.contains { $0.severity == .error }
        }
    }

    /// With `checkingPrompt` false the prompt rules are left out (the caller
    /// has run them on the prompt as the user wrote it).
    public static func lint(_ body: RequestBody, index: CharacterIndex, options: PromptOptions = .init(),
                            checkingPrompt: Bool = true, limits: ProviderLimits = .spec) -> Result {
        var body = body
        body.limits = limits
        let findings = rules.flatMap { $0.check(body) }
        var promptFindings: [Diagnostic] = []
        var promptText: String?
        if checkingPrompt, case .string(let prompt) = body.fields["prompt"] {
            promptText = prompt
            promptFindings = PromptLinter.lint(prompt, index: index, options: options).diagnostics
        }
        return Result(request: findings, prompt: promptFindings, promptText: promptText)
    }
}
