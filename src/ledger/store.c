/* LMDB store: environment, tables, state reads and tracked writes. */
#include "ledger/store.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cairn/codec.h"

#define MAP_SIZE (64ULL << 30) /* sparse; grows on disk only as used */

static cairn_err open_dbi(MDB_txn *txn, const char *name, MDB_dbi *d)
{
    return mdb_dbi_open(txn, name, MDB_CREATE, d) ? CAIRN_ERR_DB : CAIRN_OK;
}

cairn_err store_open(store *s, const char *dir, int create)
{
    MDB_txn *txn;
    memset(s, 0, sizeof *s);
    if (create && mkdir(dir, 0700) != 0 && errno != EEXIST)
        return CAIRN_ERR_IO;
    if (mdb_env_create(&s->env) || mdb_env_set_maxdbs(s->env, 8) ||
        mdb_env_set_mapsize(s->env, MAP_SIZE))
        goto fail;
    if (mdb_env_open(s->env, dir, MDB_NOTLS, 0600))
        goto fail;
    if (mdb_txn_begin(s->env, NULL, 0, &txn))
        goto fail;
    if (open_dbi(txn, "state", &s->state) ||
        open_dbi(txn, "blocks", &s->blocks) ||
        open_dbi(txn, "hashes", &s->hashes) || open_dbi(txn, "txs", &s->txs) ||
        open_dbi(txn, "meta", &s->meta) || open_dbi(txn, "index", &s->index) ||
        mdb_txn_commit(txn)) {
        mdb_txn_abort(txn);
        goto fail;
    }
    return CAIRN_OK;
fail:
    store_close(s);
    return CAIRN_ERR_DB;
}

void store_close(store *s)
{
    if (s->env)
        mdb_env_close(s->env);
    s->env = NULL;
}

cairn_err wctx_begin(wctx *w, store *s, uint64_t height)
{
    memset(w, 0, sizeof *w);
    w->height = height;
    return mdb_txn_begin(s->env, NULL, 0, &w->txn) ? CAIRN_ERR_DB : CAIRN_OK;
}

void wctx_abort(wctx *w)
{
    if (w->txn)
        mdb_txn_abort(w->txn);
    w->txn = NULL;
    wctx_release(w);
}

void wctx_release(wctx *w)
{
    free(w->changes);
    w->changes = NULL;
    w->n = w->cap = 0;
}

static size_t make_key(uint8_t *out, uint8_t tag, const void *key, size_t klen)
{
    out[0] = tag;
    memcpy(out + 1, key, klen);
    return klen + 1;
}

void state_commit_key(cairn_hash *out, const uint8_t *skey, size_t n)
{
    cairn_hash_bytes(out, skey, n);
}

cairn_err state_get(MDB_txn *txn, const store *s, uint8_t tag, const void *key,
                    size_t klen, MDB_val *val)
{
    uint8_t k[STATE_KEY_MAX + 1];
    if (klen > STATE_KEY_MAX)
        abort(); /* caller bug: keys are fixed by the code, not input */
    MDB_val mk = {make_key(k, tag, key, klen), k};
    int rc = mdb_get(txn, s->state, &mk, val);
    if (rc == MDB_NOTFOUND)
        return CAIRN_ERR_NOT_FOUND;
    return rc ? CAIRN_ERR_DB : CAIRN_OK;
}

static cairn_err track(wctx *w, const uint8_t *k, size_t klen, const void *val,
                       size_t vlen)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 256;
        smt_change *c = realloc(w->changes, cap * sizeof *c);
        if (!c)
            return CAIRN_ERR_NOMEM;
        w->changes = c;
        w->cap = cap;
    }
    smt_change *c = &w->changes[w->n++];
    state_commit_key(&c->key, k, klen);
    if (val) {
        cairn_hash_bytes(&c->vhash, val, vlen);
        c->deleted = 0;
    } else {
        memset(&c->vhash, 0, sizeof c->vhash);
        c->deleted = 1;
    }
    return CAIRN_OK;
}

cairn_err state_scan(MDB_txn *txn, const store *s, uint8_t tag,
                     state_visit visit, void *arg)
{
    return state_scan_prefix(txn, s, &tag, 1, visit, arg);
}

cairn_err state_scan_prefix(MDB_txn *txn, const store *s, const uint8_t *prefix,
                            size_t n, state_visit visit, void *arg)
{
    MDB_cursor *cur;
    MDB_val k = {n, (void *)prefix}, v;
    cairn_err e = CAIRN_OK;
    if (mdb_cursor_open(txn, s->state, &cur))
        return CAIRN_ERR_DB;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    for (; !e && rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size < n || memcmp(k.mv_data, prefix, n) != 0)
            break;
        e = visit(arg, k.mv_data, k.mv_size, v.mv_data, v.mv_size);
    }
    mdb_cursor_close(cur);
    if (e == STATE_SCAN_STOP)
        return CAIRN_OK;
    if (!e && rc != 0 && rc != MDB_NOTFOUND)
        return CAIRN_ERR_DB;
    return e;
}

cairn_err grow_array(void **arr, size_t *cap, size_t n, size_t elem,
                     size_t first)
{
    if (n < *cap)
        return CAIRN_OK;
    size_t nc = *cap ? *cap * 2 : first;
    if (nc < *cap || nc > SIZE_MAX / elem)
        return CAIRN_ERR_NOMEM;
    void *p = realloc(*arr, nc * elem);
    if (!p)
        return CAIRN_ERR_NOMEM;
    *arr = p;
    *cap = nc;
    return CAIRN_OK;
}

