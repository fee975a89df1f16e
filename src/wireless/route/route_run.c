/* `cairn wireless route run`: the router daemon's HTTP side (bounded, on
 * src/net/httpd.h) and its chain poller (a thread that reads the epoch,
 * the claim window and the router's credits from the node). */
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cairn/conn.h"
#include "net/httpd.h"
#include "net/node_rpc.h"
#include "wireless/route/route_int.h"

#define RT_MAX_CONNS 256
#define RT_MAX_BODY 4096
#define RT_POLL_MS 500

typedef struct rt_daemon {
    rt_router *r;
    const char *node;
    struct event_base *base;
    httpd *http;
    struct event *sigterm, *sigint;
    pthread_t poller;
    volatile int stop;
} rt_daemon;

static void reply_json(httpd_req *req, int status, json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!s) {
        httpd_reply(req, 500, "application/json", "{}\n", 3);
        return;
    }
    size_t n = strlen(s);
    s[n] = '\n';
    httpd_reply(req, status, "application/json", s, n + 1);
    free(s);
}

static void reply_err(httpd_req *req, int status, cairn_err e, const char *why)
{
    json_t *o = json_object();
    json_object_set_new(o, "error", json_string(cairn_errname(e)));
    json_object_set_new(o, "code", json_integer(e));
    json_object_set_new(o, "message",
                        json_string(why && why[0] ? why : cairn_strerror(e)));
    reply_json(req, status, o);
}

/* {"hotspot": ADDR, "payload": base64, "rssi", "snr", "freq", "time"}:
 * the numbers are optional (a router may log them; it buys by the frame). */
