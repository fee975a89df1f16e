/* The one client of a node's HTTP/JSON API (net/node_rpc.h): JSON GETs,
 * text GETs and transaction submission, with one sentence for every
 * failure. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/codec.h"
#include "cairn/http.h"
#include "cairn/staking.h"
#include "net/node_rpc.h"

#define URL_MAX 2048

static void say(snode_err *why, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void say(snode_err *why, const char *fmt, ...)
{
    va_list ap;
    if (!why)
        return;
    va_start(ap, fmt);
    vsnprintf(why->msg, sizeof why->msg, fmt, ap);
    va_end(ap);
}

/* The cairn_err of an API error reply (its "code"), with its message. */
static cairn_err api_err(const json_t *j, int status, snode_err *why)
{
    json_t *c = json_object_get(j, "code");
    const char *m = json_string_value(json_object_get(j, "message"));
    const char *name = json_string_value(json_object_get(j, "error"));
    json_int_t code = json_is_integer(c) ? json_integer_value(c) : 0;
    if (m && *m)
        say(why, "%s", m);
    else if (name && *name)
        say(why, "the node refused: %s (HTTP %d)", name, status);
    else
        say(why, "the node answered HTTP %d", status);
    if (code > 0 && code < CAIRN__ERR_COUNT)
        return (cairn_err)code;
    return status == 404 ? CAIRN_ERR_NOT_FOUND : CAIRN_ERR_HTTP;
}

/* Sends one request; *r gets the reply (r->body freed by the caller). */
static cairn_err send_req(const char *method, const char *base,
                          const char *path, const char *body, int timeout_ms,
                          cairn_http_resp *r, snode_err *why)
{
    char url[URL_MAX];
    memset(r, 0, sizeof *r);
    if (why)
        why->status = 0;
    if ((size_t)snprintf(url, sizeof url, "%s%s", base, path) >= sizeof url) {
        say(why, "URL too long: %s%s", base, path);
        return CAIRN_ERR_BAD_ARG;
    }
    cairn_err e = cairn_http_request(method, url, body, body ? strlen(body) : 0,
                                     "application/json", timeout_ms, r);
    if (e == CAIRN_ERR_BAD_ARG)
        say(why, "bad node URL \"%s\" (expected http://HOST:PORT)", base);
    else if (e)
        say(why, "%s", cairn_strerror(e));
    else if (why)
        why->status = r->status;
    return e;
}

cairn_err snode_call(const char *method, const char *base, const char *path,
                     const char *body, int timeout_ms, json_t **out,
                     snode_err *why)
{
    cairn_http_resp r;
    *out = NULL;
    cairn_err e = send_req(method, base, path, body, timeout_ms, &r, why);
    if (e)
        return e;
    json_t *j = json_loadb(r.body, r.len, 0, NULL);
    free(r.body);
    if (r.status >= 400) {
        e = api_err(j, r.status, why);
        json_decref(j);
        return e;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        say(why, "the node at %s sent a reply that is not a JSON object", base);
        return CAIRN_ERR_BAD_JSON;
    }
    *out = j;
    return CAIRN_OK;
}

cairn_err snode_get(const char *base, const char *path, json_t **out,
                    snode_err *why)
{
    return snode_call("GET", base, path, NULL, SNODE_TIMEOUT_MS, out, why);
}

cairn_err snode_get_text(const char *base, const char *path, char **body,
                         size_t *len, snode_err *why)
{
    cairn_http_resp r;
    *body = NULL;
    *len = 0;
    cairn_err e = send_req("GET", base, path, NULL, SNODE_TIMEOUT_MS, &r, why);
    if (e)
        return e;
    if (r.status != 200) {
        free(r.body);
        say(why, "the node answered HTTP %d to %s", r.status, path);
        return CAIRN_ERR_HTTP;
    }
    *body = r.body;
    *len = r.len;
    return CAIRN_OK;
}

int snode_u64(const json_t *o, const char *key, uint64_t *v)
{
    json_t *x = json_object_get(o, key);
    if (json_is_integer(x) && json_integer_value(x) >= 0) {
        *v = (uint64_t)json_integer_value(x);
        return 0;
    }
    const char *s = json_string_value(x);
    char *end;
    if (!s || *s < '0' || *s > '9')
        return -1;
    unsigned long long u = strtoull(s, &end, 10);
    if (*end)
        return -1;
    *v = u;
    return 0;
}

int snode_hash(const json_t *o, const char *key, cairn_hash *h)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s || strlen(s) != 2 * CAIRN_HASH_LEN)
        return -1;
    return cairn_hex_decode(h->b, CAIRN_HASH_LEN, s, 2 * CAIRN_HASH_LEN) ? -1
                                                                         : 0;
}

int snode_addr(const json_t *o, const char *key, cairn_pubkey *pk)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && cairn_addr_parse(pk, s) == CAIRN_OK ? 0 : -1;
}

