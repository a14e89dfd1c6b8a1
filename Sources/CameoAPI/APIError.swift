import CameoText
import Foundation

/// What went wrong talking to the provider, in the user's terms. None of
/// these ever holds the API key.
public enum APIError: Error, Equatable, Sendable {
    case missingBaseURL
    case missingKey(env: String)
    case unknownProvider(String, known: [String], path: String)
    case badBaseURL(String, reason: String)
    case badImage(String, String)
    case config(path: String, detail: String)
    /// The key holds a line break or another control character; `source` says where it came from.
    case badKey(source: String)
    /// A URL built from the configuration points at another origin than the provider's: nothing is sent.
    case foreignOrigin(String, expected: String)
    /// The connection failed before the request was sent.
    case unreachable(String, detail: String)
    /// No answer in time after the request went out; the provider may still have made the task.
    case timedOut(String, seconds: Double)
    /// The exchange broke after the request went out (reset, empty reply, cut answer).
    case cutOff(String, detail: String)
    /// The answer passed the size cap; the request had arrived.
    case tooLarge(String, limit: Int64)
    /// SIGINT or SIGTERM; `sent` says whether the request may have arrived.
    case interrupted(sent: Bool)
    /// The provider answered with a redirect, which API calls never follow (the key would go along).
    case redirected(status: Int, from: String, to: String)
    /// libcurl could not be loaded.
    case networkUnavailable(String)
    case http(status: Int, message: String)
    case notJSON(status: Int, snippet: String)
    case noTaskId(status: Int)
    /// A known provider error, explained.
    case provider(ProviderProblem, status: Int, message: String)

    public var category: Category {
        switch self {
        case .missingBaseURL, .missingKey, .badBaseURL, .foreignOrigin, .unknownProvider: .usage
        case .badImage, .config, .badKey: .invalidData
        case .interrupted: .interrupted
        case .unreachable, .timedOut, .cutOff, .tooLarge, .redirected, .networkUnavailable, .http, .notJSON, .noTaskId, .provider: .remote
        }
    }

    public enum Category: Sendable {
        case usage, invalidData, remote, interrupted
    }

    /// Whether the provider may have the request: what a submission records.
    public var mayHaveArrived: Bool {
        switch self {
        case .missingBaseURL, .missingKey, .unknownProvider, .badBaseURL, .badImage, .config, .badKey, .foreignOrigin, .unreachable, .networkUnavailable: false
        case .interrupted(let sent): sent
        case .timedOut, .cutOff, .tooLarge: true
        case .redirected, .http, .notJSON, .noTaskId, .provider: true
        }
    }

    /// The HTTP status of an answer that carried the error.
    public var httpStatus: Int? {
        switch self {
        case .redirected(let status, _, _), .http(let status, _), .notJSON(let status, _), .noTaskId(let status), .provider(_, let status, _): status
        default: nil
        }
    }

    /// Whether the provider answered (with an error): the outcome is known.
    public var isAnswer: Bool {
        switch self {
        case .redirected, .http, .notJSON, .noTaskId, .provider: true
        default: false
        }
    }

    /// A transport failure in the user's terms, with the key masked from anything a server or libcurl said.
    init(_ failure: HTTPFailure, address: String, method: String, seconds: Double, mask: KeyMask) {
        switch failure {
        case .notSent(let detail): self = .unreachable(address, detail: mask.mask(detail))
        case .unavailable(let detail): self = .networkUnavailable(detail)
        case .cut(let detail): self = .cutOff(address, detail: mask.mask(detail))
        case .timedOut(let sent): self = sent ? .timedOut(address, seconds: seconds) : .unreachable(address, detail: "no connection within \(Seconds.format(seconds)) s")
        case .tooLarge(let limit): self = .tooLarge(address, limit: limit)
        // Reading a task creates nothing: only an interrupted POST may leave a task behind.
        case .interrupted(let sent): self = .interrupted(sent: sent && method == "POST")
        }
    }
}

