/* Chain lifecycle (create, open, close) and queries over committed state. */
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include <stdio.h>

#include "ledger/chain_internal.h"
#include "ledger/view.h"

static cairn_err write_genesis_state(cairn_chain *c, wctx *w,
                                     const cairn_genesis *g)
{
    cairn_totals t = {0};
    cairn_err e = CAIRN_OK;
    for (size_t i = 0; i < g->nallocs && !e; i++) {
        const cairn_alloc *a = &g->allocs[i];
        cairn_account acc = {.balance = a->amount};
        if (a->vest_amount) {
            acc.vest_total = a->vest_amount;
            acc.vest_cliff = a->vest_cliff;
            acc.vest_end = a->vest_end;
        }
        if (cairn_add(&t.supply, t.supply, a->amount) ||
            t.supply > g->params.supply_cap)
            return CAIRN_ERR_SUPPLY_CAP;
        e = account_put(w, &c->s, &a->addr, &acc);
    }
    if (!e)
        e = totals_put(w, &c->s, &t);
    exec_ctx x = {w, &c->s, &c->p, 0, c->rules};
    char msg[256] = "";
    if (!e && c->rules && c->rules->genesis &&
        (e = c->rules->genesis(&x, g->economy_json, msg, sizeof msg)) && msg[0])
        fprintf(stderr, "cairn: genesis economy: %s\n", msg);
    return e;
}

/* Stores the genesis record and block 0, then commits. */
static cairn_err write_genesis_block(cairn_chain *c, wctx *w,
                                     const cairn_genesis *g)
{
    cairn_buf gb, bb;
    cairn_header h = {0};
    cairn_err e = chain_finish_state(c, w, 0, &h.state_root);
    if (e)
        return e;
    h.time_ms = g->params.genesis_time_ms;
    h.proposer = g->params.sequencer;
    cairn_buf_init(&gb, 1u << 30);
    cairn_buf_init(&bb, CAIRN_HEADER_LEN);
    cairn_header_encode(&h, &bb);
    e = genesis_encode(g, &gb);
    if (!e && !(e = bb.err))
        e = meta_put(w->txn, &c->s, "genesis", gb.p, gb.len);
    if (!e)
        e = chain_commit_block(c, w, &h, bb.p, bb.len, NULL, 0);
    cairn_buf_free(&gb);
    cairn_buf_free(&bb);
    return e;
}

cairn_err cairn_chain_create_rules(const char *dir, const cairn_genesis *g,
                                   const cairn_rules *rules)
{
    cairn_chain c;
    wctx w;
    MDB_val v;
    memset(&c, 0, sizeof c);
    c.p = g->params;
    c.rules = rules;
    cairn_err e = store_open(&c.s, dir, 1);
    if (e)
        return e;
    if (!(c.smt = cairn_smt_new())) {
        store_close(&c.s);
        return CAIRN_ERR_NOMEM;
    }
    if (!(e = wctx_begin(&w, &c.s, 0))) {
        if (meta_get(w.txn, &c.s, "genesis", &v) == CAIRN_OK)
            e = CAIRN_ERR_GENESIS; /* a chain is already there */
        if (!e)
            e = write_genesis_state(&c, &w, g);
        if (!e)
            e = write_genesis_block(&c, &w, g); /* commits or aborts */
        else
            wctx_abort(&w);
    }
    cairn_smt_free(c.smt);
    store_close(&c.s);
    return e;
}

static cairn_err load_block_header(cairn_chain *c, MDB_txn *txn,
                                   uint64_t height, cairn_header *h)
{
    uint8_t hk[8];
    height_key(hk, height);
    MDB_val k = {8, hk}, v;
    if (mdb_get(txn, c->s.blocks, &k, &v))
        return CAIRN_ERR_DB;
    if (v.mv_size < CAIRN_HEADER_LEN)
        return CAIRN_ERR_DB;
    return cairn_header_decode(h, v.mv_data, CAIRN_HEADER_LEN) ? CAIRN_ERR_DB
                                                               : CAIRN_OK;
}

/* Reads params and the tip (and genesis) headers from the store. */
static cairn_err load_meta(cairn_chain *c)
{
    MDB_txn *txn;
    MDB_val v;
    cairn_genesis g;
    cairn_header g0;
    if (mdb_txn_begin(c->s.env, NULL, MDB_RDONLY, &txn))
        return CAIRN_ERR_DB;
    cairn_err e = meta_get(txn, &c->s, "genesis", &v);
    if (e == CAIRN_ERR_NOT_FOUND)
        e = CAIRN_ERR_GENESIS; /* not initialised: run cairn init */
    if (!e && !(e = genesis_decode(&g, v.mv_data, v.mv_size))) {
        c->p = g.params;
        cairn_genesis_free(&g);
    }
    if (!e)
        e = meta_get(txn, &c->s, "tip", &v);
    if (!e && v.mv_size != 8)
        e = CAIRN_ERR_DB;
    uint64_t tip = 0;
    for (size_t i = 0; !e && i < 8; i++)
        tip = tip << 8 | ((uint8_t *)v.mv_data)[i];
    if (!e && !(e = load_block_header(c, txn, tip, &c->tip)) &&
        !(e = load_block_header(c, txn, 0, &g0))) {
        cairn_header_hash(&c->tip_hash, &c->tip);
        cairn_header_hash(&c->genesis_hash, &g0);
    }
    mdb_txn_abort(txn);
    return e;
}

