import ArgumentParser
import CameoAPI
import CameoCatalog
import CameoText
import Foundation

struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a request like `request` does, then POST it to the provider and record the submission.",
        discussion: """
            The submission is recorded before sending and updated after, so a crash leaves a trace. Only a refused \
            connection, or 429/503 with Retry-After, is retried: any other failure may already have created a paid task.
            """)

    @OptionGroup var catalog: CatalogOptions
    @OptionGroup var options: RequestOptions

    @OptionGroup var provider: ProviderOptions
    @OptionGroup var output: JSONFlag

    func run() async throws {
        let catalog = try catalog.open()
        let built = try BuiltRequest.build(options, catalog: catalog)
        built.report()
        guard !built.hasErrors else { throw SilentFailure(status: .findings) }
        let client = try provider.config().client(timeout: provider.timeout)
        let body = try built.request.jsonData()

        var submission = try catalog.record(Submission(
            characterId: built.character?.id, endpoint: client.generationsURL.absoluteString,
            requestBody: String(decoding: body, as: UTF8.self), status: "sending"))
        let response: ProviderResponse
        do throws(APIError) {
            response = try await client.submit(body)
        } catch {
            submission.status = error.outcome
            submission.error = error.description
            try catalog.update(submission)
            throw error
        }
        submission.httpStatus = response.status
        submission.responseBody = response.body
        do throws(APIError) {
            submission.taskId = try ProviderClient.taskId(from: response)
            submission.status = "submitted"
        } catch {
            submission.status = "failed"
            submission.error = error.description
            submission.taskId = response.taskId
            try catalog.update(submission)
            if case .provider(.cameoPermissionDenied, _, let message) = error {
                try RevokedUsernames.mark(in: catalog, mentioned: built.mentionedUsernames, message: message)
            }
            throw error
        }
        try catalog.update(submission)
        try TaskAnswer.recordCharacter(in: response, for: submission, catalog: catalog, provider: client.baseURL.absoluteString)

        if output.json {
            try Output.json(SubmissionDocument(submission))
        } else {
            Output.line("submitted: task \(submission.taskId ?? "?") (submission #\(submission.id ?? 0)); `cameo status \(submission.taskId ?? "")` follows it")
        }
    }
}

extension APIError {
    /// What a failed attempt says about the task: surely not sent, or unknown.
    var outcome: String {
        switch self {
        case .unreachable: "not-sent"
        case .timedOut: "unknown"
        default: "failed"
        }
    }
}

/// Where the provider is, for the commands that talk to it.
struct ProviderOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The provider base URL (else CAMEO_BASE_URL or the config file).", valueName: "url"))
    var baseUrl: String?

    @Option(name: .customLong("timeout"), help: ArgumentHelp("Seconds to wait for the provider's answer.", valueName: "seconds"))
    var timeoutArgument: SecondsArgument?

    var timeout: Double? { timeoutArgument?.seconds }

    func validate() throws {
        try SecondsArgument.checkTimeout(timeoutArgument)
    }

    func config() throws -> ProviderConfig {
        try ProviderConfig.load(environment: ProcessInfo.processInfo.environment, baseURLFlag: baseUrl)
    }
}

/// After `cameo_permission_denied`, the username the provider refused is marked revoked.
enum RevokedUsernames {
    static func mark(in catalog: Catalog, mentioned: [String], message: String) throws {
        let named = mentioned.filter { Username.isNamed($0, in: message) }
        let revoked = named.isEmpty && mentioned.count == 1 ? mentioned : named
        guard !revoked.isEmpty else {
            if !mentioned.isEmpty {
                Output.warning("the answer does not say which of \(mentioned.map { "@" + $0 }.joined(separator: ", ")) was refused; none was marked revoked")
            }
            return
        }
        for username in revoked {
            if let alias = try catalog.revoke(username: username) {
                Output.warning("marked @\(username) revoked; \(alias) can be created again with `--character \(alias)`")
            }
        }
    }
}

/// A character identity in a provider's answer, recorded on the character the task created.
enum TaskAnswer {
    static func recordCharacter(in response: ProviderResponse, for submission: Submission, catalog: Catalog, provider: String) throws {
        guard let found = response.character, let characterId = submission.characterId,
              let alias = try catalog.character(id: characterId)?.alias
        else { return }
        let username: Username
        do {
            username = try Username(found.username)
        } catch {
            Output.warning("the answer names a username cameo cannot use (\(error)); it was not recorded")
            return
        }
        try catalog.resolve(alias, to: NewIdentity(username: username, platformCharacterId: found.id, displayName: found.displayName,
                                                    avatarURL: found.avatarURL, origin: .task, taskId: submission.taskId, provider: provider))
        Output.note("\(alias) is now @\(username.text) (from task \(submission.taskId ?? "?"))")
    }
}
