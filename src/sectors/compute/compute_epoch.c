/* The compute sector's hooks. End of epoch: every ACTIVE and PAUSED lease
 * in id order (the running index, tag 0x65) is settled: charged for the
 * epoch's blocks if reported, else not paid and (unless it started or
 * resumed in this epoch) a miss; lost after compute_max_missed misses;
 * done at its max epochs; paused when the escrow cannot pay the next
 * epoch; closed after compute_grace_epochs paused. Then each provider is
 * paid what its leases were charged, as one sum through the fee split
 * with their work units, in address order (one fee split per provider
 * and epoch, not one per lease: 100,000 leases settle in about the time
 * of as many plain record writes); then the providers that lost a lease
 * are slashed once each, in address order. End of block: OPEN orders
 * whose bid window ended expire. */
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "econ/staking.h"
#include "sectors/compute/compute.h"
#include "sectors/compute/subnet.h"

/* What one lease's provider is owed this epoch. */
typedef struct owed {
    cairn_pubkey provider;
    uint64_t amount, units;
} owed;

/* What one settlement works with. */
typedef struct settle {
    uint64_t epoch, start, blocks; /* E, its first block, epoch_blocks */
    uint64_t grace, max_missed, slash_bps;
    cairn_pubkey *lost; /* providers that lost a lease; owned */
    size_t nlost, cap;
    owed *owe; /* charged leases, paid at the end; owned */
    size_t nowe, owe_cap;
} settle;

/* Ids gathered by a scan of an index keyed ... ‖ u64 BE id. */
typedef struct id_list {
    uint64_t *v;
    size_t n, cap;
    uint64_t height; /* the expiry scan stops past it */
} id_list;

static cairn_err visit_running(void *arg, const uint8_t *kp, size_t klen,
                               const uint8_t *vp, size_t vlen)
{
    id_list *l = arg;
    (void)vp;
    (void)vlen;
    if (klen != 9)
        return CAIRN_ERR_DB;
    cairn_err e = grow_array((void **)&l->v, &l->cap, l->n, sizeof *l->v, 256);
    if (!e)
        l->v[l->n++] = cairn_be64_get(kp + 1);
    return e;
}

static cairn_err note_lost(settle *st, const cairn_pubkey *pk)
{
    cairn_err e =
        grow_array((void **)&st->lost, &st->cap, st->nlost, sizeof *pk, 16);
    if (!e)
        st->lost[st->nlost++] = *pk;
    return e;
}

/* An ACTIVE lease's epoch: paid if reported, else a miss (not in the
 * epoch it started or resumed in: settled lies inside this epoch). */
static cairn_err settle_active(exec_ctx *x, settle *st, cairn_lease_info *l)
{
    uint64_t blocks =
        x->height > l->settled_height ? x->height - l->settled_height : 0;
    if (l->last_report == st->epoch) {
        owed o = {l->provider, 0, 0};
        l->missed = 0;
        compute_charge(x, l, blocks, st->blocks, &o.amount, &o.units);
        if (!o.amount && !o.units)
            return CAIRN_OK;
        cairn_err e = grow_array((void **)&st->owe, &st->owe_cap, st->nowe,
                                 sizeof o, 1024);
        if (!e)
            st->owe[st->nowe++] = o;
        return e;
    }
    if (l->settled_height < st->start && l->missed < UINT32_MAX)
        l->missed++;
    l->settled_height = x->height; /* forfeited: never paid later */
    return CAIRN_OK;
}

/* Settles epoch st->epoch of one running lease and writes it. */
static cairn_err settle_lease(exec_ctx *x, settle *st, cairn_lease_info *l)
{
    cairn_err e = CAIRN_OK;
    if (l->state == CAIRN_LEASE_ACTIVE) {
        if ((e = settle_active(x, st, l)))
            return e;
        if (l->missed >= st->max_missed) {
            if ((e = note_lost(st, &l->provider)))
                return e;
            return compute_close(x, l, CAIRN_LEASE_END_LOST);
        }
    } else {
        l->settled_height = x->height; /* paused: nothing owed */
    }
    if (st->epoch - l->start_epoch + 1 >= l->order.max_epochs)
        return compute_close(x, l, CAIRN_LEASE_END_DONE);
    if (l->state == CAIRN_LEASE_ACTIVE && l->escrow < l->price) {
        l->state = CAIRN_LEASE_PAUSED;
        l->paused_epoch = st->epoch;
    }
    if (l->state == CAIRN_LEASE_PAUSED &&
        st->epoch - l->paused_epoch >= st->grace)
        return compute_close(x, l, CAIRN_LEASE_END_ESCROW);
    return lease_put(x, l);
}

