/* Unit tests of sectors/storage/piece.c: piece roots against cairn_merkle_root
 * over leaf hashes made here, the streaming hasher under every chunking,
 * storage proofs for every leaf and their rejection when anything is wrong,
 * cairn_piece_check, the size bounds, and the fixed vectors in
 * tests/vectors/piece_roots.txt and piece_proofs.txt (generated in Python). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/piece.h"
#include "storage_fixture.h"

/* The leaf hashes of a piece, made by hand: copy, pad, cairn_merkle_leaf. */
static cairn_hash *naive_leaves(const uint8_t *p, size_t size, size_t *count)
{
    size_t n = (size + CAIRN_LEAF_SIZE - 1) / CAIRN_LEAF_SIZE;
    cairn_hash *out = calloc(n, sizeof *out);
    assert_non_null(out);
    for (size_t i = 0; i < n; i++) {
        uint8_t leaf[CAIRN_LEAF_SIZE] = {0};
        size_t at = i * CAIRN_LEAF_SIZE;
        memcpy(leaf, p + at,
               size - at < CAIRN_LEAF_SIZE ? size - at : CAIRN_LEAF_SIZE);
        cairn_merkle_leaf(&out[i], leaf, sizeof leaf);
    }
    *count = n;
    return out;
}

static void naive_root(cairn_hash *root, const uint8_t *p, size_t size)
{
    size_t n;
    cairn_hash *l = naive_leaves(p, size, &n);
    cairn_merkle_root(root, l, n);
    free(l);
}

static const size_t sizes[] = {1,
                               2,
                               1023,
                               1024,
                               1025,
                               2047,
                               2048,
                               2049,
                               3 * 1024,
                               5 * 1024 + 7,
                               8 * 1024,
                               8 * 1024 + 1,
                               17 * 1024 - 1,
                               33 * 1024 + 5};

static void root_matches_merkle_root(void **st)
{
    uint8_t *p = pattern_alloc(33 * 1024 + 5, "cairn-test-piece");
    cairn_hash a, b, *l = calloc(64, sizeof *l);
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        assert_int_equal(cairn_piece_root(&a, p, sizes[i]), CAIRN_OK);
        naive_root(&b, p, sizes[i]);
        assert_memory_equal(a.b, b.b, 32);
        assert_int_equal(cairn_piece_leaf_hashes(l, p, sizes[i]), CAIRN_OK);
        cairn_merkle_root(&b, l, cairn_piece_leaves(sizes[i]));
        assert_memory_equal(a.b, b.b, 32);
    }
    free(l);
    free(p);
}

/* The same root whatever the chunking of the input. */
static void streaming_any_chunks(void **st)
{
    static const size_t chunks[] = {1, 7, 512, 1023, 1024, 1025, 4000};
    const size_t size = 9 * 1024 + 333;
    uint8_t *p = pattern_alloc(size, "cairn-test-piece");
    cairn_hash want, got;
    assert_int_equal(cairn_piece_root(&want, p, size), CAIRN_OK);
    for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
        cairn_piece_hasher h;
        cairn_piece_hasher_init(&h);
        for (size_t at = 0; at < size; at += chunks[c]) {
            size_t n = size - at < chunks[c] ? size - at : chunks[c];
            assert_int_equal(cairn_piece_hasher_update(&h, p + at, n),
                             CAIRN_OK);
            assert_int_equal(cairn_piece_hasher_update(&h, p, 0), CAIRN_OK);
        }
        assert_int_equal(cairn_piece_hasher_final(&h, &got), CAIRN_OK);
        assert_memory_equal(want.b, got.b, 32);
    }
    free(p);
}

/* Size 0 and sizes above CAIRN_PIECE_MAX are refused everywhere. */
static void size_bounds(void **st)
{
    uint8_t *big = calloc(CAIRN_PIECE_MAX + 1, 1), leaf[CAIRN_LEAF_SIZE] = {0};
    cairn_hash r;
    cairn_merkle_proof pf;
    cairn_piece_hasher h;
    assert_non_null(big);
    assert_int_equal(cairn_piece_root(&r, big, 0), CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_piece_root(&r, big, CAIRN_PIECE_MAX + 1),
                     CAIRN_ERR_TOO_LARGE);
    assert_int_equal(cairn_piece_prove(leaf, &pf, big, 0, 0),
                     CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_piece_leaf_hashes(&r, big, 0), CAIRN_ERR_BAD_ARG);
    cairn_piece_hasher_init(&h);
    assert_int_equal(cairn_piece_hasher_final(&h, &r), CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_piece_hasher_update(&h, big, CAIRN_PIECE_MAX),
                     CAIRN_OK);
    assert_int_equal(cairn_piece_hasher_update(&h, big, 1),
                     CAIRN_ERR_TOO_LARGE);
    assert_int_equal(cairn_piece_hasher_final(&h, &r), CAIRN_OK);
    assert_int_equal(cairn_piece_check(&r, CAIRN_PIECE_MAX, big), CAIRN_OK);
    assert_int_equal(cairn_piece_check(&r, CAIRN_PIECE_MAX + 1, big),
                     CAIRN_ERR_BAD_PROOF);
    assert_int_equal(cairn_piece_check(&r, 0, big), CAIRN_ERR_BAD_PROOF);
    free(big);
}

