/* COMPUTE_OFFER, ORDER_OPEN, BID and LEASE_CREATE: a provider states its
 * capacity, a tenant posts an order with its escrow, providers bid with a
 * deposit, the tenant takes one bid. Each check decodes the body and
 * bounds it without state; each apply checks everything against state
 * before its first write (the ledger drops the nested txn on any error
 * anyway, so a refused transaction changes nothing). Rules in
 * include/cairn/compute.h and docs/compute-chain.md. */
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "econ/staking.h"
#include "sectors/compute/compute.h"

/* ---- COMPUTE_OFFER ---- */

cairn_err compute_offer_check(const cairn_tx *tx)
{
    cairn_compute_offer o;
    return cairn_compute_offer_decode(&o, tx->body, tx->body_len);
}

cairn_err compute_offer_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_compute_offer o;
    cairn_compute_provider cp;
    econ_provider p;
    cairn_err e = cairn_compute_offer_decode(&o, tx->body, tx->body_len);
    if (e || (e = econ_provider_read(x->w->txn, x->s, &tx->sender, &p)))
        return e;
    if (p.sector != CAIRN_SECTOR_COMPUTE)
        return CAIRN_ERR_BAD_SECTOR;
    e = cprov_read(x->w->txn, x->s, &tx->sender, &cp);
    if (e == CAIRN_ERR_NOT_PROVIDER) { /* its first offer */
        memset(&cp, 0, sizeof cp);
        cp.provider = tx->sender;
    } else if (e) {
        return e;
    }
    if (o.cpus < cp.used.cpus || o.mem_mib < cp.used.mem_mib ||
        o.disk_mib < cp.used.disk_mib)
        return CAIRN_ERR_NO_CAPACITY; /* below what its leases use */
    cp.capacity = o;
    return cprov_put(x, &cp);
}

/* ---- ORDER_OPEN ---- */

cairn_err compute_order_check(const cairn_tx *tx)
{
    cairn_order o;
    return cairn_order_decode(&o, tx->body, tx->body_len);
}

/* The lowest price a bid on o may ask: floor per core × cores. OVERFLOW
 * when that exceeds u64 (then no bid can meet it). */
static cairn_err price_floor(exec_ctx *x, const cairn_order *o, uint64_t *floor)
{
    uint64_t per_core;
    cairn_err e = econ_param_get(x, P_COMPUTE_MIN_PRICE, &per_core);
    return e ? e : cairn_mul(floor, per_core, o->cpus);
}

/* The order's bounds that depend on the parameters in force. */
static cairn_err order_ok(exec_ctx *x, const cairn_order *o)
{
    uint64_t max_epochs, window, floor;
    cairn_err e = econ_param_get(x, P_COMPUTE_MAX_EPOCHS, &max_epochs);
    if (e || (e = econ_param_get(x, P_COMPUTE_BID_WINDOW, &window)))
        return e;
    if (o->max_epochs > max_epochs || o->bid_blocks > window)
        return CAIRN_ERR_BAD_ARG;
    if (price_floor(x, o, &floor) || o->max_price < floor)
        return CAIRN_ERR_BID_PRICE; /* no bid could meet it */
    return CAIRN_OK;
}

cairn_err compute_order_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_order o;
    cairn_lease_info l;
    cairn_err e = cairn_order_decode(&o, tx->body, tx->body_len);
    if (e || (e = order_ok(x, &o)) || (e = econ_hold(x, &tx->sender, o.escrow)))
        return e;
    memset(&l, 0, sizeof l);
    l.tenant = tx->sender;
    l.order = o;
    l.state = CAIRN_LEASE_OPEN;
    l.escrow = o.escrow;
    l.deposited = o.escrow;
    l.opened_height = x->height;
    l.bid_end = x->height + o.bid_blocks; /* u32 added to a height */
    l.last_report = CAIRN_EPOCH_NONE;
    l.paused_epoch = CAIRN_EPOCH_NONE;
    return lease_create(x, &l);
}

/* ---- BID ---- */

cairn_err compute_bid_check(const cairn_tx *tx)
{
    cairn_bid b;
    return cairn_bid_decode(&b, tx->body, tx->body_len);
}

/* An order that takes bids and a lease at this height. */
static cairn_err order_open(exec_ctx *x, uint64_t id, cairn_lease_info *l)
{
    cairn_err e = lease_read(x->w->txn, x->s, id, l);
    if (e)
        return e;
    if (l->state != CAIRN_LEASE_OPEN || x->height > l->bid_end)
        return CAIRN_ERR_ORDER_CLOSED;
    return CAIRN_OK;
}

