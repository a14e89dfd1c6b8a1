// libcurl, loaded when first needed rather than linked (as CFFmpegLoader does
// for FFmpeg): only the functions below are used, found with dlsym. The
// variadic curl_easy_setopt is called through typed wrappers so every option
// gets the argument type libcurl expects.
#define CURL_DISABLE_TYPECHECK 1
#include "cameo_http.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_perform)(CURL *);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    CURLU *(*url)(void);
    void (*url_cleanup)(CURLU *);
    CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
    CURLUcode (*url_get)(const CURLU *, CURLUPart, char **, unsigned int);
    void (*free)(void *);
} curl;

static int loaded;
static char error_text[512];
static pthread_once_t once = PTHREAD_ONCE_INIT;

#define LOOKUP(field, name)                                                          \
    if (!(*(void **)&curl.field = dlsym(handle, name))) {                             \
        snprintf(error_text, sizeof error_text, "libcurl.so.4 has no %s", name);     \
        loaded = -1;                                                                  \
        return;                                                                       \
    }

static void load(void) {
    void *handle = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *reason = dlerror();
        snprintf(error_text, sizeof error_text, "cannot load libcurl.so.4: %s (run scripts/bootstrap)", reason ? reason : "unknown error");
        loaded = -1;
        return;
    }
    LOOKUP(global_init, "curl_global_init")
    LOOKUP(easy_init, "curl_easy_init")
    LOOKUP(easy_cleanup, "curl_easy_cleanup")
    LOOKUP(easy_setopt, "curl_easy_setopt")
    LOOKUP(easy_perform, "curl_easy_perform")
    LOOKUP(easy_getinfo, "curl_easy_getinfo")
    LOOKUP(easy_strerror, "curl_easy_strerror")
    LOOKUP(slist_append, "curl_slist_append")
    LOOKUP(slist_free_all, "curl_slist_free_all")
    LOOKUP(url, "curl_url")
    LOOKUP(url_cleanup, "curl_url_cleanup")
    LOOKUP(url_set, "curl_url_set")
    LOOKUP(url_get, "curl_url_get")
    LOOKUP(free, "curl_free")
    if (curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(error_text, sizeof error_text, "libcurl failed to initialise");
        loaded = -1;
        return;
    }
    loaded = 1;
}

int cameo_http_load(void) {
    pthread_once(&once, load);
    return loaded > 0;
}

const char *cameo_http_load_error(void) { return error_text; }

// Typed wrappers around the variadic setter.
static CURLcode set_long(CURL *handle, CURLoption option, long value) { return curl.easy_setopt(handle, option, value); }
static CURLcode set_offset(CURL *handle, CURLoption option, curl_off_t value) { return curl.easy_setopt(handle, option, value); }
static CURLcode set_pointer(CURL *handle, CURLoption option, const void *value) { return curl.easy_setopt(handle, option, value); }
static CURLcode set_string(CURL *handle, CURLoption option, const char *value) { return curl.easy_setopt(handle, option, value); }

static volatile sig_atomic_t caught_signal;

static void on_signal(int number) { caught_signal = number; }

void cameo_interrupts_catch(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
}

int cameo_interrupted(void) { return caught_signal != 0; }
int cameo_interrupt_signal(void) { return (int)caught_signal; }

typedef struct {
    const cameo_http_request *request;
    cameo_http_result *result;
    size_t capacity;
    int write_failed;
} exchange;

static size_t on_body(char *data, size_t size, size_t count, void *context) {
    exchange *state = context;
    size_t length = size * count;
    if (state->result->received + (long long)length > state->request->max_bytes) {
        state->result->too_large = 1;
        return 0;  // a short count makes libcurl stop with CURLE_WRITE_ERROR
    }
    if (state->request->sink_fd >= 0) {
        size_t done = 0;
        while (done < length) {
            ssize_t written = write(state->request->sink_fd, data + done, length - done);
            if (written < 0 && errno == EINTR) continue;
            if (written <= 0) {
                state->write_failed = errno ? errno : EIO;
                return 0;
            }
            done += (size_t)written;
        }
    } else {
        if (state->result->body_length + length + 1 > state->capacity) {
            size_t capacity = state->capacity ? state->capacity : 16384;
            while (capacity < state->result->body_length + length + 1) capacity *= 2;
            char *grown = realloc(state->result->body, capacity);
            if (!grown) return 0;
            state->result->body = grown;
            state->capacity = capacity;
        }
        memcpy(state->result->body + state->result->body_length, data, length);
        state->result->body_length += length;
        state->result->body[state->result->body_length] = 0;
    }
    state->result->received += (long long)length;
    return length;
}

