/* Internal: the reward record of each paid provider in each epoch, so that
 * anyone can trace a reward to the work that earned it without replaying
 * blocks (docs/tokenomics.md, "Reward records"). Derived data: written in
 * the settling block's transaction to the store's index table, outside the
 * state commitment, under one key (a provider's history is a lookup per
 * epoch):
 *   0x01 ‖ u64 BE epoch ‖ [32] provider  -> record
 * record: u8 version 1 ‖ u8 sector ‖ u64 work_units ‖ u64 sector_work ‖
 *         u64 reward ‖ u64 stake_reward ‖ u64 provider_part ‖
 *         u64 delegators_part (LE) */
#ifndef CAIRN_ECON_REWARDS_H_INTERNAL
#define CAIRN_ECON_REWARDS_H_INTERNAL

#include "cairn/rewards.h"
#include "ledger/kinds.h"

/* Writes provider pk's record for `epoch`. */
cairn_err econ_reward_note(exec_ctx *x, uint64_t epoch, const cairn_pubkey *pk,
                           const cairn_reward *r);

#endif
