/* Internal: the price feed and burn-and-mint service credits.
 *
 * State:
 *   0x30 credits  [32] owner  -> u64 credits (LE); absent = 0
 *   0x04 econ     "price"     -> u64 price ‖ u64 set_height ‖
 *                                u64 ref_epoch ‖ u64 ref_price (all LE)
 * ref_price is the price at the start of epoch ref_epoch: the first change
 * in a new epoch takes the current price as that epoch's reference. */
#ifndef CAIRN_ECON_CREDITS_H_INTERNAL
#define CAIRN_ECON_CREDITS_H_INTERNAL

#include "cairn/credits.h"
#include "econ/econ.h"

/* Sectors spend a user's credits for service inside their tx handler:
 * NO_CREDITS (state unchanged) when owner holds fewer than `credits`. */
cairn_err econ_spend_credits(exec_ctx *x, const cairn_pubkey *owner,
                             uint64_t credits);
/* The price feed's current price in base units per credit, through any
 * txn (0 when none was ever set). */
cairn_err econ_price_get(MDB_txn *txn, const store *s, uint64_t *price);
/* Credits owner holds, through any txn (0 when none). */
cairn_err econ_credits_read(MDB_txn *txn, const store *s,
                            const cairn_pubkey *owner, uint64_t *credits);

/* The kinds' handlers, entered in src/ledger/kinds.c. */
cairn_err econ_set_price_check(const cairn_tx *tx);
cairn_err econ_set_price_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err econ_buy_credits_check(const cairn_tx *tx);
cairn_err econ_buy_credits_apply(exec_ctx *x, const cairn_tx *tx);

#endif
