import CFFmpegLoader

/// FFmpeg is opened on first use (see CFFmpegLoader); this turns a missing,
/// old or broken installation into an error the user can act on.
enum FFmpegLibrary {
    static func require() throws(MediaError) {
        let status = cameo_ffmpeg_load()
        guard status != CAMEO_FFMPEG_LOADED else { return }
        let library = String(cString: cameo_ffmpeg_failed_library())
        let major = Int(cameo_ffmpeg_failed_major())
        let detail = String(cString: cameo_ffmpeg_load_error())
        let kind: FFmpegProblem.Kind = switch status {
        case CAMEO_FFMPEG_TOO_OLD: .tooOld
        case CAMEO_FFMPEG_NO_FUNCTION: .incomplete
        default: .missing
        }
        throw .ffmpegUnavailable(FFmpegProblem(kind: kind, library: library, major: major, detail: detail))
    }
}

/// Why FFmpeg cannot be used: which library, and how it failed.
public struct FFmpegProblem: Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case missing, tooOld, incomplete }
    public var kind: Kind
    /// "libavcodec"
    public var library: String
    public var major: Int
    /// The loader's own words (dlerror's text, the versions, the missing function).
    public var detail: String

    /// The Debian package that installs this library: "libavcodec59".
    public var package: String { "\(library)\(major)" }

    public var description: String {
        switch kind {
        case .missing: "FFmpeg's \(library) cannot be loaded (\(detail)); install the Debian package \(package) (scripts/bootstrap does)"
        case .tooOld: "FFmpeg's \(library) is too old (\(detail)); upgrade the Debian package \(package)"
        case .incomplete:
            "FFmpeg's \(library) is broken or not the one cameo was built for (\(detail)); reinstall the Debian package \(package)"
        }
    }
}
