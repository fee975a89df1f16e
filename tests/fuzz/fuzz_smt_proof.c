/* libFuzzer target for cairn_smt_verify (ledger/smt.c).
 *
 * Input, when the flags byte's top bit is clear: arbitrary proof bytes,
 *   root[32] key[32] flags[1] vhash[32] depth[2, little-endian] end[1]
 *   leaf_key[32] leaf_vhash[32] sib[0..256][32]
 * (missing bytes read as zero); flags bit 0 passes vhash (a presence
 * claim), else NULL (an absence claim). verify must answer OK or BAD_PROOF
 * and never crash.
 * When the top bit is set, the bytes after the flags are 33-byte records
 * (key[32], op[1]): a small tree is built (op odd deletes the key), and
 * every record's key gets an honest proof that must verify for exactly the
 * truth (present with its value, or absent) and fail for the opposite. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/smt.h"

#define HDR (32 + 32 + 1)

/* Copies up to n bytes from *p (of *left) into dst, zero-filling the rest. */
static void take(void *dst, size_t n, const uint8_t **p, size_t *left)
{
    size_t k = *left < n ? *left : n;
    memset(dst, 0, n);
    memcpy(dst, *p, k);
    *p += k;
    *left -= k;
}

/* Arbitrary proof bytes against an arbitrary root. */
static void raw_proof(const uint8_t *data, size_t size)
{
    static cairn_smt_proof pf;
    cairn_hash root, key, vhash;
    uint8_t flags, d[2];
    take(&root, 32, &data, &size);
    take(&key, 32, &data, &size);
    take(&flags, 1, &data, &size);
    take(&vhash, 32, &data, &size);
    take(d, 2, &data, &size);
    pf.depth = (uint16_t)(d[0] | d[1] << 8);
    take(&pf.end, 1, &data, &size);
    take(&pf.leaf_key, 32, &data, &size);
    take(&pf.leaf_vhash, 32, &data, &size);
    take(pf.sib, sizeof pf.sib, &data, &size);
    cairn_err e =
        cairn_smt_verify(&root, &key, (flags & 1) ? &vhash : NULL, &pf);
    if (e != CAIRN_OK && e != CAIRN_ERR_BAD_PROOF)
        abort();
}

/* Checks an honest proof of key in t: it shows the truth only. */
static void check_key(cairn_smt *t, const cairn_hash *root,
                      const cairn_hash *key)
{
    static cairn_smt_proof pf;
    cairn_hash v, other = {{1}};
    int present = cairn_smt_get(t, key, &v);
    cairn_smt_prove(t, key, &pf);
    if (cairn_smt_verify(root, key, present ? &v : NULL, &pf) != CAIRN_OK)
        abort();
    if (cairn_smt_verify(root, key, present ? NULL : &other, &pf) == CAIRN_OK)
        abort();
}

/* Builds a tree from (key, op) records and checks every key's proof. */
static void tree_proofs(const uint8_t *data, size_t size)
{
    cairn_smt *t = cairn_smt_new();
    cairn_hash root;
    size_t n = size / 33;
    if (!t)
        return;
    for (size_t i = 0; i < n; i++) {
        cairn_hash key, v;
        memcpy(key.b, data + 33 * i, 32);
        memset(v.b, data[33 * i + 32], 32);
        if (cairn_smt_set(t, &key, (data[33 * i + 32] & 1) ? NULL : &v))
            abort();
    }
    cairn_smt_root(t, &root);
    for (size_t i = 0; i < n; i++) {
        cairn_hash key;
        memcpy(key.b, data + 33 * i, 32);
        check_key(t, &root, &key);
    }
    cairn_smt_free(t);
}

/* Starts libsodium once. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    cairn_crypto_init();
    return 0;
}

/* One input: raw proof bytes, or a tree to build and prove. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 && (data[64] & 0x80))
        tree_proofs(data + HDR, size - HDR);
    else
        raw_proof(data, size);
    return 0;
}
