/* Unit tests of ledger/smt.c: roots against a naive recursive compact sparse
 * Merkle tree written here, order independence, deletion, proofs of
 * presence and absence, long shared prefixes, random set/delete runs
 * checked against trees rebuilt from scratch, batches applied in key order,
 * and the same roots whatever the number of rehash threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/smt.h"

typedef struct pair {
    cairn_hash key;
    cairn_hash vhash;
} pair;

static uint64_t rng_state;

/* splitmix64: a small deterministic generator. */
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A random 32-byte hash. */
static void rnd_hash(cairn_hash *h)
{
    for (int i = 0; i < 32; i += 8) {
        uint64_t v = rnd();
        memcpy(h->b + i, &v, 8);
    }
}

/* Bit d of k, most significant bit of byte 0 first. */
static int bit_of(const cairn_hash *k, unsigned d)
{
    return (k->b[d / 8] >> (7 - d % 8)) & 1;
}

/* Flips bit d of k. */
static void flip_bit(cairn_hash *k, unsigned d)
{
    k->b[d / 8] ^= (uint8_t)(0x80 >> (d % 8));
}

/* H(tag ‖ a ‖ b), built byte by byte rather than with cairn_hash_pair. */
static void naive_hash(cairn_hash *out, uint8_t tag, const cairn_hash *a,
                       const cairn_hash *b)
{
    uint8_t buf[65];
    buf[0] = tag;
    memcpy(buf + 1, a->b, 32);
    memcpy(buf + 33, b->b, 32);
    cairn_hash_bytes(out, buf, sizeof buf);
}

/* The header's definition, literally: the subtree at `depth` holding the n
 * pairs p (reordered in place): empty = zero, one pair = its leaf hash,
 * else the inner hash of the two halves split on bit `depth`. */
static void naive_sub(cairn_hash *out, pair *p, size_t n, unsigned depth)
{
    cairn_hash l, r;
    if (n == 0) {
        memset(out, 0, sizeof *out);
        return;
    }
    if (n == 1) {
        naive_hash(out, 0x00, &p[0].key, &p[0].vhash);
        return;
    }
    size_t k = 0; /* move the pairs with bit `depth` = 0 to the front */
    for (size_t i = 0; i < n; i++) {
        if (!bit_of(&p[i].key, depth)) {
            pair t = p[k];
            p[k++] = p[i];
            p[i] = t;
        }
    }
    naive_sub(&l, p, k, depth + 1);
    naive_sub(&r, p + k, n - k, depth + 1);
    naive_hash(out, 0x01, &l, &r);
}

/* The naive root of the set of the n pairs p (left as they are). */
static void naive_root(cairn_hash *out, const pair *p, size_t n)
{
    pair *q = malloc((n ? n : 1) * sizeof *q);
    assert_non_null(q);
    memcpy(q, p, n * sizeof *q);
    naive_sub(out, q, n, 0);
    free(q);
}

/* Root of the tree after inserting all of p in the order given by idx. */
static void tree_root_in_order(cairn_hash *out, const pair *p, size_t n,
                               const size_t *idx, unsigned root_every)
{
    cairn_smt *t = cairn_smt_new();
    cairn_hash scratch;
    assert_non_null(t);
    for (size_t i = 0; i < n; i++) {
        const pair *q = &p[idx ? idx[i] : i];
        assert_int_equal(cairn_smt_set(t, &q->key, &q->vhash), CAIRN_OK);
        if (root_every && i % root_every == 0)
            cairn_smt_root(t, &scratch);
    }
    assert_true(cairn_smt_count(t) == n);
    cairn_smt_root(t, out);
    cairn_smt_free(t);
}

/* Fills p with n random pairs. */
static void rnd_pairs(pair *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        rnd_hash(&p[i].key);
        rnd_hash(&p[i].vhash);
    }
}

static void empty_root_is_zero(void **st)
{
    static const cairn_hash zero;
    cairn_hash r, k, v;
    cairn_smt_proof pf;
    cairn_smt *t = cairn_smt_new();
    assert_non_null(t);
    cairn_smt_root(t, &r);
    assert_memory_equal(r.b, zero.b, 32);
    assert_true(cairn_smt_count(t) == 0);
    rnd_hash(&k);
    assert_int_equal(cairn_smt_get(t, &k, &v), 0);
    assert_int_equal(cairn_smt_set(t, &k, NULL), CAIRN_OK);
    assert_true(cairn_smt_count(t) == 0);
    cairn_smt_prove(t, &k, &pf);
    assert_int_equal(pf.depth, 0);
    assert_int_equal(pf.end, 0);
    assert_int_equal(cairn_smt_verify(&r, &k, NULL, &pf), CAIRN_OK);
    assert_int_equal(cairn_smt_verify(&r, &k, &v, &pf), CAIRN_ERR_BAD_PROOF);
    cairn_smt_free(t);
}