static void on_uplink(rt_daemon *d, httpd_req *req)
{
    size_t len;
    const char *body = httpd_req_body(req, &len);
    json_error_t je;
    json_t *o = json_loadb(body, len, 0, &je);
    cairn_pubkey hs;
    uint8_t phy[LORA_MAX_PHY + 3];
    size_t n = 0;
    const char *addr = json_string_value(json_object_get(o, "hotspot"));
    const char *pl = json_string_value(json_object_get(o, "payload"));
    if (!json_is_object(o) || !addr || !pl) {
        json_decref(o);
        reply_err(req, 400, CAIRN_ERR_BAD_JSON,
                  "give {\"hotspot\": ADDRESS, \"payload\": BASE64 frame}");
        return;
    }
    static const char *const nums[] = {"rssi", "snr", "freq", "time"};
    for (size_t i = 0; i < 4; i++) {
        json_t *v = json_object_get(o, nums[i]);
        if (v && !json_is_number(v)) {
            json_decref(o);
            reply_err(req, 400, CAIRN_ERR_BAD_JSON,
                      "rssi, snr, freq and time are numbers when given");
            return;
        }
    }
    if (strlen(addr) != CAIRN_ADDR_TEXT_LEN || cairn_addr_parse(&hs, addr)) {
        json_decref(o);
        reply_err(req, 400, CAIRN_ERR_BAD_ADDRESS, "hotspot: not an address");
        return;
    }
    if (strlen(pl) > 4 * ((LORA_MAX_PHY + 2) / 3) ||
        sodium_base642bin(phy, sizeof phy, pl, strlen(pl), NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        n > LORA_MAX_PHY) {
        json_decref(o);
        reply_err(req, 400, CAIRN_ERR_BAD_FRAME,
                  "payload: not base64 of a frame of at most 255 bytes");
        return;
    }
    json_decref(o);
    rt_answer a;
    rt_handle(d->r, &hs, phy, n, &a);
    if (a.status != 200) {
        reply_err(req, a.status, a.err, a.why);
        return;
    }
    char da[9];
    snprintf(da, sizeof da, "%08x", (unsigned)a.dev_addr);
    json_t *out = json_object();
    json_object_set_new(out, "receipt", json_string(a.receipt));
    json_object_set_new(out, "dc", json_integer(a.dc));
    json_object_set_new(out, "devaddr", json_string(da));
    if (a.downlink[0]) {
        json_object_set_new(out, "downlink", json_string(a.downlink));
        json_object_set_new(out, "delay_ms", json_integer(RT_JOIN_DELAY_MS));
    } else {
        json_object_set_new(out, "fcnt", json_integer(a.fcnt));
    }
    reply_json(req, 200, out);
}

static void on_status(rt_daemon *d, httpd_req *req)
{
    rt_router *r = d->r;
    json_t *o = json_object();
    char a[CAIRN_ADDR_TEXT_LEN + 1];
    cairn_addr_format(a, &r->kp.pk);
    pthread_mutex_lock(&r->mu);
    json_object_set_new(o, "chain_ok", json_boolean(r->chain_ok));
    json_object_set_new(o, "epoch", json_integer((json_int_t)r->epoch));
    json_object_set_new(o, "credits", json_integer((json_int_t)r->credits));
    json_object_set_new(o, "window", json_integer((json_int_t)r->window));
    uint64_t ep = r->epoch, w = r->window;
    pthread_mutex_unlock(&r->mu);
    json_object_set_new(o, "router", json_string(a));
    json_object_set_new(o, "outstanding",
                        json_integer((json_int_t)rt_outstanding(r, ep, w)));
    json_object_set_new(o, "devices", json_integer((json_int_t)r->ndev));
    json_object_set_new(o, "uplinks", json_integer((json_int_t)r->n_uplinks));
    json_object_set_new(o, "joins", json_integer((json_int_t)r->n_joins));
    json_object_set_new(o, "retries", json_integer((json_int_t)r->n_retries));
    json_object_set_new(o, "bad_frames", json_integer((json_int_t)r->n_bad));
    json_object_set_new(o, "replays", json_integer((json_int_t)r->n_replay));
    json_object_set_new(o, "no_credits",
                        json_integer((json_int_t)r->n_no_credits));
    json_object_set_new(o, "dc_signed", json_integer((json_int_t)r->dc_signed));
    reply_json(req, 200, o);
}

static void handle(httpd_req *req, void *arg)
{
    rt_daemon *d = arg;
    const char *path = evhttp_uri_get_path(httpd_req_uri(req));
    http_method m = httpd_req_method(req);
    if (path && strcmp(path, "/v1/uplink") == 0) {
        if (m != HTTP_POST)
            reply_err(req, 405, CAIRN_ERR_BAD_ARG, "POST /v1/uplink");
        else
            on_uplink(d, req);
    } else if (path && strcmp(path, "/v1/status") == 0 &&
               (m == HTTP_GET || m == HTTP_HEAD)) {
        on_status(d, req);
    } else {
        reply_err(req, 404, CAIRN_ERR_NOT_FOUND,
                  "the router answers POST /v1/uplink and GET /v1/status");
    }
}

static void refuse_req(httpd_req *req, int status, const char *why, void *arg)
{
    (void)arg;
    reply_err(req, status,
              status == 413 ? CAIRN_ERR_TOO_LARGE : CAIRN_ERR_BAD_ARG, why);
}

static void http_log(void *arg, const char *msg)
{
    (void)arg;
    fprintf(stderr, "router: %s\n", msg);
}

/* ---- the chain poller ---- */

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The claim window from /v1/params (4, the default, when the node's
 * registry has no wireless_receipt_epochs). */
static uint64_t window_of(const json_t *params)
{
    size_t i;
    json_t *p;
    uint64_t v;
    json_array_foreach(json_object_get(params, "params"), i, p)
    {
        const char *name = json_string_value(json_object_get(p, "name"));
        if (name && strcmp(name, "wireless_receipt_epochs") == 0 &&
            snode_u64(p, "value", &v) == 0)
            return v;
    }
    return 4;
}

static void *poll_chain(void *arg)
{
    rt_daemon *d = arg;
    rt_router *r = d->r;
    char a[CAIRN_ADDR_TEXT_LEN + 1], path[128];
    unsigned fails = 0;
    cairn_addr_format(a, &r->kp.pk);
    snprintf(path, sizeof path, "/v1/credits/%s", a);
    while (!d->stop) {
        json_t *p = NULL, *c = NULL;
        snode_err why;
        uint64_t epoch, credits;
        int ok = snode_get(d->node, "/v1/params", &p, &why) == CAIRN_OK &&
                 snode_u64(p, "epoch", &epoch) == 0 &&
                 snode_get(d->node, path, &c, &why) == CAIRN_OK &&
                 snode_u64(c, "credits", &credits) == 0;
        pthread_mutex_lock(&r->mu);
        if (ok) {
            r->epoch = epoch;
            r->credits = credits;
            r->window = window_of(p);
            r->chain_ok = 1;
            fails = 0;
        } else if (++fails == 10) {
            r->chain_ok = 0; /* 10 failed polls in a row: stop buying */
            fprintf(stderr, "router: cannot read the chain at %s: %s\n",
                    d->node, why.msg);
        }
        pthread_mutex_unlock(&r->mu);
        json_decref(p);
        json_decref(c);
        for (unsigned t = 0; t < RT_POLL_MS && !d->stop; t += 50)
            sleep_ms(50);
    }
    return NULL;
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    rt_daemon *d = arg;
    (void)what;
    fprintf(stderr, "router: signal %d: stopping\n", (int)sig);
    event_base_loopexit(d->base, NULL);
}

int rt_run(rt_router *r, const char *listen, const char *node_url)
{
    char host[CAIRN_HOST_MAX + 1];
    int port, rc = 1;
    snode_ctx ctx;
    snode_err why;
    rt_daemon d = {.r = r, .node = node_url};
    if (cairn_endpoint_parse(listen, host, &port)) {
        fprintf(stderr, "cairn: --listen: give HOST:PORT\n");
        return 2;
    }
    cairn_err e = CAIRN_ERR_HTTP;
    for (int i = 0; i < 60 && e; i++) {
        e = snode_status(node_url, &ctx, &why);
        if (e)
            sleep_ms(500);
    }
    if (e) {
        fprintf(stderr, "cairn: no answer from the node at %s: %s\n", node_url,
                why.msg);
        return 1;
    }
    snprintf(r->chain_id, sizeof r->chain_id, "%s", ctx.chain_id);
    signal(SIGPIPE, SIG_IGN);
    const httpd_limits lim = {
        .max_conns = RT_MAX_CONNS,
        .max_head = 8192,
        .max_body = RT_MAX_BODY,
        .max_body_total = RT_MAX_BODY * 64,
        .request_ms = 10000,
        .idle_ms = 30000,
        .write_ms = 10000,
    };
    const httpd_hooks hooks = {handle, refuse_req, http_log, &d};
    if (!(d.base = event_base_new()) ||
        !(d.http = httpd_new(d.base, &lim, &hooks))) {
        fprintf(stderr, "cairn: out of memory\n");
        goto out;
    }
    if (httpd_listen(d.http, host, port)) {
        fprintf(stderr, "cairn: cannot listen on %s (port taken?)\n", listen);
        goto out;
    }
    d.sigterm = evsignal_new(d.base, SIGTERM, on_signal, &d);
    d.sigint = evsignal_new(d.base, SIGINT, on_signal, &d);
    if (!d.sigterm || !d.sigint || evsignal_add(d.sigterm, NULL) ||
        evsignal_add(d.sigint, NULL))
        goto out;
    if (pthread_create(&d.poller, NULL, poll_chain, &d))
        goto out;
    char a[CAIRN_ADDR_TEXT_LEN + 1];
    cairn_addr_format(a, &r->kp.pk);
    fprintf(stderr, "router %s: %zu devices, listening on %s, chain %s\n", a,
            r->ndev, listen, r->chain_id);
    event_base_dispatch(d.base);
    d.stop = 1;
    pthread_join(d.poller, NULL);
    rc = 0;
out:
    if (d.sigterm)
        event_free(d.sigterm);
    if (d.sigint)
        event_free(d.sigint);
    httpd_free(d.http);
    if (d.base)
        event_base_free(d.base);
    return rc;
}
