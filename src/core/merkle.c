/* Binary Merkle trees over a list of leaf hashes, in the shape of RFC 6962:
 * the tree over n leaves is the tree over the first k leaves (k the largest
 * power of two below n) joined with the tree over the rest. Equivalently, it
 * is the perfect subtrees of n's binary decomposition, largest first, joined
 * from the right; cairn_merkle_root builds them with a binary counter. */
#include "cairn/merkle.h"

#include <string.h>

#define LEAF_TAG 0x00
#define NODE_TAG 0x01

/* out = H(0x01 ‖ l ‖ r); out may alias l or r. */
static void join(cairn_hash *out, const cairn_hash *l, const cairn_hash *r)
{
    cairn_hash t;
    cairn_hash_pair(&t, NODE_TAG, l, r);
    *out = t;
}

/* The leaf hash: BLAKE2b-256(0x00 ‖ bytes). */
void cairn_merkle_leaf(cairn_hash *out, const void *p, size_t n)
{
    cairn_hasher h;
    const uint8_t tag = LEAF_TAG;
    cairn_hasher_init(&h);
    cairn_hasher_update(&h, &tag, 1);
    if (n > 0)
        cairn_hasher_update(&h, p, n);
    cairn_hasher_final(&h, out);
}

/* Root over count leaf hashes. The stack holds the roots of the perfect
 * subtrees finished so far, largest at the bottom; leaf i closes one subtree
 * per trailing one bit of i. At most 64 entries, one per bit of count. */
void cairn_merkle_root(cairn_hash *out, const cairn_hash *leaves, size_t count)
{
    cairn_hash st[CAIRN_MERKLE_MAX_DEPTH + 1];
    unsigned sz = 0;
    if (count == 0) {
        memset(out, 0, sizeof *out);
        return;
    }
    for (size_t i = 0; i < count; i++) {
        cairn_hash h = leaves[i];
        for (size_t m = i; m & 1; m >>= 1) {
            sz--;
            join(&h, &st[sz], &h);
        }
        st[sz++] = h;
    }
    cairn_hash h = st[--sz];
    while (sz > 0) {
        sz--;
        join(&h, &st[sz], &h);
    }
    *out = h;
}

/* The largest power of two strictly below n, for n >= 2. */
static uint64_t split_point(uint64_t n)
{
    return (uint64_t)1 << (63 - __builtin_clzll(n - 1));
}

/* Walks from the root down to leaf `index`, collecting at each split the
 * root of the other side (from range_root), then stores them bottom-up. */
cairn_err cairn_merkle_prove_ranges(cairn_merkle_proof *pf, uint64_t count,
                                    uint64_t index,
                                    cairn_merkle_range_fn range_root, void *arg)
{
    cairn_hash top[CAIRN_MERKLE_MAX_DEPTH];
    uint32_t n = 0;
    uint64_t lo = 0, len = count, at = index;
    if (index >= count)
        return CAIRN_ERR_BAD_ARG;
    while (len > 1) {
        uint64_t k = split_point(len);
        if (n == CAIRN_MERKLE_MAX_DEPTH)
            return CAIRN_ERR_TOO_LARGE;
        if (at < k) {
            range_root(&top[n++], lo + k, len - k, arg);
            len = k;
        } else {
            range_root(&top[n++], lo, k, arg);
            lo += k, at -= k, len -= k;
        }
    }
    memset(pf, 0, sizeof *pf);
    pf->index = index;
    pf->count = count;
    pf->n = n;
    for (uint32_t i = 0; i < n; i++)
        pf->sib[i] = top[n - 1 - i];
    return CAIRN_OK;
}

static void leaves_range(cairn_hash *out, uint64_t first, uint64_t count,
                         void *arg)
{
    cairn_merkle_root(out, (const cairn_hash *)arg + first, (size_t)count);
}

cairn_err cairn_merkle_prove(cairn_merkle_proof *pf, const cairn_hash *leaves,
                             size_t count, size_t index)
{
    return cairn_merkle_prove_ranges(pf, count, index, leaves_range,
                                     (void *)leaves);
}

/* RFC 9162 §2.1.3.2: fn is the node's index in its level, sn the last index
 * of that level; a node with no right sibling (fn == sn, even) is carried up
 * unchanged. The path must end exactly at the root (sn == 0). */
cairn_err cairn_merkle_verify(const cairn_hash *root, const cairn_hash *leaf,
                              const cairn_merkle_proof *pf)
{
    uint64_t fn = pf->index, sn;
    cairn_hash r = *leaf;
    if (pf->count == 0 || pf->index >= pf->count ||
        pf->n > CAIRN_MERKLE_MAX_DEPTH)
        return CAIRN_ERR_BAD_PROOF;
    sn = pf->count - 1;
    for (uint32_t i = 0; i < pf->n; i++) {
        if (sn == 0)
            return CAIRN_ERR_BAD_PROOF;
        if ((fn & 1) || fn == sn) {
            join(&r, &pf->sib[i], &r);
            while (!(fn & 1) && fn != 0)
                fn >>= 1, sn >>= 1;
        } else {
            join(&r, &r, &pf->sib[i]);
        }
        fn >>= 1, sn >>= 1;
    }
    if (sn != 0 || memcmp(r.b, root->b, CAIRN_HASH_LEN) != 0)
        return CAIRN_ERR_BAD_PROOF;
    return CAIRN_OK;
}