static void one_key_root_is_leaf_hash(void **st)
{
    cairn_hash r, want, k, v, got, other;
    cairn_smt_proof pf;
    cairn_smt *t = cairn_smt_new();
    rnd_hash(&k);
    rnd_hash(&v);
    assert_int_equal(cairn_smt_set(t, &k, &v), CAIRN_OK);
    cairn_smt_root(t, &r);
    naive_hash(&want, 0x00, &k, &v);
    assert_memory_equal(r.b, want.b, 32);
    assert_int_equal(cairn_smt_get(t, &k, &got), 1);
    assert_memory_equal(got.b, v.b, 32);
    assert_true(cairn_smt_count(t) == 1);
    cairn_smt_prove(t, &k, &pf);
    assert_int_equal(pf.depth, 0);
    assert_int_equal(cairn_smt_verify(&r, &k, &v, &pf), CAIRN_OK);
    other = k;
    flip_bit(&other, 0); /* absent: the path ends in k's leaf at depth 0 */
    cairn_smt_prove(t, &other, &pf);
    assert_int_equal(pf.end, 1);
    assert_int_equal(cairn_smt_verify(&r, &other, NULL, &pf), CAIRN_OK);
    cairn_smt_free(t);
}

static void order_independent(void **st)
{
    enum { N = 2000 };
    static pair p[N];
    static size_t rev[N], shuf[N];
    cairn_hash a, b, c, want;
    rng_state = 1;
    rnd_pairs(p, N);
    for (size_t i = 0; i < N; i++)
        rev[i] = N - 1 - i, shuf[i] = i;
    for (size_t i = N - 1; i > 0; i--) {
        size_t j = rnd() % (i + 1), x = shuf[i];
        shuf[i] = shuf[j], shuf[j] = x;
    }
    tree_root_in_order(&a, p, N, NULL, 0);
    tree_root_in_order(&b, p, N, rev, 7);
    tree_root_in_order(&c, p, N, shuf, 37);
    assert_memory_equal(a.b, b.b, 32);
    assert_memory_equal(a.b, c.b, 32);
    naive_root(&want, p, N);
    assert_memory_equal(a.b, want.b, 32);
}

static void delete_restores_root(void **st)
{
    enum { NA = 700, NB = 300 };
    static pair a[NA], b[NB];
    static const cairn_hash zero;
    cairn_hash r1, r2, r;
    cairn_smt *t = cairn_smt_new();
    rng_state = 2;
    rnd_pairs(a, NA);
    rnd_pairs(b, NB);
    for (size_t i = 0; i < NA; i++)
        assert_int_equal(cairn_smt_set(t, &a[i].key, &a[i].vhash), CAIRN_OK);
    cairn_smt_root(t, &r1);
    for (size_t i = 0; i < NB; i++)
        assert_int_equal(cairn_smt_set(t, &b[i].key, &b[i].vhash), CAIRN_OK);
    cairn_smt_root(t, &r2);
    assert_memory_not_equal(r1.b, r2.b, 32);
    for (size_t i = 0; i < NB; i++)
        assert_int_equal(cairn_smt_set(t, &b[i].key, NULL), CAIRN_OK);
    assert_int_equal(cairn_smt_set(t, &b[0].key, NULL), CAIRN_OK); /* absent */
    cairn_smt_root(t, &r);
    assert_memory_equal(r.b, r1.b, 32);
    assert_true(cairn_smt_count(t) == NA);
    for (size_t i = NA; i > 0; i--)
        assert_int_equal(cairn_smt_set(t, &a[i - 1].key, NULL), CAIRN_OK);
    cairn_smt_root(t, &r);
    assert_memory_equal(r.b, zero.b, 32);
    assert_true(cairn_smt_count(t) == 0);
    for (size_t i = 0; i < NA; i++) /* slots are reused */
        assert_int_equal(cairn_smt_set(t, &a[i].key, &a[i].vhash), CAIRN_OK);
    cairn_smt_root(t, &r);
    assert_memory_equal(r.b, r1.b, 32);
    cairn_smt_free(t);
}

