import CameoCatalog
import CameoMedia
import CameoMediaFacts
import CameoText
import Foundation

/// What `add` and `edit` learn about a character's video before storing it:
/// the local clip's facts and hash, whether the source URL answers, and a
/// window that fits what the video shows.
struct MediaIntake {
    var clip: CameoCharacter.Clip?
    var clipInfo: ClipInfo?
    var sourceCheck: SourceCheck = .notProbed
    var sourceFacts: ProbeFacts?
    var sourceInfo: ClipInfo?
    var timeout: Double

    /// The video a window is measured against: the local clip, else the source URL when it answered.
    var windowSource: (location: String, info: ClipInfo, isLocal: Bool)? {
        if let clip, let clipInfo { return (clip.path, clipInfo, true) }
        if let sourceInfo { return (sourceInfo.path, sourceInfo, false) }
        return nil
    }

    /// Probes the clip (refusing anything that is not a playable video of 1 s or
    /// more) and, without a clip, the source URL (an unreachable one is kept, unverified).
    static func examine(clip path: String?, sourceURL: SourceURL?, probe: Bool, timeout: Double,
                        reportWarnings: Bool = true) throws -> MediaIntake {
        var intake = MediaIntake(timeout: timeout)
        guard probe else {
            if let path { intake.clip = .init(path: absolute(path), sha256: nil, duration: nil, probeJSON: nil) }
            return intake
        }
        let prober = ClipProbe(timeout: timeout)
        if let path {
            let info = try prober.probe(MediaLocation.file(path))
            guard info.duration >= 1 else { throw MediaError.tooShort(path, duration: info.duration) }
            if reportWarnings { report(info.warnings, for: path) }
            intake.clipInfo = info
            intake.clip = .init(path: absolute(path), sha256: try FileHash.sha256(ofFile: path),
                                duration: info.duration, probeJSON: try ProbeFacts(info).json)
        } else if let sourceURL {
            do {
                let info = try prober.probe(MediaLocation.url(sourceURL.text))
                guard info.duration >= 1 else { throw MediaError.tooShort(sourceURL.text, duration: info.duration) }
                if reportWarnings { report(info.warnings, for: sourceURL.text) }
                intake.sourceInfo = info
                intake.sourceCheck = .probed
                intake.sourceFacts = try ProbeFacts(info)
            } catch let error as MediaError where error.category == .remote {
                // The character is worth keeping: the CDN may be down for a moment.
                Output.warning("\(error); stored as unverified (check it later with `cameo probe \(sourceURL.text)`)")
                intake.sourceCheck = .unverified
            }
        }
        return intake
    }

    /// The window to store: the one asked for (checked against the video), or the best one found.
    func settleWindow(_ requested: CharacterWindow?, length: Double = 3, step: Double = 1) throws -> CharacterWindow {
        guard let requested else {
            guard let source = windowSource else {
                throw CommandFailure("--window is required when there is no video to look at (give --clip, or let the URL be probed)", status: .usage)
            }
            let best = try ClipAnalyzer(timeout: timeout).analyze(source.location).windows(maximumLength: length, step: step, top: 1)[0]
            let window = try CharacterWindow(startMilliseconds: best.startMilliseconds, endMilliseconds: best.endMilliseconds)
            Output.note("picked window \(window) (score \(String(format: "%.3f", best.score))) from \(source.location); `cameo windows` lists others")
            return window
        }
        guard let source = windowSource else { return requested }
        guard requested.end <= source.info.duration + 0.0005 else {
            throw MediaError.outsideClip(source.location, detail: "window \(requested) ends after the video, which plays for \(source.info.duration.secondsText) s")
        }
        // Decoding a remote video just to second-guess a window is not worth the download.
        if source.isLocal {
            let analysis = try ClipAnalyzer(timeout: timeout).analyze(source.location, around: requested.start...requested.end)
            for problem in analysis.problems(start: requested.start, end: requested.end) {
                Output.warning("window \(requested): \(problem); `cameo windows \(source.location)` suggests better ones")
            }
        }
        return requested
    }

    /// Looks for faces in the window of the video the window was measured against,
    /// warns when it finds one, and returns the result to store (nil when it could not look).
    func checkPerson(_ window: CharacterWindow) throws -> String? {
        guard let source = windowSource else { return nil }
        guard let result = try PersonScreen.check(source.location, window: window.start...window.end, timeout: timeout) else { return nil }
        PersonScreen.warn(result, window: window.description, location: source.location)
        return try result.json()
    }

    static func report(_ warnings: [ClipWarning], for location: String) {
        for warning in warnings { Output.warning("\(location) \(warning.message)") }
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
