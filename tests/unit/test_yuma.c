/* Unit tests of sectors/compute/yuma.c (Yuma consensus in integers):
 * - every case of tests/vectors/yuma_vectors.txt (written by the independent
 *   Python reference tests/vectors/yuma_ref.py) to the unit;
 * - the worked example of docs/compute-verify.md, its numbers written here;
 * - exact emission sums over seeded random epochs;
 * - a stake minority that inflates one miner is clipped to consensus;
 * - a validator that copies last epoch's consensus earns less dividend than
 *   one that scored early and right;
 * - bad inputs refused with a code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sectors/compute/yuma.h"
#include "src_file.h"

/* ---- tests/vectors/yuma_vectors.txt ---- */

typedef struct cursor {
    char *p;
} cursor;

/* The next line (NUL-terminated in place), or NULL at the end. */
static char *next_line(cursor *c)
{
    if (!c->p || !*c->p)
        return NULL;
    char *line = c->p, *nl = strchr(line, '\n');
    if (nl) {
        *nl = '\0';
        c->p = nl + 1;
    } else {
        c->p = line + strlen(line);
    }
    return line;
}

/* The line after `tag `, checked: the next non-comment line must start
 * with it. */
static char *expect(cursor *c, const char *tag)
{
    char *l = next_line(c);
    assert_non_null(l);
    size_t k = strlen(tag);
    if (strncmp(l, tag, k) != 0 || (l[k] != ' ' && l[k] != '\0'))
        fail_msg("vector file: expected '%s', got '%.40s'", tag, l);
    return l + k;
}

/* Reads exactly `count` unsigned numbers from s into v. */
static void numbers(const char *s, uint64_t *v, size_t count)
{
    for (size_t k = 0; k < count; k++) {
        char *end;
        while (*s == ' ')
            s++;
        assert_true(*s >= '0' && *s <= '9');
        errno = 0;
        v[k] = strtoull(s, &end, 10);
        assert_int_equal(errno, 0);
        s = end;
    }
    while (*s == ' ')
        s++;
    assert_int_equal(*s, '\0');
}

static void expect_u32s(cursor *c, const char *tag, const uint32_t *got,
                        size_t k)
{
    uint64_t want[64];
    assert_true(k <= 64);
    numbers(expect(c, tag), want, k);
    for (size_t i = 0; i < k; i++)
        if (want[i] != got[i])
            fail_msg("%s[%zu]: C %u, Python %llu", tag, i, got[i],
                     (unsigned long long)want[i]);
}

static void expect_u64s(cursor *c, const char *tag, const uint64_t *got,
                        size_t k)
{
    uint64_t want[64];
    assert_true(k <= 64);
    numbers(expect(c, tag), want, k);
    for (size_t i = 0; i < k; i++)
        if (want[i] != got[i])
            fail_msg("%s[%zu]: C %llu, Python %llu", tag, i,
                     (unsigned long long)got[i], (unsigned long long)want[i]);
}

static void read_matrix(cursor *c, const char *tag, uint16_t *mat, uint32_t n,
                        uint32_t m)
{
    uint64_t row[64];
    for (uint32_t i = 0; i < n; i++) {
        numbers(expect(c, tag), row, m);
        for (uint32_t j = 0; j < m; j++) {
            assert_true(row[j] <= 65535);
            mat[i * m + j] = (uint16_t)row[j];
        }
    }
}

static void check_sum(const yuma_in *in, const yuma_out *o)
{
    uint64_t s = o->owner + o->unpaid;
    for (uint32_t j = 0; j < in->m; j++)
        s += o->miner_pay[j];
    for (uint32_t i = 0; i < in->n; i++)
        s += o->validator_pay[i];
    assert_true(s == in->emission);
}

