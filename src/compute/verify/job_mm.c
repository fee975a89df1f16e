/* Verified jobs: the commitments of a matrix job (include/cairn/job.h,
 * docs/compute-verify.md "Jobs"). Vectors are hashed as their u64
 * little-endian bytes. */
#include "cairn/job.h"

#include <stdlib.h>
#include <string.h>

#define MM_DOMAIN "cairn-mm-in-v1"

static void put_le64(uint8_t *o, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        o[i] = (uint8_t)(v >> (8 * i));
}

/* Leaf of the vector v[0], v[stride], ... (len entries). */
static void strided_leaf(cairn_hash *out, const uint64_t *v, size_t len,
                         size_t stride)
{
    uint8_t one = 0x00, le[8];
    cairn_hasher h;
    /* cairn_merkle_leaf is BLAKE2b-256(0x00 ‖ bytes): built incrementally
     * so that a column needs no copy. */
    cairn_hasher_init(&h);
    cairn_hasher_update(&h, &one, 1);
    for (size_t i = 0; i < len; i++) {
        put_le64(le, v[i * stride]);
        cairn_hasher_update(&h, le, sizeof le);
    }
    cairn_hasher_final(&h, out);
}

void cairn_mm_vec_leaf(cairn_hash *out, const uint64_t *v, size_t len)
{
    strided_leaf(out, v, len, 1);
}

/* Root over `count` vectors of `len` entries: vector t starts at
 * v[t * step] and advances by stride. NOMEM. */
static cairn_err vec_root(cairn_hash *out, const uint64_t *v, size_t count,
                          size_t len, size_t step, size_t stride)
{
    cairn_hash *leaves = calloc(count ? count : 1, sizeof *leaves);
    if (!leaves)
        return CAIRN_ERR_NOMEM;
    for (size_t t = 0; t < count; t++)
        strided_leaf(&leaves[t], v + t * step, len, stride);
    cairn_merkle_root(out, leaves, count);
    free(leaves);
    return CAIRN_OK;
}

cairn_err cairn_mm_roots(cairn_hash *root_a, cairn_hash *root_b,
                         const uint64_t *a, const uint64_t *b, uint32_t n,
                         uint32_t k, uint32_t m)
{
    cairn_err e = vec_root(root_a, a, n, k, k, 1);
    if (!e)
        e = vec_root(root_b, b, m, k, 1, m);
    return e;
}

void cairn_mm_input_root(cairn_hash *out, uint32_t n, uint32_t k, uint32_t m,
                         const cairn_hash *root_a, const cairn_hash *root_b)
{
    uint8_t dims[12];
    uint32_t d[3] = {n, k, m};
    for (int i = 0; i < 12; i++)
        dims[i] = (uint8_t)(d[i / 4] >> (8 * (i % 4)));
    cairn_hasher h;
    cairn_hasher_init(&h);
    cairn_hasher_update(&h, MM_DOMAIN, sizeof MM_DOMAIN - 1);
    cairn_hasher_update(&h, dims, sizeof dims);
    cairn_hasher_update(&h, root_a->b, sizeof root_a->b);
    cairn_hasher_update(&h, root_b->b, sizeof root_b->b);
    cairn_hasher_final(&h, out);
}

cairn_err cairn_mm_output_root(cairn_hash *out, const uint64_t *c, uint32_t n,
                               uint32_t m)
{
    return vec_root(out, c, n, m, m, 1);
}
