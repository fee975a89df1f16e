/* Block and transaction lookups, and raw block ranges for followers. */
#include <event2/http.h>
#include <sys/queue.h>
#include <event2/keyvalq_struct.h>
#include <stdlib.h>
#include <string.h>

#include "node/api_handlers.h"

#define BLOCKS_MAX 500
#define BLOCKS_DEFAULT 100
#define BLOCKS_MAX_BYTES (8u << 20)

static json_t *block_json(const uint8_t *p, size_t n)
{
    cairn_block blk;
    cairn_hash bh;
    if (cairn_block_decode(&blk, p, n))
        return NULL;
    const cairn_header *h = &blk.h;
    json_t *o = json_object(), *txs = json_array();
    cairn_header_hash(&bh, h);
    json_object_set_new(o, "height", api_json_u64(h->height));
    json_object_set_new(o, "hash", api_json_hex(bh.b, 32));
    json_object_set_new(o, "prev", api_json_hex(h->prev.b, 32));
    json_object_set_new(o, "time_ms", api_json_u64(h->time_ms));
    json_object_set_new(o, "tx_root", api_json_hex(h->tx_root.b, 32));
    json_object_set_new(o, "state_root", api_json_hex(h->state_root.b, 32));
    json_object_set_new(o, "proposer", api_json_addr(&h->proposer));
    json_object_set_new(o, "term", api_json_u64(h->term));
    json_object_set_new(o, "tx_count", api_json_u64(h->tx_count));
    for (uint32_t i = 0; i < h->tx_count; i++)
        json_array_append_new(txs, api_tx_json(blk.txs[i].p, blk.txs[i].n, 0));
    json_object_set_new(o, "txs", txs);
    json_object_set_new(o, "raw", api_json_hex(p, n));
    cairn_block_free(&blk);
    return o;
}

/* Resolves "123" or a 64-hex block hash to a height. */
static cairn_err resolve_height(node *n, const char *id, uint64_t *height)
{
    cairn_hash h;
    if (api_parse_num(id, height) == 0 && strlen(id) != 64)
        return CAIRN_OK;
    if (cairn_hex_decode(h.b, 32, id, strlen(id)))
        return CAIRN_ERR_BAD_ARG;
    return cairn_chain_block_height(n->chain, &h, height);
}

void api_block(node *n, httpd_req *req, const char *id)
{
    uint64_t height;
    uint8_t *p = NULL;
    size_t len;
    pthread_mutex_lock(&n->lock);
    cairn_err e = resolve_height(n, id, &height);
    if (!e)
        e = cairn_chain_block(n->chain, height, &p, &len);
    pthread_mutex_unlock(&n->lock);
    json_t *o = e ? NULL : block_json(p, len);
    free(p);
    if (e == CAIRN_ERR_BAD_ARG)
        api_error(req, 400, e, "give a block height or a 64-hex block hash");
    else if (e)
        api_error(req, 0, e, e == CAIRN_ERR_NOT_FOUND ? "no such block" : NULL);
    else if (!o)
        api_error(req, 500, CAIRN_ERR_DB, "stored block does not decode");
    else
        api_reply(req, 200, o);
}

static int query_u64(struct evkeyvalq *q, const char *k, uint64_t def,
                     uint64_t *v)
{
    const char *s = evhttp_find_header(q, k);
    if (!s) {
        *v = def;
        return 0;
    }
    return api_parse_num(s, v);
}

void api_blocks(node *n, httpd_req *req, const char *query)
{
    struct evkeyvalq q;
    uint64_t from, limit;
    cairn_header tip;
    TAILQ_INIT(&q);
    if (query && evhttp_parse_query_str(query, &q)) {
        api_error(req, 400, CAIRN_ERR_BAD_ARG, "malformed query string");
        return;
    }
    int bad = query_u64(&q, "from", 1, &from) ||
              query_u64(&q, "limit", BLOCKS_DEFAULT, &limit) || limit == 0 ||
              limit > BLOCKS_MAX;
    evhttp_clear_headers(&q);
    if (bad) {
        api_error(req, 400, CAIRN_ERR_BAD_ARG,
                  "from must be a height, limit 1..500");
        return;
    }
    json_t *o = json_object(), *arr = json_array();
    size_t bytes = 0;
    pthread_mutex_lock(&n->lock);
    cairn_chain_tip(n->chain, &tip, NULL);
    for (uint64_t h = from;
         h <= tip.height && h - from < limit && bytes < BLOCKS_MAX_BYTES; h++) {
        uint8_t *p;
        size_t len;
        if (cairn_chain_block(n->chain, h, &p, &len))
            break;
        json_array_append_new(arr, api_json_hex(p, len));
        bytes += len;
        free(p);
    }
    pthread_mutex_unlock(&n->lock);
    json_object_set_new(o, "tip", api_json_u64(tip.height));
    json_object_set_new(o, "blocks", arr);
    api_reply(req, 200, o);
}

/* Finds the tx's bytes inside its block; adds location fields to o. */
static cairn_err tx_lookup(node *n, const cairn_hash *h, json_t **out)
{
    uint64_t height;
    uint32_t index;
    uint8_t *p = NULL;
    size_t len;
    cairn_block blk;
    cairn_err e = cairn_chain_tx_location(n->chain, h, &height, &index);
    if (!e)
        e = cairn_chain_block(n->chain, height, &p, &len);
    if (!e &&
        !(e = cairn_block_decode(&blk, p, len) ? CAIRN_ERR_DB : CAIRN_OK)) {
        if (index < blk.h.tx_count) {
            cairn_hash bh;
            cairn_header_hash(&bh, &blk.h);
            *out = api_tx_json(blk.txs[index].p, blk.txs[index].n, 1);
            json_object_set_new(*out, "height", api_json_u64(height));
            json_object_set_new(*out, "index", api_json_u64(index));
            json_object_set_new(*out, "block_hash", api_json_hex(bh.b, 32));
        } else {
            e = CAIRN_ERR_DB;
        }
        cairn_block_free(&blk);
    }
    free(p);
    return e;
}

void api_tx(node *n, httpd_req *req, const char *hex)
{
    cairn_hash h;
    json_t *o = NULL;
    if (cairn_hex_decode(h.b, 32, hex, strlen(hex))) {
        api_error(req, 400, CAIRN_ERR_BAD_ARG,
                  "a transaction hash is 64 hex digits");
        return;
    }
    pthread_mutex_lock(&n->lock);
    cairn_err e = tx_lookup(n, &h, &o);
    pthread_mutex_unlock(&n->lock);
    if (e)
        api_error(req, 0, e,
                  e == CAIRN_ERR_NOT_FOUND
                      ? "no committed transaction with that hash"
                      : NULL);
    else
        api_reply(req, 200, o);
}
