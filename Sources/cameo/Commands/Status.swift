import ArgumentParser
import CameoAPI
import CameoCatalog
import CameoText
import Foundation

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask the provider how a task is doing, and record the answer with its submission.")

    @OptionGroup var catalog: CatalogOptions

    @Argument(help: "The task id `send` printed.")
    var taskId: String

    @OptionGroup var provider: ProviderOptions

    @Option(help: ArgumentHelp("The task path, with {id} for the task id (default /v2/videos/generations/{id}, or status_path in the config file).", valueName: "path"))
    var path: String?

    @OptionGroup var output: JSONFlag

    func run() async throws {
        let catalog = try catalog.open()
        let config = try provider.config()
        let client = try config.client(timeout: provider.timeout)
        let response = try await client.status(of: taskId, path: path ?? config.statusPath)
        if let problem = response.problem {
            throw APIError.provider(problem, status: response.status, message: response.error.message)
        }
        guard (200..<300).contains(response.status) else {
            throw response.json == nil
                ? APIError.notJSON(status: response.status, snippet: String(response.body.prefix(200)))
                : APIError.http(status: response.status, message: response.error.message)
        }
        if var submission = try catalog.submission(taskId: taskId) {
            submission.status = response.taskStatus ?? submission.status
            submission.responseBody = response.body
            try catalog.update(submission)
            try TaskAnswer.recordCharacter(in: response, for: submission, catalog: catalog, provider: client.baseURL.absoluteString)
        }
        if output.json {
            try Output.json(StatusDocument(taskId: taskId, response: response))
        } else {
            var lines = ["task \(taskId): \(response.taskStatus ?? "status unknown")"]
            if let progress = response.progress { lines.append("  progress  \(progress)") }
            if let video = response.videoURL { lines.append("  video     \(video)") }
            if let character = response.character { lines.append("  character @\(character.username)") }
            Output.line(lines.joined(separator: "\n"))
        }
    }
}

struct StatusDocument: Encodable {
    var taskId: String
    @NullEncoded var status: String?
    @NullEncoded var progress: String?
    @NullEncoded var videoURL: String?
    @NullEncoded var username: String?
    var httpStatus: Int
    @NullEncoded var response: JSONValue?

    init(taskId: String, response: ProviderResponse) {
        self.taskId = taskId
        status = response.taskStatus
        progress = response.progress
        videoURL = response.videoURL
        username = response.character?.username
        httpStatus = response.status
        self.response = response.json
    }

    enum CodingKeys: String, CodingKey {
        case status, progress, username, response
        case taskId = "task_id", videoURL = "video_url", httpStatus = "http_status"
    }
}
