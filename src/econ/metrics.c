/* Per-epoch metrics derived from the statistics records (tag 0x40):
 * circulating supply, staking ratio, net supply change and annualised
 * token velocity. Integers only; read-only. */
#include <stdio.h>
#include <string.h>

#include "cairn/metrics.h"
#include "econ/staking.h"
#include "econ/stats.h"
#include "ledger/view.h"

uint64_t cairn_periods_per_year(uint64_t blocks, uint64_t interval_ms)
{
    unsigned __int128 len = (unsigned __int128)blocks * interval_ms;
    return len ? (uint64_t)(CAIRN_MS_PER_YEAR / len) : 0;
}

void cairn_velocity_format(char out[CAIRN_VELOCITY_TEXT_MAX],
                           uint64_t velocity_bps)
{
    unsigned long long whole = velocity_bps / CAIRN_BPS;
    unsigned frac = (unsigned)(velocity_bps % CAIRN_BPS);
    int n = snprintf(out, CAIRN_VELOCITY_TEXT_MAX, "%llu.%04u", whole, frac);
    while (n > 0 && out[n - 1] == '0' &&
           out[n - 3] != '.') /* keep 2 decimals */
        out[--n] = '\0';
}

/* Fills the derived fields of m from a stats record. */
static void derive(cairn_epoch_metrics *m, const econ_epoch_stats *s,
                   uint64_t interval_ms)
{
    memset(m, 0, sizeof *m);
    m->epoch = s->epoch;
    m->start_height = s->start_height;
    m->end_height = s->end_height;
    memcpy(m->active_providers, s->active_providers,
           sizeof m->active_providers);
    memcpy(m->work_units, s->work_units, sizeof m->work_units);
    memcpy(m->staked_providers, s->staked_providers,
           sizeof m->staked_providers);
    memcpy(m->emitted_sector, s->emitted_sector, sizeof m->emitted_sector);
    memcpy(m->revenue_sector, s->revenue_sector, sizeof m->revenue_sector);
    memcpy(m->burned_sector, s->burned_sector, sizeof m->burned_sector);
    m->revenue = s->fees_paid;
    m->burned = s->burned;
    m->emitted = s->emitted;
    m->stakers_pool = s->stakers_pool;
    m->fees_providers = s->fees_providers;
    m->fees_burned = s->fees_burned;
    m->fees_treasury = s->fees_treasury;
    m->fees_stakers = s->fees_stakers;
    m->net_negative = s->burned > s->emitted;
    m->net_change =
        m->net_negative ? s->burned - s->emitted : s->emitted - s->burned;
    m->supply = s->supply_end;
    m->treasury = s->treasury_end;
    m->staked = s->staked_end;
    m->unbonding = s->unbonding_end;
    m->held = s->held_end;
    unsigned __int128 held = (unsigned __int128)s->treasury_end +
                             s->staked_end + s->unbonding_end + s->held_end;
    m->circulating =
        s->supply_end > held ? (uint64_t)(s->supply_end - held) : 0;
    m->staked_ratio_bps = s->supply_end
                              ? (uint64_t)((unsigned __int128)s->staked_end *
                                           CAIRN_BPS / s->supply_end)
                              : 0;
    m->transfer_volume = s->transfer_volume;
    m->avg_circulating = s->avg_circulating;
    uint64_t blocks = s->end_height >= s->start_height
                          ? s->end_height - s->start_height + 1
                          : 0;
    m->periods_per_year = cairn_periods_per_year(blocks, interval_ms);
    m->velocity_bps = cairn_velocity_bps(s->transfer_volume, s->avg_circulating,
                                         m->periods_per_year);
    m->credits_bought = s->credits_bought;
}

/* The trailing-window velocity of the epoch in m: sums over the window's
 * settled epochs (128-bit; volume and circulating are bounded by the
 * supply, blocks by the height). */
