// FFmpeg, loaded when first needed rather than linked. Every FFmpeg function
// cameo calls is listed once, in ffmpeg_functions.h, with its real prototype
// (the headers check it). That list expands here three times: a table of
// function pointers, the code that fills it at load (under a once-guard) and
// says which entry is missing, and the forwarders Swift calls.
#include "cffmpeg_loader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../CFFmpeg/shim.h"
#include <libavutil/channel_layout.h>
#include <libavutil/dict.h>
#include <libavutil/frame.h>
#include <libavutil/mathematics.h>
#include <libavutil/pixdesc.h>

enum Library { AVUTIL, SWSCALE, SWRESAMPLE, AVCODEC, AVFORMAT, LIBRARIES };

static const struct {
    const char *name;
    const char *version_function;
    unsigned built_with;  // the headers' AV_VERSION_INT
} libraries[LIBRARIES] = {
    {"libavutil", "avutil_version", LIBAVUTIL_VERSION_INT},
    {"libswscale", "swscale_version", LIBSWSCALE_VERSION_INT},
    {"libswresample", "swresample_version", LIBSWRESAMPLE_VERSION_INT},
    {"libavcodec", "avcodec_version", LIBAVCODEC_VERSION_INT},
    {"libavformat", "avformat_version", LIBAVFORMAT_VERSION_INT},
};

static void *handles[LIBRARIES];
static CameoFFmpegStatus status = CAMEO_FFMPEG_NO_LIBRARY;
static int failed = -1;
static char error_text[512];
static pthread_once_t once = PTHREAD_ONCE_INIT;

// The table: one pointer per listed function.
// libswresample's layouts became const in major version 5.
#if LIBSWRESAMPLE_VERSION_MAJOR >= 5
#define CAMEO_SWR_LAYOUT const AVChannelLayout
#else
#define CAMEO_SWR_LAYOUT AVChannelLayout
#endif
#define FFMPEG_FUNCTION(library, type, name, parameters, arguments) static type(*real_##name) parameters;
#define FFMPEG_PROCEDURE(library, name, parameters, arguments) static void(*real_##name) parameters;
#include "ffmpeg_functions.h"
#undef FFMPEG_FUNCTION
#undef FFMPEG_PROCEDURE

static CameoFFmpegStatus fail(CameoFFmpegStatus why, int library) {
    failed = library;
    return why;
}

// Fills the table's entries for one library, right after it is opened: a
// broken library is named before the next one (which may need it) is opened.
static CameoFFmpegStatus resolve(enum Library current) {
#define RESOLVE(library, function)                                                                        \
    if (library == current) {                                                                             \
    *(void **)&real_##function = dlsym(handles[library], #function);                                      \
    if (!real_##function) {                                                                               \
        snprintf(error_text, sizeof error_text, "%s.so.%u has no %s", libraries[library].name,           \
                 libraries[library].built_with >> 16, #function);                                        \
        return fail(CAMEO_FFMPEG_NO_FUNCTION, library);                                                   \
    }                                                                                                     \
    }
#define FFMPEG_FUNCTION(library, type, name, parameters, arguments) RESOLVE(library, name)
#define FFMPEG_PROCEDURE(library, name, parameters, arguments) RESOLVE(library, name)
#include "ffmpeg_functions.h"
#undef FFMPEG_FUNCTION
#undef FFMPEG_PROCEDURE
#undef RESOLVE
    return CAMEO_FFMPEG_LOADED;
}

// Opens the libraries of the major versions the headers describe (structure
// layouts must match), refuses one older than the headers, resolves the table.
static CameoFFmpegStatus load_all(void) {
    for (int library = 0; library < LIBRARIES; library++) {
        char soname[64];
        snprintf(soname, sizeof soname, "%s.so.%u", libraries[library].name, libraries[library].built_with >> 16);
        handles[library] = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
        if (!handles[library]) {
            const char *reason = dlerror();
            snprintf(error_text, sizeof error_text, "cannot load %s: %s", soname, reason ? reason : "unknown error");
            return fail(CAMEO_FFMPEG_NO_LIBRARY, library);
        }
        unsigned (*version)(void) = (unsigned (*)(void))dlsym(handles[library], libraries[library].version_function);
        if (!version) {
            snprintf(error_text, sizeof error_text, "%s has no %s", soname, libraries[library].version_function);
            return fail(CAMEO_FFMPEG_NO_FUNCTION, library);
        }
        const unsigned found = version(), wanted = libraries[library].built_with;
        if (found >> 16 != wanted >> 16 || found < wanted) {
            snprintf(error_text, sizeof error_text, "%s is version %u.%u.%u; cameo was built with %u.%u.%u and needs that or newer",
                     soname, found >> 16, (found >> 8) & 0xFF, found & 0xFF, wanted >> 16, (wanted >> 8) & 0xFF, wanted & 0xFF);
            return fail(CAMEO_FFMPEG_TOO_OLD, library);
        }
        const CameoFFmpegStatus resolved = resolve((enum Library)library);
        if (resolved != CAMEO_FFMPEG_LOADED) return resolved;
    }
    return CAMEO_FFMPEG_LOADED;
}

static void load_once(void) {
    status = load_all();
}

CameoFFmpegStatus cameo_ffmpeg_load(void) {
    pthread_once(&once, load_once);
    return status;
}

const char *cameo_ffmpeg_failed_library(void) {
    return failed >= 0 ? libraries[failed].name : "";
}

int cameo_ffmpeg_failed_major(void) {
    return failed >= 0 ? (int)(libraries[failed].built_with >> 16) : 0;
}

const char *cameo_ffmpeg_load_error(void) {
    return error_text;
}

// The forwarders. Swift reaches FFmpeg only through values it got after
// FFmpegLibrary.require() loaded the table (MediaInput, FileHash, PNG), so
// every pointer is set when these run.
#define FFMPEG_FUNCTION(library, type, name, parameters, arguments) \
    type name parameters { return real_##name arguments; }
#define FFMPEG_PROCEDURE(library, name, parameters, arguments) \
    void name parameters { real_##name arguments; }
#include "ffmpeg_functions.h"
#undef FFMPEG_FUNCTION
#undef FFMPEG_PROCEDURE