/* Every leaf of several small pieces proves and verifies; the proof is the
 * one cairn_merkle_prove makes from the leaf hashes. */
static void prove_every_leaf(void **st)
{
    uint8_t *p = pattern_alloc(33 * 1024 + 5, "cairn-test-piece");
    uint8_t leaf[CAIRN_LEAF_SIZE];
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        size_t size = sizes[s], n;
        cairn_hash root, *l = naive_leaves(p, size, &n);
        cairn_merkle_root(&root, l, n);
        for (size_t i = 0; i < n; i++) {
            cairn_merkle_proof pf, ref;
            assert_int_equal(cairn_piece_prove(leaf, &pf, p, size, i),
                             CAIRN_OK);
            assert_int_equal(cairn_merkle_prove(&ref, l, n, i), CAIRN_OK);
            assert_int_equal(pf.n, ref.n);
            assert_int_equal(pf.count, n);
            assert_memory_equal(pf.sib, ref.sib, pf.n * sizeof *pf.sib);
            assert_int_equal(cairn_piece_verify(&root, size, i, leaf, &pf),
                             CAIRN_OK);
        }
        assert_int_equal(
            cairn_piece_prove(leaf, &(cairn_merkle_proof){0}, p, size, n),
            CAIRN_ERR_BAD_ARG);
        free(l);
    }
    free(p);
}

/* A proof fails for a changed leaf byte, a nonzero pad byte, another index,
 * another root, another piece size (leaf count) and a changed sibling. */
static void proof_rejections(void **st)
{
    const size_t size = 5 * 1024 + 300; /* 6 leaves, the last padded */
    uint8_t *p = pattern_alloc(size, "cairn-test-piece"), leaf[CAIRN_LEAF_SIZE];
    cairn_hash root;
    cairn_merkle_proof pf, bad;
    assert_int_equal(cairn_piece_root(&root, p, size), CAIRN_OK);
    for (uint64_t i = 0; i < 6; i++) {
        assert_int_equal(cairn_piece_prove(leaf, &pf, p, size, i), CAIRN_OK);
        for (size_t at = 0; at < CAIRN_LEAF_SIZE; at += 211) {
            leaf[at] ^= 0x01;
            assert_int_equal(cairn_piece_verify(&root, size, i, leaf, &pf),
                             CAIRN_ERR_BAD_PROOF);
            leaf[at] ^= 0x01;
        }
        for (uint64_t j = 0; j < 8; j++) {
            if (j == i)
                continue;
            assert_int_equal(cairn_piece_verify(&root, size, j, leaf, &pf),
                             CAIRN_ERR_BAD_PROOF);
            bad = pf;
            bad.index = j;
            assert_int_equal(cairn_piece_verify(&root, size, j, leaf, &bad),
                             CAIRN_ERR_BAD_PROOF);
        }
        cairn_hash other = root;
        other.b[31] ^= 0x80;
        assert_int_equal(cairn_piece_verify(&other, size, i, leaf, &pf),
                         CAIRN_ERR_BAD_PROOF);
        /* Sizes with other leaf counts. */
        static const uint64_t sizes_other[] = {4 * 1024, 7 * 1024 + 1, 1,
                                               64 * 1024};
        for (size_t s = 0; s < 4; s++)
            assert_int_equal(
                cairn_piece_verify(&root, sizes_other[s], i, leaf, &pf),
                CAIRN_ERR_BAD_PROOF);
        bad = pf;
        bad.count = 7; /* must be the leaf count of the recorded size */
        assert_int_equal(cairn_piece_verify(&root, size, i, leaf, &bad),
                         CAIRN_ERR_BAD_PROOF);
        for (uint32_t s = 0; s < pf.n; s++) {
            bad = pf;
            bad.sib[s].b[0] ^= 1;
            assert_int_equal(cairn_piece_verify(&root, size, i, leaf, &bad),
                             CAIRN_ERR_BAD_PROOF);
        }
        bad = pf;
        bad.n = pf.n - 1;
        assert_int_equal(cairn_piece_verify(&root, size, i, leaf, &bad),
                         CAIRN_ERR_BAD_PROOF);
    }
    /* The last leaf's padding is part of its hash. */
    assert_int_equal(cairn_piece_prove(leaf, &pf, p, size, 5), CAIRN_OK);
    leaf[CAIRN_LEAF_SIZE - 1] = 1;
    assert_int_equal(cairn_piece_verify(&root, size, 5, leaf, &pf),
                     CAIRN_ERR_BAD_PROOF);
    leaf[CAIRN_LEAF_SIZE - 1] = 0;
    /* The root commits to the padded leaves, not to the size: a size with
     * the same leaf count verifies. The deal records the size beside the
     * root, and challenges come from the recorded size. */
    assert_int_equal(cairn_piece_verify(&root, 6 * 1024, 5, leaf, &pf),
                     CAIRN_OK);
    assert_int_equal(cairn_piece_prove(leaf, &pf, p, size, 4), CAIRN_OK);
    leaf[0] ^= 1; /* a leaf's bytes are checked whatever the size */
    assert_int_equal(cairn_piece_verify(&root, 6 * 1024, 4, leaf, &pf),
                     CAIRN_ERR_BAD_PROOF);
    assert_int_equal(cairn_piece_verify(&root, 0, 5, leaf, &pf),
                     CAIRN_ERR_BAD_PROOF);
    free(p);
}

