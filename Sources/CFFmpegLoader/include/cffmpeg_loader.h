#ifndef CAMEO_FFMPEG_LOADER_H
#define CAMEO_FFMPEG_LOADER_H

/// How loading FFmpeg went. Commands that never touch media never pay for
/// mapping FFmpeg's hundred-odd codec libraries at start-up: the libraries
/// are opened, checked and every function cameo calls is resolved once, on
/// first use.
typedef enum {
    CAMEO_FFMPEG_LOADED = 0,
    /// A library cannot be opened (not installed, or not loadable).
    CAMEO_FFMPEG_NO_LIBRARY = 1,
    /// A library is older than the headers cameo was built with.
    CAMEO_FFMPEG_TOO_OLD = 2,
    /// A library lacks a function cameo calls (a broken or foreign build).
    CAMEO_FFMPEG_NO_FUNCTION = 3,
} CameoFFmpegStatus;

/// Loads once; later calls return the same status.
CameoFFmpegStatus cameo_ffmpeg_load(void);

/// After a failed load: the library's name ("libavcodec"), its major version,
/// and what went wrong (dlerror's text, the missing function, the versions).
const char *cameo_ffmpeg_failed_library(void);
int cameo_ffmpeg_failed_major(void);
const char *cameo_ffmpeg_load_error(void);

#endif