static void update_changes_root(void **st)
{
    enum { N = 100 };
    static pair p[N];
    cairn_hash r1, r2, r, v2, got;
    cairn_smt *t = cairn_smt_new();
    rng_state = 3;
    rnd_pairs(p, N);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(cairn_smt_set(t, &p[i].key, &p[i].vhash), CAIRN_OK);
    cairn_smt_root(t, &r1);
    v2 = p[42].vhash;
    v2.b[5] ^= 1;
    assert_int_equal(cairn_smt_set(t, &p[42].key, &v2), CAIRN_OK);
    cairn_smt_root(t, &r2);
    assert_memory_not_equal(r1.b, r2.b, 32);
    assert_true(cairn_smt_count(t) == N);
    assert_int_equal(cairn_smt_get(t, &p[42].key, &got), 1);
    assert_memory_equal(got.b, v2.b, 32);
    p[42].vhash = v2;
    naive_root(&r, p, N);
    assert_memory_equal(r.b, r2.b, 32);
    v2.b[5] ^= 1; /* back to the old value: back to the old root */
    assert_int_equal(cairn_smt_set(t, &p[42].key, &v2), CAIRN_OK);
    assert_int_equal(cairn_smt_set(t, &p[42].key, &v2), CAIRN_OK);
    cairn_smt_root(t, &r);
    assert_memory_equal(r.b, r1.b, 32);
    cairn_smt_free(t);
}

/* Flips one bit of sibling s of pf and checks the proof then fails. */
static void assert_tamper_fails(const cairn_hash *root, const cairn_hash *key,
                                const cairn_hash *vhash,
                                const cairn_smt_proof *pf, unsigned s)
{
    static cairn_smt_proof bad;
    bad = *pf;
    bad.sib[s].b[s % 32] ^= (uint8_t)(1u << (s % 8));
    assert_int_equal(cairn_smt_verify(root, key, vhash, &bad),
                     CAIRN_ERR_BAD_PROOF);
}

static void inclusion_proofs(void **st)
{
    enum { N = 5000 };
    static pair p[N];
    static cairn_smt_proof pf;
    cairn_hash root, wrong;
    cairn_smt *t = cairn_smt_new();
    rng_state = 4;
    rnd_pairs(p, N);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(cairn_smt_set(t, &p[i].key, &p[i].vhash), CAIRN_OK);
    cairn_smt_root(t, &root);
    for (size_t i = 0; i < N; i++) {
        cairn_smt_prove(t, &p[i].key, &pf);
        assert_int_equal(pf.end, 1);
        assert_memory_equal(pf.leaf_key.b, p[i].key.b, 32);
        assert_true(pf.depth >= 8 && pf.depth <= 64);
        assert_int_equal(cairn_smt_verify(&root, &p[i].key, &p[i].vhash, &pf),
                         CAIRN_OK);
        wrong = p[i].vhash;
        wrong.b[i % 32] ^= 4;
        assert_int_equal(cairn_smt_verify(&root, &p[i].key, &wrong, &pf),
                         CAIRN_ERR_BAD_PROOF);
        assert_int_equal(cairn_smt_verify(&root, &p[i].key, NULL, &pf),
                         CAIRN_ERR_BAD_PROOF);
        assert_tamper_fails(&root, &p[i].key, &p[i].vhash, &pf,
                            (unsigned)(i % pf.depth));
        assert_tamper_fails(&root, &p[i].key, &p[i].vhash, &pf, pf.depth - 1u);
    }
    cairn_smt_free(t);
}

