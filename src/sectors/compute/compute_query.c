/* Read-only queries of the compute sector over committed state: one order
 * or lease, lists by tenant, provider or open, the bids on an order and a
 * compute provider's capacity. Each opens its own read txn. */
#include <stdlib.h>
#include <string.h>

#include "ledger/view.h"
#include "sectors/compute/compute.h"

cairn_err cairn_chain_lease(cairn_chain *c, uint64_t id, cairn_lease_info *out)
{
    MDB_txn *txn;
    cairn_err e = chain_read_begin(c, &txn);
    if (e)
        return e;
    e = lease_read(txn, chain_store(c), id, out);
    mdb_txn_abort(txn);
    return e;
}

/* Walks index `tag` (‖ who when who is set) ‖ u64 BE id for ids > after
 * into out[0..max); *more is 1 when another entry follows. */
static cairn_err walk(MDB_txn *txn, const store *s, uint8_t tag,
                      const cairn_pubkey *who, uint64_t after,
                      cairn_lease_info *out, size_t max, size_t *n, int *more)
{
    MDB_cursor *cur;
    uint8_t start[41];
    size_t pre = who ? 33 : 1;
    MDB_val k = {pre + 8, start}, v;
    cairn_err e = CAIRN_OK;
    if (after == UINT64_MAX)
        return CAIRN_OK;
    start[0] = tag;
    if (who)
        memcpy(start + 1, who->b, 32);
    cairn_be64_put(start + pre, after + 1);
    if (mdb_cursor_open(txn, s->state, &cur))
        return CAIRN_ERR_DB;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    for (; !e && rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        const uint8_t *kp = k.mv_data;
        if (k.mv_size != pre + 8 || memcmp(kp, start, pre) != 0)
            break;
        if (*n == max) {
            *more = 1;
            break;
        }
        if (!(e = lease_read(txn, s, cairn_be64_get(kp + pre), &out[*n])))
            (*n)++;
    }
    mdb_cursor_close(cur);
    return e;
}

cairn_err cairn_chain_leases(cairn_chain *c, cairn_lease_filter f,
                             const cairn_pubkey *who, uint64_t after,
                             cairn_lease_info *out, size_t max, size_t *n,
                             int *more)
{
    MDB_txn *txn;
    uint8_t tag = f == CAIRN_LEASES_TENANT     ? STATE_LEASE_TENANT
                  : f == CAIRN_LEASES_PROVIDER ? STATE_LEASE_PROV
                                               : STATE_LEASE_OPEN;
    *n = 0;
    *more = 0;
    if (f > CAIRN_LEASES_OPEN || (f != CAIRN_LEASES_OPEN && !who))
        return CAIRN_ERR_BAD_ARG;
    cairn_err e = chain_read_begin(c, &txn);
    if (e)
        return e;
    e = walk(txn, chain_store(c), tag, f == CAIRN_LEASES_OPEN ? NULL : who,
             after, out, max, n, more);
    mdb_txn_abort(txn);
    return e;
}

cairn_err cairn_chain_bids(cairn_chain *c, uint64_t order, cairn_bid_info *out,
                           size_t max, size_t *n)
{
    MDB_txn *txn;
    cairn_lease_info l;
    cairn_bid_info *all = NULL;
    size_t cnt = 0;
    cairn_err e = chain_read_begin(c, &txn);
    *n = 0;
    if (e)
        return e;
    if (!(e = lease_read(txn, chain_store(c), order, &l)))
        e = bid_list(txn, chain_store(c), order, &all, &cnt);
    mdb_txn_abort(txn);
    for (size_t i = 0; !e && i < cnt && i < max; i++)
        out[(*n)++] = all[i];
    free(all);
    return e;
}

cairn_err cairn_chain_compute_provider(cairn_chain *c, const cairn_pubkey *pk,
                                       cairn_compute_provider *out)
{
    MDB_txn *txn;
    cairn_err e = chain_read_begin(c, &txn);
    if (e)
        return e;
    e = cprov_read(txn, chain_store(c), pk, out);
    mdb_txn_abort(txn);
    return e;
}
