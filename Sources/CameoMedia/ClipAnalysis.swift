import CameoText
import Foundation

/// What a clip shows over time: its shot cuts, black and frozen stretches,
/// and the measures that rank candidate character windows.
public struct ClipAnalysis: Sendable {
    public var location: String
    public var info: ClipInfo
    /// Seconds from the first frame a player shows to the end.
    public var duration: Double
    public var frameDuration: Double
    public var cuts: [Cut]
    public var black: [Span]
    public var frozen: [Span]
    var frames: [FrameSignals]
    /// The preview strip's pictures, when asked for.
    var strip: FrameCapture?
    /// The person check's pictures from the frames decoded here, when asked for.
    var personFrames: PersonFrames?
    /// Share of the clip's packets decoded in full (1 on the exact path).
    var decodedShare: Double = 1

    /// The first frame of a new shot. With frames skipped in decoding, the cut
    /// lies after `earliest` and at or before `time`.
    public struct Cut: Sendable, Equatable {
        public var time: Double
        public var earliest: Double
    }

    public struct Span: Sendable, Equatable {
        public var start: Double
        public var end: Double
        public var length: Double { end - start }
    }
}

/// A window the API will take, with how good it looks.
public struct RankedWindow: Sendable, Equatable {
    public var startMilliseconds: Int
    public var endMilliseconds: Int
    /// 0-1: sharpness and steadiness of the frames inside.
    public var score: Double
    public var sharpness: Double
    public var steadiness: Double

    public var start: Double { Double(startMilliseconds) / 1000 }
    public var end: Double { Double(endMilliseconds) / 1000 }
    public var length: Double { end - start }
}

/// Why a given window is a poor choice.
public enum WindowProblem: Sendable, Equatable, CustomStringConvertible {
    case outsideClip(duration: Double)
    case crossesCut(at: Double)
    case overlapsBlack(ClipAnalysis.Span)
    case overlapsFrozen(ClipAnalysis.Span)

    public var description: String {
        switch self {
        case .outsideClip(let duration):
            "it ends after the clip, which plays for \(Seconds.format(duration)) s"
        case .crossesCut(let time):
            "it crosses a shot cut at \(Seconds.format(time)) s"
        case .overlapsBlack(let span):
            "it overlaps black or blank frames at \(Seconds.format(span.start))-\(Seconds.format(span.end)) s"
        case .overlapsFrozen(let span):
            "it overlaps frozen frames at \(Seconds.format(span.start))-\(Seconds.format(span.end)) s"
        }
    }
}

extension ClipAnalysis {
    /// The problems of the window `start`-`end` (seconds), none when it is a good one.
    public func problems(start: Double, end: Double) -> [WindowProblem] {
        var problems: [WindowProblem] = []
        if end > duration + 0.0005 { problems.append(.outsideClip(duration: duration)) }
        for cut in cuts where cut.time > start + 0.0005 && cut.earliest < end - 0.0005 {
            problems.append(.crossesCut(at: cut.time))
        }
        for span in black where span.start < end - 0.0005 && span.end > start + 0.0005 {
            problems.append(.overlapsBlack(span))
        }
        for span in frozen where span.start < end - 0.0005 && span.end > start + 0.0005 {
            problems.append(.overlapsFrozen(span))
        }
        return problems
    }

    /// Valid windows, longest first (up to `maximumLength`), best first within a length.
    /// Boundaries fall on multiples of `step` seconds.
    public func windows(maximumLength: Double = 3, step: Double = 1, top: Int = 5) throws(MediaError) -> [RankedWindow] {
        guard duration >= 1 else { throw .tooShort(location, duration: duration) }
        let stepMs = max(1, Int((step * 1000).rounded()))
        let longestMs = min(3000, Int((maximumLength * 1000).rounded()))
        let durationMs = Int((duration * 1000).rounded(.down))
        let scorer = WindowScorer(frames: frames)
        var found: [RankedWindow] = []
        var lengthMs = longestMs - longestMs % stepMs
        if lengthMs < 1000 { lengthMs = longestMs }
        while lengthMs >= 1000 {
            var startMs = 0
            while startMs + lengthMs <= durationMs {
                let start = Double(startMs) / 1000, end = Double(startMs + lengthMs) / 1000
                if problems(start: start, end: end).isEmpty, let measured = scorer.score(start: start, end: end) {
                    found.append(RankedWindow(startMilliseconds: startMs, endMilliseconds: startMs + lengthMs,
                                              score: measured.score, sharpness: measured.sharpness, steadiness: measured.steadiness))
                }
                startMs += stepMs
            }
            lengthMs -= stepMs
        }
        // A clip shorter than the longest window: the whole clip is a window too (a 1.5 s clip gets 0,1.5).
        if durationMs >= 1000, durationMs < longestMs, !found.contains(where: { $0.startMilliseconds == 0 && $0.endMilliseconds == durationMs }) {
            let end = Double(durationMs) / 1000
            if problems(start: 0, end: end).isEmpty, let measured = scorer.score(start: 0, end: end) {
                found.append(RankedWindow(startMilliseconds: 0, endMilliseconds: durationMs,
                                          score: measured.score, sharpness: measured.sharpness, steadiness: measured.steadiness))
            }
        }
        guard !found.isEmpty else { throw .noValidWindow(location, reason: whyNoWindow(stepMs: stepMs)) }
        found.sort {
            ($0.length, $0.score, -$0.start) > ($1.length, $1.score, -$1.start)
        }
        return Array(found.prefix(max(1, top)))
    }

