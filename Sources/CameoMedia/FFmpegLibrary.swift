import CFFmpegLoader

/// FFmpeg is opened on first use (see CFFmpegLoader); this turns a missing or
/// broken installation into an error the user can act on.
enum FFmpegLibrary {
    static func require() throws(MediaError) {
        guard cameo_ffmpeg_load() != 0 else {
            throw .ffmpegUnavailable(String(cString: cameo_ffmpeg_load_error()))
        }
    }
}