/* Checks bid b of tx->sender on order l (every rule but the provider's). */
static cairn_err bid_ok(exec_ctx *x, const cairn_tx *tx, const cairn_bid *b,
                        const cairn_lease_info *l)
{
    uint64_t floor, max_bids;
    cairn_bid_info old;
    cairn_err e;
    if (memcmp(l->tenant.b, tx->sender.b, 32) == 0)
        return CAIRN_ERR_NOT_LEASE_PARTY; /* no bids on one's own order */
    if (b->price > l->order.max_price || price_floor(x, &l->order, &floor) ||
        b->price < floor)
        return CAIRN_ERR_BID_PRICE;
    if ((e = econ_param_get(x, P_COMPUTE_MAX_BIDS, &max_bids)))
        return e;
    e = bid_read(x->w->txn, x->s, b->order, &tx->sender, &old);
    if (e == CAIRN_OK || l->nbids >= max_bids || l->nbids == UINT8_MAX)
        return CAIRN_ERR_BID_LIMIT;
    return e == CAIRN_ERR_NOT_FOUND ? CAIRN_OK : e;
}

cairn_err compute_bid_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_bid b;
    cairn_lease_info l;
    cairn_compute_provider cp;
    cairn_bid_info bi;
    uint64_t epoch, deposit;
    cairn_err e = cairn_bid_decode(&b, tx->body, tx->body_len);
    if (e || (e = compute_epoch_now(x, &epoch, NULL)) ||
        (e = compute_provider_ok(x, &tx->sender, epoch, &cp)) ||
        (e = order_open(x, b.order, &l)) || (e = bid_ok(x, tx, &b, &l)) ||
        (e = econ_param_get(x, P_COMPUTE_BID_DEPOSIT, &deposit)))
        return e;
    if (!cprov_fits(&cp, &l.order))
        return CAIRN_ERR_NO_CAPACITY;
    if ((e = econ_hold(x, &tx->sender, deposit)))
        return e;
    bi = (cairn_bid_info){b.order, tx->sender, b.price, deposit, x->height};
    l.nbids++;
    if ((e = bid_put(x, &bi)))
        return e;
    return lease_put(x, &l);
}

/* ---- LEASE_CREATE ---- */

cairn_err compute_create_check(const cairn_tx *tx)
{
    uint64_t order;
    cairn_pubkey provider;
    cairn_err e =
        cairn_lease_create_decode(&order, &provider, tx->body, tx->body_len);
    if (!e && memcmp(provider.b, tx->sender.b, 32) == 0)
        e = CAIRN_ERR_NOT_LEASE_PARTY; /* a tenant is not its own provider */
    return e;
}

/* Checks that the sender may take provider's bid on order l. */
static cairn_err create_ok(exec_ctx *x, const cairn_tx *tx,
                           const cairn_lease_info *l,
                           const cairn_pubkey *provider, cairn_bid_info *bid,
                           cairn_compute_provider *cp)
{
    uint64_t epoch;
    cairn_err e;
    if (memcmp(l->tenant.b, tx->sender.b, 32) != 0)
        return CAIRN_ERR_NOT_LEASE_PARTY;
    if ((e = bid_read(x->w->txn, x->s, l->id, provider, bid)))
        return e; /* NOT_FOUND: that provider did not bid */
    if ((e = compute_epoch_now(x, &epoch, NULL)) ||
        (e = compute_provider_ok(x, provider, epoch, cp)))
        return e;
    if (l->escrow < bid->price)
        return CAIRN_ERR_FUNDS; /* cannot be: escrow >= max price >= price */
    return cprov_fits(cp, &l->order) ? CAIRN_OK : CAIRN_ERR_NO_CAPACITY;
}

cairn_err compute_create_apply(exec_ctx *x, const cairn_tx *tx)
{
    uint64_t id, epoch;
    cairn_pubkey provider;
    cairn_lease_info l;
    cairn_bid_info bid;
    cairn_compute_provider cp;
    cairn_err e =
        cairn_lease_create_decode(&id, &provider, tx->body, tx->body_len);
    if (e || (e = order_open(x, id, &l)) ||
        (e = create_ok(x, tx, &l, &provider, &bid, &cp)) ||
        (e = compute_epoch_now(x, &epoch, NULL)))
        return e;
    /* the writes: deposits back, capacity taken, the order becomes a lease */
    cp.used.cpus += l.order.cpus; /* fits: each <= capacity <= u32 */
    cp.used.mem_mib += l.order.mem_mib;
    cp.used.disk_mib += l.order.disk_mib;
    cp.leases++;
    if ((e = bid_release_all(x, id)) || (e = cprov_put(x, &cp)) ||
        (e = lease_index(x, STATE_LEASE_OPEN, NULL, 0, id, 0)) ||
        (e = lease_index(x, STATE_LEASE_EXPIRY, NULL, l.bid_end, id, 0)) ||
        (e = lease_index(x, STATE_LEASE_RUN, NULL, 0, id, 1)) ||
        (e = lease_index(x, STATE_LEASE_PROV, &provider, 0, id, 1)))
        return e;
    l.state = CAIRN_LEASE_ACTIVE;
    l.provider = provider;
    l.price = bid.price;
    l.start_height = x->height;
    l.start_epoch = epoch;
    l.settled_height = x->height; /* paid from the next block on */
    return lease_put(x, &l);
}
