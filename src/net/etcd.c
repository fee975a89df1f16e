/* The etcd client's handle and transport: one libcurl easy handle per
 * cairn_etcd (its connection kept alive between calls), endpoints tried in
 * turn while the connection fails, errors mapped as net/etcd.h says. The
 * calls themselves are in etcd_req.c, the answers' parsers in
 * etcd_json.c. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/etcd_internal.h"

#define CONNECT_TIMEOUT_MAX_MS 500
#define KEEP_BUF_MAX (4u << 20)

typedef enum post_outcome {
    POST_ANSWERED, /* an HTTP answer came (any status) */
    POST_UNSENT,   /* the request surely did not reach the server */
    POST_UNKNOWN,  /* sent; what became of it is unknown */
    POST_TOO_LARGE,
    POST_NOMEM
} post_outcome;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void etcd_set_err(cairn_etcd *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->err, sizeof e->err, fmt, ap);
    va_end(ap);
}

const char *cairn_etcd_last_error(const cairn_etcd *e)
{
    return e ? e->err : "";
}

/* curl's write callback: appends to e->buf, refusing past the bound. */
static size_t on_body(char *p, size_t size, size_t nmemb, void *arg)
{
    cairn_etcd *e = arg;
    size_t n = size * nmemb;
    if (n > CAIRN_ETCD_MAX_ANSWER - e->len) {
        e->over = 1;
        return 0;
    }
    if (e->len + n + 1 > e->cap) {
        size_t cap = e->cap ? e->cap : 4096;
        while (cap < e->len + n + 1)
            cap *= 2;
        uint8_t *b = realloc(e->buf, cap);
        if (!b)
            return 0;
        e->buf = b;
        e->cap = cap;
    }
    memcpy(e->buf + e->len, p, n);
    e->len += n;
    e->buf[e->len] = 0;
    return n;
}

/* Splits urls into e->urls: 1..7 http(s) URLs, a trailing '/' dropped. */
static cairn_err parse_urls(cairn_etcd *e, const char *urls)
{
    const char *p = urls;
    for (;;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        while (len && p[len - 1] == '/')
            len--;
        int http = len > 7 && strncmp(p, "http://", 7) == 0;
        int https = len > 8 && strncmp(p, "https://", 8) == 0;
        if (e->n == CAIRN_ETCD_MAX_ENDPOINTS || len >= CAIRN_ETCD_URL_MAX ||
            !(http || https) || memchr(p, ' ', len))
            return CAIRN_ERR_BAD_ARG;
        memcpy(e->urls[e->n], p, len);
        e->urls[e->n++][len] = 0;
        if (!c)
            return CAIRN_OK;
        p = c + 1;
    }
}

/* The options that stay for the handle's life. */
static cairn_err setup_curl(cairn_etcd *e)
{
    e->curl = curl_easy_init();
    e->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    /* no "Expect: 100-continue" round trip before large bodies */
    struct curl_slist *h =
        e->hdrs ? curl_slist_append(e->hdrs, "Expect:") : NULL;
    if (!e->curl || !h)
        return CAIRN_ERR_NOMEM;
    e->hdrs = h;
    long t = (long)e->timeout_ms;
    long ct = t < CONNECT_TIMEOUT_MAX_MS ? t : CONNECT_TIMEOUT_MAX_MS;
    CURL *c = e->curl;
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, t);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ct);
    curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, e->hdrs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, e);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, e->curl_err);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    return CAIRN_OK;
}

cairn_err cairn_etcd_open(cairn_etcd **out, const char *urls,
                          uint32_t timeout_ms)
{
    *out = NULL;
    if (!urls || timeout_ms == 0 || timeout_ms > 3600u * 1000)
        return CAIRN_ERR_BAD_ARG;
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK)
        return CAIRN_ERR_HTTP;
    cairn_etcd *e = calloc(1, sizeof *e);
    if (!e)
        return CAIRN_ERR_NOMEM;
    e->timeout_ms = timeout_ms;
    e->cap = 4096;
    e->buf = malloc(e->cap);
    cairn_err r = e->buf ? parse_urls(e, urls) : CAIRN_ERR_NOMEM;
    if (!r)
        r = setup_curl(e);
    if (r) {
        cairn_etcd_close(e);
        return r;
    }
    *out = e;
    return CAIRN_OK;
}

void cairn_etcd_close(cairn_etcd *e)
{
    if (!e)
        return;
    if (e->curl)
        curl_easy_cleanup(e->curl);
    curl_slist_free_all(e->hdrs);
    free(e->buf);
    free(e);
}

/* Whether a failed transfer surely never reached the server: the
 * connection was not made, or not one request byte went out. */
static int surely_unsent(CURL *c, CURLcode rc)
{
    if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
        rc == CURLE_COULDNT_RESOLVE_PROXY || rc == CURLE_UNSUPPORTED_PROTOCOL)
        return 1;
    long sent = 0;
    return curl_easy_getinfo(c, CURLINFO_REQUEST_SIZE, &sent) == CURLE_OK &&
           sent == 0;
}

/* One POST of body[0..blen) to endpoint i's path; the answer's status in
 * *status and its body in e->buf. */