static void absence_proofs(void **st)
{
    enum { N = 5000, Q = 3000 };
    static pair p[N];
    static cairn_smt_proof pf;
    cairn_hash root, k, v;
    unsigned ends[2] = {0, 0};
    cairn_smt *t = cairn_smt_new();
    rng_state = 5;
    rnd_pairs(p, N);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(cairn_smt_set(t, &p[i].key, &p[i].vhash), CAIRN_OK);
    cairn_smt_root(t, &root);
    for (size_t i = 0; i < Q; i++) {
        rnd_hash(&k);
        rnd_hash(&v);
        assert_int_equal(cairn_smt_get(t, &k, NULL), 0);
        cairn_smt_prove(t, &k, &pf);
        ends[pf.end]++;
        assert_int_equal(cairn_smt_verify(&root, &k, NULL, &pf), CAIRN_OK);
        assert_int_equal(cairn_smt_verify(&root, &k, &v, &pf),
                         CAIRN_ERR_BAD_PROOF);
        if (pf.end)
            assert_int_equal(cairn_smt_verify(&root, &k, &pf.leaf_vhash, &pf),
                             CAIRN_ERR_BAD_PROOF);
        assert_tamper_fails(&root, &k, NULL, &pf, (unsigned)(i % pf.depth));
    }
    assert_true(ends[0] > 100 && ends[1] > 100); /* both kinds were seen */
    for (size_t i = 0; i < N; i += 7) { /* present keys have no absence */
        cairn_smt_prove(t, &p[i].key, &pf);
        assert_int_equal(cairn_smt_verify(&root, &p[i].key, NULL, &pf),
                         CAIRN_ERR_BAD_PROOF);
        pf.end = 0;
        assert_int_equal(cairn_smt_verify(&root, &p[i].key, NULL, &pf),
                         CAIRN_ERR_BAD_PROOF);
    }
    cairn_smt_free(t);
}

/* Proves key in t, checks the proof's end and depth, and verifies it. */
static void check_proof(cairn_smt *t, const cairn_hash *key,
                        const cairn_hash *vhash, int end, unsigned depth)
{
    static cairn_smt_proof pf;
    cairn_hash root;
    cairn_smt_root(t, &root);
    cairn_smt_prove(t, key, &pf);
    assert_int_equal(pf.end, end);
    assert_int_equal(pf.depth, depth);
    assert_int_equal(cairn_smt_verify(&root, key, vhash, &pf), CAIRN_OK);
}

static void long_shared_prefix(void **st)
{
    pair p[3];
    cairn_hash root, want, k3, k4;
    cairn_smt *t = cairn_smt_new();
    rng_state = 6;
    rnd_pairs(p, 3);
    p[1].key = p[0].key; /* equal in bits 0..199, differ at bit 200 */
    flip_bit(&p[1].key, 200);
    flip_bit(&p[1].key, 230);
    p[2].key = p[0].key; /* differs from p[0] in the last bit only */
    flip_bit(&p[2].key, 255);
    for (int i = 0; i < 2; i++)
        assert_int_equal(cairn_smt_set(t, &p[i].key, &p[i].vhash), CAIRN_OK);
    cairn_smt_root(t, &root);
    naive_root(&want, p, 2);
    assert_memory_equal(root.b, want.b, 32);
    check_proof(t, &p[0].key, &p[0].vhash, 1, 201);
    check_proof(t, &p[1].key, &p[1].vhash, 1, 201);
    k3 = p[0].key; /* leaves the shared prefix at bit 150: ends empty */
    flip_bit(&k3, 150);
    check_proof(t, &k3, NULL, 0, 151);
    k3 = p[0].key; /* leaves it at bit 0 */
    flip_bit(&k3, 0);
    check_proof(t, &k3, NULL, 0, 1);
    k4 = p[0].key; /* follows p[0] past bit 200, then differs */
    flip_bit(&k4, 210);
    check_proof(t, &k4, NULL, 1, 201);
    assert_int_equal(cairn_smt_set(t, &p[2].key, &p[2].vhash), CAIRN_OK);
    naive_root(&want, p, 3);
    cairn_smt_root(t, &root);
    assert_memory_equal(root.b, want.b, 32);
    check_proof(t, &p[2].key, &p[2].vhash, 1, 256);
    check_proof(t, &p[0].key, &p[0].vhash, 1, 256);
    check_proof(t, &p[1].key, &p[1].vhash, 1, 201);
    check_proof(t, &k4, NULL, 0, 211);
    assert_int_equal(cairn_smt_set(t, &p[1].key, NULL), CAIRN_OK);
    assert_int_equal(cairn_smt_set(t, &p[2].key, NULL), CAIRN_OK);
    cairn_smt_root(t, &root); /* collapsed back to one leaf */
    naive_hash(&want, 0x00, &p[0].key, &p[0].vhash);
    assert_memory_equal(root.b, want.b, 32);
    check_proof(t, &p[0].key, &p[0].vhash, 1, 0);
    cairn_smt_free(t);
}

