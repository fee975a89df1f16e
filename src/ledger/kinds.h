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

typedef struct cairn_rules cairn_rules;

typedef struct exec_ctx {
    wctx *w;
    const store *s;
    const cairn_params *p;
    uint64_t height;          /* height of the block being applied */
    const cairn_rules *rules; /* the chain's rules (kinds, hooks) */
} exec_ctx;

typedef struct tx_kind {
    uint16_t kind;
    const char *name;
    cairn_err (*check)(const cairn_tx *tx);
    cairn_err (*apply)(exec_ctx *x, const cairn_tx *tx);
} tx_kind;

/* What a chain runs beyond transfers: the layers above the ledger (the
 * economy and the sectors) fill this in at the composition root and hand
 * it to cairn_chain_open_rules / cairn_chain_create_rules, so that the
 * ledger never names them. Every member may be NULL (a bare ledger of
 * transfers). The struct must outlive every chain opened with it. */
struct cairn_rules {
    /* The entry of a kind other than transfer, or NULL. */
    const tx_kind *(*kind)(const cairn_rules *r, uint16_t kind);
    /* Stateless checks that depend on the rules (after the kind's own
     * check), e.g. that a proposal names a parameter the chain has. */
    cairn_err (*check)(const cairn_rules *r, const cairn_tx *tx);
    /* At chain creation, inside the genesis write transaction, with the
     * genesis file's "economy" object as JSON text (NULL when absent). */
    cairn_err (*genesis)(exec_ctx *x, const char *economy_json, char *msg,
                         size_t len);
    /* At the end of every block but block 0, with the block's fees and
     * transfer volume, before the state commitment is updated. */
    cairn_err (*end_block)(exec_ctx *x, uint64_t fees, uint64_t volume);
    const void *app; /* the upper layers' own data (the economy's registry) */
};

/* The kind's entry under rules r (transfer always exists), or NULL. */
const tx_kind *kind_find(const cairn_rules *r, uint16_t kind);

#endif
