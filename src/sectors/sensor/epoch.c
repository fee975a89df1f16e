/* The sensor sector's epoch end and reward payment (docs/sensor-chain.md,
 * "End of epoch", "Payment"):
 *
 * sn_end_epoch(e), at the last block of e: the reports of e (tag 0x87,
 * key order: cell, then device) are grouped per cell; a q value's support
 * is its number of distinct owners; the winner (most support, ties to the
 * smaller q) is agreed when its support reaches sensor_quorum. An agreed
 * tile is worth sn_tile_value(tile_units, freshness, bounty boost), split
 * equally among the distinct agreeing owners (owner key order, remainder
 * to the first); the cell's bounties are paid the same way. Bounties past
 * their deadline are refunded. At a week's last epoch every device's
 * weekly step runs (DIMO points, paid at most once: tag 0x8B). Units and
 * points per owner (tag 0x89) are written for owners that are sensor
 * providers and reported as work; the totals (tag 0x8A) are updated.
 *
 * sn_pay_emission(e, share): the map pool (share × sensor_map_bps) by map
 * units, the weekly pool (the rest) by week points in week-end epochs;
 * floors with the remainder to the first in owner key order. */
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "core/bytes.h"
#include "econ/staking.h"
#include "sectors/sensor/sn.h"

typedef struct owner_units {
    cairn_pubkey owner;
    uint64_t units, points;
} owner_units;

typedef struct rep {
    cairn_pubkey device, owner;
    int64_t q;
    uint64_t seq;
} rep;

typedef struct ep {
    exec_ctx *x;
    const sn_params *P;
    uint64_t epoch;
    sn_totals *t;
    owner_units *u; /* appended, merged at the end */
    size_t nu, capu;
    rep *r; /* the current cell's reports */
    size_t nr, capr;
    uint64_t cell;
    cairn_err err;
} ep;

static cairn_err add_units(ep *c, const cairn_pubkey *owner, uint64_t units,
                           uint64_t points)
{
    cairn_err e =
        grow_array((void **)&c->u, &c->capu, c->nu, sizeof *c->u, 256);
    if (e)
        return e;
    c->u[c->nu].owner = *owner;
    c->u[c->nu].units = units;
    c->u[c->nu].points = points;
    c->nu++;
    return CAIRN_OK;
}

static int rep_cmp_q_owner(const void *a, const void *b)
{
    const rep *x = a, *y = b;
    if (x->q != y->q)
        return x->q < y->q ? -1 : 1;
    int c = memcmp(x->owner.b, y->owner.b, 32);
    return c ? c : memcmp(x->device.b, y->device.b, 32);
}

