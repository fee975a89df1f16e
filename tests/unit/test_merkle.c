/* Unit tests of core/merkle.c: roots against a naive recursive RFC 6962
 * implementation written here, inclusion proofs, malformed proofs, and the
 * fixed vectors in tests/vectors/merkle.txt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/merkle.h"

#define MAXN 1100

static cairn_hash leaves[MAXN];

/* H(0x01 ‖ l ‖ r), built byte by byte rather than with cairn_hash_pair. */
static void naive_node(cairn_hash *out, const cairn_hash *l,
                       const cairn_hash *r)
{
    uint8_t buf[65];
    buf[0] = 1;
    memcpy(buf + 1, l->b, 32);
    memcpy(buf + 33, r->b, 32);
    cairn_hash_bytes(out, buf, sizeof buf);
}

/* Largest power of two strictly below n (n >= 2), by counting up. */
static size_t naive_split(size_t n)
{
    size_t k = 1;
    while (k * 2 < n)
        k *= 2;
    return k;
}

/* RFC 6962 §2.1 MTH, literally. */
static void naive_root(cairn_hash *out, const cairn_hash *d, size_t n)
{
    cairn_hash l, r;
    if (n == 0) {
        memset(out, 0, sizeof *out);
        return;
    }
    if (n == 1) {
        *out = d[0];
        return;
    }
    size_t k = naive_split(n);
    naive_root(&l, d, k);
    naive_root(&r, d + k, n - k);
    naive_node(out, &l, &r);
}

/* RFC 6962 §2.1.1 PATH, literally: appends the siblings bottom-up. */
static void naive_path(cairn_hash *sib, uint32_t *nsib, size_t m,
                       const cairn_hash *d, size_t n)
{
    if (n <= 1)
        return;
    size_t k = naive_split(n);
    if (m < k) {
        naive_path(sib, nsib, m, d, k);
        naive_root(&sib[(*nsib)++], d + k, n - k);
    } else {
        naive_path(sib, nsib, m - k, d + k, n - k);
        naive_root(&sib[(*nsib)++], d, k);
    }
}

/* The directions (1 = right child) from leaf m up to the root of a tree of
 * n leaves, as bits of the result, the root's child highest and the leaf's
 * own direction in bit 0; *len gets the path length. */
static uint64_t naive_shape(size_t m, size_t n, unsigned *len)
{
    uint64_t dirs = 0;
    *len = 0;
    while (n > 1) {
        size_t k = naive_split(n);
        dirs = dirs << 1 | (m >= k);
        if (m < k) {
            n = k;
        } else {
            m -= k;
            n -= k;
        }
        (*len)++;
    }
    return dirs;
}

/* Leaf i is the leaf hash of the one-byte string {i mod 256} and of i. */
static void fill_leaves(void)
{
    for (size_t i = 0; i < MAXN; i++) {
        uint8_t b[3] = {(uint8_t)i, (uint8_t)(i >> 8), 0x5a};
        cairn_merkle_leaf(&leaves[i], b, i < 256 ? 1 : 3);
    }
}

static void leaf_hash_is_tagged(void **st)
{
    cairn_hash a, b;
    uint8_t buf[4] = {0, 'a', 'b', 'c'};
    cairn_merkle_leaf(&a, "abc", 3);
    cairn_hash_bytes(&b, buf, 4);
    assert_memory_equal(a.b, b.b, 32);
    cairn_merkle_leaf(&a, NULL, 0);
    cairn_hash_bytes(&b, buf, 1);
    assert_memory_equal(a.b, b.b, 32);
}

static void roots_match_naive(void **st)
{
    static const size_t big[] = {31, 32, 33, 100, 255, 256, 257, 1000, 1025};
    cairn_hash a, b;
    fill_leaves();
    for (size_t n = 0; n <= 17; n++) {
        cairn_merkle_root(&a, leaves, n);
        naive_root(&b, leaves, n);
        assert_memory_equal(a.b, b.b, 32);
    }
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        cairn_merkle_root(&a, leaves, big[i]);
        naive_root(&b, leaves, big[i]);
        assert_memory_equal(a.b, b.b, 32);
    }
    cairn_merkle_root(&a, leaves, 0);
    memset(b.b, 0, 32);
    assert_memory_equal(a.b, b.b, 32);
    cairn_merkle_root(&a, leaves, 1);
    assert_memory_equal(a.b, leaves[0].b, 32);
}

