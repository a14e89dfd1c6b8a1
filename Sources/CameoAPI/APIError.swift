import Foundation

/// What went wrong talking to the provider, in the user's terms. None of
/// these ever holds the API key.
public enum APIError: Error, Equatable, Sendable {
    case missingBaseURL
    case missingKey
    case badBaseURL(String)
    case badImage(String, String)
    case config(path: String, detail: String)
    /// The connection failed before the request was sent.
    case unreachable(String, detail: String)
    /// No answer in time; the provider may still have made the task.
    case timedOut(String, seconds: Double)
    case http(status: Int, message: String)
    case notJSON(status: Int, snippet: String)
    case noTaskId(status: Int)
    /// A known provider error, explained.
    case provider(ProviderProblem, status: Int, message: String)

    public var category: Category {
        switch self {
        case .missingBaseURL, .missingKey, .badBaseURL: .usage
        case .badImage, .config: .invalidData
        case .unreachable, .timedOut, .http, .notJSON, .noTaskId, .provider: .remote
        }
    }

    public enum Category: Sendable {
        case usage, invalidData, remote
    }
}

/// Errors providers send that deserve an explanation rather than an echo.
public enum ProviderProblem: String, Sendable, Equatable {
    case cameoPermissionDenied = "cameo_permission_denied"
    case moderationBlocked = "moderation_blocked"
    case sentinelBlock = "sentinel_block"
    case unsafe
    case invalidTimestamps = "invalid_timestamps"

    public var explanation: String {
        switch self {
        case .cameoPermissionDenied:
            "the character's owner revoked access to it or deleted it; its username no longer works (create the character again from its source with --character)"
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
    public var description: String {
        switch self {
        case .missingBaseURL:
            "no provider base URL: give --base-url, set CAMEO_BASE_URL, or put base_url in the config file"
        case .missingKey:
            "no API key: set CAMEO_API_KEY, or put api_key in the config file (readable by you only)"
        case .badBaseURL(let text):
            "base URL \"\(text)\" is not an http(s) URL"
        case .badImage(let path, let detail):
            "image \(path) \(detail)"
        case .config(let path, let detail):
            "config \(path): \(detail)"
        case .unreachable(let url, let detail):
            "cannot reach \(url): \(detail); nothing was sent"
        case .timedOut(let url, let seconds):
            "no answer from \(url) within \(Int(seconds)) s; the task may still have been created — check later with `cameo status` or the provider's console"
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
