/* Internal: the storage sector's on-chain state and its handlers.
 *
 * State (documented with the econ tags in src/econ/econ.h):
 *   0x50 deal      u64 BE deal id              -> deal record (DEAL_REC_LEN)
 *   0x51 storage   "next"                      -> u64 next deal id (LE)
 *   0x52 active    u64 BE deal id              -> u8 1 (ACTIVE deals)
 *   0x53 by client [32] client ‖ u64 BE id     -> u8 1
 *   0x54 by prov   [32] provider ‖ u64 BE id   -> u8 1 (current provider)
 *   0x55 file name [32] owner ‖ [16] file id    -> blob (1..1024 bytes, sealed
 *                                                 by the owner's client)
 *
 * Deal record (little-endian), version 1:
 *   u8 version ‖ u8 state ‖ u8 flags ‖ u8 end_reason ‖ [32] client ‖
 *   [32] provider ‖ [32] root ‖ [32] file tag ‖ u64 size ‖ u32 segment ‖
 *   u32 piece index ‖ u64 start ‖ u64 end ‖ u64 price ‖ u64 escrow ‖
 *   u64 collateral ‖ u32 faults ‖ u32 total faults ‖ u64 last proven ‖
 *   u64 paid ‖ u64 slashed ‖ u64 opened height
 * escrow + collateral of every deal are tokens held by no balance: the
 * books' audit counts them as `escrow`. */
#ifndef CAIRN_SECTORS_STORAGE_H_INTERNAL
#define CAIRN_SECTORS_STORAGE_H_INTERNAL

#include "cairn/storage.h"
#include "core/bytes.h"
#include "econ/econ.h"

enum {
    STATE_DEAL = 0x50,
    STATE_STORAGE = 0x51,
    STATE_DEAL_ACTIVE = 0x52,
    STATE_DEAL_CLIENT = 0x53,
    STATE_DEAL_PROV = 0x54,
    STATE_FILE_NAME = 0x55,
};

#define DEAL_REC_LEN 228

/* ---- records (deal_record.c) ---- */

void deal_encode(uint8_t out[DEAL_REC_LEN], const cairn_deal_info *d);
/* DB on a malformed record. d->id is left as it was. */
cairn_err deal_decode(cairn_deal_info *d, const uint8_t *p, size_t n);
/* Reads deal `id` through any txn: NO_DEAL when absent. */
cairn_err deal_read(MDB_txn *txn, const store *s, uint64_t id,
                    cairn_deal_info *d);
/* Writes d (by d->id) and keeps the active index in step with d->state. */
cairn_err deal_write(exec_ctx *x, const cairn_deal_info *d);
/* Takes the next deal id and writes the new deal with its indexes. */
cairn_err deal_create(exec_ctx *x, cairn_deal_info *d);
/* Moves the provider index entry of d to new_provider (d unchanged). */
cairn_err deal_index_move(exec_ctx *x, const cairn_deal_info *d,
                          const cairn_pubkey *new_provider);
/* Escrow plus collateral a stored record holds (0 if malformed): the
 * audit's `escrow` (src/econ/staking.c). */
uint64_t storage_deal_held(const uint8_t *rec, size_t n);

/* ---- money (deal_money.c) ---- */

/* The epoch being executed (econ's current epoch). */
cairn_err storage_epoch_now(exec_ctx *x, uint64_t *epoch);
/* Checks that pk is a storage provider that may take a deal now:
 * NOT_PROVIDER, BAD_SECTOR, STAKE_LOW, JAILED. */
cairn_err storage_provider_ok(exec_ctx *x, const cairn_pubkey *pk,
                              uint64_t epoch);
/* Checks collateral >= ceil(deal_collateral_bps × total / 10000). */
cairn_err storage_collateral_ok(exec_ctx *x, uint64_t collateral,
                                uint64_t total);
/* Releases `amount` of d's escrow to the fee split with d's provider as
 * payee, and reports the deal's work units for the provider (skipped
 * when it earns none now: jailed, under-staked). */
cairn_err storage_pay(exec_ctx *x, cairn_deal_info *d, uint64_t amount);
/* What one proven epoch of d pays: the price (term) or the permanent
 * payout of the endowment left, never more than the escrow. */
cairn_err storage_due(exec_ctx *x, const cairn_deal_info *d, uint64_t *due);
/* Returns `amount` of d's escrow to the client. */
cairn_err storage_refund(exec_ctx *x, cairn_deal_info *d, uint64_t amount);
/* Slashes floor(collateral × bps / 10000) of d's collateral. */
cairn_err storage_slash(exec_ctx *x, cairn_deal_info *d, uint64_t bps);
/* Ends d: state (ENDED, or FAILED for a permanent deal ended by faults
 * that its client had not asked to end),
 * reason; returns the collateral to the provider unless `slash_rest`,
 * in which case all of it is slashed; refunds the escrow to the client
 * unless the deal FAILED (its endowment stays for repair). */
cairn_err storage_finish(exec_ctx *x, cairn_deal_info *d, uint8_t reason,
                         int slash_rest);

/* ---- end of epoch (storage_epoch.c) ---- */

/* Pays proven deals, faults unproven ones, completes deals at their end,
 * in deal id order, for epoch `epoch` (x->height is its last block). */
cairn_err storage_end_epoch(exec_ctx *x, uint64_t epoch);

/* ---- challenges (proof.c) ---- */

/* The challenge seed of the epoch whose first block is start_height: the
 * hash of block start_height - 1. */
cairn_err storage_seed(MDB_txn *txn, const store *s, uint64_t start_height,
                       cairn_hash *seed);

/* ---- the kinds' handlers, entered in src/ledger/kinds.c ---- */

cairn_err storage_open_check(const cairn_tx *tx);
cairn_err storage_open_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err storage_prove_check(const cairn_tx *tx);
cairn_err storage_prove_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err storage_end_check(const cairn_tx *tx);
cairn_err storage_end_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err storage_replace_check(const cairn_tx *tx);
cairn_err storage_replace_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err storage_name_check(const cairn_tx *tx);
cairn_err storage_name_apply(exec_ctx *x, const cairn_tx *tx);

#endif