static void copy_value(char *target, size_t size, const char *value, size_t length) {
    while (length > 0 && (*value == ' ' || *value == '\t')) { value++; length--; }
    while (length > 0 && (value[length - 1] == '\r' || value[length - 1] == '\n' || value[length - 1] == ' ')) length--;
    if (length >= size) length = size - 1;
    memcpy(target, value, length);
    target[length] = 0;
}

static size_t on_header(char *data, size_t size, size_t count, void *context) {
    exchange *state = context;
    size_t length = size * count;
    cameo_http_result *result = state->result;
    if (length >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        // A new answer (after a redirect or a 100 Continue): forget the previous one's headers.
        result->retry_after[0] = result->content_type[0] = 0;
        return length;
    }
    struct { const char *name; char *target; size_t size; } wanted[] = {
        {"retry-after:", result->retry_after, sizeof result->retry_after},
        {"content-type:", result->content_type, sizeof result->content_type},
    };
    for (size_t index = 0; index < sizeof wanted / sizeof wanted[0]; index++) {
        size_t name_length = strlen(wanted[index].name);
        if (length > name_length && strncasecmp(data, wanted[index].name, name_length) == 0) {
            copy_value(wanted[index].target, wanted[index].size, data + name_length, length - name_length);
        }
    }
    return length;
}

// Called with the request's own bytes as they go out: from then on the
// provider may have the request, so a failure is no longer "not sent".
static int on_debug(CURL *handle, curl_infotype type, char *data, size_t size, void *context) {
    (void)handle; (void)data; (void)size;
    exchange *state = context;
    if (type == CURLINFO_HEADER_OUT || type == CURLINFO_DATA_OUT) state->result->request_sent = 1;
    return 0;
}

static int on_progress(void *context, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow) {
    (void)dltotal; (void)dlnow; (void)ultotal; (void)ulnow;
    exchange *state = context;
    if (caught_signal) {
        state->result->interrupted = 1;
        return 1;
    }
    return 0;
}

