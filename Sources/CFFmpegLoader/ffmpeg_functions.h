// Every FFmpeg function cameo calls, once: library, return type, name,
// parameters, arguments. loader.c expands this list into the table it fills
// at load, the checks that every entry was found, and the forwarders Swift calls.
// FFMPEG_PROCEDURE is the same for functions that return nothing.
// No include guard: it is included once per expansion.

// libavutil
FFMPEG_FUNCTION(AVUTIL, int64_t, av_gettime_relative, (void), ())
FFMPEG_FUNCTION(AVUTIL, int, av_strerror, (int errnum, char *errbuf, size_t errbuf_size), (errnum, errbuf, errbuf_size))
FFMPEG_FUNCTION(AVUTIL, AVFrame *, av_frame_alloc, (void), ())
FFMPEG_PROCEDURE(AVUTIL, av_frame_free, (AVFrame **frame), (frame))
FFMPEG_PROCEDURE(AVUTIL, av_frame_unref, (AVFrame *frame), (frame))
FFMPEG_FUNCTION(AVUTIL, int, av_frame_ref, (AVFrame *dst, const AVFrame *src), (dst, src))
FFMPEG_FUNCTION(AVUTIL, int, av_frame_get_buffer, (AVFrame *frame, int align), (frame, align))
FFMPEG_FUNCTION(AVUTIL, int, av_dict_set, (AVDictionary **pm, const char *key, const char *value, int flags), (pm, key, value, flags))
FFMPEG_PROCEDURE(AVUTIL, av_dict_free, (AVDictionary **m), (m))
FFMPEG_PROCEDURE(AVUTIL, av_free, (void *ptr), (ptr))
FFMPEG_FUNCTION(AVUTIL, double, av_display_rotation_get, (const int32_t matrix[9]), (matrix))
FFMPEG_FUNCTION(AVUTIL, const AVPixFmtDescriptor *, av_pix_fmt_desc_get, (enum AVPixelFormat pix_fmt), (pix_fmt))
FFMPEG_PROCEDURE(AVUTIL, av_log_set_level, (int level), (level))
FFMPEG_PROCEDURE(AVUTIL, av_log_set_callback, (void (*callback)(void *, int, const char *, va_list)), (callback))
FFMPEG_FUNCTION(AVUTIL, struct AVSHA *, av_sha_alloc, (void), ())
FFMPEG_FUNCTION(AVUTIL, int, av_sha_init, (struct AVSHA *context, int bits), (context, bits))
FFMPEG_PROCEDURE(AVUTIL, av_sha_update, (struct AVSHA *ctx, const uint8_t *data, size_t len), (ctx, data, len))
FFMPEG_PROCEDURE(AVUTIL, av_sha_final, (struct AVSHA *context, uint8_t *digest), (context, digest))

FFMPEG_FUNCTION(AVUTIL, int, av_opt_set, (void *obj, const char *name, const char *val, int search_flags), (obj, name, val, search_flags))
FFMPEG_FUNCTION(AVUTIL, int64_t, av_rescale_q, (int64_t a, AVRational bq, AVRational cq), (a, bq, cq))
FFMPEG_FUNCTION(AVUTIL, int, av_frame_make_writable, (AVFrame *frame), (frame))
FFMPEG_PROCEDURE(AVUTIL, av_channel_layout_default, (AVChannelLayout *ch_layout, int nb_channels), (ch_layout, nb_channels))
FFMPEG_PROCEDURE(AVUTIL, av_channel_layout_uninit, (AVChannelLayout *channel_layout), (channel_layout))
FFMPEG_FUNCTION(AVUTIL, int, av_channel_layout_copy, (AVChannelLayout *dst, const AVChannelLayout *src), (dst, src))

// libswresample
FFMPEG_FUNCTION(SWRESAMPLE, int, swr_alloc_set_opts2,
        (struct SwrContext **ps, CAMEO_SWR_LAYOUT *out_ch_layout, enum AVSampleFormat out_sample_fmt, int out_sample_rate,
         CAMEO_SWR_LAYOUT *in_ch_layout, enum AVSampleFormat in_sample_fmt, int in_sample_rate, int log_offset, void *log_ctx),
        (ps, out_ch_layout, out_sample_fmt, out_sample_rate, in_ch_layout, in_sample_fmt, in_sample_rate, log_offset, log_ctx))
