#ifndef CAMEO_FFMPEG_LOADER_H
#define CAMEO_FFMPEG_LOADER_H

/// Loads the FFmpeg libraries on first use: 1 when they are there, 0 when not
/// (then `cameo_ffmpeg_load_error` says why). Commands that never touch media
/// never pay for mapping FFmpeg's hundred-odd codec libraries at start-up.
int cameo_ffmpeg_load(void);
const char *cameo_ffmpeg_load_error(void);

#endif
