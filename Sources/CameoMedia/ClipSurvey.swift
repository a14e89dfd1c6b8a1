import CFFmpeg
import Foundation

/// How far an analysis has got, for a progress line.
public struct AnalysisProgress: Sendable {
    /// "reading" (every packet, keyframes decoded) or "decoding" (the stretches that need every frame).
    public var phase: String
    /// Seconds of video done, of `total`.
    public var done: Double
    public var total: Double
}

/// The windows an analysis is asked to rank, so the fast path can make sure
/// the best of them rests on decoded frames.
public struct WindowQuery: Sendable {
    public var maximumLength: Double
    public var step: Double
    public var top: Int

    public init(maximumLength: Double = 3, step: Double = 1, top: Int = 5) {
        self.maximumLength = maximumLength
        self.step = step
        self.top = top
    }
}

/// One packet of the video stream, as the container tells it without decoding.
struct PacketRecord {
    var time: Double
    var size: Int
    var key: Bool
}

/// Coarse first, fine where it matters. Every packet is read (size, key flag,
/// time) and only keyframes are decoded; the stretches where a cut, black or a
/// freeze may hide are decoded frame by frame (from the keyframe before them),
/// and so are those under the best windows, until the best rests on decoded frames.
/// Everything else gets stand-in signals calibrated on the decoded frames:
/// stand-ins never make a cut, black or frozen frame, they only fill in
/// sharpness and steadiness for ranking.
final class ClipSurvey {
    let input: MediaInput
    let capture: FrameCapture?
    let people: PersonFrames?
    let progress: ((AnalysisProgress) -> Void)?
    let duration: Double
    private(set) var packets: [PacketRecord] = []
    /// Keyframe packets' times, ascending: the places a decode can start from.
    private(set) var starts: [Double] = []
    private(set) var keyframes: [FrameSignals] = []
    /// Decoded frames by time (microseconds); a frame with history beats one without.
    private var fine: [Int: FrameSignals] = [:]
    /// Stretches of time decoded frame by frame (first to last frame of each run).
    private var covered: [ClosedRange<Double>] = []
    /// Made by `read()` for keyframes, then used for every frame of the stretches.
    private var decoder: VideoDecoder?

    init(input: MediaInput, duration: Double, capture: FrameCapture?, people: PersonFrames?, progress: ((AnalysisProgress) -> Void)?) {
        self.input = input
        self.duration = duration
        self.capture = capture
        self.people = people
        self.progress = progress
    }

    /// Whether decoding can start at any keyframe: the input seeks, and its
    /// container has an index of keyframes (MP4/MOV, Matroska/WebM). Elsewhere
    /// (MPEG-TS, say) a seek may land between keyframes and decode garbage.
    static func canSeek(_ input: MediaInput) -> Bool {
        guard let io = input.context.pointee.pb, io.pointee.seekable != 0,
              let format = input.context.pointee.iformat, let name = format.pointee.name else { return false }
        let names = String(cString: name).split(separator: ",")
        return names.contains("mp4") || names.contains("matroska")
    }

    /// Packets the decoder refused, in both passes.
    var rejectedPackets: Int { decoder?.rejectedPackets ?? 0 }

    /// The coarse pass: every packet's record, and the keyframes' signals.
    func read() throws(MediaError) {
        let decoder = try VideoDecoder(input, shortcuts: .keyframes)
        self.decoder = decoder
        let forget = decoder.framesComeOutAtOnce
        let sampler = FrameSampler()
        var lastReported = -1.0
        var records: [PacketRecord] = []
        let progress = self.progress, duration = self.duration
        try decoder.decode(sending: { packet in
            guard let time = decoder.time(of: packet) else { return false }
            let key = (packet.pointee.flags & AV_PKT_FLAG_KEY) != 0
            records.append(PacketRecord(time: time, size: Int(packet.pointee.size), key: key))
            if let progress, time - lastReported >= 0.5 {
                lastReported = time
                progress(AnalysisProgress(phase: "reading", done: min(max(0, time), duration), total: duration))
            }
            // Keyframes are decoded alone: nothing needs the one before. (With frame
            // threads the one before may still be in flight, so only without them.)
            if key, forget { decoder.forgetReferences() }
            return key
        }) { frame throws(MediaError) in
            guard let time = decoder.time(of: frame), let signals = sampler.measure(frame, time: time) else { return true }
            capture?.offer(frame, time: time)
            keyframes.append(signals)
            return true
        }

        packets = records.sorted { $0.time < $1.time }
        keyframes.sort { $0.time < $1.time }
        starts = packets.filter(\.key).map(\.time)
    }