/* One case: reads inputs, runs, compares every output line. */
static void one_case(cursor *c)
{
    uint64_t d[6], stake[64], tmp[64 * 64];
    uint16_t w[64 * 64], bp[64 * 64];
    numbers(expect(c, "dims"), d, 6);
    uint32_t n = (uint32_t)d[0], m = (uint32_t)d[1];
    assert_true(n <= 64 && m <= 64);
    numbers(expect(c, "stake"), stake, n);
    read_matrix(c, "w", w, n, m);
    int has_prev = strncmp(c->p, "bprev ", 6) == 0;
    if (has_prev)
        read_matrix(c, "bprev", bp, n, m);
    yuma_in in = {n,
                  m,
                  stake,
                  w,
                  has_prev ? bp : NULL,
                  (uint16_t)d[2],
                  (uint16_t)d[3],
                  d[4],
                  (uint32_t)d[5]};
    yuma_out o;
    assert_int_equal(yuma_run(&in, &o), CAIRN_OK);
    expect_u32s(c, "consensus", o.consensus, m);
    expect_u32s(c, "rank", o.rank, m);
    expect_u32s(c, "incentive", o.incentive, m);
    for (uint32_t i = 0; i < n; i++) {
        numbers(expect(c, "bond"), tmp, m);
        for (uint32_t j = 0; j < m; j++)
            if (tmp[j] != o.bonds[i * m + j])
                fail_msg("bond[%u][%u]: C %u, Python %llu", i, j,
                         o.bonds[i * m + j], (unsigned long long)tmp[j]);
    }
    expect_u32s(c, "dividend", o.dividend, n);
    uint64_t pay[2] = {o.owner, o.unpaid};
    expect_u64s(c, "pay", pay, 2);
    expect_u64s(c, "miner_pay", o.miner_pay, m);
    expect_u64s(c, "validator_pay", o.validator_pay, n);
    expect(c, "end");
    check_sum(&in, &o);
    yuma_out_free(&o);
}

static void python_vectors(void **st)
{
    (void)st;
    char *text = read_src("tests/vectors/yuma_vectors.txt");
    cursor c = {text};
    unsigned cases = 0;
    char *l;
    while ((l = next_line(&c))) {
        if (l[0] == '#' || l[0] == '\0')
            continue;
        assert_true(strncmp(l, "case ", 5) == 0);
        one_case(&c);
        cases++;
    }
    free(text);
    assert_true(cases >= 12);
}

/* ---- the worked example of docs/compute-verify.md ---- */

static const uint64_t EX_STAKE[3] = {600, 300, 100};
static const uint16_t EX_W[12] = {40000, 20000, 5535, 0, 30000, 30000,
                                  5535,  0,     0,    0, 0,     65535};

static void worked_example(void **st)
{
    (void)st;
    yuma_in in = {3,
                  4,
                  EX_STAKE,
                  EX_W,
                  NULL,
                  YUMA_KAPPA_DEFAULT,
                  YUMA_ALPHA_DEFAULT,
                  1000000,
                  YUMA_OWNER_BPS_DEFAULT};
    yuma_out o;
    assert_int_equal(yuma_run(&in, &o), CAIRN_OK);
    const uint32_t cons[4] = {2621480000u, 1310740000u, 362747295u, 0};
    const uint32_t rank[4] = {2162720998u, 1179665998u, 326472564u, 0};
    const uint32_t inc[4] = {2531799270u, 1380981419u, 382186606u, 0};
    const uint16_t bonds[12] = {47661, 43689, 43689, 0, 17873, 21844,
                                21844, 0,     0,     0, 0,     0};
    const uint32_t div[3] = {3016741426u, 1278198959u, 0};
    const uint64_t mpay[4] = {241687, 131829, 36484, 0};
    const uint64_t vpay[3] = {287982, 122018, 0};
    assert_memory_equal(o.consensus, cons, sizeof cons);
    assert_memory_equal(o.rank, rank, sizeof rank);
    assert_memory_equal(o.incentive, inc, sizeof inc);
    assert_memory_equal(o.bonds, bonds, sizeof bonds);
    assert_memory_equal(o.dividend, div, sizeof div);
    assert_true(o.owner == 180000 && o.unpaid == 0);
    assert_memory_equal(o.miner_pay, mpay, sizeof mpay);
    assert_memory_equal(o.validator_pay, vpay, sizeof vpay);
    yuma_out_free(&o);
}

/* ---- seeded random epochs: splits exact, outputs within their ranges ---- */