static int pk_cmp(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(cairn_pubkey));
}

/* Pays each provider what its leases were charged, summed, in address
 * order (qsort is not stable, but equal keys are summed, so the order
 * among them does not matter). */
static cairn_err pay_all(exec_ctx *x, settle *st)
{
    cairn_err e = CAIRN_OK;
    if (st->nowe > 1)
        qsort(st->owe, st->nowe, sizeof *st->owe, pk_cmp);
    for (size_t i = 0; !e && i < st->nowe;) {
        owed sum = st->owe[i++];
        for (; i < st->nowe && pk_cmp(&st->owe[i], &sum) == 0; i++) {
            if (cairn_add(&sum.amount, sum.amount, st->owe[i].amount))
                return CAIRN_ERR_OVERFLOW; /* cannot be: <= the escrow held */
            if (cairn_add(&sum.units, sum.units, st->owe[i].units))
                sum.units = UINT64_MAX;
        }
        e = compute_pay_provider(x, &sum.provider, sum.amount, sum.units);
    }
    return e;
}

/* One slash per provider that lost a lease this epoch, in address order. */
static cairn_err slash_lost(exec_ctx *x, settle *st)
{
    cairn_err e = CAIRN_OK;
    if (st->nlost > 1)
        qsort(st->lost, st->nlost, sizeof *st->lost, pk_cmp);
    for (size_t i = 0; !e && i < st->nlost; i++) {
        if (i && pk_cmp(&st->lost[i], &st->lost[i - 1]) == 0)
            continue;
        e = econ_slash(x, &st->lost[i], (uint32_t)st->slash_bps,
                       "compute: lost lease");
        if (e == CAIRN_ERR_NOT_PROVIDER)
            e = CAIRN_OK;
    }
    return e;
}

static cairn_err settle_params(exec_ctx *x, settle *st)
{
    cairn_err e = econ_param_get(x, P_COMPUTE_GRACE, &st->grace);
    if (!e)
        e = econ_param_get(x, P_COMPUTE_MAX_MISSED, &st->max_missed);
    if (!e)
        e = econ_param_get(x, P_COMPUTE_SLASH_BPS, &st->slash_bps);
    if (!e)
        e = econ_param_get(x, P_EPOCH_BLOCKS, &st->blocks);
    if (!e)
        e = compute_epoch_now(x, &st->epoch, &st->start);
    return e;
}

cairn_err compute_end_epoch(exec_ctx *x, uint64_t epoch)
{
    settle st;
    id_list ids = {0};
    memset(&st, 0, sizeof st);
    cairn_err e = settle_params(x, &st);
    if (!e && st.epoch != epoch)
        e = CAIRN_ERR_DB; /* the economy and the hook disagree */
    if (!e)
        e = state_scan(x->w->txn, x->s, STATE_LEASE_RUN, visit_running, &ids);
    for (size_t i = 0; !e && i < ids.n; i++) {
        cairn_lease_info l;
        if (!(e = lease_read(x->w->txn, x->s, ids.v[i], &l)))
            e = settle_lease(x, &st, &l);
    }
    if (!e)
        e = pay_all(x, &st);
    if (!e)
        e = slash_lost(x, &st);
    if (!e)
        e = subnet_end_epoch(x, epoch);
    free(ids.v);
    free(st.lost);
    free(st.owe);
    return e;
}

static cairn_err visit_expiry(void *arg, const uint8_t *kp, size_t klen,
                              const uint8_t *vp, size_t vlen)
{
    id_list *l = arg;
    (void)vp;
    (void)vlen;
    if (klen != 17)
        return CAIRN_ERR_DB;
    if (cairn_be64_get(kp + 1) > l->height)
        return STATE_SCAN_STOP; /* in bid-end order: the rest are open */
    cairn_err e = grow_array((void **)&l->v, &l->cap, l->n, sizeof *l->v, 16);
    if (!e)
        l->v[l->n++] = cairn_be64_get(kp + 9);
    return e;
}

cairn_err compute_end_block(exec_ctx *x)
{
    id_list ids = {.height = x->height};
    cairn_err e =
        state_scan(x->w->txn, x->s, STATE_LEASE_EXPIRY, visit_expiry, &ids);
    for (size_t i = 0; !e && i < ids.n; i++) {
        cairn_lease_info l;
        if (!(e = lease_read(x->w->txn, x->s, ids.v[i], &l)))
            e = l.state == CAIRN_LEASE_OPEN
                    ? compute_close(x, &l, CAIRN_LEASE_END_EXPIRED)
                    : CAIRN_ERR_DB; /* the index keeps OPEN orders only */
    }
    free(ids.v);
    return e;
}
