import ArgumentParser
import CameoAPI
import CameoCatalog
import CameoPrompt
import CameoText
import Foundation

/// The options of `request` and `send`: the spec's fields, and where the character comes from.
struct RequestOptions: ParsableArguments {
    @Argument(help: "The prompt (with @alias mentions), or - to read it from stdin.")
    var prompt: String?

    @Option(help: "sora-2 or sora-2-pro (default: \"model\" in the config or its profile).", completion: Complete.model)
    var model: String?

    @Option(help: "16:9 or 9:16 (default: \"aspect_ratio\" in the config).", completion: Complete.aspectRatio)
    var aspectRatio: String?

    @Option(help: "Video length in seconds: 10, 15 or 25, sent as a string (default: \"duration\" in the config).", completion: Complete.duration)
    var duration: String?

    @Flag(help: "High definition (sora-2-pro only).")
    var hd = false

    @Option(name: .customLong("image"), help: ArgumentHelp("A reference image: an http(s) URL or a local image file (sent as base64).", valueName: "url-or-file"), completion: Complete.file)
    var images: [String] = []

    @Option(help: ArgumentHelp("A URL the provider calls when the video is ready.", valueName: "url"))
    var notifyHook: String?

    @Flag(help: "Ask for a watermark.")
    var watermark = false

    @Flag(name: .customLong("private"), help: "Do not publish the video (it cannot be remixed).")
    var isPrivate = false

    @Option(help: ArgumentHelp("Create this catalog character in the video from its source URL and window.", valueName: "alias"), completion: Complete.alias)
    var character: String?

    @Option(help: ArgumentHelp("Create a character from this video URL (with --character-timestamps).", valueName: "url"))
    var characterUrl: String?

    @Option(help: ArgumentHelp("The seconds of --character-url that show the character, e.g. 1,3.", valueName: "start,end"))
    var characterTimestamps: String?

    @Option(help: "Warn when the prompt mentions more characters than this.")
    var maxCharacters = CountArgument(5)

    @Flag(help: "Treat a face in the --character window (rule person-in-window) as an error.")
    var strict = false

    func validate() throws {
        try CountArgument.check(maxCharacters, "--max-characters", in: 0...1000)
        if character != nil, characterUrl != nil || characterTimestamps != nil {
            throw ValidationError("give either --character ALIAS or --character-url with --character-timestamps, not both")
        }
    }
}

/// A request built from the options and the catalog, with everything found wrong with it.
struct BuiltRequest {
    var request: GenerationRequest
    var promptText: String
    var promptFindings: [Diagnostic]
    var requestFindings: [Diagnostic]
    /// The catalog character the request creates, when --character was given.
    var character: CameoCharacter?
    /// The usernames the composed prompt mentions.
    var mentionedUsernames: [String]

    var hasErrors: Bool {
        promptFindings.hasErrors || requestFindings.hasErrors
    }

