/* Internal: read-only views of a chain's committed state for the layers
 * above the ledger (queries of the economy and the sectors), without the
 * chain's private struct (ledger/chain_internal.h stays inside ledger/). */
#ifndef CAIRN_LEDGER_VIEW_H
#define CAIRN_LEDGER_VIEW_H

#include "cairn/chain.h"
#include "ledger/kinds.h"
#include "ledger/store.h"

/* What a view reads with: a read-only transaction on the committed state,
 * the store's handles, the chain's parameters and rules (all borrowed). */
typedef struct chain_view {
    MDB_txn *txn;
    const store *s;
    const cairn_params *p;
    const cairn_rules *rules;
} chain_view;

typedef cairn_err (*chain_view_fn)(const chain_view *v, void *arg);

/* Runs fn in one read-only transaction on c's committed state; returns
 * fn's result (DB when the transaction cannot begin). */
cairn_err chain_view_run(cairn_chain *c, chain_view_fn fn, void *arg);

/* The same in two steps: begins a read-only transaction on c's committed
 * state into *txn (DB on failure); end it with mdb_txn_abort. */
cairn_err chain_read_begin(const cairn_chain *c, MDB_txn **txn);
/* c's store handles (borrowed), to read through such a transaction. */
const store *chain_store(const cairn_chain *c);

/* An epoch's seed, shared by the sectors that need chain randomness
 * (storage proofs, wireless beacon slots): BLAKE2b-256 of the header of
 * block start_height - 1, the block before the epoch's first. NOT_FOUND
 * when that block is not stored, DB when start_height is 0 or the block
 * is unreadable. */
cairn_err chain_epoch_seed(MDB_txn *txn, const store *s, uint64_t start_height,
                           cairn_hash *seed);
/* The header time (Unix ms) of stored block h: NOT_FOUND, DB. */
cairn_err chain_block_time(MDB_txn *txn, const store *s, uint64_t h,
                           uint64_t *time_ms);

#endif
