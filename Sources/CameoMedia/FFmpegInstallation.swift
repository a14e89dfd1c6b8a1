import CFFmpegLoader

/// For `cameo config`: whether the FFmpeg libraries load, as a media command would load them.
public enum FFmpegInstallation {
    /// Nil when FFmpeg loaded; otherwise why it did not.
    public static func loadError() -> String? {
        cameo_ffmpeg_load() != 0 ? nil : String(cString: cameo_ffmpeg_load_error())
    }
}
