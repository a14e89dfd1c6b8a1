import Foundation

/// Probes many inputs at once (one per core), reporting each as it finishes.
public enum ProbeBatch {
    public typealias Outcome = Result<ClipInfo, MediaError>

    /// File name endings that a folder argument picks up.
    public static let videoExtensions: Set<String> = [
        "mp4", "m4v", "mov", "webm", "mkv", "ts", "m2ts", "mts", "avi", "3gp", "3g2", "flv", "mpg", "mpeg", "wmv", "ogv",
    ]

    /// Expands folders into the video files they hold (sorted, not recursive, hidden files skipped).
    public static func expand(_ inputs: [String]) -> [String] {
        inputs.flatMap { input -> [String] in
            var isFolder: ObjCBool = false
            guard !input.contains("://"), FileManager.default.fileExists(atPath: input, isDirectory: &isFolder),
                  isFolder.boolValue,
                  let names = try? FileManager.default.contentsOfDirectory(atPath: input)
            else { return [input] }
            let folder = input.hasSuffix("/") ? String(input.dropLast()) : input
            return names.filter { !$0.hasPrefix(".") && videoExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
                .sorted().map { folder + "/" + $0 }
        }
    }

    /// Results in input order. `progress` is called with the number done so far, from any thread.
    public static func run(_ inputs: [String], probe: ClipProbe, concurrency: Int = ProcessInfo.processInfo.activeProcessorCount,
                           progress: (@Sendable (Int) -> Void)? = nil) -> [Outcome] {
        let results = ResultBox(count: inputs.count)
        let workers = max(1, min(concurrency, inputs.count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var index = worker
            while index < inputs.count {
                let outcome: Outcome
                do throws(MediaError) {
                    outcome = .success(try probe.probe(inputs[index]))
                } catch {
                    outcome = .failure(error)
                }
                let done = results.store(outcome, at: index)
                progress?(done)
                index += workers
            }
        }
        return results.values
    }

    private final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var storage: [Outcome?]
        private var done = 0

        init(count: Int) {
            storage = Array(repeating: nil, count: count)
        }

        func store(_ outcome: Outcome, at index: Int) -> Int {
            lock.withLock {
                storage[index] = outcome
                done += 1
                return done
            }
        }

        var values: [Outcome] {
            lock.withLock { storage.compactMap { $0 } }
        }
    }
}
