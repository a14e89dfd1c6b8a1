import CameoAPI
import CameoCatalog
import Foundation

/// The one place a request costs money: it is recorded as `sending`, sent,
/// and its outcome recorded — `submitted`, `failed` (the provider answered an
/// error), `not-sent` (nothing left this machine) or `unknown` (it left, no
/// answer came back). A failure to record never hides what the network did.
public struct Submitter {
    public var catalog: any CatalogStore
    public var client: ProviderClient
    public var provider: String
    /// Told about anything worth a warning (a record that could not be written).
    public var warn: (String) -> Void

    public init(catalog: any CatalogStore, client: ProviderClient, provider: String, warn: @escaping (String) -> Void) {
        self.catalog = catalog
        self.client = client
        self.provider = provider
        self.warn = warn
    }

    public struct Sent {
        public var submission: Submission
        public var response: ProviderResponse
    }

    /// Sends `body` to `path`. Throws the provider's or the network's error after recording it.
    public func send(_ body: Data, to path: String, kind: SubmissionKind, characterId: Int64?) throws -> Sent {
        var submission = try catalog.record(Submission(
            kind: kind, characterId: characterId, endpoint: client.endpoint(path).absoluteString, provider: provider,
            requestBody: String(decoding: body, as: UTF8.self)))
        let response: ProviderResponse
        do {
            response = try client.post(body, to: path)
        } catch {
            submission.state = error.isAnswer ? .failed : error.mayHaveArrived ? .unknown : .notSent
            submission.error = error.description
            submission.httpStatus = error.httpStatus
            store(submission)
            throw error
        }
        Self.apply(response, to: &submission)
        do throws(APIError) {
            try response.requireSuccess()
            if kind == .generation || response.character == nil {
                guard let taskId = response.taskId else { throw APIError.noTaskId(status: response.status) }
                submission.taskId = taskId
            }
            submission.state = .submitted
        } catch {
            submission.state = .failed
            submission.error = error.description
            submission.taskId = response.taskId
            store(submission)
            throw error
        }
        store(submission)
        return Sent(submission: submission, response: response)
    }

    /// What an answer says about the task, on the submission.
    public static func apply(_ response: ProviderResponse, to submission: inout Submission) {
        submission.httpStatus = response.status
        submission.responseBody = response.body
        if let word = response.taskStatus {
            submission.providerStatus = word
            submission.taskStatus = TaskStatus(word: word)?.rawValue
        }
        if response.normalisedStatus == .failed, let reason = response.failReason {
            submission.error = reason
        }
    }

    /// Records, telling the user (not throwing) when the catalog refuses: the
    /// network's outcome is the error that matters.
    func store(_ submission: Submission) {
        do {
            try catalog.update(submission)
        } catch {
            warn("the outcome (\(submission.state.rawValue)) could not be recorded in the catalog: \(error)")
        }
    }
}
