/* POST /v1/tx: admission to the mempool, and replies held until commit. */
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/queue.h>
#include <string.h>

#include "node/replica.h"
#include "node/api_handlers.h"

cairn_err api_tx_body_parse(const char *body, size_t len, uint8_t **tx,
                            size_t *n, char why[256])
{
    json_error_t jerr;
    *tx = NULL;
    *n = 0;
    if (len > NODE_MAX_BODY)
        return CAIRN_ERR_TOO_LARGE;
    /* a key given twice is a malformed body, not "the last one wins" */
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    json_t *v = j ? json_object_get(j, "tx") : NULL;
    snprintf(why, 256,
             "body must be {\"tx\": \"<hex of the signed transaction>\"}%s%s",
             j ? "" : ": ", j ? "" : jerr.text);
    cairn_err e = CAIRN_ERR_BAD_JSON;
    if (json_is_string(v))
        e = cairn_hex_decode_alloc(tx, n, json_string_value(v),
                                   CAIRN_TX_MAX_BYTES);
    if (e == CAIRN_ERR_BAD_ARG)
        e = CAIRN_ERR_BAD_JSON;
    json_decref(j);
    return e;
}

/* Reads {"tx": "<hex>"} from the request body into a new buffer; on
 * BAD_JSON, why says what is wrong. */
static cairn_err read_tx(httpd_req *req, uint8_t **tx, size_t *n, char why[256])
{
    size_t len;
    const char *body = httpd_req_body(req, &len);
    return api_tx_body_parse(body, len, tx, n, why);
}

static int wants_wait(httpd_req *req)
{
    const char *q = evhttp_uri_get_query(httpd_req_uri(req));
    struct evkeyvalq kv;
    int wait = 0;
    TAILQ_INIT(&kv);
    if (q && evhttp_parse_query_str(q, &kv) == 0) {
        const char *w = evhttp_find_header(&kv, "wait");
        wait = w && strcmp(w, "0") != 0;
    }
    evhttp_clear_headers(&kv);
    return wait;
}

/* Checks and queues the tx. Fills *hash. */
static cairn_err admit(node *n, const uint8_t *p, size_t len, cairn_hash *hash)
{
    cairn_tx tx;
    cairn_account a;
    pthread_mutex_lock(&n->lock);
    cairn_err e = cairn_chain_check_tx(n->chain, p, len, &tx, hash);
    if (!e)
        e = cairn_chain_account(n->chain, &tx.sender, &a);
    uint64_t next; /* a replica leader's block in etcd holds earlier ones */
    if (!e && cairn_chain_pending_next_nonce(n->chain, &tx.sender, &next) &&
        next > a.nonce)
        a.nonce = next;
    if (!e)
        e = cairn_mempool_add(n->mp, p, len, &tx, hash, a.nonce);
    pthread_mutex_unlock(&n->lock);
    return e;
}

void api_submit(node *n, httpd_req *req)
{
    uint8_t *p = NULL;
    size_t len = 0;
    cairn_hash h;
    char why[256];
    if (!n->sequencer) {
        api_error(req, 409, CAIRN_ERR_READ_ONLY, NULL);
        return;
    }
    cairn_err e = read_tx(req, &p, &len, why);
    if (e == CAIRN_ERR_BAD_JSON) {
        api_error(req, 400, e, why);
        return;
    }
    if (!e)
        e = admit(n, p, len, &h);
    if (!e && n->rep) /* a standby forwards it to the leader */
        e = replica_forward(n, p, len);
    free(p);
    if (e) {
        api_error(req, 0, e, NULL);
        return;
    }
    if (wants_wait(req)) {
        waiters_add(n, req, &h);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "hash", api_json_hex(h.b, 32));
    json_object_set_new(o, "status", json_string("pending"));
    api_reply(req, 202, o);
}

/* One transaction of a batch: its result object. */
static json_t *batch_one(node *n, json_t *v)
{
    uint8_t *p = NULL;
    size_t len = 0;
    cairn_hash h;
    json_t *o = json_object();
    cairn_err e = json_is_string(v)
                      ? cairn_hex_decode_alloc(&p, &len, json_string_value(v),
                                               CAIRN_TX_MAX_BYTES)
                      : CAIRN_ERR_BAD_JSON;
    if (e == CAIRN_ERR_BAD_ARG)
        e = CAIRN_ERR_BAD_JSON;
    if (!e)
        e = admit(n, p, len, &h);
    if (!e && n->rep)
        e = replica_forward(n, p, len);
    free(p);
    if (!e)
        json_object_set_new(o, "hash", api_json_hex(h.b, 32));
    else {
        json_object_set_new(o, "error", json_string(cairn_errname(e)));
        json_object_set_new(o, "code", json_integer(e));
    }
    return o;
}

void api_submit_batch(node *n, httpd_req *req)
{
    size_t len;
    json_error_t jerr;
    if (!n->sequencer) {
        api_error(req, 409, CAIRN_ERR_READ_ONLY, NULL);
        return;
    }
    const char *body = httpd_req_body(req, &len);
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    json_t *txs = json_object_get(j, "txs");
    if (!json_is_array(txs) || json_array_size(txs) > API_BATCH_MAX) {
        json_decref(j);
        api_error(req, 400, CAIRN_ERR_BAD_JSON,
                  "body must be {\"txs\": [\"<hex>\", ...]}, at most 1000");
        return;
    }
    json_t *res = json_array(), *o = json_object();
    for (size_t i = 0; i < json_array_size(txs); i++)
        json_array_append_new(res, batch_one(n, json_array_get(txs, i)));
    json_decref(j);
    json_object_set_new(o, "results", res);
    api_reply(req, 200, o);
}
