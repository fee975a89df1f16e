/* Internal: the in-memory form of the state commitment tree (smt.c
 * explains it), shared by smt.c (single updates, hashing, proofs) and
 * smt_batch.c (sorted batch updates, parallel rehash). */
#ifndef CAIRN_LEDGER_SMT_INTERNAL_H
#define CAIRN_LEDGER_SMT_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "cairn/smt.h"

#define SMT_CHUNK_SHIFT 15
#define SMT_CHUNK_LEN (1u << SMT_CHUNK_SHIFT)
#define SMT_LEAF_BIT 0x80000000u
#define SMT_KEY_BITS 256
#define SMT_MAX_PATH (SMT_KEY_BITS + 1) /* slots on a root-to-leaf path */

typedef struct smt_inner {
    cairn_hash h;    /* hash lifted to the slot's depth, valid if !dirty */
    uint32_t kid[2]; /* refs of the children for key bit `bit` = 0, 1 */
    uint8_t bit;     /* the two subtrees part on this key bit */
    uint8_t dirty;
} smt_inner;

typedef struct smt_leaf {
    cairn_hash key;
    cairn_hash vhash;
} smt_leaf;

typedef struct smt_pool {
    void **chunks;      /* chunk table; the chunks themselves never move */
    uint32_t nchunks;   /* chunks allocated */
    uint32_t cap;       /* capacity of the chunk table */
    uint32_t used;      /* slots handed out from the chunks so far */
    uint32_t free_head; /* first free slot, or UINT32_MAX */
    uint32_t elem;      /* element size in bytes */
} smt_pool;

struct cairn_smt {
    smt_pool in;   /* inner nodes */
    smt_pool lf;   /* leaves */
    uint32_t root; /* ref of the root */
    uint64_t count;
    uint64_t pending; /* changes since the root was last brought up to date */
    unsigned threads; /* for the rehash; 0 = one per online CPU */
};

/* A path from the root: slot[i] is the address of the i-th slot passed
 * (slot[0] = &root). The first n entries are valid: slot[i+1] is a child
 * slot of the inner node held in slot[i]. */
typedef struct smt_path {
    uint32_t *slot[SMT_MAX_PATH];
    unsigned n;
} smt_path;

#define SMT_MAX_THREADS 16

/* A change's place in a sorted batch: its key's first 32 bits and its
 * index in the batch. */
typedef struct smt_sort_ent {
    uint32_t pre, idx;
} smt_sort_ent;

/* Address of slot i of pool p. */
static inline void *smt_pool_slot(const smt_pool *p, uint32_t i)
{
    uint8_t *c = p->chunks[i >> SMT_CHUNK_SHIFT];
    return c + (size_t)(i & (SMT_CHUNK_LEN - 1)) * p->elem;
}

/* The inner node that ref names. */
static inline smt_inner *smt_in_at(const cairn_smt *t, uint32_t ref)
{
    return smt_pool_slot(&t->in, ref);
}

/* The leaf that ref names. */
static inline smt_leaf *smt_lf_at(const cairn_smt *t, uint32_t ref)
{
    return smt_pool_slot(&t->lf, ref & ~SMT_LEAF_BIT);
}

/* Bit d of key k, most significant bit of byte 0 first. */
static inline unsigned smt_key_bit(const cairn_hash *k, unsigned d)
{
    return (k->b[d >> 3] >> (7 - (d & 7))) & 1u;
}

/* Whether ref names a leaf. */
static inline int smt_is_leaf(uint32_t ref)
{
    return (ref & SMT_LEAF_BIT) != 0;
}

/* Whether ref names an inner node (not empty, not a leaf). */
static inline int smt_is_inner(uint32_t ref)
{
    return ref != 0 && !smt_is_leaf(ref);
}

/* The first bit at which a and b differ, or SMT_KEY_BITS if equal. */
static inline unsigned smt_first_diff(const cairn_hash *a, const cairn_hash *b)
{
    for (unsigned i = 0; i < CAIRN_HASH_LEN; i++) {
        unsigned x = a->b[i] ^ b->b[i];
        if (x)
            return i * 8 + (unsigned)__builtin_clz(x) - 24;
    }
    return SMT_KEY_BITS;
}

/* Follows key down from slot p->slot[k-1] (k = 0: from the root), given
 * that p->slot[0..k-1] is a valid prefix of key's path; completes the path
 * to the slot that holds key's leaf, or the empty root. */
void smt_descend_from(cairn_smt *t, const cairn_hash *key, smt_path *p,
                      unsigned k);
/* Sets key to vhash (NULL: deletes it) where p is key's complete path.
 * Afterwards p->n counts the slots of p that are still a valid path
 * prefix. NOMEM leaves the tree as it was. Counts one pending change. */
cairn_err smt_set_at(cairn_smt *t, smt_path *p, const cairn_hash *key,
                     const cairn_hash *vhash);
/* The hash of subtree ref held in a slot at depth `depth`, recomputing and
 * caching its dirty inner nodes (and touching nothing outside it). */
void smt_node_hash(cairn_smt *t, uint32_t ref, unsigned depth, cairn_hash *out);
/* Marks the inner nodes held in slot[0..k-1] dirty, from the deepest up,
 * stopping at one already dirty (its ancestors are dirty too). */
void smt_mark_dirty(cairn_smt *t, uint32_t *const slot[], unsigned k);
/* How much of p, the path of a key that shares its first d bits with the
 * key to be walked next, that key's path shares: at least slot[0]. */
unsigned smt_shared_prefix(const cairn_smt *t, const smt_path *p, unsigned d);

/* The threads to use when `asked` (0: one per online CPU), at most
 * SMT_MAX_THREADS. */
unsigned smt_threads(unsigned asked);
/* Runs fn(arg) on `threads` threads, the caller's among them, and returns
 * when all are done; fn takes work from arg until none is left, so a
 * thread that fails to start only means more for the others. */
void smt_run(unsigned threads, void *(*fn)(void *), void *arg);
/* Applies, on several threads, the changes of the sorted batch c[order[]]
 * that replace the value of a key already in the tree and are the batch's
 * only change to it (no other change shares its 32-bit prefix); sets
 * done[i] for each such order[i]. Threads work on disjoint subtrees. */
void smt_update_parallel(cairn_smt *t, const cairn_smt_change *c,
                         const smt_sort_ent *order, size_t n, uint8_t *done,
                         unsigned threads);
/* Recomputes the dirty inner nodes below the top of the tree on up to
 * `threads` threads, each on disjoint subtrees; the top is left dirty for
 * smt_node_hash. The cached hashes are the ones smt_node_hash would give. */
void smt_rehash_parallel(cairn_smt *t, unsigned threads);

#endif