    private func whyNoWindow(stepMs: Int) -> String {
        let blackTotal = black.reduce(0) { $0 + $1.length }
        if blackTotal >= duration - frameDuration {
            return "every frame is black or blank"
        }
        var boundaries = [0.0] + cuts.map(\.time) + [duration]
        boundaries.sort()
        let longestShot = zip(boundaries, boundaries.dropFirst()).map { $1 - $0 }.max() ?? 0
        if longestShot < 1 {
            return "shot cuts are less than 1 s apart everywhere (\(cuts.count) cuts in \(Seconds.format(duration)) s)"
        }
        // Clean stretches: shots with black and frozen spans taken out.
        var longestClean = 0.0
        for (start, end) in zip(boundaries, boundaries.dropFirst()) {
            var pieces = [(start, end)]
            for span in black + frozen {
                pieces = pieces.flatMap { piece -> [(Double, Double)] in
                    guard span.start < piece.1, span.end > piece.0 else { return [piece] }
                    return [(piece.0, span.start), (span.end, piece.1)].filter { $0.1 > $0.0 }
                }
            }
            longestClean = max(longestClean, pieces.map { $1 - $0 }.max() ?? 0)
        }
        if longestClean < 1 {
            return "black, blank or frozen frames leave no clean 1 s stretch between cuts"
        }
        return "no window on multiples of \(Seconds.format(Double(stepMs) / 1000)) s fits between the cuts; try --step 0.1"
    }
}

/// Sharpness and steadiness of the frames inside a window.
struct WindowScorer {
    static let estimatePenalty = 0.02
    let frames: [FrameSignals]
    let sharpnessScale: Float

    init(frames: [FrameSignals]) {
        self.frames = frames
        // Relative to this clip's own sharpest frames, on a log scale: fine
        // texture (grass, fur) must not make every other shot look blurred.
        let sorted = frames.filter { $0.spread >= 5 }.map(\.sharpness).sorted()
        let reference = sorted.isEmpty ? 1 : sorted[min(sorted.count - 1, sorted.count * 95 / 100)]
        sharpnessScale = log1p(max(reference, 1))
    }

    func score(start: Double, end: Double) -> (score: Double, sharpness: Double, steadiness: Double)? {
        var lower = 0, upper = frames.count
        while lower < upper {
            let middle = (lower + upper) / 2
            if frames[middle].time < start - 0.0005 { lower = middle + 1 } else { upper = middle }
        }
        var sharpness: Float = 0, motion: Float = 0, count = 0
        var index = lower
        var motionCount = 0, standIns = 0
        while index < frames.count, frames[index].time < end - 0.0005 {
            sharpness += min(1, log1p(frames[index].sharpness) / sharpnessScale)
            // The first frame's motion is its change from before the window (a cut, say): not the window's.
            if index > lower {
                motion += frames[index].motion
                motionCount += 1
            }
            if frames[index].standIn { standIns += 1 }
            count += 1
            index += 1
        }
        guard count > 0 else { return nil }
        // Estimated frames (the fast path's stand-ins) count for a little less than
        // decoded ones: a window must be clearly better to be preferred on estimates.
        let estimated = standIns > 0 ? WindowScorer.estimatePenalty : 0
        let meanSharpness = Double(sharpness) / Double(count)
        let steadiness = 1 / (1 + Double(motion) / Double(max(1, motionCount)) / 8)
        let score = 0.6 * meanSharpness + 0.4 * steadiness - estimated
        return ((score * 1000).rounded() / 1000, (meanSharpness * 1000).rounded() / 1000, (steadiness * 1000).rounded() / 1000)
    }
}
