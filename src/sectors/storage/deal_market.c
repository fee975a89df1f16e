/* What a client reads before it opens a deal: the registered storage
 * providers (tag 0x10, sector storage) and the storage rules in force. */
#include <string.h>

#include "econ/staking.h"
#include "ledger/view.h"
#include "sectors/storage/storage.h"

static void provider_out(cairn_storage_provider *o, const cairn_pubkey *pk,
                         const econ_provider *p, uint64_t epoch)
{
    memset(o, 0, sizeof *o);
    o->address = *pk;
    memcpy(o->endpoint, p->endpoint, p->endpoint_len);
    o->self_stake = p->self_stake;
    o->delegated = p->del_tokens;
    o->commission_bps = p->commission_bps;
    o->active = (p->flags & PROV_ACTIVE) != 0;
    o->jailed = econ_is_jailed(p, epoch);
}

/* Scans provider records after `after` (inclusive start key given in k). */
static cairn_err scan_providers(MDB_txn *txn, const store *s, MDB_cursor *cur,
                                MDB_val *k, uint64_t epoch,
                                cairn_storage_provider *out, size_t max,
                                size_t *n, cairn_pubkey *next, int *more)
{
    MDB_val v;
    cairn_err e = CAIRN_OK;
    size_t seen = 0;
    int rc = mdb_cursor_get(cur, k, &v, MDB_SET_RANGE);
    for (; !e && rc == 0; rc = mdb_cursor_get(cur, k, &v, MDB_NEXT)) {
        const uint8_t *kp = k->mv_data;
        econ_provider p;
        cairn_pubkey pk;
        if (k->mv_size != 33 || kp[0] != STATE_PROVIDER)
            break;
        if (seen == CAIRN_STORAGE_SCAN || *n == max) {
            *more = 1;
            break;
        }
        seen++;
        memcpy(pk.b, kp + 1, 32);
        *next = pk;
        if ((e = econ_provider_read(txn, s, &pk, &p)))
            break;
        if (p.sector == CAIRN_SECTOR_STORAGE)
            provider_out(&out[(*n)++], &pk, &p, epoch);
    }
    return e;
}

cairn_err cairn_chain_storage_providers(cairn_chain *c,
                                        const cairn_pubkey *after,
                                        cairn_storage_provider *out, size_t max,
                                        size_t *n, cairn_pubkey *next,
                                        int *more)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    econ_global g;
    uint8_t start[34] = {STATE_PROVIDER};
    MDB_val k = {1, start};
    *n = 0;
    *more = 0;
    memset(next, 0, sizeof *next);
    if (after) { /* the smallest key above tag ‖ after */
        memcpy(start + 1, after->b, 32);
        k.mv_size = 34;
    }
    if (chain_read_begin(c, &txn))
        return CAIRN_ERR_DB;
    cairn_err e = econ_global_get(txn, chain_store(c), &g);
    if (!e && mdb_cursor_open(txn, chain_store(c)->state, &cur))
        e = CAIRN_ERR_DB;
    if (!e) {
        e = scan_providers(txn, chain_store(c), cur, &k, g.epoch, out, max, n,
                           next, more);
        mdb_cursor_close(cur);
    }
    mdb_txn_abort(txn);
    return e;
}

cairn_err cairn_chain_storage_params(cairn_chain *c, cairn_storage_params *out)
{
    MDB_txn *txn;
    econ_global g;
    const unsigned ids[] = {P_DEAL_COLLATERAL_BPS,   P_DEAL_FAULT_SLASH_BPS,
                            P_DEAL_MAX_FAULTS,       P_DEAL_MAX_EPOCHS,
                            P_PERM_COST_PER_MIB,     P_PERM_DECLINE_BPS,
                            P_DEAL_MIN_PRICE_PER_MIB};
    uint64_t *f[] = {&out->collateral_bps,    &out->fault_slash_bps,
                     &out->max_faults,        &out->max_epochs,
                     &out->perm_cost_per_mib, &out->perm_decline_bps,
                     &out->min_price_per_mib};
    if (chain_read_begin(c, &txn))
        return CAIRN_ERR_DB;
    cairn_err e = econ_global_get(txn, chain_store(c), &g);
    out->epoch = g.epoch;
    for (size_t i = 0; !e && i < sizeof ids / sizeof ids[0]; i++)
        e = econ_param_read(txn, chain_store(c), ids[i], f[i]);
    mdb_txn_abort(txn);
    return e;
}
