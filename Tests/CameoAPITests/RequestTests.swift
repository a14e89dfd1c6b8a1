import CameoAPI
import CameoMediaFacts
import CameoPrompt
import CameoTestSupport
import CameoText
import Foundation
import Testing

@Suite struct GenerationRequestTests {
    @Test func encodesTheSpecsTypesAndOmitsAbsentFields() throws {
        let minimal = GenerationRequest(prompt: "a duck", model: "sora-2")
        #expect(String(decoding: try minimal.jsonData(), as: UTF8.self) == #"{"model":"sora-2","prompt":"a duck"}"#)
        let full = GenerationRequest(prompt: "p", model: "sora-2-pro", images: ["https://a.example/i.png"], aspectRatio: "9:16", hd: true,
                                     duration: "25", notifyHook: "https://h.example", watermark: false, isPrivate: true,
                                     characterURL: "https://a.example/d.mp4", characterTimestamps: "1,3")
        let object = try JSONDecoder().decode(JSONValue.self, from: full.jsonData())
        #expect(object["duration"] == .string("25"))
        #expect(object["hd"] == .bool(true))
        #expect(object["watermark"] == .bool(false))
        #expect(object["private"] == .bool(true))
        #expect(object["aspect_ratio"] == .string("9:16"))
        #expect(object["character_timestamps"] == .string("1,3"))
        #expect(!String(decoding: try minimal.jsonData(), as: UTF8.self).contains("null"))
    }

    /// Every combination the rules accept validates against the schema in the spec file.
    @Test func bodiesTheRulesAcceptMatchTheSpecSchema() throws {
        let schema = try SpecSchema()
        var accepted = 0
        for model in ["sora-2", "sora-2-pro"] {
            for ratio in [nil, "16:9", "9:16"] {
                for duration in [nil, "10", "15", "25"] {
                    for hd in [nil, true, false] {
                        for character in [false, true] {
                            let request = GenerationRequest(
                                prompt: "@quackers.duck 在舞台上", model: model, images: character ? ["https://a.example/i.png"] : nil,
                                aspectRatio: ratio, hd: hd, duration: duration, notifyHook: character ? "https://h.example/x" : nil,
                                watermark: character ? true : nil, isPrivate: character ? false : nil,
                                characterURL: character ? "https://a.example/d.mp4" : nil, characterTimestamps: character ? "0.5,2.5" : nil)
                            let result = RequestLinter.lint(try RequestBody(request), index: RuleExamples.index)
                            guard !result.hasErrors else { continue }
                            accepted += 1
                            let violations = schema.violations(of: try request.jsonData())
                            #expect(violations.isEmpty, "\(violations)")
                        }
                    }
                }
            }
        }
        #expect(accepted > 50)
    }

    @Test func theSchemaCheckCanFail() throws {
        let schema = try SpecSchema()
        #expect(!schema.violations(of: Data(#"{"prompt":"a","model":"sora-3"}"#.utf8)).isEmpty)
        #expect(!schema.violations(of: Data(#"{"prompt":"a","model":"sora-2","duration":10}"#.utf8)).isEmpty)
        #expect(!schema.violations(of: Data(#"{"prompt":"a"}"#.utf8)).isEmpty)
        #expect(!schema.violations(of: Data(#"{"prompt":"a","model":"sora-2","hd":"yes"}"#.utf8)).isEmpty)
        #expect(!schema.violations(of: Data(#"{"prompt":"a","model":"sora-2","extra":1}"#.utf8)).isEmpty)
        #expect(schema.violations(of: Data(#"{"prompt":"a","model":"sora-2"}"#.utf8)).isEmpty)
    }
}

