import CFFmpeg
import Foundation

/// What the person check saw in one window: the frames it looked at and the
/// faces in them. Kept with a character, so that a later request can say
/// whether the provider will refuse it, without reading the clip again.
public struct PersonCheckResult: Codable, Equatable, Sendable {
    public var detector: String
    public var version: String
    /// Seconds of the frames checked.
    public var frames: [Double]
    public var faces: [FaceSighting]

    public init(detector: String, version: String, frames: [Double], faces: [FaceSighting]) {
        self.detector = detector
        self.version = version
        self.frames = frames
        self.faces = faces
    }

    public var foundPerson: Bool { !faces.isEmpty }

    /// The distinct times at which a face was seen, earliest first.
    public var faceTimes: [Double] { Array(Set(faces.map(\.time))).sorted() }
}

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
    public static func run(clip: String, windows: [ClosedRange<Double>], timeout: Double = 60) throws(MediaError) -> [PersonCheckResult] {
        guard !windows.isEmpty else { return [] }
        let detector = try FaceDetector.shared()
        let location = try MediaLocation(clip)
        let input = try MediaInput(location, timeout: timeout)
        let info = try ClipProbe(timeout: timeout).probe(input)
        input.renewDeadline()
        let decoder = try VideoDecoder(input, shortcuts: .sparse)
        let lastFrame = max(0, info.duration - (info.video.framesPerSecond.map { 1 / $0 } ?? 0.04))
        let targets = Array(Set(windows.flatMap { sampleTimes($0, last: lastFrame) })).sorted()
        let size = detectionSize(width: info.video.displayWidth, height: info.video.displayHeight)
        let scaleX = Double(info.video.displayWidth) / Double(size.width)
        let scaleY = Double(info.video.displayHeight) / Double(size.height)

        var seen: [Int: (time: Double, faces: [FaceSighting])] = [:]
        var scaler: OpaquePointer?
        defer { sws_freeContext(scaler) }
        for stretch in stretches(targets) {
            decoder.seek(to: max(0, targets[stretch.lowerBound] - 0.05))
            var next = stretch.lowerBound
            try decoder.decode { frame throws(MediaError) in
                guard let time = decoder.time(of: frame) else { return true }
                // A frame stands for every target it is the first frame at or after (half a frame early counts).
                guard time >= targets[next] - 0.02 else { return true }
                guard let picture = RGBImage(frame: frame, width: size.width, height: size.height, rotation: info.video.rotation,
                                             scaler: &scaler, flags: SWS_BILINEAR) else {
                    return true
                }
                let found = try detector.detect(picture).map { face in
                    FaceSighting(time: rounded(time), box: [Int((Double(face.x) * scaleX).rounded()), Int((Double(face.y) * scaleY).rounded()),
                                                             Int((Double(face.width) * scaleX).rounded()), Int((Double(face.height) * scaleY).rounded())],
                                 score: (Double(face.score) * 1000).rounded() / 1000)
                }
                while next < stretch.upperBound, time >= targets[next] - 0.02 {
                    seen[next] = (rounded(time), found)
                    next += 1
                }
                return next < stretch.upperBound
            }
        }
        return windows.map { window in
            var frames: [Double] = [], faces: [FaceSighting] = []
            for (index, target) in targets.enumerated() where window.contains(target) {
                guard let sample = seen[index] else { continue }
                if frames.last != sample.time {
                    frames.append(sample.time)
                    faces += sample.faces
                }
            }
            return PersonCheckResult(detector: FaceDetector.name, version: FaceDetector.version, frames: frames, faces: faces)
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

    private static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
