import CameoText
import Foundation

/// An answer from the provider, read tolerantly: the spec gives the body no
/// shape, so a task id may be `task_id` or `id`, at the top or under `data`.
public struct ProviderResponse: Sendable {
    public var status: Int
    /// The raw body, as received (with the API key masked should a server echo it).
    public var body: String
    public var json: JSONValue?
    /// The Retry-After the answer carried, in seconds (nil when absent or not a sane value).
    public var retryAfterSeconds: Double?

    /// The one way an answer enters cameo: the key is masked in the raw bytes,
    /// in every escaped form, before the JSON is decoded or anything is kept.
    public init(status: Int, raw: Data, mask: KeyMask) {
        self.init(status: status, body: mask.mask(String(decoding: raw, as: UTF8.self)))
    }

    /// An answer whose text is already masked (read back from the catalog).
    public init(status: Int, body: String) {
        self.status = status
        self.body = body
        json = try? JSONValue(parsing: body)
    }

    public var taskId: String? {
        for container in [json, json?["data"]] {
            for key in ["task_id", "taskId", "id"] {
                if let value = container?[key]?.stringValue, !value.isEmpty { return value }
            }
        }
        return nil
    }

    /// The task's state (`status` or `state`, at the top or under `data`).
    public var taskStatus: String? {
        for container in [json?["data"], json] {
            for key in ["status", "state", "task_status"] {
                if case .string(let value)? = container?[key] { return value }
            }
        }
        return nil
    }

    public var progress: String? {
        for container in [json?["data"], json] {
            if let value = container?["progress"] {
                if case .string(let text) = value { return text }
                if let number = value.doubleValue { return number <= 1 && number > 0 && number.rounded() != number ? "\(Int(exactly: (number * 100).rounded(.down)) ?? 0)%" : Int(exactly: number.rounded(.down)).map { "\($0)%" } }
            }
        }
        return nil
    }

    /// The first video address anywhere in the answer.
    public var videoURL: String? {
        Self.firstString(in: json) { key, value in
            (["video_url", "videoUrl", "url", "output_url"].contains(key) || key.lowercased().contains("video")) && WebAddress.hasHTTPScheme(value)
        }
    }

    /// A character identity anywhere in the answer: the object holding a `username`.
    public var character: (username: String, id: String?, displayName: String?, avatarURL: String?, permalink: String?)? {
        guard let holder = Self.firstObject(in: json, containing: "username"), case .string(let username)? = holder["username"] else { return nil }
        let id = holder["character_id"]?.stringValue ?? holder["id"]?.stringValue
        let name: String? = {
            for key in ["display_name", "displayName", "name"] { if case .string(let value)? = holder[key] { return value } }
            return nil
        }()
        let avatar: String? = {
            for key in ["avatar_url", "avatar", "profile_picture_url", "profile_image_url"] { if case .string(let value)? = holder[key] { return value } }
            return nil
        }()
        let permalink: String? = {
            for key in ["permalink", "profile_url", "url"] { if case .string(let value)? = holder[key] { return value } }
            return nil
        }()
        return (username, id, name, avatar, permalink)
    }

    /// The provider's error code and message, in any of the shapes providers use:
    /// `{"error":{"code":…,"message":…}}`, `{"code":…,"message":…}`, `{"error":"…"}`.
    public var error: (code: String?, message: String) {
        let error = json?["error"]
        let code = error?["code"]?.stringValue ?? error?["type"]?.stringValue ?? json?["code"]?.stringValue
        var message = ""
        for candidate in [error?["message"], json?["message"], json?["msg"], json?["detail"], error] {
            if case .string(let text)? = candidate { message = text; break }
        }
        if message.isEmpty, json == nil { message = String(body.prefix(300)) }
        return (code, message)
    }

    /// A provider error cameo knows how to explain.
    public var problem: ProviderProblem? {
        let (code, message) = error
        let haystack = ((code ?? "") + " " + message).lowercased()
        if haystack.contains("cameo_permission_denied") { return .cameoPermissionDenied }
        if haystack.contains("cameo_not_found") { return .cameoNotFound }
        if haystack.contains("moderation_blocked") { return .moderationBlocked }
        if haystack.contains("sentinel_block") { return .sentinelBlock }
        if haystack.contains("person") || haystack.contains("human") || haystack.contains("real_people") { return .showsPerson }
        if status == 451 || haystack.contains("_unsafe") { return .unsafe }
        if haystack.contains("timestamp") && (haystack.contains("invalid") || haystack.contains("range") || haystack.contains("must")) {
            return .invalidTimestamps
        }
        return nil
    }

    /// The first string member, depth first in key order, that `match` accepts (given its key and text).
    static func firstString(in value: JSONValue?, where match: (String, String) -> Bool) -> String? {
        first(in: value) { members in
            for key in members.keys.sorted() {
                if case .string(let text)? = members[key], match(key, text) { return text }
            }
            return nil
        }
    }

    /// The first object, depth first in key order, with a string member named `key`.
    static func firstObject(in value: JSONValue?, containing key: String) -> JSONValue? {
        first(in: value) { members in
            if case .string? = members[key] { .object(members) } else { nil }
        }
    }

    /// The one walk through an answer of unknown shape: each object is asked
    /// (`found`) before any object inside it, members in key order, arrays in order.
    static func first<T>(in value: JSONValue?, _ found: ([String: JSONValue]) -> T?) -> T? {
        switch value {
        case .object(let members):
            if let hit = found(members) { return hit }
            for key in members.keys.sorted() {
                if let hit = first(in: members[key], found) { return hit }
            }
        case .array(let values):
            for value in values { if let hit = first(in: value, found) { return hit } }
        default:
            break
        }
        return nil
    }
}
