// FFmpeg, loaded when first needed rather than linked: every FFmpeg function
// cameo calls is defined here with its real prototype (the headers check it)
// and forwards to the library's own, found with dlsym.
#include "cffmpeg_loader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/channel_layout.h>
#include <libavutil/mathematics.h>
#include <libavutil/opt.h>
#include <libavutil/dict.h>
#include <libavutil/display.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libavutil/log.h>
#include <libavutil/pixdesc.h>
#include <libavutil/sha.h>
#include <libavutil/time.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>

enum Library { AVUTIL, SWSCALE, SWRESAMPLE, AVCODEC, AVFORMAT, LIBRARIES };

// The sonames of the major versions the headers describe: structure layouts must match.
static const char *const sonames[LIBRARIES] = {
    "libavutil.so." AV_STRINGIFY(LIBAVUTIL_VERSION_MAJOR),
    "libswscale.so." AV_STRINGIFY(LIBSWSCALE_VERSION_MAJOR),
    "libswresample.so." AV_STRINGIFY(LIBSWRESAMPLE_VERSION_MAJOR),
    "libavcodec.so." AV_STRINGIFY(LIBAVCODEC_VERSION_MAJOR),
    "libavformat.so." AV_STRINGIFY(LIBAVFORMAT_VERSION_MAJOR),
};

static void *handles[LIBRARIES];
static int loaded;
static char error_text[512];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load_all(void) {
    for (int library = 0; library < LIBRARIES; library++) {
        handles[library] = dlopen(sonames[library], RTLD_NOW | RTLD_LOCAL);
        if (!handles[library]) {
            const char *reason = dlerror();
            snprintf(error_text, sizeof error_text, "cannot load %s: %s", sonames[library], reason ? reason : "unknown error");
            loaded = -1;
            return;
        }
    }
    loaded = 1;
}

int cameo_ffmpeg_load(void) {
    pthread_once(&once, load_all);
    return loaded > 0;
}

const char *cameo_ffmpeg_load_error(void) {
    return error_text;
}

static void *resolve(enum Library library, const char *name) {
    void *function = cameo_ffmpeg_load() ? dlsym(handles[library], name) : NULL;
    if (!function) {
        // Only reachable when the installed FFmpeg is broken: Swift checks the load first.
        fprintf(stderr, "cameo: error: FFmpeg is unusable (%s%s%s); run scripts/bootstrap\n",
                loaded > 0 ? "no " : error_text, loaded > 0 ? name : "", loaded > 0 ? " in it" : "");
        exit(4);
    }
    return function;
}

