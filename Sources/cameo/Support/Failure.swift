import ArgumentParser
import CameoAPI
import CameoCatalog
import CameoMedia
import Foundation

/// The exit codes cameo documents in README.md. Each failure a user can cause
/// maps to exactly one of them.
enum ExitStatus: Int32 {
    case success = 0
    /// The check ran and found problems: error diagnostics, inputs that failed to probe, no valid window.
    case findings = 1
    case notFound = 2
    case conflict = 3
    /// A file's contents are unusable: an import file, a clip that is not a playable video, a request file.
    case invalidData = 4
    case catalogUnusable = 5
    /// The provider or the network failed, or answered with an error.
    case remoteFailure = 6
    /// Bad arguments or option values (ArgumentParser's own code for usage errors).
    case usage = 64
    /// Ctrl-C or SIGTERM: what was known was recorded first.
    case interrupted = 130
}

/// A failure the command line reports itself: one line on stderr, one exit code.
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    var status: ExitStatus
    var description: String { message }

    init(_ message: String, status: ExitStatus) {
        self.message = message
        self.status = status
    }
}

/// The command already printed what went wrong (diagnostics, a table of failed
/// inputs); only the exit code is left to set.
struct SilentFailure: Error {
    var status: ExitStatus
}

enum Failure {
    static func status(for error: any Error) -> ExitStatus? {
        switch error {
        case let error as CommandFailure: error.status
        case let error as SilentFailure: error.status
        case is Interrupted: .interrupted
        case let error as CatalogError: status(for: error.category)
        case let error as MediaError: status(for: error.category)
        case let error as APIError:
            switch error.category {
            case .usage: .usage
            case .invalidData: .invalidData
            case .remote: .remoteFailure
            case .interrupted: .interrupted
            }
        default: nil
        }
    }

    static func status(for category: MediaError.Category) -> ExitStatus {
        switch category {
        case .notFound: .notFound
        case .invalidData: .invalidData
        case .invalidValue: .usage
        case .remote: .remoteFailure
        case .findings: .findings
        }
    }

    static func status(for category: CatalogError.Category) -> ExitStatus {
        switch category {
        case .invalidValue: .usage
        case .notFound: .notFound
        case .conflict: .conflict
        case .invalidData: .invalidData
        case .catalogUnusable: .catalogUnusable
        }
    }
}
