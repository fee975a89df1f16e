/* cairn — what each provider earned in each epoch, and for which work:
 * read-only queries over the reward records written at each settlement
 * (docs/tokenomics.md, "Reward records"). */
#ifndef CAIRN_REWARDS_H
#define CAIRN_REWARDS_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/chain.h"

typedef struct cairn_reward {
    uint64_t epoch;
    cairn_pubkey provider;
    uint8_t sector;
    uint64_t work_units;      /* its verified work in the epoch */
    uint64_t sector_work;     /* all the sector's work in the epoch */
    uint64_t reward;          /* for its work: floor(sector emission × work
                                 / sector work), plus stake_reward */
    uint64_t stake_reward;    /* for its bonded stake: floor(stakers' pool ×
                                 bonded / Σ bonded of earning providers) */
    uint64_t provider_part;   /* to its claimable reward (commission incl.) */
    uint64_t delegators_part; /* to its delegators' pool */
} cairn_reward;

#define CAIRN_REWARDS_MAX 1000   /* most records one query returns */
#define CAIRN_REWARDS_SCAN 10000 /* most epochs one provider query looks at */

/* The records of `epoch` in provider key order, after provider `after`
 * (NULL: from the first), at most max (≤ CAIRN_REWARDS_MAX) into out;
 * *n receives how many, *more 1 when others follow. */
CAIRN_API cairn_err cairn_chain_epoch_rewards(cairn_chain *c, uint64_t epoch,
                                              const cairn_pubkey *after,
                                              cairn_reward *out, size_t max,
                                              size_t *n, int *more) CAIRN_WUR;
/* Provider pk's records for epochs from..to (inclusive), oldest first, at
 * most max into out, looking at no more than CAIRN_REWARDS_SCAN epochs;
 * *n receives how many; *more is 1 when the range goes on, from epoch
 * *next. */
CAIRN_API cairn_err cairn_chain_provider_rewards(cairn_chain *c,
                                                 const cairn_pubkey *pk,
                                                 uint64_t from, uint64_t to,
                                                 cairn_reward *out, size_t max,
                                                 size_t *n, int *more,
                                                 uint64_t *next) CAIRN_WUR;

#endif
