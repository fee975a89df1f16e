/* PROVE: a provider answers the current epoch's challenges of its deals.
 * Each entry is checked in a fixed order, each failure with its own error
 * (docs/storage-chain.md): unknown deal, not the deal's provider, deal
 * over, wrong epoch, already proven, wrong leaf, wrong path length, leaf
 * and path that do not hash to the deal's root. A batch is all or
 * nothing: the ledger drops the nested txn on the first bad entry. */
#include <string.h>

#include "econ/staking.h"
#include "ledger/view.h"
#include "sectors/storage/storage.h"

cairn_err storage_seed(MDB_txn *txn, const store *s, uint64_t start_height,
                       cairn_hash *seed)
{
    return chain_epoch_seed(txn, s, start_height, seed);
}

cairn_err storage_prove_check(const cairn_tx *tx)
{
    cairn_prove pv;
    return cairn_prove_decode(&pv, tx->body, tx->body_len);
}

/* Checks and records one entry, in epoch E. */
static cairn_err prove_one(exec_ctx *x, const cairn_tx *tx,
                           const cairn_proof_entry *pe, uint64_t E,
                           const cairn_hash *seed)
{
    cairn_deal_info d;
    cairn_err e = deal_read(x->w->txn, x->s, pe->deal_id, &d);
    if (e)
        return e;
    if (memcmp(d.provider.b, tx->sender.b, 32) != 0)
        return CAIRN_ERR_NOT_DEAL_PARTY;
    if (d.state != CAIRN_DEAL_ACTIVE)
        return CAIRN_ERR_DEAL_ENDED;
    if (pe->epoch != E || E < d.start_epoch || E >= d.end_epoch)
        return CAIRN_ERR_PROOF_EPOCH;
    if (d.last_proven == E)
        return CAIRN_ERR_ALREADY_PROVEN;
    if ((e = cairn_storage_proof_check(&d.root, d.size, d.id, seed, pe)))
        return e;
    d.last_proven = E;
    return deal_write(x, &d);
}

cairn_err storage_prove_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_prove pv;
    econ_global g;
    cairn_hash seed;
    cairn_err e = cairn_prove_decode(&pv, tx->body, tx->body_len);
    if (e || (e = econ_global_get(x->w->txn, x->s, &g)) ||
        (e = storage_seed(x->w->txn, x->s, g.start_height, &seed)))
        return e == CAIRN_ERR_NOT_FOUND ? CAIRN_ERR_DB : e;
    for (uint8_t i = 0; !e && i < pv.count; i++)
        e = prove_one(x, tx, &pv.e[i], g.epoch, &seed);
    return e;
}