static int pk_cmp(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

typedef struct bounty_list {
    uint8_t (*k)[40];
    uint64_t *amount;
    size_t n, cap, cap2;
    uint64_t sum;
    uint64_t due; /* collect only rows with deadline ≤ due (UINT64_MAX: all) */
} bounty_list;

static cairn_err visit_bounty(void *arg, const uint8_t *k, size_t kn,
                              const uint8_t *v, size_t vn)
{
    bounty_list *l = arg;
    if (kn != 41 || vn != 16)
        return CAIRN_ERR_DB;
    if (cairn_le64_get(v + 8) > l->due)
        return CAIRN_OK;
    size_t c1 = l->cap, c2 = l->cap2;
    cairn_err e = grow_array((void **)&l->k, &c1, l->n, sizeof *l->k, 8);
    if (!e)
        e = grow_array((void **)&l->amount, &c2, l->n, sizeof *l->amount, 8);
    l->cap = c1;
    l->cap2 = c2;
    if (e)
        return e;
    memcpy(l->k[l->n], k + 1, 40);
    l->amount[l->n] = cairn_le64_get(v);
    if (cairn_add(&l->sum, l->sum, l->amount[l->n]))
        return CAIRN_ERR_OVERFLOW;
    l->n++;
    return CAIRN_OK;
}

static cairn_err bounty_del(exec_ctx *x, const uint8_t k[40])
{
    uint8_t full[41] = {SN_STATE_BOUNTY};
    memcpy(full + 1, k, 40);
    return state_del_raw(x->w, x->s, full, sizeof full);
}

/* Judges the reports gathered for c->cell. */
static cairn_err judge_cell(ep *c)
{
    cairn_err e = CAIRN_OK;
    size_t n = c->nr, support, nown = 0, agree_n = 0;
    int64_t win;
    int64_t *q = NULL;
    cairn_pubkey *own = NULL, *agree = NULL;
    uint64_t *part = NULL;
    bounty_list bl = {.due = UINT64_MAX};
    sn_tile t;
    if (!n)
        return CAIRN_OK;
    c->t->tiles_reported++;
    qsort(c->r, n, sizeof *c->r, rep_cmp_q_owner);
    if (!(q = malloc(n * sizeof *q)) || !(own = malloc(n * sizeof *own)) ||
        !(agree = malloc(n * sizeof *agree)) ||
        !(part = malloc(n * sizeof *part))) {
        e = CAIRN_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        q[i] = c->r[i].q;
        own[i] = c->r[i].owner;
    }
    sn_consensus(q, own, n, &win, &support);
    if (support < c->P->quorum) {
        c->t->tiles_disagreed++;
        goto done;
    }
    /* the agreeing owners, distinct, in key order; the first device */
    const rep *first = NULL;
    for (size_t i = 0; i < n; i++) {
        if (c->r[i].q != win) {
            c->t->reports_disagreed++;
            continue;
        }
        if (!first || memcmp(c->r[i].device.b, first->device.b, 32) < 0)
            first = &c->r[i];
        if (!agree_n || memcmp(agree[agree_n - 1].b, c->r[i].owner.b, 32) != 0)
            agree[agree_n++] = c->r[i].owner;
    }
    qsort(agree, agree_n, sizeof *agree, pk_cmp);
    nown = agree_n;
    e = sn_tile_read(c->x->w->txn, c->x->s, c->cell, &t);
    int ever = e == CAIRN_OK;
    if (e == CAIRN_ERR_NOT_FOUND) {
        memset(&t, 0, sizeof t);
        t.cell = c->cell;
        e = CAIRN_OK;
    }
    if (e)
        goto done;
    /* the cell's bounties: any row is live (expired ones were refunded at
     * their deadline epoch's end) */
    uint8_t pre[9] = {SN_STATE_BOUNTY};
    cairn_be64_put(pre + 1, c->cell);
    if ((e = sn_scan_prefix(c->x->w->txn, c->x->s, pre, 9, visit_bounty, &bl)))
        goto done;
    uint64_t fresh =
        sn_fresh_bps(ever, t.last_agreed_epoch, c->epoch, c->P->fresh_epochs);
    uint64_t value = sn_tile_value(c->P->tile_units, fresh,
                                   bl.n ? c->P->bounty_boost_bps : 0);
    c->t->tiles_agreed++;
    c->t->fresh_bps_sum += fresh;
    sn_split_equal(value, nown, part);
    for (size_t i = 0; !e && i < nown; i++)
        e = add_units(c, &agree[i], part[i], 0);
    if (!e && bl.n) {
        sn_split_equal(bl.sum, nown, part);
        for (size_t i = 0; !e && i < nown; i++)
            if (part[i])
                e = econ_unhold(c->x, &agree[i], part[i]);
        for (size_t i = 0; !e && i < bl.n; i++)
            e = bounty_del(c->x, bl.k[i]);
        c->t->bounties_paid += bl.sum;
        c->t->bounties_paid_n += bl.n;
    }
    if (!e) {
        uint8_t k[8], v[SN_TILE_LEN];
        t.last_agreed_epoch = c->epoch;
        t.q = win;
        t.contributors = (uint32_t)nown;
        t.times_agreed++;
        t.device = first->device;
        t.seq = first->seq;
        cairn_be64_put(k, c->cell);
        sn_tile_encode(v, &t);
        e = state_put(c->x->w, c->x->s, SN_STATE_TILE, k, 8, v, sizeof v);
    }
done:
    free(bl.k);
    free(bl.amount);
    free(q);
    free(own);
    free(agree);
    free(part);
    return e;
}

static cairn_err visit_report(void *arg, const uint8_t *k, size_t kn,
                              const uint8_t *v, size_t vn)
{
    ep *c = arg;
    rep r;
    if (kn != 49 || vn != 48)
        return CAIRN_ERR_DB;
    /* copied first: judging the previous cell writes, and a write may move
     * the page k and v point into */
    uint64_t cell = cairn_be64_get(k + 9);
    memcpy(r.device.b, k + 17, 32);
    memcpy(r.owner.b, v, 32);
    r.q = (int64_t)cairn_le64_get(v + 32);
    r.seq = cairn_le64_get(v + 40);
    cairn_err e = CAIRN_OK;
    if (c->nr && cell != c->cell) {
        e = judge_cell(c);
        c->nr = 0;
    }
    c->cell = cell;
    if (!e)
        e = grow_array((void **)&c->r, &c->capr, c->nr, sizeof *c->r, 16);
    if (e)
        return e;
    c->r[c->nr++] = r;
    return CAIRN_OK;
}

/* Bounties whose deadline has come, refunded to their funders. */
static cairn_err refund_due(ep *c)
{
    bounty_list bl = {.due = c->epoch};
    cairn_err e =
        state_scan(c->x->w->txn, c->x->s, SN_STATE_BOUNTY, visit_bounty, &bl);
    for (size_t i = 0; !e && i < bl.n; i++) {
        cairn_pubkey funder;
        memcpy(funder.b, bl.k[i] + 8, 32);
        if (!(e = econ_unhold(c->x, &funder, bl.amount[i])))
            e = bounty_del(c->x, bl.k[i]);
    }
    if (!e) {
        c->t->bounties_refunded += bl.sum;
        c->t->bounties_refunded_n += bl.n;
    }
    free(bl.k);
    free(bl.amount);
    return e;
}

/* ---- weekly (DIMO) ---- */

typedef struct dev_list {
    sn_device *d;
    size_t n, cap;
} dev_list;

static cairn_err visit_device(void *arg, const uint8_t *k, size_t kn,
                              const uint8_t *v, size_t vn)
{
    dev_list *l = arg;
    if (kn != 33)
        return CAIRN_ERR_DB;
    cairn_err e = grow_array((void **)&l->d, &l->cap, l->n, sizeof *l->d, 64);
    if (e)
        return e;
    sn_device *d = &l->d[l->n];
    memset(d, 0, sizeof *d);
    memcpy(d->device.b, k + 1, 32);
    if ((e = sn_device_decode(d, v, vn)))
        return e;
    l->n++;
    return CAIRN_OK;
}

static cairn_err weekly(ep *c, uint64_t week)
{
    dev_list l = {0};
    cairn_err e =
        state_scan(c->x->w->txn, c->x->s, SN_STATE_DEVICE, visit_device, &l);
    for (size_t i = 0; !e && i < l.n; i++) {
        sn_device *d = &l.d[i];
        int connected = d->week == week && d->week_batches > 0;
        if (!connected && !d->streak_weeks && !d->level && !d->missed)
            continue; /* idle at the bottom: nothing changes */
        sn_week_state w = {d->streak_weeks, d->missed, d->level};
        uint64_t pts =
            sn_week_step(&w, connected, d->week_batches, c->P->full_batches);
        d->streak_weeks = w.streak;
        d->missed = w.missed;
        d->level = w.level;
        if (connected) {
            uint8_t k[40], v[8];
            MDB_val old;
            cairn_be64_put(k, week);
            memcpy(k + 8, d->device.b, 32);
            e = state_get(c->x->w->txn, c->x->s, SN_STATE_WEEKLY, k, 40, &old);
            if (!e) { /* paid already: impossible by construction */
                e = CAIRN_ERR_DB;
                break;
            }
            if (e != CAIRN_ERR_NOT_FOUND)
                break;
            cairn_le64_put(v, pts);
            if ((e = state_put(c->x->w, c->x->s, SN_STATE_WEEKLY, k, 40, v,
                               8)) ||
                (e = add_units(c, &d->owner, 0, pts)))
                break;
            d->paid_week = week + 1;
            c->t->devices_paid_weekly++;
        }
        e = sn_device_put(c->x, d);
    }
    free(l.d);
    return e;
}

/* ---- per owner ---- */

static int ou_cmp(const void *a, const void *b)
{
    return memcmp(((const owner_units *)a)->owner.b,
                  ((const owner_units *)b)->owner.b, 32);
}

static int may_earn(exec_ctx *x, const cairn_pubkey *pk, uint64_t epoch)
{
    econ_provider p;
    if (econ_provider_read(x->w->txn, x->s, pk, &p))
        return 0;
    return p.sector == CAIRN_SECTOR_SENSOR && !econ_is_jailed(&p, epoch);
}

static cairn_err settle_owners(ep *c)
{
    cairn_err e = CAIRN_OK;
    if (c->nu > 1)
        qsort(c->u, c->nu, sizeof *c->u, ou_cmp);
    size_t i = 0;
    while (!e && i < c->nu) {
        owner_units o = c->u[i++];
        while (i < c->nu && memcmp(c->u[i].owner.b, o.owner.b, 32) == 0) {
            if (cairn_add(&o.units, o.units, c->u[i].units) ||
                cairn_add(&o.points, o.points, c->u[i].points))
                return CAIRN_ERR_OVERFLOW;
            i++;
        }
        if (!o.units && !o.points)
            continue;
        if (!may_earn(c->x, &o.owner, c->epoch)) {
            c->t->units_unpaid += o.units + o.points;
            continue;
        }
        uint8_t k[40], v[16];
        cairn_be64_put(k, c->epoch);
        memcpy(k + 8, o.owner.b, 32);
        cairn_le64_put(v, o.units);
        cairn_le64_put(v + 8, o.points);
        if ((e = state_put(c->x->w, c->x->s, SN_STATE_UNITS, k, 40, v, 16)))
            break;
        e = econ_add_work(c->x, &o.owner, o.units + o.points);
        if (e == CAIRN_ERR_NOT_PROVIDER || e == CAIRN_ERR_STAKE_LOW ||
            e == CAIRN_ERR_JAILED)
            e = CAIRN_OK;
    }
    return e;
}

cairn_err sn_end_epoch(exec_ctx *x, uint64_t epoch)
{
    sn_params P;
    sn_totals t;
    cairn_err e = sn_params_read(x->w->txn, x->s, &P);
    if (e || (e = sn_totals_read(x->w->txn, x->s, epoch, &t)))
        return e;
    ep c = {.x = x, .P = &P, .epoch = epoch, .t = &t};
    uint8_t pre[9] = {SN_STATE_REPORT};
    cairn_be64_put(pre + 1, epoch);
    e = sn_scan_prefix(x->w->txn, x->s, pre, 9, visit_report, &c);
    if (!e)
        e = judge_cell(&c); /* the last cell */
    if (!e)
        e = refund_due(&c);
    if (!e && P.week_epochs && epoch % P.week_epochs == P.week_epochs - 1)
        e = weekly(&c, epoch / P.week_epochs);
    if (!e)
        e = settle_owners(&c);
    static const sn_totals zero;
    if (!e && memcmp(&t, &zero, sizeof t) != 0)
        e = sn_totals_put(x, epoch, &t);
    free(c.u);
    free(c.r);
    return e;
}

/* ---- payment ---- */

typedef struct pay_list {
    owner_units *u;
    size_t n, cap;
} pay_list;

static cairn_err visit_units(void *arg, const uint8_t *k, size_t kn,
                             const uint8_t *v, size_t vn)
{
    pay_list *l = arg;
    if (kn != 41 || vn != 16)
        return CAIRN_ERR_DB;
    cairn_err e = grow_array((void **)&l->u, &l->cap, l->n, sizeof *l->u, 64);
    if (e)
        return e;
    memcpy(l->u[l->n].owner.b, k + 9, 32);
    l->u[l->n].units = cairn_le64_get(v);
    l->u[l->n].points = cairn_le64_get(v + 8);
    l->n++;
    return CAIRN_OK;
}

/* Pays pot among l by units (by points when pts), credits; adds to *paid. */
static cairn_err pay_by(exec_ctx *x, pay_list *l, int pts, uint64_t pot,
                        uint64_t *paid)
{
    uint64_t *w = malloc((l->n + 1) * sizeof *w);
    uint64_t *out = malloc((l->n + 1) * sizeof *out);
    cairn_err e = CAIRN_OK;
    if (!w || !out)
        e = CAIRN_ERR_NOMEM;
    for (size_t i = 0; !e && i < l->n; i++)
        w[i] = pts ? l->u[i].points : l->u[i].units;
    if (!e && pot && sn_split_weighted(pot, w, l->n, out))
        for (size_t i = 0; !e && i < l->n; i++)
            if (out[i] && !(e = econ_credit(x, &l->u[i].owner, out[i])))
                *paid += out[i];
    free(w);
    free(out);
    return e;
}

cairn_err sn_pay_emission(exec_ctx *x, uint64_t epoch, uint64_t share,
                          uint64_t *paid)
{
    sn_params P;
    pay_list l = {0};
    *paid = 0;
    cairn_err e = sn_params_read(x->w->txn, x->s, &P);
    if (e)
        return e;
    uint8_t pre[9] = {SN_STATE_UNITS};
    cairn_be64_put(pre + 1, epoch);
    e = sn_scan_prefix(x->w->txn, x->s, pre, 9, visit_units, &l);
    uint64_t map_pool =
        (uint64_t)((unsigned __int128)share * P.map_bps / CAIRN_BPS);
    uint64_t week_pool = share - map_pool;
    int week_end = P.week_epochs && epoch % P.week_epochs == P.week_epochs - 1;
    if (!e && l.n)
        e = pay_by(x, &l, 0, map_pool, paid);
    if (!e && l.n && week_end)
        e = pay_by(x, &l, 1, week_pool, paid);
    free(l.u);
    return e;
}
