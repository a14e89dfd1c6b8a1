import CFFmpeg
import Foundation

/// Finds a clip's cuts, black and frozen stretches: coarse first, decoding in
/// full only where something may hide and under the best windows (ClipSurvey),
/// or by decoding every frame (`exact`, and inputs that cannot seek).
public struct ClipAnalyzer: Sendable {
    public var timeout: Double

    public init(timeout: Double = 60) {
        self.timeout = timeout
    }

    /// With `around`, only that stretch (seconds, plus a second either side
    /// for context) is decoded: checking one window of a long clip costs a
    /// few seconds of video, not all of it. Findings then cover that stretch only.
    /// With `capturingStrip`, the small pictures of a preview's strip are kept
    /// on the way (`ClipAnalysis.strip`) from the frames decoded anyway.
    /// `ranking` names the windows that will be asked for: the fast path makes
    /// sure the best of them rests on decoded frames. With `capturingPersonFrames`,
    /// the person check's pictures are kept from the frames decoded in full
    /// (`PersonCheck.run(reusing:)`). `progress` hears how far it got.
    public func analyze(_ text: String, capturingStrip: Bool = false, capturingPersonFrames: Bool = false,
                        around: ClosedRange<Double>? = nil, exact: Bool = false, ranking: WindowQuery = WindowQuery(),
                        progress: ((AnalysisProgress) -> Void)? = nil) throws(MediaError) -> ClipAnalysis {
        let location = try MediaLocation(text)
        let input = try MediaInput(location, timeout: timeout)
        let info = try ClipProbe(timeout: timeout).probe(input)
        guard info.duration >= 1 else { throw .tooShort(location.description, duration: info.duration) }
        let capture = capturingStrip ? Preview.stripCapture(for: info) : nil
        input.renewDeadline()
        if !exact, around == nil, ClipSurvey.canSeek(input) {
            let people = capturingPersonFrames ? PersonFrames(info: info) : nil
            if var analysis = try survey(input, location: location, info: info, capture: capture, people: people, ranking: ranking,
                                         progress: progress) {
                analysis.personFrames = people
                return analysis
            }
        }
        // The windows are known only at the end here: the check's pictures are kept from the top,
        // within their budget (a fresh keeper: the fast path's kept only under its own windows).
        let people = capturingPersonFrames && around == nil ? PersonFrames(info: info) : nil
        var analysis = try decodeAll(input, location: location, info: info, capture: capture.map { _ in Preview.stripCapture(for: info) },
                                     around: around, people: people, progress: progress)
        analysis.personFrames = people
        return analysis
    }

    /// The fast path; nil when this clip gains nothing from it (every frame a
    /// keyframe, a single keyframe, or a GOP too long to trust), and the
    /// caller decodes every frame.
    private func survey(_ input: MediaInput, location: MediaLocation, info: ClipInfo, capture: FrameCapture?, people: PersonFrames?,
                        ranking: WindowQuery, progress: ((AnalysisProgress) -> Void)?) throws(MediaError) -> ClipAnalysis? {
        // Between keyframes too far apart, only decoding shows a cut: every frame is, from the top.
        // An MP4's index tells before anything is read.
        let statedFrameDuration = info.video.framesPerSecond.map { 1 / $0 }
        if ClipSurvey.indexShowsNoGain(input, duration: info.duration, frameDuration: statedFrameDuration) { return nil }
        let survey = ClipSurvey(input: input, duration: info.duration, capture: capture, people: people, progress: progress)
        try survey.read()
        guard !survey.gainsNothing else { return nil }
        // Without a stated rate, from the packets (every frame has one; keyframes are a GOP apart).
        let frameDuration = statedFrameDuration ?? Self.medianGap(survey.packets.map(\.time))
        func analysis() -> ClipAnalysis {
            let frames = survey.frames()
            // As on the exact path: windows only where there are frames (a header may claim more).
            let duration = min(info.duration, (frames.last?.time ?? 0) + frameDuration + 1)
            var result = Self.findings(frames, location: location, info: info, duration: duration, frameDuration: frameDuration,
                                       end: info.duration, capture: capture)
            result.decodedShare = survey.decodedShare
            return result
        }
        // The person check's pictures are kept only under the windows ranked best so far.
        // The window about to be confirmed too: once decoded, it often ranks among the best.
        func focus(_ analysis: ClipAnalysis, confirming: RankedWindow? = nil) {
            people?.focus(on: ((try? analysis.windows(maximumLength: ranking.maximumLength, step: max(ranking.step, frameDuration),
                                                      top: ranking.top)) ?? []) + (confirming.map { [$0] } ?? []))
        }
        // The stretches where something may hide are decoded before any ranking rests on
        // decoded frames: their pictures are all kept (within a budget), the best windows are
        // usually among them (a ranking on stand-ins alone missed them on the bench's clip).
        try survey.decode(survey.suspiciousStretches(), frameDuration: frameDuration)
        var current = analysis()
        // Until every finding, and the best windows, rest on decoded frames.
        for _ in 0..<24 {
            var needed = survey.toConfirm(current, frames: current.frames)
            var confirming: RankedWindow?
            // Steps finer than a frame rank the same windows (the command raises them to one).
            let step = max(ranking.step, frameDuration)
            if needed.isEmpty, let windows = try? current.windows(maximumLength: ranking.maximumLength, step: step, top: ranking.top) {
                // The best window always; the others while a fifth of the clip or less is decoded.
                if let rank = windows.firstIndex(where: survey.restsOnStandIns), rank == 0 || survey.decodedShare < 0.2 {
                    needed[survey.gop(at: windows[rank].start)] = windows[rank].end
                    confirming = windows[rank]
                }
            }
            if needed.isEmpty { break }
            focus(current, confirming: confirming)
            try survey.decode(needed, frameDuration: frameDuration)
            current = analysis()
        }
        focus(current)
        return current
    }

