/* Piece roots and storage proofs (include/cairn/piece.h): a piece is cut
 * into CAIRN_LEAF_SIZE leaves, the last zero-padded, and committed to by the
 * RFC 6962-shaped Merkle root of cairn/merkle.h over their leaf hashes.
 * The streaming hasher builds that root with the same binary counter as
 * cairn_merkle_root, so no leaf-hash array is ever needed. */
#include "cairn/piece.h"

#include <string.h>

#define NODE_TAG 0x01 /* inner-node prefix of cairn/merkle.h */

/* Hashes one full (or already padded) leaf and closes one finished subtree
 * per trailing one bit of the leaf's index. */
static void push_leaf(cairn_piece_hasher *h, const uint8_t *leaf)
{
    cairn_hash x;
    cairn_merkle_leaf(&x, leaf, CAIRN_LEAF_SIZE);
    for (uint64_t m = h->leaves; m & 1; m >>= 1) {
        h->depth--;
        cairn_hash_pair(&x, NODE_TAG, &h->stack[h->depth], &x);
    }
    h->stack[h->depth++] = x;
    h->leaves++;
}

/* Feeds bytes whose total the caller has already bounded. */
static void feed(cairn_piece_hasher *h, const uint8_t *b, size_t n)
{
    h->size += n;
    if (h->fill > 0) {
        size_t take = CAIRN_LEAF_SIZE - h->fill;
        if (take > n)
            take = n;
        memcpy(h->buf + h->fill, b, take);
        h->fill += (uint32_t)take;
        b += take;
        n -= take;
        if (h->fill < CAIRN_LEAF_SIZE)
            return;
        push_leaf(h, h->buf);
        h->fill = 0;
    }
    for (; n >= CAIRN_LEAF_SIZE; b += CAIRN_LEAF_SIZE, n -= CAIRN_LEAF_SIZE)
        push_leaf(h, b);
    if (n > 0) {
        memcpy(h->buf, b, n);
        h->fill = (uint32_t)n;
    }
}

/* Pads and hashes the partial last leaf, then joins the finished subtrees
 * from the right. Needs at least one byte fed. */
static void fold(cairn_piece_hasher *h, cairn_hash *root)
{
    if (h->fill > 0) {
        memset(h->buf + h->fill, 0, CAIRN_LEAF_SIZE - h->fill);
        push_leaf(h, h->buf);
        h->fill = 0;
    }
    cairn_hash x = h->stack[--h->depth];
    while (h->depth > 0) {
        h->depth--;
        cairn_hash_pair(&x, NODE_TAG, &h->stack[h->depth], &x);
    }
    *root = x;
}

void cairn_piece_hasher_init(cairn_piece_hasher *h)
{
    h->size = 0;
    h->leaves = 0;
    h->fill = 0;
    h->depth = 0;
}

cairn_err cairn_piece_hasher_update(cairn_piece_hasher *h, const void *p,
                                    size_t n)
{
    if (n > CAIRN_PIECE_MAX - h->size)
        return CAIRN_ERR_TOO_LARGE;
    if (n > 0)
        feed(h, p, n);
    return CAIRN_OK;
}

cairn_err cairn_piece_hasher_final(cairn_piece_hasher *h, cairn_hash *root)
{
    if (h->size == 0)
        return CAIRN_ERR_BAD_ARG;
    fold(h, root);
    return CAIRN_OK;
}

static cairn_err size_ok(uint64_t size)
{
    if (size == 0)
        return CAIRN_ERR_BAD_ARG;
    if (size > CAIRN_PIECE_MAX)
        return CAIRN_ERR_TOO_LARGE;
    return CAIRN_OK;
}

cairn_err cairn_piece_root(cairn_hash *root, const uint8_t *piece, size_t size)
{
    cairn_piece_hasher h;
    cairn_err e = size_ok(size);
    if (e)
        return e;
    cairn_piece_hasher_init(&h);
    feed(&h, piece, size);
    fold(&h, root);
    return CAIRN_OK;
}

