/* LEASE_DEPOSIT, LEASE_CLOSE and LEASE_REPORT: the tenant tops up (and so
 * resumes a paused lease), either party closes, the provider reports its
 * workloads. Checks before writes, as in kinds_order.c. */
#include <string.h>

#include "cairn/amount.h"
#include "econ/staking.h"
#include "sectors/compute/compute.h"

/* ---- LEASE_DEPOSIT ---- */

cairn_err compute_deposit_check(const cairn_tx *tx)
{
    uint64_t id, amount;
    cairn_err e =
        cairn_lease_deposit_decode(&id, &amount, tx->body, tx->body_len);
    return e ? e : amount ? CAIRN_OK : CAIRN_ERR_ZERO_AMOUNT;
}

cairn_err compute_deposit_apply(exec_ctx *x, const cairn_tx *tx)
{
    uint64_t id, amount, escrow, deposited;
    cairn_lease_info l;
    cairn_err e =
        cairn_lease_deposit_decode(&id, &amount, tx->body, tx->body_len);
    if (e || (e = lease_read(x->w->txn, x->s, id, &l)))
        return e;
    if (memcmp(l.tenant.b, tx->sender.b, 32) != 0)
        return CAIRN_ERR_NOT_LEASE_PARTY;
    if (l.state == CAIRN_LEASE_CLOSED)
        return CAIRN_ERR_LEASE_STATE;
    if (cairn_add(&escrow, l.escrow, amount) ||
        cairn_add(&deposited, l.deposited, amount))
        return CAIRN_ERR_OVERFLOW;
    if ((e = econ_hold(x, &tx->sender, amount)))
        return e;
    l.escrow = escrow;
    l.deposited = deposited;
    if (l.state == CAIRN_LEASE_PAUSED && l.escrow >= l.price) {
        l.state = CAIRN_LEASE_ACTIVE; /* runs again; paid from here on */
        l.settled_height = x->height;
        l.paused_epoch = CAIRN_EPOCH_NONE;
        l.missed = 0;
    }
    return lease_put(x, &l);
}

/* ---- LEASE_CLOSE ---- */

cairn_err compute_close_check(const cairn_tx *tx)
{
    uint64_t id;
    return cairn_lease_close_decode(&id, tx->body, tx->body_len);
}

/* Why the sender may close l: CANCELLED (its tenant, an order), TENANT or
 * PROVIDER (a lease); NOT_LEASE_PARTY for anyone else. */
static cairn_err close_reason(const cairn_tx *tx, const cairn_lease_info *l,
                              uint8_t *reason)
{
    int tenant = memcmp(l->tenant.b, tx->sender.b, 32) == 0;
    int provider = l->state != CAIRN_LEASE_OPEN &&
                   memcmp(l->provider.b, tx->sender.b, 32) == 0;
    if (l->state == CAIRN_LEASE_CLOSED)
        return CAIRN_ERR_LEASE_STATE;
    if (!tenant && !provider)
        return CAIRN_ERR_NOT_LEASE_PARTY;
    *reason = l->state == CAIRN_LEASE_OPEN ? CAIRN_LEASE_END_CANCELLED
              : tenant                     ? CAIRN_LEASE_END_TENANT
                                           : CAIRN_LEASE_END_PROVIDER;
    return CAIRN_OK;
}

cairn_err compute_close_apply(exec_ctx *x, const cairn_tx *tx)
{
    uint64_t id, epoch, blocks;
    uint8_t reason;
    cairn_lease_info l;
    cairn_err e = cairn_lease_close_decode(&id, tx->body, tx->body_len);
    if (e || (e = lease_read(x->w->txn, x->s, id, &l)) ||
        (e = close_reason(tx, &l, &reason)) ||
        (e = compute_epoch_now(x, &epoch, NULL)) ||
        (e = econ_param_get(x, P_EPOCH_BLOCKS, &blocks)))
        return e;
    /* the blocks since the last settlement: paid if reported this epoch */
    if (l.state == CAIRN_LEASE_ACTIVE && l.last_report == epoch &&
        x->height > l.settled_height &&
        (e = compute_pay(x, &l, x->height - l.settled_height, blocks)))
        return e;
    if (l.state != CAIRN_LEASE_OPEN)
        l.settled_height = x->height;
    return compute_close(x, &l, reason);
}

/* ---- LEASE_REPORT ---- */

cairn_err compute_report_check(const cairn_tx *tx)
{
    cairn_report r; /* about 1 KiB */
    return cairn_report_decode(&r, tx->body, tx->body_len);
}

/* Checks that the sender provides every lease reported and that each is
 * running (ACTIVE or PAUSED). */
static cairn_err report_ok(exec_ctx *x, const cairn_tx *tx,
                           const cairn_report *r)
{
    for (uint8_t i = 0; i < r->count; i++) {
        cairn_lease_info l;
        cairn_err e = lease_read(x->w->txn, x->s, r->e[i].lease, &l);
        if (e)
            return e;
        if (l.state == CAIRN_LEASE_OPEN ||
            memcmp(l.provider.b, tx->sender.b, 32) != 0)
            return CAIRN_ERR_NOT_LEASE_PARTY;
        if (l.state != CAIRN_LEASE_ACTIVE && l.state != CAIRN_LEASE_PAUSED)
            return CAIRN_ERR_LEASE_STATE;
    }
    return CAIRN_OK;
}

cairn_err compute_report_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_report r;
    uint64_t epoch;
    cairn_err e = cairn_report_decode(&r, tx->body, tx->body_len);
    if (e || (e = report_ok(x, tx, &r)) ||
        (e = compute_epoch_now(x, &epoch, NULL)))
        return e;
    for (uint8_t i = 0; !e && i < r.count; i++) {
        cairn_lease_info l;
        if ((e = lease_read(x->w->txn, x->s, r.e[i].lease, &l)))
            break;
        l.work_state = r.e[i].state;
        l.exit_code = r.e[i].exit_code;
        l.last_report = epoch; /* counted once per epoch: settlement reads it */
        e = lease_put(x, &l);
    }
    return e;
}
