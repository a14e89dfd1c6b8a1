import Foundation

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
        /// Where the windows merged into this span start and end inside it: each still needs its
        /// first sample within `reach` of its start and its last within `reach` of its end. A gap
        /// of `longestGap` across such a point meets the rule counted in frames, but not against a
        /// window's end, which lies between frames (`span(_:lastFrame:)`).
        var innerStarts: [Double] = []
        var innerEnds: [Double] = []

        func contains(_ time: Double, tolerance: Double) -> Bool {
            time >= start - tolerance && time <= end + tolerance
        }
    }

    func span(_ window: ClosedRange<Double>, lastFrame: Double) -> Span {
        let end = min(window.upperBound - frameDuration / 2, lastFrame)
        // A window past the clip's last frame is that frame.
        return Span(start: min(window.lowerBound, max(0, end)), end: max(min(window.lowerBound, max(0, end)), end))
    }

    /// Windows merged where they overlap, their own starts and ends kept: samples meeting
    /// the rule on the union and at those points meet it on each window.
    func spans(_ windows: [ClosedRange<Double>], lastFrame: Double) -> [Span] {
        var merged: [(span: Span, parts: [Span])] = []
        for span in windows.map({ span($0, lastFrame: lastFrame) }).sorted(by: { $0.start < $1.start }) {
            if let last = merged.last, span.start <= last.span.end + tolerance {
                merged[merged.count - 1].span.end = max(last.span.end, span.end)
                merged[merged.count - 1].parts.append(span)
            } else {
                merged.append((span, [span]))
            }
        }
        return merged.map { union, parts in
            var span = union
            func inner(_ times: [Double], than edge: Double) -> [Double] {
                Array(Set(times.filter { abs($0 - edge) > tolerance })).sorted()
            }
            span.innerStarts = inner(parts.map(\.start), than: union.start)
            span.innerEnds = inner(parts.map(\.end), than: union.end)
            return span
        }
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

    /// The latest time the sample after `after` may have: also no later than a window
    /// starting after `after` needs its first, nor than one ending needs its last.
    func latest(_ span: Span, after: Double?) -> Double {
        var deadline = min(after.map { $0 + longestGap } ?? span.start + reach, span.end)
        if let after {
            for start in span.innerStarts where after < start - tolerance { deadline = min(deadline, start + reach) }
            for end in span.innerEnds where after < end - reach - tolerance { deadline = min(deadline, end) }
        }
        return deadline + tolerance
    }

    /// Whether samples up to `after` leave nothing to look at before `before` (or the span's end).
    func isDone(_ span: Span, after: Double?, before: Double?) -> Bool {
        guard let after else { return false }
        if let before { return before <= latest(span, after: after) }
        return after >= span.end - reach - tolerance && span.innerStarts.allSatisfy { after >= $0 - tolerance }
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