/* Copies leaf `i` of the piece into out, zero-padded. */
static void padded_leaf(uint8_t out[CAIRN_LEAF_SIZE], const uint8_t *piece,
                        size_t size, uint64_t i)
{
    size_t at = (size_t)i * CAIRN_LEAF_SIZE, n = size - at;
    if (n > CAIRN_LEAF_SIZE)
        n = CAIRN_LEAF_SIZE;
    memcpy(out, piece + at, n);
    memset(out + n, 0, CAIRN_LEAF_SIZE - n);
}

cairn_err cairn_piece_leaf_hashes(cairn_hash *out, const uint8_t *piece,
                                  size_t size)
{
    uint8_t leaf[CAIRN_LEAF_SIZE];
    cairn_err e = size_ok(size);
    if (e)
        return e;
    uint64_t n = cairn_piece_leaves(size);
    for (uint64_t i = 0; i + 1 < n; i++)
        cairn_merkle_leaf(&out[i], piece + i * CAIRN_LEAF_SIZE,
                          CAIRN_LEAF_SIZE);
    padded_leaf(leaf, piece, size, n - 1);
    cairn_merkle_leaf(&out[n - 1], leaf, CAIRN_LEAF_SIZE);
    return CAIRN_OK;
}

/* The piece a proof is made from. */
typedef struct piece_ref {
    const uint8_t *p;
    size_t size;
} piece_ref;

/* The root of the subtree over leaves [first, first + count) of the piece,
 * which is the Merkle root of those leaves alone (RFC 6962 §2.1), hashed
 * straight from the piece's bytes. */
static void range_root(cairn_hash *out, uint64_t first, uint64_t count,
                       void *arg)
{
    const piece_ref *r = arg;
    cairn_piece_hasher h;
    size_t lo = (size_t)first * CAIRN_LEAF_SIZE;
    size_t hi = (size_t)(first + count) * CAIRN_LEAF_SIZE;
    if (hi > r->size)
        hi = r->size;
    cairn_piece_hasher_init(&h);
    feed(&h, r->p + lo, hi - lo);
    fold(&h, out);
}

cairn_err cairn_piece_prove(uint8_t leaf[CAIRN_LEAF_SIZE],
                            cairn_merkle_proof *pf, const uint8_t *piece,
                            size_t size, uint64_t index)
{
    piece_ref r = {piece, size};
    cairn_err e = size_ok(size);
    if (e || (e = cairn_merkle_prove_ranges(pf, cairn_piece_leaves(size), index,
                                            range_root, &r)))
        return e;
    padded_leaf(leaf, piece, size, index);
    return CAIRN_OK;
}

cairn_err cairn_piece_verify(const cairn_hash *root, uint64_t size,
                             uint64_t index,
                             const uint8_t leaf[CAIRN_LEAF_SIZE],
                             const cairn_merkle_proof *pf)
{
    cairn_hash lh;
    if (size_ok(size))
        return CAIRN_ERR_BAD_PROOF;
    uint64_t count = cairn_piece_leaves(size);
    if (pf->count != count || pf->index != index || index >= count)
        return CAIRN_ERR_BAD_PROOF;
    cairn_merkle_leaf(&lh, leaf, CAIRN_LEAF_SIZE);
    return cairn_merkle_verify(root, &lh, pf);
}

cairn_err cairn_piece_check(const cairn_hash *root, uint64_t size,
                            const uint8_t *bytes)
{
    cairn_hash r;
    if (size_ok(size) || cairn_piece_root(&r, bytes, (size_t)size))
        return CAIRN_ERR_BAD_PROOF;
    if (memcmp(r.b, root->b, CAIRN_HASH_LEN) != 0)
        return CAIRN_ERR_BAD_PROOF;
    return CAIRN_OK;
}
