/* One HTTP connection of net/httpd: read a request within its bounds, hand
 * it over, send the answer, keep the connection or close it. */
#include <event2/buffer.h>
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net/httpd_internal.h"

#define READ_HIGH_WATER (64u << 10) /* input buffered per connection */

static void process(hconn *c);

static void enter(hconn *c, hstate st)
{
    c->st = st;
    c->since_ms = httpd_now_ms();
}

/* Forgets the current request (its body leaves the budget). */
static void req_reset(hconn *c)
{
    httpd_req *r = &c->req;
    free(r->target);
    if (r->uri)
        evhttp_uri_free(r->uri);
    if (r->body) {
        c->d->body_total -= evbuffer_get_length(r->body);
        evbuffer_free(r->body);
    }
    memset(r, 0, sizeof *r);
    r->c = c;
}

/* The server's own refusal: answered through the owner, then closed. */
static void refuse(hconn *c, int status, const char *why)
{
    c->close_after = 1;
    c->d->hooks.refuse(&c->req, status, why, c->d->hooks.arg);
}

static void dispatch(hconn *c)
{
    enter(c, C_HANDLING);
    c->d->hooks.handle(&c->req, c->d->hooks.arg);
}

/* Copies and parses the target; 0 or a status. */
static int take_target(hconn *c, const char **why)
{
    httpd_req *r = &c->req;
    r->target = strndup(r->h.target, r->h.target_len);
    if (!r->target) {
        *why = "the node is out of memory";
        return 503;
    }
    r->h.target = r->target;
    r->uri = evhttp_uri_parse_with_flags(r->target, EVHTTP_URI_NONCONFORMANT);
    if (!r->uri) {
        *why = "the request target is not a valid path and query";
        return 400;
    }
    return 0;
}

/* After the head: a body to read, or the request is complete. */
static void start_body(hconn *c)
{
    httpd_req *r = &c->req;
    struct evbuffer *in = bufferevent_get_input(c->bev);
    if (!r->h.chunked && !(r->h.has_length && r->h.length)) {
        dispatch(c);
        return;
    }
    if (!(r->body = evbuffer_new())) {
        refuse(c, 503, "the node is out of memory");
        return;
    }
    c->st = C_BODY; /* the request's clock keeps running */
    if (r->h.expect_continue && evbuffer_get_length(in) == 0)
        bufferevent_write(c->bev, "HTTP/1.1 100 Continue\r\n\r\n", 25);
}

/* Reads the head once complete; refuses a head over max_head. */
static void read_head(hconn *c)
{
    httpd *d = c->d;
    struct evbuffer *in = bufferevent_get_input(c->bev);
    size_t n = evbuffer_get_length(in);
    size_t look = n < d->lim.max_head ? n : d->lim.max_head;
    const char *p = (const char *)evbuffer_pullup(in, (ev_ssize_t)look);
    size_t hl = p ? http_head_len(p, look) : 0;
    const char *why = NULL;
    char msg[96];
    if (!hl) {
        snprintf(msg, sizeof msg,
                 "the request line and headers are over %zu bytes",
                 d->lim.max_head);
        if (n >= d->lim.max_head)
            refuse(c, 431, msg);
        return;
    }
    int st = http_parse_head(p, hl, d->lim.max_body, &c->req.h, &why);
    if (!st)
        st = take_target(c, &why);
    evbuffer_drain(in, hl);
    if (st)
        refuse(c, st, why);
    else
        start_body(c);
}

/* Takes k more body bytes from the budget; refuses (503) when spent. */
static int budget(hconn *c, size_t k)
{
    httpd *d = c->d;
    if (d->body_total + k <= d->lim.max_body_total) {
        d->body_total += k;
        return 1;
    }
    httpd_warn(d, &d->budget_log,
               "request bodies over %zu bytes in all are being received; "
               "refusing more",
               d->lim.max_body_total);
    refuse(c, 503, "the node is receiving too many request bodies; retry");
    return 0;
}

/* A Content-Length body: complete once length bytes are in. */
static void read_sized(hconn *c)
{
    httpd_req *r = &c->req;
    struct evbuffer *in = bufferevent_get_input(c->bev);
    uint64_t want = r->h.length - evbuffer_get_length(r->body);
    size_t n = evbuffer_get_length(in);
    size_t k = n < want ? n : (size_t)want;
    if (k && !budget(c, k))
        return;
    evbuffer_remove_buffer(in, r->body, k);
    if (k == want)
        dispatch(c);
}

/* A chunked body, step by step until its last chunk and trailer. */
static void read_chunked(hconn *c)
{
    httpd_req *r = &c->req;
    httpd *d = c->d;
    struct evbuffer *in = bufferevent_get_input(c->bev);
    size_t n, used;
    while ((n = evbuffer_get_length(in)) > 0) {
        size_t look = n < d->lim.max_head ? n : d->lim.max_head;
        const char *p = (const char *)evbuffer_pullup(in, (ev_ssize_t)look);
        int st = http_chunks_step(&r->chunks, p, look, d->lim.max_body,
                                  d->lim.max_head, &used);
        if (st == HC_MORE)
            return;
        if (st == HC_DATA) {
            if (!budget(c, used))
                return;
            evbuffer_remove_buffer(in, r->body, used);
        } else if (st == HC_SKIP || st == HC_DONE) {
            evbuffer_drain(in, used);
            if (st == HC_DONE) {
                dispatch(c);
                return;
            }
        } else {
            refuse(c, st,
                   st == 413
                       ? "the request body is larger than the node accepts"
                       : "the chunked body is malformed (chunk sizes are hex, "
                         "each chunk ends with CRLF)");
            return;
        }
    }
}

