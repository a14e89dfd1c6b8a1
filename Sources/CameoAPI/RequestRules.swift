import CameoPrompt
import CameoText
import Foundation

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
/// checks files people wrote by hand, where `"duration": 10` happens. Its
/// fields are those of `GenerationRequest`'s JSON, never listed again here.
public struct RequestBody: Sendable {
    /// The provider the body is checked for.
    public var limits = ProviderLimits.spec
    /// The body's fields as written.
    public var fields: [String: JSONValue]

    public typealias Field = GenerationRequest.Field

    /// The body cameo would send for `request`.
    public init(_ request: GenerationRequest) throws {
        fields = try JSONDecoder().decode([String: JSONValue].self, from: request.jsonData())
    }

    /// Reads a JSON document; nil when it is not a JSON object.
    public init?(json data: Data) {
        guard let document = try? JSONDecoder().decode(JSONValue.self, from: data), case .object(let object) = document else { return nil }
        fields = object
    }

    /// The typed request, when `prompt` and `model` are strings: the fields
    /// that have the spec's types, decoded as `GenerationRequest` decodes them.
    public var request: GenerationRequest? {
        let typed = fields.filter { name, value in Field(stringValue: name)?.kind.fits(value) == true }
        guard let data = try? CanonicalJSON.encode(JSONValue.object(typed)) else { return nil }
        return try? JSONDecoder().decode(GenerationRequest.self, from: data)
    }

    public func has(_ field: Field) -> Bool { fields[field.rawValue] != nil }

    public func string(_ field: Field) -> String? {
        if case .string(let value)? = fields[field.rawValue] { value } else { nil }
    }

    public func bool(_ field: Field) -> Bool? {
        if case .bool(let value)? = fields[field.rawValue] { value } else { nil }
    }

    public func strings(_ field: Field) -> [String]? {
        guard case .array(let values)? = fields[field.rawValue], GenerationRequest.JSONKind.strings.fits(.array(values)) else { return nil }
        return values.compactMap { if case .string(let text) = $0 { text } else { nil } }
    }

    /// Fields present with the wrong JSON type, what they should be and what they are.
    public var typeErrors: [(field: String, expected: GenerationRequest.JSONKind, found: JSONValue)] {
        fields.compactMap { name, value -> (field: String, expected: GenerationRequest.JSONKind, found: JSONValue)? in
            guard let kind = Field(stringValue: name)?.kind, !kind.fits(value) else { return nil }
            return (name, kind, value)
        }.sorted { $0.field < $1.field }
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): "the string \"\(text)\""
        case .bool(let flag): "\(flag)"
        case .number(let number): "the number \(Int(exactly: number).map(String.init) ?? String(number))"
        case .null: "null"
        case .object: "an object"
        case .array: GenerationRequest.JSONKind.strings.fits(value) ? "an array of strings" : "an array of mixed values"
        }
    }
}

/// A check on a request body, in the same framework as the prompt rules.
public protocol RequestRule: Sendable {
    static var description: RuleDescription { get }
    func check(_ body: RequestBody) -> [Diagnostic]
}

extension RequestRule {
    /// A finding about the field at `path` (`duration`, `images[1]`); a fix is the field's new value as JSON.
    func finding(_ path: String, _ message: String, note: String? = nil, replacement: String? = nil) -> Diagnostic {
        Diagnostic(rule: Self.description.identifier, severity: Self.description.severity, message: message,
                   location: .field(path), note: note, replacement: replacement)
    }

    /// `text` as a JSON string: the form a field's fix takes.
    static func jsonString(_ text: String) -> String {
        (try? CanonicalJSON.encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\(text)\""
    }

    func finding(_ field: RequestBody.Field, _ message: String, note: String? = nil, replacement: String? = nil) -> Diagnostic {
        finding(field.rawValue, message, note: note, replacement: replacement)
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
        public var request: [Diagnostic]
        /// The prompt rules' findings, with spans in the prompt's text.
        public var prompt: [Diagnostic]
        public var promptText: String?

        public var hasErrors: Bool {
            request.hasErrors || prompt.hasErrors
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
        if checkingPrompt, let prompt = body.string(.prompt) {
            promptText = prompt
            promptFindings = PromptLinter.lint(prompt, index: index, options: options).diagnostics
        }
        return Result(request: findings, prompt: promptFindings, promptText: promptText)
    }
}
