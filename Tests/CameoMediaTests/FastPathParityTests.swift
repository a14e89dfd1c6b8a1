import CFFmpeg
@testable import CameoMedia
import CameoTestSupport
import Foundation
import Testing

/// The fast path (keyframes first, every frame only where something may hide)
/// against decoding every frame, on every playable fixture of 1 s or more and
/// on clips made to hide things between keyframes (see fixtures/README.md).
@Suite struct FastPathParityTests {
    static let clips = [
        "shots.mp4", "rapid-cuts.mp4", "black.mp4", "landscape.mp4", "moov-at-end.mp4", "portrait.mp4", "rotated.mp4",
        "offset.ts", "no-header-duration.webm", "hevc.mp4", "hevc-10bit.mp4", "one-second.mp4", "ultrawide.mp4",
        "pframes.mp4", "long-gop.mp4", "fades.mp4", "scenecut.mp4", "rate-capped-gop.mp4", "insert-to-keyframe.mp4",
        "insert-in-rhythm.mp4",
    ]

    @Test(arguments: clips)
    func findsWhatDecodingEveryFrameFinds(_ clip: String) throws {
        let path = Repository.fixture(clip)
        let exact = try ClipAnalyzer().analyze(path, exact: true)
        let fast = try ClipAnalyzer().analyze(path)
        let frame = exact.frameDuration + 0.0005
        #expect(exact.decodedShare == 1)
        #expect(fast.cuts.count == exact.cuts.count, "fast \(fast.cuts.map(\.time)), exact \(exact.cuts.map(\.time))")
        for (found, truth) in zip(fast.cuts, exact.cuts) {
            #expect(abs(found.time - truth.time) <= frame, "cut at \(found.time), exact \(truth.time)")
        }
        for (kind, found, truth) in [("black", fast.black, exact.black), ("frozen", fast.frozen, exact.frozen)] {
            #expect(found.count == truth.count, "\(kind): fast \(found), exact \(truth)")
            for (a, b) in zip(found, truth) {
                #expect(abs(a.start - b.start) <= frame && abs(a.end - b.end) <= frame, "\(kind): fast \(a), exact \(b)")
            }
        }
        switch Result(catching: { () throws(MediaError) in try exact.windows() }) {
        case .success:
            let best = try #require(try fast.windows(top: 1).first)
            #expect(exact.problems(start: best.start, end: best.end).isEmpty, "fast path's best window \(best.start)-\(best.end)")
        case .failure:
            #expect(throws: MediaError.self) { try fast.windows() }
        }
    }

    /// A shot between two keyframes that show the same scene, back at the second: its cut's packet
    /// is only about twice its grainy neighbours', and nothing at the keyframe shows the cut back.
    @Test(arguments: ["insert-to-keyframe.mp4", "insert-in-rhythm.mp4"])
    func findsAShotInsertedBetweenKeyframes(_ clip: String) throws {
        let fast = try ClipAnalyzer().analyze(Repository.fixture(clip))
        #expect(fast.cuts.map(\.time) == [4.4, 5.0])
        for window in try fast.windows(top: 5) {
            #expect(window.end <= 4.4 + 0.0005 || window.start >= 5.0 - 0.0005, "window \(window.start)-\(window.end) crosses the inserted shot")
        }
    }

    /// The clip made for it: the fast path really leaves stretches undecoded there.
    /// (fades.mp4 and scenecut.mp4 have something in nearly every GOP; landscape.mp4 has a single keyframe.)
    @Test func leavesStretchesUndecoded() throws {
        let fast = try ClipAnalyzer().analyze(Repository.fixture("pframes.mp4"))
        #expect(fast.decodedShare < 0.9, "decoded \(fast.decodedShare) of the packets")
        #expect(fast.frames.contains { $0.standIn })
    }

    /// Keyframes 3 s apart cannot rule out a cut between similar shots (rate-capped-gop.mp4's
    /// cut shows in neither keyframes nor packet sizes): such clips are decoded in full.
    @Test(arguments: ["long-gop.mp4", "rate-capped-gop.mp4"])
    func decodesEveryFrameWhereKeyframesAreFarApart(_ clip: String) throws {
        let fast = try ClipAnalyzer().analyze(Repository.fixture(clip))
        #expect(fast.decodedShare == 1, "decoded \(fast.decodedShare) of the packets")
        #expect(!fast.frames.contains { $0.standIn })
    }

