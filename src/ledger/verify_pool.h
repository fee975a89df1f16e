/* Internal: checks the signatures of a block's transactions on every core. */
#ifndef CAIRN_LEDGER_VERIFY_POOL_H
#define CAIRN_LEDGER_VERIFY_POOL_H

#include "cairn/block.h"

/* Decodes and verifies the signature of every transaction in txs[0..n).
 * Returns CAIRN_OK, or the error of the lowest-indexed failing transaction
 * (so the result does not depend on thread timing), with *bad its index.
 * Uses up to `threads` threads (1 = inline). */
cairn_err verify_block_sigs(const cairn_block_tx *txs, uint32_t n, int threads,
                            uint32_t *bad);

/* Threads to use: the online CPUs, at most 16, overridable by the
 * environment variable CAIRN_VERIFY_THREADS. */
int verify_threads(void);

#endif
