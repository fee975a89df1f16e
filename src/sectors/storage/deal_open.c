/* DEAL_OPEN: a client opens a storage deal on terms its provider signed.
 * The check (no state) decodes the body, bounds the terms and verifies the
 * provider's signature; the apply checks the provider, the epoch window,
 * the duration and the collateral, then takes the escrow from the client
 * and the collateral from the provider. Every check comes before the
 * first write, and the ledger drops the nested txn on any error anyway,
 * so a failed open changes nothing. */
#include <string.h>

#include "cairn/amount.h"
#include "econ/staking.h"
#include "sectors/storage/storage.h"

/* Bounds that need no state. */
static cairn_err terms_static(const cairn_deal_terms *t,
                              const cairn_pubkey *client)
{
    uint64_t total, end;
    if (t->size == 0 || t->size > CAIRN_PIECE_MAX || t->price == 0 ||
        memcmp(t->provider.b, client->b, 32) == 0)
        return CAIRN_ERR_DEAL_TERMS;
    if (t->flags & CAIRN_DEAL_PERMANENT)
        return t->epochs == 0 ? CAIRN_OK : CAIRN_ERR_DEAL_TERMS;
    if (t->epochs == 0 || cairn_add(&end, t->start_epoch, t->epochs) ||
        end == CAIRN_EPOCH_NONE)
        return CAIRN_ERR_DEAL_TERMS;
    return cairn_mul(&total, t->price, t->epochs);
}

cairn_err storage_open_check(const cairn_tx *tx)
{
    cairn_deal_open o;
    cairn_err e = cairn_deal_open_decode(&o, tx->body, tx->body_len);
    if (e || (e = terms_static(&o.t, &tx->sender)))
        return e;
    return cairn_deal_open_verify(&o, tx->chain_id, &tx->sender, tx->nonce);
}

/* What the client pays: price × epochs, or the permanent price (which
 * must not exceed the client's stated most, t->price). */
static cairn_err open_total(exec_ctx *x, const cairn_deal_terms *t,
                            uint64_t *total)
{
    uint64_t max_epochs, cost, decline, floor, least;
    cairn_err e;
    if (!(t->flags & CAIRN_DEAL_PERMANENT)) {
        if ((e = econ_param_get(x, P_DEAL_MAX_EPOCHS, &max_epochs)) ||
            (e = econ_param_get(x, P_DEAL_MIN_PRICE_PER_MIB, &floor)))
            return e;
        if (t->epochs > max_epochs)
            return CAIRN_ERR_DEAL_TERMS;
        /* below the floor a deal with oneself would earn emission for free */
        if (cairn_mul(&least, floor, cairn_storage_units(t->size)) ||
            t->price < least)
            return CAIRN_ERR_DEAL_TERMS;
        return cairn_mul(total, t->price, t->epochs);
    }
    if ((e = econ_param_get(x, P_PERM_COST_PER_MIB, &cost)) ||
        (e = econ_param_get(x, P_PERM_DECLINE_BPS, &decline)) ||
        (e = cairn_storage_perm_price(total, t->size, cost, decline)))
        return e;
    return *total > t->price ? CAIRN_ERR_DEAL_TERMS : CAIRN_OK;
}

/* The new deal's record. */
static void open_record(cairn_deal_info *d, const cairn_tx *tx,
                        const cairn_deal_terms *t, uint64_t total,
                        uint64_t height)
{
    int perm = t->flags & CAIRN_DEAL_PERMANENT;
    memset(d, 0, sizeof *d);
    d->client = tx->sender;
    d->provider = t->provider;
    d->root = t->root;
    d->file_tag = t->file_tag;
    d->size = t->size;
    d->segment = t->segment;
    d->piece_index = t->piece_index;
    d->flags = t->flags;
    d->state = CAIRN_DEAL_ACTIVE;
    d->start_epoch = t->start_epoch;
    d->end_epoch = perm ? CAIRN_EPOCH_NONE : t->start_epoch + t->epochs;
    d->price = perm ? total : t->price;
    d->escrow = total;
    d->collateral = t->collateral;
    d->last_proven = CAIRN_EPOCH_NONE;
    d->opened_height = height;
}

cairn_err storage_open_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_deal_open o;
    cairn_deal_info d;
    uint64_t epoch, total;
    cairn_err e = cairn_deal_open_decode(&o, tx->body, tx->body_len);
    if (e || (e = storage_epoch_now(x, &epoch)))
        return e;
    if (o.t.start_epoch <= epoch ||
        o.t.start_epoch - epoch > CAIRN_DEAL_START_WINDOW)
        return CAIRN_ERR_DEAL_TERMS;
    if ((e = open_total(x, &o.t, &total)) ||
        (e = storage_provider_ok(x, &o.t.provider, epoch)) ||
        (e = storage_collateral_ok(x, o.t.collateral, total)) ||
        (e = econ_hold(x, &tx->sender, total)) ||
        (e = econ_hold(x, &o.t.provider, o.t.collateral)))
        return e;
    open_record(&d, tx, &o.t, total, x->height);
    return deal_create(x, &d);
}