@Suite struct RequestRuleExampleTests {
    @Test(arguments: RequestLinter.descriptions.map(\.identifier))
    func examplesBehaveAsDocumented(_ identifier: String) throws {
        let rule = try #require(RequestLinter.descriptions.first { $0.identifier == identifier })
        #expect(!rule.triggeringExamples.isEmpty && !rule.nonTriggeringExamples.isEmpty)
        for example in rule.triggeringExamples {
            let body = try #require(RequestBody(json: Data(example.text.utf8)), "\(example.text)", sourceLocation: example.sourceLocation)
            let found = RequestLinter.lint(body, index: RuleExamples.index).request.filter { $0.rule == identifier }
            #expect(!found.isEmpty, "\(identifier) did not trigger on \(example.text)", sourceLocation: example.sourceLocation)
            #expect(found.allSatisfy { $0.severity == rule.severity }, sourceLocation: example.sourceLocation)
            for field in example.markedFields {
                #expect(found.contains { $0.field == field }, "\(identifier) on \(example.text): at \(found.map(\.field))",
                        sourceLocation: example.sourceLocation)
            }
        }
        for example in rule.nonTriggeringExamples {
            let body = try #require(RequestBody(json: Data(example.text.utf8)), "\(example.text)", sourceLocation: example.sourceLocation)
            let found = RequestLinter.lint(body, index: RuleExamples.index).request.filter { $0.rule == identifier }
            #expect(found.isEmpty, "\(identifier) triggered on \(example.text)", sourceLocation: example.sourceLocation)
        }
    }

    /// The loose body is the typed request's JSON, and reads back as the same request.
    @Test func theBodyIsTheRequestsJSON() throws {
        let request = GenerationRequest(prompt: "p", model: "sora-2-pro", images: ["https://a.example/i.png"], aspectRatio: "9:16", hd: true,
                                        duration: "25", notifyHook: "https://h.example", watermark: false, isPrivate: true,
                                        characterURL: "https://a.example/d.mp4", characterTimestamps: "1,3")
        let body = try RequestBody(request)
        #expect(Set(body.fields.keys) == Set(GenerationRequest.fieldNames))
        #expect(body.request == request)
        let loose = try #require(RequestBody(json: Data(#"{"prompt":"p","model":"sora-2","duration":10,"hd":true,"extra":1}"#.utf8)))
        #expect(loose.request == GenerationRequest(prompt: "p", model: "sora-2", hd: true))
        #expect(loose.typeErrors.map(\.field) == ["duration"])
        #expect(RequestBody(json: Data(#"{"model":"sora-2"}"#.utf8))?.request == nil)
    }

    @Test func promptRulesRunOnTheBodysPrompt() throws {
        let body = try #require(RequestBody(json: Data(#"{"prompt":"@cokie跳舞","model":"sora-2"}"#.utf8)))
        let result = RequestLinter.lint(body, index: RuleExamples.index)
        #expect(result.prompt.map(\.rule) == ["unknown-character"])
        #expect(result.hasErrors)
    }

    @Test func identifiersDoNotCollideWithPromptRules() {
        let all = (RequestLinter.descriptions + PromptLinter.descriptions).map(\.identifier)
        #expect(Set(all).count == all.count)
    }
}

@Suite struct CharacterRuleTests {
    static let face = PersonCheckResult(detector: "d", version: "2", frames: [0, 0.5, 1],
                                        faces: [FaceSighting(time: 0.5, box: [1, 2, 3, 4], score: 0.9)])

    /// A stored check that saw a face is a warning, an error with --strict,
    /// found at `character_url`; no check, or one without faces, says nothing.
    @Test func personInWindowReadsTheStoredCheck() {
        let seen = CreatedCharacter(alias: "astro", window: "0,2", personCheck: Self.face)
        let warned = CharacterLinter.lint(seen, strict: false)
        #expect(warned.map(\.rule) == ["person-in-window"] && warned.allSatisfy { $0.severity == .warning })
        #expect(warned.first?.field == "character_url")
        #expect(warned.first?.message.contains("0,2 of astro shows a human face at 0.5 s") == true, "\(warned)")
        #expect(CharacterLinter.lint(seen, strict: true).map(\.severity) == [.error])
        var clean = Self.face
        clean.faces = []
        #expect(CharacterLinter.lint(CreatedCharacter(alias: "duck", window: "1,3", personCheck: clean), strict: true).isEmpty)
        #expect(CharacterLinter.lint(CreatedCharacter(alias: "duck", window: "1,3", personCheck: nil), strict: true).isEmpty)
    }

