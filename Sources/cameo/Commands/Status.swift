import ArgumentParser
import CameoAPI
import CameoCatalog
import CameoText
import Foundation

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Ask the provider how a task is doing, and record the answer with its submission.",
        discussion: """
            Status words are normalised to queued, running, succeeded, failed, cancelled (the provider's own word is kept). \
            Exit codes: 0 answered (with --wait: succeeded), 2 no submission (--last), 3 the --download PATH exists, \
            4 the download is not a video, 6 the provider or network failed or the task failed, 130 interrupted.

            EXAMPLES:
              cameo status task_123
              cameo status --last --wait --download out.mp4
              cameo status task_123 --json
            """)

    @OptionGroup var catalog: CatalogOptions

    @Argument(help: "The task id `send` printed (or --last).")
    var taskId: String?

    @Flag(help: "The newest submission's task.")
    var last = false

    @OptionGroup var provider: ProviderOptions
    @OptionGroup var waiting: WaitOptions

    @Option(help: ArgumentHelp("The task path, with {id} for the task id (default: the profile's status_path, or character_status_path for a `create` task).", valueName: "path"))
    var path: String?

    @Option(help: ArgumentHelp("Save the finished video here.", valueName: "path"), completion: Complete.clip)
    var download: String?

    @Flag(help: "Replace the --download file if it exists.")
    var force = false

    @OptionGroup var output: JSONFlag

    func validate() throws {
        if (taskId == nil) == !last { throw ValidationError("give a task id or --last (not both)") }
        if let path, !path.hasPrefix("/") { throw ValidationError("--path must start with /") }
    }

    func run() async throws {
        let catalog = try catalog.openExisting()
        let taskId = try resolvedTaskId(catalog)
        let (config, client) = try provider.client()
        if let download { try TaskVideo.checkTarget(download, force: force) }
        // A character's creation task is followed on the characters route.
        let isCharacter = try catalog.submission(taskId: taskId)?.kind == .character
        let statusPath = path ?? (isCharacter ? config.profile.characterStatusPath : config.profile.statusPath)

        let response: ProviderResponse
        if waiting.wait {
            var watch = TaskWatch(catalog: catalog, client: client, wait: waiting, path: statusPath, taskId: taskId, profile: config.profile.name)
            if isCharacter { watch.isDone = { $0.character != nil || ($0.normalisedStatus?.isFinal ?? false) } }
            response = try watch.run()
        } else {
            response = try client.status(of: taskId, path: statusPath)
            try response.requireSuccess()
            TaskWatch(catalog: catalog, client: client, wait: waiting, path: statusPath, taskId: taskId, profile: config.profile.name)
                .record(response)
        }
        if let submission = try catalog.submission(taskId: taskId) {
            try TaskAnswer.recordCharacter(in: response, for: submission, catalog: catalog, provider: client.baseURL.absoluteString,
                                           origin: isCharacter ? .created : .task)
        }
        if let download {
            try TaskVideo.download(response, to: download, force: force, timeout: waiting.waitTimeout, taskId: taskId, catalog: catalog)
        }
        if output.json {
            try Output.json(StatusDocument(taskId: taskId, response: response))
        } else {
            var lines = ["task \(shown(taskId)): \(response.normalisedStatus?.rawValue ?? shown(response.taskStatus ?? "status unknown"))"]
            if let word = response.taskStatus, response.normalisedStatus?.rawValue != word { lines.append("  provider  \(shown(word))") }
            if let progress = response.progress { lines.append("  progress  \(shown(progress))") }
            if let reason = response.failReason, response.normalisedStatus == .failed { lines.append("  reason    \(shown(reason))") }
            if let video = response.videoURL { lines.append("  video     \(shown(video))") }
            if let character = response.character { lines.append("  character @\(shown(character.username))") }
            Output.line(lines.joined(separator: "\n"))
        }
        if waiting.wait, !response.hasSucceeded, !(isCharacter && response.character != nil) {
            throw SilentFailure(status: .remoteFailure)
        }
    }

    func resolvedTaskId(_ catalog: any CatalogStore) throws -> String {
        if let taskId { return taskId }
        guard let newest = try catalog.newestSubmissionWithTask() else {
            throw CommandFailure("no submission has a task id yet; `cameo send` records them", status: .notFound)
        }
        return newest.taskId ?? ""
    }
}

struct StatusDocument: Encodable {
    var taskId: String
    @NullEncoded var status: String?
    @NullEncoded var providerStatus: String?
    @NullEncoded var progress: String?
    @NullEncoded var videoURL: String?
    @NullEncoded var username: String?
    @NullEncoded var failReason: String?
    var httpStatus: Int
    @NullEncoded var response: JSONValue?

    init(taskId: String, response: ProviderResponse) {
        self.taskId = taskId
        status = response.normalisedStatus?.rawValue
        providerStatus = response.taskStatus
        progress = response.progress
        videoURL = response.videoURL
        username = response.character?.username
        failReason = response.failReason
        httpStatus = response.status
        self.response = response.json
    }

    enum CodingKeys: String, CodingKey {
        case status, progress, username, response
        case taskId = "task_id", providerStatus = "provider_status", videoURL = "video_url", httpStatus = "http_status"
        case failReason = "fail_reason"
    }
}