static cairn_err window(cairn_chain *c, MDB_txn *txn, cairn_epoch_metrics *m)
{
    unsigned __int128 vol = 0, circ_blocks = 0, blocks = 0;
    uint64_t first = m->epoch + 1 > CAIRN_VELOCITY_WINDOW
                         ? m->epoch + 1 - CAIRN_VELOCITY_WINDOW
                         : 0;
    for (uint64_t ep = first; ep <= m->epoch; ep++) {
        econ_epoch_stats s;
        cairn_err e = econ_stats_get(txn, chain_store(c), ep, &s);
        if (e)
            return e;
        uint64_t b = s.end_height >= s.start_height
                         ? s.end_height - s.start_height + 1
                         : 0;
        vol += s.transfer_volume;
        circ_blocks += (unsigned __int128)s.avg_circulating * b;
        blocks += b;
    }
    m->window_epochs = m->epoch + 1 - first;
    if (circ_blocks) { /* vol / (circ_blocks / blocks) */
        unsigned __int128 v = vol * blocks * CAIRN_BPS / circ_blocks;
        m->velocity_window_bps = v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
    }
    return CAIRN_OK;
}

/* Reads and derives one epoch through txn. */
static cairn_err one_epoch(cairn_chain *c, MDB_txn *txn, uint64_t epoch,
                           cairn_epoch_metrics *out)
{
    econ_epoch_stats s;
    cairn_err e = econ_stats_get(txn, chain_store(c), epoch, &s);
    if (!e)
        derive(out, &s, cairn_chain_params(c)->block_interval_ms);
    return e ? e : window(c, txn, out);
}

/* The last settled epoch as seen by txn. */
static cairn_err latest(cairn_chain *c, MDB_txn *txn, uint64_t *epoch)
{
    econ_global g;
    cairn_err e = econ_global_get(txn, chain_store(c), &g);
    if (e)
        return e;
    if (g.epoch == 0)
        return CAIRN_ERR_NOT_FOUND;
    *epoch = g.epoch - 1;
    return CAIRN_OK;
}

cairn_err cairn_chain_latest_epoch(cairn_chain *c, uint64_t *epoch)
{
    MDB_txn *txn;
    if (chain_read_begin(c, &txn))
        return CAIRN_ERR_DB;
    cairn_err e = latest(c, txn, epoch);
    mdb_txn_abort(txn);
    return e;
}

cairn_err cairn_chain_epoch_metrics(cairn_chain *c, uint64_t epoch,
                                    cairn_epoch_metrics *out)
{
    MDB_txn *txn;
    if (chain_read_begin(c, &txn))
        return CAIRN_ERR_DB;
    cairn_err e = one_epoch(c, txn, epoch, out);
    mdb_txn_abort(txn);
    return e;
}

cairn_err cairn_chain_metrics_range(cairn_chain *c, uint64_t from, uint64_t to,
                                    cairn_epoch_metrics *out, size_t max,
                                    size_t *n)
{
    MDB_txn *txn;
    uint64_t last;
    *n = 0;
    if (from > to || to - from >= CAIRN_METRICS_MAX_EPOCHS || to - from >= max)
        return CAIRN_ERR_BAD_ARG;
    if (chain_read_begin(c, &txn))
        return CAIRN_ERR_DB;
    cairn_err e = latest(c, txn, &last);
    if (e == CAIRN_ERR_NOT_FOUND)
        e = CAIRN_OK;
    else if (!e)
        for (uint64_t ep = from; !e && ep <= to && ep <= last; ep++)
            if (!(e = one_epoch(c, txn, ep, &out[*n])))
                (*n)++;
    mdb_txn_abort(txn);
    return e;
}

/* ---- downsampled series ---- */

/* Number of aligned buckets of b epochs that from..to touches. */
static uint64_t buckets_of(uint64_t from, uint64_t to, uint64_t b)
{
    return to / b - from / b + 1;
}