cairn_err state_del_raw(wctx *w, const store *s, const uint8_t *skey, size_t n)
{
    MDB_val k = {n, (void *)skey};
    int rc = mdb_del(w->txn, s->state, &k, NULL);
    if (rc == MDB_NOTFOUND)
        return CAIRN_OK;
    if (rc)
        return CAIRN_ERR_DB;
    return track(w, skey, n, NULL, 0);
}

cairn_err state_put(wctx *w, const store *s, uint8_t tag, const void *key,
                    size_t klen, const void *val, size_t vlen)
{
    uint8_t k[STATE_KEY_MAX + 1];
    if (klen > STATE_KEY_MAX)
        abort();
    MDB_val mk = {make_key(k, tag, key, klen), k};
    MDB_val mv = {vlen, (void *)val};
    cairn_err e = track(w, k, mk.mv_size, val, vlen);
    if (e)
        return e;
    return mdb_put(w->txn, s->state, &mk, &mv, 0) ? CAIRN_ERR_DB : CAIRN_OK;
}

void cairn_account_encode(uint8_t out[48], const cairn_account *a)
{
    const uint64_t v[6] = {a->balance,    a->nonce,      a->vest_total,
                           a->vest_start, a->vest_cliff, a->vest_end};
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 8; j++)
            out[8 * i + j] = (uint8_t)(v[i] >> (8 * j));
}

static void account_decode(cairn_account *a, const uint8_t *p)
{
    uint64_t v[6] = {0};
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 8; j++)
            v[i] |= (uint64_t)p[8 * i + j] << (8 * j);
    *a = (cairn_account){v[0], v[1], v[2], v[3], v[4], v[5]};
}

cairn_err account_get(MDB_txn *txn, const store *s, const cairn_pubkey *pk,
                      cairn_account *a)
{
    MDB_val v;
    cairn_err e = state_get(txn, s, STATE_ACCOUNT, pk->b, 32, &v);
    memset(a, 0, sizeof *a);
    if (e == CAIRN_ERR_NOT_FOUND)
        return CAIRN_OK;
    if (e)
        return e;
    if (v.mv_size != 48)
        return CAIRN_ERR_DB;
    account_decode(a, v.mv_data);
    return CAIRN_OK;
}

cairn_err account_put(wctx *w, const store *s, const cairn_pubkey *pk,
                      const cairn_account *a)
{
    uint8_t v[48];
    cairn_account_encode(v, a);
    return state_put(w, s, STATE_ACCOUNT, pk->b, 32, v, sizeof v);
}

void cairn_account_key(cairn_hash *key, const cairn_pubkey *pk)
{
    uint8_t k[33];
    state_commit_key(key, k, make_key(k, STATE_ACCOUNT, pk->b, 32));
}

void cairn_account_vhash(cairn_hash *vh, const cairn_account *a)
{
    uint8_t v[48];
    cairn_account_encode(v, a);
    cairn_hash_bytes(vh, v, sizeof v);
}

cairn_err totals_get(MDB_txn *txn, const store *s, cairn_totals *t)
{
    MDB_val v;
    cairn_reader r;
    cairn_err e = state_get(txn, s, STATE_TOTALS, "ledger", 6, &v);
    if (e)
        return e == CAIRN_ERR_NOT_FOUND ? CAIRN_ERR_DB : e;
    cairn_reader_init(&r, v.mv_data, v.mv_size);
    t->supply = cairn_get_u64(&r);
    t->treasury = cairn_get_u64(&r);
    t->burned = cairn_get_u64(&r);
    t->minted = cairn_get_u64(&r);
    return cairn_reader_done(&r) ? CAIRN_ERR_DB : CAIRN_OK;
}

cairn_err totals_put(wctx *w, const store *s, const cairn_totals *t)
{
    cairn_buf b;
    cairn_buf_init(&b, 32);
    cairn_put_u64(&b, t->supply);
    cairn_put_u64(&b, t->treasury);
    cairn_put_u64(&b, t->burned);
    cairn_put_u64(&b, t->minted);
    cairn_err e =
        b.err ? b.err : state_put(w, s, STATE_TOTALS, "ledger", 6, b.p, b.len);
    cairn_buf_free(&b);
    return e;
}

void height_key(uint8_t out[8], uint64_t h)
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(h >> (56 - 8 * i));
}

cairn_err meta_get(MDB_txn *txn, const store *s, const char *name, MDB_val *val)
{
    MDB_val k = {strlen(name), (void *)name};
    int rc = mdb_get(txn, s->meta, &k, val);
    if (rc == MDB_NOTFOUND)
        return CAIRN_ERR_NOT_FOUND;
    return rc ? CAIRN_ERR_DB : CAIRN_OK;
}

cairn_err meta_put(MDB_txn *txn, const store *s, const char *name,
                   const void *p, size_t n)
{
    MDB_val k = {strlen(name), (void *)name};
    MDB_val v = {n, (void *)p};
    return mdb_put(txn, s->meta, &k, &v, 0) ? CAIRN_ERR_DB : CAIRN_OK;
}