static void proofs_verify_everywhere(void **st)
{
    cairn_merkle_proof pf;
    cairn_hash root, sib[CAIRN_MERKLE_MAX_DEPTH];
    fill_leaves();
    for (size_t n = 1; n <= 33; n++) {
        cairn_merkle_root(&root, leaves, n);
        for (size_t i = 0; i < n; i++) {
            uint32_t ns = 0;
            assert_int_equal(cairn_merkle_prove(&pf, leaves, n, i), CAIRN_OK);
            naive_path(sib, &ns, i, leaves, n);
            assert_int_equal(pf.n, ns);
            assert_true(pf.index == i && pf.count == n);
            if (ns)
                assert_memory_equal(pf.sib, sib, ns * sizeof sib[0]);
            assert_int_equal(cairn_merkle_verify(&root, &leaves[i], &pf),
                             CAIRN_OK);
        }
    }
    assert_int_equal(cairn_merkle_prove(&pf, leaves, 5, 5), CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_merkle_prove(&pf, leaves, 0, 0), CAIRN_ERR_BAD_ARG);
}

/* Every single-bit change of a sibling, of the leaf or of the root, and
 * every other index, fails. */
static void tampered_proofs_fail(void **st)
{
    cairn_merkle_proof pf, bad;
    cairn_hash root, leaf;
    fill_leaves();
    for (size_t n = 1; n <= 33; n++) {
        cairn_merkle_root(&root, leaves, n);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(cairn_merkle_prove(&pf, leaves, n, i), CAIRN_OK);
            for (uint32_t s = 0; s < pf.n; s++) {
                bad = pf;
                bad.sib[s].b[(s * 7 + i) % 32] ^= (uint8_t)(1u << (s % 8));
                assert_int_equal(cairn_merkle_verify(&root, &leaves[i], &bad),
                                 CAIRN_ERR_BAD_PROOF);
            }
            leaf = leaves[i];
            leaf.b[31] ^= 0x80;
            assert_int_equal(cairn_merkle_verify(&root, &leaf, &pf),
                             CAIRN_ERR_BAD_PROOF);
            assert_int_equal(
                cairn_merkle_verify(&root, &leaves[(i + 1) % n], &pf),
                n == 1 ? CAIRN_OK : CAIRN_ERR_BAD_PROOF);
            for (size_t j = 0; j < n + 3; j++) {
                if (j == i)
                    continue;
                bad = pf;
                bad.index = j;
                assert_int_equal(cairn_merkle_verify(&root, &leaves[i], &bad),
                                 CAIRN_ERR_BAD_PROOF);
            }
        }
    }
}

/* A proof read with another count verifies exactly when that count gives
 * leaf i the same path shape (the root does not commit to the count beyond
 * the shape); in particular every count that changes the number of
 * siblings is refused. */
static void wrong_counts_fail(void **st)
{
    cairn_merkle_proof pf, bad;
    cairn_hash root;
    unsigned refused = 0;
    fill_leaves();
    for (size_t n = 1; n <= 33; n++) {
        cairn_merkle_root(&root, leaves, n);
        for (size_t i = 0; i < n; i++) {
            unsigned len, len2;
            uint64_t shape = naive_shape(i, n, &len);
            assert_int_equal(cairn_merkle_prove(&pf, leaves, n, i), CAIRN_OK);
            for (size_t c = i + 1; c <= 70; c++) {
                uint64_t shape2 = naive_shape(i, c, &len2);
                int same = len == len2 && shape == shape2;
                bad = pf;
                bad.count = c;
                assert_int_equal(cairn_merkle_verify(&root, &leaves[i], &bad),
                                 same ? CAIRN_OK : CAIRN_ERR_BAD_PROOF);
                refused += !same;
            }
        }
    }
    assert_true(refused > 10000);
}

/* Malformed proofs: count 0, index >= count, too many or too few siblings,
 * n beyond the array; none may crash. */
