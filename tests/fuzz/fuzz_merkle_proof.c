/* libFuzzer target for cairn_merkle_verify (core/merkle.c).
 *
 * Input, when the flags byte's top bit is clear: arbitrary proof bytes,
 *   root[32] leaf[32] flags[1] index[8] count[8] n[4] sib[0..64][32]
 * (little-endian integers; missing bytes read as zero). verify must answer
 * OK or BAD_PROOF and never crash, whatever index, count and n say.
 * When the top bit is set, the bytes after the flags are leaf data, 8 bytes
 * a leaf (up to 300 leaves): every leaf's honest proof must verify, and
 * must fail with one byte of a sibling changed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/merkle.h"

#define HDR (32 + 32 + 1)
#define MAX_LEAVES 300

/* Copies up to n bytes from *p (of *left) into dst, zero-filling the rest. */
static void take(void *dst, size_t n, const uint8_t **p, size_t *left)
{
    size_t k = *left < n ? *left : n;
    memset(dst, 0, n);
    memcpy(dst, *p, k);
    *p += k;
    *left -= k;
}

/* A little-endian integer of n bytes. */
static uint64_t le(const uint8_t *b, size_t n)
{
    uint64_t v = 0;
    for (size_t i = n; i > 0; i--)
        v = v << 8 | b[i - 1];
    return v;
}

/* Arbitrary proof bytes against an arbitrary root. */
static void raw_proof(const uint8_t *data, size_t size)
{
    static cairn_merkle_proof pf;
    cairn_hash root, leaf;
    uint8_t flags, b[20];
    take(&root, 32, &data, &size);
    take(&leaf, 32, &data, &size);
    take(&flags, 1, &data, &size);
    take(b, sizeof b, &data, &size);
    pf.index = le(b, 8);
    pf.count = le(b + 8, 8);
    pf.n = (uint32_t)le(b + 16, 4);
    take(pf.sib, sizeof pf.sib, &data, &size);
    cairn_err e = cairn_merkle_verify(&root, &leaf, &pf);
    if (e != CAIRN_OK && e != CAIRN_ERR_BAD_PROOF)
        abort();
}

/* Honest proofs over leaves made from the data verify; tampered fail. */
static void tree_proofs(const uint8_t *data, size_t size)
{
    static cairn_hash leaves[MAX_LEAVES];
    static cairn_merkle_proof pf;
    cairn_hash root;
    size_t n = size / 8 < MAX_LEAVES ? size / 8 : MAX_LEAVES;
    for (size_t i = 0; i < n; i++)
        cairn_merkle_leaf(&leaves[i], data + 8 * i, 8);
    cairn_merkle_root(&root, leaves, n);
    for (size_t i = 0; i < n; i++) {
        if (cairn_merkle_prove(&pf, leaves, n, i) != CAIRN_OK ||
            cairn_merkle_verify(&root, &leaves[i], &pf) != CAIRN_OK)
            abort();
        if (pf.n == 0)
            continue;
        pf.sib[i % pf.n].b[i % 32] ^= 1;
        if (cairn_merkle_verify(&root, &leaves[i], &pf) == CAIRN_OK)
            abort();
    }
}

/* Starts libsodium once. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    cairn_crypto_init();
    return 0;
}

/* One input: raw proof bytes, or leaves to build and prove. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 && (data[64] & 0x80))
        tree_proofs(data + HDR, size - HDR);
    else
        raw_proof(data, size);
    return 0;
}