/* cairn_piece_check: the right bytes pass; any flipped byte, a size that
 * drops a byte or adds a nonzero one, or another root fails. */
static void check_catches_flips(void **st)
{
    const size_t size = 3 * 1024 + 17;
    uint8_t *p = pattern_alloc(size + 1, "cairn-test-piece");
    cairn_hash root;
    assert_int_equal(cairn_piece_root(&root, p, size), CAIRN_OK);
    assert_int_equal(cairn_piece_check(&root, size, p), CAIRN_OK);
    for (size_t at = 0; at < size; at += 97) {
        p[at] ^= 0x40;
        assert_int_equal(cairn_piece_check(&root, size, p),
                         CAIRN_ERR_BAD_PROOF);
        p[at] ^= 0x40;
    }
    p[size - 1] ^= 1;
    assert_int_equal(cairn_piece_check(&root, size, p), CAIRN_ERR_BAD_PROOF);
    p[size - 1] ^= 1;
    assert_int_equal(cairn_piece_check(&root, size - 1, p),
                     CAIRN_ERR_BAD_PROOF);
    /* Zero bytes appended within the last leaf leave the padded leaves, and
     * so the root, unchanged: the size is recorded beside the root. A
     * nonzero byte there, or a whole leaf more, changes the root. */
    p[size] = 0;
    assert_int_equal(cairn_piece_check(&root, size + 1, p), CAIRN_OK);
    p[size] = 1;
    assert_int_equal(cairn_piece_check(&root, size + 1, p),
                     CAIRN_ERR_BAD_PROOF);
    root.b[0] ^= 1;
    assert_int_equal(cairn_piece_check(&root, size, p), CAIRN_ERR_BAD_PROOF);
    free(p);
}

/* tests/vectors/piece_roots.txt */
static void vector_roots(void **st)
{
    char line[512], hex[80];
    unsigned long long size;
    unsigned checked = 0;
    FILE *f = open_vectors("piece_roots.txt");
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        cairn_hash want, got;
        assert_int_equal(sscanf(line, "size=%llu root=%79s", &size, hex), 2);
        assert_true(size >= 1 && size <= (1u << 20));
        assert_int_equal(hex_decode(want.b, 32, hex, strlen(hex)), 0);
        uint8_t *p = pattern_alloc((size_t)size, "cairn-test-piece");
        assert_int_equal(cairn_piece_root(&got, p, (size_t)size), CAIRN_OK);
        assert_memory_equal(got.b, want.b, 32);
        free(p);
        checked++;
    }
    fclose(f);
    assert_true(checked >= 10);
}

/* One line of piece_proofs.txt: the proof made here is the one listed. */
static void check_proof_line(const char *line)
{
    static char path[4400];
    char hex[80];
    unsigned long long size, index;
    cairn_hash root;
    cairn_merkle_proof pf;
    uint8_t leaf[CAIRN_LEAF_SIZE];
    assert_int_equal(sscanf(line, "size=%llu index=%llu root=%79s path=%4200s",
                            &size, &index, hex, path),
                     4);
    assert_true(size >= 1 && size <= (1u << 20));
    assert_int_equal(hex_decode(root.b, 32, hex, strlen(hex)), 0);
    uint8_t *p = pattern_alloc((size_t)size, "cairn-test-piece");
    assert_int_equal(cairn_piece_prove(leaf, &pf, p, (size_t)size, index),
                     CAIRN_OK);
    assert_int_equal(cairn_piece_verify(&root, size, index, leaf, &pf),
                     CAIRN_OK);
    uint32_t n = 0;
    for (char *s = path; strcmp(path, "-") != 0 && *s; n++) {
        cairn_hash want;
        assert_true(n < pf.n);
        assert_int_equal(hex_decode(want.b, 32, s, 64), 0);
        assert_memory_equal(pf.sib[n].b, want.b, 32);
        s += 64;
        if (*s == ',')
            s++;
    }
    assert_int_equal(n, pf.n);
    free(p);
}

/* tests/vectors/piece_proofs.txt */
static void vector_proofs(void **st)
{
    static char line[8192];
    unsigned checked = 0;
    FILE *f = open_vectors("piece_proofs.txt");
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        check_proof_line(line);
        checked++;
    }
    fclose(f);
    assert_true(checked >= 10);
}

int main(void)
{
    cairn_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(root_matches_merkle_root),
        cmocka_unit_test(streaming_any_chunks),
        cmocka_unit_test(size_bounds),
        cmocka_unit_test(prove_every_leaf),
        cmocka_unit_test(proof_rejections),
        cmocka_unit_test(check_catches_flips),
        cmocka_unit_test(vector_roots),
        cmocka_unit_test(vector_proofs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
