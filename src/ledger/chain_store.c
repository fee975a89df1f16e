/* Chain creation, opening, genesis encoding and block commits. */
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "ledger/chain_internal.h"

cairn_err genesis_encode(const cairn_genesis *g, cairn_buf *b)
{
    const cairn_params *p = &g->params;
    cairn_put_var(b, p->chain_id, (uint32_t)strlen(p->chain_id));
    cairn_put_var(b, p->token_name, (uint32_t)strlen(p->token_name));
    cairn_put_var(b, p->token_symbol, (uint32_t)strlen(p->token_symbol));
    cairn_put_u64(b, p->supply_cap);
    cairn_put_u64(b, p->min_fee);
    cairn_put_u32(b, p->block_interval_ms);
    cairn_put_u32(b, p->max_block_txs);
    cairn_put_u64(b, p->genesis_time_ms);
    cairn_put_bytes(b, p->sequencer.b, 32);
    if (p->n_sequencers == 0) { /* params built in code: the one key */
        cairn_put_u32(b, 1);
        cairn_put_bytes(b, p->sequencer.b, 32);
        cairn_put_u64(b, 0);
    } else {
        cairn_put_u32(b, p->n_sequencers);
    }
    for (uint32_t i = 0; i < p->n_sequencers; i++) {
        cairn_put_bytes(b, p->sequencers[i].b, 32);
        cairn_put_u64(b, p->sequencer_stake[i]);
    }
    cairn_put_u64(b, g->nallocs);
    for (size_t i = 0; i < g->nallocs; i++) {
        const cairn_alloc *a = &g->allocs[i];
        cairn_put_bytes(b, a->addr.b, 32);
        cairn_put_u64(b, a->amount);
        cairn_put_u64(b, a->vest_amount);
        cairn_put_u64(b, a->vest_cliff);
        cairn_put_u64(b, a->vest_end);
    }
    const char *ej = g->economy_json ? g->economy_json : "";
    cairn_put_var(b, ej, (uint32_t)strlen(ej));
    return b->err;
}

static void get_str(cairn_reader *r, char *out, uint32_t max)
{
    const uint8_t *p;
    uint32_t n;
    cairn_get_var(r, &p, &n, max);
    memcpy(out, p ? (const char *)p : "", n);
    out[n] = '\0';
}

cairn_err genesis_decode(cairn_genesis *g, const uint8_t *p, size_t n)
{
    cairn_reader r;
    cairn_params *pr = &g->params;
    memset(g, 0, sizeof *g);
    cairn_reader_init(&r, p, n);
    get_str(&r, pr->chain_id, CAIRN_CHAIN_ID_MAX);
    get_str(&r, pr->token_name, CAIRN_TOKEN_NAME_MAX);
    get_str(&r, pr->token_symbol, CAIRN_TOKEN_SYMBOL_MAX);
    pr->supply_cap = cairn_get_u64(&r);
    pr->min_fee = cairn_get_u64(&r);
    pr->block_interval_ms = cairn_get_u32(&r);
    pr->max_block_txs = cairn_get_u32(&r);
    pr->genesis_time_ms = cairn_get_u64(&r);
    cairn_get_bytes(&r, pr->sequencer.b, 32);
    pr->n_sequencers = cairn_get_u32(&r);
    if (r.err || pr->n_sequencers == 0 ||
        pr->n_sequencers > CAIRN_SEQUENCERS_MAX)
        return CAIRN_ERR_DB;
    for (uint32_t i = 0; i < pr->n_sequencers; i++) {
        cairn_get_bytes(&r, pr->sequencers[i].b, 32);
        pr->sequencer_stake[i] = cairn_get_u64(&r);
    }
    uint64_t na = cairn_get_u64(&r);
    if (r.err || na > (n - r.pos) / 64)
        return CAIRN_ERR_DB;
    g->allocs = calloc(na ? na : 1, sizeof *g->allocs);
    if (!g->allocs)
        return CAIRN_ERR_NOMEM;
    g->nallocs = na;
    for (size_t i = 0; i < na; i++) {
        cairn_alloc *a = &g->allocs[i];
        cairn_get_bytes(&r, a->addr.b, 32);
        a->amount = cairn_get_u64(&r);
        a->vest_amount = cairn_get_u64(&r);
        a->vest_cliff = cairn_get_u64(&r);
        a->vest_end = cairn_get_u64(&r);
    }
    const uint8_t *ej;
    uint32_t ejn;
    cairn_get_var(&r, &ej, &ejn, 1u << 24);
    if (!r.err && ejn && (g->economy_json = malloc(ejn + 1))) {
        memcpy(g->economy_json, ej, ejn);
        g->economy_json[ejn] = '\0';
    }
    if (cairn_reader_done(&r) || (ejn && !g->economy_json)) {
        cairn_genesis_free(g);
        return CAIRN_ERR_DB;
    }
    return CAIRN_OK;
}

