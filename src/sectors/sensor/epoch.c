/* The sensor sector's epoch end and reward payment (docs/sensor-chain.md,
 * "End of epoch", "Payment"):
 *
 * sn_end_epoch(e), at the last block of e: for each cell reported in e
 * (tag 0x87, key order), the cell's reports of epochs e-W+1..e (W =
 * sensor_quorum_epochs; one prefix scan per epoch) are judged: a q value's
 * support is its number of distinct owners; the winner (most support, ties
 * to the smaller q) is agreed when its support reaches sensor_quorum. The
 * payees are the distinct owners of winning reports not paid yet; those
 * rows are marked paid. An agreed tile is worth sn_tile_value(tile_units,
 * freshness, bounty boost), split equally among the payees (owner key
 * order, remainder to the first); the cell's bounties are paid the same
 * way. Bounties past
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

typedef struct ep {
    exec_ctx *x;
    const sn_params *P;
    uint64_t epoch;
    sn_totals *t;
    owner_units *u; /* appended, merged at the end */
    size_t nu, capu;
    sn_wrep *r; /* the current cell's reports in the window */
    size_t nr, capr;
    uint64_t *cells; /* the cells reported in the epoch, key order */
    size_t ncells, capc;
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

/* Marks a report row paid (rewrites its value with paid = 1). */
static cairn_err report_mark_paid(ep *c, const sn_wrep *r)
{
    uint8_t k[48], v[SN_REPORT_LEN];
    cairn_be64_put(k, r->epoch);
    cairn_be64_put(k + 8, c->cell);
    memcpy(k + 16, r->device.b, 32);
    memcpy(v, r->owner.b, 32);
    cairn_le64_put(v + 32, (uint64_t)r->q);
    cairn_le64_put(v + 40, r->seq);
    v[48] = 1;
    return state_put(c->x->w, c->x->s, SN_STATE_REPORT, k, 48, v, sizeof v);
}

/* Judges the window's reports gathered for c->cell (docs/sensor-chain.md,
 * "End of epoch"): agreement over the window, payment once per report. */
static cairn_err judge_cell(ep *c)
{
    cairn_err e = CAIRN_OK;
    size_t n = c->nr, nown;
    cairn_pubkey *agree = NULL;
    uint8_t *pay = NULL;
    uint64_t *part = NULL;
    bounty_list bl = {.due = UINT64_MAX};
    sn_wjudge j;
    sn_tile t;
    if (!n)
        return CAIRN_OK;
    c->t->tiles_reported++;
    if (!(agree = malloc(n * sizeof *agree)) || !(pay = malloc(n)) ||
        !(part = malloc(n * sizeof *part))) {
        e = CAIRN_ERR_NOMEM;
        goto done;
    }
    if ((e = sn_window_judge(c->r, n, c->epoch, c->P->quorum_epochs,
                             c->P->quorum, agree, pay, &j)))
        goto done;
    if (!j.agreed) {
        c->t->tiles_disagreed++;
        goto done;
    }
    c->t->reports_disagreed += j.disagreed_e;
    nown = j.npayees;
    if (!nown) /* every winning report was paid already: nothing new */
        goto done;
    for (size_t i = 0; !e && i < n; i++)
        if (pay[i])
            e = report_mark_paid(c, &c->r[i]);
    if (e)
        goto done;
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
        t.q = j.win;
        t.contributors = (uint32_t)j.support;
        t.times_agreed++;
        t.device = c->r[j.first].device;
        t.seq = c->r[j.first].seq;
        cairn_be64_put(k, c->cell);
        sn_tile_encode(v, &t);
        e = state_put(c->x->w, c->x->s, SN_STATE_TILE, k, 8, v, sizeof v);
    }
done:
    free(bl.k);
    free(bl.amount);
    free(agree);
    free(pay);
    free(part);
    return e;
}

/* Collects the distinct cells of the epoch's reports (key order). */
static cairn_err visit_cell(void *arg, const uint8_t *k, size_t kn,
                            const uint8_t *v, size_t vn)
{
    ep *c = arg;
    (void)v;
    if (kn != 49 || vn != SN_REPORT_LEN)
        return CAIRN_ERR_DB;
    uint64_t cell = cairn_be64_get(k + 9);
    if (c->ncells && c->cells[c->ncells - 1] == cell)
        return CAIRN_OK;
    cairn_err e = grow_array((void **)&c->cells, &c->capc, c->ncells,
                             sizeof *c->cells, 64);
    if (e)
        return e;
    c->cells[c->ncells++] = cell;
    return CAIRN_OK;
}

/* Collects one epoch's reports of c->cell. */
static cairn_err visit_report(void *arg, const uint8_t *k, size_t kn,
                              const uint8_t *v, size_t vn)
{
    ep *c = arg;
    if (kn != 49 || vn != SN_REPORT_LEN)
        return CAIRN_ERR_DB;
    cairn_err e = grow_array((void **)&c->r, &c->capr, c->nr, sizeof *c->r, 16);
    if (e)
        return e;
    sn_wrep *r = &c->r[c->nr++];
    r->epoch = cairn_be64_get(k + 1);
    memcpy(r->device.b, k + 17, 32);
    memcpy(r->owner.b, v, 32);
    r->q = (int64_t)cairn_le64_get(v + 32);
    r->seq = cairn_le64_get(v + 40);
    r->paid = v[48] ? 1 : 0;
    return CAIRN_OK;
}

/* Gathers c->cell's reports of the window's epochs (W prefix scans; no
 * write happens during a scan) and judges them. */
static cairn_err window_cell(ep *c)
{
    uint64_t w = c->P->quorum_epochs ? c->P->quorum_epochs : 1;
    uint64_t lo = c->epoch >= w - 1 ? c->epoch - (w - 1) : 0;
    cairn_err e = CAIRN_OK;
    c->nr = 0;
    for (uint64_t ep_i = lo; !e && ep_i <= c->epoch; ep_i++) {
        uint8_t pre[17] = {SN_STATE_REPORT};
        cairn_be64_put(pre + 1, ep_i);
        cairn_be64_put(pre + 9, c->cell);
        e = sn_scan_prefix(c->x->w->txn, c->x->s, pre, 17, visit_report, c);
    }
    return e ? e : judge_cell(c);
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
    e = sn_scan_prefix(x->w->txn, x->s, pre, 9, visit_cell, &c);
    for (size_t i = 0; !e && i < c.ncells; i++) {
        c.cell = c.cells[i];
        e = window_cell(&c);
    }
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
    free(c.cells);
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
