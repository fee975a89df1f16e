/* A blocking HTTP/1.1 client over libevent's evhttp (include/cairn/http.h).
 *
 * Each call builds its own event_base and connection and tears both down
 * before returning, so calls from different threads never share state. */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/http.h"

#define HOST_HEADER_MAX 300
#define TARGET_MAX 8192

/* What one request is waiting for; lives on the caller's stack. */
typedef struct http_call {
    struct event_base *base;
    cairn_http_resp *r;
    int done; /* the completion callback ran */
    cairn_err err;
} http_call;

/* Copies the response status and body into the caller's result. The body
 * is a new NUL-terminated malloc'd copy that the caller of
 * cairn_http_request owns. */
static cairn_err take_body(struct evhttp_request *req, cairn_http_resp *r)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t len = in ? evbuffer_get_length(in) : 0;
    if (len > CAIRN_HTTP_MAX_BODY)
        return CAIRN_ERR_HTTP;
    char *body = malloc(len + 1);
    if (!body)
        return CAIRN_ERR_NOMEM;
    if (len && evbuffer_remove(in, body, len) != (int)len) {
        free(body);
        return CAIRN_ERR_HTTP;
    }
    body[len] = '\0';
    r->status = evhttp_request_get_response_code(req);
    r->body = body;
    r->len = len;
    return CAIRN_OK;
}

/* evhttp's completion callback: req is NULL or has code 0 when the
 * connection failed, timed out, or the body went over the bound. */
static void on_done(struct evhttp_request *req, void *arg)
{
    http_call *c = arg;
    c->done = 1;
    if (!req || evhttp_request_get_response_code(req) == 0)
        c->err = CAIRN_ERR_HTTP;
    else
        c->err = take_body(req, c->r);
    event_base_loopbreak(c->base);
}

/* Maps a method name to evhttp's enum; 0 if unsupported. */
static int method_of(const char *m, enum evhttp_cmd_type *out)
{
    static const struct {
        const char *name;
        enum evhttp_cmd_type t;
    } tab[] = {{"GET", EVHTTP_REQ_GET},
               {"POST", EVHTTP_REQ_POST},
               {"PUT", EVHTTP_REQ_PUT},
               {"DELETE", EVHTTP_REQ_DELETE},
               {"HEAD", EVHTTP_REQ_HEAD}};
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (strcmp(m, tab[i].name) == 0) {
            *out = tab[i].t;
            return 1;
        }
    return 0;
}

/* The pieces of a parsed URL that a request needs. */
typedef struct http_target {
    const char *host;
    int port;
    char host_header[HOST_HEADER_MAX];
    char target[TARGET_MAX]; /* path and query */
} http_target;

/* Fills t from uri (which must outlive t: t->host points into it). */
static cairn_err target_of(const struct evhttp_uri *uri, http_target *t)
{
    const char *scheme = evhttp_uri_get_scheme(uri);
    const char *path = evhttp_uri_get_path(uri);
    const char *query = evhttp_uri_get_query(uri);
    t->host = evhttp_uri_get_host(uri);
    t->port = evhttp_uri_get_port(uri);
    if (!scheme || strcmp(scheme, "http") != 0 || !t->host || !*t->host)
        return CAIRN_ERR_BAD_ARG;
    if (t->port < 0)
        t->port = 80;
    if (!path || !*path)
        path = "/";
    int n = snprintf(t->target, sizeof t->target, "%s%s%s", path,
                     query ? "?" : "", query ? query : "");
    int m = snprintf(t->host_header, sizeof t->host_header, "%s:%d", t->host,
                     t->port);
    if (n < 0 || (size_t)n >= sizeof t->target || m < 0 ||
        (size_t)m >= sizeof t->host_header)
        return CAIRN_ERR_TOO_LARGE;
    return CAIRN_OK;
}

/* Builds the request (headers and body) that evhttp will own once made. */
static struct evhttp_request *build_request(http_call *c, const http_target *t,
                                            const void *body, size_t len,
                                            const char *content_type)
{
    struct evhttp_request *req = evhttp_request_new(on_done, c);
    if (!req)
        return NULL;
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    int bad = evhttp_add_header(h, "Host", t->host_header) ||
              evhttp_add_header(h, "Connection", "close");
    if (body && len) {
        bad |= evhttp_add_header(h, "Content-Type",
                                 content_type ? content_type
                                              : "application/octet-stream");
        bad |= evbuffer_add(evhttp_request_get_output_buffer(req), body, len);
    }
    if (bad) {
        evhttp_request_free(req);
        return NULL;
    }
    return req;
}

/* Sends the request on a new connection and runs base until the reply
 * arrives or timeout_ms passes. */
static cairn_err exchange(http_call *c, enum evhttp_cmd_type cmd,
                          const http_target *t, const void *body, size_t len,
                          const char *content_type, int timeout_ms)
{
    struct evhttp_connection *conn =
        evhttp_connection_base_new(c->base, NULL, t->host, (uint16_t)t->port);
    if (!conn)
        return CAIRN_ERR_NOMEM;
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    evhttp_connection_set_timeout_tv(conn, &tv);
    evhttp_connection_set_max_body_size(conn, CAIRN_HTTP_MAX_BODY);
    struct evhttp_request *req = build_request(c, t, body, len, content_type);
    cairn_err e = CAIRN_OK;
    if (!req)
        e = CAIRN_ERR_NOMEM;
    else if (evhttp_make_request(conn, req, cmd, t->target) != 0)
        e = CAIRN_ERR_HTTP; /* evhttp has freed req */
    if (!e && !c->done) {   /* a failure may complete it at once */
        event_base_loopexit(c->base, &tv);
        event_base_dispatch(c->base);
    }
    if (!e) {
        e = c->done ? c->err : CAIRN_ERR_HTTP;
    }
    /* Frees any request still pending (after a timeout) without calling
     * on_done. */
    evhttp_connection_free(conn);
    return e;
}

cairn_err cairn_http_request(const char *method, const char *url,
                             const void *body, size_t len,
                             const char *content_type, int timeout_ms,
                             cairn_http_resp *r)
{
    enum evhttp_cmd_type cmd;
    http_target t;
    memset(r, 0, sizeof *r);
    if (!method || !url || !method_of(method, &cmd) || timeout_ms <= 0)
        return CAIRN_ERR_BAD_ARG;
    if (len > CAIRN_HTTP_MAX_BODY)
        return CAIRN_ERR_TOO_LARGE;
    struct evhttp_uri *uri = evhttp_uri_parse(url);
    if (!uri)
        return CAIRN_ERR_BAD_ARG;
    cairn_err e = target_of(uri, &t);
    http_call c = {.r = r};
    if (!e && !(c.base = event_base_new()))
        e = CAIRN_ERR_NOMEM;
    if (!e)
        e = exchange(&c, cmd, &t, body, len, content_type, timeout_ms);
    if (c.base)
        event_base_free(c.base);
    evhttp_uri_free(uri);
    if (e) {
        free(r->body);
        memset(r, 0, sizeof *r);
    }
    return e;
}
