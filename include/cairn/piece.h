/* cairn — a storage piece's Merkle commitment (the contract between the
 * client, the provider and the chain; docs/storage.md).
 *
 * A piece of S bytes (1 <= S <= CAIRN_PIECE_MAX) is cut into
 * L = ceil(S / CAIRN_LEAF_SIZE) leaves of CAIRN_LEAF_SIZE bytes; the last
 * leaf is zero-padded to CAIRN_LEAF_SIZE. The piece root is
 *   cairn_merkle_root(cairn_merkle_leaf(leaf_0, CAIRN_LEAF_SIZE), ...,
 *                     cairn_merkle_leaf(leaf_{L-1}, CAIRN_LEAF_SIZE))
 * (include/cairn/merkle.h: RFC 6962 shape, 0x00 leaf / 0x01 inner prefix).
 * A storage proof for leaf i is the padded leaf bytes plus the Merkle
 * inclusion path of its leaf hash. */
#ifndef CAIRN_PIECE_H
#define CAIRN_PIECE_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"
#include "cairn/merkle.h"

#define CAIRN_LEAF_SIZE 1024u
#define CAIRN_PIECE_MAX (64u << 20) /* 64 MiB: bound on one piece */

/* Number of leaves of a piece of `size` bytes (0 for size 0). */
static inline uint64_t cairn_piece_leaves(uint64_t size)
{
    return (size + CAIRN_LEAF_SIZE - 1) / CAIRN_LEAF_SIZE;
}

/* Streaming piece root: feed a piece's bytes in chunks of any size, then
 * take the root. No heap; O(log L) state. */
typedef struct cairn_piece_hasher {
    uint64_t size;   /* bytes fed so far */
    uint64_t leaves; /* complete leaves hashed so far */
    uint32_t fill;   /* bytes waiting in buf */
    uint32_t depth;  /* entries in stack */
    cairn_hash stack[CAIRN_MERKLE_MAX_DEPTH + 1]; /* finished subtree roots */
    uint8_t buf[CAIRN_LEAF_SIZE];
} cairn_piece_hasher;

CAIRN_API void cairn_piece_hasher_init(cairn_piece_hasher *h);
/* TOO_LARGE once more than CAIRN_PIECE_MAX bytes have been fed. */
CAIRN_API cairn_err cairn_piece_hasher_update(cairn_piece_hasher *h,
                                              const void *p,
                                              size_t n) CAIRN_WUR;
/* The root of the bytes fed; BAD_ARG if none were (a piece has >= 1 byte).
 * The hasher must be initialised again before reuse. */
CAIRN_API cairn_err cairn_piece_hasher_final(cairn_piece_hasher *h,
                                             cairn_hash *root) CAIRN_WUR;

/* The root of a whole piece in memory. BAD_ARG if size is 0, TOO_LARGE
 * above CAIRN_PIECE_MAX. */
CAIRN_API cairn_err cairn_piece_root(cairn_hash *root, const uint8_t *piece,
                                     size_t size) CAIRN_WUR;
/* The leaf hashes of a piece, for a prover that answers many challenges
 * (pass them to cairn_merkle_prove). `out` is the caller's array of
 * cairn_piece_leaves(size) entries. Errors as cairn_piece_root. */
CAIRN_API cairn_err cairn_piece_leaf_hashes(cairn_hash *out,
                                            const uint8_t *piece,
                                            size_t size) CAIRN_WUR;
/* A storage proof for leaf `index` of a piece: the padded leaf bytes into
 * `leaf` and the inclusion path into `pf`. Hashes the piece once; no heap.
 * BAD_ARG if index >= cairn_piece_leaves(size); errors as cairn_piece_root. */
CAIRN_API cairn_err cairn_piece_prove(uint8_t leaf[CAIRN_LEAF_SIZE],
                                      cairn_merkle_proof *pf,
                                      const uint8_t *piece, size_t size,
                                      uint64_t index) CAIRN_WUR;
/* CAIRN_OK if `leaf` is leaf `index` of the piece of `size` bytes committed
 * to by `root`: pf->count must be cairn_piece_leaves(size), pf->index must be
 * `index`, and the path from the leaf's hash must verify (so the last
 * leaf's padding must be zero, as it was when the root was made).
 * BAD_PROOF otherwise (also for size 0 or above CAIRN_PIECE_MAX). */
CAIRN_API cairn_err cairn_piece_verify(const cairn_hash *root, uint64_t size,
                                       uint64_t index,
                                       const uint8_t leaf[CAIRN_LEAF_SIZE],
                                       const cairn_merkle_proof *pf) CAIRN_WUR;
/* CAIRN_OK if the `size` bytes at `bytes` have piece root `root`, BAD_PROOF
 * if not (also for size 0 or above CAIRN_PIECE_MAX). A client runs this on
 * every piece it fetches before decoding. */
CAIRN_API cairn_err cairn_piece_check(const cairn_hash *root, uint64_t size,
                                      const uint8_t *bytes) CAIRN_WUR;

#endif
