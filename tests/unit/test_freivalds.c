/* Unit tests of Freivalds' check (src/compute/verify/freivalds.h): honest
 * products pass at several shapes; a product with one wrong entry is caught
 * at every position and under many seeds; the false-positive rate of k
 * rounds, measured in the small fields F_2 and F_5 where it is large
 * enough to count, stays within 5 sigma of (1/p)^k; the random vectors
 * follow from the seed alone; bad fields, shapes, entries and round counts
 * are refused. Every random choice comes from fixed seeds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/crypto.h"
#include "compute/verify/freivalds.h"

/* A fixed pseudo-random stream for test data (splitmix64). */
static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void seed_of(uint8_t seed[FV_SEED_LEN], uint64_t i)
{
    cairn_hash h;
    cairn_hash_bytes(&h, &i, sizeof i);
    memcpy(seed, h.b, FV_SEED_LEN);
}

/* A rows × cols matrix of residues below p; free m->v. */
static fv_mat mat_new(uint32_t rows, uint32_t cols, uint64_t p, uint64_t *s)
{
    fv_mat m = {rows, cols, calloc((size_t)rows * cols, sizeof(uint64_t))};
    assert_non_null(m.v);
    for (size_t i = 0; i < (size_t)rows * cols; i++)
        m.v[i] = next(s) % p;
    return m;
}

/* The textbook triple loop, for comparison with fv_multiply. */
static uint64_t naive_entry(const fv_mat *a, const fv_mat *b, uint32_t i,
                            uint32_t j, uint64_t p)
{
    uint64_t acc = 0;
    for (uint32_t t = 0; t < a->cols; t++)
        acc = (uint64_t)(((unsigned __int128)a->v[(size_t)i * a->cols + t] *
                              b->v[(size_t)t * b->cols + j] +
                          acc) %
                         p);
    return acc;
}

static void honest_passes(uint32_t n, uint32_t m, uint32_t q, uint64_t p)
{
    uint64_t s = n * 1000003ull + m * 1009 + q;
    fv_mat a = mat_new(n, m, p, &s), b = mat_new(m, q, p, &s),
           c = mat_new(n, q, p, &s);
    assert_int_equal(fv_multiply(&a, &b, &c, p), CAIRN_OK);
    for (uint32_t i = 0; i < n; i += 1 + n / 7)
        for (uint32_t j = 0; j < q; j += 1 + q / 7)
            assert_true(c.v[(size_t)i * q + j] == naive_entry(&a, &b, i, j, p));
    for (uint64_t k = 0; k < 8; k++) {
        uint8_t seed[FV_SEED_LEN];
        fv_verdict v;
        seed_of(seed, k);
        assert_int_equal(fv_check(&a, &b, &c, p, seed, 1 + (unsigned)k, &v),
                         CAIRN_OK);
        assert_true(v.pass);
    }
    free(a.v);
    free(b.v);
    free(c.v);
}

static void test_honest(void **state)
{
    honest_passes(1, 1, 1, FV_P61);
    honest_passes(3, 5, 2, FV_P61);
    honest_passes(17, 33, 9, FV_P61);
    honest_passes(64, 64, 64, FV_P61);
    honest_passes(100, 130, 70, FV_P61);
    honest_passes(200, 70, 129, FV_P61);
    honest_passes(40, 40, 40, 1000000007ull);
    honest_passes(40, 40, 40, 5);
    honest_passes(40, 40, 40, 2);
}

/* int16 inputs, embedded: the product mod p lifts back to the integer
 * product computed in int64. */
static void test_integers_exact(void **state)
{
    uint64_t s = 7;
    enum { N = 24, M = 300, Q = 19 };
    int64_t ai[N * M], bi[M * Q];
    fv_mat a = mat_new(N, M, FV_P61, &s), b = mat_new(M, Q, FV_P61, &s),
           c = mat_new(N, Q, FV_P61, &s);
    for (int i = 0; i < N * M; i++)
        a.v[i] = fv_embed(ai[i] = (int16_t)next(&s), FV_P61);
    for (int i = 0; i < M * Q; i++)
        b.v[i] = fv_embed(bi[i] = (int16_t)next(&s), FV_P61);
    a.v[0] = fv_embed(ai[0] = INT16_MIN, FV_P61);
    b.v[0] = fv_embed(bi[0] = INT16_MIN, FV_P61);
    assert_int_equal(fv_multiply(&a, &b, &c, FV_P61), CAIRN_OK);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < Q; j++) {
            int64_t want = 0;
            for (int t = 0; t < M; t++)
                want += ai[i * M + t] * bi[t * Q + j];
            assert_int_equal(fv_lift(c.v[i * Q + j], FV_P61), want);
        }
    assert_true(fv_embed(-1, FV_P61) == FV_P61 - 1);
    assert_true(fv_embed(INT64_MIN, FV_P61) < FV_P61);
    assert_int_equal(fv_lift(fv_embed(-123456789, FV_P61), FV_P61), -123456789);
    assert_true(fv_embed(-7, 5) == 3);
    free(a.v);
    free(b.v);
    free(c.v);
}

