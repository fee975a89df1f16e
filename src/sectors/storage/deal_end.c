/* DEAL_END and DEAL_REPLACE: the client ends a deal early, or moves it to
 * another provider (the repair path). Rules in docs/storage-chain.md. */
#include <string.h>

#include "cairn/amount.h"
#include "econ/staking.h"
#include "sectors/storage/storage.h"

cairn_err storage_end_check(const cairn_tx *tx)
{
    uint64_t id;
    return cairn_deal_end_decode(&id, tx->body, tx->body_len);
}

cairn_err storage_replace_check(const cairn_tx *tx)
{
    cairn_deal_replace r;
    cairn_err e = cairn_deal_replace_decode(&r, tx->body, tx->body_len);
    if (!e && memcmp(r.provider.b, tx->sender.b, 32) == 0)
        e = CAIRN_ERR_DEAL_TERMS; /* a client is not its own provider */
    return e;
}

/* Reads deal `id` and checks that the sender is its client and that it
 * is still ACTIVE or FAILED. */
static cairn_err client_deal(exec_ctx *x, const cairn_tx *tx, uint64_t id,
                             cairn_deal_info *d)
{
    cairn_err e = deal_read(x->w->txn, x->s, id, d);
    if (e)
        return e;
    if (memcmp(d->client.b, tx->sender.b, 32) != 0)
        return CAIRN_ERR_NOT_DEAL_PARTY;
    return d->state == CAIRN_DEAL_ENDED ? CAIRN_ERR_DEAL_ENDED : CAIRN_OK;
}

/* Ends a running deal at the end of epoch E: the escrow of the epochs
 * after E returns now (term deals; a permanent deal's endowment returns
 * when the epoch settles, after E's payout). */
static cairn_err end_running(exec_ctx *x, cairn_deal_info *d, uint64_t E)
{
    uint64_t later;
    if (d->end_epoch <= E + 1)
        return CAIRN_ERR_DEAL_ENDED; /* ends with this epoch already */
    if (!(d->flags & CAIRN_DEAL_PERMANENT)) {
        cairn_err e = cairn_mul(&later, d->price, d->end_epoch - (E + 1));
        if (e || (e = storage_refund(x, d, later)))
            return e;
    }
    d->end_epoch = E + 1;
    return CAIRN_OK;
}

cairn_err storage_end_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_deal_info d;
    uint64_t id, E;
    cairn_err e = cairn_deal_end_decode(&id, tx->body, tx->body_len);
    if (e || (e = client_deal(x, tx, id, &d)) || (e = storage_epoch_now(x, &E)))
        return e;
    d.flags |= CAIRN_DEAL_CLIENT_ENDED;
    if (d.state == CAIRN_DEAL_FAILED || d.start_epoch > E)
        e = storage_finish(x, &d, CAIRN_DEAL_END_CLIENT, 0); /* all back now */
    else
        e = end_running(x, &d, E);
    return e ? e : deal_write(x, &d);
}

/* Settles epoch E of an ACTIVE deal that is running in E, as the old
 * provider leaves: paid if already proven, else (term deals) the epoch's
 * price returns to the client. No fault: the client chose to move. */
static cairn_err settle_leaving(exec_ctx *x, cairn_deal_info *d, uint64_t E)
{
    uint64_t due;
    cairn_err e;
    if (d->state != CAIRN_DEAL_ACTIVE || d->start_epoch > E ||
        E >= d->end_epoch)
        return CAIRN_OK;
    if ((e = storage_due(x, d, &due)))
        return e;
    if (d->last_proven == E)
        return storage_pay(x, d, due);
    return (d->flags & CAIRN_DEAL_PERMANENT) ? CAIRN_OK
                                             : storage_refund(x, d, due);
}

/* The escrow the new provider will be paid from, for the collateral rule. */
static cairn_err remaining_total(const cairn_deal_info *d, uint64_t start,
                                 uint64_t *total)
{
    if (d->flags & CAIRN_DEAL_PERMANENT) {
        *total = d->escrow;
        return CAIRN_OK;
    }
    return cairn_mul(total, d->price, d->end_epoch - start);
}

/* Checks the replacement's signature, provider and collateral. */
static cairn_err replace_ok(exec_ctx *x, const cairn_tx *tx,
                            const cairn_deal_replace *r,
                            const cairn_deal_info *d, uint64_t E,
                            uint64_t start)
{
    uint64_t total;
    cairn_replace_ctx c = {d->root, d->size, d->flags & CAIRN_DEAL_PERMANENT,
                           d->end_epoch, d->price};
    cairn_err e =
        cairn_deal_replace_verify(r, tx->chain_id, &tx->sender, tx->nonce, &c);
    if (e || (e = storage_provider_ok(x, &r->provider, E)) ||
        (e = remaining_total(d, start, &total)))
        return e;
    return storage_collateral_ok(x, r->collateral, total);
}

cairn_err storage_replace_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_deal_replace r;
    cairn_deal_info d;
    uint64_t E;
    cairn_err e = cairn_deal_replace_decode(&r, tx->body, tx->body_len);
    if (e || (e = client_deal(x, tx, r.deal_id, &d)) ||
        (e = storage_epoch_now(x, &E)))
        return e;
    uint64_t start = d.start_epoch > E ? d.start_epoch : E + 1;
    if (d.end_epoch <= start)
        return CAIRN_ERR_DEAL_ENDED; /* nothing left to move */
    if ((e = replace_ok(x, tx, &r, &d, E, start)) ||
        (e = settle_leaving(x, &d, E)) ||
        (e = econ_hold(x, &r.provider, r.collateral)) ||
        (e = econ_unhold(x, &d.provider, d.collateral)) ||
        (e = deal_index_move(x, &d, &r.provider)))
        return e;
    d.provider = r.provider;
    d.collateral = r.collateral;
    d.start_epoch = start;
    d.faults = 0;
    d.last_proven = CAIRN_EPOCH_NONE;
    d.state = CAIRN_DEAL_ACTIVE;
    d.end_reason = CAIRN_DEAL_END_NONE;
    return deal_write(x, &d);
}
