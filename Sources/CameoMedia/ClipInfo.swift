import CameoText
import Foundation

/// What a clip is, in ffprobe's field names where ffprobe has one.
public struct ClipInfo: Codable, Equatable, Sendable {
    public var path: String
    public var formatName: String
    /// Seconds from the first frame a player shows to the end.
    public var duration: Double
    /// Where the duration came from: the container's header, or its packets when the header has none.
    public var durationSource: DurationSource
    @NullEncoded public var startTime: Double?
    @NullEncoded public var size: Int64?
    @NullEncoded public var bitRate: Int64?
    public var video: VideoStream
    @NullEncoded public var audio: AudioStream?
    public var warnings: [ClipWarning]

    public enum DurationSource: String, Codable, Sendable {
        case header, packets
    }

    public struct VideoStream: Codable, Equatable, Sendable {
        public var codecName: String
        /// Coded size, before rotation.
        public var width: Int
        public var height: Int
        /// Degrees, as ffprobe reports the display matrix (0 when there is none).
        public var rotation: Int
        /// Size as a player shows it: after rotation and sample aspect ratio.
        public var displayWidth: Int
        public var displayHeight: Int
        /// As ffprobe writes it: `30/1`, `30000/1001`, `0/0` when unknown.
        public var avgFrameRate: String
        @NullEncoded public var nbFrames: Int?

        enum CodingKeys: String, CodingKey {
            case width, height, rotation
            case codecName = "codec_name", displayWidth = "display_width", displayHeight = "display_height"
            case avgFrameRate = "avg_frame_rate", nbFrames = "nb_frames"
        }

        /// Frames per second, when known.
        public var framesPerSecond: Double? {
            let parts = avgFrameRate.split(separator: "/").compactMap { Double($0) }
            guard parts.count == 2, parts[1] > 0, parts[0] > 0 else { return nil }
            return parts[0] / parts[1]
        }
    }

    public struct AudioStream: Codable, Equatable, Sendable {
        public var codecName: String
        public var channels: Int
        public var sampleRate: Int

        public init(codecName: String, channels: Int, sampleRate: Int) {
            self.codecName = codecName
            self.channels = channels
            self.sampleRate = sampleRate
        }

        enum CodingKeys: String, CodingKey {
            case channels
            case codecName = "codec_name", sampleRate = "sample_rate"
        }
    }

    enum CodingKeys: String, CodingKey {
        case path, duration, size, video, audio, warnings
        case formatName = "format_name", durationSource = "duration_source", startTime = "start_time", bitRate = "bit_rate"
    }

    /// MP4 and QuickTime share one demuxer; its name lists them all.
    public var isMP4: Bool { formatName.split(separator: ",").contains("mp4") }
}

/// Something providers are known to reject or degrade.
public struct ClipWarning: Codable, Equatable, Sendable, CustomStringConvertible {
    public var code: Code
    public var message: String

    public enum Code: String, Codable, Sendable {
        case tooShort = "too-short"
        case noAudio = "no-audio"
        case belowHD = "below-720p"
        case extremeAspect = "extreme-aspect-ratio"
        case notMP4H264 = "not-mp4-h264"
    }

    public var description: String { message }

    /// The checks, from the facts alone.
    public static func evaluate(_ info: ClipInfo) -> [ClipWarning] {
        var warnings: [ClipWarning] = []
        if info.duration < 1 {
            warnings.append(.init(code: .tooShort, message: "plays for \(Seconds.format(info.duration)) s: no 1-3 s character window fits"))
        }
        if info.audio == nil {
            warnings.append(.init(code: .noAudio, message: "has no audio stream: some providers refuse or degrade silent character videos"))
        }
        let shortSide = min(info.video.displayWidth, info.video.displayHeight)
        let longSide = max(info.video.displayWidth, info.video.displayHeight)
        if shortSide < 720 {
            warnings.append(.init(code: .belowHD, message: "is \(info.video.displayWidth)x\(info.video.displayHeight), smaller than 720p: the character may come out blurred"))
        }
        if shortSide > 0, Double(longSide) / Double(shortSide) > 2.67 {
            let ratio = String(format: "%.2f", Double(longSide) / Double(shortSide))
            warnings.append(.init(code: .extremeAspect, message: "has an aspect ratio of \(ratio):1, beyond the 2.67:1 providers accept"))
        }
        if !info.isMP4 || info.video.codecName != "h264" {
            warnings.append(.init(code: .notMP4H264, message: "is \(info.formatName.split(separator: ",").first ?? "?")/\(info.video.codecName), not MP4/H.264: providers may refuse it as character_url"))
        }
        return warnings
    }
}
