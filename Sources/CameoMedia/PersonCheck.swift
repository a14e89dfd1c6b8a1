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
        try check(clip: clip, windows: windows, timeout: timeout, reusing: analysis).results
    }

    /// The results, and the stretches of the clip the check decoded itself (`SampleRule.Hole`s).
    static func check(clip: String, windows: [ClosedRange<Double>], timeout: Double = 60,
                      reusing analysis: ClipAnalysis? = nil) throws(MediaError) -> (results: [PersonCheckResult], holes: [SampleRule.Hole]) {
        guard !windows.isEmpty else { return ([], []) }
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
        let plan = rule.plan(spans, kept: kept?.times ?? [])
        let size = detectionSize(width: info.video.displayWidth, height: info.video.displayHeight)

        // Faces are looked for on a thread of their own while the rest is decoded (the analysis
        // may have started on its pictures already). Above 1080p-and-a-bit, first every picture,
        // then the faces: the decoder (hundreds of MB at 4K) is gone before OpenCV loads.
        let faces = kept?.faces ?? FaceQueue()
        defer { if kept == nil { faces.close() } }
        var wanted = Set(plan.kept.map(SampleRule.key))
        faces.forget { !wanted.contains($0) }
        for (time, image) in kept?.take(plan.kept) ?? [] { faces.add(time: time, image) }
        // With nothing to decode, the faces are looked for here, on every core.
        if lookAlongsideDecoding(info), !plan.holes.isEmpty { faces.start() }
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
        let results = windows.map { window in
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
        return (results, plan.holes)
    }

    /// The detector's picture: the frame as shown, its longer side `FaceDetector.detectionSide`, both sides multiples of 32.
    static func detectionSize(width: Int, height: Int) -> (width: Int, height: Int) {
        let longest = Double(max(1, max(width, height)))
        let scale = Double(FaceDetector.detectionSide) / longest
        func side(_ value: Int) -> Int { max(32, Int((Double(value) * scale / 32).rounded()) * 32) }
        return (side(width), side(height))
    }

    static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

    /// Whether faces are looked for while the clip is decoded: frames that are not large
    /// (`VideoDecoder.largeFramePixels`) leave room for OpenCV beside their decoder; larger
    /// ones are decoded before the detector loads.
    static func lookAlongsideDecoding(_ info: ClipInfo) -> Bool {
        info.video.width * info.video.height <= VideoDecoder.largeFramePixels
    }
}

/// Decodes the samples the kept pictures leave missing: each hole from the keyframe
/// before its first deadline, taking the latest frame before each deadline (the
/// fewest frames to look at); every frame near the holes, only those others refer to before.
struct HoleFiller {
    let input: MediaInput
    let info: ClipInfo
    let size: (width: Int, height: Int)
    let rule: SampleRule

    /// Holes this close are decoded through instead of seeking between them.
    static let through = 2.0

    /// On the way from a keyframe, frames nothing refers to are skipped; not every
    /// B-frame: where P-frames refer to B-frames (a B-pyramid with several references,
    /// x264's presets from `fast` on) that broke the pictures, 19-27 dB PSNR against the clip.
    static let shortcuts = VideoDecoder.Shortcuts.analysis
    /// Every frame is decoded from a packet shown this long before a group's first sample
    /// may come: the rule may need any frame (at 15 fps a window's last sample can fall on
    /// a frame nothing refers to). Decided per packet sent, so frame threads change nothing.
    static let everyFrameLead = 0.1

    func fill(_ holes: [SampleRule.Hole], emit: (Double, RGBImage) -> Void) throws(MediaError) {
        let decoder = try VideoDecoder(input, shortcuts: Self.shortcuts)
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
                decoder.skip(.unreferenced)
                let everyFrameFrom = rule.lowest(group[0].span, after: group[0].after) - Self.everyFrameLead
                var index = 0, previous = group[0].after
                var heldTime: Double?, lastTime: Double?, landedLate = false, first = true
                av_frame_unref(held)
                av_frame_unref(last)
                var everyFrame = false
                try decoder.decode(sending: { packet in
                    if !everyFrame, decoder.time(of: packet).map({ $0 >= everyFrameFrom }) ?? true {
                        everyFrame = true
                        decoder.skip(.nothing)
                    }
                    return true
                }) { frame throws(MediaError) in
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