FFMPEG_FUNCTION(SWRESAMPLE, int, swr_init, (struct SwrContext *s), (s))
FFMPEG_PROCEDURE(SWRESAMPLE, swr_free, (struct SwrContext **s), (s))
FFMPEG_FUNCTION(SWRESAMPLE, int, swr_convert,
        (struct SwrContext *s, uint8_t **out, int out_count, const uint8_t **in, int in_count), (s, out, out_count, in, in_count))

// libswscale
FFMPEG_FUNCTION(SWSCALE, struct SwsContext *, sws_getContext,
        (int srcW, int srcH, enum AVPixelFormat srcFormat, int dstW, int dstH, enum AVPixelFormat dstFormat, int flags,
         SwsFilter *srcFilter, SwsFilter *dstFilter, const double *param),
        (srcW, srcH, srcFormat, dstW, dstH, dstFormat, flags, srcFilter, dstFilter, param))
FFMPEG_FUNCTION(SWSCALE, struct SwsContext *, sws_getCachedContext,
        (struct SwsContext *context, int srcW, int srcH, enum AVPixelFormat srcFormat, int dstW, int dstH,
         enum AVPixelFormat dstFormat, int flags, SwsFilter *srcFilter, SwsFilter *dstFilter, const double *param),
        (context, srcW, srcH, srcFormat, dstW, dstH, dstFormat, flags, srcFilter, dstFilter, param))
FFMPEG_PROCEDURE(SWSCALE, sws_freeContext, (struct SwsContext *swsContext), (swsContext))
FFMPEG_FUNCTION(SWSCALE, int, sws_scale,
        (struct SwsContext *c, const uint8_t *const srcSlice[], const int srcStride[], int srcSliceY, int srcSliceH,
         uint8_t *const dst[], const int dstStride[]),
        (c, srcSlice, srcStride, srcSliceY, srcSliceH, dst, dstStride))
FFMPEG_FUNCTION(SWSCALE, int, sws_scale_frame, (struct SwsContext *c, AVFrame *dst, const AVFrame *src), (c, dst, src))

// libavcodec
FFMPEG_FUNCTION(AVCODEC, AVPacket *, av_packet_alloc, (void), ())
FFMPEG_PROCEDURE(AVCODEC, av_packet_free, (AVPacket **pkt), (pkt))
FFMPEG_PROCEDURE(AVCODEC, av_packet_unref, (AVPacket *pkt), (pkt))
FFMPEG_FUNCTION(AVCODEC, const char *, avcodec_get_name, (enum AVCodecID id), (id))
FFMPEG_FUNCTION(AVCODEC, const AVCodec *, avcodec_find_decoder, (enum AVCodecID id), (id))
FFMPEG_FUNCTION(AVCODEC, const AVCodec *, avcodec_find_encoder, (enum AVCodecID id), (id))
FFMPEG_FUNCTION(AVCODEC, AVCodecContext *, avcodec_alloc_context3, (const AVCodec *codec), (codec))
FFMPEG_PROCEDURE(AVCODEC, avcodec_free_context, (AVCodecContext **avctx), (avctx))
FFMPEG_FUNCTION(AVCODEC, int, avcodec_parameters_to_context, (AVCodecContext *codec, const AVCodecParameters *par), (codec, par))
FFMPEG_FUNCTION(AVCODEC, int, avcodec_open2, (AVCodecContext *avctx, const AVCodec *codec, AVDictionary **options), (avctx, codec, options))
FFMPEG_FUNCTION(AVCODEC, int, avcodec_send_packet, (AVCodecContext *avctx, const AVPacket *avpkt), (avctx, avpkt))
FFMPEG_FUNCTION(AVCODEC, int, avcodec_receive_frame, (AVCodecContext *avctx, AVFrame *frame), (avctx, frame))
FFMPEG_FUNCTION(AVCODEC, int, avcodec_send_frame, (AVCodecContext *avctx, const AVFrame *frame), (avctx, frame))
FFMPEG_FUNCTION(AVCODEC, int, avcodec_receive_packet, (AVCodecContext *avctx, AVPacket *avpkt), (avctx, avpkt))
FFMPEG_PROCEDURE(AVCODEC, avcodec_flush_buffers, (AVCodecContext *avctx), (avctx))
FFMPEG_FUNCTION(AVCODEC, const AVCodec *, avcodec_find_encoder_by_name, (const char *name), (name))
FFMPEG_FUNCTION(AVCODEC, int, avcodec_parameters_from_context, (AVCodecParameters *par, const AVCodecContext *codec), (par, codec))
FFMPEG_PROCEDURE(AVCODEC, av_packet_rescale_ts, (AVPacket *pkt, AVRational tb_src, AVRational tb_dst), (pkt, tb_src, tb_dst))
#if CAMEO_CODED_SIDE_DATA
FFMPEG_FUNCTION(AVCODEC, const AVPacketSideData *, av_packet_side_data_get,
        (const AVPacketSideData *sd, int nb_sd, enum AVPacketSideDataType type), (sd, nb_sd, type))
