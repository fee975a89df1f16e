/* Internal: governance proposals, votes and their execution.
 *
 * State:
 *   0x20 proposal  u64 BE id               -> proposal record (GOV_REC_LEN)
 *   0x21 vote      u64 BE id ‖ [32] voter  -> u8 choice ‖ u64 weight (LE)
 *   0x22 gov end   u64 BE end height ‖ u64 BE id -> u8 1
 *                  (open proposals by the block that closes them; deleted
 *                  at the tally, so the end-of-block work is O(proposals
 *                  ending now), in LMDB key order)
 *   0x04 econ      "gov"                   -> u64 next proposal id (LE)
 *
 * Proposal record (little-endian):
 *   u8 version (1) ‖ u8 type ‖ u8 status ‖ u8 exec_err ‖ [32] proposer ‖
 *   u64 deposit ‖ u64 held ‖ u64 start_height ‖ u64 end_height ‖ u64 yes ‖
 *   u64 no ‖ u64 abstain ‖ u64 total_bonded ‖ payload (40 bytes:
 *   PARAM u16 id ‖ u64 value ‖ zeros; SPEND [32] to ‖ u64 amount).
 * `held` is the deposit while the proposal is open (tokens that are in no
 * balance), 0 once returned or burned. */
#ifndef CAIRN_ECON_GOV_H_INTERNAL
#define CAIRN_ECON_GOV_H_INTERNAL

#include "cairn/gov.h"
#include "econ/econ.h"

#define STATE_GOV_END 0x22
#define GOV_REC_LEN 140

/* Tallies and executes every proposal whose voting ends at (or before)
 * x->height: the ledger calls it once at the end of every block, before
 * econ_end_block reads the totals. Calling it twice for one block is
 * harmless (the second call finds nothing ending). */
cairn_err gov_end_block(exec_ctx *x);

/* The deposit a stored proposal record still holds (0 for a malformed
 * record): the books' audit counts it with the undistributed pools. */
uint64_t gov_deposit_held(const uint8_t *rec, size_t n);

/* The kinds' handlers, entered in src/ledger/kinds.c. */
cairn_err gov_propose_check(const cairn_tx *tx);
/* The part of the check that needs the chain's parameters: a PARAM
 * proposal names a declared parameter and a value inside its bounds. */
typedef struct econ_registry econ_registry;
cairn_err gov_propose_check_rules(const econ_registry *reg, const cairn_tx *tx);
cairn_err gov_propose_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err gov_vote_check(const cairn_tx *tx);
cairn_err gov_vote_apply(exec_ctx *x, const cairn_tx *tx);

#endif
