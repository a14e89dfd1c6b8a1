import CFFmpeg
import Foundation

/// The detector's pictures kept while the analysis decodes frames it needs
/// anyway (the best windows always among them), on both of its paths: in each
/// run of consecutive decoded frames, its first frame and then frames close
/// enough that the samples `SampleRule` asks for in any window of the run are
/// among them. The check then reads the clip again only for what is not here.
/// Kept small: YUV 4:2:0 at the detector's size (0.22 MB at 1080p, half of
/// RGB), turned into RGB only for the pictures the check looks at.
final class PersonFrames: @unchecked Sendable {
    let info: ClipInfo
    /// Faces are looked for in the pictures under the best windows while the analysis
    /// goes on (it leaves a core idle part of the time), when frames are small enough
    /// for the decoder and OpenCV to fit together.
    let faces = FaceQueue()
    /// What the pictures kept before any window is known may take, in bytes.
    let budget: Int
    private let alongside: Bool
    /// As shown, and as decoded (before the display rotation).
    private let size: (width: Int, height: Int)
    private let codedSize: (width: Int, height: Int)
    /// Frames kept this far apart leave no sample a window asks for unkept, wherever the window
    /// starts: a window's first sample may come `reach` after its start, which need not be a frame.
    private let spacing: Double
    private let tolerance: Double
    /// By millisecond.
    private var kept: [Int: (time: Double, picture: SmallPicture)] = [:]
    private var bytes = 0
    private var scaler: OpaquePointer?, converter: OpaquePointer?
    /// Where pictures are scaled and kept; everything above is touched only on it, under `sync`,
    /// or (when pictures are not scaled alongside the decoder) on the decoding thread, which
    /// then never hands it work.
    private let scaling = DispatchQueue(label: "cameo.person-frames")
    /// The frame before in the run being decoded (nil at a run's start), and the last one chosen.
    /// Touched only on the decoding thread.
    private var previous: Double?, chosen: Double?

    /// Before any window is known, every picture is kept up to the budget, then none: a clip
    /// read in full is ranked only at its end, and a long one full of cuts may be read nearly
    /// whole on the fast path. Past the budget the check reads what is missing itself:
    /// keeping the newest instead would scale pictures only to drop them, and where the best
    /// windows lie has nothing to do with time. 64 MB holds 75 s of 1080p; above
    /// 1080p-and-a-bit the decoder's own pictures take up to 175 MB (10-bit 4K HEVC), and
    /// 24 MB holds as many pictures as 48 MB of RGB did there, when only the fast path kept them.
    static func defaultBudget(for info: ClipInfo) -> Int {
        PersonCheck.lookAlongsideDecoding(info) ? 64 << 20 : 24 << 20
    }

    init(info: ClipInfo, budget: Int? = nil) {
        self.info = info
        self.budget = budget ?? Self.defaultBudget(for: info)
        size = PersonCheck.detectionSize(width: info.video.displayWidth, height: info.video.displayHeight)
        codedSize = RGBImage.quarterTurns(info.video.rotation) % 2 == 1 ? (size.height, size.width) : size
        alongside = PersonCheck.lookAlongsideDecoding(info)
        let rule = SampleRule(framesPerSecond: info.video.framesPerSecond)
        spacing = rule.reach
        tolerance = rule.tolerance
        // The pictures, and the decoder's buffers between them, would otherwise stay in the heap
        // once let go, under OpenCV: measured 195 against 166 MB peak for `windows` at 1080p.
        // Never below 64 KB: the setting holds for the rest of the process, and a very wide clip's
        // pictures are small.
        MappedAllocations.from(Int32(max(64 << 10, SmallPicture.bytes(width: codedSize.width, height: codedSize.height) / 2)))
    }

    deinit {
        sws_freeContext(scaler)
        sws_freeContext(converter)
        faces.close()
    }

    /// Pictures outside these windows are not kept once known.
    private var interest: [RankedWindow]?

    /// The next frames follow a seek: the frames before them were not seen.
    func beginRun() { previous = nil }

    /// Keeps pictures only under `windows` from now on, and drops those kept elsewhere.
    func focus(on windows: [RankedWindow]) {
        scaling.sync {
            interest = windows
            kept = kept.filter { wanted($1.time) }
            bytes = kept.values.reduce(0) { $0 + $1.picture.bytes }
            guard alongside else { return }
            faces.forget { kept[$0] == nil }
            for (_, picture) in kept.sorted(by: { $0.key < $1.key }) {
                if let image = rgb(picture.picture) { faces.add(time: picture.time, image) }
            }
            faces.start()
        }
    }

