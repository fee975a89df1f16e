/* Internal: a strict parser of HTTP/1.0 and HTTP/1.1 requests, for the API
 * server (net/httpd.c). Pure functions over bytes: no I/O, no allocation,
 * every length bounded by the caller. Anything it does not understand is an
 * error with an HTTP status and a sentence, never a guess: a request line
 * other than "METHOD /target HTTP/1.x", a header line without a name, a
 * folded header, two different Content-Lengths, Content-Length together
 * with Transfer-Encoding, a transfer coding other than chunked, a chunk
 * size that is not hex. */
#ifndef CAIRN_NET_HTTP_PARSE_H
#define CAIRN_NET_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

typedef enum http_method {
    HTTP_OTHER = 0, /* a token that is not one of the methods below */
    HTTP_GET,
    HTTP_HEAD,
    HTTP_POST,
    HTTP_PUT,
    HTTP_DELETE,
    HTTP_OPTIONS,
    HTTP_PATCH,
    HTTP_TRACE,
    HTTP_CONNECT,
} http_method;

/* What a request head says. target points into the parsed bytes. */
typedef struct http_head {
    http_method method;
    const char *target; /* origin-form, starts with '/' */
    size_t target_len;
    int minor;           /* HTTP/1.<minor>: 0 or 1 */
    int keep_alive;      /* the client wants the connection kept */
    int chunked;         /* Transfer-Encoding: chunked */
    int has_length;      /* Content-Length was given */
    uint64_t length;     /* its value */
    int expect_continue; /* Expect: 100-continue */
} http_head;

/* Length of the head at p (request line, header lines and the empty line
 * that ends them, LF or CRLF line ends), or 0 when the n bytes do not hold
 * a complete head yet. Leading empty lines count as part of the head. */
size_t http_head_len(const char *p, size_t n);

/* Parses the complete head of n bytes at p (as measured by http_head_len).
 * Returns 0, or the HTTP status to answer (400, 413, 417, 501, 505) with
 * *why set to a static sentence saying what was wrong. A body longer than
 * max_body by Content-Length is 413. */
int http_parse_head(const char *p, size_t n, uint64_t max_body, http_head *h,
                    const char **why);

/* The chunked body decoder: feed it bytes, it says what they are. */
typedef struct http_chunks {
    int state;      /* internal */
    uint64_t left;  /* data bytes left in the current chunk */
    uint64_t total; /* data bytes so far */
    size_t trailer; /* trailer bytes so far */
} http_chunks;

#define HTTP_CHUNK_LINE_MAX 1024 /* a chunk-size line, extensions included */

enum {
    HC_MORE = -1, /* need more bytes: nothing used */
    HC_DATA = -2, /* the first *used bytes at p are body data */
    HC_SKIP = -3, /* the first *used bytes at p were framing */
    HC_DONE = -4, /* the first *used bytes ended the body */
};

/* One step over the n bytes at p (n > 0). Returns an HC_* value, or an HTTP
 * status: 400 for a malformed size line, a missing CRLF after a chunk or a
 * malformed trailer, 413 when the data would pass max_body or the trailer
 * max_trailer bytes. */
int http_chunks_step(http_chunks *c, const char *p, size_t n, uint64_t max_body,
                     size_t max_trailer, size_t *used);

/* The reason phrase of a status ("Not Found"); "Error" when unknown. */
const char *http_reason(int status);

#endif
