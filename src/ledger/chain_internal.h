/* Internal: the chain object shared by chain*.c. */
#ifndef CAIRN_LEDGER_CHAIN_INTERNAL_H
#define CAIRN_LEDGER_CHAIN_INTERNAL_H

#include "cairn/chain.h"
#include "ledger/kinds.h"
#include "ledger/store.h"

typedef struct chain_pending chain_pending;

struct cairn_chain {
    store s;
    cairn_params p;
    cairn_smt *smt;
    cairn_header tip;
    cairn_hash tip_hash;
    cairn_hash genesis_hash;
    const cairn_rules *rules; /* borrowed: outlives the chain */
    chain_pending *pending;   /* a replica leader's block awaiting etcd */
};

/* Binary form of a genesis, kept in the store so the chain can be replayed. */
cairn_err genesis_encode(const cairn_genesis *g, cairn_buf *b);
cairn_err genesis_decode(cairn_genesis *g, const uint8_t *p, size_t n);

/* Rebuilds the in-memory commitment from every state entry. */
cairn_err chain_rebuild_smt(cairn_chain *c);
/* Ends a block's execution: credits fees to the treasury, applies the
 * tracked changes to the tree and writes the new root into *root. */
cairn_err chain_finish_state(cairn_chain *c, wctx *w, uint64_t fees,
                             cairn_hash *root);
/* Writes the block and its indexes, commits durably, and moves the tip.
 * On failure the transaction is aborted and the tree rebuilt. */
cairn_err chain_commit_block(cairn_chain *c, wctx *w, const cairn_header *h,
                             const uint8_t *blk, size_t n,
                             const cairn_hash *txh, uint32_t ntx);

#endif