    /// The GOP holding `time`: the last keyframe at or before it (0 before the first).
    func gop(at time: Double) -> Int {
        var lower = 0, upper = starts.count
        while lower < upper {
            let middle = (lower + upper) / 2
            if starts[middle] <= time + 0.0005 { lower = middle + 1 } else { upper = middle }
        }
        return max(0, lower - 1)
    }

    func gopRange(_ index: Int) -> (start: Double, end: Double) {
        (starts.isEmpty ? 0 : starts[index], index + 1 < starts.count ? starts[index + 1] : duration + 1)
    }

    // MARK: Where a cut, black or a freeze may hide

    /// Where to decode every frame: from the keyframe of each GOP (the key)
    /// through a time in seconds (the value), decoding on past the next
    /// keyframe when the time lies beyond it.
    typealias Plan = [Int: Double]

    /// The stretches whose packets or bounding keyframes say something happens
    /// there: up to a suspicious packet, or the whole GOP when only its
    /// keyframes tell (the change lies somewhere between them).
    func suspiciousStretches() -> Plan {
        var plan = Plan()
        guard !starts.isEmpty else { return plan }
        func mark(_ gop: Int, through time: Double) { plan[gop] = max(plan[gop] ?? time, time) }
        let others = packets.filter { !$0.key }
        let keySizesInOrder = packets.filter(\.key).map(\.size)
        let keySizes = keySizesInOrder.sorted()
        let keyMedian = keySizes.isEmpty ? 0 : keySizes[keySizes.count / 2]
        // Sizes against the packets around: a jump up is a new picture coded
        // from scratch (a cut, the end of a flash); a dip, a picture with
        // nothing to code (black, flat, frozen).
        let radius = 15
        var tinyRun = 0
        for (index, packet) in others.enumerated() {
            var around: [Int] = []
            for other in max(0, index - radius)...min(others.count - 1, index + radius) where other != index {
                around.append(others[other].size)
            }
            around.sort()
            let here = gop(at: packet.time)
            let tiny = packet.size < max(64, keyMedian / 100)
            tinyRun = tiny ? tinyRun + 1 : 0
            if tinyRun >= 3 { mark(here, through: packet.time) }
            guard !around.isEmpty else { continue }
            let high = around[min(around.count - 1, around.count * 8 / 10)]
            let low = around[around.count * 2 / 10]
            if packet.size > high * 5 / 2 + 64 || packet.size * 10 < low * 3 {
                mark(here, through: packet.time)
            }
            // A picture coded nearly from scratch costs nearly what a keyframe does, even where
            // grain makes every frame dear and the jump stays under the margin above (a shot
            // inserted between two keyframes that show the same scene: nothing else shows it).
            let keyframeSizes = keySizesInOrder[min(here, keySizesInOrder.count - 1)...].prefix(2)
            if let smaller = keyframeSizes.min(), packet.size * 20 >= smaller * 9, packet.size * 2 >= around[around.count / 2] * 3 + 128 {
                mark(here, through: packet.time)
            }
        }
        // A level shift: the packets after cost twice or half what those before did
        // (a cut from a calm shot to a busy one, or back, without a single jump).
        // Counted where it is steepest; when a keyframe is a few packets away the
        // new picture may start right at it, so the GOP before it is marked.
        let shifts = others.indices.map { index -> Double in
            guard index >= 4, index + 4 <= others.count else { return 1 }
            let before = Self.median(others[max(0, index - 8)..<index].map(\.size))
            let after = Self.median(others[index..<min(others.count, index + 8)].map(\.size))
            return Double(max(before, after) + 32) / Double(min(before, after) + 32)
        }
        for (index, packet) in others.enumerated() where shifts[index] >= 2 {
            let around = max(0, index - 4)...min(others.count - 1, index + 4)
            guard around.allSatisfy({ shifts[$0] <= shifts[index] }) else { continue }
            let first = gop(at: others[around.lowerBound].time), last = gop(at: others[around.upperBound].time)
            if first == last {
                mark(first, through: others[around.upperBound].time)
            } else {
                mark(last - 1, through: starts[last])
            }
        }
        // Keyframes: blank ones, and pairs that differ more than their neighbours do.
        let changes = keyframes.map(\.cutScore)
        for (index, keyframe) in keyframes.enumerated() {
            let here = gop(at: keyframe.time)
            if ClipAnalyzer.isBlank(keyframe) {
                mark(here, through: gopRange(here).end)
                if here > 0 { mark(here - 1, through: keyframe.time) }
            }
            guard index > 0 else { continue }
            var neighbours: [Float] = []
            for other in max(1, index - 3)...min(keyframes.count - 1, index + 3) where other != index {
                neighbours.append(changes[other])
            }
            neighbours.sort()
            let local = neighbours.isEmpty ? 0 : neighbours[neighbours.count / 2]
            let previous = keyframes[index - 1]
            if changes[index] >= 0.25 && changes[index] >= 1.3 * local + 0.05 {
                // The change lies somewhere between the two keyframes: the earlier one's
                // GOP, whose decoding runs a few frames past the later keyframe.
                mark(gop(at: previous.time), through: keyframe.time)
            }
        }
        return plan
    }

