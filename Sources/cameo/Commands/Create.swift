import ArgumentParser
import CameoAPI
import CameoCatalog
import CameoSubmissions
import CameoText
import Foundation

struct Create: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a catalog character on the provider and record the username it gives.",
        discussion: """
            POSTs the character's source URL and window (or --from-task, a finished generation) to the profile's \
            characters route. A synchronous answer gives the username at once; an asynchronous one gives a task, which \
            --wait follows until the username appears. The identity is recorded for the profile with origin `created`. \
            A local clip's window is first checked for people (a warning). \
            Exit codes: 0 created (or submitted, without --wait), 1 the window does not suit the provider, \
            2 unknown alias, 6 the provider or network failed or refused, 130 interrupted.

            EXAMPLES:
              cameo create duck --wait
              cameo create duck --from-task task_123 --provider acme
            """)

    @OptionGroup var catalog: CatalogOptions

    @Argument(help: "The catalog character to create.", completion: Complete.alias)
    var alias: String

    @Option(help: ArgumentHelp("Create it from this finished generation task instead of the source URL.", valueName: "task-id"))
    var fromTask: String?

    @OptionGroup var provider: ProviderOptions
    @OptionGroup var waiting: WaitOptions
    @OptionGroup var output: JSONFlag

    func run() async throws {
        let catalog = try catalog.openExisting()
        let character = try catalog.character(named: alias)
        let (config, client) = try provider.client()
        try check(character, against: config.profile)
        if fromTask == nil { try screenForPeople(character) }

        var body: [String: String] = ["timestamps": character.window.description]
        if let fromTask { body["from_task"] = fromTask } else { body["url"] = character.sourceURL }
        let submitter = Submitter(catalog: catalog, client: client, provider: config.profile.name, warn: Output.warning)
        let sent = try submitter.send(try CanonicalJSON.encode(body), to: config.profile.charactersPath, kind: .character,
                                      characterId: character.id)

        var answer = sent.response
        if answer.character == nil {
            let taskId = sent.submission.taskId ?? ""
            Output.note("the provider is creating \(alias) as task \(shown(taskId))")
            if Interruption.happened || !waiting.wait {
                let hint = "follow it with `cameo status \(taskId) --wait`; the username is recorded when it appears"
                if Interruption.happened { throw Interrupted(message: "interrupted; the character task was submitted — " + hint) }
                Output.note(hint)
                try print(alias: alias, identity: nil, submission: sent.submission, catalog: catalog)
                return
            }
            answer = try TaskWatch(catalog: catalog, client: client, wait: waiting, path: config.profile.characterStatusPath, taskId: taskId,
                                   profile: config.profile.name, isDone: { $0.character != nil || ($0.normalisedStatus?.isFinal ?? false) }).run()
            guard answer.character != nil else {
                throw CommandFailure("the character task \(shown(taskId)) ended \(answer.normalisedStatus?.rawValue ?? "without a username")"
                                     + (answer.failReason.map { ": " + shown($0) } ?? ""), status: .remoteFailure)
            }
        }
        let submission = try catalog.submission(id: sent.submission.id ?? 0)
        try TaskAnswer.recordCharacter(in: answer, for: submission, catalog: catalog, provider: client.baseURL.absoluteString, origin: .created)
        let identity = try catalog.character(named: alias).activeIdentity
        try print(alias: alias, identity: identity, submission: submission, catalog: catalog)
    }

    /// What the provider would refuse, refused here before it costs a request.
    func check(_ character: CameoCharacter, against profile: ProviderProfile) throws {
        let length = character.window.end - character.window.start
        guard length >= profile.windowMin - 0.0005, length <= profile.windowMax + 0.0005 else {
            throw CommandFailure(
                "\(alias)'s window \(character.window) lasts \(Seconds.format(length)) s; provider \(profile.name) takes "
                    + "\(Seconds.format(profile.windowMin))-\(Seconds.format(profile.windowMax)) s (`cameo edit \(alias) --window …`)",
                status: .findings)
        }
        if fromTask == nil, !["http", "https"].contains(URLComponents(string: character.sourceURL)?.scheme?.lowercased() ?? "") {
            throw CommandFailure("\(alias)'s source \(shown(character.sourceURL)) is not an http(s) URL the provider can fetch", status: .findings)
        }
    }

    /// Providers refuse a character video that shows a person after the request
    /// is made: look in the local clip when it is at hand, else say what the
    /// stored check saw. A warning, as `add` gives: the user may know better.
    func screenForPeople(_ character: CameoCharacter) throws {
        let window = character.window
        if let path = character.clip?.path, FileManager.default.isReadableFile(atPath: path) {
            let result = try PersonScreen.check(path, window: window.start...window.end, timeout: provider.timeout ?? 60)
            PersonScreen.warn(result, window: window.description, location: path)
        } else if let stored = character.personCheckResult {
            PersonScreen.warn(stored, window: window.description, location: character.alias)
        }
    }

    func print(alias: String, identity: Identity?, submission: Submission, catalog: any CatalogStore) throws {
        if output.json {
            try Output.json(CreatedDocument(alias: alias, identity: identity, submission: submission))
        } else if let identity {
            Output.line("@" + shown(identity.username))
        } else {
            Output.line(shown(submission.taskId ?? ""))
        }
    }
}

struct CreatedDocument: Encodable {
    var alias: String
    @NullEncoded var username: String?
    @NullEncoded var platformCharacterId: String?
    @NullEncoded var displayName: String?
    @NullEncoded var permalink: String?
    @NullEncoded var avatarURL: String?
    @NullEncoded var avatarFetchedAt: Timestamp?
    @NullEncoded var taskId: String?
    var submission: SubmissionDocument

    init(alias: String, identity: Identity?, submission: Submission) {
        self.alias = alias
        username = identity?.username
        platformCharacterId = identity?.platformCharacterId
        displayName = identity?.displayName
        permalink = identity?.permalink
        avatarURL = identity?.avatarURL
        avatarFetchedAt = identity?.avatarFetchedAt
        taskId = submission.taskId
        self.submission = SubmissionDocument(submission)
    }

    enum CodingKeys: String, CodingKey {
        case alias, username, permalink, submission
        case platformCharacterId = "platform_character_id", displayName = "display_name", avatarURL = "avatar_url"
        case avatarFetchedAt = "avatar_fetched_at", taskId = "task_id"
    }
}
