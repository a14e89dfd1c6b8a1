import ArgumentParser
import CameoCatalog
import CameoText
import Foundation

struct History: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List submissions sent to the provider, newest first.",
        discussion: """
            STATE is what cameo knows about the request: submitted, failed (the provider refused it), not-sent (nothing \
            left this machine), unknown (it left and no answer came back: a task may exist). A submission a killed process \
            left at `sending` shows as unknown. TASK is the provider's status, normalised.

            EXAMPLES:
              cameo history --limit 10
              cameo history --state unknown
              cameo history --json
            """)

    @OptionGroup var catalog: CatalogOptions

    @Option(help: "Show at most this many.")
    var limit: CountArgument?

    @Option(help: ArgumentHelp("Only submissions in this state: submitted, failed, not-sent, unknown.", valueName: "state"), completion: Complete.state)
    var state: String?

    @OptionGroup var output: JSONFlag

    func validate() throws {
        try CountArgument.check(limit, "--limit", in: 1...1_000_000)
        if let state, SubmissionState(rawValue: state) == nil || state == "sending" {
            throw ValidationError("--state must be one of submitted, failed, not-sent, unknown")
        }
    }

    func run() throws {
        let submissions = try catalog.openForReading().submissions(limit: limit?.value, state: state.flatMap(SubmissionState.init(rawValue:)))
        if output.json {
            try Output.json(submissions.map(SubmissionDocument.init))
            return
        }
        guard !submissions.isEmpty else {
            Output.error(state == nil ? "no submissions yet; `cameo send` records each one here" : "no submissions in state \(state ?? "")")
            return
        }
        var table = TextTable("#", "WHEN", "KIND", "MODEL", "STATE", "TASK", "TASK ID", "PROMPT", "REASON")
        for submission in submissions {
            let document = SubmissionDocument(submission)
            table.add("\(submission.id ?? 0)", CharacterText.minute(submission.createdAt), submission.kind.rawValue,
                      shown(document.model ?? "-"), document.state, shown(submission.taskStatus ?? submission.providerStatus ?? "-"),
                      shown(submission.taskId ?? "-"), shown(Self.start(of: document.prompt ?? "")), shown(Self.reason(submission)))
        }
        Output.line(table.render())
    }

    static func start(of prompt: String) -> String {
        let flat = prompt.replacingOccurrences(of: "\n", with: " ")
        return flat.count > 24 ? String(flat.prefix(23)) + "…" : (flat.isEmpty ? "-" : flat)
    }

    /// The first clause of the error, enough to tell cases apart in a table.
    static func reason(_ submission: Submission) -> String {
        guard let error = submission.error, !error.isEmpty else { return submission.state == .sending ? "no outcome recorded" : "" }
        let first = error.split(separator: ";", maxSplits: 1).first.map(String.init) ?? error
        return first.count > 60 ? String(first.prefix(59)) + "…" : first
    }
}

/// A submission as `history --json` prints it: the bodies as JSON when they are JSON.
struct SubmissionDocument: Encodable {
    @NullEncoded var id: Int64?
    var kind: String
    var endpoint: String
    @NullEncoded var provider: String?
    /// `sending` left by a process that ended reads as unknown.
    var state: String
    @NullEncoded var taskStatus: String?
    @NullEncoded var providerStatus: String?
    @NullEncoded var httpStatus: Int?
    @NullEncoded var taskId: String?
    @NullEncoded var error: String?
    @NullEncoded var model: String?
    @NullEncoded var prompt: String?
    @NullEncoded var downloadPath: String?
    var request: JSONValue
    @NullEncoded var response: JSONValue?
    var createdAt: Timestamp
    var updatedAt: Timestamp

    init(_ submission: Submission) {
        id = submission.id
        kind = submission.kind.rawValue
        endpoint = submission.endpoint
        provider = submission.provider
        state = submission.state == .sending ? SubmissionState.unknown.rawValue : submission.state.rawValue
        taskStatus = submission.taskStatus
        providerStatus = submission.providerStatus
        httpStatus = submission.httpStatus
        taskId = submission.taskId
        error = submission.error ?? (submission.state == .sending ? "no outcome was recorded: the sending process ended first" : nil)
        request = (try? JSONValue(parsing: submission.requestBody)) ?? .string(submission.requestBody)
        model = request["model"]?.stringValue
        prompt = request["prompt"]?.stringValue ?? request["url"]?.stringValue ?? request["from_task"]?.stringValue
        downloadPath = submission.downloadPath
        response = submission.responseBody.map { (try? JSONValue(parsing: $0)) ?? .string($0) }
        createdAt = submission.createdAt
        updatedAt = submission.updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, endpoint, provider, state, error, model, prompt, request, response
        case taskStatus = "task_status", providerStatus = "provider_status", httpStatus = "http_status", taskId = "task_id"
        case downloadPath = "download_path", createdAt = "created_at", updatedAt = "updated_at"
    }
}
