/* cairn — binary Merkle trees over a list of leaves (RFC 6962 shape).
 *
 * leaf hash  = BLAKE2b-256(0x00 ‖ leaf bytes)      (cairn_merkle_leaf)
 * inner hash = BLAKE2b-256(0x01 ‖ left ‖ right)
 * The tree over n leaves splits at k, the largest power of two below n
 * (RFC 6962 §2.1); the root of zero leaves is 32 zero bytes. Used for a
 * block's transaction root (leaf bytes = the 32-byte tx hash) and for
 * storage pieces (leaf bytes = one fixed-size chunk). */
#ifndef CAIRN_MERKLE_H
#define CAIRN_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/crypto.h"

#define CAIRN_MERKLE_MAX_DEPTH 64

typedef struct cairn_merkle_proof {
    uint64_t index;                         /* leaf index */
    uint64_t count;                         /* number of leaves in the tree */
    uint32_t n;                             /* number of sibling hashes */
    cairn_hash sib[CAIRN_MERKLE_MAX_DEPTH]; /* bottom-up */
} cairn_merkle_proof;

CAIRN_API void cairn_merkle_leaf(cairn_hash *out, const void *p, size_t n);
/* Root over `count` leaf hashes (already passed through cairn_merkle_leaf).
 * Uses O(log n) stack, no heap. */
CAIRN_API void cairn_merkle_root(cairn_hash *out, const cairn_hash *leaves,
                                 size_t count);
/* Inclusion proof of leaves[index]. BAD_ARG if index >= count. */
CAIRN_API cairn_err cairn_merkle_prove(cairn_merkle_proof *pf,
                                       const cairn_hash *leaves, size_t count,
                                       size_t index) CAIRN_WUR;
/* CAIRN_OK if `leaf` (a leaf hash) at pf->index of pf->count leaves hashes
 * up to `root`; BAD_PROOF otherwise (also for malformed index/count/n). */
/* The same proof for a tree whose leaves are not all in memory:
 * range_root(out, first, n, arg) must write the root over leaves
 * [first, first + n) (RFC 6962 §2.1); it is called once per level. */
typedef void (*cairn_merkle_range_fn)(cairn_hash *out, uint64_t first,
                                      uint64_t n, void *arg);
CAIRN_API cairn_err cairn_merkle_prove_ranges(cairn_merkle_proof *pf,
                                              uint64_t count, uint64_t index,
                                              cairn_merkle_range_fn range_root,
                                              void *arg) CAIRN_WUR;
CAIRN_API cairn_err cairn_merkle_verify(const cairn_hash *root,
                                        const cairn_hash *leaf,
                                        const cairn_merkle_proof *pf) CAIRN_WUR;

#endif