/* One wrong entry anywhere in C is caught by one round over F_(2^61-1),
 * and the verdict names its row; one position under 1000 seeds too. */
static void test_one_wrong_entry(void **state)
{
    uint64_t s = 11;
    enum { N = 12, M = 10, Q = 11 };
    fv_mat a = mat_new(N, M, FV_P61, &s), b = mat_new(M, Q, FV_P61, &s),
           c = mat_new(N, Q, FV_P61, &s);
    assert_int_equal(fv_multiply(&a, &b, &c, FV_P61), CAIRN_OK);
    uint8_t seed[FV_SEED_LEN];
    fv_verdict v;
    for (uint32_t pos = 0; pos < N * Q; pos++) {
        uint64_t old = c.v[pos], delta = 1 + next(&s) % (FV_P61 - 1);
        c.v[pos] = (old + delta) % FV_P61;
        seed_of(seed, 100 + pos);
        assert_int_equal(fv_check(&a, &b, &c, FV_P61, seed, 1, &v), CAIRN_OK);
        assert_false(v.pass);
        assert_int_equal(v.round, 0);
        assert_int_equal(v.row, pos / Q);
        c.v[pos] = old;
    }
    c.v[5 * Q + 7] = (c.v[5 * Q + 7] + 1) % FV_P61; /* off by one */
    for (uint64_t k = 0; k < 1000; k++) {
        seed_of(seed, 5000 + k);
        assert_int_equal(fv_check(&a, &b, &c, FV_P61, seed, 1, &v), CAIRN_OK);
        assert_false(v.pass);
    }
    free(a.v);
    free(b.v);
    free(c.v);
}

/* Over F_p a C wrong in one entry (i, j) passes a round iff r_j = 0:
 * probability exactly 1/p, (1/p)^k for k rounds. Counts misses over
 * `trials` seeds and checks them within 5 sigma of trials·(1/p)^k. */
static void false_positive_rate(uint64_t p, unsigned k, int wrong_entries)
{
    enum { N = 6, M = 5, Q = 7, TRIALS = 20000 };
    uint64_t s = p * 31 + k;
    fv_mat a = mat_new(N, M, p, &s), b = mat_new(M, Q, p, &s),
           c = mat_new(N, Q, p, &s);
    assert_int_equal(fv_multiply(&a, &b, &c, p), CAIRN_OK);
    for (int e = 0; e < wrong_entries; e++) {
        size_t pos = (size_t)(e * 5 + 3) % (N * Q);
        c.v[pos] = (c.v[pos] + 1 + next(&s) % (p - 1)) % p;
    }
    double rate = 1;
    for (unsigned i = 0; i < k; i++)
        rate /= (double)p;
    long misses = 0;
    for (uint64_t t = 0; t < TRIALS; t++) {
        uint8_t seed[FV_SEED_LEN];
        fv_verdict v;
        seed_of(seed, p << 40 | (uint64_t)k << 32 | t);
        assert_int_equal(fv_check(&a, &b, &c, p, seed, k, &v), CAIRN_OK);
        misses += v.pass;
    }
    /* within 5 sigma: (misses - mean)^2 <= 25 variance, without libm */
    double mean = TRIALS * rate, var = TRIALS * rate * (1 - rate);
    double dev = (double)misses - mean;
    print_message("p=%llu k=%u wrong=%d: %ld of %d passed, expected %.1f "
                  "(variance %.1f)\n",
                  (unsigned long long)p, k, wrong_entries, misses, TRIALS, mean,
                  var);
    if (wrong_entries == 1)
        assert_true(dev * dev <= 25 * var);
    else /* the rate is at most (1/p)^k whatever the error */
        assert_true(dev <= 0 || dev * dev <= 25 * var);
    free(a.v);
    free(b.v);
    free(c.v);
}

static void test_false_positive_rate(void **state)
{
    false_positive_rate(2, 1, 1); /* 0/1 vectors: 1/2 */
    false_positive_rate(2, 4, 1); /* 1/16 */
    false_positive_rate(5, 1, 1); /* 1/5 */
    false_positive_rate(5, 2, 1); /* 1/25 */
    false_positive_rate(5, 3, 1); /* 1/125 */
    false_positive_rate(5, 1, 9);
    false_positive_rate(7, 2, 4);
}

