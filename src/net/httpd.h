/* Internal: a small HTTP/1.1 server on a libevent loop, for daemons that
 * answer strangers in JSON (the node's API).
 *
 * It writes every byte it sends, so every answer, its own errors included
 * (malformed request, body too large, request too slow, bad method), goes
 * through the owner's error function and comes out in the owner's format.
 * What a stranger can take is bounded:
 * - connections: at most max_conns; at the cap a new connection closes the
 *   one that has gone longest without an answer (idle, or still sending its
 *   request); when every connection holds a request being answered,
 *   accepting pauses;
 * - bytes: max_head for the request line and headers, max_body per body,
 *   max_body_total for all bodies being received at once;
 * - time: request_ms from a request's first byte to its last (slowloris),
 *   idle_ms between requests, write_ms to read an answer;
 * - accept errors (no file descriptors left): a connection is closed as at
 *   the cap to give a descriptor back, or, when none can go, accepting
 *   pauses for 100 ms instead of spinning; warnings are logged at most once
 *   per 10 s with a count.
 * Single-threaded: every call on the loop's thread. */
#ifndef CAIRN_NET_HTTPD_H
#define CAIRN_NET_HTTPD_H

#include <event2/event.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"
#include "net/http_parse.h"

struct evhttp_uri;
typedef struct httpd httpd;
typedef struct httpd_req httpd_req;

typedef struct httpd_limits {
    size_t max_conns;      /* connections at once (at least 1) */
    size_t max_head;       /* request line and headers, bytes */
    size_t max_body;       /* one request body, bytes */
    size_t max_body_total; /* all bodies being received, bytes */
    uint32_t request_ms;   /* first byte of a request to its last */
    uint32_t idle_ms;      /* a kept-alive connection between requests */
    uint32_t write_ms;     /* an answer must be read by the client within */
} httpd_limits;

typedef struct httpd_hooks {
    /* A complete request: answer it with httpd_reply, at once or later
     * (held), exactly once. */
    void (*handle)(httpd_req *req, void *arg);
    /* The server refuses req with an HTTP status (400, 408, 413, 417, 431,
     * 501, 503, 505) and a sentence: answer it at once with httpd_reply,
     * in the owner's format. */
    void (*refuse)(httpd_req *req, int status, const char *why, void *arg);
    /* A warning of the server's own (already rate-limited). */
    void (*log)(void *arg, const char *msg);
    void *arg;
} httpd_hooks;

/* A new server on base (caller frees with httpd_free), or NULL. Copies lim
 * and hooks. */
httpd *httpd_new(struct event_base *base, const httpd_limits *lim,
                 const httpd_hooks *hooks);
/* Listens on host:port (an address or a name). CAIRN_ERR_IO with errno
 * set (EADDRINUSE: the port is taken) when it cannot. */
cairn_err httpd_listen(httpd *d, const char *host, int port) CAIRN_WUR;
/* Stops accepting, closes every connection that holds no request, and
 * closes the others once their answers are sent. Calls done(arg) once:
 * when no connection is left, or after grace_ms. Requests still held must
 * be answered by the owner (their answers say "Connection: close"). */
void httpd_shutdown(httpd *d, uint32_t grace_ms, void (*done)(void *arg),
                    void *arg);
/* Closes everything and frees d (NULL is fine). Held requests' close
 * callbacks run. */
void httpd_free(httpd *d);

/* Connections open now, and the cap. */
size_t httpd_conn_count(const httpd *d);
size_t httpd_conn_max(const httpd *d);

/* The request's method, target (parsed; never NULL for a request handed to
 * handle) and body (*len contiguous bytes, not NUL-terminated; "" when
 * none). Pointers live until the request is answered or closed. */
http_method httpd_req_method(const httpd_req *r);
const struct evhttp_uri *httpd_req_uri(const httpd_req *r);
const char *httpd_req_body(httpd_req *r, size_t *len);

/* Sends the answer (no body for HEAD) and ends the request: r is invalid
 * after the call. */
void httpd_reply(httpd_req *r, int status, const char *content_type,
                 const void *body, size_t len);
/* httpd_reply with extra header lines (each "Name: value\r\n", from the
 * owner, never from the request; NULL for none). */
void httpd_reply_hdr(httpd_req *r, int status, const char *content_type,
                     const char *headers, const void *body, size_t len);

/* cb(r, arg) runs once if the connection dies while r is held unanswered;
 * r is invalid after cb returns. NULL cb removes it. */
void httpd_req_on_close(httpd_req *r, void (*cb)(httpd_req *r, void *arg),
                        void *arg);

#endif