cairn_err snode_status(const char *base, snode_ctx *ctx, snode_err *why)
{
    json_t *j;
    cairn_err e = snode_get(base, "/v1/status", &j, why);
    if (e)
        return e;
    const char *id = json_string_value(json_object_get(j, "chain_id"));
    if (!id || !*id || strlen(id) > CAIRN_CHAIN_ID_MAX ||
        snode_u64(j, "min_fee_units", &ctx->min_fee) ||
        snode_u64(j, "height", &ctx->height)) {
        json_decref(j);
        say(why,
            "the node's /v1/status lacks chain_id, min_fee_units or height");
        return CAIRN_ERR_BAD_JSON;
    }
    snprintf(ctx->chain_id, sizeof ctx->chain_id, "%s", id);
    const char *mode = json_string_value(json_object_get(j, "mode"));
    const char *up = json_string_value(json_object_get(j, "following"));
    ctx->follower = mode && strcmp(mode, "follower") == 0;
    snprintf(ctx->following, sizeof ctx->following, "%s", up ? up : "");
    json_decref(j);
    return CAIRN_OK;
}

cairn_err snode_require_sequencer(const char *base, const snode_ctx *ctx,
                                  snode_err *why)
{
    static const char plain[] =
        "the node is a follower and takes no transactions: give the "
        "sequencer's URL with --node (or $CAIRN_NODE)";
    int w = 0;
    if (!ctx->follower)
        return CAIRN_OK;
    if (why && *ctx->following)
        w = snprintf(why->msg, sizeof why->msg,
                     "the node at %s is a follower and takes no "
                     "transactions: give the URL of the node it follows, "
                     "--node %s (or $CAIRN_NODE)",
                     base, ctx->following);
    if (why && (!*ctx->following || w < 0 || (size_t)w >= sizeof why->msg))
        say(why, plain); /* no URL, or too long to show whole */
    return CAIRN_ERR_READ_ONLY;
}

cairn_err snode_next_nonce(const char *base, const cairn_pubkey *pk,
                           uint64_t *nonce, snode_err *why)
{
    char addr[CAIRN_ADDR_TEXT_LEN + 1], path[128];
    json_t *j;
    cairn_addr_format(addr, pk);
    snprintf(path, sizeof path, "/v1/account/%s", addr);
    cairn_err e = snode_get(base, path, &j, why);
    if (e)
        return e;
    if (snode_u64(j, "next_nonce", nonce)) {
        say(why, "the node's account reply has no next_nonce");
        e = CAIRN_ERR_BAD_JSON;
    }
    json_decref(j);
    return e;
}

cairn_err snode_submit(const char *base, const uint8_t *tx, size_t len,
                       int wait, json_t **reply, snode_err *why)
{
    char *hex = malloc(2 * len + 1);
    json_t *r;
    if (reply)
        *reply = NULL;
    if (why)
        why->status = 0;
    if (!hex) {
        say(why, "out of memory");
        return CAIRN_ERR_NOMEM;
    }
    cairn_hex_encode(hex, tx, len);
    json_t *body = json_pack("{s:s}", "tx", hex);
    free(hex);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text) {
        say(why, "out of memory");
        return CAIRN_ERR_NOMEM;
    }
    cairn_err e = snode_call("POST", base, wait ? "/v1/tx?wait=1" : "/v1/tx",
                             text, SNODE_SUBMIT_TIMEOUT_MS, &r, why);
    free(text);
    if (e)
        return e;
    if (reply)
        *reply = r;
    else
        json_decref(r);
    return CAIRN_OK;
}

cairn_err snode_send(const char *base, const snode_ctx *ctx,
                     const cairn_keypair *kp, uint64_t nonce, uint16_t kind,
                     const uint8_t *body, size_t len, int wait,
                     uint64_t *height, snode_err *why)
{
    cairn_buf tx;
    cairn_buf_init(&tx, CAIRN_TX_MAX_BYTES);
    cairn_err e = cairn_tx_make(&tx, ctx->chain_id, kp, nonce, ctx->min_fee,
                                kind, body, len);
    json_t *r = NULL;
    if (e)
        say(why, "cannot build the transaction: %s", cairn_strerror(e));
    else
        e = snode_submit(base, tx.p, tx.len, wait, &r, why);
    cairn_buf_free(&tx);
    if (!e && height && wait && snode_u64(r, "height", height))
        *height = 0;
    json_decref(r);
    return e;
}

cairn_err snode_send_next(const char *base, const cairn_keypair *kp,
                          uint16_t kind, const uint8_t *body, size_t len,
                          int wait, uint64_t *height, snode_err *why)
{
    snode_ctx ctx;
    uint64_t nonce;
    cairn_err e = snode_status(base, &ctx, why);
    if (!e)
        e = snode_next_nonce(base, &kp->pk, &nonce, why);
    if (!e)
        e = snode_send(base, &ctx, kp, nonce, kind, body, len, wait, height,
                       why);
    return e;
}
