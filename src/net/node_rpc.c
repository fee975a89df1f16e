/* What the storage daemon and client need of a node's API
 * (net/node_rpc.h): JSON GETs and transaction submission. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/codec.h"
#include "cairn/http.h"
#include "cairn/staking.h"
#include "net/node_rpc.h"

#define URL_MAX 2048

static void say(snode_err *why, const char *msg)
{
    if (why)
        snprintf(why->msg, sizeof why->msg, "%s", msg);
}

/* The cairn_err of an API error reply (its "code"), with its message. */
static cairn_err api_err(const json_t *j, int status, snode_err *why)
{
    json_t *c = json_object_get(j, "code");
    const char *m = json_string_value(json_object_get(j, "message"));
    json_int_t code = json_is_integer(c) ? json_integer_value(c) : 0;
    char buf[SNODE_MSG_MAX];
    snprintf(buf, sizeof buf, "%s", m ? m : "the node answered with an error");
    say(why, buf);
    if (code > 0 && code < CAIRN__ERR_COUNT)
        return (cairn_err)code;
    return status == 404 ? CAIRN_ERR_NOT_FOUND : CAIRN_ERR_HTTP;
}

/* One request; *out gets the parsed JSON object of a 2xx reply. */
static cairn_err call(const char *method, const char *base, const char *path,
                      const char *body, int timeout_ms, json_t **out,
                      snode_err *why)
{
    char url[URL_MAX];
    cairn_http_resp r = {0};
    *out = NULL;
    if ((size_t)snprintf(url, sizeof url, "%s%s", base, path) >= sizeof url)
        return CAIRN_ERR_BAD_ARG;
    cairn_err e = cairn_http_request(method, url, body, body ? strlen(body) : 0,
                                     "application/json", timeout_ms, &r);
    if (e) {
        say(why, "no answer from the node");
        return e;
    }
    json_t *j = json_loadb(r.body, r.len, 0, NULL);
    free(r.body);
    if (r.status >= 400) {
        e = api_err(j, r.status, why);
        json_decref(j);
        return e;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        say(why, "the node's reply is not a JSON object");
        return CAIRN_ERR_BAD_JSON;
    }
    *out = j;
    return CAIRN_OK;
}

cairn_err snode_get(const char *base, const char *path, json_t **out,
                    snode_err *why)
{
    return call("GET", base, path, NULL, SNODE_TIMEOUT_MS, out, why);
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
    if (snode_u64(j, "next_nonce", nonce))
        e = CAIRN_ERR_BAD_JSON;
    json_decref(j);
    return e;
}

/* POSTs {"tx": hex}; *height gets the block when waited for. */
static cairn_err post_tx(const char *base, const cairn_buf *tx, int wait,
                         uint64_t *height, snode_err *why)
{
    char *hex = malloc(2 * tx->len + 1);
    json_t *r;
    if (!hex)
        return CAIRN_ERR_NOMEM;
    cairn_hex_encode(hex, tx->p, tx->len);
    json_t *body = json_pack("{s:s}", "tx", hex);
    free(hex);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text)
        return CAIRN_ERR_NOMEM;
    cairn_err e = call("POST", base, wait ? "/v1/tx?wait=1" : "/v1/tx", text,
                       SNODE_SUBMIT_TIMEOUT_MS, &r, why);
    free(text);
    if (e)
        return e;
    if (height && wait && snode_u64(r, "height", height))
        *height = 0;
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
    if (!e)
        e = post_tx(base, &tx, wait, height, why);
    cairn_buf_free(&tx);
    return e;
}
