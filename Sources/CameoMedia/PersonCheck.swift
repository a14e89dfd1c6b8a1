import CFFmpeg
import CameoMediaFacts
import Foundation

/// Looks for human faces in a clip's windows. Only the windows are read, and
/// only as densely as a face shown for a third of a second needs: frames the
/// analysis decoded anyway first, then the frames cheapest to decode.
public enum PersonCheck {
    /// The shortest time a face is shown that the check always catches.
    public static let shortestFace = 1.0 / 3

    /// The person check of one window (a character being registered or created).
    public static func run(clip: String, window: ClosedRange<Double>, timeout: Double = 60) throws(MediaError) -> PersonCheckResult {
        try run(clip: clip, windows: [window], timeout: timeout)[0]
    }

    /// One result per window, in order; overlapping windows share their frames.
    /// With `analysis` (made with `capturingPersonFrames`), the frames it decoded
    /// anyway are looked at as they are, and the clip is read only for the rest.
    public static func run(clip: String, windows: [ClosedRange<Double>], timeout: Double = 60,
                           reusing analysis: ClipAnalysis? = nil) throws(MediaError) -> [PersonCheckResult] {
        guard !windows.isEmpty else { return [] }
        let kept = analysis?.personFrames
        let info: ClipInfo
        var opened: MediaInput?
        if let kept {
            info = kept.info
        } else {
            let input = try MediaInput(try MediaLocation(clip), timeout: timeout)
            info = try ClipProbe(timeout: timeout).probe(input)
            input.renewDeadline()
            opened = input
        }
        let rule = SampleRule(framesPerSecond: info.video.framesPerSecond)
        let lastFrame = max(0, info.duration - rule.frameDuration)
        let spans = rule.spans(windows, lastFrame: lastFrame)
        let pictures = kept?.pictures ?? []
        let plan = rule.plan(spans, kept: pictures.map(\.time))
        let size = detectionSize(width: info.video.displayWidth, height: info.video.displayHeight)

        // Faces are looked for on a thread of their own while the rest is decoded (the analysis
        // may have started on its pictures already). Above 1080p-and-a-bit, first every picture,
        // then the faces: the decoder (hundreds of MB at 4K) is gone before OpenCV loads.
        let faces = kept?.faces ?? FaceQueue()
        defer { if kept == nil { faces.close() } }
        var wanted = Set(plan.kept.map(SampleRule.key))
        faces.forget { !wanted.contains($0) }
        for picture in pictures where wanted.contains(SampleRule.key(picture.time)) {
            faces.add(time: picture.time, picture.image)
        }
        if info.video.width * info.video.height <= alongsidePixels { faces.start() }
        if !plan.holes.isEmpty {
            let input: MediaInput
            if let opened { input = opened } else { input = try MediaInput(try MediaLocation(clip), timeout: timeout) }
            try HoleFiller(input: input, info: info, size: size, rule: rule).fill(plan.holes) { time, image in
                wanted.insert(SampleRule.key(time))
                faces.add(time: time, image)
            }
        }
        opened = nil
        let found = try faces.results(for: wanted)

        let scaleX = Double(info.video.displayWidth) / Double(size.width)
        let scaleY = Double(info.video.displayHeight) / Double(size.height)
        let samples = found.keys.sorted()
        return windows.map { window in
            let span = rule.span(window, lastFrame: lastFrame)
            var frames: [Double] = [], sightings: [FaceSighting] = []
            for key in samples {
                guard let sample = found[key], span.contains(sample.time, tolerance: rule.tolerance) else { continue }
                let time = rounded(sample.time)
                guard frames.last != time else { continue }
                frames.append(time)
                sightings += sample.faces.map { face in
                    FaceSighting(time: time, box: [Int((Double(face.x) * scaleX).rounded()), Int((Double(face.y) * scaleY).rounded()),
                                                   Int((Double(face.width) * scaleX).rounded()), Int((Double(face.height) * scaleY).rounded())],
                                 score: (Double(face.score) * 1000).rounded() / 1000)
                }
            }
            return PersonCheckResult(detector: FaceDetector.name, version: FaceDetector.version, frames: frames, faces: sightings)
        }
    }

    /// The detector's picture: the frame as shown, its longer side `FaceDetector.detectionSide`, both sides multiples of 32.
    static func detectionSize(width: Int, height: Int) -> (width: Int, height: Int) {
        let longest = Double(max(1, max(width, height)))
        let scale = Double(FaceDetector.detectionSide) / longest
        func side(_ value: Int) -> Int { max(32, Int((Double(value) * scale / 32).rounded()) * 32) }
        return (side(width), side(height))
    }