static void malformed_proofs_fail(void **st)
{
    cairn_merkle_proof pf, bad;
    cairn_hash root;
    fill_leaves();
    cairn_merkle_root(&root, leaves, 13);
    assert_int_equal(cairn_merkle_prove(&pf, leaves, 13, 6), CAIRN_OK);
    assert_int_equal(cairn_merkle_verify(&root, &leaves[6], &pf), CAIRN_OK);
    bad = pf, bad.count = 0;
    assert_int_equal(cairn_merkle_verify(&root, &leaves[6], &bad),
                     CAIRN_ERR_BAD_PROOF);
    bad = pf, bad.index = 13;
    assert_int_equal(cairn_merkle_verify(&root, &leaves[6], &bad),
                     CAIRN_ERR_BAD_PROOF);
    bad = pf, bad.index = UINT64_MAX, bad.count = UINT64_MAX;
    assert_int_equal(cairn_merkle_verify(&root, &leaves[6], &bad),
                     CAIRN_ERR_BAD_PROOF);
    bad = pf, bad.n = pf.n + 1;
    assert_int_equal(cairn_merkle_verify(&root, &leaves[6], &bad),
                     CAIRN_ERR_BAD_PROOF);
    /* An extra sibling above the root, against a root that matches it:
     * the hashes chain up, the sibling count does not fit 13 leaves. */
    cairn_hash root2;
    bad = pf, bad.n = pf.n + 1;
    bad.sib[pf.n] = leaves[99];
    naive_node(&root2, &leaves[99], &root);
    assert_int_equal(cairn_merkle_verify(&root2, &leaves[6], &bad),
                     CAIRN_ERR_BAD_PROOF);
    bad = pf, bad.n = pf.n - 1;
    assert_int_equal(cairn_merkle_verify(&root, &leaves[6], &bad),
                     CAIRN_ERR_BAD_PROOF);
    bad = pf, bad.n = CAIRN_MERKLE_MAX_DEPTH + 1;
    assert_int_equal(cairn_merkle_verify(&root, &leaves[6], &bad),
                     CAIRN_ERR_BAD_PROOF);
    bad = pf, bad.n = UINT32_MAX;
    assert_int_equal(cairn_merkle_verify(&root, &leaves[6], &bad),
                     CAIRN_ERR_BAD_PROOF);
    /* A one-leaf tree: no siblings, the root is the leaf. */
    memset(&bad, 0, sizeof bad);
    bad.count = 1;
    assert_int_equal(cairn_merkle_verify(&leaves[3], &leaves[3], &bad),
                     CAIRN_OK);
    bad.n = 1;
    assert_int_equal(cairn_merkle_verify(&leaves[3], &leaves[3], &bad),
                     CAIRN_ERR_BAD_PROOF);
}

/* Parses 64 hex digits into h; 0 on success. */
static int parse_hex(cairn_hash *h, const char *s)
{
    for (int i = 0; i < 32; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1)
            return -1;
        h->b[i] = (uint8_t)v;
    }
    return s[64] == '\0' ? 0 : -1;
}

/* tests/vectors/merkle.txt: every vector line matches, and there are some. */
static void fixed_vectors(void **st)
{
    char path[4096], line[256], hex[80];
    const char *src = getenv("CAIRN_SRC");
    unsigned n, checked = 0;
    cairn_hash want, got, v[256];
    assert_non_null(src);
    snprintf(path, sizeof path, "%s/tests/vectors/merkle.txt", src);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    for (unsigned i = 0; i < 256; i++) {
        uint8_t b = (uint8_t)i;
        cairn_merkle_leaf(&v[i], &b, 1);
    }
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        assert_int_equal(sscanf(line, "n=%u root=%79s", &n, hex), 2);
        assert_true(n <= 256);
        assert_int_equal(parse_hex(&want, hex), 0);
        cairn_merkle_root(&got, v, n);
        assert_memory_equal(got.b, want.b, 32);
        checked++;
    }
    fclose(f);
    assert_true(checked >= 30);
}

int main(void)
{
    cairn_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(leaf_hash_is_tagged),
        cmocka_unit_test(roots_match_naive),
        cmocka_unit_test(proofs_verify_everywhere),
        cmocka_unit_test(tampered_proofs_fail),
        cmocka_unit_test(wrong_counts_fail),
        cmocka_unit_test(malformed_proofs_fail),
        cmocka_unit_test(fixed_vectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
