/// A provider's task state in cameo's five words. Providers use their own:
/// `NOT_START`/`SUBMITTED`/`QUEUED`/`IN_PROGRESS`/`SUCCESS`/`FAILURE`,
/// `queued`/`in_progress`/`completed`/`failed`, `pending`/`processing`/
/// `completed`/`failed`/`cancelled`, and others close to these.
public enum TaskStatus: String, Sendable, CaseIterable {
    case queued, running, succeeded, failed, cancelled

    /// nil for a word cameo does not know: it is shown as it is and waiting goes on.
    public init?(word: String) {
        let key = word.lowercased().replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: " ", with: "_")
        switch key {
        case "not_start", "not_started", "submitted", "queued", "queue", "queueing", "pending", "waiting", "created", "scheduled":
            self = .queued
        case "in_progress", "processing", "running", "started", "generating", "in_queue_processing":
            self = .running
        case "success", "succeeded", "successful", "completed", "complete", "done", "finished":
            self = .succeeded
        case "failure", "failed", "fail", "error", "errored", "rejected", "expired":
            self = .failed
        case "cancelled", "canceled", "cancel", "aborted":
            self = .cancelled
        default:
            return nil
        }
    }

    /// Whether the task will change no more.
    public var isFinal: Bool {
        switch self {
        case .queued, .running: false
        case .succeeded, .failed, .cancelled: true
        }
    }
}

extension ProviderResponse {
    /// The provider's word, normalised; nil when there is no word or cameo does not know it.
    public var normalisedStatus: TaskStatus? {
        taskStatus.flatMap(TaskStatus.init(word:))
    }

    /// Whether the task is done with a result: `succeeded`, or (for providers that
    /// give no status word) a video in the answer.
    public var hasSucceeded: Bool {
        normalisedStatus == .succeeded || (taskStatus == nil && videoURL != nil)
    }

    /// Why the task failed, in any of the shapes providers use.
    public var failReason: String? {
        for container in [json?["data"], json] {
            for key in ["fail_reason", "failReason", "failure_reason", "error_message"] {
                if case .string(let text)? = container?[key], !text.isEmpty { return text }
            }
            if case .string(let text)? = container?["error"]?["message"], !text.isEmpty { return text }
            if case .string(let text)? = container?["error"], !text.isEmpty { return text }
        }
        return nil
    }
}