    /// Keyframes further apart than this cannot rule a cut out: over 3 s a shot's
    /// own motion changes them as much as a cut to a similar shot does, and a
    /// capped bit rate evens out packet sizes across the cut (`rate-capped-gop.mp4`,
    /// and the bench's long-GOP clip, missed two of seven cuts). Phones' 1 s GOPs
    /// and x264's 2 s ones are within it.
    static let longestTrustedGOP = 2.0

    /// Whether the fast path gains nothing on this clip: every frame a keyframe, a single
    /// keyframe, or a GOP (the last one to the clip's end) longer than `longestTrustedGOP`.
    var gainsNothing: Bool {
        Self.gainsNothing(keyframeTimes: starts, packetCount: packets.count, duration: duration) || keyframes.isEmpty
    }

    /// The same verdict from keyframe times (ascending) alone. `slack` is how much shorter
    /// than their times say the GOPs may really be.
    static func gainsNothing(keyframeTimes starts: [Double], packetCount: Int, duration: Double, slack: Double = 0) -> Bool {
        guard starts.count >= 2, Double(starts.count) / Double(max(1, packetCount)) < 0.5 else { return true }
        return starts.indices.contains { index in
            let end = index + 1 < starts.count ? starts[index + 1] : duration + 1
            return min(duration, end) - starts[index] - slack > Self.longestTrustedGOP + 0.0005
        }
    }

    /// Whether the container's index shows that the fast path gains nothing, before a
    /// packet is read or a keyframe decoded (they were ~6% of a declined clip's time).
    /// Only an index that lists every packet of the stream is believed (an MP4's sample
    /// table; Matroska's cues may list some keyframes only), and then the survey's own
    /// verdict after reading still stands for the clips this one lets through. Index
    /// times are decoding times: a keyframe is shown up to the decoder's reordering delay
    /// later than its neighbour is, so the GOPs are given that much slack.
    static func indexShowsNoGain(_ input: MediaInput, duration: Double, frameDuration: Double?) -> Bool {
        guard let stream = input.videoStream, let parameters = stream.pointee.codecpar else { return false }
        let count = Int(avformat_index_get_entries_count(stream))
        guard count > 0, stream.pointee.nb_frames == Int64(count) else { return false }
        let timeBase = stream.pointee.time_base.doubleValue ?? 1.0 / 90_000, zero = VideoDecoder.zero(of: input)
        var starts: [Double] = []
        for index in 0..<Int32(count) {
            guard let entry = avformat_index_get_entry(stream, index) else { return false }
            if cameo_index_entry_is_key(entry) != 0 { starts.append(Double(entry.pointee.timestamp) * timeBase - zero) }
        }
        guard zip(starts, starts.dropFirst()).allSatisfy({ $0 <= $1 }) else { return false }
        let slack = Double(max(0, parameters.pointee.video_delay) + 1) * (frameDuration ?? 1.0 / 12)
        return gainsNothing(keyframeTimes: starts, packetCount: count, duration: duration, slack: slack)
    }

    static func median(_ values: [Int]) -> Int {
        values.isEmpty ? 0 : values.sorted()[values.count / 2]
    }

    // MARK: Fine decoding

