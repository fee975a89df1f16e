/* Unit and property tests of the economy's integer arithmetic: every split
 * sums exactly to its input, emission never passes the cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "cairn/econ_math.h"

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void fee_split_sums(void **st)
{
    cairn_fee_split s = {5000, 2000, 2000, 1000};
    cairn_fee_parts p;
    uint64_t seed = 42;
    assert_int_equal(cairn_split_fee(1001, &s, &p), CAIRN_OK);
    assert_true(p.provider == 500 && p.burn == 200 && p.stakers == 100);
    assert_true(p.treasury == 201); /* dust goes to the treasury */
    for (int i = 0; i < 100000; i++) {
        uint64_t fee = rnd(&seed) >> (rnd(&seed) % 64);
        uint32_t a = (uint32_t)(rnd(&seed) % 10001),
                 b = (uint32_t)(rnd(&seed) % (10001 - a));
        uint32_t c = (uint32_t)(rnd(&seed) % (10001 - a - b));
        cairn_fee_split r = {a, b, c, 10000 - a - b - c};
        assert_int_equal(cairn_split_fee(fee, &r, &p), CAIRN_OK);
        assert_true(p.provider + p.burn + p.treasury + p.stakers == fee);
    }
    cairn_fee_split bad = {5000, 5000, 1, 0};
    assert_int_equal(cairn_split_fee(1, &bad, &p), CAIRN_ERR_BAD_ARG);
}

static void prorata_sums(void **st)
{
    uint64_t w[5] = {1, 1, 1, 0, 0}, out[5], dust;
    assert_int_equal(cairn_prorata(100, w, 5, out, &dust), CAIRN_OK);
    assert_true(out[0] == 33 && out[1] == 33 && out[2] == 33 && out[3] == 0 &&
                dust == 1);
    uint64_t z[2] = {0, 0};
    assert_int_equal(cairn_prorata(7, z, 2, out, &dust), CAIRN_OK);
    assert_true(dust == 7);
    uint64_t big[2] = {UINT64_MAX, 1};
    assert_int_equal(cairn_prorata(7, big, 2, out, &dust), CAIRN_ERR_OVERFLOW);
    uint64_t seed = 7;
    for (int i = 0; i < 2000; i++) {
        size_t n = 1 + rnd(&seed) % 64;
        uint64_t ws[64], os[64], total = rnd(&seed), sum = 0;
        for (size_t j = 0; j < n; j++)
            ws[j] = rnd(&seed) >> 8;
        assert_int_equal(cairn_prorata(total, ws, n, os, &dust), CAIRN_OK);
        for (size_t j = 0; j < n; j++)
            sum += os[j];
        assert_true(sum + dust == total);
        assert_true(dust < n);
    }
}

static void emission_schedule(void **st)
{
    cairn_emission h = {.initial = 1000, .halving_epochs = 10};
    assert_true(cairn_emission_for(&h, 0, 0, UINT64_MAX) == 1000);
    assert_true(cairn_emission_for(&h, 9, 0, UINT64_MAX) == 1000);
    assert_true(cairn_emission_for(&h, 10, 0, UINT64_MAX) == 500);
    assert_true(cairn_emission_for(&h, 25, 0, UINT64_MAX) == 250);
    assert_true(cairn_emission_for(&h, 10000, 0, UINT64_MAX) == 0);
    /* never past the cap */
    assert_true(cairn_emission_for(&h, 0, 9500, 10000) == 500);
    assert_true(cairn_emission_for(&h, 0, 10000, 10000) == 0);
    uint64_t minted = 0;
    for (uint64_t e = 0; e < 1000; e++)
        minted += cairn_emission_for(&h, e, minted, 15000);
    assert_true(minted == 15000);
    cairn_emission d = {.initial = 1000000, .decay_bps = 1500};
    assert_true(cairn_emission_for(&d, 1, 0, UINT64_MAX) == 850000);
    assert_true(cairn_emission_for(&d, 2, 0, UINT64_MAX) == 722500);
    cairn_emission c = {.initial = 5};
    assert_true(cairn_emission_for(&c, 123456, 0, UINT64_MAX) == 5);
}

static void reward_split(void **st)
{
    uint64_t p, d;
    /* 100 reward, self 1, delegated 3 → 75 to delegators minus 10% = 68
     * (floor 67.5) */
    assert_int_equal(cairn_split_reward(100, 1000, 1, 3, &p, &d), CAIRN_OK);
    assert_true(d == 68 && p == 32);
    assert_int_equal(cairn_split_reward(100, 0, 0, 0, &p, &d), CAIRN_OK);
    assert_true(d == 0 && p == 100);
    assert_int_equal(cairn_split_reward(100, 10001, 1, 1, &p, &d),
                     CAIRN_ERR_BAD_ARG);
    uint64_t seed = 99;
    for (int i = 0; i < 100000; i++) {
        uint64_t r = rnd(&seed), s = rnd(&seed) >> 2, dl = rnd(&seed) >> 2;
        assert_int_equal(cairn_split_reward(r, (uint32_t)(rnd(&seed) % 10001),
                                            s, dl, &p, &d),
                         CAIRN_OK);
        assert_true(p + d == r);
    }
}

static void velocity(void **st)
{
    /* 10% of supply moved in a day, annualised: 36.5x = 365000 bps */
    assert_true(cairn_velocity_bps(100, 1000, 365) == 365000);
    assert_true(cairn_velocity_bps(100, 0, 365) == 0);
    assert_true(cairn_velocity_bps(UINT64_MAX, 1, UINT64_MAX) == UINT64_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fee_split_sums),    cmocka_unit_test(prorata_sums),
        cmocka_unit_test(emission_schedule), cmocka_unit_test(reward_split),
        cmocka_unit_test(velocity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