    /// The exact path: every frame the signals need, from the top (or the stretch `around`).
    private func decodeAll(_ input: MediaInput, location: MediaLocation, info: ClipInfo, capture: FrameCapture?,
                           around: ClosedRange<Double>?, people: PersonFrames?,
                           progress: ((AnalysisProgress) -> Void)?) throws(MediaError) -> ClipAnalysis {
        let decoder = try VideoDecoder(input, shortcuts: .analysis)
        // Probing (or the fast path) may have read packets; start again from the top.
        decoder.rewind()
        let sampler = FrameSampler()
        var frames: [FrameSignals] = []
        // What the header claims is only a hint: a few minutes' worth at most, the array grows with real frames.
        frames.reserveCapacity(min(Self.reservedFrames, Int(exactly: (info.duration * 32).rounded()) ?? 0))
        let stretch = around.map { max(0, $0.lowerBound - 1)...min(info.duration, $0.upperBound + 1) }
        if let stretch, stretch.lowerBound > 0 { decoder.seek(to: stretch.lowerBound) }
        let total = stretch.map { $0.upperBound - $0.lowerBound } ?? info.duration
        var lastReported = -1.0
        try decoder.decode { frame throws(MediaError) in
            guard let time = decoder.time(of: frame) else { return true }
            if let stretch, time < stretch.lowerBound { return true }
            if let stretch, time > stretch.upperBound { return false }
            if let progress, time - lastReported >= 0.5 {
                lastReported = time
                progress(AnalysisProgress(phase: "decoding", done: min(total, max(0, time - (stretch?.lowerBound ?? 0))), total: total))
            }
            guard let signals = sampler.measure(frame, time: time) else { return true }
            capture?.offer(frame, time: time)
            people?.offer(frame, time: time)
            frames.append(signals)
            return true
        }
        guard !frames.isEmpty else {
            throw .notAVideo(location.description, detail: decoder.rejectedPackets > 0 ? "no frame could be decoded" : "it holds no frames")
        }
        frames.sort { $0.time < $1.time }
        let frameDuration = info.video.framesPerSecond.map { 1 / $0 } ?? Self.medianGap(frames)
        // Where the decoded frames end: the clip's end, or the stretch's.
        let end = stretch.map { min(info.duration, ($0.upperBound)) } ?? info.duration
        // Windows are sought where frames were decoded, not across what the header claims.
        let duration = stretch == nil ? min(info.duration, (frames.last?.time ?? 0) + frameDuration + 1) : info.duration
        return Self.findings(frames, location: location, info: info, duration: duration, frameDuration: frameDuration, end: end, capture: capture)
    }

    static func findings(_ frames: [FrameSignals], location: MediaLocation, info: ClipInfo, duration: Double, frameDuration: Double,
                         end: Double, capture: FrameCapture?) -> ClipAnalysis {
        ClipAnalysis(
            location: location.description, info: info, duration: duration, frameDuration: frameDuration,
            cuts: cuts(frames, frameDuration: frameDuration),
            black: blackSpans(frames, frameDuration: frameDuration, duration: end),
            frozen: frozenSpans(frames, frameDuration: frameDuration, duration: end),
            frames: frames, strip: capture)
    }

    static let reservedFrames = 32 * 600