#define FORWARD(library, type, name, parameters, arguments)                          \
    type name parameters {                                                            \
        static type(*real) parameters;                                                \
        if (!real) real = (type(*) parameters)resolve(library, #name);                \
        return real arguments;                                                        \
    }

#define FORWARD_VOID(library, name, parameters, arguments)                           \
    void name parameters {                                                            \
        static void(*real) parameters;                                                \
        if (!real) real = (void(*) parameters)resolve(library, #name);                \
        real arguments;                                                               \
    }

// libavutil
FORWARD(AVUTIL, int64_t, av_gettime_relative, (void), ())
FORWARD(AVUTIL, int, av_strerror, (int errnum, char *errbuf, size_t errbuf_size), (errnum, errbuf, errbuf_size))
FORWARD(AVUTIL, AVFrame *, av_frame_alloc, (void), ())
FORWARD_VOID(AVUTIL, av_frame_free, (AVFrame **frame), (frame))
FORWARD_VOID(AVUTIL, av_frame_unref, (AVFrame *frame), (frame))
FORWARD(AVUTIL, int, av_frame_get_buffer, (AVFrame *frame, int align), (frame, align))
FORWARD(AVUTIL, int, av_dict_set, (AVDictionary **pm, const char *key, const char *value, int flags), (pm, key, value, flags))
FORWARD_VOID(AVUTIL, av_dict_free, (AVDictionary **m), (m))
FORWARD_VOID(AVUTIL, av_free, (void *ptr), (ptr))
FORWARD(AVUTIL, double, av_display_rotation_get, (const int32_t matrix[9]), (matrix))
FORWARD(AVUTIL, const AVPixFmtDescriptor *, av_pix_fmt_desc_get, (enum AVPixelFormat pix_fmt), (pix_fmt))
FORWARD_VOID(AVUTIL, av_log_set_level, (int level), (level))
FORWARD_VOID(AVUTIL, av_log_set_callback, (void (*callback)(void *, int, const char *, va_list)), (callback))
FORWARD(AVUTIL, struct AVSHA *, av_sha_alloc, (void), ())
FORWARD(AVUTIL, int, av_sha_init, (struct AVSHA *context, int bits), (context, bits))
FORWARD_VOID(AVUTIL, av_sha_update, (struct AVSHA *ctx, const uint8_t *data, size_t len), (ctx, data, len))
FORWARD_VOID(AVUTIL, av_sha_final, (struct AVSHA *context, uint8_t *digest), (context, digest))

FORWARD(AVUTIL, int, av_opt_set, (void *obj, const char *name, const char *val, int search_flags), (obj, name, val, search_flags))
FORWARD(AVUTIL, int64_t, av_rescale_q, (int64_t a, AVRational bq, AVRational cq), (a, bq, cq))
FORWARD(AVUTIL, int, av_frame_make_writable, (AVFrame *frame), (frame))
FORWARD_VOID(AVUTIL, av_channel_layout_default, (AVChannelLayout *ch_layout, int nb_channels), (ch_layout, nb_channels))
FORWARD_VOID(AVUTIL, av_channel_layout_uninit, (AVChannelLayout *channel_layout), (channel_layout))
FORWARD(AVUTIL, int, av_channel_layout_copy, (AVChannelLayout *dst, const AVChannelLayout *src), (dst, src))

// libswresample (its layouts became const in major version 5)
#if LIBSWRESAMPLE_VERSION_MAJOR >= 5
#define CAMEO_SWR_LAYOUT const AVChannelLayout
#else
#define CAMEO_SWR_LAYOUT AVChannelLayout
#endif
FORWARD(SWRESAMPLE, int, swr_alloc_set_opts2,
        (struct SwrContext **ps, CAMEO_SWR_LAYOUT *out_ch_layout, enum AVSampleFormat out_sample_fmt, int out_sample_rate,
         CAMEO_SWR_LAYOUT *in_ch_layout, enum AVSampleFormat in_sample_fmt, int in_sample_rate, int log_offset, void *log_ctx),
        (ps, out_ch_layout, out_sample_fmt, out_sample_rate, in_ch_layout, in_sample_fmt, in_sample_rate, log_offset, log_ctx))
FORWARD(SWRESAMPLE, int, swr_init, (struct SwrContext *s), (s))
FORWARD_VOID(SWRESAMPLE, swr_free, (struct SwrContext **s), (s))
FORWARD(SWRESAMPLE, int, swr_convert,
        (struct SwrContext *s, uint8_t **out, int out_count, const uint8_t **in, int in_count), (s, out, out_count, in, in_count))

// libswscale
FORWARD(SWSCALE, struct SwsContext *, sws_getContext,
        (int srcW, int srcH, enum AVPixelFormat srcFormat, int dstW, int dstH, enum AVPixelFormat dstFormat, int flags,
         SwsFilter *srcFilter, SwsFilter *dstFilter, const double *param),
        (srcW, srcH, srcFormat, dstW, dstH, dstFormat, flags, srcFilter, dstFilter, param))
FORWARD(SWSCALE, struct SwsContext *, sws_getCachedContext,
        (struct SwsContext *context, int srcW, int srcH, enum AVPixelFormat srcFormat, int dstW, int dstH,
         enum AVPixelFormat dstFormat, int flags, SwsFilter *srcFilter, SwsFilter *dstFilter, const double *param),
        (context, srcW, srcH, srcFormat, dstW, dstH, dstFormat, flags, srcFilter, dstFilter, param))
FORWARD_VOID(SWSCALE, sws_freeContext, (struct SwsContext *swsContext), (swsContext))
FORWARD(SWSCALE, int, sws_scale,
        (struct SwsContext *c, const uint8_t *const srcSlice[], const int srcStride[], int srcSliceY, int srcSliceH,
         uint8_t *const dst[], const int dstStride[]),
        (c, srcSlice, srcStride, srcSliceY, srcSliceH, dst, dstStride))

// libavcodec
FORWARD(AVCODEC, AVPacket *, av_packet_alloc, (void), ())
FORWARD_VOID(AVCODEC, av_packet_free, (AVPacket **pkt), (pkt))
FORWARD_VOID(AVCODEC, av_packet_unref, (AVPacket *pkt), (pkt))
FORWARD(AVCODEC, const char *, avcodec_get_name, (enum AVCodecID id), (id))
FORWARD(AVCODEC, const AVCodec *, avcodec_find_decoder, (enum AVCodecID id), (id))
FORWARD(AVCODEC, const AVCodec *, avcodec_find_encoder, (enum AVCodecID id), (id))
FORWARD(AVCODEC, AVCodecContext *, avcodec_alloc_context3, (const AVCodec *codec), (codec))
FORWARD_VOID(AVCODEC, avcodec_free_context, (AVCodecContext **avctx), (avctx))
FORWARD(AVCODEC, int, avcodec_parameters_to_context, (AVCodecContext *codec, const AVCodecParameters *par), (codec, par))
FORWARD(AVCODEC, int, avcodec_open2, (AVCodecContext *avctx, const AVCodec *codec, AVDictionary **options), (avctx, codec, options))
FORWARD(AVCODEC, int, avcodec_send_packet, (AVCodecContext *avctx, const AVPacket *avpkt), (avctx, avpkt))
FORWARD(AVCODEC, int, avcodec_receive_frame, (AVCodecContext *avctx, AVFrame *frame), (avctx, frame))
FORWARD(AVCODEC, int, avcodec_send_frame, (AVCodecContext *avctx, const AVFrame *frame), (avctx, frame))
FORWARD(AVCODEC, int, avcodec_receive_packet, (AVCodecContext *avctx, AVPacket *avpkt), (avctx, avpkt))
FORWARD_VOID(AVCODEC, avcodec_flush_buffers, (AVCodecContext *avctx), (avctx))
FORWARD(AVCODEC, const AVCodec *, avcodec_find_encoder_by_name, (const char *name), (name))
FORWARD(AVCODEC, int, avcodec_parameters_from_context, (AVCodecParameters *par, const AVCodecContext *codec), (par, codec))
FORWARD_VOID(AVCODEC, av_packet_rescale_ts, (AVPacket *pkt, AVRational tb_src, AVRational tb_dst), (pkt, tb_src, tb_dst))
#if LIBAVFORMAT_VERSION_INT >= AV_VERSION_INT(60, 15, 100)
FORWARD(AVCODEC, const AVPacketSideData *, av_packet_side_data_get,
        (const AVPacketSideData *sd, int nb_sd, enum AVPacketSideDataType type), (sd, nb_sd, type))
#endif

// libavformat
FORWARD(AVFORMAT, AVFormatContext *, avformat_alloc_context, (void), ())
FORWARD(AVFORMAT, int, avformat_open_input, (AVFormatContext **ps, const char *url, const AVInputFormat *fmt, AVDictionary **options),
        (ps, url, fmt, options))
FORWARD(AVFORMAT, int, avformat_find_stream_info, (AVFormatContext *ic, AVDictionary **options), (ic, options))
FORWARD_VOID(AVFORMAT, avformat_close_input, (AVFormatContext **s), (s))
FORWARD(AVFORMAT, int, av_read_frame, (AVFormatContext *s, AVPacket *pkt), (s, pkt))
FORWARD(AVFORMAT, int, av_seek_frame, (AVFormatContext *s, int stream_index, int64_t timestamp, int flags), (s, stream_index, timestamp, flags))
FORWARD(AVFORMAT, int, avformat_seek_file, (AVFormatContext *s, int stream_index, int64_t min_ts, int64_t ts, int64_t max_ts, int flags),
        (s, stream_index, min_ts, ts, max_ts, flags))
FORWARD(AVFORMAT, int64_t, avio_size, (AVIOContext *s), (s))
FORWARD(AVFORMAT, int, avformat_alloc_output_context2,
        (AVFormatContext **ctx, const AVOutputFormat *oformat, const char *format_name, const char *filename),
        (ctx, oformat, format_name, filename))
FORWARD_VOID(AVFORMAT, avformat_free_context, (AVFormatContext *s), (s))
FORWARD(AVFORMAT, AVStream *, avformat_new_stream, (AVFormatContext *s, const AVCodec *c), (s, c))
FORWARD(AVFORMAT, int, avio_open, (AVIOContext **s, const char *url, int flags), (s, url, flags))
FORWARD(AVFORMAT, int, avio_closep, (AVIOContext **s), (s))
FORWARD(AVFORMAT, int, avformat_write_header, (AVFormatContext *s, AVDictionary **options), (s, options))
FORWARD(AVFORMAT, int, av_interleaved_write_frame, (AVFormatContext *s, AVPacket *pkt), (s, pkt))
FORWARD(AVFORMAT, int, av_write_trailer, (AVFormatContext *s), (s))
#if LIBAVFORMAT_VERSION_INT < AV_VERSION_INT(60, 15, 100)
FORWARD(AVFORMAT, uint8_t *, av_stream_get_side_data, (const AVStream *stream, enum AVPacketSideDataType type, size_t *size),
        (stream, type, size))
#endif