    /// Decodes every frame of the planned stretches not decoded yet, and a few
    /// frames past each, so that the frames at its edge have neighbours on both sides.
    func decode(_ plan: Plan, frameDuration: Double) throws(MediaError) {
        let margin = Double(Self.marginFrames) * frameDuration
        var wanted: [(first: Int, through: Double)] = []
        for (gop, through) in plan {
            let start = gopRange(gop).start, end = through + margin
            let open = packets.filter { $0.time >= start - 0.0005 && $0.time <= end && !isCovered($0.time) }
            guard let firstOpen = open.first, let lastOpen = open.last else { continue }
            // Only what is not decoded yet: windows confirmed one after another overlap, and
            // decoding each from its own keyframe decoded most frames twice (measured: 40% of
            // the fine decoding on P-only footage). A run starts at the keyframe before its
            // first frame not decoded, or earlier while that keyframe began a run of its own
            // (it has no change measure yet: a cut right at it would hide), and stops a margin
            // past its last frame not decoded (the frames after are decoded already), or
            // past the last keyframe of the stretch that began a run of its own.
            var first = self.gop(at: firstOpen.time)
            while first > gop, !continues(at: gopRange(first).start) { first -= 1 }
            var through = min(end, lastOpen.time + margin)
            if let alone = starts.last(where: { $0 > gopRange(first).start + 0.0005 && $0 <= end && !continues(at: $0) }) {
                through = max(through, min(end, alone + margin))
            }
            wanted.append((first, through))
        }
        var runs: [(first: Int, through: Double)] = []
        for run in wanted.sorted(by: { $0.first < $1.first }) {
            if let last = runs.last, last.through >= gopRange(run.first).start - 0.0005 {
                runs[runs.count - 1].through = max(last.through, run.through)
            } else {
                runs.append(run)
            }
        }
        guard !runs.isEmpty else { return }
        let total = runs.reduce(0.0) { $0 + min(duration, $1.through) - gopRange($1.first).start }
        var done = 0.0
        guard let decoder else { return }
        decoder.skip(.unreferenced)
        for run in runs {
            let start = gopRange(run.first).start
            // A hair past the keyframe, so that rounding never lands on the one before.
            if run.first == 0 { decoder.rewind() } else { decoder.seek(to: start + 0.0001) }
            let sampler = FrameSampler()
            var first = true
            var last = start
            // The margin counts decoded frames, not frame times: without non-reference frames a
            // margin of 10 frame times holds 5 frames, fewer than a cut's neighbourhood needs, and
            // the stretch was decoded again from its keyframe for the rest (measured: 16% of the
            // analysis of the long-GOP bench clip).
            var beyond = 0
            people?.beginRun()
            try decoder.decode { frame throws(MediaError) in
                guard let time = decoder.time(of: frame) else { return true }
                if run.first > 0, time < start - 0.0005 { return true }
                if time > run.through, beyond >= Self.marginFrames { return false }
                guard var signals = sampler.measure(frame, time: time) else { return true }
                if time > run.through - margin { beyond += 1 }
                signals.continues = !first
                first = false
                last = max(last, time)
                capture?.offer(frame, time: time)
                people?.offer(frame, time: time)
                let key = Int((time * 1_000_000).rounded())
                if let known = fine[key], known.continues || !signals.continues { return true }
                fine[key] = signals
                return true
            }
            covered.append(start...max(start, last))
            done += min(duration, run.through) - start
            progress?(AnalysisProgress(phase: "decoding", done: done, total: total))
        }
    }

    /// Frames decoded past each planned stretch, so that those at its edge have neighbours on both sides.
    static let marginFrames = 10

    /// Whether the frame decoded at `time` was measured against the frame before it.
    private func continues(at time: Double) -> Bool {
        fine[Int((time * 1_000_000).rounded())]?.continues ?? false
    }

    func isCovered(_ time: Double) -> Bool {
        covered.contains { $0.lowerBound - 0.0005 <= time && time <= $0.upperBound + 0.0005 }
    }

    // MARK: The frames analysis works on

    /// Decoded frames where there are some; stand-ins for the packets of GOPs never decoded.
    func frames() -> [FrameSignals] {
        var result = Array(fine.values)
        let calibration = Calibration(fine: result, keyframes: keyframes, packets: packets)
        for packet in packets where !isCovered(packet.time) {
            result.append(calibration.standIn(for: packet, keyframes: keyframes))
        }
        result.sort { $0.time < $1.time }
        return result
    }

