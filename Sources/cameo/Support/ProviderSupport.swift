import ArgumentParser
import CameoAPI
import CameoCatalog
import CameoSubmissions
import CameoText
import Foundation

/// Provider text on its way to a terminal: escaped, so control sequences in it are shown, not obeyed.
func shown(_ text: String) -> String {
    TerminalText.escape(text)
}

/// Following a task to its end, showing it, and recording each answer on its submission.
struct TaskWatch {
    var catalog: any CatalogStore
    var client: ProviderClient
    var wait: WaitOptions
    var path: String
    var taskId: String
    var profile: String
    /// When the answer carries what is awaited (a final status; for a character, a username).
    /// An answer with a video and no status word at all is finished too.
    var isDone: (ProviderResponse) -> Bool = { $0.normalisedStatus?.isFinal ?? $0.hasSucceeded }

    func run() throws -> ProviderResponse {
        let started = Date()
        let live = Output.stderrIsTerminal
        var lastLine = ""
        var warnedWords = Set<String>()
        let follower = Follower(client: client, path: path, interval: wait.interval, limit: wait.waitTimeout)
        let outcome = follower.follow(taskId, isDone: isDone, changed: { response in
            // A 429 or 503 says nothing about the task: the submission keeps the last real answer.
            if (200..<300).contains(response.status) { record(response) }
            let word = response.taskStatus ?? "(no status)"
            if response.taskStatus != nil, response.normalisedStatus == nil, warnedWords.insert(word).inserted {
                Output.warning("the provider's status \"\(shown(word))\" is not one cameo knows; still waiting")
            }
            var line = "task \(shown(taskId)): \(response.normalisedStatus?.rawValue ?? shown(word))"
            if let progress = response.progress { line += " \(shown(progress))" }
            if !(200..<300).contains(response.status) { line += " (HTTP \(response.status))" }
            if live {
                Output.redrawLine(line + "  " + CameoText.Seconds.format(Date().timeIntervalSince(started).rounded()) + " s")
            } else if line != lastLine {
                Output.error(line)
            }
            lastLine = line
        }, failed: { error in
            Output.warning("status request failed (\(shown(error.description))); trying again")
        })
        if live { Output.write("\n", to: .standardError) }
        switch outcome {
        case .done(let response):
            try response.requireSuccess()
            return response
        case .gaveUp:
            throw CommandFailure(
                "task \(shown(taskId)) was not finished after \(CameoText.Seconds.format(wait.waitTimeout)) s; resume with `cameo status \(taskId) --wait`",
                status: .remoteFailure)
        case .interrupted:
            throw Interrupted(message: "stopped waiting; the task goes on at the provider — resume with `cameo status \(taskId) --wait`")
        }
    }

    func record(_ response: ProviderResponse) {
        do {
            guard var submission = try catalog.submission(taskId: taskId) else { return }
            Submitter.apply(response, to: &submission)
            try catalog.update(submission)
        } catch {
            Output.warning("the task's status could not be recorded: \(error)")
        }
    }
}

/// Ctrl-C or SIGTERM: what was known is recorded; exit 130.
struct Interrupted: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Downloads a finished task's video, records where it went.
enum TaskVideo {
    /// Refuses a PATH that cannot be written before anything is sent.
    static func checkTarget(_ path: String, force: Bool) throws {
        do {
            try VideoDownload(url: "", path: path, force: force, timeout: 1).checkTarget()
        } catch {
            throw failure(error)
        }
    }

    /// One exit code per kind of download failure, for checking the target and for downloading.
    static func failure(_ error: VideoDownload.Failure) -> CommandFailure {
        let status: ExitStatus = switch error {
        case .exists: .conflict
        case .folder: .notFound
        case .notAVideo: .invalidData
        default: .remoteFailure
        }
        return CommandFailure(shown(error.description), status: status)
    }

    static func download(_ response: ProviderResponse, to path: String, force: Bool, timeout: Double, taskId: String, catalog: any CatalogStore) throws {
        guard response.hasSucceeded else {
            throw CommandFailure("task \(shown(taskId)) is \(shown(response.taskStatus ?? "not finished")); there is no video to download yet",
                                 status: .remoteFailure)
        }
        guard let url = response.videoURL else {
            throw CommandFailure("task \(shown(taskId)) finished but its answer names no video URL; see `cameo status \(taskId) --json`", status: .remoteFailure)
        }
        let download = VideoDownload(url: url, path: path, force: force, timeout: timeout)
        let bytes: Int64
        do {
            bytes = try download.run()
        } catch {
            if error.isInterrupted { throw Interrupted(message: error.description) }
            throw failure(error)
        }
        if var submission = try catalog.submission(taskId: taskId) {
            submission.downloadPath = URL(fileURLWithPath: path).standardizedFileURL.path
            try catalog.update(submission)
        }
        Output.note("saved \(shown(path)) (\(bytes) bytes)")
    }
}
