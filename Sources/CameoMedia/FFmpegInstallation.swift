/// For `cameo config`: whether the FFmpeg libraries load, as a media command would load them.
public enum FFmpegInstallation {
    /// Nil when FFmpeg loaded; otherwise why it did not, with the package that fixes it.
    public static func loadError() -> String? {
        do {
            try FFmpegLibrary.require()
            return nil
        } catch {
            return error.description
        }
    }
}
