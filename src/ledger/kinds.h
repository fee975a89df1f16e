/* Internal: the table of transaction kinds and what a kind's handler gets.
 *
 * A kind is a plug-in: a stateless body check (run at mempool admission and
 * in blocks) and an apply function run inside a nested LMDB transaction, so
 * that a handler that fails half-way changes nothing. The sender's nonce and
 * fee are handled by the ledger before apply is called. Handlers must be
 * deterministic: integers only, no clock, no iteration over unordered data. */
#ifndef CAIRN_LEDGER_KINDS_H
#define CAIRN_LEDGER_KINDS_H

#include "ledger/store.h"

typedef struct exec_ctx {
    wctx *w;
    const store *s;
    const cairn_params *p;
    uint64_t height;   /* height of the block being applied */
} exec_ctx;

typedef struct tx_kind {
    uint16_t kind;
    const char *name;
    cairn_err (*check)(const cairn_tx *tx);
    cairn_err (*apply)(exec_ctx *x, const cairn_tx *tx);
} tx_kind;

/* The kind's entry, or NULL if no such kind exists. */
const tx_kind *kind_find(uint16_t kind);

#endif