int cameo_http_perform(const cameo_http_request *request, cameo_http_result *result) {
    memset(result, 0, sizeof *result);
    result->content_length = -1;
    if (!cameo_http_load()) {
        snprintf(result->error, sizeof result->error, "%s", error_text);
        result->code = CURLE_FAILED_INIT;
        return result->code;
    }
    if (caught_signal) {
        result->interrupted = 1;
        result->code = CURLE_ABORTED_BY_CALLBACK;
        snprintf(result->error, sizeof result->error, "interrupted");
        return result->code;
    }
    CURL *handle = curl.easy_init();
    if (!handle) {
        result->code = CURLE_FAILED_INIT;
        snprintf(result->error, sizeof result->error, "libcurl could not start a transfer");
        return result->code;
    }
    exchange state = {request, result, 0, 0};
    char error_buffer[CURL_ERROR_SIZE] = {0};
    struct curl_slist *headers = NULL;
    for (int index = 0; index < request->header_count; index++) headers = curl.slist_append(headers, request->headers[index]);
    // No "Expect: 100-continue" round trip: the body is small and some servers never answer it.
    headers = curl.slist_append(headers, "Expect:");

    set_string(handle, CURLOPT_URL, request->url);
    set_pointer(handle, CURLOPT_ERRORBUFFER, error_buffer);
    set_long(handle, CURLOPT_NOSIGNAL, 1);
    set_pointer(handle, CURLOPT_HTTPHEADER, headers);
    if (set_string(handle, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK) {
        set_long(handle, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
    }
    if (set_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK) {
        set_long(handle, CURLOPT_REDIR_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
    }
    set_long(handle, CURLOPT_FOLLOWLOCATION, request->follow_redirects ? 1 : 0);
    set_long(handle, CURLOPT_MAXREDIRS, 5);
    // Never hand credentials on when following (cameo puts none on such requests anyway).
    set_long(handle, CURLOPT_UNRESTRICTED_AUTH, 0);
    set_long(handle, CURLOPT_TIMEOUT_MS, request->timeout_ms > 0 ? request->timeout_ms : 1);
    set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, request->timeout_ms > 0 ? request->timeout_ms : 1);
    if (request->low_speed_bytes > 0 && request->low_speed_seconds > 0) {
        set_long(handle, CURLOPT_LOW_SPEED_LIMIT, request->low_speed_bytes);
        set_long(handle, CURLOPT_LOW_SPEED_TIME, request->low_speed_seconds);
    }
    if (request->max_bytes > 0) set_offset(handle, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)request->max_bytes);
    set_pointer(handle, CURLOPT_WRITEFUNCTION, (const void *)on_body);
    set_pointer(handle, CURLOPT_WRITEDATA, &state);
    set_pointer(handle, CURLOPT_HEADERFUNCTION, (const void *)on_header);
    set_pointer(handle, CURLOPT_HEADERDATA, &state);
    set_pointer(handle, CURLOPT_DEBUGFUNCTION, (const void *)on_debug);
    set_pointer(handle, CURLOPT_DEBUGDATA, &state);
    set_long(handle, CURLOPT_VERBOSE, 1);
    set_pointer(handle, CURLOPT_XFERINFOFUNCTION, (const void *)on_progress);
    set_pointer(handle, CURLOPT_XFERINFODATA, &state);
    set_long(handle, CURLOPT_NOPROGRESS, 0);
    if (strcmp(request->method, "POST") == 0) {
        set_long(handle, CURLOPT_POST, 1);
        set_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)request->body_length);
        set_pointer(handle, CURLOPT_POSTFIELDS, request->body ? request->body : "");
    } else {
        set_long(handle, CURLOPT_HTTPGET, 1);
    }

    CURLcode code = curl.easy_perform(handle);
    result->code = (int)code;
    curl.easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &result->status);
    curl_off_t length = -1;
    if (curl.easy_getinfo(handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK) result->content_length = length;
    long request_size = 0;
    if (curl.easy_getinfo(handle, CURLINFO_REQUEST_SIZE, &request_size) == CURLE_OK && request_size > 0) result->request_sent = 1;
    char *location = NULL;
    if (curl.easy_getinfo(handle, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location) {
        snprintf(result->location, sizeof result->location, "%s", location);
    }
    if (code == CURLE_FILESIZE_EXCEEDED) result->too_large = 1;
    if (code != CURLE_OK) {
        if (state.write_failed) {
            snprintf(result->error, sizeof result->error, "cannot write the download: %s", strerror(state.write_failed));
        } else {
            snprintf(result->error, sizeof result->error, "%s", error_buffer[0] ? error_buffer : curl.easy_strerror(code));
        }
    }
    curl.slist_free_all(headers);
    curl.easy_cleanup(handle);
    return result->code;
}

void cameo_http_free(cameo_http_result *result) {
    free(result->body);
    result->body = NULL;
    result->body_length = 0;
}

int cameo_http_origin(const char *url, char *origin, size_t size) {
    if (!cameo_http_load()) return -1;
    CURLU *parsed = curl.url();
    if (!parsed) return -1;
    char *scheme = NULL, *host = NULL, *port = NULL;
    int status = -1;
    if (curl.url_set(parsed, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl.url_get(parsed, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl.url_get(parsed, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl.url_get(parsed, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
        snprintf(origin, size, "%s://%s:%s", scheme, host, port);
        for (char *cursor = origin; *cursor; cursor++) {
            if (*cursor >= 'A' && *cursor <= 'Z') *cursor = (char)(*cursor - 'A' + 'a');
        }
        status = 0;
    }
    if (scheme) curl.free(scheme);
    if (host) curl.free(host);
    if (port) curl.free(port);
    curl.url_cleanup(parsed);
    return status;
}
