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

    func run() throws {
        let submissions = try catalog.open().submissions(limit: limit)
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
            table.add("\(submission.id ?? 0)", CharacterText.minute(submission.createdAt), submission.status,
                      submission.httpStatus.map(String.init) ?? "-", submission.taskId ?? "-")
        }
        Output.line(table.render())
    }
}

/// A submission as `history --json` prints it: the bodies as JSON when they are JSON.
struct SubmissionDocument: Encodable {
    var id: Int64?
    var endpoint: String
    var status: String
    var httpStatus: Int?
    var taskId: String?
    var error: String?
    var request: JSONValue
    var response: JSONValue?
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

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(endpoint, forKey: .endpoint)
        try c.encode(status, forKey: .status)
        try c.encode(httpStatus, forKey: .httpStatus)
        try c.encode(taskId, forKey: .taskId)
        try c.encode(error, forKey: .error)
        try c.encode(request, forKey: .request)
        try c.encode(response, forKey: .response)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}
