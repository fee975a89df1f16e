/* Internal: the economy layer's contract with the ledger and between its
 * own parts (docs/tokenomics.md explains the rules).
 *
 * Ownership of files inside src/econ/:
 *   params.c         governable parameters: table, bounds, genesis, get/set
 *   staking.c        providers, stake, delegation, unbonding, slashing, jail
 *   epoch.c          end of block: fee split; end of epoch: emission,
 *                    rewards, unbonding releases, epoch statistics
 *   gov.c            proposals, votes, execution at the end of the period
 *   credits.c        price feed and burn-and-mint service credits
 *   kinds_econ.c     the econ transaction kinds' body codecs and handlers
 *
 * State tags (first byte of every state key) used by econ:
 *   0x03 param     u16 id (LE)                 -> u64 value (LE)
 *   0x04 econ      "econ"                      -> econ_global
 *        econ      "oracle"                    -> [32] price-feed key
 *        econ      "price"                     -> price feed (credits.c)
 *        econ      "gov"                       -> next proposal id (gov.c)
 *   0x10 provider  [32] provider               -> provider record (staking.c),
 *                  with this epoch's work reports (econ_add_work)
 *   0x11 deleg     [32] delegator ‖ [32] prov  -> delegation record
 *   0x12 unbond    u64 BE release epoch ‖ [32] owner ‖ u64 BE seq
 *                  -> u64 amount ‖ [32] provider it was unbonded from
 *                  (entries queued before the provider was kept: u64 only)
 *   0x13           unused (held work reports before they moved into the
 *                  provider record; not to be reused)
 *   0x14 unbond by [32] provider ‖ u64 BE release ‖ u64 BE seq -> [32] owner
 *                  (the queue by provider, for slashing)
 *   0x20 proposal  u64 BE id                   -> proposal record
 *   0x21 vote      u64 BE id ‖ [32] voter      -> u8 choice ‖ u64 weight
 *   0x22 gov end   u64 BE end height ‖ u64 BE id -> u8 1 (proposals by end)
 *   0x30 credits   [32] owner                  -> u64 credits
 *   0x40 epoch     u64 BE epoch                -> econ_epoch_stats
 * State tags of the storage sector (src/sectors/storage/storage.h):
 *   0x50 deal      u64 BE deal id              -> deal record
 *   0x51 storage   "next"                      -> u64 next deal id (LE)
 *   0x52 active    u64 BE deal id              -> u8 1 (deals still running)
 *   0x53 by client [32] client ‖ u64 BE id     -> u8 1
 *   0x54 by prov   [32] provider ‖ u64 BE id   -> u8 1
 *   0x55 file name [32] owner ‖ [16] file id    -> sealed name blob
 * Transaction kinds: 0x10..0x1F staking, 0x20..0x2F governance,
 * 0x30..0x3F credits and price feed (numbers in include/cairn/econ.h),
 * 0x40..0x4F storage deals, proofs and file names (include/cairn/storage.h).
 */
#ifndef CAIRN_ECON_H_INTERNAL
#define CAIRN_ECON_H_INTERNAL

#include "cairn/econ_math.h"
#include "cairn/staking.h"
#include "ledger/kinds.h"

enum {
    STATE_PARAM = 0x03,
    STATE_ECON = 0x04,
    STATE_PROVIDER = 0x10,
    STATE_DELEG = 0x11,
    STATE_UNBOND = 0x12,
    STATE_UNBOND_BY = 0x14,
    STATE_SEQ_BOND = 0x15, /* 0x13 is retired, never reused */
    STATE_PROPOSAL = 0x20,
    STATE_VOTE = 0x21,
    STATE_CREDITS = 0x30,
    STATE_EPOCH = 0x40,
};

/* Called by the ledger at the end of every block, inside the block's write
 * transaction, with the block's total transaction fees and transfer volume.
 * Splits the fees; at an epoch boundary settles the epoch. */
cairn_err econ_end_block(exec_ctx *x, uint64_t fees, uint64_t transfer_volume);

/* Called by the ledger when a chain is created, inside the genesis write
 * transaction, with the genesis file's "economy" object as JSON text (NULL
 * when the file has none: defaults apply). msg/len receive a message naming a
 * bad field. */
cairn_err econ_genesis(exec_ctx *x, const char *economy_json, char *msg,
                       size_t len);

/* The sequencer set (econ/sequencer.c): bonds taken from the members'
 * allocations at genesis; the bond a STATE_SEQ_BOND value holds (audit);
 * the SEQ_EVIDENCE kind. */
cairn_err econ_seq_genesis(exec_ctx *x);
uint64_t econ_seq_bond_held(const uint8_t *v, size_t n);
cairn_err econ_seq_evidence_check(const cairn_tx *tx);
cairn_err econ_seq_evidence_apply(exec_ctx *x, const cairn_tx *tx);

/* Sectors report verified work for a provider in the current epoch. */
cairn_err econ_add_work(exec_ctx *x, const cairn_pubkey *provider,
                        uint64_t units);
/* Sectors slash a provider's stake by bps for a fault; the slashed stake is
 * burned or sent to the treasury as the parameter slash_to_treasury says;
 * repeated faults jail the provider. */
cairn_err econ_slash(exec_ctx *x, const cairn_pubkey *provider, uint32_t bps,
                     const char *reason);
/* Jails a provider now, for the rest of this epoch plus jail_epochs more
 * (a proven fraud, not a fault that counts toward jail_after_faults);
 * NOT_PROVIDER. */
cairn_err econ_jail(exec_ctx *x, const cairn_pubkey *provider);
/* Disposes of `amount` slashed tokens that the caller already took from
 * where they were held (a stake, a sector's collateral) by the one slash
 * rule: to the treasury when slash_to_treasury is 1, else burned (counted
 * in the epoch's burn). */
cairn_err econ_dispose_slashed(exec_ctx *x, uint64_t amount);
/* Bonded stake an address controls (own provider stake + delegations);
 * voting weight for governance. */
cairn_err econ_bonded_of(exec_ctx *x, const cairn_pubkey *who, uint64_t *stake);
cairn_err econ_total_bonded(exec_ctx *x, uint64_t *stake);

/* Splits a service payment that the caller already debited from the
 * payer: provider share credited to `provider`'s balance (to the stakers'
 * pool when provider is NULL), burn, treasury, stakers' pool, per the
 * fee-split parameters. Counts toward the epoch's fees. */
cairn_err econ_pay_fee(exec_ctx *x, uint64_t amount,
                       const cairn_pubkey *provider);
/* econ_pay_fee with no provider to credit (its share joins the stakers'
 * pool), counted toward `sector`'s revenue. */
cairn_err econ_pay_fee_sector(exec_ctx *x, uint64_t amount, unsigned sector);

/* Parameters: econ_param_get / econ_param_set (econ_param_find_name in
 * econ/sector.h). */
#include "econ/params.h"

#endif
