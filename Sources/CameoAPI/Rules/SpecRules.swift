import CameoPrompt
import CameoText
import Foundation

/// Values the spec allows (sora2-cameo-openapi.md).
enum Spec {
    static let models = ["sora-2", "sora-2-pro"]
    static let aspectRatios = ["16:9", "9:16"]
    static let durations = ["10", "15", "25"]
    static let pro = "sora-2-pro"
}

struct RequiredFieldRule: RequestRule {
    static let description = RuleDescription(
        identifier: "required-field", summary: "`prompt` and `model` must be present", severity: .error,
        explanation: "The spec requires `prompt` and `model` in every body.",
        triggeringExamples: [Example(#"{"model":"sora-2"}"#), Example(#"{"prompt":"a duck"}"#)],
        nonTriggeringExamples: [Example(#"{"prompt":"a duck","model":"sora-2"}"#)])

    func check(_ body: RequestBody) -> [Diagnostic] {
        [RequestBody.Field.prompt, .model].filter { !body.has($0) }.map { field in finding(field, "`\(field.rawValue)` is required") }
    }
}

struct FieldTypeRule: RequestRule {
    static let description = RuleDescription(
        identifier: "field-type", summary: "A field has the wrong JSON type", severity: .error,
        explanation: "Every field has one JSON type in the spec: `duration` is a string (\"10\", not 10); `hd`, `watermark` and `private` are true or false; `images` is an array of strings.",
        triggeringExamples: [Example(#"{"prompt":"a duck","model":"sora-2",↓"duration":10}"#), Example(#"{"prompt":"a duck","model":"sora-2",↓"hd":"true"}"#),
                             Example(#"{"prompt":"a duck","model":"sora-2",↓"images":"https://a.example/x.png"}"#)],
        nonTriggeringExamples: [Example(#"{"prompt":"a duck","model":"sora-2","duration":"10","hd":false,"images":["https://a.example/x.png"]}"#)],
        corrections: [
            Example(#"{"prompt":"a duck","model":"sora-2",↓"duration":10}"#): Example(#"{"prompt":"a duck","model":"sora-2","duration":"10"}"#),
        ])

    func check(_ body: RequestBody) -> [Diagnostic] {
        body.typeErrors.map { error in
            var replacement: String?
            if case .number(let value) = error.found, error.expected == .string {
                replacement = "\"\(Int(exactly: value).map(String.init) ?? String(value))\""
            }
            return finding(error.field, "`\(error.field)` must be \(error.expected.rawValue), not \(RequestBody.describe(error.found))",
                           replacement: replacement)
        }
    }
}

struct UnknownFieldRule: RequestRule {
    static let description = RuleDescription(
        identifier: "unknown-field", summary: "A field the spec does not define", severity: .warning,
        explanation: "The provider ignores or refuses fields outside the spec; a misspelt one (`aspectRatio`) silently does nothing.",
        triggeringExamples: [Example(#"{"prompt":"a duck","model":"sora-2",↓"aspectRatio":"16:9"}"#)],
        nonTriggeringExamples: [Example(#"{"prompt":"a duck","model":"sora-2","aspect_ratio":"16:9"}"#)])

    func check(_ body: RequestBody) -> [Diagnostic] {
        body.fields.keys.filter { !GenerationRequest.fieldNames.contains($0) }.sorted().map { name in
            let near = ClosestName.find(name, among: GenerationRequest.fieldNames)
            return finding(name, "`\(name)` is not a field of the spec", note: near.map { "did you mean `\($0)`?" })
        }
    }
}

struct ModelRule: RequestRule {
    static let description = RuleDescription(
        identifier: "model-value", summary: "`model` is sora-2 or sora-2-pro", severity: .error,
        explanation: "The spec's enum for `model` is `sora-2` and `sora-2-pro` (which supports hd and longer videos).",
        triggeringExamples: [Example(#"{"prompt":"a duck",↓"model":"sora-3"}"#), Example(#"{"prompt":"a duck",↓"model":"Sora-2"}"#)],
        nonTriggeringExamples: [Example(#"{"prompt":"a duck","model":"sora-2"}"#), Example(#"{"prompt":"a duck","model":"sora-2-pro"}"#)],
        corrections: [Example(#"{"prompt":"a duck",↓"model":"Sora-2"}"#): Example(#"{"prompt":"a duck","model":"sora-2"}"#)])

    func check(_ body: RequestBody) -> [Diagnostic] {
        let models = body.limits.models
        guard let model = body.string(.model), !models.contains(model) else { return [] }
        let fix = models.first { $0.lowercased() == model.lowercased() }
        return [finding(.model, "model \"\(model)\" is not one of \(models.joined(separator: ", "))"
                        + (body.limits == .spec ? "" : " (provider \(body.limits.provider))"), replacement: fix.map(Self.jsonString))]
    }
}

struct AspectRatioRule: RequestRule {
    static let description = RuleDescription(
        identifier: "aspect-ratio-value", summary: "`aspect_ratio` is 16:9 or 9:16", severity: .error,
        explanation: "The spec allows landscape `16:9` and portrait `9:16` only.",
        triggeringExamples: [Example(#"{"prompt":"a duck","model":"sora-2",↓"aspect_ratio":"4:3"}"#)],
        nonTriggeringExamples: [Example(#"{"prompt":"a duck","model":"sora-2","aspect_ratio":"9:16"}"#)])

    func check(_ body: RequestBody) -> [Diagnostic] {
        guard let ratio = body.string(.aspectRatio), !Spec.aspectRatios.contains(ratio) else { return [] }
        return [finding(.aspectRatio, "aspect_ratio \"\(ratio)\" is not one of 16:9, 9:16")]
    }
}

struct DurationRule: RequestRule {
    static let description = RuleDescription(
        identifier: "duration-value", summary: "`duration` is \"10\", \"15\" or \"25\"", severity: .error,
        explanation: "The spec's enum for `duration` (seconds, as a string) is \"10\", \"15\" and \"25\".",
        triggeringExamples: [Example(#"{"prompt":"a duck","model":"sora-2",↓"duration":"12"}"#), Example(#"{"prompt":"a duck","model":"sora-2",↓"duration":"10s"}"#)],
        nonTriggeringExamples: [Example(#"{"prompt":"a duck","model":"sora-2","duration":"10"}"#)])

    func check(_ body: RequestBody) -> [Diagnostic] {
        guard let duration = body.string(.duration), !Spec.durations.contains(duration) else { return [] }
        return [finding(.duration, "duration \"\(duration)\" is not one of \"10\", \"15\", \"25\"")]
    }
}

struct LongDurationNeedsProRule: RequestRule {
    static let description = RuleDescription(
        identifier: "duration-25-needs-pro", summary: "A 25 s video needs sora-2-pro", severity: .error,
        explanation: "The spec says \"仅 sora-2-pro 支持25s\": only sora-2-pro makes 25-second videos.",
        triggeringExamples: [Example(#"{"prompt":"a duck","model":"sora-2",↓"duration":"25"}"#)],
        nonTriggeringExamples: [Example(#"{"prompt":"a duck","model":"sora-2-pro","duration":"25"}"#)])

    func check(_ body: RequestBody) -> [Diagnostic] {
        guard body.string(.duration) == "25", body.string(.model) == "sora-2" else { return [] }
        return [finding(.duration, "\"25\" seconds needs sora-2-pro", note: "use --model sora-2-pro, or --duration 10")]
    }
}

struct FifteenSecondsOnSora2Rule: RequestRule {
    static let description = RuleDescription(
        identifier: "duration-15-sora-2", summary: "15 s with sora-2 may be refused", severity: .warning,
        explanation: "The spec lists 15 s among sora-2-pro's features (\"支持hd、15s\") yet allows \"15\" for any model; the provider may refuse it with sora-2.",
        triggeringExamples: [Example(#"{"prompt":"a duck","model":"sora-2",↓"duration":"15"}"#)],
        nonTriggeringExamples: [Example(#"{"prompt":"a duck","model":"sora-2-pro","duration":"15"}"#), Example(#"{"prompt":"a duck","model":"sora-2","duration":"10"}"#)])

    func check(_ body: RequestBody) -> [Diagnostic] {
        guard body.string(.duration) == "15", body.string(.model) == "sora-2" else { return [] }
        return [finding(.duration, "\"15\" seconds is listed as a sora-2-pro feature", note: "sora-2 may refuse it; sora-2-pro supports it")]
    }
}

struct HDNeedsProRule: RequestRule {
    static let description = RuleDescription(
        identifier: "hd-needs-pro", summary: "`hd` needs sora-2-pro", severity: .error,
        explanation: "The spec says \"仅 sora-2-pro 支持\": high definition is for sora-2-pro only.",
        triggeringExamples: [Example(#"{"prompt":"a duck","model":"sora-2",↓"hd":true}"#)],
        nonTriggeringExamples: [Example(#"{"prompt":"a duck","model":"sora-2-pro","hd":true}"#), Example(#"{"prompt":"a duck","model":"sora-2","hd":false}"#)])

    func check(_ body: RequestBody) -> [Diagnostic] {
        guard body.bool(.hd) == true, body.string(.model) == "sora-2" else { return [] }
        return [finding(.hd, "hd needs sora-2-pro", note: "use --model sora-2-pro, or leave out --hd")]
    }
}

struct CharacterPairRule: RequestRule {
    static let description = RuleDescription(
        identifier: "character-pair", summary: "`character_url` and `character_timestamps` go together", severity: .error,
        explanation: "A character is created from a stretch of a video: the URL without its seconds, or the seconds without a URL, creates nothing.",
        triggeringExamples: [Example(#"{"prompt":"a duck","model":"sora-2","character_url":"https://a.example/d.mp4"}"#),
                             Example(#"{"prompt":"a duck","model":"sora-2","character_timestamps":"1,3"}"#)],
        nonTriggeringExamples: [Example(#"{"prompt":"a duck","model":"sora-2","character_url":"https://a.example/d.mp4","character_timestamps":"1,3"}"#)])

    func check(_ body: RequestBody) -> [Diagnostic] {
        switch (body.has(.characterURL), body.has(.characterTimestamps)) {
        case (true, false): [finding(.characterTimestamps, "character_url is given without character_timestamps")]
        case (false, true): [finding(.characterURL, "character_timestamps is given without character_url")]
        default: []
        }
    }
}

struct CharacterURLRule: RequestRule {
    static let description = RuleDescription(
        identifier: "character-url", summary: "`character_url` is an http(s) URL", severity: .error,
        explanation: "The provider downloads the character's video from `character_url`; only http and https addresses can be fetched. The video must show no real person.",
        triggeringExamples: [Example(#"{"prompt":"a duck","model":"sora-2",↓"character_url":"file:///tmp/d.mp4","character_timestamps":"1,3"}"#)],
        nonTriggeringExamples: [Example(#"{"prompt":"a duck","model":"sora-2","character_url":"https://a.example/d.mp4","character_timestamps":"1,3"}"#)])

    func check(_ body: RequestBody) -> [Diagnostic] {
        guard let url = body.string(.characterURL), !WebAddress.isHTTP(url) else { return [] }
        return [finding(.characterURL, "character_url \"\(url)\" is not an http(s) URL")]
    }
}

/// `start,end` in seconds (each in `Seconds`' one grammar, as `--window` takes them), or nil.
func parseTimestamps(_ text: String) -> (start: Double, end: Double)? {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false)
    guard parts.count == 2, let start = Seconds.milliseconds(parts[0]), let end = Seconds.milliseconds(parts[1]) else { return nil }
    return (Double(start) / 1000, Double(end) / 1000)
}

struct CharacterTimestampsRule: RequestRule {
    static let description = RuleDescription(
        identifier: "character-timestamps", summary: "`character_timestamps` is start,end with 1 to 3 seconds between", severity: .error,
        explanation: "The spec: \"格式 {start},{end}, 注意 end-start 的范围 1～3秒\" — two numbers of seconds, the end 1 to 3 seconds after the start.",
        triggeringExamples: [Example(#"{"prompt":"a","model":"sora-2","character_url":"https://a.example/d.mp4",↓"character_timestamps":"3,1"}"#),
                             Example(#"{"prompt":"a","model":"sora-2","character_url":"https://a.example/d.mp4",↓"character_timestamps":"0,5"}"#),
                             Example(#"{"prompt":"a","model":"sora-2","character_url":"https://a.example/d.mp4",↓"character_timestamps":"1-3"}"#)],
        nonTriggeringExamples: [Example(#"{"prompt":"a","model":"sora-2","character_url":"https://a.example/d.mp4","character_timestamps":"1,3"}"#),
                                Example(#"{"prompt":"a","model":"sora-2","character_url":"https://a.example/d.mp4","character_timestamps":"0.5,2.5"}"#)])

    func check(_ body: RequestBody) -> [Diagnostic] {
        guard let text = body.string(.characterTimestamps) else { return [] }
        guard let (start, end) = parseTimestamps(text) else {
            return [finding(.characterTimestamps, "\"\(text)\" is not start,end in seconds", note: "write it as the spec does, e.g. \"1,3\": each \(Seconds.grammar)")]
        }
        let length = end - start
        let limits = body.limits
        guard length >= limits.windowMin - 0.0005, length <= limits.windowMax + 0.0005 else {
            let detail = length <= 0 ? "the end is not after the start" : "the window is \(Seconds.format(length)) s long"
            let whose = limits == .spec ? "" : " for provider \(limits.provider)"
            return [finding(.characterTimestamps, "\"\(text)\": \(detail); end - start must be \(Seconds.format(limits.windowMin)) to \(Seconds.format(limits.windowMax)) seconds\(whose)",
                            note: "`cameo windows` finds valid windows")]
        }
        return []
    }
}

struct TimestampsSpellingRule: RequestRule {
    static let description = RuleDescription(
        identifier: "timestamps-spelling", summary: "`character_timestamps` written as the spec's example is", severity: .warning,
        explanation: """
            The spec's example is `1,3`: no spaces, no trailing zeros. Fractional seconds (`0.5,2.5`) are \
            not ruled out, but the spec shows none, so they draw a note: whole seconds are the safe choice.
            """,
        triggeringExamples: [Example(#"{"prompt":"a","model":"sora-2","character_url":"https://a.example/d.mp4",↓"character_timestamps":"1.0,3.0"}"#),
                             Example(#"{"prompt":"a","model":"sora-2","character_url":"https://a.example/d.mp4",↓"character_timestamps":"1, 3"}"#),
                             Example(#"{"prompt":"a","model":"sora-2","character_url":"https://a.example/d.mp4",↓"character_timestamps":"0.5,2.5"}"#)],
        nonTriggeringExamples: [Example(#"{"prompt":"a","model":"sora-2","character_url":"https://a.example/d.mp4","character_timestamps":"1,3"}"#)],
        corrections: [
            Example(#"{"prompt":"a","model":"sora-2","character_url":"https://a.example/d.mp4",↓"character_timestamps":"1.0,3.0"}"#):
                Example(#"{"prompt":"a","model":"sora-2","character_url":"https://a.example/d.mp4","character_timestamps":"1,3"}"#),
            Example(#"{"prompt":"a","model":"sora-2","character_url":"https://a.example/d.mp4",↓"character_timestamps":"1, 3"}"#):
                Example(#"{"prompt":"a","model":"sora-2","character_url":"https://a.example/d.mp4","character_timestamps":"1,3"}"#),
        ])

    func check(_ body: RequestBody) -> [Diagnostic] {
        guard let text = body.string(.characterTimestamps), let (start, end) = parseTimestamps(text) else { return [] }
        let canonical = "\(Seconds.format(start)),\(Seconds.format(end))"
        if canonical != text {
            return [finding(.characterTimestamps, "\"\(text)\" is written differently from the spec's example",
                            replacement: Self.jsonString(canonical))]
        }
        if start.rounded() != start || end.rounded() != end {
            return [finding(.characterTimestamps, "\"\(text)\" uses fractional seconds; the spec's example uses whole ones",
                            note: "the provider may round or refuse them; `cameo windows` proposes whole seconds")]
        }
        return []
    }
}

struct ImagesRule: RequestRule {
    static let description = RuleDescription(
        identifier: "images-entry", summary: "Each of `images` is an http(s) URL or base64 of an image", severity: .error,
        explanation: "The spec: \"图片列表，支持url、base64\". A local path, a broken data URI, or base64 of something that is not an image cannot be used.",
        triggeringExamples: [Example(#"{"prompt":"a","model":"sora-2","images":[↓"/home/me/duck.png"]}"#),
                             Example(#"{"prompt":"a","model":"sora-2","images":[↓"data:image/png;base64,bm90IGFuIGltYWdl"]}"#)],
        nonTriggeringExamples: [Example(#"{"prompt":"a","model":"sora-2","images":["https://a.example/d.png"]}"#),
                                Example(#"{"prompt":"a","model":"sora-2","images":["data:image/gif;base64,R0lGODlhAQABAAAAACw="]}"#)])

    func check(_ body: RequestBody) -> [Diagnostic] {
        guard let images = body.strings(.images) else { return [] }
        return images.enumerated().compactMap { index, entry in
            if WebAddress.isHTTP(entry) { return nil }
            switch ImageData.check(entry) {
            case .image: return nil
            case .notAnImage(let detail):
                return finding("images[\(index)]", "images[\(index)] is \(detail)", note: "give an http(s) URL or base64 of a PNG, JPEG, GIF or WebP image")
            }
        }
    }
}

struct NotifyHookRule: RequestRule {
    static let description = RuleDescription(
        identifier: "notify-hook", summary: "`notify_hook` is an http(s) URL", severity: .error,
        explanation: "The provider calls `notify_hook` when the video is ready; it must be an http(s) address it can reach.",
        triggeringExamples: [Example(#"{"prompt":"a","model":"sora-2",↓"notify_hook":"example.com/hook"}"#)],
        nonTriggeringExamples: [Example(#"{"prompt":"a","model":"sora-2","notify_hook":"https://example.com/hook"}"#)])

    func check(_ body: RequestBody) -> [Diagnostic] {
        guard let hook = body.string(.notifyHook), !WebAddress.isHTTP(hook) else { return [] }
        return [finding(.notifyHook, "notify_hook \"\(hook)\" is not an http(s) URL")]
    }
}

struct PrivateRule: RequestRule {
    static let description = RuleDescription(
        identifier: "private-no-remix", summary: "A private video is not published and cannot be remixed", severity: .info,
        explanation: "The spec: with `private` true the video is not published, and it cannot be remixed (二次编辑) later.",
        triggeringExamples: [Example(#"{"prompt":"a","model":"sora-2",↓"private":true}"#)],
        nonTriggeringExamples: [Example(#"{"prompt":"a","model":"sora-2","private":false}"#), Example(#"{"prompt":"a","model":"sora-2"}"#)])

    func check(_ body: RequestBody) -> [Diagnostic] {
        guard body.bool(.isPrivate) == true else { return [] }
        return [finding(.isPrivate, "the video will not be published and cannot be remixed later")]
    }
}