cairn_err cairn_chain_open_rules(cairn_chain **out, const char *dir,
                                 const cairn_rules *rules)
{
    cairn_hash root;
    cairn_chain *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c)
        return CAIRN_ERR_NOMEM;
    c->rules = rules;
    cairn_err e = store_open(&c->s, dir, 0);
    if (!e && !(e = load_meta(c)) && !(e = chain_rebuild_smt(c))) {
        cairn_smt_root(c->smt, &root);
        if (memcmp(root.b, c->tip.state_root.b, 32) != 0)
            e = CAIRN_ERR_STATE_ROOT; /* the store is corrupt */
    }
    if (e) {
        cairn_chain_close(c);
        return e;
    }
    *out = c;
    return CAIRN_OK;
}

void cairn_chain_close(cairn_chain *c)
{
    if (!c)
        return;
    cairn_chain_pending_abort(c, NULL); /* a leader stopped mid-block */
    cairn_smt_free(c->smt);
    store_close(&c->s);
    free(c);
}

const cairn_params *cairn_chain_params(const cairn_chain *c)
{
    return &c->p;
}

const cairn_rules *cairn_chain_rules(const cairn_chain *c)
{
    return c->rules;
}

void cairn_chain_tip(const cairn_chain *c, cairn_header *h, cairn_hash *hash)
{
    if (h)
        *h = c->tip;
    if (hash)
        *hash = c->tip_hash;
}

void cairn_chain_genesis_hash(const cairn_chain *c, cairn_hash *out)
{
    *out = c->genesis_hash;
}

cairn_err cairn_chain_account(cairn_chain *c, const cairn_pubkey *pk,
                              cairn_account *a)
{
    MDB_txn *txn;
    if (mdb_txn_begin(c->s.env, NULL, MDB_RDONLY, &txn))
        return CAIRN_ERR_DB;
    cairn_err e = account_get(txn, &c->s, pk, a);
    mdb_txn_abort(txn);
    return e;
}

cairn_err cairn_chain_totals(cairn_chain *c, cairn_totals *t)
{
    MDB_txn *txn;
    if (mdb_txn_begin(c->s.env, NULL, MDB_RDONLY, &txn))
        return CAIRN_ERR_DB;
    cairn_err e = totals_get(txn, &c->s, t);
    mdb_txn_abort(txn);
    return e;
}

/* Looks key up in dbi and copies the value to a new buffer (caller frees). */
static cairn_err get_copy(cairn_chain *c, MDB_dbi dbi, const void *key,
                          size_t klen, uint8_t **p, size_t *n)
{
    MDB_txn *txn;
    MDB_val k = {klen, (void *)key}, v;
    *p = NULL;
    *n = 0;
    if (mdb_txn_begin(c->s.env, NULL, MDB_RDONLY, &txn))
        return CAIRN_ERR_DB;
    int rc = mdb_get(txn, dbi, &k, &v);
    cairn_err e = rc == MDB_NOTFOUND ? CAIRN_ERR_NOT_FOUND
                  : rc               ? CAIRN_ERR_DB
                                     : CAIRN_OK;
    if (!e && !(*p = malloc(v.mv_size ? v.mv_size : 1)))
        e = CAIRN_ERR_NOMEM;
    if (!e) {
        memcpy(*p, v.mv_data, v.mv_size);
        *n = v.mv_size;
    }
    mdb_txn_abort(txn);
    return e;
}

cairn_err cairn_chain_block(cairn_chain *c, uint64_t height, uint8_t **p,
                            size_t *n)
{
    uint8_t hk[8];
    height_key(hk, height);
    return get_copy(c, c->s.blocks, hk, 8, p, n);
}

static uint64_t be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

cairn_err cairn_chain_block_height(cairn_chain *c, const cairn_hash *hash,
                                   uint64_t *height)
{
    uint8_t *p;
    size_t n;
    cairn_err e = get_copy(c, c->s.hashes, hash->b, 32, &p, &n);
    if (!e)
        *height = n == 8 ? be64(p) : 0;
    free(p);
    return e;
}

cairn_err cairn_chain_tx_location(cairn_chain *c, const cairn_hash *hash,
                                  uint64_t *height, uint32_t *index)
{
    uint8_t *p;
    size_t n;
    cairn_err e = get_copy(c, c->s.txs, hash->b, 32, &p, &n);
    if (!e && n != 12)
        e = CAIRN_ERR_DB;
    if (!e) {
        *height = be64(p);
        *index = (uint32_t)p[8] | (uint32_t)p[9] << 8 | (uint32_t)p[10] << 16 |
                 (uint32_t)p[11] << 24;
    }
    free(p);
    return e;
}

void cairn_chain_prove_account(cairn_chain *c, const cairn_pubkey *pk,
                               cairn_smt_proof *pf)
{
    cairn_hash key;
    cairn_account_key(&key, pk);
    cairn_smt_prove(c->smt, &key, pf);
}

const store *chain_store(const cairn_chain *c)
{
    return &c->s;
}

cairn_err chain_read_begin(const cairn_chain *c, MDB_txn **txn)
{
    return mdb_txn_begin(c->s.env, NULL, MDB_RDONLY, txn) ? CAIRN_ERR_DB
                                                          : CAIRN_OK;
}

cairn_err chain_view_run(cairn_chain *c, chain_view_fn fn, void *arg)
{
    chain_view v = {NULL, &c->s, &c->p, c->rules};
    if (chain_read_begin(c, &v.txn))
        return CAIRN_ERR_DB;
    cairn_err e = fn(&v, arg);
    mdb_txn_abort(v.txn);
    return e;
}