/* Reads as far as the input allows; stops while a request is out. */
static void process(hconn *c)
{
    struct evbuffer *in = bufferevent_get_input(c->bev);
    for (;;) {
        hstate before = c->st;
        if (c->st == C_IDLE && evbuffer_get_length(in) > 0)
            enter(c, C_HEAD);
        if (c->st == C_HEAD)
            read_head(c);
        else if (c->st == C_BODY && c->req.h.chunked)
            read_chunked(c);
        else if (c->st == C_BODY)
            read_sized(c);
        if (c->st == before || c->st >= C_HANDLING)
            return;
    }
}

/* Answer sent and closing: shut the write side, drain until EOF. */
static void start_linger(hconn *c)
{
    struct evbuffer *in = bufferevent_get_input(c->bev);
    if (c->peer_eof) { /* nothing more can come: no need to wait */
        hconn_free(c);
        return;
    }
    evbuffer_drain(in, evbuffer_get_length(in));
    shutdown(bufferevent_getfd(c->bev), SHUT_WR);
    enter(c, C_LINGER);
}

static void on_read(struct bufferevent *bev, void *arg)
{
    hconn *c = arg;
    if (c->st == C_LINGER) {
        struct evbuffer *in = bufferevent_get_input(bev);
        evbuffer_drain(in, evbuffer_get_length(in));
        return;
    }
    process(c);
}

static void on_write(struct bufferevent *bev, void *arg)
{
    hconn *c = arg;
    if (c->st != C_WRITING || evbuffer_get_length(bufferevent_get_output(bev)))
        return;
    if (c->close_after || c->d->stopping) {
        start_linger(c);
        return;
    }
    enter(c, C_IDLE);
    c->turn = ++c->d->turns;
    process(c);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
    hconn *c = arg;
    if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) &&
        (c->st == C_HANDLING || c->st == C_WRITING)) {
        c->close_after = 1; /* maybe half-closed: still answer */
        c->peer_eof = 1;
        return;
    }
    hconn_free(c);
}

hconn *hconn_new(httpd *d, evutil_socket_t fd)
{
    hconn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->d = d;
    c->req.c = c;
    /* not CLOSE_ON_FREE: libevent would close the socket only on its next
     * loop turn, and a burst of evictions would run out of descriptors */
    c->bev = bufferevent_socket_new(d->base, fd, 0);
    if (!c->bev) {
        free(c);
        return NULL;
    }
    bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
    bufferevent_setwatermark(c->bev, EV_READ, 0, READ_HIGH_WATER);
    bufferevent_enable(c->bev, EV_READ | EV_WRITE);
    enter(c, C_IDLE);
    c->turn = ++d->turns;
    return c;
}

void hconn_free(hconn *c)
{
    if (c->st == C_HANDLING && c->req.on_close) {
        void (*cb)(httpd_req *, void *) = c->req.on_close;
        c->req.on_close = NULL;
        cb(&c->req, c->req.close_arg);
    }
    evutil_socket_t fd = bufferevent_getfd(c->bev);
    req_reset(c);
    bufferevent_free(c->bev);
    evutil_closesocket(fd);
    httpd_conn_gone(c->d, c);
    free(c);
}

void hconn_expire(hconn *c, uint64_t now_ms)
{
    const httpd_limits *l = &c->d->lim;
    uint64_t age = now_ms - c->since_ms;
    char msg[96];
    if ((c->st == C_HEAD || c->st == C_BODY) && age >= l->request_ms) {
        snprintf(msg, sizeof msg,
                 "the request did not arrive in full within %u ms",
                 (unsigned)l->request_ms);
        refuse(c, 408, msg);
    } else if ((c->st == C_IDLE && age >= l->idle_ms) ||
               (c->st == C_WRITING && age >= l->write_ms) ||
               (c->st == C_LINGER && age >= HTTPD_LINGER_MS)) {
        hconn_free(c);
    }
}

int hconn_evict_rank(const hconn *c)
{
    switch (c->st) {
    case C_LINGER:
        return 0;
    case C_IDLE:
    case C_HEAD:
    case C_BODY:
        return 1;
    default:
        return -1;
    }
}

/* ---- the request, as the owner sees it ---- */

http_method httpd_req_method(const httpd_req *r)
{
    return r->h.method;
}

const struct evhttp_uri *httpd_req_uri(const httpd_req *r)
{
    return r->uri;
}

const char *httpd_req_body(httpd_req *r, size_t *len)
{
    *len = r->body ? evbuffer_get_length(r->body) : 0;
    const char *p = *len ? (const char *)evbuffer_pullup(r->body, -1) : NULL;
    return p ? p : "";
}

void httpd_reply(httpd_req *r, int status, const char *content_type,
                 const void *body, size_t len)
{
    httpd_reply_hdr(r, status, content_type, NULL, body, len);
}

void httpd_reply_hdr(httpd_req *r, int status, const char *content_type,
                     const char *headers, const void *body, size_t len)
{
    hconn *c = r->c;
    struct evbuffer *out = bufferevent_get_output(c->bev);
    int close = c->close_after || !r->h.keep_alive || c->d->stopping;
    evbuffer_add_printf(out,
                        "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
                        "Content-Length: %zu\r\n%s%s\r\n",
                        status, http_reason(status), content_type, len,
                        headers ? headers : "",
                        close             ? "Connection: close\r\n"
                        : r->h.minor == 0 ? "Connection: keep-alive\r\n"
                                          : "");
    if (r->h.method != HTTP_HEAD && len)
        evbuffer_add(out, body, len);
    c->close_after = close;
    req_reset(c);
    enter(c, C_WRITING);
}

void httpd_req_on_close(httpd_req *r, void (*cb)(httpd_req *r, void *arg),
                        void *arg)
{
    r->on_close = cb;
    r->close_arg = arg;
}