#define REBUILD_BATCH (1u << 20) /* state entries hashed, then applied */

/* Hashes every state entry into t, a batch at a time (sorted by the tree:
 * fast, and leaves the nodes in key order in memory). */
static cairn_err rebuild_scan(MDB_cursor *cur, cairn_smt *t)
{
    MDB_val k, v;
    size_t n = 0, cap = 0;
    cairn_err e = CAIRN_OK;
    smt_change *b = NULL;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    for (; !e && rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if ((e = grow_array((void **)&b, &cap, n, sizeof *b, 1024)))
            break;
        state_commit_key(&b[n].key, k.mv_data, k.mv_size);
        cairn_hash_bytes(&b[n].vhash, v.mv_data, v.mv_size);
        b[n].deleted = 0;
        if (++n == REBUILD_BATCH) {
            e = cairn_smt_apply(t, b, n);
            n = 0;
        }
    }
    if (!e && rc != MDB_NOTFOUND)
        e = CAIRN_ERR_DB;
    if (!e)
        e = cairn_smt_apply(t, b, n);
    free(b);
    return e;
}

cairn_err chain_rebuild_smt(cairn_chain *c)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    cairn_smt *t = cairn_smt_new();
    if (!t)
        return CAIRN_ERR_NOMEM;
    if (mdb_txn_begin(c->s.env, NULL, MDB_RDONLY, &txn)) {
        cairn_smt_free(t);
        return CAIRN_ERR_DB;
    }
    cairn_err e =
        mdb_cursor_open(txn, c->s.state, &cur) ? CAIRN_ERR_DB : CAIRN_OK;
    if (!e) {
        e = rebuild_scan(cur, t);
        mdb_cursor_close(cur); /* read-only txns do not free their cursors */
    }
    mdb_txn_abort(txn);
    if (e) {
        cairn_smt_free(t);
        return e;
    }
    cairn_smt_free(c->smt);
    c->smt = t;
    return CAIRN_OK;
}

cairn_err chain_finish_state(cairn_chain *c, wctx *w, uint64_t fees,
                             cairn_hash *root)
{
    exec_ctx x = {w, &c->s, &c->p, w->height, c->rules};
    const cairn_rules *r = c->rules;
    cairn_err e = w->height && r && r->end_block
                      ? r->end_block(&x, fees, w->volume)
                      : CAIRN_OK;
    if (e)
        return e;
    e = cairn_smt_apply(c->smt, w->changes, w->n);
    cairn_smt_root(c->smt, root);
    return e;
}

static cairn_err put_indexes(cairn_chain *c, MDB_txn *txn,
                             const cairn_header *h, const cairn_hash *bh,
                             const uint8_t *blk, size_t n,
                             const cairn_hash *txh, uint32_t ntx)
{
    uint8_t hk[8], loc[12];
    height_key(hk, h->height);
    MDB_val k = {8, hk}, v = {n, (void *)blk};
    MDB_val hkey = {32, (void *)bh->b}, hval = {8, hk};
    if (mdb_put(txn, c->s.blocks, &k, &v, MDB_NOOVERWRITE) ||
        mdb_put(txn, c->s.hashes, &hkey, &hval, 0))
        return CAIRN_ERR_DB;
    memcpy(loc, hk, 8);
    for (uint32_t i = 0; i < ntx; i++) {
        for (int j = 0; j < 4; j++)
            loc[8 + j] = (uint8_t)(i >> (8 * j));
        MDB_val tk = {32, (void *)txh[i].b}, tv = {12, loc};
        if (mdb_put(txn, c->s.txs, &tk, &tv, 0))
            return CAIRN_ERR_DB;
    }
    return meta_put(txn, &c->s, "tip", hk, 8);
}

cairn_err chain_commit_block(cairn_chain *c, wctx *w, const cairn_header *h,
                             const uint8_t *blk, size_t n,
                             const cairn_hash *txh, uint32_t ntx)
{
    cairn_hash bh;
    cairn_header_hash(&bh, h);
    cairn_err e = put_indexes(c, w->txn, h, &bh, blk, n, txh, ntx);
    if (e) {
        wctx_abort(w);
    } else {
        e = mdb_txn_commit(w->txn) ? CAIRN_ERR_DB : CAIRN_OK;
        w->txn = NULL;
        wctx_release(w);
    }
    if (e) {
        (void)chain_rebuild_smt(c); /* back to the committed state */
        return e;
    }
    c->tip = *h;
    c->tip_hash = bh;
    if (h->height == 0)
        c->genesis_hash = bh;
    return CAIRN_OK;
}