static uint64_t mix(uint64_t *s) /* splitmix64 */
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void exact_sums(void **st)
{
    (void)st;
    uint64_t seed = 42;
    uint16_t *prev = NULL;
    for (int round = 0; round < 200; round++) {
        uint32_t n = 1 + (uint32_t)(mix(&seed) % 40);
        uint32_t m = 1 + (uint32_t)(mix(&seed) % 70);
        uint64_t *stake = calloc(n, sizeof *stake);
        uint16_t *w = calloc((size_t)n * m, sizeof *w);
        prev = calloc((size_t)n * m, sizeof *prev);
        assert_true(stake && w && prev);
        for (uint32_t i = 0; i < n; i++)
            stake[i] = mix(&seed) % 4 ? mix(&seed) >> 8 : 0; /* sum < 2^64 */
        for (size_t k = 0; k < (size_t)n * m; k++) {
            w[k] = mix(&seed) % 3 ? (uint16_t)mix(&seed) : 0;
            prev[k] = (uint16_t)mix(&seed);
        }
        yuma_in in = {n,
                      m,
                      stake,
                      w,
                      round % 2 ? prev : NULL,
                      (uint16_t)mix(&seed),
                      (uint16_t)mix(&seed),
                      mix(&seed),
                      (uint32_t)(mix(&seed) % 10001)};
        yuma_out o;
        assert_int_equal(yuma_run(&in, &o), CAIRN_OK);
        check_sum(&in, &o);
        uint64_t si = 0, sd = 0;
        for (uint32_t j = 0; j < m; j++)
            si += o.incentive[j];
        for (uint32_t i = 0; i < n; i++)
            sd += o.dividend[i];
        assert_true(si < (1ull << 32) && sd < (1ull << 32));
        yuma_out_free(&o);
        free(stake);
        free(w);
        free(prev);
    }
}

/* ---- a stake minority that inflates one miner ---- */

/* Two validators with 70% of the stake weight four miners evenly; a third
 * with 30% (< κ) either votes with them ("honest") or puts almost all of
 * its weight on miner 0 ("inflated"). Compared: miner 0's consensus weight
 * (unchanged: the majority's 1/4), its rank (not raised: the minority's
 * weight on it is clipped to 1/4), its incentive (below the ~0.47 the
 * unclipped weights would give it; it does rise from 0.25 to ~0.32
 * because the minority withdraws its weight from the other three miners,
 * which Yuma cannot tell from an honest low score), and the minority's
 * own dividend (lower than when it votes with the majority). */
static void minority_is_clipped(void **st)
{
    (void)st;
    const uint64_t stake[3] = {350, 350, 300};
    uint16_t w[12];
    for (int k = 0; k < 12; k++)
        w[k] = 1000;
    yuma_in in = {
        3,       4, stake, w, NULL, YUMA_KAPPA_DEFAULT, YUMA_ALPHA_DEFAULT,
        1000000, 0};
    yuma_out honest, inflated;
    assert_int_equal(yuma_run(&in, &honest), CAIRN_OK);
    w[8] = 65535, w[9] = w[10] = w[11] = 1;
    assert_int_equal(yuma_run(&in, &inflated), CAIRN_OK);
    assert_int_equal(inflated.consensus[0], honest.consensus[0]);
    assert_true(inflated.consensus[0] <= (1u << 30)); /* 1/4 */
    assert_true(inflated.rank[0] <= honest.rank[0]);
    assert_true(inflated.incentive[0] < 1717986918u /* 0.4 */);
    assert_true(inflated.dividend[2] < honest.dividend[2]);
    assert_true(inflated.validator_pay[2] < honest.validator_pay[2]);
    yuma_out_free(&honest);
    yuma_out_free(&inflated);
}

/* ---- early scoring against late copying ---- */

/* Four validators: H1, H2 (30% each) and E (20%) score the miners
 * themselves; L (20%) sets its weights each epoch to the consensus of the
 * epoch before (what it could copy from revealed weights). For three
 * epochs miner 0 is the good one; from epoch 3 miner 1 is. Compared: the
 * dividends of E and L summed over epochs 3..9 (E's must be larger: its
 * bonds in miner 1 start one epoch earlier), with bonds carried from epoch
 * to epoch and the same stake for both. */
