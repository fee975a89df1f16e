/* The state commitment: a compact sparse Merkle tree (see cairn/smt.h).
 *
 * In memory the tree is a crit-bit (PATRICIA) trie: an inner node exists
 * only where two non-empty subtrees part, and records the key bit `bit` on
 * which they part, so n keys take n leaves and n-1 inner nodes. The hashes
 * are those of the header's tree, which is not path-compressed: where the
 * trie skips depths s..bit-1 above a node, the conceptual tree has a chain
 * of inner nodes whose other child is empty, hashed here by lift() as
 * H(0x01 ‖ h ‖ 0) or H(0x01 ‖ 0 ‖ h). A subtree with one leaf is that leaf's
 * hash at any depth, so a trie whose shape depends only on the key set gives
 * a root that depends only on the set of pairs.
 *
 * Depths: the root is at depth 0; key bit d (most significant bit of byte 0
 * first) chooses between the two children at depth d+1. An inner node with
 * `bit` b is the conceptual node at depth b; the slot that holds it (the
 * root, or a child of a node with bit p) is at depth s = 0 or p+1 <= b.
 *
 * Each inner node caches its hash as seen from its slot, i.e. lifted to
 * depth s, with a dirty flag. Changes mark their path dirty (an ancestor of
 * a dirty node is always dirty, so marking stops at the first node that
 * already is) and nodes that move to a slot at another depth;
 * cairn_smt_root recomputes the dirty nodes only, below the top on several
 * threads when many changes are pending (smt_par.c). Leaves cache no hash:
 * a leaf is hashed when its parent is rehashed. Batches of changes are
 * applied in key order by smt_batch.c and smt_update.c.
 *
 * Nodes live in two pools of fixed-size chunks that never move, addressed
 * by 32-bit refs: 0 is the empty subtree, LEAF_BIT|i leaf i, other values
 * inner node i (inner slot 0 is never used). Freed slots are kept on a free
 * list threaded through their first four bytes. */
#include "ledger/smt_internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define CHUNK_LEN SMT_CHUNK_LEN
#define MAX_CHUNKS                                                             \
    (1u << (31 - SMT_CHUNK_SHIFT)) /* keeps indices below 2^31                 \
                                    */
#define NONE UINT32_MAX
#define LEAF_BIT SMT_LEAF_BIT
#define KEY_BITS SMT_KEY_BITS
#define HUGE_PAGE ((size_t)2 << 20)
#define SMALL_CHUNKS 2 /* chunks of a pool allocated plainly */
#define PAR_MIN 4096   /* pending changes that make a parallel rehash pay */

typedef smt_inner inner;
typedef smt_leaf leaf;
typedef smt_pool pool;

static const cairn_hash zero_hash;

/* A pool's chunk number k, of n bytes. Past the first few, 2 MiB-aligned,
 * in whole 2 MiB pages, and marked for transparent huge pages: a big
 * tree's walks are random accesses over hundreds of MiB, where TLB misses
 * cost (some 10% measured); a small tree stays small. */