    static func build(_ options: RequestOptions, catalog: any CatalogStore, profile: ProviderProfile? = nil) throws -> BuiltRequest {
        let text = try PromptInput.read(options.prompt ?? "")
        let character = try options.character.map { try catalog.character(named: $0) }
        let promptOptions = PromptOptions(maximumCharacters: options.maxCharacters.value, creating: Set(character.map { [$0.alias] } ?? []))
        let index = try CharacterIndex.load(for: text, from: catalog)
        let prompt = PromptLinter.lint(text, index: index, options: promptOptions)
        guard let model = options.model ?? profile?.defaultModel else {
            throw CommandFailure("no model: give --model (sora-2 or sora-2-pro), or set \"model\" in \(ConfigPath.current)", status: .usage)
        }
        let request = GenerationRequest(
            prompt: prompt.composition.text, model: model,
            images: options.images.isEmpty ? nil : try options.images.map(imageEntry),
            aspectRatio: options.aspectRatio ?? profile?.defaultAspectRatio, hd: options.hd ? true : nil,
            duration: options.duration ?? profile?.defaultDuration,
            notifyHook: options.notifyHook, watermark: options.watermark ? true : nil, isPrivate: options.isPrivate ? true : nil,
            characterURL: character?.sourceURL ?? options.characterUrl,
            characterTimestamps: character?.window.description ?? options.characterTimestamps)
        var findings = RequestLinter.lint(try RequestBody(request), index: index, options: promptOptions, checkingPrompt: false,
                                          limits: profile?.limits ?? .spec).request
        if let character, let finding = PersonInWindowRule.check(character, strict: options.strict) { findings.append(finding) }
        let usernames = MentionParser.mentions(in: prompt.composition.text, index: index).compactMap { mention -> String? in
            if case .username = mention.target { mention.name } else { nil }
        }
        if let profile { findings += try ProviderMismatch.findings(usernames: usernames, catalog: catalog, profile: profile) }
        return BuiltRequest(request: request, promptText: text, promptFindings: prompt.diagnostics, requestFindings: findings,
                            character: character, mentionedUsernames: usernames)
    }

    /// URLs and base64 go as they are; a local file must be an image and goes as a data: URI.
    static func imageEntry(_ argument: String) throws -> String {
        if WebAddress.hasHTTPScheme(argument) || argument.lowercased().hasPrefix("data:") { return argument }
        if FileManager.default.fileExists(atPath: argument) { return try ImageData.dataURI(forFile: argument) }
        if case .image = ImageData.check(argument) { return argument }
        throw CommandFailure("--image \(argument): no such file, and not an http(s) URL or base64 image", status: .notFound)
    }

    /// Prints every finding on stderr, prompt ones with carets under the prompt.
    func report() {
        DiagnosticsOutput.printHuman(promptFindings + requestFindings, in: promptText)
    }
}

/// Usernames belong to the provider that made them: one made elsewhere may not work here.
enum ProviderMismatch {
    static let rule = "username-other-provider"

    static func findings(usernames: [String], catalog: any CatalogStore, profile: ProviderProfile) throws -> [Diagnostic] {
        guard let base = profile.baseURL.map(normalised) else { return [] }
        return try catalog.providers(ofUsernames: usernames).compactMap { entry in
            guard let provider = entry.provider, normalised(provider) != base else { return nil }
            return Diagnostic(
                rule: rule, severity: .warning,
                message: "@\(entry.username) (\(entry.alias)) was made on \(provider), not on provider \(profile.name) (\(base))",
                location: .field("prompt"),
                note: "usernames belong to the provider that made them; create it on \(profile.name) with `cameo create \(entry.alias) --provider \(profile.name)`")
        }
    }

    static func normalised(_ url: String) -> String {
        var text = url.lowercased()
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}

/// A curl command that sends the body. The key never enters curl's argv (where
/// any user of the machine could read it in the process list): the shell expands
/// it into a here-document, which curl reads as a header file on stdin.
enum CurlCommand {
    static func render(body: Data, baseURL: String?, path: String, keyEnv: String) -> String {
        let url: String
        if let baseURL {
            var base = baseURL
            while base.hasSuffix("/") { base.removeLast() }
            url = "'" + (base + path).replacingOccurrences(of: "'", with: "'\\''") + "'"
        } else {
            url = "\"${CAMEO_BASE_URL:?set CAMEO_BASE_URL to the provider's base URL}\(path)\""
        }
        // Single quotes keep the shell from touching the body: the bytes sent are the bytes printed.
        let quotedBody = "'" + String(decoding: body, as: UTF8.self).replacingOccurrences(of: "'", with: "'\\''") + "'"
        return """
            curl -sS -X POST \(url) \\
              -H 'Content-Type: application/json' \\
              -H @- \\
              --data-raw \(quotedBody) <<CAMEO_HEADERS
            Authorization: Bearer ${\(keyEnv):?set \(keyEnv)}
            CAMEO_HEADERS
            """
    }
}
