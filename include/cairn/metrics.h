/* cairn — per-epoch network metrics, read from the statistics record the
 * chain writes at each epoch's last block (docs/tokenomics.md, "Metrics").
 * Read-only queries over committed state; integers only. */
#ifndef CAIRN_METRICS_H
#define CAIRN_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/chain.h"

#include "cairn/staking.h"               /* CAIRN_SECTOR_SLOTS */
#define CAIRN_METRICS_MAX_EPOCHS 1000    /* most epochs one query returns */
#define CAIRN_MS_PER_YEAR 31536000000ull /* 365 days */
#define CAIRN_VELOCITY_TEXT_MAX 32
#define CAIRN_VELOCITY_WINDOW 30 /* epochs of the trailing velocity */

/* One settled epoch. Amounts are base units. */
typedef struct cairn_epoch_metrics {
    uint64_t epoch, start_height, end_height;
    uint64_t active_providers[CAIRN_SECTOR_SLOTS]; /* paid for work */
    uint64_t staked_providers[CAIRN_SECTOR_SLOTS]; /* registered with the
                                  minimum stake, not jailed (work or not) */
    uint64_t work_units[CAIRN_SECTOR_SLOTS];       /* service usage */
    uint64_t emitted_sector[CAIRN_SECTOR_SLOTS];   /* each sector's share */
    uint64_t revenue_sector[CAIRN_SECTOR_SLOTS];   /* service fees paid to the
                                    sector's providers: Σ ≤ revenue (base
                                    fees count toward no sector) */
    uint64_t burned_sector[CAIRN_SECTOR_SLOTS];    /* the fee burn of them:
                                                      Σ ≤ burned */
    uint64_t stakers_pool; /* fees' stakers share added to the rewards */
    /* The epoch's fees (revenue) by destination: Σ of the four = revenue
     * (0 for epochs settled before the record carried them). */
    uint64_t fees_providers, fees_burned, fees_treasury, fees_stakers;
    uint64_t revenue; /* fees paid (base + service fees) */
    uint64_t burned;  /* fee burns, slashes, credits, deposits */
    uint64_t emitted;
    uint64_t net_change; /* |emitted − burned| */
    int net_negative;    /* 1 when burned > emitted (supply shrank) */
    uint64_t supply, treasury, staked, unbonding; /* at the epoch's end */
    uint64_t held;             /* tokens sectors hold (escrow, collateral) */
    uint64_t circulating;      /* supply − treasury − staked − unbonding
                                  − held */
    uint64_t staked_ratio_bps; /* staked / supply, floor */
    uint64_t transfer_volume;
    uint64_t avg_circulating;  /* mean over the epoch's blocks */
    uint64_t periods_per_year; /* epochs of this length in 365 days */
    uint64_t velocity_bps;     /* this epoch's, annualised; 10000 = 1.0 */
    /* Velocity over the trailing window of CAIRN_VELOCITY_WINDOW epochs
     * ending with this one (fewer at the start: window_epochs says how
     * many): Σ volume / (Σ avg_circulating × blocks / Σ blocks), not
     * annualised; 10000 = every circulating token moved once. */
    uint64_t velocity_window_bps;
    uint64_t window_epochs;
    uint64_t credits_bought;
} cairn_epoch_metrics;

/* Epochs of `blocks` blocks of `interval_ms` in a year of 365 days:
 * floor(CAIRN_MS_PER_YEAR / (blocks × interval_ms)); 0 when either is 0. */
CAIRN_API uint64_t cairn_periods_per_year(uint64_t blocks,
                                          uint64_t interval_ms);
/* Writes velocity_bps as a decimal with at least two decimals: 36500 ->
 * "3.65", 12345 -> "1.2345", 0 -> "0.00". */
CAIRN_API void cairn_velocity_format(char out[CAIRN_VELOCITY_TEXT_MAX],
                                     uint64_t velocity_bps);

