/* Sequencer replicas: the etcd keys and the guarded transactions on them
 * (the key layout is in replica.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/parse.h"
#include "node/node_internal.h"
#include "node/replica.h"

/* The prefix (at most REPLICA_PREFIX_MAX) always leaves room. */
void replica_key(const replica *r, char *out, const char *name)
{
    if (snprintf(out, REPLICA_KEY_MAX, "%s%s", r->prefix, name) < 0)
        out[0] = '\0';
}

void replica_block_key(const replica *r, char *out, uint64_t height)
{
    if (snprintf(out, REPLICA_KEY_MAX, "%sblock/%020" PRIu64, r->prefix,
                 height) < 0)
        out[0] = '\0';
}

/* Decimal text of a kv's value as a height; 0 when absent or not one. */
static uint64_t value_height(const cairn_etcd_kv *kv)
{
    uint64_t h = 0;
    char buf[32];
    if (!kv || kv->vlen == 0 || kv->vlen >= sizeof buf)
        return 0;
    memcpy(buf, kv->val, kv->vlen);
    buf[kv->vlen] = '\0';
    return cairn_parse_u64(buf, &h) ? 0 : h;
}

void replica_note_leader(node *n, replica *r, const cairn_etcd_kv *kv)
{
    json_error_t je;
    json_t *j = kv ? json_loadb((const char *)kv->val, kv->vlen, 0, &je) : NULL;
    const char *id = json_string_value(json_object_get(j, "id"));
    const char *api = json_string_value(json_object_get(j, "api"));
    pthread_mutex_lock(&n->lock);
    snprintf(r->leader_id, sizeof r->leader_id, "%s", id ? id : "");
    snprintf(r->leader_api, sizeof r->leader_api, "%s", api ? api : "");
    r->term = kv ? (uint64_t)kv->create_rev : 0;
    pthread_mutex_unlock(&n->lock);
    json_decref(j);
}

cairn_err replica_campaign(node *n, replica *r, int *won, uint64_t *term)
{
    char lk[REPLICA_KEY_MAX];
    cairn_etcd_txn_res res;
    replica_key(r, lk, "leader");
    cairn_etcd_cmp c = {CAIRN_ETCD_CREATE, CAIRN_ETCD_EQUAL, lk, 0, NULL, 0};
    cairn_etcd_op put = {CAIRN_ETCD_PUT, lk, (const uint8_t *)r->self_json,
                         strlen(r->self_json), r->lease};
    cairn_etcd_op get = {CAIRN_ETCD_GET, lk, NULL, 0, 0};
    cairn_err e = cairn_etcd_txn(r->etcd, &c, 1, &put, 1, &get, 1, &res);
    if (e)
        return e;
    *won = res.succeeded;
    *term = res.succeeded ? (uint64_t)res.rev : 0;
    if (res.succeeded) {
        cairn_etcd_kv me = {.val = (uint8_t *)r->self_json,
                            .vlen = strlen(r->self_json),
                            .create_rev = res.rev};
        replica_note_leader(n, r, &me);
    } else {
        replica_note_leader(n, r, res.nkvs ? &res.kvs[0] : NULL);
    }
    cairn_etcd_txn_res_free(&res);
    return CAIRN_OK;
}

