/* Moving a deal's tokens: payment through the fee split, refunds,
 * collateral slashing and return, and the provider checks a deal needs.
 * Every function keeps the books balanced: what leaves a deal's escrow or
 * collateral arrives in a balance, the fee split, the treasury or the
 * burned total, in the same call. */
#include "cairn/amount.h"
#include "econ/staking.h"
#include "sectors/storage/storage.h"

cairn_err storage_epoch_now(exec_ctx *x, uint64_t *epoch)
{
    econ_global g;
    cairn_err e = econ_global_get(x->w->txn, x->s, &g);
    *epoch = g.epoch;
    return e;
}

cairn_err storage_provider_ok(exec_ctx *x, const cairn_pubkey *pk,
                              uint64_t epoch)
{
    econ_provider p;
    cairn_err e = econ_provider_read(x->w->txn, x->s, pk, &p);
    if (e)
        return e;
    if (p.sector != CAIRN_SECTOR_STORAGE)
        return CAIRN_ERR_BAD_SECTOR;
    if (!(p.flags & PROV_ACTIVE))
        return CAIRN_ERR_STAKE_LOW;
    if (econ_is_jailed(&p, epoch))
        return CAIRN_ERR_JAILED;
    return CAIRN_OK;
}

cairn_err storage_collateral_ok(exec_ctx *x, uint64_t collateral,
                                uint64_t total)
{
    uint64_t bps, need;
    cairn_err e = econ_param_get(x, P_DEAL_COLLATERAL_BPS, &bps);
    if (e)
        return e;
    if (cairn_storage_collateral(&need, total, bps) || collateral < need)
        return CAIRN_ERR_COLLATERAL_LOW;
    return CAIRN_OK;
}

cairn_err storage_pay(exec_ctx *x, cairn_deal_info *d, uint64_t amount)
{
    if (amount > d->escrow)
        return CAIRN_ERR_DB; /* a broken record: never pay what is not held */
    cairn_err e = econ_pay_fee(x, amount, &d->provider);
    if (e || (e = econ_unhold(x, NULL, amount)))
        return e;
    d->escrow -= amount;
    d->paid += amount; /* bounded by the escrow ever held */
    e = econ_add_work(x, &d->provider, cairn_storage_units(d->size));
    if (e == CAIRN_ERR_JAILED || e == CAIRN_ERR_STAKE_LOW ||
        e == CAIRN_ERR_NOT_PROVIDER)
        e = CAIRN_OK; /* paid for the service, but earns no reward now */
    return e;
}

cairn_err storage_refund(exec_ctx *x, cairn_deal_info *d, uint64_t amount)
{
    if (amount > d->escrow)
        return CAIRN_ERR_DB;
    cairn_err e = econ_unhold(x, &d->client, amount);
    if (!e)
        d->escrow -= amount;
    return e;
}

/* Takes `cut` of d's collateral and disposes of it. */
static cairn_err slash_amount(exec_ctx *x, cairn_deal_info *d, uint64_t cut)
{
    cairn_err e = cut ? econ_dispose_slashed(x, cut) : CAIRN_OK;
    if (!e)
        e = econ_unhold(x, NULL, cut);
    if (!e) {
        d->collateral -= cut;
        d->slashed += cut; /* bounded by the collateral ever held */
    }
    return e;
}

cairn_err storage_slash(exec_ctx *x, cairn_deal_info *d, uint64_t bps)
{
    uint64_t cut = (uint64_t)((u128)d->collateral * bps / CAIRN_BPS);
    return slash_amount(x, d, cut);
}

cairn_err storage_finish(exec_ctx *x, cairn_deal_info *d, uint8_t reason,
                         int slash_rest)
{
    int failed = reason == CAIRN_DEAL_END_FAULTS &&
                 (d->flags & CAIRN_DEAL_PERMANENT) &&
                 !(d->flags & CAIRN_DEAL_CLIENT_ENDED);
    cairn_err e = slash_rest ? slash_amount(x, d, d->collateral)
                             : econ_unhold(x, &d->provider, d->collateral);
    if (e)
        return e;
    d->collateral = 0;
    if (!failed && (e = storage_refund(x, d, d->escrow)))
        return e;
    d->state = failed ? CAIRN_DEAL_FAILED : CAIRN_DEAL_ENDED;
    d->end_reason = reason;
    return CAIRN_OK;
}

cairn_err storage_due(exec_ctx *x, const cairn_deal_info *d, uint64_t *due)
{
    uint64_t decline;
    cairn_err e;
    if (!(d->flags & CAIRN_DEAL_PERMANENT)) {
        *due = d->price < d->escrow ? d->price : d->escrow;
        return CAIRN_OK;
    }
    if ((e = econ_param_get(x, P_PERM_DECLINE_BPS, &decline)))
        return e;
    *due = cairn_storage_perm_payout(d->escrow, decline);
    return CAIRN_OK;
}
