/* Moving a lease's tokens: payment through the fee split with the work it
 * earns, refunds, and closing an order or lease (escrow back, bid
 * deposits back, capacity freed). Every function keeps the books
 * balanced: what leaves an escrow arrives in a balance or the fee split
 * in the same call. */
#include "cairn/amount.h"
#include "econ/staking.h"
#include "sectors/compute/compute.h"

cairn_err compute_epoch_now(exec_ctx *x, uint64_t *epoch, uint64_t *start)
{
    econ_global g;
    cairn_err e = econ_global_get(x->w->txn, x->s, &g);
    *epoch = g.epoch;
    if (start)
        *start = g.start_height;
    return e;
}

cairn_err compute_provider_ok(exec_ctx *x, const cairn_pubkey *pk,
                              uint64_t epoch, cairn_compute_provider *cp)
{
    econ_provider p;
    cairn_err e = econ_provider_read(x->w->txn, x->s, pk, &p);
    if (e)
        return e;
    if (p.sector != CAIRN_SECTOR_COMPUTE)
        return CAIRN_ERR_BAD_SECTOR;
    if (!(p.flags & PROV_ACTIVE))
        return CAIRN_ERR_STAKE_LOW;
    if (econ_is_jailed(&p, epoch))
        return CAIRN_ERR_JAILED;
    return cprov_read(x->w->txn, x->s, pk, cp);
}

uint64_t compute_due(const cairn_lease_info *l, uint64_t blocks, uint64_t B)
{
    u128 due = (u128)l->price * blocks / (B ? B : 1);
    return due > UINT64_MAX ? UINT64_MAX : (uint64_t)due;
}

/* cpus × blocks core-blocks, times paid / due when the escrow paid less
 * than was due (floor; 128-bit intermediates, capped at UINT64_MAX). */
static uint64_t work_units(const cairn_lease_info *l, uint64_t blocks,
                           uint64_t paid, uint64_t due)
{
    u128 units = (u128)l->order.cpus * blocks;
    if (paid < due)
        units = units * paid / due;
    return units > UINT64_MAX ? UINT64_MAX : (uint64_t)units;
}

void compute_charge(exec_ctx *x, cairn_lease_info *l, uint64_t blocks,
                    uint64_t B, uint64_t *amount, uint64_t *units)
{
    uint64_t due = compute_due(l, blocks, B);
    *amount = due < l->escrow ? due : l->escrow;
    *units = work_units(l, blocks, *amount, due);
    l->escrow -= *amount;
    l->paid += *amount; /* bounded by the escrow ever deposited */
    l->settled_height = x->height;
}

cairn_err compute_pay_provider(exec_ctx *x, const cairn_pubkey *provider,
                               uint64_t amount, uint64_t units)
{
    cairn_err e = CAIRN_OK;
    if (amount && ((e = econ_pay_fee(x, amount, provider)) ||
                   (e = econ_unhold(x, NULL, amount))))
        return e;
    if (units)
        e = econ_add_work(x, provider, units);
    if (e == CAIRN_ERR_JAILED || e == CAIRN_ERR_STAKE_LOW ||
        e == CAIRN_ERR_NOT_PROVIDER)
        e = CAIRN_OK; /* paid for the service, but earns no reward now */
    return e;
}

cairn_err compute_pay(exec_ctx *x, cairn_lease_info *l, uint64_t blocks,
                      uint64_t B)
{
    uint64_t amount, units;
    compute_charge(x, l, blocks, B, &amount, &units);
    return compute_pay_provider(x, &l->provider, amount, units);
}

cairn_err compute_refund(exec_ctx *x, cairn_lease_info *l, uint64_t amount)
{
    if (amount > l->escrow)
        return CAIRN_ERR_DB; /* a broken record: never return what is not held
                              */
    cairn_err e = econ_unhold(x, &l->tenant, amount);
    if (!e) {
        l->escrow -= amount;
        l->refunded += amount;
    }
    return e;
}

/* A lease ends: its resources return to its provider's free capacity and
 * the end is counted. */
static cairn_err free_capacity(exec_ctx *x, const cairn_lease_info *l,
                               uint8_t reason)
{
    cairn_compute_provider cp;
    const cairn_order *o = &l->order;
    cairn_err e = cprov_read(x->w->txn, x->s, &l->provider, &cp);
    if (e)
        return e == CAIRN_ERR_NOT_PROVIDER ? CAIRN_ERR_DB : e;
    if (cp.used.cpus < o->cpus || cp.used.mem_mib < o->mem_mib ||
        cp.used.disk_mib < o->disk_mib)
        return CAIRN_ERR_DB; /* the books of capacity are broken */
    cp.used.cpus -= o->cpus;
    cp.used.mem_mib -= o->mem_mib;
    cp.used.disk_mib -= o->disk_mib;
    if (reason == CAIRN_LEASE_END_DONE || reason == CAIRN_LEASE_END_TENANT)
        cp.done++;
    else if (reason == CAIRN_LEASE_END_LOST)
        cp.lost++;
    return cprov_put(x, &cp);
}

cairn_err compute_close(exec_ctx *x, cairn_lease_info *l, uint8_t reason)
{
    cairn_err e;
    if (l->state == CAIRN_LEASE_CLOSED)
        return CAIRN_ERR_LEASE_STATE;
    if (l->state == CAIRN_LEASE_OPEN) {
        if ((e = bid_release_all(x, l->id)) ||
            (e = lease_index(x, STATE_LEASE_OPEN, NULL, 0, l->id, 0)) ||
            (e = lease_index(x, STATE_LEASE_EXPIRY, NULL, l->bid_end, l->id,
                             0)))
            return e;
    } else if ((e = free_capacity(x, l, reason)) ||
               (e = lease_index(x, STATE_LEASE_RUN, NULL, 0, l->id, 0))) {
        return e;
    }
    if ((e = compute_refund(x, l, l->escrow)))
        return e;
    l->state = CAIRN_LEASE_CLOSED;
    l->end_reason = reason;
    l->closed_height = x->height;
    l->paused_epoch = CAIRN_EPOCH_NONE;
    return lease_put(x, l);
}
