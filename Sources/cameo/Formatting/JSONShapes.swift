import CameoMedia
import CameoText
import Foundation

/// A stretch of a clip in seconds: every document writes one as `{"start", "end"}`.
struct TimeRange: Encodable, Equatable {
    var start: Double
    var end: Double
}

/// One name per concept across every command's JSON. The media module keeps
/// its own names (they are stored in catalogs); they are changed on the way out.
enum JSONShapes {
    /// Facts of a clip as `probe --json` prints them: the video's
    /// `avg_frame_rate` is `frame_rate`, as in `windows` and `cut`.
    static func probe(_ info: ClipInfo) throws -> JSONValue {
        let value = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(info))
        guard case .object(var top) = value, case .object(var video)? = top["video"] else { return value }
        if let rate = video.removeValue(forKey: "avg_frame_rate") { video["frame_rate"] = rate }
        top["video"] = .object(video)
        return .object(top)
    }
}
