import CFFmpeg
import CameoMediaFacts
import Foundation

/// Looks for human faces in a clip's windows. Only the windows are read: the
/// decoder seeks to each stretch and converts a few frames of it, so a long
/// clip costs what its candidate windows cost.
public enum PersonCheck {
    /// Frames are checked on a grid this fine (seconds): a face shown for a
    /// third of a second always covers at least one of them.
    public static let spacing = 1.0 / 3

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
        let lastFrame = max(0, info.duration - (info.video.framesPerSecond.map { 1 / $0 } ?? 0.04))
        let plans = windows.map { sampleTimes($0, last: lastFrame) }
        let targets = Array(Set(plans.joined())).sorted()
        let position = Dictionary(uniqueKeysWithValues: targets.enumerated().map { ($1, $0) })
        let size = detectionSize(width: info.video.displayWidth, height: info.video.displayHeight)

        // First every picture, then the faces: the decoder (hundreds of MB at 4K) is gone
        // before OpenCV loads, so the two never add up. A picture is 0.44 MB.
        var pictures: [Int: (time: Double, image: RGBImage)] = [:]
        for (index, target) in targets.enumerated() {
            if let picture = kept?.picture(at: target) { pictures[index] = picture }
        }
        let missing = targets.indices.filter { pictures[$0] == nil }
        if !missing.isEmpty {
            let input: MediaInput
            if let opened { input = opened } else { input = try MediaInput(try MediaLocation(clip), timeout: timeout) }
            try decodePictures(input, info: info, size: size, targets: targets, missing: missing, into: &pictures)
        }
        opened = nil

        let detector = try FaceDetector.shared()
        let scaleX = Double(info.video.displayWidth) / Double(size.width)
        let scaleY = Double(info.video.displayHeight) / Double(size.height)
        var found: [Double: [FaceSighting]] = [:]
        var seen: [Int: (time: Double, faces: [FaceSighting])] = [:]
        for (index, picture) in pictures.sorted(by: { $0.key < $1.key }) {
            let time = rounded(picture.time)
            if found[time] == nil {
                found[time] = try detector.detect(picture.image).map { face in
                    FaceSighting(time: time, box: [Int((Double(face.x) * scaleX).rounded()), Int((Double(face.y) * scaleY).rounded()),
                                                   Int((Double(face.width) * scaleX).rounded()), Int((Double(face.height) * scaleY).rounded())],
                                 score: (Double(face.score) * 1000).rounded() / 1000)
                }
            }
            seen[index] = (time, found[time] ?? [])
        }
        return plans.map { plan in
            var frames: [Double] = [], faces: [FaceSighting] = []
            for target in plan {
                guard let index = position[target], let sample = seen[index] else { continue }
                if frames.last != sample.time {
                    frames.append(sample.time)
                    faces += sample.faces
                }
            }
            return PersonCheckResult(detector: FaceDetector.name, version: FaceDetector.version, frames: frames, faces: faces)
        }
    }

    /// Reads the clip for the targets at `missing`: a frame stands for every target it is the
    /// first frame at or after (half a frame early counts). The decoder is freed on return.
    private static func decodePictures(_ input: MediaInput, info: ClipInfo, size: (width: Int, height: Int), targets: [Double],
                                       missing: [Int], into pictures: inout [Int: (time: Double, image: RGBImage)]) throws(MediaError) {
        let decoder = try VideoDecoder(input, shortcuts: .sparse)
        var scaler: OpaquePointer?
        defer { sws_freeContext(scaler) }
        for stretch in stretches(missing.map { targets[$0] }) {
            let indices = missing[stretch]
            decoder.seek(to: max(0, targets[indices[indices.startIndex]] - 0.05))
            var next = indices.startIndex
            try decoder.decode { frame throws(MediaError) in
                guard let time = decoder.time(of: frame) else { return true }
                guard time >= targets[indices[next]] - PersonFrames.early else { return true }
                guard let picture = RGBImage(frame: frame, width: size.width, height: size.height, rotation: info.video.rotation,
                                             scaler: &scaler, flags: SWS_BILINEAR) else {
                    return true
                }
                while next < indices.endIndex, time >= targets[indices[next]] - PersonFrames.early {
                    pictures[indices[next]] = (time, picture)
                    next += 1
                }
                return next < indices.endIndex
            }
        }
    }

    /// Grid points inside the window (absolute, so overlapping windows share them).
    static func sampleTimes(_ window: ClosedRange<Double>, last: Double) -> [Double] {
        var times: [Double] = []
        var index = Int((window.lowerBound / spacing).rounded(.down))
        while true {
            let time = (Double(index) + 0.5) * spacing
            if time >= window.upperBound || time > last { break }
            if time >= window.lowerBound { times.append(rounded(time)) }
            index += 1
        }
        // A window shorter than the grid still gets its middle frame looked at.
        if times.isEmpty { times.append(rounded(min(last, (window.lowerBound + window.upperBound) / 2))) }
        return times
    }

    /// Runs of targets close enough to decode through rather than seek between.
    static func stretches(_ targets: [Double]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = 0
        for index in targets.indices.dropFirst() where targets[index] - targets[index - 1] > 2 {
            result.append(start..<index)
            start = index
        }
        if !targets.isEmpty { result.append(start..<targets.count) }
        return result
    }

    /// The detector's picture: the frame as shown, its longer side 640, both sides multiples of 32.
    static func detectionSize(width: Int, height: Int) -> (width: Int, height: Int) {
        let longest = Double(max(1, max(width, height)))
        let scale = Double(FaceDetector.detectionSide) / longest
        func side(_ value: Int) -> Int { max(32, Int((Double(value) * scale / 32).rounded()) * 32) }
        return (side(width), side(height))
    }

    static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}