    private func wanted(_ time: Double) -> Bool {
        guard let interest else { return true }
        return interest.contains { $0.start - 0.0005 <= time && time <= $0.end + 0.0005 }
    }

    /// Keeps a run's first frame, and each frame after which the next (as far again as
    /// this one from the frame before) would come too late. Decoding order does not
    /// matter to the choice, only display times: frames skipped by the decoder simply
    /// are not offered. Scaled on a queue of its own (up to 1080p-and-a-bit): the analysis
    /// leaves a core idle part of the time.
    func offer(_ frame: UnsafeMutablePointer<AVFrame>, time: Double) {
        defer { previous = time }
        if let previous, let chosen {
            guard time > previous, time + (time - previous) > chosen + spacing + tolerance else { return }
        }
        chosen = time
        guard alongside else {
            keep(frame, time: time)
            return
        }
        guard let copy = av_frame_alloc() else { return }
        guard av_frame_ref(copy, frame) >= 0 else {
            var owned: UnsafeMutablePointer<AVFrame>? = copy
            av_frame_free(&owned)
            return
        }
        let held = HeldFrame(frame: copy)
        scaling.async { [self] in
            keep(held.frame, time: time)
            var owned: UnsafeMutablePointer<AVFrame>? = held.frame
            av_frame_free(&owned)
        }
    }

    private func keep(_ frame: UnsafeMutablePointer<AVFrame>, time: Double) {
        let key = SampleRule.key(time)
        guard kept[key] == nil, wanted(time) else { return }
        let pictureBytes = SmallPicture.bytes(width: codedSize.width, height: codedSize.height)
        if interest == nil, bytes + pictureBytes > budget { return }
        guard let picture = SmallPicture(frame: frame, width: codedSize.width, height: codedSize.height, scaler: &scaler) else { return }
        kept[key] = (time, picture)
        bytes += picture.bytes
        if alongside, interest != nil, let image = rgb(picture) { faces.add(time: time, image) }
    }

    private func rgb(_ picture: SmallPicture) -> RGBImage? {
        RGBImage(frame: picture.frame, width: size.width, height: size.height, rotation: info.video.rotation,
                 scaler: &converter, flags: SWS_BILINEAR)
    }

    /// The pictures kept at `times` (by millisecond), as the detector takes them; all are let
    /// go: they would sit beside OpenCV, and the check needs each once.
    func take(_ times: [Double]) -> [(time: Double, image: RGBImage)] {
        scaling.sync {
            let taken = times.compactMap { time in kept[SampleRule.key(time)].flatMap { rgb($0.picture) }.map { (time, $0) } }
            kept = [:]
            bytes = 0
            return taken
        }
    }

    /// The times of the pictures kept, earliest first.
    var times: [Double] {
        scaling.sync { kept.values.map(\.time).sorted() }
    }

    /// What the pictures kept take, in bytes.
    var keptBytes: Int {
        scaling.sync { bytes }
    }
}

/// A frame at the detector's size in YUV 4:2:0, as decoded (not rotated).
private final class SmallPicture {
    let frame: UnsafeMutablePointer<AVFrame>
    let bytes: Int

    static func bytes(width: Int, height: Int) -> Int { width * height + 2 * ((width + 1) / 2) * ((height + 1) / 2) }

    init?(frame source: UnsafeMutablePointer<AVFrame>, width: Int, height: Int, scaler cached: inout OpaquePointer?) {
        guard source.pointee.width > 0, source.pointee.height > 0 else { return nil }
        cached = sws_getCachedContext(cached, source.pointee.width, source.pointee.height, AVPixelFormat(rawValue: source.pointee.format),
                                      Int32(width), Int32(height), AV_PIX_FMT_YUV420P, SWS_BILINEAR, nil, nil, nil)
        guard let scaler = cached, let target = av_frame_alloc() else { return nil }
        // libswscale allocates the picture.
        guard sws_scale_frame(scaler, target, source) >= 0 else {
            var owned: UnsafeMutablePointer<AVFrame>? = target
            av_frame_free(&owned)
            return nil
        }
        frame = target
        bytes = Self.bytes(width: width, height: height)
    }

    deinit {
        var owned: UnsafeMutablePointer<AVFrame>? = frame
        av_frame_free(&owned)
    }
}

/// A decoded frame's reference, handed to the scaling queue (which frees it).
private struct HeldFrame: @unchecked Sendable {
    let frame: UnsafeMutablePointer<AVFrame>
}