    /// The stored form reads back as the same result; other text reads as none.
    @Test func aStoredCheckRoundTrips() throws {
        #expect(PersonCheckResult(json: try Self.face.json()) == Self.face)
        #expect(PersonCheckResult(json: "{\"people\":0}") == nil)
    }
}

@Suite struct ResponseReadingTests {
    @Test(arguments: [
        (#"{"task_id":"t-1"}"#, "t-1"), (#"{"id":"t-2","object":"video"}"#, "t-2"), (#"{"data":{"task_id":"t-3"}}"#, "t-3"),
        (#"{"data":{"id":12345}}"#, "12345"), (#"{"code":0,"data":{"id":"t-5"}}"#, "t-5"),
    ])
    func taskIdsInTheirUsualPlaces(_ body: String, _ id: String) throws {
        #expect(try ProviderClient.taskId(from: ProviderResponse(status: 200, body: body)) == id)
    }

    @Test func knownProviderErrorsAreExplained() {
        let cases: [(Int, String, ProviderProblem)] = [
            (403, #"{"error":{"code":"cameo_permission_denied","message":"no access to @x"}}"#, .cameoPermissionDenied),
            (400, #"{"error":{"code":"moderation_blocked","message":"blocked"}}"#, .moderationBlocked),
            (400, #"{"code":"sentinel_block","message":"blocked"}"#, .sentinelBlock),
            (451, #"{"error":{"code":"input_unsafe","message":"unsafe"}}"#, .unsafe),
            (400, #"{"error":"character_timestamps invalid: range must be 1-3 seconds"}"#, .invalidTimestamps),
        ]
        for (status, body, problem) in cases {
            #expect(throws: APIError.self) { try ProviderClient.taskId(from: ProviderResponse(status: status, body: body)) }
            #expect(ProviderResponse(status: status, body: body).problem == problem, "\(body)")
        }
        #expect(ProviderResponse(status: 500, body: #"{"error":{"message":"database on fire"}}"#).problem == nil)
    }

    @Test func unknownErrorsKeepTheServersWords() {
        #expect(throws: APIError.http(status: 500, message: "database on fire")) {
            try ProviderClient.taskId(from: ProviderResponse(status: 500, body: #"{"error":{"message":"database on fire"}}"#))
        }
        #expect(throws: APIError.notJSON(status: 502, snippet: "<html>bad gateway</html>")) {
            try ProviderClient.taskId(from: ProviderResponse(status: 502, body: "<html>bad gateway</html>"))
        }
        #expect(throws: APIError.noTaskId(status: 200)) { try ProviderClient.taskId(from: ProviderResponse(status: 200, body: "{}")) }
    }

    @Test func charactersStatusesAndVideosAnywhere() throws {
        let response = ProviderResponse(status: 200, body: """
            {"data":{"status":"succeeded","progress":100,"output":{"video_url":"https://cdn.example/v.mp4"},
             "character":{"id":"ch_9","username":"quackers.duck","display_name":"Quackers","avatar_url":"https://cdn.example/a.png"}}}
            """)
        #expect(response.taskStatus == "succeeded")
        #expect(response.progress == "100%")
        #expect(response.videoURL == "https://cdn.example/v.mp4")
        let character = try #require(response.character)
        #expect(character.username == "quackers.duck" && character.id == "ch_9" && character.displayName == "Quackers")
        #expect(character.avatarURL == "https://cdn.example/a.png")
    }

    @Test func retryAfterInSecondsOrAsADate() {
        #expect(ProviderClient.retryAfter("3") == 3)
        #expect(ProviderClient.retryAfter(nil) == nil)
        #expect(ProviderClient.retryAfter("soon") == nil)
        let inTwoSeconds = Date().addingTimeInterval(2)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let wait = ProviderClient.retryAfter(formatter.string(from: inTwoSeconds)) ?? -1
        #expect(wait > 0 && wait <= 2.5)
    }
}

@Suite struct ImageDataTests {
    @Test func recognisesImagesByTheirBytes() throws {
        #expect(ImageData.check("data:image/gif;base64,R0lGODlhAQABAAAAACw=") == .image(mimeType: "image/gif"))
        #expect(ImageData.check("R0lGODlhAQABAAAAACw=") == .image(mimeType: "image/gif"))
        #expect(ImageData.check("data:image/png;base64,R0lGODlhAQABAAAAACw=") == .notAnImage("labelled image/png but holds image/gif"))
        #expect(ImageData.check("data:image/png;base64,%%%") == .notAnImage("a data: URI whose base64 is broken"))
        #expect(ImageData.check("data:image/png,rawbytes") == .notAnImage("a data: URI that is not base64"))
        #expect(ImageData.check("/home/me/duck.png") == .notAnImage("neither an http(s) URL nor base64"))
        let scratch = try Scratch()
        let png = scratch.path("x.png")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]).write(to: URL(fileURLWithPath: png))
        #expect(try ImageData.dataURI(forFile: png).hasPrefix("data:image/png;base64,iVBORw0KGgo"))
        let text = try scratch.write("x.txt", "hello")
        #expect(throws: APIError.badImage(text, "is not a PNG, JPEG, GIF or WebP image")) { try ImageData.dataURI(forFile: text) }
    }
}

@Suite struct ConfigTests {
    @Test func flagsAndEnvironmentComeBeforeTheFile() throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path("config/cameo"), withIntermediateDirectories: true)
        let file = try scratch.write("config/cameo/config.json", #"{"base_url":"https://file.example","api_key":"from-file","status_path":"/tasks/{id}"}"#)
        chmod(file, 0o600)
        var environment = ["XDG_CONFIG_HOME": scratch.path("config"), "HOME": scratch.url.path]
        var config = try ProviderConfig.load(environment: environment, baseURLFlag: nil)
        #expect(config.baseURL == "https://file.example" && config.apiKey == "from-file" && config.statusPath == "/tasks/{id}")
        environment["CAMEO_BASE_URL"] = "https://env.example"
        environment["CAMEO_API_KEY"] = "from-env"
        config = try ProviderConfig.load(environment: environment, baseURLFlag: "https://flag.example")
        #expect(config.baseURL == "https://flag.example" && config.apiKey == "from-env")
    }

    @Test func aKeyOthersCanReadIsRefused() throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path("config/cameo"), withIntermediateDirectories: true)
        let file = try scratch.write("config/cameo/config.json", #"{"api_key":"secret-in-file"}"#)
        chmod(file, 0o644)
        let environment = ["XDG_CONFIG_HOME": scratch.path("config")]
        #expect {
            try ProviderConfig.load(environment: environment, baseURLFlag: nil)
        } throws: { error in
            guard case .config(_, let detail) = error as? APIError else { return false }
            return detail.contains("chmod 600") && !detail.contains("secret-in-file")
        }
        chmod(file, 0o600)
        #expect(try ProviderConfig.load(environment: environment, baseURLFlag: nil).apiKey == "secret-in-file")
    }

    /// A profile's window lies within what the catalog keeps (1 to 4 s): one it could not store is refused up front.
    @Test func aProfilesWindowFitsTheCatalog() throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path("config/cameo"), withIntermediateDirectories: true)
        let environment = ["XDG_CONFIG_HOME": scratch.path("config"), "HOME": scratch.url.path]
        func load(_ window: String) throws -> ProviderConfig {
            let file = try scratch.write("config/cameo/config.json", #"{"base_url": "https://file.example", "window": \#(window)}"#)
            chmod(file, 0o600)
            return try ProviderConfig.load(environment: environment, baseURLFlag: nil)
        }
        #expect(try load(#"{"min": 1, "max": 4}"#).profile.windowMax == 4)
        for window in [#"{"min": 1, "max": 4.5}"#, #"{"min": 0.5, "max": 2}"#] {
            #expect(throws: APIError.config(path: scratch.path("config/cameo/config.json"),
                                            detail: "provider default: window \(window) must be 1 <= min <= max <= 4 seconds")) { try load(window) }
        }
    }

    @Test func missingPiecesAreNamed() throws {
        let none = ProviderConfig(profile: ProviderProfile(name: "default"), apiKey: "k")
        #expect(throws: APIError.missingBaseURL) { try none.client() }
        let keyless = ProviderConfig(profile: ProviderProfile(name: "default", baseURL: "https://api.example"), apiKey: nil)
        #expect(throws: APIError.missingKey(env: "CAMEO_API_KEY")) { try keyless.client() }
        let ftp = ProviderConfig(profile: ProviderProfile(name: "default", baseURL: "ftp://api.example"), apiKey: "k")
        #expect(throws: APIError.badBaseURL("ftp://api.example", reason: "is not an http(s) URL")) { try ftp.client() }
        for address in ["https://api.example/?x=1", "https://api.example#top", "https://api.example/v1?"] {
            let query = ProviderConfig(profile: ProviderProfile(name: "default", baseURL: address), apiKey: "k")
            #expect(throws: APIError.self) { try query.client() }
            #expect("\((try? query.client()).map { _ in "accepted" } ?? "refused")" == "refused", "\(address)")
        }
    }
}

