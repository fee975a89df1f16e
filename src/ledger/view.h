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

#endif
