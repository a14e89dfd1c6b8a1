import CameoAPI
import Foundation

/// Polls a task until it is final: every `interval` seconds with jitter, a
/// Retry-After honoured up to a cap, within `limit` seconds in all. A failed
/// GET is retried (reading is safe); an unknown status word is reported and
/// waiting goes on.
public struct Follower {
    public var client: ProviderClient
    public var path: String
    public var interval: Double
    public var limit: Double
    /// The longest wait a Retry-After can ask for between two polls.
    public var longestWait = 120.0

    public init(client: ProviderClient, path: String, interval: Double, limit: Double) {
        self.client = client
        self.path = path
        self.interval = interval
        self.limit = limit
    }

    public enum Outcome {
        /// The task is final (or, for a character, the username appeared).
        case done(ProviderResponse)
        /// The limit passed first; the last answer, if any.
        case gaveUp(ProviderResponse?)
        /// Ctrl-C or SIGTERM.
        case interrupted(ProviderResponse?)
    }

    /// `isDone` decides when to stop; `changed` sees every answer (to show and record it).
    public func follow(_ taskId: String, isDone: (ProviderResponse) -> Bool, changed: (ProviderResponse) -> Void,
                       failed: (APIError) -> Void) -> Outcome {
        let deadline = Deadline(seconds: limit)
        var last: ProviderResponse?
        while true {
            var pause = interval
            do {
                let response = try client.status(of: taskId, path: path, deadline: Deadline(seconds: min(client.timeout, max(deadline.remaining, 0.001))))
                last = response
                if (200..<300).contains(response.status) {
                    changed(response)
                    if isDone(response) { return .done(response) }
                } else if response.status == 429 || response.status == 503 {
                    changed(response)
                } else {
                    // A refusal of the GET itself (404, 401…) will not change by waiting.
                    changed(response)
                    return .done(response)
                }
            } catch .interrupted {
                return .interrupted(last)
            } catch {
                failed(error)
            }
            if Interruption.happened { return .interrupted(last) }
            if let header = last.flatMap({ $0.retryAfterSeconds }), header > pause { pause = min(header, longestWait) }
            pause *= Double.random(in: 0.85...1.15)
            guard deadline.remaining > 0 else { return .gaveUp(last) }
            guard Interruption.sleep(min(pause, deadline.remaining)) else { return .interrupted(last) }
            if deadline.passed { return .gaveUp(last) }
        }
    }
}
