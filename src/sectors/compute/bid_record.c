/* Bid records (tag 0x62, keyed order ‖ provider) and compute provider
 * records (tag 0x63): capacity, what leases use of it, counters. */
#include <stdlib.h>
#include <string.h>

#include "econ/staking.h"
#include "sectors/compute/compute.h"

void bid_encode(uint8_t out[BID_REC_LEN], const cairn_bid_info *b)
{
    cairn_le64_put(out, b->price);
    cairn_le64_put(out + 8, b->deposit);
    cairn_le64_put(out + 16, b->height);
}

cairn_err bid_decode(cairn_bid_info *b, const uint8_t *p, size_t n)
{
    if (n != BID_REC_LEN)
        return CAIRN_ERR_DB;
    b->price = cairn_le64_get(p);
    b->deposit = cairn_le64_get(p + 8);
    b->height = cairn_le64_get(p + 16);
    return CAIRN_OK;
}

static void bid_key(uint8_t k[40], uint64_t order, const cairn_pubkey *pk)
{
    cairn_be64_put(k, order);
    memcpy(k + 8, pk->b, 32);
}

cairn_err bid_read(MDB_txn *txn, const store *s, uint64_t order,
                   const cairn_pubkey *provider, cairn_bid_info *b)
{
    uint8_t k[40];
    MDB_val v;
    bid_key(k, order, provider);
    cairn_err e = state_get(txn, s, STATE_BID, k, 40, &v);
    if (e)
        return e;
    b->order = order;
    b->provider = *provider;
    return bid_decode(b, v.mv_data, v.mv_size);
}

cairn_err bid_put(exec_ctx *x, const cairn_bid_info *b)
{
    uint8_t k[40], v[BID_REC_LEN];
    bid_key(k, b->order, &b->provider);
    bid_encode(v, b);
    return state_put(x->w, x->s, STATE_BID, k, 40, v, sizeof v);
}

cairn_err bid_list(MDB_txn *txn, const store *s, uint64_t order,
                   cairn_bid_info **out, size_t *n)
{
    uint8_t start[9] = {STATE_BID};
    MDB_val k = {9, start}, v;
    MDB_cursor *cur;
    size_t cap = 0;
    cairn_err e = CAIRN_OK;
    *out = NULL;
    *n = 0;
    cairn_be64_put(start + 1, order);
    if (mdb_cursor_open(txn, s->state, &cur))
        return CAIRN_ERR_DB;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    for (; !e && rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        const uint8_t *kp = k.mv_data;
        if (k.mv_size != 41 || memcmp(kp, start, 9) != 0)
            break;
        if (!(e = grow_array((void **)out, &cap, *n, sizeof **out, 8))) {
            cairn_bid_info *b = &(*out)[*n];
            b->order = order;
            memcpy(b->provider.b, kp + 9, 32);
            if (!(e = bid_decode(b, v.mv_data, v.mv_size)))
                (*n)++;
        }
    }
    mdb_cursor_close(cur);
    if (e) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return e;
}

cairn_err bid_release_all(exec_ctx *x, uint64_t order)
{
    cairn_bid_info *bids;
    size_t n;
    uint8_t k[41] = {STATE_BID};
    cairn_err e = bid_list(x->w->txn, x->s, order, &bids, &n);
    for (size_t i = 0; !e && i < n; i++) {
        bid_key(k + 1, order, &bids[i].provider);
        if (!(e = econ_unhold(x, &bids[i].provider, bids[i].deposit)))
            e = state_del_raw(x->w, x->s, k, sizeof k);
    }
    free(bids);
    return e;
}

void cprov_encode(uint8_t out[CPROV_REC_LEN], const cairn_compute_provider *p)
{
    const uint32_t r[6] = {p->capacity.cpus,     p->capacity.mem_mib,
                           p->capacity.disk_mib, p->used.cpus,
                           p->used.mem_mib,      p->used.disk_mib};
    out[0] = 1;
    for (int i = 0; i < 6; i++)
        cairn_le32_put(out + 1 + 4 * i, r[i]);
    cairn_le64_put(out + 25, p->leases);
    cairn_le64_put(out + 33, p->done);
    cairn_le64_put(out + 41, p->lost);
}

cairn_err cprov_decode(cairn_compute_provider *p, const uint8_t *b, size_t n)
{
    uint32_t *r[6] = {&p->capacity.cpus,     &p->capacity.mem_mib,
                      &p->capacity.disk_mib, &p->used.cpus,
                      &p->used.mem_mib,      &p->used.disk_mib};
    if (n != CPROV_REC_LEN || b[0] != 1)
        return CAIRN_ERR_DB;
    for (int i = 0; i < 6; i++)
        *r[i] = cairn_le32_get(b + 1 + 4 * i);
    p->leases = cairn_le64_get(b + 25);
    p->done = cairn_le64_get(b + 33);
    p->lost = cairn_le64_get(b + 41);
    return CAIRN_OK;
}

cairn_err cprov_read(MDB_txn *txn, const store *s, const cairn_pubkey *pk,
                     cairn_compute_provider *p)
{
    MDB_val v;
    cairn_err e = state_get(txn, s, STATE_CPROV, pk->b, 32, &v);
    if (e)
        return e == CAIRN_ERR_NOT_FOUND ? CAIRN_ERR_NOT_PROVIDER : e;
    p->provider = *pk;
    return cprov_decode(p, v.mv_data, v.mv_size);
}

cairn_err cprov_put(exec_ctx *x, const cairn_compute_provider *p)
{
    uint8_t v[CPROV_REC_LEN];
    cprov_encode(v, p);
    return state_put(x->w, x->s, STATE_CPROV, p->provider.b, 32, v, sizeof v);
}

int cprov_fits(const cairn_compute_provider *p, const cairn_order *o)
{
    /* used <= capacity always holds: leases only take what fits, and an
     * offer may not shrink below what is used */
    return p->used.cpus <= p->capacity.cpus &&
           p->used.mem_mib <= p->capacity.mem_mib &&
           p->used.disk_mib <= p->capacity.disk_mib &&
           o->cpus <= p->capacity.cpus - p->used.cpus &&
           o->mem_mib <= p->capacity.mem_mib - p->used.mem_mib &&
           o->disk_mib <= p->capacity.disk_mib - p->used.disk_mib;
}