cairn_err cairn_series_plan_make(uint64_t from, uint64_t to, uint64_t points,
                                 cairn_series_plan *p)
{
    memset(p, 0, sizeof *p);
    if (from > to || points == 0 || points > CAIRN_SERIES_MAX_POINTS)
        return CAIRN_ERR_BAD_ARG;
    uint64_t span = to - from + 1; /* to − from < UINT64_MAX: from ≤ to */
    if (to - from >= CAIRN_SERIES_MAX_SPAN)
        return CAIRN_ERR_TOO_LARGE;
    uint64_t b = (span + points - 1) / points;
    while (buckets_of(from, to, b) > points) /* misalignment: ≤ 1 more */
        b++;
    p->from = from;
    p->to = to;
    p->bucket_epochs = b;
    p->points = buckets_of(from, to, b);
    p->reads = span + p->points * CAIRN_VELOCITY_WINDOW;
    return CAIRN_OK;
}

/* a += v, saturating. */
static void sat_add(uint64_t *a, uint64_t v)
{
    *a = *a > UINT64_MAX - v ? UINT64_MAX : *a + v;
}

void cairn_series_add(cairn_epoch_metrics *acc, const cairn_epoch_metrics *m,
                      int first)
{
    if (first) {
        *acc = *m;
    } else {
        cairn_epoch_metrics sum = *acc;
        *acc = *m; /* stocks: the latest epoch's */
        acc->start_height = sum.start_height;
        for (int k = 0; k < CAIRN_SECTOR_SLOTS; k++) {
            sat_add(&acc->work_units[k], sum.work_units[k]);
            sat_add(&acc->emitted_sector[k], sum.emitted_sector[k]);
            sat_add(&acc->revenue_sector[k], sum.revenue_sector[k]);
            sat_add(&acc->burned_sector[k], sum.burned_sector[k]);
        }
        uint64_t *flows[] = {
            &acc->stakers_pool,   &acc->fees_providers, &acc->fees_burned,
            &acc->fees_treasury,  &acc->fees_stakers,   &acc->revenue,
            &acc->burned,         &acc->emitted,        &acc->transfer_volume,
            &acc->credits_bought,
        };
        const uint64_t prev[] = {
            sum.stakers_pool,   sum.fees_providers, sum.fees_burned,
            sum.fees_treasury,  sum.fees_stakers,   sum.revenue,
            sum.burned,         sum.emitted,        sum.transfer_volume,
            sum.credits_bought,
        };
        for (size_t i = 0; i < sizeof prev / sizeof prev[0]; i++)
            sat_add(flows[i], prev[i]);
    }
    acc->net_negative = acc->burned > acc->emitted;
    acc->net_change = acc->net_negative ? acc->burned - acc->emitted
                                        : acc->emitted - acc->burned;
}

cairn_err cairn_chain_metrics_series(cairn_chain *c, const cairn_series_plan *p,
                                     cairn_epoch_metrics *out,
                                     uint64_t *first_epoch, size_t max,
                                     size_t *n)
{
    MDB_txn *txn;
    uint64_t last;
    *n = 0;
    if (p->points > max || p->from > p->to ||
        p->to - p->from >= CAIRN_SERIES_MAX_SPAN || !p->bucket_epochs)
        return CAIRN_ERR_BAD_ARG;
    if (chain_read_begin(c, &txn))
        return CAIRN_ERR_DB;
    cairn_err e = latest(c, txn, &last);
    uint64_t interval = cairn_chain_params(c)->block_interval_ms;
    if (e == CAIRN_ERR_NOT_FOUND) {
        mdb_txn_abort(txn);
        return CAIRN_OK;
    }
    uint64_t to = p->to < last ? p->to : last;
    for (uint64_t ep = p->from; !e && ep <= to; ep++) {
        econ_epoch_stats s;
        cairn_epoch_metrics m;
        if ((e = econ_stats_get(txn, chain_store(c), ep, &s)))
            break;
        derive(&m, &s, interval);
        int first = ep == p->from || ep % p->bucket_epochs == 0;
        if (first && *n >= max) {
            e = CAIRN_ERR_BAD_ARG; /* cannot be: points ≤ max */
            break;
        }
        if (first)
            first_epoch[(*n)++] = ep;
        cairn_series_add(&out[*n - 1], &m, first);
        if (ep == to || (ep + 1) % p->bucket_epochs == 0)
            e = window(c, txn, &out[*n - 1]); /* the bucket's last epoch */
    }
    mdb_txn_abort(txn);
    return e;
}