    static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

    /// Frames up to this size are decoded with frame threads (`VideoDecoder.threading`), whose
    /// memory and OpenCV's fit together; larger ones are decoded before the detector loads.
    static let alongsidePixels = 2_500_000
}

/// Which frames catch every face shown for a third of a second, in frames: such a
/// face is on `run` consecutive frames, so no `run` consecutive frames of a window
/// may go unlooked-at. The samples of a window: the first within `reach` of its
/// first frame, each within `longestGap` of the one before, the last within
/// `reach` of its last frame. Any frames will do, so the cheap ones are chosen.
struct SampleRule: Sendable {
    let frameDuration: Double
    /// Frames a face shown for a third of a second is on, at least.
    let run: Int

    init(framesPerSecond: Double?) {
        // An unknown or implausible rate counts as 30 fps: a gap of a third of a second.
        let rate = framesPerSecond.flatMap { (1...1000).contains($0) ? $0 : nil } ?? 30
        frameDuration = 1 / rate
        run = max(1, Int((PersonCheck.shortestFace * rate - 1e-6).rounded(.up)))
    }

    /// Samples this far apart leave no `run` frames between them.
    var longestGap: Double { Double(run) * frameDuration }
    /// The first sample may come this long after a window's first frame (and the last this long before its last).
    var reach: Double { Double(run - 1) * frameDuration }
    /// Timestamps are rounded to the container's time base: a quarter frame absorbs that, never a whole frame.
    var tolerance: Double { frameDuration / 4 }

    /// A window as the frames in it: from its start to its last frame (before its end, and not past the clip's last frame).
    struct Span: Equatable {
        var start: Double
        var end: Double

        func contains(_ time: Double, tolerance: Double) -> Bool {
            time >= start - tolerance && time <= end + tolerance
        }
    }

    func span(_ window: ClosedRange<Double>, lastFrame: Double) -> Span {
        let end = min(window.upperBound - frameDuration / 2, lastFrame)
        // A window past the clip's last frame is that frame.
        return Span(start: min(window.lowerBound, max(0, end)), end: max(min(window.lowerBound, max(0, end)), end))
    }

    /// Windows merged where they overlap: samples meeting the rule on the union meet it on each window.
    func spans(_ windows: [ClosedRange<Double>], lastFrame: Double) -> [Span] {
        var merged: [Span] = []
        for span in windows.map({ span($0, lastFrame: lastFrame) }).sorted(by: { $0.start < $1.start }) {
            if let last = merged.last, span.start <= last.end + tolerance {
                merged[merged.count - 1].end = max(last.end, span.end)
            } else {
                merged.append(span)
            }
        }
        return merged
    }

    /// A stretch of a span that the kept pictures leave too sparse: samples must be
    /// decoded from after `after` (or from the span's start) until `before` is within
    /// `longestGap` of the last one (or, without `before`, until the span's end is within `reach`).
    struct Hole: Equatable {
        var span: Span
        var after: Double?
        var before: Double?
    }

    /// The kept pictures (times) to look at, and the holes between them: the latest
    /// kept picture that keeps the gap short each time, so as few as possible are checked.
    func plan(_ spans: [Span], kept: [Double]) -> (kept: [Double], holes: [Hole]) {
        let times = kept.sorted()
        var chosen: [Double] = [], holes: [Hole] = []
        for span in spans {
            var previous: Double?
            while !isDone(span, after: previous, before: nil) {
                let lower = lowest(span, after: previous), deadline = latest(span, after: previous)
                if let pick = times.last(where: { $0 >= lower && $0 <= deadline }) {
                    chosen.append(pick)
                    previous = pick
                    continue
                }
                let next = times.first { $0 > deadline && $0 <= span.end + tolerance }
                holes.append(Hole(span: span, after: previous, before: next))
                guard let next else { break }
                chosen.append(next)
                previous = next
            }
        }
        return (chosen, holes)
    }

    /// The earliest time the sample after `after` may have (a span's first sample: its start).
    func lowest(_ span: Span, after: Double?) -> Double {
        after.map { $0 + tolerance } ?? span.start - tolerance
    }

    /// The latest time the sample after `after` may have.
    func latest(_ span: Span, after: Double?) -> Double {
        min(after.map { $0 + longestGap } ?? span.start + reach, span.end) + tolerance
    }