    static func medianGap(_ frames: [FrameSignals]) -> Double { medianGap(frames.map(\.time)) }

    /// The median gap between ascending times.
    static func medianGap(_ times: [Double]) -> Double {
        let gaps = zip(times, times.dropFirst()).map { $1 - $0 }.filter { $0 > 0 }.sorted()
        return gaps.isEmpty ? 1.0 / 30 : gaps[gaps.count / 2]
    }

    /// A frame is a cut when its change stands out against the change around
    /// it: the threshold follows the local level, so busy shots need a bigger
    /// jump than calm ones.
    static func cuts(_ frames: [FrameSignals], frameDuration: Double) -> [ClipAnalysis.Cut] {
        let scores = frames.map(\.cutScore)
        var cuts: [ClipAnalysis.Cut] = []
        let radius = 8
        for index in 1..<max(1, frames.count) {
            let score = scores[index]
            guard score >= 0.3, frames[index].continues, !frames[index].standIn else { continue }
            var neighbours: [Float] = []
            for other in max(1, index - radius)...min(frames.count - 1, index + radius) where other != index {
                neighbours.append(scores[other])
            }
            neighbours.sort()
            let local = neighbours.isEmpty ? 0 : neighbours[neighbours.count / 2]
            guard score >= 2.5 * local + 0.1 else { continue }
            // One cut per jump: the strongest frame of the neighbourhood.
            if index + 1 < frames.count, scores[index + 1] > score { continue }
            if scores[index - 1] >= score { continue }
            cuts.append(.init(time: frames[index].time, earliest: frames[index - 1].time + frameDuration))
        }
        return cuts
    }

    static func isBlank(_ frame: FrameSignals) -> Bool {
        !frame.standIn && (frame.spread < 5 || (frame.mean < 24 && frame.spread < 10))
    }

    /// Runs of black or flat frames. A span reaches out to the neighbouring
    /// frames known to be fine, since skipped frames between could be blank too.
    static func blackSpans(_ frames: [FrameSignals], frameDuration: Double, duration: Double) -> [ClipAnalysis.Span] {
        runs(of: frames.map(isBlank)).map { run in
            let start = run.lowerBound == 0 ? 0 : frames[run.lowerBound - 1].time + frameDuration
            let end = run.upperBound == frames.count ? duration : frames[run.upperBound].time
            return .init(start: start, end: min(end, duration))
        }
    }

    /// Runs of frames identical to the one before, lasting half a second or
    /// more (shorter repeats are frame-rate conversion, not a freeze).
    static func frozenSpans(_ frames: [FrameSignals], frameDuration: Double, duration: Double) -> [ClipAnalysis.Span] {
        let still = frames.enumerated().map { index, frame in
            index > 0 && frame.continues && !frame.standIn && frame.motion < 0.25 && frame.histogramChange < 0.01 && !isBlank(frame)
        }
        return runs(of: still).compactMap { run in
            let start = frames[run.lowerBound - 1].time + frameDuration
            let end = run.upperBound == frames.count ? duration : frames[run.upperBound].time
            guard end - frames[run.lowerBound - 1].time >= 0.5 else { return nil }
            return .init(start: start, end: min(end, duration))
        }
    }

    static func runs(of flags: [Bool]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start: Int?
        for (index, flag) in flags.enumerated() {
            if flag, start == nil { start = index }
            if !flag, let begun = start { result.append(begun..<index); start = nil }
        }
        if let begun = start { result.append(begun..<flags.count) }
        return result
    }
}

/// Keeps small pictures of the frames nearest to chosen times (no farther
/// than `within`), while a clip is decoded: the one nearest-frame selection of
/// the analysis's strip and the preview's window frames.
final class FrameCapture: @unchecked Sendable {
    public let times: [Double]
    let width: Int
    let height: Int
    let rotation: Int
    let within: Double
    private(set) var pictures: [RGBImage?]
    private var distances: [Double]

    init(times: [Double], width: Int, height: Int, rotation: Int, within: Double = .infinity) {
        self.times = times
        self.width = width
        self.height = height
        self.rotation = rotation
        self.within = within
        pictures = Array(repeating: nil, count: times.count)
        distances = Array(repeating: .infinity, count: times.count)
    }

    func offer(_ frame: UnsafeMutablePointer<AVFrame>, time: Double) {
        for (index, target) in times.enumerated() where abs(time - target) < min(distances[index], within) {
            guard let picture = RGBImage(frame: frame, width: width, height: height, rotation: rotation) else { continue }
            pictures[index] = picture
            distances[index] = abs(time - target)
        }
    }
}
