import ArgumentParser
import CameoMedia
import Foundation

struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Tell what clips are: duration, size, rotation, streams, and what providers may refuse.",
        discussion: """
            A folder probes the video files in it (with --recursive, in its subfolders too); other files are \
            skipped and counted (-v names them). An input given twice is probed once. When an input could not be \
            probed, the exit code is that of the first such input, as every command uses them: 2 no such file, \
            4 not a playable video, 6 a URL that failed.

            EXAMPLES:
              cameo probe clip.mp4
              cameo probe clips/ --recursive -v
              cameo probe https://cdn.example.com/duck.mp4 --json
            """)

    @Argument(help: "Clip files, folders of clips, or http(s) URLs.", completion: Complete.file)
    var inputs: [String]

    @Option(help: ArgumentHelp("Seconds to wait for one input before giving up.", valueName: "seconds"))
    var timeout = SecondsArgument(milliseconds: 20_000)

    @Flag(name: .shortAndLong, help: "Look into the subfolders of a folder too.")
    var recursive = false

    @Flag(name: .shortAndLong, help: "Name each file a folder held that was skipped.")
    var verbose = false

    @OptionGroup var output: JSONFlag

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give at least one clip, folder or URL") }
        try SecondsArgument.checkTimeout(timeout)
    }

    func run() throws {
        let (paths, skipped) = ProbeInputs.expand(inputs, recursive: recursive)
        let progress = paths.count > 1 && Output.stderrIsTerminal ? ProgressBar(total: paths.count, label: "probing") : nil
        let outcomes = ProbeBatch.run(paths, probe: ClipProbe(timeout: timeout.seconds)) { done in progress?.update(done) }
        progress?.finish()
        if output.json {
            try Output.json(zip(paths, outcomes).map { ProbeDocument(path: $0, outcome: $1) })
        } else {
            Output.line(ProbeText.table(zip(paths, outcomes).map { ($0, $1) }))
            for case .success(let info) in outcomes where !info.warnings.isEmpty {
                for warning in info.warnings { Output.warning("\(info.path) \(warning.message)") }
            }
        }
        if !skipped.isEmpty {
            if verbose {
                for path in skipped { Output.note("skipped \(path): not a video file name") }
            }
            Output.note("skipped \(skipped.count) file(s) that are not videos" + (verbose ? "" : " (-v names them)"))
        }
        for case .failure(let error) in outcomes {
            throw SilentFailure(status: Failure.status(for: error.category))
        }
    }
}

/// The files `probe` looks at: inputs as given, folders expanded into the
/// video files they hold, each file once.
enum ProbeInputs {
    static func expand(_ inputs: [String], recursive: Bool) -> (paths: [String], skipped: [String]) {
        var paths: [String] = [], skipped: [String] = []
        var seen = Set<String>()
        func take(_ path: String) {
            let key = path.contains("://") ? path : URL(fileURLWithPath: path).standardizedFileURL.path
            if seen.insert(key).inserted { paths.append(path) }
        }
        for input in inputs {
            var isFolder: ObjCBool = false
            guard !input.contains("://"), FileManager.default.fileExists(atPath: input, isDirectory: &isFolder), isFolder.boolValue else {
                take(input)
                continue
            }
            let folder = input.hasSuffix("/") && input.count > 1 ? String(input.dropLast()) : input
            var found: [String] = []
            if recursive, let walker = FileManager.default.enumerator(atPath: folder) {
                while let name = walker.nextObject() as? String {
                    let last = (name as NSString).lastPathComponent
                    if last.hasPrefix(".") {
                        walker.skipDescendants()
                        continue
                    }
                    found.append(name)
                }
            } else {
                found = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }
            }
            for name in found.sorted() {
                let path = folder + "/" + name
                var isSubfolder: ObjCBool = false
                FileManager.default.fileExists(atPath: path, isDirectory: &isSubfolder)
                if isSubfolder.boolValue {
                    if !recursive { skipped.append(path + "/ (a folder: --recursive looks inside)") }
                } else if ProbeBatch.videoExtensions.contains((name as NSString).pathExtension.lowercased()) {
                    take(path)
                } else {
                    skipped.append(path)
                }
            }
        }
        return (paths, skipped)
    }
}