    /// Whether samples up to `after` leave nothing to look at before `before` (or the span's end).
    func isDone(_ span: Span, after: Double?, before: Double?) -> Bool {
        guard let after else { return false }
        if let before { return before <= after + longestGap + tolerance }
        return after >= span.end - reach - tolerance
    }

    /// Whether `samples` meet the rule on `span` (what `plan` and the decoding promise).
    func covers(_ span: Span, with samples: [Double]) -> Bool {
        let inside = samples.filter { span.contains($0, tolerance: tolerance) }.sorted()
        guard let first = inside.first, let last = inside.last else { return false }
        guard first <= span.start + reach + tolerance, last >= span.end - reach - tolerance else { return false }
        return zip(inside, inside.dropFirst()).allSatisfy { $1 - $0 <= longestGap + tolerance }
    }

    /// Pictures and their faces are filed by millisecond.
    static func key(_ time: Double) -> Int { Int((time * 1000).rounded()) }
}

/// Decodes the samples the kept pictures leave missing: each hole from the keyframe
/// before its first deadline, B-frames skipped, taking the latest frame before each
/// deadline (the fewest frames to decode and to look at).
private struct HoleFiller {
    let input: MediaInput
    let info: ClipInfo
    let size: (width: Int, height: Int)
    let rule: SampleRule

    /// Holes this close are decoded through instead of seeking between them.
    static let through = 2.0

    func fill(_ holes: [SampleRule.Hole], emit: (Double, RGBImage) -> Void) throws(MediaError) {
        let decoder = try VideoDecoder(input, shortcuts: .sparse)
        var scaler: OpaquePointer?
        defer { sws_freeContext(scaler) }
        var held: UnsafeMutablePointer<AVFrame>? = av_frame_alloc(), last: UnsafeMutablePointer<AVFrame>? = av_frame_alloc()
        defer {
            av_frame_free(&held)
            av_frame_free(&last)
        }
        guard let held, let last else { throw .unreadable(input.location.description, detail: "out of memory") }
        func take(_ frame: UnsafeMutablePointer<AVFrame>, _ time: Double) {
            if let picture = RGBImage(frame: frame, width: size.width, height: size.height, rotation: info.video.rotation,
                                      scaler: &scaler, flags: SWS_BILINEAR) {
                emit(time, picture)
            }
        }
        for group in groups(holes) {
            // A seek lands on the keyframe whose decoding time is before the target; with B-frames it may
            // be shown after the first deadline, and then the keyframe before it is needed.
            for margin in [0.25, 3.0] {
                let target = rule.latest(group[0].span, after: group[0].after) - margin
                if target <= 0 { decoder.rewind() } else { decoder.seek(to: target) }
                var index = 0, previous = group[0].after
                var heldTime: Double?, lastTime: Double?, landedLate = false, first = true
                av_frame_unref(held)
                av_frame_unref(last)
                try decoder.decode { frame throws(MediaError) in
                    guard let time = decoder.time(of: frame) else { return true }
                    if first, margin < 3, target > 0, time > rule.latest(group[0].span, after: group[0].after) {
                        landedLate = true
                        return false
                    }
                    first = false
                    av_frame_unref(last)
                    if av_frame_ref(last, frame) >= 0 { lastTime = time }
                    while true {
                        let hole = group[index]
                        if rule.isDone(hole.span, after: previous, before: hole.before) {
                            index += 1
                            if index == group.count { return false }
                            previous = group[index].after
                            heldTime = nil
                            continue
                        }
                        if time < rule.lowest(hole.span, after: previous) { return true }
                        if time <= rule.latest(hole.span, after: previous) {
                            av_frame_unref(held)
                            if av_frame_ref(held, frame) >= 0 { heldTime = time }
                            return true
                        }
                        // Past the deadline: the latest frame before it, or this one when none was decoded there
                        // (a gap in the stream itself: this frame is what was shown).
                        if let chosen = heldTime {
                            take(held, chosen)
                            previous = chosen
                            heldTime = nil
                        } else {
                            take(frame, time)
                            previous = time
                        }
                    }
                }
                if landedLate { continue }
                // The stream ended: the frame held, else the last one stands for the end.
                if index < group.count {
                    if let chosen = heldTime {
                        take(held, chosen)
                    } else if previous == group[index].after, let lastTime, lastTime > (previous ?? -1) {
                        take(last, lastTime)
                    }
                }
                break
            }
        }
    }