/* Structural checks of verify that need no tree: bounds, end kinds, and a
 * leaf that cannot lie on the asked key's path. */
static void malformed_proofs(void **st)
{
    static cairn_smt_proof pf, good;
    cairn_hash root, k, v, lh;
    cairn_smt *t = cairn_smt_new();
    rng_state = 7;
    for (int i = 0; i < 50; i++) {
        rnd_hash(&k);
        rnd_hash(&v);
        assert_int_equal(cairn_smt_set(t, &k, &v), CAIRN_OK);
    }
    cairn_smt_root(t, &root);
    cairn_smt_prove(t, &k, &good);
    assert_int_equal(cairn_smt_verify(&root, &k, &v, &good), CAIRN_OK);
    pf = good, pf.depth = 257;
    assert_int_equal(cairn_smt_verify(&root, &k, &v, &pf), CAIRN_ERR_BAD_PROOF);
    pf = good, pf.depth = UINT16_MAX;
    assert_int_equal(cairn_smt_verify(&root, &k, &v, &pf), CAIRN_ERR_BAD_PROOF);
    pf = good, pf.end = 2;
    assert_int_equal(cairn_smt_verify(&root, &k, &v, &pf), CAIRN_ERR_BAD_PROOF);
    pf = good, pf.depth = good.depth + 1u;
    assert_int_equal(cairn_smt_verify(&root, &k, &v, &pf), CAIRN_ERR_BAD_PROOF);
    pf = good, pf.depth = good.depth - 1u;
    assert_int_equal(cairn_smt_verify(&root, &k, &v, &pf), CAIRN_ERR_BAD_PROOF);
    cairn_smt_free(t);
    /* A self-consistent "absence" whose leaf is off the key's path: the root
     * matches, so only the prefix rule refuses it. */
    memset(&pf, 0, sizeof pf);
    k.b[0] = 0x00; /* key goes left at depth 0 */
    pf.leaf_key = k;
    pf.leaf_key.b[0] = 0x80; /* the leaf's key goes right */
    pf.end = 1;
    pf.depth = 1;
    rnd_hash(&pf.sib[0]);
    naive_hash(&lh, 0x00, &pf.leaf_key, &pf.leaf_vhash);
    naive_hash(&root, 0x01, &lh, &pf.sib[0]);
    assert_int_equal(cairn_smt_verify(&root, &k, NULL, &pf),
                     CAIRN_ERR_BAD_PROOF);
    pf.leaf_key.b[0] = 0x01; /* now on the path at depth 1: accepted */
    naive_hash(&lh, 0x00, &pf.leaf_key, &pf.leaf_vhash);
    naive_hash(&root, 0x01, &lh, &pf.sib[0]);
    assert_int_equal(cairn_smt_verify(&root, &k, NULL, &pf), CAIRN_OK);
}

enum { POOL = 400, OPS = 20000 };

/* Whether k equals one of keys[0..n-1]. */
static int seen(const cairn_hash *keys, size_t n, const cairn_hash *k)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(keys[i].b, k->b, 32) == 0)
            return 1;
    return 0;
}

/* Distinct keys for the random run: random, or sharing exactly the first d
 * bits (d random, up to 255) with an earlier key, so that deep chains are
 * built and collapsed. */
static void fuzz_keys(cairn_hash *keys)
{
    for (size_t i = 0; i < POOL; i++) {
        do {
            rnd_hash(&keys[i]);
            if (i >= 10 && rnd() % 3 == 0) {
                unsigned d = (unsigned)(rnd() % 256);
                cairn_hash k = keys[rnd() % i];
                for (unsigned b = d + 1; b < 256; b++)
                    if (bit_of(&k, b) != bit_of(&keys[i], b))
                        flip_bit(&k, b);
                flip_bit(&k, d);
                keys[i] = k;
            }
        } while (seen(keys, i, &keys[i]));
    }
}

/* The tree must match a fresh tree of the surviving pairs and the naive
 * root over them; a random key's proof must verify. */