#endif

// libavformat
FFMPEG_FUNCTION(AVFORMAT, AVFormatContext *, avformat_alloc_context, (void), ())
FFMPEG_FUNCTION(AVFORMAT, int, avformat_open_input, (AVFormatContext **ps, const char *url, const AVInputFormat *fmt, AVDictionary **options),
        (ps, url, fmt, options))
FFMPEG_FUNCTION(AVFORMAT, int, avformat_find_stream_info, (AVFormatContext *ic, AVDictionary **options), (ic, options))
FFMPEG_PROCEDURE(AVFORMAT, avformat_close_input, (AVFormatContext **s), (s))
FFMPEG_FUNCTION(AVFORMAT, int, av_read_frame, (AVFormatContext *s, AVPacket *pkt), (s, pkt))
FFMPEG_FUNCTION(AVFORMAT, int, av_seek_frame, (AVFormatContext *s, int stream_index, int64_t timestamp, int flags), (s, stream_index, timestamp, flags))
FFMPEG_FUNCTION(AVFORMAT, int, avformat_seek_file, (AVFormatContext *s, int stream_index, int64_t min_ts, int64_t ts, int64_t max_ts, int flags),
        (s, stream_index, min_ts, ts, max_ts, flags))
FFMPEG_FUNCTION(AVFORMAT, int64_t, avio_size, (AVIOContext *s), (s))
FFMPEG_FUNCTION(AVFORMAT, int, avformat_index_get_entries_count, (const AVStream *st), (st))
FFMPEG_FUNCTION(AVFORMAT, const AVIndexEntry *, avformat_index_get_entry, (AVStream *st, int idx), (st, idx))
FFMPEG_FUNCTION(AVFORMAT, int, avformat_alloc_output_context2,
        (AVFormatContext **ctx, const AVOutputFormat *oformat, const char *format_name, const char *filename),
        (ctx, oformat, format_name, filename))
FFMPEG_PROCEDURE(AVFORMAT, avformat_free_context, (AVFormatContext *s), (s))
FFMPEG_FUNCTION(AVFORMAT, AVStream *, avformat_new_stream, (AVFormatContext *s, const AVCodec *c), (s, c))
FFMPEG_FUNCTION(AVFORMAT, int, avio_open, (AVIOContext **s, const char *url, int flags), (s, url, flags))
FFMPEG_FUNCTION(AVFORMAT, int, avio_closep, (AVIOContext **s), (s))
FFMPEG_FUNCTION(AVFORMAT, int, avformat_write_header, (AVFormatContext *s, AVDictionary **options), (s, options))
FFMPEG_FUNCTION(AVFORMAT, int, av_interleaved_write_frame, (AVFormatContext *s, AVPacket *pkt), (s, pkt))
FFMPEG_FUNCTION(AVFORMAT, int, av_write_trailer, (AVFormatContext *s), (s))
#if !CAMEO_CODED_SIDE_DATA
FFMPEG_FUNCTION(AVFORMAT, uint8_t *, av_stream_get_side_data, (const AVStream *stream, enum AVPacketSideDataType type, size_t *size),
        (stream, type, size))
#endif