    /// Holes in order, grouped while the next begins soon after the one before ends.
    func groups(_ holes: [SampleRule.Hole]) -> [[SampleRule.Hole]] {
        var result: [[SampleRule.Hole]] = []
        for hole in holes {
            if let previous = result.last?.last,
               (hole.after ?? hole.span.start) - (previous.before ?? previous.span.end) <= Self.through {
                result[result.count - 1].append(hole)
            } else {
                result.append([hole])
            }
        }
        return result
    }
}

/// The faces in the pictures handed over, found on a thread of its own as they
/// come once started, else all at once on the caller's thread when asked for.
final class FaceQueue: @unchecked Sendable {
    typealias Face = (x: Float, y: Float, width: Float, height: Float, score: Float)
    private let condition = NSCondition()
    private var waiting: [(key: Int, time: Double, image: RGBImage)] = []
    private var queued: Set<Int> = []
    private var found: [Int: (time: Double, faces: [Face])] = [:]
    private var failure: MediaError?
    /// The picture being looked at.
    private var current: Int?
    private var started = false, closed = false

    /// Looks at pictures on a thread of its own from now on (once; not after `close`).
    func start() {
        condition.lock()
        defer { condition.unlock() }
        guard !started, !closed else { return }
        started = true
        Thread { [self] in work() }.start()
    }

    /// A picture to look at, filed by its time's millisecond (once).
    func add(time: Double, _ image: RGBImage) {
        let key = SampleRule.key(time)
        condition.lock()
        if !queued.contains(key) {
            queued.insert(key)
            waiting.append((key, time, image))
            condition.signal()
        }
        condition.unlock()
    }

    /// Drops the pictures (by millisecond) no longer wanted that are not looked at yet.
    func forget(where unwanted: (Int) -> Bool) {
        condition.lock()
        waiting.removeAll { unwanted($0.key) }
        queued = Set(waiting.map(\.key)).union(found.keys).union(current.map { [$0] } ?? [])
        condition.unlock()
    }

    /// Nothing more will be asked: the thread ends.
    func close() {
        condition.lock()
        closed = true
        waiting = []
        condition.broadcast()
        condition.unlock()
    }

    /// The faces of the pictures filed under `keys`, once every picture handed over is looked at.
    func results(for keys: Set<Int>) throws(MediaError) -> [Int: (time: Double, faces: [Face])] {
        condition.lock()
        let threaded = started
        condition.unlock()
        if !threaded, let detector = try? FaceDetector.shared() { detector.runBesideDecoding(false) }
        while !threaded, let next = take() { look(at: next) }
        condition.lock()
        defer { condition.unlock() }
        while threaded, failure == nil, current != nil || !waiting.isEmpty { condition.wait() }
        if let failure { throw failure }
        return found.filter { keys.contains($0.key) }
    }

    private func take() -> (key: Int, time: Double, image: RGBImage)? {
        condition.lock()
        defer { condition.unlock() }
        guard failure == nil, !waiting.isEmpty else { return nil }
        let next = waiting.removeFirst()
        current = next.key
        return next
    }

    private func look(at picture: (key: Int, time: Double, image: RGBImage)) {
        let outcome = Result { () throws(MediaError) in try FaceDetector.shared().detect(picture.image) }
        condition.lock()
        switch outcome {
        case .success(let faces): found[picture.key] = (picture.time, faces)
        case .failure(let error):
            failure = error
            waiting = []
        }
        current = nil
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        // The decoder has the other core: the pictures come in while it decodes.
        (try? FaceDetector.shared())?.runBesideDecoding(true)
        while true {
            condition.lock()
            while waiting.isEmpty, !closed, failure == nil { condition.wait() }
            let done = closed || failure != nil
            condition.unlock()
            if done { return }
            if let next = take() { look(at: next) }
        }
    }
}

/// The detector's pictures kept while the analysis decodes frames it needs
/// anyway (the best windows always among them): one at each third of a second
/// (absolute, so overlapping windows share them) and the first frame of each
/// run of decoded frames (a keyframe, where a window's pictures often begin).
/// The check then reads the clip again only for what is not here.
final class PersonFrames: @unchecked Sendable {
    /// A frame this much before a grid time still stands for it (half a frame at 25-30 fps).
    static let early = 0.02
    /// The grid: a picture kept every third of a second.
    static let spacing = PersonCheck.shortestFace
    let info: ClipInfo
    /// Faces are looked for in the pictures under the best windows while the analysis
    /// goes on (it leaves a core idle part of the time), when frames are small enough
    /// for the decoder and OpenCV to fit together.
    let faces = FaceQueue()
    private let alongside: Bool
    private let size: (width: Int, height: Int)
    /// By millisecond.
    private var kept: [Int: (time: Double, image: RGBImage)] = [:]
    /// Grid times served, and by which picture.
    private var grid: [Int: Int] = [:]
    private var scaler: OpaquePointer?
    /// Where pictures are scaled and kept; everything above (but `previous`) is touched only on it.
    private let scaling = DispatchQueue(label: "cameo.person-frames")
    /// The frame before, in the run of consecutive frames being decoded; nil at a run's start.
    private var previous: Double?

