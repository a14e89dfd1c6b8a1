import CFFmpeg
import Foundation

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
