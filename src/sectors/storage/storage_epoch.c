/* End of epoch for storage deals: pay the proven ones through the fee
 * split (and report their work), fault the unproven ones (refund the
 * epoch's price, slash collateral, count the fault toward jailing), end
 * deals that reach their end, run out of endowment or miss too often.
 * Deals are visited in id order (the active index, tag 0x52); the
 * providers that missed a proof are then counted one fault each, in
 * address order. */
#include <stdlib.h>
#include <string.h>

#include "econ/staking.h"
#include "sectors/storage/storage.h"

/* The parameters one settlement uses, and the providers that faulted. */
typedef struct settle {
    uint64_t epoch;
    uint64_t slash_bps;
    uint64_t max_faults;
    cairn_pubkey *faulted; /* owned */
    size_t nf, cap;
} settle;

/* A growing list filled by a state scan. */
typedef struct id_list {
    uint64_t *v;
    size_t n, cap;
} id_list;

static cairn_err visit_active(void *arg, const uint8_t *kp, size_t klen,
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

/* Collects the ids of the active deals in key order; *out malloc'd, the
 * caller frees it. */
static cairn_err collect_active(exec_ctx *x, uint64_t **out, size_t *n)
{
    id_list l = {NULL, 0, 0};
    cairn_err e =
        state_scan(x->w->txn, x->s, STATE_DEAL_ACTIVE, visit_active, &l);
    *out = l.v;
    *n = l.n;
    return e;
}

static cairn_err note_fault(settle *st, const cairn_pubkey *pk)
{
    if (st->nf == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 64;
        cairn_pubkey *p = realloc(st->faulted, cap * sizeof *p);
        if (!p)
            return CAIRN_ERR_NOMEM;
        st->faulted = p;
        st->cap = cap;
    }
    st->faulted[st->nf++] = *pk;
    return CAIRN_OK;
}

/* A missed epoch: the client gets the epoch's price back (term deals),
 * the collateral is cut, and at max_faults in a row the deal ends with
 * the rest of its collateral slashed. */
static cairn_err fault(exec_ctx *x, settle *st, cairn_deal_info *d)
{
    uint64_t due;
    cairn_err e = storage_due(x, d, &due);
    if (e ||
        (!(d->flags & CAIRN_DEAL_PERMANENT) &&
         (e = storage_refund(x, d, due))) ||
        (e = storage_slash(x, d, st->slash_bps)) ||
        (e = note_fault(st, &d->provider)))
        return e;
    d->faults++;
    d->total_faults += d->total_faults < UINT32_MAX; /* saturates */
    if (d->faults >= st->max_faults)
        return storage_finish(x, d, CAIRN_DEAL_END_FAULTS, 1);
    return CAIRN_OK;
}

/* Settles epoch st->epoch of one running deal. */
static cairn_err settle_deal(exec_ctx *x, settle *st, cairn_deal_info *d)
{
    uint64_t due, E = st->epoch;
    cairn_err e;
    if (d->last_proven == E) {
        if ((e = storage_due(x, d, &due)) || (e = storage_pay(x, d, due)))
            return e;
        d->faults = 0;
    } else if ((e = fault(x, st, d)) || d->state != CAIRN_DEAL_ACTIVE) {
        return e;
    }
    if ((d->flags & CAIRN_DEAL_PERMANENT) && d->escrow == 0)
        return storage_finish(x, d, CAIRN_DEAL_END_EXHAUSTED, 0);
    if (E + 1 >= d->end_epoch)
        return storage_finish(x, d,
                              (d->flags & CAIRN_DEAL_CLIENT_ENDED)
                                  ? CAIRN_DEAL_END_CLIENT
                                  : CAIRN_DEAL_END_COMPLETED,
                              0);
    return CAIRN_OK;
}

static int pk_cmp(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(cairn_pubkey));
}

/* One fault per provider that missed any proof this epoch, in address
 * order: econ_slash with 0 bps counts it toward jail_after_faults. */
static cairn_err count_faults(exec_ctx *x, settle *st)
{
    cairn_err e = CAIRN_OK;
    if (st->nf > 1)
        qsort(st->faulted, st->nf, sizeof *st->faulted, pk_cmp);
    for (size_t i = 0; !e && i < st->nf; i++) {
        if (i && pk_cmp(&st->faulted[i], &st->faulted[i - 1]) == 0)
            continue;
        e = econ_slash(x, &st->faulted[i], 0, "storage: missed proof");
        if (e == CAIRN_ERR_NOT_PROVIDER)
            e = CAIRN_OK;
    }
    return e;
}

cairn_err storage_end_epoch(exec_ctx *x, uint64_t epoch)
{
    settle st = {.epoch = epoch};
    uint64_t *ids = NULL;
    size_t n = 0;
    cairn_err e = econ_param_get(x, P_DEAL_FAULT_SLASH_BPS, &st.slash_bps);
    if (!e)
        e = econ_param_get(x, P_DEAL_MAX_FAULTS, &st.max_faults);
    if (!e)
        e = collect_active(x, &ids, &n);
    for (size_t i = 0; !e && i < n; i++) {
        cairn_deal_info d;
        if ((e = deal_read(x->w->txn, x->s, ids[i], &d)))
            break;
        if (d.state != CAIRN_DEAL_ACTIVE || d.start_epoch > epoch)
            continue; /* not started yet */
        if (!(e = settle_deal(x, &st, &d)))
            e = deal_write(x, &d);
    }
    if (!e)
        e = count_faults(x, &st);
    free(ids);
    free(st.faulted);
    return e;
}