@Suite struct KeyMaskAndStatusTests {
    @Test func theKeyIsMaskedInEveryEscapedForm() {
        let key = "sk-SECRET/XYZ-4f8a2c9d1e7b"
        let mask = KeyMask(key: key)
        let forms = [
            key, key.replacingOccurrences(of: "/", with: "\\/"),
            key.unicodeScalars.map { String(format: "\\u%04x", $0.value) }.joined(),
            key.utf8.map { String(format: "%%%02x", $0) }.joined(),
            key.unicodeScalars.map { "&#\($0.value);" }.joined(),
            // Named references and a URL encoded twice.
            key.replacingOccurrences(of: "-", with: "&hyphen;").replacingOccurrences(of: "/", with: "&sol;"),
            key.replacingOccurrences(of: "-", with: "%252D").replacingOccurrences(of: "/", with: "%252f"),
        ]
        for form in forms {
            #expect(mask.mask("before \(form) after") == "before *** after", "\(form)")
        }
        for prefix in ["", "B", "Be", "Bearer "] {
            let encoded = Data((prefix + key).utf8).base64EncodedString()
            #expect(!mask.mask(encoded).contains(String(encoded.dropFirst(4).dropLast(4))), "base64 after \"\(prefix)\"")
        }
        let decoded = ProviderResponse(status: 400, raw: Data(#"{"error":{"message":"key \u0073k-SECRET\/XYZ-4f8a2c9d1e7b"}}"#.utf8), mask: mask)
        #expect(decoded.error.message == "key ***")
        #expect(mask.mask("an ordinary answer") == "an ordinary answer")
    }

    @Test func statusWordsAreNormalised() {
        let cases: [(String, TaskStatus?)] = [
            ("NOT_START", .queued), ("SUBMITTED", .queued), ("QUEUED", .queued), ("IN_PROGRESS", .running), ("SUCCESS", .succeeded),
            ("FAILURE", .failed), ("queued", .queued), ("in_progress", .running), ("completed", .succeeded), ("failed", .failed),
            ("pending", .queued), ("processing", .running), ("cancelled", .cancelled), ("canceled", .cancelled), ("RENDERING", nil),
        ]
        for (word, status) in cases { #expect(TaskStatus(word: word) == status, "\(word)") }
    }

    @Test func retryAfterTakesWholeSecondsAndDatesOnly() {
        #expect(ProviderClient.retryAfter("3") == 3)
        #expect(ProviderClient.retryAfter("-1") == nil)
        #expect(ProviderClient.retryAfter("1.5") == nil)
        #expect(ProviderClient.retryAfter("inf") == nil)
        #expect(ProviderClient.retryAfter("soon") == nil)
        #expect(ProviderClient.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == 0)
    }
}