    /// Cuts in the middle of P-only GOPs, where no keyframe marks them, are found where they were made.
    @Test func findsCutsBetweenKeyframes() throws {
        let frame = 1.0 / 30 + 0.0005
        let pframes = try ClipAnalyzer().analyze(Repository.fixture("pframes.mp4"))
        #expect(pframes.cuts.count == 2 && zip(pframes.cuts, [2.6, 5.3]).allSatisfy { abs($0.time - $1) <= frame }, "\(pframes.cuts)")
    }

    /// 10-bit frames are read in place: the same picture measures as it does in 8 bits.
    @Test func tenBitFramesMeasureLikeEightBit() throws {
        let eight = try ClipAnalyzer().analyze(Repository.fixture("hevc.mp4"), exact: true)
        let ten = try ClipAnalyzer().analyze(Repository.fixture("hevc-10bit.mp4"), exact: true)
        #expect(eight.frames.count == ten.frames.count)
        for (a, b) in zip(eight.frames, ten.frames) {
            #expect(abs(a.mean - b.mean) < 2 && abs(a.spread - b.spread) < 2, "8-bit \(a.mean)/\(a.spread), 10-bit \(b.mean)/\(b.spread)")
        }
    }
}

/// How the fine pass decodes its stretches.
@Suite struct ClipSurveyTests {
    /// A stretch is decoded on past its end until the frames there have a cut's
    /// neighbourhood of decoded frames after them. Counted in frame times, a clip whose
    /// non-reference B-frames are skipped had half of them, and a cut found at the edge
    /// then had its stretch decoded a second time from the keyframe.
    @Test func decodesAStretchsMarginInFramesDecoded() throws {
        let input = try MediaInput(MediaLocation(Repository.fixture("long-gop.mp4")), timeout: 60)
        let info = try ClipProbe(timeout: 60).probe(input)
        let survey = ClipSurvey(input: input, duration: info.duration, capture: nil, people: nil, progress: nil)
        try survey.read()
        let frameDuration = try #require(info.video.framesPerSecond.map { 1 / $0 })
        let through = 1.5
        try survey.decode([0: through], frameDuration: frameDuration)
        let frames = survey.frames()
        let after = frames.filter { $0.time > through + 0.0005 }
        let decoded = after.prefix { !$0.standIn }
        #expect(decoded.count >= ClipSurvey.marginFrames, "\(decoded.count) frames decoded past \(through) s")
        // The clip does skip frames: the same margin in frame times would have held fewer.
        let spacing = (decoded.last?.time ?? through) - through
        #expect(spacing > Double(ClipSurvey.marginFrames) * frameDuration + 0.0005, "decoded through \(decoded.last?.time ?? 0) s")
    }
}

/// Which clips the fast path declines, and how early.
@Suite struct FastPathDeclineTests {
    static func verdicts(_ clip: String) throws -> (index: Bool, survey: Bool) {
        let input = try MediaInput(MediaLocation(Repository.fixture(clip)), timeout: 60)
        let info = try ClipProbe(timeout: 60).probe(input)
        let index = ClipSurvey.indexShowsNoGain(input, duration: info.duration, frameDuration: info.video.framesPerSecond.map { 1 / $0 })
        let survey = ClipSurvey(input: input, duration: info.duration, capture: nil, people: nil, progress: nil)
        try survey.read()
        return (index, survey.gainsNothing)
    }

    /// The index declines only clips the survey would decline after reading every packet
    /// and decoding every keyframe: on them the verdict comes at no cost, elsewhere it
    /// is the survey's own.
    @Test(arguments: FastPathParityTests.clips)
    func indexDeclinesOnlyWhatTheSurveyDeclines(_ clip: String) throws {
        let verdicts = try Self.verdicts(clip)
        #expect(!verdicts.index || verdicts.survey, "the index declines \(clip), the survey takes it")
    }

    /// Long GOPs and single keyframes are seen in an MP4's index, before a keyframe is decoded.
    @Test(arguments: ["long-gop.mp4", "rate-capped-gop.mp4", "shots.mp4", "landscape.mp4", "hevc-10bit.mp4"])
    func indexDeclinesWhatItCanTell(_ clip: String) throws {
        #expect(try Self.verdicts(clip) == (true, true))
    }

    /// Clips with short GOPs go on to the survey.
    @Test(arguments: ["pframes.mp4", "scenecut.mp4", "fades.mp4", "rapid-cuts.mp4"])
    func indexLetsShortGOPsThrough(_ clip: String) throws {
        #expect(try Self.verdicts(clip) == (false, false))
    }
}