static void *chunk_alloc(uint32_t k, size_t n)
{
    if (k < SMALL_CHUNKS)
        return malloc(n);
    size_t len = (n + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    void *c = aligned_alloc(HUGE_PAGE, len);
#ifdef MADV_HUGEPAGE
    if (c)
        (void)madvise(c, len, MADV_HUGEPAGE); /* advice only */
#endif
    return c;
}

/* Makes sure pool_take can hand out one slot; 0, or -1 on out of memory
 * (the pool is unchanged then, as far as its users can see). */
static int pool_reserve(pool *p)
{
    if (p->free_head != NONE || p->used < p->nchunks * CHUNK_LEN)
        return 0;
    if (p->nchunks >= MAX_CHUNKS)
        return -1;
    if (p->nchunks == p->cap) {
        uint32_t cap = p->cap ? p->cap * 2 : 16;
        void **tab = realloc(p->chunks, cap * sizeof *tab);
        if (!tab)
            return -1;
        p->chunks = tab;
        p->cap = cap;
    }
    void *c = chunk_alloc(p->nchunks, (size_t)CHUNK_LEN * p->elem);
    if (!c)
        return -1;
    p->chunks[p->nchunks++] = c;
    return 0;
}

/* Hands out a slot; pool_reserve must have succeeded since the last take. */
static uint32_t pool_take(pool *p)
{
    uint32_t i = p->free_head;
    if (i == NONE)
        return p->used++;
    memcpy(&p->free_head, smt_pool_slot(p, i), sizeof p->free_head);
    return i;
}

/* Returns slot i to the free list. */
static void pool_put(pool *p, uint32_t i)
{
    memcpy(smt_pool_slot(p, i), &p->free_head, sizeof p->free_head);
    p->free_head = i;
}

/* Frees every chunk of p. */
static void pool_free(pool *p)
{
    for (uint32_t i = 0; i < p->nchunks; i++)
        free(p->chunks[i]);
    free(p->chunks);
}

/* The inner node that ref names. */
static inner *in_at(const cairn_smt *t, uint32_t ref)
{
    return smt_in_at(t, ref);
}

/* The leaf that ref names. */
static leaf *lf_at(const cairn_smt *t, uint32_t ref)
{
    return smt_lf_at(t, ref);
}

/* Whether ref names a leaf. */
static int is_leaf(uint32_t ref)
{
    return smt_is_leaf(ref);
}

/* Bit d of key k, most significant bit of byte 0 first. */
static unsigned key_bit(const cairn_hash *k, unsigned d)
{
    return smt_key_bit(k, d);
}

/* The first bit at which a and b differ, or KEY_BITS if they are equal. */
static unsigned first_diff(const cairn_hash *a, const cairn_hash *b)
{
    return smt_first_diff(a, b);
}

/* Whether two hashes are equal. */
static int hash_eq(const cairn_hash *a, const cairn_hash *b)
{
    return memcmp(a->b, b->b, CAIRN_HASH_LEN) == 0;
}

/* out = H(0x01 ‖ l ‖ r); out may alias l or r. */
static void join(cairn_hash *out, const cairn_hash *l, const cairn_hash *r)
{
    cairn_hash h;
    cairn_hash_pair(&h, 0x01, l, r);
    *out = h;
}

/* The hash of a one-leaf subtree: H(0x00 ‖ key ‖ vhash). */
static void leaf_hash(cairn_hash *out, const cairn_hash *key,
                      const cairn_hash *vhash)
{
    cairn_hash_pair(out, 0x00, key, vhash);
}

/* Turns h, the hash of the node at depth `from` on path `key`, into the hash
 * of its ancestor at depth `to`, each node between having an empty other
 * child. */
static void lift(cairn_hash *h, const cairn_hash *key, unsigned from,
                 unsigned to)
{
    for (unsigned d = from; d > to; d--) {
        if (key_bit(key, d - 1))
            join(h, &zero_hash, h);
        else
            join(h, h, &zero_hash);
    }
}

/* The key of some leaf under ref (non-empty), which carries the prefix that
 * all keys under ref share. */
static const cairn_hash *any_key(const cairn_smt *t, uint32_t ref)
{
    while (!is_leaf(ref))
        ref = in_at(t, ref)->kid[0];
    return &lf_at(t, ref)->key;
}

/* The hash of subtree ref held in a slot at depth `depth`, recomputing (and
 * caching) dirty inner nodes. Recursion depth is at most 256. */
void smt_node_hash(cairn_smt *t, uint32_t ref, unsigned depth, cairn_hash *out)
{
    if (ref == 0) {
        *out = zero_hash;
        return;
    }
    if (is_leaf(ref)) {
        const leaf *l = lf_at(t, ref);
        leaf_hash(out, &l->key, &l->vhash);
        return;
    }
    inner *n = in_at(t, ref);
    if (n->dirty) {
        cairn_hash a, b;
        smt_node_hash(t, n->kid[0], n->bit + 1u, &a);
        smt_node_hash(t, n->kid[1], n->bit + 1u, &b);
        join(&n->h, &a, &b);
        if (n->bit > depth)
            lift(&n->h, any_key(t, ref), n->bit, depth);
        n->dirty = 0;
    }
    *out = n->h;
}

/* Follows key down from p->slot[k-1], or from the root when k is 0. */
void smt_descend_from(cairn_smt *t, const cairn_hash *key, smt_path *p,
                      unsigned k)
{
    uint32_t *s;
    if (k == 0)
        p->slot[k++] = &t->root;
    s = p->slot[k - 1];
    while (smt_is_inner(*s)) {
        inner *x = in_at(t, *s);
        s = &x->kid[key_bit(key, x->bit)];
        p->slot[k++] = s;
    }
    p->n = k;
}

/* Marks slot[0..k-1]'s inner nodes dirty, deepest first, up to one that
 * is already dirty. */
void smt_mark_dirty(cairn_smt *t, uint32_t *const slot[], unsigned k)
{
    while (k > 0) {
        inner *x = in_at(t, *slot[--k]);
        if (x->dirty)
            return;
        x->dirty = 1;
    }
}

/* Marks ref dirty if it is an inner node (it moved to another slot). */
static void mark_moved(cairn_smt *t, uint32_t ref)
{
    if (smt_is_inner(ref))
        in_at(t, ref)->dirty = 1;
}

/* A new leaf for (key, vhash), from a reserved slot. */
static uint32_t new_leaf(cairn_smt *t, const cairn_hash *key,
                         const cairn_hash *vhash)
{
    uint32_t ref = LEAF_BIT | pool_take(&t->lf);
    leaf *l = lf_at(t, ref);
    l->key = *key;
    l->vhash = *vhash;
    return ref;
}

/* Puts a new leaf for key beside the subtree in p->slot[i], under a new
 * inner node parting on bit d, where p is key's path and d the first bit
 * at which key differs from the leaf the path ends in. Both pools must have
 * a slot reserved. Only p->slot[0..i] stays valid. */
static void split(cairn_smt *t, smt_path *p, unsigned d, const cairn_hash *key,
                  const cairn_hash *vhash)
{
    unsigned i = 0;
    while (i < p->n - 1 && in_at(t, *p->slot[i])->bit < d)
        i++;
    uint32_t ref = pool_take(&t->in);
    inner *b = in_at(t, ref);
    unsigned dir = key_bit(key, d);
    b->bit = (uint8_t)d;
    b->dirty = 1;
    b->kid[dir] = new_leaf(t, key, vhash);
    b->kid[!dir] = *p->slot[i];
    mark_moved(t, *p->slot[i]);
    *p->slot[i] = ref;
    smt_mark_dirty(t, p->slot, i);
    p->n = i + 1;
}

/* Inserts key or replaces its value hash; p is key's path. */
static cairn_err insert(cairn_smt *t, smt_path *p, const cairn_hash *key,
                        const cairn_hash *vhash)
{
    uint32_t end = *p->slot[p->n - 1];
    if (end == 0) {
        if (pool_reserve(&t->lf) != 0)
            return CAIRN_ERR_NOMEM;
        t->root = new_leaf(t, key, vhash);
        t->count++;
        return CAIRN_OK;
    }
    leaf *l = lf_at(t, end);
    unsigned d = first_diff(&l->key, key);
    if (d == KEY_BITS) {
        if (!hash_eq(&l->vhash, vhash)) {
            l->vhash = *vhash;
            smt_mark_dirty(t, p->slot, p->n - 1);
        }
        return CAIRN_OK;
    }
    if (pool_reserve(&t->in) != 0 || pool_reserve(&t->lf) != 0)
        return CAIRN_ERR_NOMEM;
    split(t, p, d, key, vhash);
    t->count++;
    return CAIRN_OK;
}

/* Deletes key if present (p is its path): its leaf goes, and its parent
 * is replaced by the leaf's sibling, so no inner node is left with fewer
 * than two subtrees. */
static void erase(cairn_smt *t, smt_path *p, const cairn_hash *key)
{
    unsigned n = p->n;
    uint32_t end = *p->slot[n - 1];
    if (end == 0 || !hash_eq(&lf_at(t, end)->key, key))
        return;
    pool_put(&t->lf, end & ~LEAF_BIT);
    t->count--;
    if (n == 1) {
        t->root = 0;
        return;
    }
    uint32_t up = *p->slot[n - 2];
    const inner *x = in_at(t, up);
    uint32_t sib = x->kid[x->kid[0] == end ? 1 : 0];
    mark_moved(t, sib);
    *p->slot[n - 2] = sib;
    pool_put(&t->in, up);
    smt_mark_dirty(t, p->slot, n - 2);
    p->n = n - 1;
}

cairn_err smt_set_at(cairn_smt *t, smt_path *p, const cairn_hash *key,
                     const cairn_hash *vhash)
{
    t->pending++;
    if (!vhash) {
        erase(t, p, key);
        return CAIRN_OK;
    }
    return insert(t, p, key, vhash);
}

/* A new empty tree, or NULL. */
cairn_smt *cairn_smt_new(void)
{
    cairn_smt *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->in.elem = sizeof(inner);
    t->in.used = 1; /* ref 0 is the empty subtree */
    t->in.free_head = NONE;
    t->lf.elem = sizeof(leaf);
    t->lf.free_head = NONE;
    return t;
}

/* Frees the tree and all its nodes; NULL is a no-op. */
void cairn_smt_free(cairn_smt *t)
{
    if (!t)
        return;
    pool_free(&t->in);
    pool_free(&t->lf);
    free(t);
}

/* Sets or (vhash NULL) deletes key's value hash. */
cairn_err cairn_smt_set(cairn_smt *t, const cairn_hash *key,
                        const cairn_hash *vhash)
{
    smt_path p;
    smt_descend_from(t, key, &p, 0);
    return smt_set_at(t, &p, key, vhash);
}

/* Looks key up; 1 and *vhash (if vhash non-NULL) when present, else 0. */
int cairn_smt_get(const cairn_smt *t, const cairn_hash *key, cairn_hash *vhash)
{
    uint32_t ref = t->root;
    while (ref != 0 && !is_leaf(ref)) {
        const inner *x = in_at(t, ref);
        ref = x->kid[key_bit(key, x->bit)];
    }
    if (ref == 0 || !hash_eq(&lf_at(t, ref)->key, key))
        return 0;
    if (vhash)
        *vhash = lf_at(t, ref)->vhash;
    return 1;
}

/* The root hash, recomputing dirty nodes: below the top on several threads
 * when many changes are pending (the result is the same either way). */
void cairn_smt_root(cairn_smt *t, cairn_hash *out)
{
    if (t->pending >= PAR_MIN)
        smt_rehash_parallel(t, t->threads);
    t->pending = 0;
    smt_node_hash(t, t->root, 0, out);
}

/* Sets the number of rehash threads (0: one per online CPU). */
void cairn_smt_set_threads(cairn_smt *t, unsigned threads)
{
    t->threads = threads;
}

/* Number of keys present. */
uint64_t cairn_smt_count(const cairn_smt *t)
{
    return t->count;
}

/* Records the end of a proof at depth d: empty (ref 0) or a leaf. */
static void prove_end(const cairn_smt *t, uint32_t ref, unsigned d,
                      cairn_smt_proof *pf)
{
    pf->depth = (uint16_t)d;
    if (ref == 0)
        return;
    pf->end = 1;
    pf->leaf_key = lf_at(t, ref)->key;
    pf->leaf_vhash = lf_at(t, ref)->vhash;
}

/* For a key that leaves inner node ref's skipped prefix at bit j: the path
 * ends empty at depth j+1, beside ref's subtree lifted to depth j+1. */
static void prove_off(cairn_smt *t, uint32_t ref, unsigned j,
                      cairn_smt_proof *pf)
{
    const inner *x = in_at(t, ref);
    cairn_hash a, b;
    smt_node_hash(t, x->kid[0], x->bit + 1u, &a);
    smt_node_hash(t, x->kid[1], x->bit + 1u, &b);
    join(&pf->sib[j], &a, &b);
    lift(&pf->sib[j], any_key(t, ref), x->bit, j + 1);
    prove_end(t, 0, j + 1, pf);
}

/* Walks key's path, recording siblings (zero where the trie skips depths,
 * as the proof struct starts zeroed) and where the path ends. */
void cairn_smt_prove(cairn_smt *t, const cairn_hash *key, cairn_smt_proof *pf)
{
    cairn_hash root;
    uint32_t ref = t->root;
    unsigned d = 0;
    cairn_smt_root(t, &root); /* every cached hash is valid from here */
    memset(pf, 0, sizeof *pf);
    while (ref != 0 && !is_leaf(ref)) {
        const inner *x = in_at(t, ref);
        unsigned j = first_diff(key, any_key(t, ref));
        if (j < x->bit) {
            prove_off(t, ref, j, pf);
            return;
        }
        unsigned dir = key_bit(key, x->bit);
        smt_node_hash(t, x->kid[!dir], x->bit + 1u, &pf->sib[x->bit]);
        ref = x->kid[dir];
        d = x->bit + 1u;
    }
    prove_end(t, ref, d, pf);
}

/* The hash the proof's path ends in, after checking that the end fits the
 * claim: key holds vhash, or (vhash NULL) key is absent. */
static cairn_err end_hash(cairn_hash *h, const cairn_hash *key,
                          const cairn_hash *vhash, const cairn_smt_proof *pf)
{
    if (pf->end == 0) {
        *h = zero_hash;
        return vhash ? CAIRN_ERR_BAD_PROOF : CAIRN_OK;
    }
    if (vhash) {
        if (!hash_eq(&pf->leaf_key, key) || !hash_eq(&pf->leaf_vhash, vhash))
            return CAIRN_ERR_BAD_PROOF;
    } else {
        unsigned d = first_diff(&pf->leaf_key, key);
        if (d == KEY_BITS || d < pf->depth)
            return CAIRN_ERR_BAD_PROOF;
    }
    leaf_hash(h, &pf->leaf_key, &pf->leaf_vhash);
    return CAIRN_OK;
}

/* Recomputes the root from the proof's end and siblings along key's bits. */
cairn_err cairn_smt_verify(const cairn_hash *root, const cairn_hash *key,
                           const cairn_hash *vhash, const cairn_smt_proof *pf)
{
    cairn_hash h;
    if (pf->depth > KEY_BITS || pf->end > 1)
        return CAIRN_ERR_BAD_PROOF;
    if (end_hash(&h, key, vhash, pf) != CAIRN_OK)
        return CAIRN_ERR_BAD_PROOF;
    for (unsigned i = pf->depth; i > 0; i--) {
        if (key_bit(key, i - 1))
            join(&h, &pf->sib[i - 1], &h);
        else
            join(&h, &h, &pf->sib[i - 1]);
    }
    return hash_eq(&h, root) ? CAIRN_OK : CAIRN_ERR_BAD_PROOF;
}