static void early_beats_late_copier(void **st)
{
    (void)st;
    const uint64_t stake[4] = {300, 300, 200, 200};
    uint16_t w[8], prev[8] = {0};
    uint32_t last_cons[2] = {0, 0};
    uint64_t early = 0, late = 0;
    for (int t = 0; t < 10; t++) {
        uint16_t good = t < 3 ? 0 : 1;
        for (int i = 0; i < 3; i++) {
            w[i * 2 + good] = 60000;
            w[i * 2 + 1 - good] = 5535;
        }
        if (t == 0) {
            w[6] = w[0], w[7] = w[1];
        } else { /* last consensus, Q32 -> u16 */
            w[6] = (uint16_t)(last_cons[0] >> 16);
            w[7] = (uint16_t)(last_cons[1] >> 16);
        }
        yuma_in in = {4,
                      2,
                      stake,
                      w,
                      t ? prev : NULL,
                      YUMA_KAPPA_DEFAULT,
                      YUMA_ALPHA_DEFAULT,
                      1000000,
                      0};
        yuma_out o;
        assert_int_equal(yuma_run(&in, &o), CAIRN_OK);
        if (t < 3)
            assert_true(o.validator_pay[2] + 2 >= o.validator_pay[3] &&
                        o.validator_pay[3] + 2 >= o.validator_pay[2]);
        else {
            early += o.dividend[2];
            late += o.dividend[3];
        }
        memcpy(prev, o.bonds, sizeof prev);
        memcpy(last_cons, o.consensus, sizeof last_cons);
        yuma_out_free(&o);
    }
    print_message("dividend (Q32) summed over epochs 3..9: early %llu, "
                  "late copier %llu\n",
                  (unsigned long long)early, (unsigned long long)late);
    assert_true(early > late);
}

/* ---- bad inputs ---- */

static void bad_inputs(void **st)
{
    (void)st;
    uint64_t stake[2] = {1, 1};
    uint16_t w[4] = {1, 2, 3, 4};
    yuma_out o;
    yuma_in in = {2, 2, stake, w, NULL, 32767, 6554, 100, 1800};
    yuma_in bad = in;
    bad.n = 0;
    assert_int_equal(yuma_run(&bad, &o), CAIRN_ERR_BAD_ARG);
    assert_null(o.consensus);
    bad = in, bad.m = 0;
    assert_int_equal(yuma_run(&bad, &o), CAIRN_ERR_BAD_ARG);
    bad = in, bad.n = YUMA_MAX_VALIDATORS + 1;
    assert_int_equal(yuma_run(&bad, &o), CAIRN_ERR_TOO_LARGE);
    bad = in, bad.m = YUMA_MAX_MINERS + 1;
    assert_int_equal(yuma_run(&bad, &o), CAIRN_ERR_TOO_LARGE);
    bad = in, bad.n = 257, bad.m = YUMA_MAX_MINERS; /* cells over 2^24 */
    assert_int_equal(yuma_run(&bad, &o), CAIRN_ERR_TOO_LARGE);
    bad = in, bad.weights = NULL;
    assert_int_equal(yuma_run(&bad, &o), CAIRN_ERR_BAD_ARG);
    bad = in, bad.owner_bps = 10001;
    assert_int_equal(yuma_run(&bad, &o), CAIRN_ERR_BAD_ARG);
    stake[0] = UINT64_MAX;
    assert_int_equal(yuma_run(&in, &o), CAIRN_ERR_OVERFLOW);
    assert_null(o.bonds);
    stake[0] = UINT64_MAX - 1; /* sums to exactly 2^64 - 1: fine */
    assert_int_equal(yuma_run(&in, &o), CAIRN_OK);
    check_sum(&in, &o);
    yuma_out_free(&o);
    yuma_out_free(&o); /* twice is harmless */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(python_vectors),
        cmocka_unit_test(worked_example),
        cmocka_unit_test(exact_sums),
        cmocka_unit_test(minority_is_clipped),
        cmocka_unit_test(early_beats_late_copier),
        cmocka_unit_test(bad_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