/* The vectors depend on the seed and the round only, and are residues. */
static void test_vectors_from_seed(void **state)
{
    enum { L = 1000 };
    uint64_t r1[L], r2[L], r3[L];
    uint8_t seed[FV_SEED_LEN];
    seed_of(seed, 42);
    fv_round_vector(r1, L, FV_P61, seed, 0);
    fv_round_vector(r2, L, FV_P61, seed, 0);
    assert_memory_equal(r1, r2, sizeof r1);
    fv_round_vector(r3, L, FV_P61, seed, 1);
    assert_memory_not_equal(r1, r3, sizeof r1);
    seed[0] ^= 1;
    fv_round_vector(r3, L, FV_P61, seed, 0);
    assert_memory_not_equal(r1, r3, sizeof r1);
    /* a prefix of a longer vector is the shorter vector */
    fv_round_vector(r2, 10, FV_P61, seed, 0);
    assert_memory_equal(r2, r3, 10 * sizeof r2[0]);
    fv_round_vector(r1, L, 3, seed, 0);
    int seen[3] = {0};
    for (int i = 0; i < L; i++) {
        assert_true(r1[i] < 3);
        seen[r1[i]]++;
    }
    for (int i = 0; i < 3; i++)
        assert_true(seen[i] > 250 && seen[i] < 420);
}

static void test_field(void **state)
{
    const uint64_t primes[] = {
        2, 3, 5, 7, 37, 41, 1000000007ull, 4294967291ull, FV_P61};
    const uint64_t others[] = {0,
                               1,
                               4,
                               9,
                               561,
                               1373653ull,
                               3215031751ull,
                               (1ull << 61) - 3,
                               FV_P61 + 2,
                               UINT64_MAX};
    for (size_t i = 0; i < sizeof primes / sizeof *primes; i++)
        assert_int_equal(fv_field_ok(primes[i]), CAIRN_OK);
    for (size_t i = 0; i < sizeof others / sizeof *others; i++)
        assert_int_equal(fv_field_ok(others[i]), CAIRN_ERR_BAD_ARG);
}

static void test_bounds(void **state)
{
    uint64_t s = 3, p = FV_P61;
    uint8_t seed[FV_SEED_LEN] = {1};
    fv_verdict v;
    fv_mat a = mat_new(4, 3, p, &s), b = mat_new(3, 5, p, &s),
           c = mat_new(4, 5, p, &s);
    assert_int_equal(fv_multiply(&a, &b, &c, p), CAIRN_OK);
    assert_int_equal(fv_check(&a, &b, &c, p, seed, 0, &v), CAIRN_ERR_BAD_ARG);
    assert_int_equal(fv_check(&a, &b, &c, p, seed, FV_ROUNDS_MAX + 1, &v),
                     CAIRN_ERR_BAD_ARG);
    assert_int_equal(fv_check(&a, &b, &c, p, NULL, 1, &v), CAIRN_ERR_BAD_ARG);
    assert_int_equal(fv_check(&a, &b, &c, 4, seed, 1, &v), CAIRN_ERR_BAD_ARG);
    assert_int_equal(fv_check(&a, &b, &c, FV_P61, seed, FV_ROUNDS_MAX, &v),
                     CAIRN_OK);
    assert_true(v.pass);
    /* shapes that do not chain */
    fv_mat bad = c;
    bad.cols = 4;
    assert_int_equal(fv_check(&a, &b, &bad, p, seed, 1, &v), CAIRN_ERR_BAD_ARG);
    assert_int_equal(fv_multiply(&a, &a, &c, p), CAIRN_ERR_BAD_ARG);
    /* dimensions 0 and above the bound */
    bad = a;
    bad.rows = 0;
    assert_int_equal(fv_check(&bad, &b, &c, p, seed, 1, &v),
                     CAIRN_ERR_TOO_LARGE);
    bad.rows = FV_DIM_MAX + 1;
    assert_int_equal(fv_mat_ok(&bad, p), CAIRN_ERR_TOO_LARGE);
    bad = c;
    bad.cols = FV_DIM_MAX + 1;
    assert_int_equal(fv_check(&a, &b, &bad, p, seed, 1, &v),
                     CAIRN_ERR_TOO_LARGE);
    bad = b;
    bad.v = NULL;
    assert_int_equal(fv_check(&a, &bad, &c, p, seed, 1, &v), CAIRN_ERR_BAD_ARG);
    /* an entry that is not a residue, in each matrix */
    uint64_t *ms[3] = {a.v, b.v, c.v};
    for (int i = 0; i < 3; i++) {
        uint64_t old = ms[i][2];
        ms[i][2] = p;
        assert_int_equal(fv_check(&a, &b, &c, p, seed, 1, &v),
                         CAIRN_ERR_BAD_ARG);
        ms[i][2] = old;
    }
    free(a.v);
    free(b.v);
    free(c.v);
}

int main(void)
{
    cairn_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_honest),
        cmocka_unit_test(test_integers_exact),
        cmocka_unit_test(test_one_wrong_entry),
        cmocka_unit_test(test_false_positive_rate),
        cmocka_unit_test(test_vectors_from_seed),
        cmocka_unit_test(test_field),
        cmocka_unit_test(test_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