/// The detector's pictures at the person check's grid times, kept while the
/// analysis decodes frames it needs anyway (the best windows always among
/// them): the check then reads the clip again only for what is not here.
final class PersonFrames: @unchecked Sendable {
    /// A frame this much before a target still stands for it (half a frame at 25-30 fps).
    static let early = 0.02
    let info: ClipInfo
    private let size: (width: Int, height: Int)
    private var pictures: [Int: (time: Double, image: RGBImage)] = [:]
    private var scaler: OpaquePointer?
    /// The frame before, in the run of consecutive frames being decoded; nil at a run's start.
    private var previous: Double?

    init(info: ClipInfo) {
        self.info = info
        size = PersonCheck.detectionSize(width: info.video.displayWidth, height: info.video.displayHeight)
    }

    deinit { sws_freeContext(scaler) }

    /// Grid times outside these windows are not kept: a picture is 0.44 MB.
    /// Until the first ranking on decoded frames, every grid time is kept (nil), up to
    /// `unfocusedBudget` bytes: a long clip full of cuts may be decoded nearly whole.
    private var interest: [RankedWindow]?
    static let unfocusedBudget = 48 << 20

    /// The next frames follow a seek: the frames before them were not seen.
    func beginRun() { previous = nil }

    /// Keeps pictures only under `windows` from now on, and drops those kept elsewhere.
    func focus(on windows: [RankedWindow]) {
        interest = windows
        pictures = pictures.filter { index, _ in wanted(PersonCheck.rounded((Double(index) + 0.5) * PersonCheck.spacing)) }
    }

    private func wanted(_ target: Double) -> Bool {
        guard let interest else {
            return pictures.count * size.width * size.height * 3 < Self.unfocusedBudget
        }
        return interest.contains { $0.start - 0.0005 <= target && target <= $0.end + 0.0005 }
    }

    /// Keeps the frame for each grid time it is the first frame at or after
    /// (within this run: at a run's start, only a grid time it lands on).
    func offer(_ frame: UnsafeMutablePointer<AVFrame>, time: Double) {
        defer { previous = time }
        let lower = (previous ?? time - 0.001) + Self.early, upper = time + Self.early
        var index = Int((lower / PersonCheck.spacing - 0.5).rounded(.down))
        var picture: RGBImage?
        while true {
            let target = PersonCheck.rounded((Double(index) + 0.5) * PersonCheck.spacing)
            if target > upper { break }
            if target > lower, target >= 0, pictures[index] == nil, wanted(target) {
                if picture == nil {
                    picture = RGBImage(frame: frame, width: size.width, height: size.height, rotation: info.video.rotation,
                                       scaler: &scaler, flags: SWS_BILINEAR)
                }
                if let picture { pictures[index] = (time, picture) }
            }
            index += 1
        }
    }

    /// The picture kept for a grid time (as `PersonCheck.sampleTimes` gives them).
    func picture(at target: Double) -> (time: Double, image: RGBImage)? {
        let index = Int((target / PersonCheck.spacing - 0.5).rounded())
        guard PersonCheck.rounded((Double(index) + 0.5) * PersonCheck.spacing) == target else { return nil }
        return pictures[index]
    }
}
