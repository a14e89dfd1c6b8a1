// What Swift cannot import from FFmpeg directly: function-like macros, and
// API that moved between FFmpeg releases (kept here so Swift sees one shape).
#ifndef CAMEO_FFMPEG_SHIM_H
#define CAMEO_FFMPEG_SHIM_H

#include <errno.h>
#include <stdio.h>
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
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>

/// Whether libavcodec keeps a stream's side data (its display matrix) in the
/// codec parameters: since libavcodec 60.30 (FFmpeg 6.1). Gated on
/// libavcodec's own version, which is the library that has the function.
#define CAMEO_CODED_SIDE_DATA (LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(60, 30, 100))

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
#if CAMEO_CODED_SIDE_DATA
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

/// Whether an entry of a stream's index is a keyframe (the flag is a bit-field).
static inline int cameo_index_entry_is_key(const AVIndexEntry *entry) {
    return (entry->flags & AVINDEX_KEYFRAME) != 0;
}

static inline int cameo_frame_is_key(const AVFrame *frame) {
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT(58, 7, 100)
    return (frame->flags & AV_FRAME_FLAG_KEY) != 0;
#else
    return frame->key_frame;
#endif
}

/// Sets an encoder's channel layout to the default one for `channels`.
static inline void cameo_set_channels(AVCodecContext *context, int channels) {
    av_channel_layout_uninit(&context->ch_layout);
    av_channel_layout_default(&context->ch_layout, channels);
}

/// Gives an audio frame the encoder's channel layout.
static inline void cameo_frame_set_channels(AVFrame *frame, const AVCodecContext *encoder) {
    av_channel_layout_copy(&frame->ch_layout, &encoder->ch_layout);
}

/// A resampler from a decoder's audio to an encoder's (format, rate, layout); NULL when impossible.
static inline struct SwrContext *cameo_resampler(const AVCodecContext *from, const AVCodecContext *to) {
    struct SwrContext *context = NULL;
    AVChannelLayout in;
    if (from->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || from->ch_layout.nb_channels == 0) {
        av_channel_layout_default(&in, from->ch_layout.nb_channels > 0 ? from->ch_layout.nb_channels : 2);
    } else if (av_channel_layout_copy(&in, &from->ch_layout) < 0) {
        return NULL;
    }
    int status = swr_alloc_set_opts2(&context, (AVChannelLayout *)&to->ch_layout, to->sample_fmt, to->sample_rate,
                                     &in, from->sample_fmt, from->sample_rate, 0, NULL);
    av_channel_layout_uninit(&in);
    if (status < 0 || swr_init(context) < 0) {
        swr_free(&context);
        return NULL;
    }
    return context;
}

/// Copies a `width`x`height` 8-bit plane into `target`, turned by quarter turns
/// counter-clockwise (1, 2 or 3): display rotation applied to pixels.
static inline void cameo_rotate_plane(const uint8_t *source, int source_stride, int width, int height,
                                      uint8_t *target, int target_stride, int turns) {
    for (int y = 0; y < height; y++) {
        const uint8_t *row = source + (size_t)y * source_stride;
        for (int x = 0; x < width; x++) {
            int tx, ty;
            switch (turns) {
            case 1: tx = y; ty = width - 1 - x; break;
            case 2: tx = width - 1 - x; ty = height - 1 - y; break;
            default: tx = height - 1 - y; ty = x; break;
            }
            target[(size_t)ty * target_stride + tx] = row[x];
        }
    }
}

/// Lets a deadline abort blocking I/O (a stalled server, a slow disk), and a
/// byte cap abort a server that never stops sending (an endless stream).
typedef struct {
    int64_t deadline_us;  // av_gettime_relative() clock
    int cancelled;
    int64_t max_bytes;    // 0: no cap; else the most the input's AVIOContext may read in all
    int over_cap;         // set once the cap stopped a read
    const AVFormatContext *context;
} CameoDeadline;

static inline int cameo_deadline_passed(void *opaque) {
    const CameoDeadline *deadline = (const CameoDeadline *)opaque;
    return deadline->cancelled || (deadline->deadline_us > 0 && av_gettime_relative() > deadline->deadline_us);
}

/// The interrupt callback: libavformat asks it between reads, with the
/// protocol's own reads included, so a cap stops even a header that never ends.
static inline int cameo_input_interrupted(void *opaque) {
    CameoDeadline *deadline = (CameoDeadline *)opaque;
    if (deadline->max_bytes > 0 && deadline->context && deadline->context->pb &&
        deadline->context->pb->bytes_read > deadline->max_bytes) {
        deadline->over_cap = 1;
    }
    return deadline->over_cap || cameo_deadline_passed(opaque);
}

static inline void cameo_install_deadline(AVFormatContext *context, CameoDeadline *deadline) {
    deadline->context = context;
    context->interrupt_callback.callback = cameo_input_interrupted;
    context->interrupt_callback.opaque = deadline;
}

#endif