    init(info: ClipInfo) {
        self.info = info
        size = PersonCheck.detectionSize(width: info.video.displayWidth, height: info.video.displayHeight)
        alongside = info.video.width * info.video.height <= PersonCheck.alongsidePixels
    }

    deinit {
        sws_freeContext(scaler)
        faces.close()
    }

    /// Pictures outside these windows are not kept: a picture is 0.44 MB.
    /// Until the first ranking on decoded frames, every picture is kept (nil), up to
    /// `unfocusedBudget` bytes: a long clip full of cuts may be decoded nearly whole.
    private var interest: [RankedWindow]?
    static let unfocusedBudget = 48 << 20

    /// The next frames follow a seek: the frames before them were not seen.
    func beginRun() { previous = nil }

    /// Keeps pictures only under `windows` from now on, and drops those kept elsewhere.
    func focus(on windows: [RankedWindow]) {
        scaling.sync {
            interest = windows
            kept = kept.filter { wanted($1.time) }
            grid = grid.filter { kept[$1] != nil }
            guard alongside else { return }
            faces.forget { kept[$0] == nil }
            for (_, picture) in kept.sorted(by: { $0.key < $1.key }) { faces.add(time: picture.time, picture.image) }
            faces.start()
        }
    }

    private func wanted(_ time: Double) -> Bool {
        guard let interest else {
            return kept.count * size.width * size.height * 3 < Self.unfocusedBudget
        }
        return interest.contains { $0.start - 0.0005 <= time && time <= $0.end + 0.0005 }
    }

    /// Keeps the frame for each grid time it is the first frame at or after (within
    /// this run: at a run's start, only a grid time it lands on), and the run's first frame.
    /// Scaled on a queue of its own (up to 1080p-and-a-bit): the analysis leaves a core
    /// idle part of the time, and most of these pictures are scaled before any window is known.
    func offer(_ frame: UnsafeMutablePointer<AVFrame>, time: Double) {
        defer { previous = time }
        let startsRun = previous == nil
        let lower = (previous ?? time - 0.001) + Self.early, upper = time + Self.early
        var index = Int((lower / Self.spacing - 0.5).rounded(.down))
        var targets: [Int] = []
        while true {
            let target = (Double(index) + 0.5) * Self.spacing
            if target > upper { break }
            if target > lower, target >= 0 { targets.append(index) }
            index += 1
        }
        guard startsRun || !targets.isEmpty else { return }
        guard alongside else {
            keep(frame, time: time, startsRun: startsRun, targets: targets)
            return
        }
        guard let copy = av_frame_alloc() else { return }
        guard av_frame_ref(copy, frame) >= 0 else {
            var owned: UnsafeMutablePointer<AVFrame>? = copy
            av_frame_free(&owned)
            return
        }
        let held = HeldFrame(frame: copy)
        scaling.async { [self, targets] in
            keep(held.frame, time: time, startsRun: startsRun, targets: targets)
            var owned: UnsafeMutablePointer<AVFrame>? = held.frame
            av_frame_free(&owned)
        }
    }

    private func keep(_ frame: UnsafeMutablePointer<AVFrame>, time: Double, startsRun: Bool, targets: [Int]) {
        let served = targets.filter { grid[$0] == nil }
        let key = SampleRule.key(time)
        guard startsRun || !served.isEmpty, wanted(time) else { return }
        if kept[key] != nil {
            for index in served { grid[index] = key }
            return
        }
        guard let picture = RGBImage(frame: frame, width: size.width, height: size.height, rotation: info.video.rotation,
                                     scaler: &scaler, flags: SWS_BILINEAR) else { return }
        kept[key] = (time, picture)
        for index in served { grid[index] = key }
        if alongside, interest != nil { faces.add(time: time, picture) }
    }

    /// The pictures kept, earliest first.
    var pictures: [(time: Double, image: RGBImage)] {
        scaling.sync { kept.values.sorted { $0.time < $1.time } }
    }
}

/// A decoded frame's reference, handed to the scaling queue (which frees it).
private struct HeldFrame: @unchecked Sendable {
    let frame: UnsafeMutablePointer<AVFrame>
}