/// Errors providers send that deserve an explanation rather than an echo.
public enum ProviderProblem: String, Sendable, Equatable {
    case cameoPermissionDenied = "cameo_permission_denied"
    case cameoNotFound = "cameo_not_found"
    case showsPerson = "shows_person"
    case moderationBlocked = "moderation_blocked"
    case sentinelBlock = "sentinel_block"
    case unsafe
    case invalidTimestamps = "invalid_timestamps"

    public var explanation: String {
        switch self {
        case .cameoPermissionDenied:
            "the character's owner revoked access to it or deleted it; its username no longer works (create the character again from its source with --character)"
        case .cameoNotFound:
            "the provider does not know that character or task (deleted, expired, or made on another provider); create it again from its source with `cameo create`"
        case .showsPerson:
            "the provider refused the clip because it shows a person; characters must be pets or objects — pick another clip or window (`cameo windows`)"
        case .moderationBlocked:
            "the provider's moderation refused the prompt or the images; rephrase the prompt or change the images"
        case .sentinelBlock:
            "the provider's safety system blocked the request; a character video that shows a real person is the usual cause"
        case .unsafe:
            "the provider judged the content unsafe and refused it (HTTP 451)"
        case .invalidTimestamps:
            "the provider refused character_timestamps; the window must be 1 to 3 seconds inside the video (`cameo windows` finds one)"
        }
    }
}

extension APIError: CustomStringConvertible, LocalizedError {
    /// What to do when a request left and its outcome is not known.
    static let taskMayExist = "a task may exist — check with `cameo history` and `cameo status --last` before sending again"

    public var description: String {
        switch self {
        case .missingBaseURL:
            "no provider base URL: give --base-url, set CAMEO_BASE_URL, or put base_url in the config file"
        case .missingKey(let env):
            "no API key: set \(env), or put api_key in the config file (readable by you only)"
        case .unknownProvider(let name, let known, let path):
            known.isEmpty
                ? "no provider named \"\(name)\": \(path) defines none (add \"providers\": {\"\(name)\": {\"base_url\": …}})"
                : "no provider named \"\(name)\" in \(path); it defines \(known.joined(separator: ", "))"
        case .badBaseURL(let text, let reason):
            "base URL \"\(text)\" \(reason)"
        case .badKey(let source):
            "the API key in \(source) contains a line break or another control character; cameo refuses it rather than send a broken header (copy the key again)"
        case .foreignOrigin(let url, let expected):
            "\(url) is not on the provider's origin \(expected); nothing was sent (the key goes to the provider only — check the paths in the config file)"
        case .cutOff(let url, let detail):
            "the connection to \(url) broke after the request was sent (\(detail)); \(Self.taskMayExist)"
        case .tooLarge(let url, let limit):
            "the answer from \(url) passed \(limit / (1 << 20)) MB and was cut off; \(Self.taskMayExist)"
        case .interrupted(let sent):
            sent
                ? "interrupted after the request was sent; \(Self.taskMayExist)"
                : "interrupted before the request was sent; nothing was sent"
        case .redirected(let status, let from, let to):
            "the provider answered HTTP \(status) redirecting \(from) to \(to); cameo follows no redirect for API calls (the key would go along) — if the provider moved, set its base URL to the new address"
        case .networkUnavailable(let detail):
            "networking is unavailable: \(detail)"
        case .badImage(let path, let detail):
            "image \(path) \(detail)"
        case .config(let path, let detail):
            "config \(path): \(detail)"
        case .unreachable(let url, let detail):
            "cannot reach \(url): \(detail); nothing was sent"
        case .timedOut(let url, let seconds):
            "no complete answer from \(url) within \(Seconds.format(seconds)) s; the task may still have been created — check with `cameo history` and `cameo status --last` before sending again"
        case .http(let status, let message):
            "the provider answered HTTP \(status): \(message)"
        case .notJSON(let status, let snippet):
            "the provider answered HTTP \(status) with something that is not JSON: \(snippet)"
        case .noTaskId(let status):
            "the provider answered HTTP \(status) without a task id; the raw answer is kept in `cameo history --json`"
        case .provider(let problem, let status, let message):
            "\(problem.rawValue) (HTTP \(status)): \(problem.explanation)" + (message.isEmpty ? "" : "; the provider said: \(message)")
        }
    }

    public var errorDescription: String? { description }
}
