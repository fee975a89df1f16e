/* cairn — the mempool: signed, verified transactions waiting for a block.
 *
 * Bounded in count, in bytes and per sender. Each sender's transactions
 * are kept in nonce order with no gaps; senders are served first come,
 * first served. The mempool never reads state: the caller passes the
 * sender's committed nonce. Not thread-safe: one owner at a time. */
#ifndef CAIRN_MEMPOOL_H
#define CAIRN_MEMPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/crypto.h"
#include "cairn/tx.h"

#define CAIRN_MEMPOOL_PER_SENDER 4096

typedef struct cairn_mempool cairn_mempool;

/* One pending transaction. `bytes` is owned by the entry; tx.body points
 * into it. */
typedef struct cairn_mp_entry {
    uint8_t *bytes;
    uint32_t n;
    cairn_hash hash;
    cairn_tx tx;
} cairn_mp_entry;

/* Returns a new mempool (caller frees with cairn_mempool_free) or NULL. */
CAIRN_API cairn_mempool *cairn_mempool_new(uint32_t max_txs,
                                           uint64_t max_bytes);
CAIRN_API void cairn_mempool_free(cairn_mempool *mp);
/* Adds a decoded, already verified transaction (copies `bytes`). Errors:
 * NONCE_USED (nonce < committed), DUPLICATE (that nonce is pending),
 * NONCE_GAP (nonce > committed + pending), MEMPOOL_FULL, NOMEM. */
CAIRN_API cairn_err cairn_mempool_add(cairn_mempool *mp, const uint8_t *bytes,
                                      size_t n, const cairn_tx *tx,
                                      const cairn_hash *hash,
                                      uint64_t committed_nonce) CAIRN_WUR;
/* Removes up to max entries, whole sender queues in arrival order of the
 * senders, each queue in nonce order, into out[] (caller-provided array of
 * max). The caller owns the entries and releases each with
 * cairn_mp_entry_free. Returns the number taken. */
CAIRN_API size_t cairn_mempool_pop(cairn_mempool *mp, cairn_mp_entry *out,
                                   size_t max);
/* Puts back entries the caller took but did not use (e.g. a block filled
 * up), in the order given, ahead of later arrivals of the same sender.
 * Takes ownership of each entry. */
CAIRN_API void cairn_mempool_unpop(cairn_mempool *mp, cairn_mp_entry *e,
                                   size_t n);
/* Removes pk's entries whose nonce is below committed_nonce (a block that
 * this node did not build committed them, e.g. on a replica that takes
 * blocks from the leader). Returns how many were removed. */
CAIRN_API size_t cairn_mempool_prune(cairn_mempool *mp, const cairn_pubkey *pk,
                                     uint64_t committed_nonce);
/* Drops every pending transaction of a sender; returns the number dropped.
 * If out/max given, hands the dropped entries' hashes back. */
CAIRN_API size_t cairn_mempool_drop_sender(cairn_mempool *mp,
                                           const cairn_pubkey *sender,
                                           cairn_hash *out, size_t max);
/* Number of pending transactions of a sender (0 if none). */
CAIRN_API uint32_t cairn_mempool_pending(const cairn_mempool *mp,
                                         const cairn_pubkey *sender);
CAIRN_API size_t cairn_mempool_count(const cairn_mempool *mp);
CAIRN_API void cairn_mp_entry_free(cairn_mp_entry *e);

#endif
