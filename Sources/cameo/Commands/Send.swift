import ArgumentParser
import CameoAPI
import CameoCatalog
import CameoSubmissions
import CameoText
import Foundation

struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Check a request like `request` does, then POST it to the provider and record the submission.",
        discussion: """
            The submission is recorded before sending and updated after, so a crash leaves a trace. Only a connection \
            that failed before anything was written, or 429/503 with a short Retry-After, is retried: any other failure \
            may already have created a paid task, and is recorded as `unknown`. With --wait, follows the task to its end; \
            with --download PATH, saves the video there. Exit codes: 0 submitted (and finished, with --wait), 1 the request \
            has errors, 3 PATH exists, 4 the download is not a video, 6 the provider or network failed, 130 interrupted.

            EXAMPLES:
              cameo send '@duck 跳舞' --model sora-2
              cameo send '@duck runs' --wait --download duck.mp4
            """)

    @OptionGroup var catalog: CatalogOptions
    @OptionGroup var options: RequestOptions
    @OptionGroup var provider: ProviderOptions
    @OptionGroup var waiting: WaitOptions

    @Option(help: ArgumentHelp("Save the finished video here (needs --wait).", valueName: "path"), completion: Complete.clip)
    var download: String?

    @Flag(help: "Replace the --download file if it exists.")
    var force = false

    @OptionGroup var output: JSONFlag

    func validate() throws {
        if download != nil, !waiting.wait { throw ValidationError("--download needs --wait (or use `cameo status TASK_ID --download PATH` later)") }
    }

    func run() async throws {
        let catalog = try catalog.open()
        let (config, client) = try provider.client()
        let built = try BuiltRequest.build(options, catalog: catalog, profile: config.profile)
        built.report()
        guard !built.hasErrors else { throw SilentFailure(status: .findings) }
        if let download { try TaskVideo.checkTarget(download, force: force) }

        let submitter = Submitter(catalog: catalog, client: client, provider: config.profile.name, warn: Output.warning)
        let sent: Submitter.Sent
        do {
            sent = try submitter.send(try built.request.jsonData(), to: config.profile.generationsPath, kind: .generation,
                                      characterId: built.character?.id)
        } catch let error as APIError {
            if case .provider(.cameoPermissionDenied, _, let message) = error {
                try RevokedUsernames.mark(in: catalog, mentioned: built.mentionedUsernames, message: message)
            }
            throw error
        }
        let taskId = sent.submission.taskId ?? ""
        try TaskAnswer.recordCharacter(in: sent.response, for: sent.submission, catalog: catalog, provider: client.baseURL.absoluteString)
        Output.note("submitted: task \(shown(taskId)) (submission #\(sent.submission.id ?? 0))")
        if Interruption.happened {
            throw Interrupted(message: "interrupted; the task was submitted — follow it with `cameo status \(taskId) --wait`")
        }

        if waiting.wait {
            let final = try TaskWatch(catalog: catalog, client: client, wait: waiting, path: config.profile.statusPath, taskId: taskId,
                                      profile: config.profile.name).run()
            if let submission = try catalog.submission(taskId: taskId) {
                try TaskAnswer.recordCharacter(in: final, for: submission, catalog: catalog, provider: client.baseURL.absoluteString)
            }
            guard final.hasSucceeded else {
                throw CommandFailure("task \(shown(taskId)) ended \(final.normalisedStatus?.rawValue ?? shown(final.taskStatus ?? "unknown"))"
                                     + (final.failReason.map { ": " + shown($0) } ?? ""), status: .remoteFailure)
            }
            if let download {
                try TaskVideo.download(final, to: download, force: force, timeout: waiting.waitTimeout, taskId: taskId, catalog: catalog)
            }
        }
        let submission = try catalog.submission(id: sent.submission.id ?? 0)
        if output.json {
            try Output.json(SubmissionDocument(submission))
        } else {
            Output.line(taskId)
        }
    }
}

/// After `cameo_permission_denied`, the username the provider refused is marked revoked.
enum RevokedUsernames {
    static func mark(in catalog: any CatalogStore, mentioned: [String], message: String) throws {
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
    static func recordCharacter(in response: ProviderResponse, for submission: Submission, catalog: any CatalogStore, provider: String,
                                origin: Identity.Origin = .task) throws {
        guard let found = response.character, let characterId = submission.characterId,
              let alias = try catalog.character(id: characterId)?.alias
        else { return }
        let username: Username
        do {
            username = try Username(found.username)
        } catch {
            Output.warning("the answer names a username cameo cannot use (\(shown("\(error)"))); it was not recorded")
            return
        }
        try catalog.resolve(alias, to: NewIdentity(username: username, platformCharacterId: found.id, displayName: found.displayName,
                                                    avatarURL: found.avatarURL, permalink: found.permalink, origin: origin, taskId: submission.taskId, provider: provider))
        Output.note("\(alias) is now @\(username.text)" + (submission.taskId.map { " (from task \(shown($0)))" } ?? ""))
    }
}
