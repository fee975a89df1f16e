/* cairn — the state commitment: a compact sparse Merkle tree.
 *
 * Keys and values are 32-byte hashes (the ledger stores key = BLAKE2b(state
 * key) and vhash = BLAKE2b(state value)). Conceptually a binary tree of
 * depth 256 indexed by the key's bits, most significant bit of byte 0 first,
 * where
 *   empty subtree        = 32 zero bytes
 *   subtree of one leaf  = BLAKE2b-256(0x00 ‖ key ‖ vhash)   (at any depth)
 *   inner node           = BLAKE2b-256(0x01 ‖ left ‖ right)
 * (the shape of Diem's sparse Merkle tree), so a tree of N random keys is
 * about log2(N) deep. The tree lives in memory; the ledger rebuilds it from
 * LMDB at start and updates it per block. Hashes of changed nodes are
 * recomputed lazily, once, when the root is asked for, so a block's many
 * updates share the work on common upper nodes.
 *
 * Deterministic: the root depends only on the set of (key, vhash) pairs,
 * never on insertion order. */
#ifndef CAIRN_SMT_H
#define CAIRN_SMT_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/crypto.h"

typedef struct cairn_smt cairn_smt;

typedef struct cairn_smt_proof {
    /* Sibling hashes from the root downwards: sib[i] is the sibling at
     * depth i+1 on the key's path. */
    uint16_t depth;
    cairn_hash sib[256];
    /* What the path ends in: 0 = an empty subtree (key absent),
     * 1 = a leaf. For a leaf, leaf_key/leaf_vhash are that leaf's; if
     * leaf_key differs from the key asked about, the proof shows absence. */
    uint8_t end;
    cairn_hash leaf_key;
    cairn_hash leaf_vhash;
} cairn_smt_proof;

/* Returns a new empty tree, or NULL on out of memory. The caller owns it
 * and frees it with cairn_smt_free. */
CAIRN_API cairn_smt *cairn_smt_new(void);
CAIRN_API void cairn_smt_free(cairn_smt *t);
/* Inserts or replaces key's value hash; vhash NULL deletes the key (a no-op
 * if absent). NOMEM leaves the tree as it was. */
CAIRN_API cairn_err cairn_smt_set(cairn_smt *t, const cairn_hash *key,
                                  const cairn_hash *vhash) CAIRN_WUR;
/* One change for cairn_smt_apply: key gets vhash, or is deleted. */
typedef struct cairn_smt_change {
    cairn_hash key;
    cairn_hash vhash;
    int deleted;
} cairn_smt_change;

/* Applies n changes with the effect of n calls of cairn_smt_set in the
 * order given (a later change to a key wins), but faster for large n: it
 * applies them in key order, walking on from the previous key's path, and
 * replaces values of present keys on several threads (disjoint subtrees).
 * NOMEM: an unspecified part of the changes is applied (rebuild the tree
 * then). */
CAIRN_API cairn_err cairn_smt_apply(cairn_smt *t, const cairn_smt_change *c,
                                    size_t n) CAIRN_WUR;
/* 1 and *vhash set if key is present, else 0. vhash may be NULL. */
CAIRN_API int cairn_smt_get(const cairn_smt *t, const cairn_hash *key,
                            cairn_hash *vhash);
/* The root hash; recomputes changed nodes, on several threads when many
 * changes are pending (each thread on disjoint subtrees; the root is the
 * same bytes whatever the number of threads). */
CAIRN_API void cairn_smt_root(cairn_smt *t, cairn_hash *out);
/* Sets how many threads cairn_smt_apply and cairn_smt_root may use: 0 (the
 * default) one per online CPU up to 16, 1 none besides the caller's. */
CAIRN_API void cairn_smt_set_threads(cairn_smt *t, unsigned threads);
/* Number of leaves. */
CAIRN_API uint64_t cairn_smt_count(const cairn_smt *t);
/* Proof of key's presence or absence against the current root (which it
 * brings up to date first, as cairn_smt_root does). */
CAIRN_API void cairn_smt_prove(cairn_smt *t, const cairn_hash *key,
                               cairn_smt_proof *pf);
/* Checks a proof against root. vhash non-NULL: proves key holds vhash.
 * vhash NULL: proves key is absent. CAIRN_OK or CAIRN_ERR_BAD_PROOF. */
CAIRN_API cairn_err cairn_smt_verify(const cairn_hash *root,
                                     const cairn_hash *key,
                                     const cairn_hash *vhash,
                                     const cairn_smt_proof *pf) CAIRN_WUR;

#endif
