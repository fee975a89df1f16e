/* Internal: the per-epoch statistics record the epoch settlement writes
 * under state tag 0x40 (STATE_EPOCH, key u64 BE epoch), for metrics.
 *
 * All amounts are base units; all fields are u64 so the encoding is a
 * fixed-size sequence of little-endian u64 (ECON_STATS_LEN bytes), versioned
 * by its first byte. Written once per epoch, at the epoch's last block. */
#ifndef CAIRN_ECON_STATS_H_INTERNAL
#define CAIRN_ECON_STATS_H_INTERNAL

#include <stddef.h>
#include <stdint.h>

#include "cairn/staking.h"
#include "ledger/kinds.h"

#define ECON_STATS_VERSION                                                     \
    4 /* 1: without staked_providers, held_end,                                \
         stakers_pool; 2: without revenue_sector,                              \
         burned_sector; 3: without fees_providers..fees_stakers */

typedef struct econ_epoch_stats {
    uint64_t epoch;
    uint64_t start_height; /* first block of the epoch */
    uint64_t end_height;   /* last block (the settling block) */
    uint64_t active_providers[CAIRN_SECTOR_SLOTS]; /* registered, active,
                                                      not jailed, at end */
    uint64_t work_units[CAIRN_SECTOR_SLOTS];       /* verified work reported */
    uint64_t fees_paid; /* base fees + service fees in the epoch */
    uint64_t burned;    /* burned in the epoch (fees + slashes) */
    uint64_t emitted;   /* minted by emission at this epoch end */
    uint64_t emitted_sector[CAIRN_SECTOR_SLOTS]; /* sector shares of it
                                                   (paid or to treasury) */
    uint64_t supply_end;      /* totals.supply after settlement */
    uint64_t treasury_end;    /* totals.treasury after settlement */
    uint64_t staked_end;      /* self stake + delegations, all providers */
    uint64_t unbonding_end;   /* queued in unbonding, not yet released */
    uint64_t transfer_volume; /* sum of transfers' amounts in the epoch */
    uint64_t avg_circulating; /* mean over the epoch's blocks of
                                 supply − treasury − staked − unbonding */
    uint64_t credits_bought;  /* service credits bought (econ_note_credits) */
    uint64_t staked_providers[CAIRN_SECTOR_SLOTS]; /* registered with at
                                  least the minimum stake, not jailed, at end
                                  (with work or not) */
    uint64_t held_end;     /* tokens sectors hold (econ_hold) at end */
    uint64_t stakers_pool; /* the fees' stakers share that joined this
                              epoch's reward pool */
    uint64_t revenue_sector[CAIRN_SECTOR_SLOTS]; /* service payments
                                  (econ_pay_fee) by the sector of the paid
                                  provider: Σ ≤ fees_paid */
    uint64_t burned_sector[CAIRN_SECTOR_SLOTS];  /* the fee split's burn of
                                   them: Σ ≤ burned */
    /* The epoch's fees (fees_paid) by destination, as the fee split
     * divided each: Σ of the four = fees_paid. */
    uint64_t fees_providers; /* paid to the serving providers */
    uint64_t fees_burned;    /* burned (a part of burned) */
    uint64_t fees_treasury;  /* to the treasury */
    uint64_t fees_stakers;   /* to the stakers' reward pool */
} econ_epoch_stats;

#define ECON_STATS_FIELDS 43
#define ECON_STATS_FIELDS_V3 39
#define ECON_STATS_FIELDS_V2 31
#define ECON_STATS_FIELDS_V1 25
/* 1 version byte + 43 u64 fields (version 3: 39, 2: 31, 1: 25). */
#define ECON_STATS_LEN (1 + 8 * ECON_STATS_FIELDS)
#define ECON_STATS_LEN_V3 (1 + 8 * ECON_STATS_FIELDS_V3)
#define ECON_STATS_LEN_V2 (1 + 8 * ECON_STATS_FIELDS_V2)
#define ECON_STATS_LEN_V1 (1 + 8 * ECON_STATS_FIELDS_V1)

/* Encodes s into out (exactly ECON_STATS_LEN bytes). */
void econ_stats_encode(uint8_t out[ECON_STATS_LEN], const econ_epoch_stats *s);
/* Decodes a stored record (version 1 to 4; an older version reads the
 * fields it lacks as 0): TRUNCATED/TRAILING on a wrong length, BAD_VERSION on
 * an unknown version byte. */
cairn_err econ_stats_decode(econ_epoch_stats *s, const uint8_t *p, size_t n);
/* Reads the stored record of `epoch` through any txn: NOT_FOUND if that
 * epoch has not been settled yet. */
cairn_err econ_stats_get(MDB_txn *txn, const store *s, uint64_t epoch,
                         econ_epoch_stats *out);
/* The credits engineer calls this when service credits are bought, inside
 * the buying transaction; the count lands in the current epoch's record. */
cairn_err econ_note_credits(exec_ctx *x, uint64_t units);

#endif
