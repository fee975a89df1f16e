/* cairn — a small blocking HTTP/1.1 client over libevent, for the CLI,
 * followers and tests. URLs are "http://HOST:PORT/path?query". */
#ifndef CAIRN_HTTP_H
#define CAIRN_HTTP_H

#include <stddef.h>

#include "cairn/error.h"

#define CAIRN_HTTP_MAX_BODY (64u << 20)

typedef struct cairn_http_resp {
    int status; /* HTTP status; 0 if no response */
    char *body; /* malloc'd, NUL-terminated; caller frees */
    size_t len;
} cairn_http_resp;

/* Sends one request and waits up to timeout_ms for the whole response.
 * body may be NULL (then len 0 and content_type ignored). Returns
 * CAIRN_ERR_HTTP if no response came (connection refused, timeout, body over
 * CAIRN_HTTP_MAX_BODY); an HTTP error status is CAIRN_OK with r->status set.
 * The caller frees r->body with free(). */
CAIRN_API cairn_err cairn_http_request(const char *method, const char *url,
                                       const void *body, size_t len,
                                       const char *content_type, int timeout_ms,
                                       cairn_http_resp *r) CAIRN_WUR;

#endif