    /// Stand-ins a finding depends on: the frames either side of a cut (the
    /// neighbourhood its threshold is taken from) and of a span's edges.
    func toConfirm(_ analysis: ClipAnalysis, frames: [FrameSignals]) -> Plan {
        var needed = Plan()
        func need(around time: Double, frames count: Int) {
            let index = frames.firstIndex { $0.time >= time - 0.0005 } ?? frames.count - 1
            for other in max(0, index - count)...min(frames.count - 1, index + count) where frames[other].standIn {
                let time = frames[other].time
                needed[gop(at: time)] = max(needed[gop(at: time)] ?? time, time)
            }
        }
        for cut in analysis.cuts {
            need(around: cut.time, frames: 9)
            // A shot that begins between keyframes may end exactly at the next one, where nothing
            // shows it undecoded: the keyframes either side are alike, and a keyframe's packet is
            // large whatever it shows. So the rest of a GOP where a cut was decoded is decoded too.
            let index = gop(at: cut.time)
            guard index + 1 < starts.count, cut.time > starts[index] + 0.0005 else { continue }
            let next = starts[index + 1]
            if let last = frames.last(where: { $0.standIn && $0.time > cut.time && $0.time < next - 0.0005 }) {
                needed[index] = max(needed[index] ?? last.time, last.time)
            }
        }
        for span in analysis.black + analysis.frozen {
            need(around: span.start, frames: 2)
            need(around: span.end, frames: 2)
        }
        return needed
    }

    /// Whether some frame under a window is a stand-in.
    func restsOnStandIns(_ window: RankedWindow) -> Bool {
        packets.contains { $0.time >= window.start - 0.0005 && $0.time <= window.end + 0.0005 && !isCovered($0.time) }
    }

    var decodedShare: Double {
        guard !packets.isEmpty else { return 1 }
        return Double(packets.filter { isCovered($0.time) }.count) / Double(packets.count)
    }
}

/// How decoded frames relate to what is known without decoding (keyframes'
/// signals, packet sizes), measured on this clip's decoded frames.
struct Calibration {
    /// Sharpness of a frame over the sharpness interpolated between its keyframes.
    var sharpnessRatio: Float = 1
    /// Motion per byte of packet.
    var motionPerByte: Float = 0
    // Both are taken on the cautious side (a lower sharpness, a higher motion
    // than most decoded frames have), so a window on stand-ins must clearly
    // beat one on decoded frames to be decoded in its turn.
    var histogramChange: Float = 0
    var blockChange: Float = 0

    init(fine: [FrameSignals], keyframes: [FrameSignals], packets: [PacketRecord]) {
        let continuing = fine.filter(\.continues)
        guard !continuing.isEmpty else { return }
        var sizes: [Int: Int] = [:]
        for packet in packets { sizes[Int((packet.time * 1_000_000).rounded())] = packet.size }
        var ratios: [Float] = [], perByte: [Float] = []
        for frame in continuing {
            let expected = Self.interpolated(keyframes, at: frame.time)?.sharpness ?? 0
            if expected > 0 { ratios.append(frame.sharpness / expected) }
            if let size = sizes[Int((frame.time * 1_000_000).rounded())], size > 0 { perByte.append(frame.motion / Float(size)) }
        }
        sharpnessRatio = Self.quantile(ratios, 0.25) ?? 1
        motionPerByte = Self.quantile(perByte, 0.75) ?? 0
        histogramChange = Self.median(continuing.map(\.histogramChange)) ?? 0
        blockChange = Self.median(continuing.map(\.blockChange)) ?? 0
    }

    func standIn(for packet: PacketRecord, keyframes: [FrameSignals]) -> FrameSignals {
        let base = Self.interpolated(keyframes, at: packet.time)
        return FrameSignals(time: packet.time, mean: base?.mean ?? 128, spread: base?.spread ?? 64,
                            motion: packet.key ? 0 : motionPerByte * Float(packet.size),
                            histogramChange: histogramChange, blockChange: blockChange,
                            sharpness: (base?.sharpness ?? 0) * sharpnessRatio, standIn: true)
    }

    /// Mean, spread and sharpness between the keyframes either side of `time`.
    static func interpolated(_ keyframes: [FrameSignals], at time: Double) -> FrameSignals? {
        guard let first = keyframes.first, let last = keyframes.last else { return nil }
        if time <= first.time { return first }
        if time >= last.time { return last }
        var lower = 0, upper = keyframes.count - 1
        while upper - lower > 1 {
            let middle = (lower + upper) / 2
            if keyframes[middle].time <= time { lower = middle } else { upper = middle }
        }
        let a = keyframes[lower], b = keyframes[upper]
        let share = Float((time - a.time) / max(1e-9, b.time - a.time))
        var result = a
        result.mean = a.mean + (b.mean - a.mean) * share
        result.spread = a.spread + (b.spread - a.spread) * share
        result.sharpness = a.sharpness + (b.sharpness - a.sharpness) * share
        return result
    }

    static func median(_ values: [Float]) -> Float? { quantile(values, 0.5) }

    static func quantile(_ values: [Float], _ share: Double) -> Float? {
        guard !values.isEmpty else { return nil }
        return values.sorted()[min(values.count - 1, Int(Double(values.count) * share))]
    }
}
