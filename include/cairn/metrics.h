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
    uint64_t revenue;      /* fees paid (base + service fees) */
    uint64_t burned;       /* fee burns, slashes, credits, deposits */
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

#endif
