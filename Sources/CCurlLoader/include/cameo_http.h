#ifndef CAMEO_HTTP_H
#define CAMEO_HTTP_H

#include <stddef.h>

/// One HTTP exchange, done by libcurl opened on first use (dlopen), so that
/// commands which never talk to a provider never map libcurl and its TLS stack.
typedef struct {
    const char *method;                 ///< "GET" or "POST"
    const char *url;
    const char *const *headers;         ///< "Name: value" lines
    int header_count;
    const char *body;                   ///< POST body, or NULL
    size_t body_length;
    long timeout_ms;                    ///< the whole exchange, connection to last byte
    long long max_bytes;                ///< answers longer than this are cut off and reported
    int follow_redirects;               ///< only for requests that carry no credentials
    int sink_fd;                        ///< >= 0: the body is written to this file, else kept in memory
    long low_speed_bytes;               ///< with low_speed_seconds: abort below this rate (0: off)
    long low_speed_seconds;
} cameo_http_request;

typedef struct {
    int code;                           ///< CURLcode: 0 on a complete answer
    long status;                        ///< HTTP status of the final answer, 0 if none
    int request_sent;                   ///< 1 once any byte of the request went out
    int too_large;                      ///< the answer passed max_bytes
    int interrupted;                    ///< SIGINT or SIGTERM arrived
    long long received;                 ///< body bytes received
    long long content_length;           ///< -1 when not given
    char error[256];
    char location[2048];                ///< a redirect's target
    char retry_after[64];
    char content_type[128];
    char *body;                         ///< in-memory answer (free with cameo_http_free)
    size_t body_length;
} cameo_http_result;

/// 1 when libcurl is there, else 0 (cameo_http_load_error says why).
int cameo_http_load(void);
const char *cameo_http_load_error(void);

/// Runs the exchange. Returns 0 when an answer arrived completely, else the CURLcode.
int cameo_http_perform(const cameo_http_request *request, cameo_http_result *result);
void cameo_http_free(cameo_http_result *result);

/// "scheme://host:port" as libcurl itself parses the URL (so a check and the
/// request agree), lower-cased, with the default port filled in; 0 on success.
int cameo_http_origin(const char *url, char *origin, size_t size);

/// SIGINT and SIGTERM set a flag instead of ending the process, so that a
/// command can record an honest outcome before it exits with 130.
void cameo_interrupts_catch(void);
int cameo_interrupted(void);
/// The signal that arrived (SIGINT or SIGTERM), 0 if none.
int cameo_interrupt_signal(void);

#endif