/* The last settled epoch: NOT_FOUND before the first epoch has ended. */
CAIRN_API cairn_err cairn_chain_latest_epoch(cairn_chain *c,
                                             uint64_t *epoch) CAIRN_WUR;
/* One settled epoch: NOT_FOUND if it has not ended yet. */
CAIRN_API cairn_err cairn_chain_epoch_metrics(
    cairn_chain *c, uint64_t epoch, cairn_epoch_metrics *out) CAIRN_WUR;
/* Epochs from..to (inclusive; those not yet settled are left out) into
 * out[0..max); BAD_ARG when from > to or the range is longer than
 * CAIRN_METRICS_MAX_EPOCHS or max. *n receives how many were written. */
CAIRN_API cairn_err cairn_chain_metrics_range(cairn_chain *c, uint64_t from,
                                              uint64_t to,
                                              cairn_epoch_metrics *out,
                                              size_t max, size_t *n) CAIRN_WUR;

/* ---- downsampled series (GET /v1/metrics/series, docs/dashboard.md) ----
 * The epochs from..to are cut into buckets of bucket_epochs epochs aligned
 * to multiples of bucket_epochs (bucket k: k·b .. k·b + b − 1, clipped to
 * the range), one point each. Flows (revenue, burned, emitted, work units,
 * fees, credits, transfer volume, per-sector revenue, burn, emission) are
 * summed exactly over the bucket's epochs; stocks (providers, supply,
 * circulating, staked, ratio, velocity) are the bucket's last epoch's.
 * Every epoch of the range is read once (a 345-byte record), plus
 * CAIRN_VELOCITY_WINDOW records per point for the velocity: a range of
 * more than CAIRN_SERIES_MAX_SPAN epochs is refused (TOO_LARGE), so one
 * answer reads at most CAIRN_SERIES_MAX_READS records. */
#define CAIRN_SERIES_MAX_POINTS 1000
#define CAIRN_SERIES_DEFAULT_POINTS 500
#define CAIRN_SERIES_MAX_SPAN 100000 /* epochs one series covers */
#define CAIRN_SERIES_MAX_READS                                                 \
    (CAIRN_SERIES_MAX_SPAN +                                                   \
     (uint64_t)CAIRN_SERIES_MAX_POINTS * CAIRN_VELOCITY_WINDOW)

typedef struct cairn_series_plan {
    uint64_t from, to;      /* the range */
    uint64_t bucket_epochs; /* epochs per point */
    uint64_t points;        /* buckets that cut the range */
    uint64_t reads;         /* records the answer reads, at most */
} cairn_series_plan;

/* Plans from..to in at most `points` buckets (1..CAIRN_SERIES_MAX_POINTS):
 * the smallest bucket_epochs whose aligned buckets number ≤ points.
 * BAD_ARG when from > to or points is out of range; TOO_LARGE when the
 * range is longer than CAIRN_SERIES_MAX_SPAN. */
CAIRN_API cairn_err cairn_series_plan_make(uint64_t from, uint64_t to,
                                           uint64_t points,
                                           cairn_series_plan *p) CAIRN_WUR;
/* Adds epoch m to the point acc (first: acc is empty, m's epoch starts
 * it): flows summed (saturating at UINT64_MAX), stocks replaced by m's,
 * acc->epoch = m's; acc->start_height stays the bucket's first. */
CAIRN_API void cairn_series_add(cairn_epoch_metrics *acc,
                                const cairn_epoch_metrics *m, int first);
/* The points of plan p over the settled epochs (those not settled yet are
 * left out) into out[0..max) (max ≥ p->points); first_epoch[i] gets each
 * point's first epoch. *n receives how many. */
CAIRN_API cairn_err cairn_chain_metrics_series(cairn_chain *c,
                                               const cairn_series_plan *p,
                                               cairn_epoch_metrics *out,
                                               uint64_t *first_epoch,
                                               size_t max, size_t *n) CAIRN_WUR;

#endif