static post_outcome post_one(cairn_etcd *e, size_t i, const char *path,
                             const char *body, size_t blen, long *status)
{
    char url[CAIRN_ETCD_URL_MAX + 64];
    snprintf(url, sizeof url, "%s%s", e->urls[i], path);
    CURL *c = e->curl;
    e->len = 0;
    e->over = 0;
    e->curl_err[0] = 0;
    *status = 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)blen);
    if (e->cap > KEEP_BUF_MAX) { /* a huge answer's buffer is not kept */
        uint8_t *b = realloc(e->buf, 4096);
        if (!b)
            return POST_NOMEM;
        e->buf = b;
        e->cap = 4096;
    }
    e->buf[0] = 0;
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
        return POST_ANSWERED;
    }
    if (e->over)
        return POST_TOO_LARGE;
    if (!e->curl_err[0])
        snprintf(e->curl_err, sizeof e->curl_err, "%s", curl_easy_strerror(rc));
    return surely_unsent(c, rc) ? POST_UNSENT : POST_UNKNOWN;
}

/* Maps etcd's own error answer (HTTP status != 200) from endpoint i. */
static cairn_err etcd_refused(cairn_etcd *e, size_t i, long status)
{
    char msg[256];
    int code = 0;
    if (etcd_parse_error_answer(e->buf, e->len, msg, sizeof msg, &code)) {
        etcd_set_err(e, "etcd at %s answered HTTP %ld without an error body",
                     e->urls[i], status);
        return CAIRN_ERR_HTTP;
    }
    etcd_set_err(e, "etcd at %s: %s (HTTP %ld)", e->urls[i], msg, status);
    if (strstr(msg, "request is too large"))
        return CAIRN_ERR_TOO_LARGE;
    /* gRPC Unavailable (no leader, ...): the next call starts elsewhere */
    if (code == 14)
        e->cur = (i + 1) % e->n;
    /* "request timed out", "timed out due to leader failure", ...: the
     * proposal may still commit */
    if (strstr(msg, "timed out"))
        return CAIRN_ERR_TIMEOUT;
    return CAIRN_ERR_HTTP;
}

/* Tries the endpoints from e->cur until one answers; OK when it said 200. */
static cairn_err call_body(cairn_etcd *e, const char *path, const char *body,
                           size_t blen)
{
    char tried[CAIRN_ETCD_ERR_MAX] = "";
    size_t tl = 0;
    for (size_t k = 0; k < e->n; k++) {
        size_t i = (e->cur + k) % e->n;
        long status = 0;
        post_outcome o = post_one(e, i, path, body, blen, &status);
        if (o == POST_NOMEM)
            return CAIRN_ERR_NOMEM;
        if (o == POST_TOO_LARGE) {
            etcd_set_err(e, "etcd at %s sent an answer over %zu bytes",
                         e->urls[i], CAIRN_ETCD_MAX_ANSWER);
            return CAIRN_ERR_TOO_LARGE;
        }
        if (o == POST_UNKNOWN) {
            e->cur = (i + 1) % e->n;
            etcd_set_err(e,
                         "no answer from etcd at %s (%s; timeout %u ms); the "
                         "request may or may not have been applied",
                         e->urls[i], e->curl_err, e->timeout_ms);
            return CAIRN_ERR_TIMEOUT;
        }
        if (o == POST_UNSENT) {
            int w = snprintf(tried + tl, sizeof tried - tl, "%s%s: %s",
                             tl ? "; " : "", e->urls[i], e->curl_err);
            if (w > 0)
                tl = tl + (size_t)w < sizeof tried ? tl + (size_t)w
                                                   : sizeof tried - 1;
            continue;
        }
        e->cur = i;
        return status == 200 ? CAIRN_OK : etcd_refused(e, i, status);
    }
    etcd_set_err(e,
                 "no etcd endpoint reachable (%s); check that etcd runs and "
                 "that --etcd lists its client URLs",
                 tried);
    return CAIRN_ERR_HTTP;
}

cairn_err etcd_call(cairn_etcd *e, const char *path, json_t *req)
{
    e->err[0] = 0;
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (!body) {
        etcd_set_err(e, "out of memory building an etcd request");
        return CAIRN_ERR_NOMEM;
    }
    cairn_err r = call_body(e, path, body, strlen(body));
    free(body);
    return r;
}

/* Asks endpoint i alone for its status. */
static void status_one(cairn_etcd *e, size_t i, cairn_etcd_member *m)
{
    static const char body[] = "{}";
    long st = 0;
    memset(m, 0, sizeof *m);
    snprintf(m->url, sizeof m->url, "%s", e->urls[i]);
    post_outcome o =
        post_one(e, i, "/v3/maintenance/status", body, strlen(body), &st);
    if (o == POST_UNSENT || o == POST_UNKNOWN) {
        snprintf(m->error, sizeof m->error, "%.120s", e->curl_err);
        return;
    }
    if (o != POST_ANSWERED) {
        snprintf(m->error, sizeof m->error, "%s",
                 o == POST_NOMEM ? "out of memory" : "answer too large");
        return;
    }
    if (st != 200) {
        int code = 0;
        char msg[128];
        if (etcd_parse_error_answer(e->buf, e->len, msg, sizeof msg, &code))
            snprintf(msg, sizeof msg, "HTTP %ld", st);
        snprintf(m->error, sizeof m->error, "%s", msg);
        return;
    }
    if (etcd_parse_status_answer(e->buf, e->len, m)) {
        snprintf(m->error, sizeof m->error, "malformed status answer");
        return;
    }
    m->up = 1;
}

cairn_err cairn_etcd_status(cairn_etcd *e, cairn_etcd_member *out, size_t max,
                            size_t *n)
{
    if (!e || (!out && max) || !n)
        return CAIRN_ERR_BAD_ARG;
    e->err[0] = 0;
    for (size_t i = 0; i < e->n && i < max; i++)
        status_one(e, i, &out[i]);
    *n = e->n;
    return CAIRN_OK;
}
