import ArgumentParser
import CameoCatalog
import CameoText
import Foundation

struct History: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List submissions sent to the provider, newest first.")

    @OptionGroup var catalog: CatalogOptions

    @Option(help: "Show at most this many.")
    var limit: Int?

    @OptionGroup var output: JSONFlag

    func validate() throws {
        try CountArgument.check(limit, "--limit", in: 1...1_000_000)
    }

    func run() throws {
        let submissions = try catalog.openForReading().submissions(limit: limit)
        if output.json {
            try Output.json(submissions.map(SubmissionDocument.init))
            return
        }
        guard !submissions.isEmpty else {
            Output.error("no submissions yet; `cameo send` records each one here")
            return
        }
        var table = TextTable("#", "WHEN", "STATUS", "HTTP", "TASK")
        for submission in submissions {
            // A submission still "sending" was interrupted: whether the provider got it is unknown.
            let status = submission.status == "sending" ? "sending (no answer recorded)" : submission.status
            table.add("\(submission.id ?? 0)", CharacterText.minute(submission.createdAt), status,
                      submission.httpStatus.map(String.init) ?? "-", submission.taskId ?? "-")
        }
        Output.line(table.render())
    }
}

/// A submission as `history --json` prints it: the bodies as JSON when they are JSON.
struct SubmissionDocument: Encodable {
    @NullEncoded var id: Int64?
    var endpoint: String
    var status: String
    @NullEncoded var httpStatus: Int?
    @NullEncoded var taskId: String?
    @NullEncoded var error: String?
    var request: JSONValue
    @NullEncoded var response: JSONValue?
    var createdAt: Timestamp
    var updatedAt: Timestamp

    init(_ submission: Submission) {
        id = submission.id
        endpoint = submission.endpoint
        status = submission.status
        httpStatus = submission.httpStatus
        taskId = submission.taskId
        error = submission.error
        request = (try? JSONValue(parsing: submission.requestBody)) ?? .string(submission.requestBody)
        response = submission.responseBody.map { (try? JSONValue(parsing: $0)) ?? .string($0) }
        createdAt = submission.createdAt
        updatedAt = submission.updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, endpoint, status, error, request, response
        case httpStatus = "http_status", taskId = "task_id", createdAt = "created_at", updatedAt = "updated_at"
    }
}