static void check_against_fresh(cairn_smt *t, const cairn_hash *keys,
                                const cairn_hash *vals, const int *live)
{
    static pair p[POOL];
    static cairn_smt_proof pf;
    cairn_hash r, want;
    size_t n = 0;
    cairn_smt *fresh = cairn_smt_new();
    for (size_t i = 0; i < POOL; i++) {
        if (!live[i])
            continue;
        p[n].key = keys[i], p[n].vhash = vals[i], n++;
        assert_int_equal(cairn_smt_set(fresh, &keys[i], &vals[i]), CAIRN_OK);
    }
    cairn_smt_root(t, &r);
    cairn_smt_root(fresh, &want);
    assert_memory_equal(r.b, want.b, 32);
    naive_root(&want, p, n);
    assert_memory_equal(r.b, want.b, 32);
    assert_true(cairn_smt_count(t) == n);
    size_t q = rnd() % POOL;
    cairn_smt_prove(t, &keys[q], &pf);
    assert_int_equal(
        cairn_smt_verify(&r, &keys[q], live[q] ? &vals[q] : NULL, &pf),
        CAIRN_OK);
    cairn_smt_free(fresh);
}

/* One random op on key i: set a new value (2/3) or delete (1/3). */
static void random_op(cairn_smt *t, const cairn_hash *keys, cairn_hash *vals,
                      int *live, size_t i)
{
    cairn_hash got;
    if (rnd() % 3 == 0) {
        assert_int_equal(cairn_smt_set(t, &keys[i], NULL), CAIRN_OK);
        live[i] = 0;
    } else {
        rnd_hash(&vals[i]);
        assert_int_equal(cairn_smt_set(t, &keys[i], &vals[i]), CAIRN_OK);
        live[i] = 1;
    }
    assert_int_equal(cairn_smt_get(t, &keys[i], &got), live[i]);
    if (live[i])
        assert_memory_equal(got.b, vals[i].b, 32);
}

static void random_ops_match_fresh_tree(void **st)
{
    static cairn_hash keys[POOL], vals[POOL];
    static int live[POOL];
    cairn_hash scratch;
    cairn_smt *t = cairn_smt_new();
    rng_state = 8;
    fuzz_keys(keys);
    memset(live, 0, sizeof live);
    for (size_t op = 0; op < OPS; op++) {
        random_op(t, keys, vals, live, (size_t)(rnd() % POOL));
        if (rnd() % 16 == 0)
            cairn_smt_root(t, &scratch); /* leave some paths clean */
        if (op % 500 == 499)
            check_against_fresh(t, keys, vals, live);
    }
    check_against_fresh(t, keys, vals, live);
    cairn_smt_free(t);
}

/* ---- batches and the parallel rehash ---- */

enum { BKEYS = 3000, BOPS = 5000 };

/* Distinct keys for batch runs, a third of them sharing a random number of
 * leading bits with an earlier key (so some share the 32-bit prefix the
 * batch sort orders by, and deep chains are lifted). */
static void batch_keys(cairn_hash *keys, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        do {
            rnd_hash(&keys[i]);
            if (i >= 10 && rnd() % 3 == 0) {
                unsigned d = (unsigned)(rnd() % 256);
                cairn_hash k = keys[rnd() % i];
                for (unsigned b = d + 1; b < 256; b++)
                    if (rnd() % 2)
                        flip_bit(&k, b);
                flip_bit(&k, d);
                keys[i] = k;
            }
        } while (seen(keys, i, &keys[i]));
    }
}

/* n random changes over keys: a new random value (3/5) or a deletion
 * (2/5), keys repeating; live/vals follow them in order. */
static void batch_changes(cairn_smt_change *c, size_t n, const cairn_hash *keys,
                          cairn_hash *vals, int *live)
{
    for (size_t i = 0; i < n; i++) {
        size_t k = (size_t)(rnd() % BKEYS);
        c[i].key = keys[k];
        c[i].deleted = rnd() % 5 < 2;
        if (c[i].deleted) {
            memset(&c[i].vhash, 0, sizeof c[i].vhash);
            live[k] = 0;
        } else {
            rnd_hash(&c[i].vhash);
            vals[k] = c[i].vhash;
            live[k] = 1;
        }
    }
}

/* The naive root of the live pairs. */
static void live_root(cairn_hash *out, const cairn_hash *keys,
                      const cairn_hash *vals, const int *live)
{
    static pair p[BKEYS];
    size_t n = 0;
    for (size_t i = 0; i < BKEYS; i++)
        if (live[i])
            p[n].key = keys[i], p[n].vhash = vals[i], n++;
    naive_root(out, p, n);
}

/* cairn_smt_apply (sorted walk for big batches, given order for small
 * ones) ends where cairn_smt_set one change at a time ends. */