cairn_err replica_append(replica *r, uint64_t term, uint64_t height,
                         const uint8_t *blk, size_t len, int *stored,
                         cairn_etcd_kv **have, size_t *nhave, int *lost)
{
    char lk[REPLICA_KEY_MAX], tk[REPLICA_KEY_MAX], bk[REPLICA_KEY_MAX];
    char prev[32], cur[32];
    cairn_etcd_txn_res res;
    replica_key(r, lk, "leader");
    replica_key(r, tk, "tip");
    replica_block_key(r, bk, height);
    snprintf(prev, sizeof prev, "%" PRIu64, height - 1);
    snprintf(cur, sizeof cur, "%" PRIu64, height);
    cairn_etcd_cmp c[3] = {
        {CAIRN_ETCD_CREATE, CAIRN_ETCD_EQUAL, lk, (int64_t)term, NULL, 0},
        {CAIRN_ETCD_CREATE, CAIRN_ETCD_EQUAL, bk, 0, NULL, 0},
        {CAIRN_ETCD_VALUE, CAIRN_ETCD_EQUAL, tk, 0, (const uint8_t *)prev,
         strlen(prev)}};
    if (height == 1) /* the first block: no tip yet */
        c[2] = (cairn_etcd_cmp){
            CAIRN_ETCD_CREATE, CAIRN_ETCD_EQUAL, tk, 0, NULL, 0};
    char old[REPLICA_KEY_MAX]; /* etcd keeps the last REPLICA_RETAIN */
    replica_block_key(r, old,
                      height > REPLICA_RETAIN ? height - REPLICA_RETAIN : 0);
    cairn_etcd_op ok[3] = {
        {CAIRN_ETCD_PUT, bk, blk, len, 0},
        {CAIRN_ETCD_PUT, tk, (const uint8_t *)cur, strlen(cur), 0},
        {CAIRN_ETCD_DEL, old, NULL, 0, 0}};
    cairn_etcd_op no[2] = {{CAIRN_ETCD_GET, bk, NULL, 0, 0},
                           {CAIRN_ETCD_GET, lk, NULL, 0, 0}};
    cairn_err e = cairn_etcd_txn(r->etcd, c, 3, ok,
                                 height > REPLICA_RETAIN ? 3 : 2, no, 2, &res);
    *have = NULL;
    *nhave = 0;
    *lost = 0;
    if (e)
        return e;
    *stored = res.succeeded;
    if (!res.succeeded) {
        int64_t lrev = 0;
        for (size_t i = 0; i < res.nkvs; i++)
            if (res.kvs[i].klen == strlen(lk) &&
                !memcmp(res.kvs[i].key, lk, res.kvs[i].klen))
                lrev = res.kvs[i].create_rev;
        *lost = lrev != (int64_t)term;
        /* hand over the block/N entry, if any (it comes first) */
        if (res.nkvs && res.kvs[0].klen == strlen(bk) &&
            !memcmp(res.kvs[0].key, bk, res.kvs[0].klen)) {
            *have = res.kvs;
            *nhave = res.nkvs;
            res.kvs = NULL;
            res.nkvs = 0;
        }
    }
    cairn_etcd_txn_res_free(&res);
    return CAIRN_OK;
}

cairn_err replica_etcd_tip(replica *r, uint64_t *tip)
{
    char tk[REPLICA_KEY_MAX];
    cairn_etcd_kv *kvs = NULL;
    size_t n = 0;
    int64_t rev;
    replica_key(r, tk, "tip");
    cairn_err e = cairn_etcd_range(r->etcd, tk, NULL, 1, &kvs, &n, &rev);
    if (!e)
        *tip = n ? value_height(&kvs[0]) : 0;
    cairn_etcd_kvs_free(kvs, n);
    return e;
}

cairn_err replica_blocks(replica *r, uint64_t from, size_t limit,
                         cairn_etcd_kv **kvs, size_t *n)
{
    char a[REPLICA_KEY_MAX], b[REPLICA_KEY_MAX];
    int64_t rev;
    replica_block_key(r, a, from);
    replica_key(r, b, "block0"); /* '0' follows '/' */
    return cairn_etcd_range(r->etcd, a, b, limit, kvs, n, &rev);
}

cairn_err replica_seed(node *n, replica *r)
{
    char tk[REPLICA_KEY_MAX], bk[REPLICA_KEY_MAX], cur[32];
    cairn_header tip;
    uint8_t *blk = NULL;
    size_t len = 0;
    cairn_etcd_txn_res res;
    pthread_mutex_lock(&n->lock);
    cairn_chain_tip(n->chain, &tip, NULL);
    cairn_err e = tip.height
                      ? cairn_chain_block(n->chain, tip.height, &blk, &len)
                      : CAIRN_OK;
    pthread_mutex_unlock(&n->lock);
    if (e || tip.height == 0)
        return e;
    replica_key(r, tk, "tip");
    replica_block_key(r, bk, tip.height);
    snprintf(cur, sizeof cur, "%" PRIu64, tip.height);
    cairn_etcd_cmp c = {CAIRN_ETCD_CREATE, CAIRN_ETCD_EQUAL, tk, 0, NULL, 0};
    cairn_etcd_op ok[2] = {
        {CAIRN_ETCD_PUT, bk, blk, len, 0},
        {CAIRN_ETCD_PUT, tk, (const uint8_t *)cur, strlen(cur), 0}};
    e = cairn_etcd_txn(r->etcd, &c, 1, ok, 2, NULL, 0, &res);
    if (!e && res.succeeded)
        node_log(n, 1,
                 "etcd held no chain: seeded it with this replica's tip, "
                 "block %" PRIu64,
                 tip.height);
    if (!e)
        cairn_etcd_txn_res_free(&res);
    free(blk);
    return e;
}
