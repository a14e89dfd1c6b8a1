// What Swift cannot import from FFmpeg directly: function-like macros, and
// API that moved between FFmpeg releases (kept here so Swift sees one shape).
#ifndef CAMEO_FFMPEG_SHIM_H
#define CAMEO_FFMPEG_SHIM_H

#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/display.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>
#include <libavutil/sha.h>
#include <libavutil/time.h>
#include <libswscale/swscale.h>

static inline int cameo_averror(int posix_error) { return AVERROR(posix_error); }
static inline int cameo_averror_eof(void) { return AVERROR_EOF; }
static inline int cameo_averror_exit(void) { return AVERROR_EXIT; }
static inline int cameo_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
static inline int64_t cameo_nopts(void) { return AV_NOPTS_VALUE; }
static inline int64_t cameo_time_base(void) { return AV_TIME_BASE; }

/// The message FFmpeg has for an error code, written into `buffer`.
static inline void cameo_error_string(int code, char *buffer, size_t size) {
    if (av_strerror(code, buffer, size) < 0) {
        snprintf(buffer, size, "error %d", code);
    }
}

/// The stream's display matrix (9 int32 values), or NULL.
static inline const int32_t *cameo_display_matrix(const AVStream *stream) {
#if LIBAVFORMAT_VERSION_INT >= AV_VERSION_INT(60, 15, 100)
    const AVPacketSideData *side = av_packet_side_data_get(
        stream->codecpar->coded_side_data, stream->codecpar->nb_coded_side_data, AV_PKT_DATA_DISPLAYMATRIX);
    return side && side->size >= 9 * sizeof(int32_t) ? (const int32_t *)side->data : NULL;
#else
    size_t size = 0;
    const uint8_t *data = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, &size);
    return data && size >= 9 * sizeof(int32_t) ? (const int32_t *)data : NULL;
#endif
}

static inline int cameo_channels(const AVCodecParameters *parameters) {
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT(57, 28, 100)
    return parameters->ch_layout.nb_channels;
#else
    return parameters->channels;
#endif
}

static inline int cameo_is_attached_picture(const AVStream *stream) {
    return (stream->disposition & AV_DISPOSITION_ATTACHED_PIC) != 0;
}

static inline int cameo_duration_from_bitrate(const AVFormatContext *context) {
    return context->duration_estimation_method == AVFMT_DURATION_FROM_BITRATE;
}

static inline int cameo_frame_is_key(const AVFrame *frame) {
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT(58, 7, 100)
    return (frame->flags & AV_FRAME_FLAG_KEY) != 0;
#else
    return frame->key_frame;
#endif
}

/// Lets a deadline abort blocking I/O (a stalled server, a slow disk).
typedef struct {
    int64_t deadline_us;  // av_gettime_relative() clock
    int cancelled;
} CameoDeadline;

static inline int cameo_deadline_passed(void *opaque) {
    const CameoDeadline *deadline = (const CameoDeadline *)opaque;
    return deadline->cancelled || (deadline->deadline_us > 0 && av_gettime_relative() > deadline->deadline_us);
}

static inline void cameo_install_deadline(AVFormatContext *context, CameoDeadline *deadline) {
    context->interrupt_callback.callback = cameo_deadline_passed;
    context->interrupt_callback.opaque = deadline;
}

#endif