static void batch_apply_matches_sets(void **st)
{
    static cairn_hash keys[BKEYS], vals[BKEYS];
    static int live[BKEYS];
    static cairn_smt_change c[BOPS];
    const size_t sizes[] = {BOPS, 3, 255, 256, BOPS, 1000};
    cairn_hash ra, rb, want, got;
    cairn_smt *a = cairn_smt_new(), *b = cairn_smt_new();
    assert_non_null(a);
    assert_non_null(b);
    rng_state = 11;
    batch_keys(keys, BKEYS);
    memset(live, 0, sizeof live);
    for (size_t r = 0; r < sizeof sizes / sizeof sizes[0]; r++) {
        batch_changes(c, sizes[r], keys, vals, live);
        assert_int_equal(cairn_smt_apply(a, c, sizes[r]), CAIRN_OK);
        for (size_t i = 0; i < sizes[r]; i++)
            assert_int_equal(
                cairn_smt_set(b, &c[i].key, c[i].deleted ? NULL : &c[i].vhash),
                CAIRN_OK);
        cairn_smt_root(a, &ra);
        cairn_smt_root(b, &rb);
        assert_memory_equal(ra.b, rb.b, 32);
        live_root(&want, keys, vals, live);
        assert_memory_equal(ra.b, want.b, 32);
        assert_true(cairn_smt_count(a) == cairn_smt_count(b));
        for (size_t k = 0; k < BKEYS; k += 7) {
            assert_int_equal(cairn_smt_get(a, &keys[k], &got), live[k]);
            if (live[k])
                assert_memory_equal(got.b, vals[k].b, 32);
        }
    }
    cairn_smt_free(a);
    cairn_smt_free(b);
}

/* Trees rehashed on 1, 2, 3 and 16 threads give the same root bytes, the
 * naive root, and proofs that check, over rounds of inserts, updates and
 * deletions big enough for the parallel rehash. */
static void parallel_root_matches_sequential(void **st)
{
    static cairn_hash keys[BKEYS], vals[BKEYS];
    static int live[BKEYS];
    static cairn_smt_change c[BOPS];
    static cairn_smt_proof pf;
    const unsigned threads[] = {1, 2, 3, 16};
    cairn_smt *t[4];
    cairn_hash r[4], want;
    rng_state = 12;
    batch_keys(keys, BKEYS);
    memset(live, 0, sizeof live);
    for (int i = 0; i < 4; i++) {
        assert_non_null(t[i] = cairn_smt_new());
        cairn_smt_set_threads(t[i], threads[i]);
    }
    for (int round = 0; round < 4; round++) {
        batch_changes(c, BOPS, keys, vals, live);
        for (int i = 0; i < 4; i++) {
            if (i % 2) { /* half the trees take the changes one by one */
                for (size_t j = 0; j < BOPS; j++)
                    assert_int_equal(
                        cairn_smt_set(t[i], &c[j].key,
                                      c[j].deleted ? NULL : &c[j].vhash),
                        CAIRN_OK);
            } else {
                assert_int_equal(cairn_smt_apply(t[i], c, BOPS), CAIRN_OK);
            }
            cairn_smt_root(t[i], &r[i]);
            assert_memory_equal(r[i].b, r[0].b, 32);
        }
        live_root(&want, keys, vals, live);
        assert_memory_equal(r[0].b, want.b, 32);
        for (size_t k = round; k < BKEYS; k += 97) {
            cairn_smt_prove(t[3], &keys[k], &pf);
            assert_int_equal(cairn_smt_verify(&r[3], &keys[k],
                                              live[k] ? &vals[k] : NULL, &pf),
                             CAIRN_OK);
        }
    }
    for (int i = 0; i < 4; i++)
        cairn_smt_free(t[i]);
}

int main(void)
{
    cairn_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_root_is_zero),
        cmocka_unit_test(one_key_root_is_leaf_hash),
        cmocka_unit_test(order_independent),
        cmocka_unit_test(delete_restores_root),
        cmocka_unit_test(update_changes_root),
        cmocka_unit_test(inclusion_proofs),
        cmocka_unit_test(absence_proofs),
        cmocka_unit_test(long_shared_prefix),
        cmocka_unit_test(malformed_proofs),
        cmocka_unit_test(random_ops_match_fresh_tree),
        cmocka_unit_test(batch_apply_matches_sets),
        cmocka_unit_test(parallel_root_matches_sequential),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
