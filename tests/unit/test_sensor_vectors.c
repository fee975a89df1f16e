/* The sensor sector's epoch formulas (src/sectors/sensor/rewards.c)
 * against tests/vectors/sensor_epoch.json, written by the independent
 * Python implementation tests/vectors/sensor_ref.py: freshness, tile value,
 * equal and weighted splits (each sums exactly), owner-quorum consensus,
 * the window rule (sensor_quorum_epochs: support over W epochs, payees =
 * owners of unpaid winning reports, the value and bounty split among them)
 * and DIMO's weekly points, streaks and levels. Reads $CAIRN_SRC. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <string.h>

#include "sectors/sensor/sn.h"
#include "unit/src_file.h"

static json_t *vec;

static uint64_t u(json_t *a, size_t i)
{
    json_t *x = json_array_get(a, i);
    assert_true(json_is_integer(x));
    return (uint64_t)json_integer_value(x);
}

static json_t *cases(const char *name)
{
    json_t *c = json_object_get(vec, name);
    assert_true(json_is_array(c));
    assert_true(json_array_size(c) > 0);
    return c;
}

static void test_fresh_and_value(void **st)
{
    (void)st;
    size_t i;
    json_t *c;
    json_array_foreach(cases("fresh"), i, c) assert_int_equal(
        sn_fresh_bps((int)u(c, 0), u(c, 1), u(c, 2), u(c, 3)), u(c, 4));
    json_array_foreach(cases("value"), i, c)
        assert_int_equal(sn_tile_value(u(c, 0), u(c, 1), u(c, 2)), u(c, 3));
}

static void test_splits(void **st)
{
    (void)st;
    size_t i;
    json_t *c;
    uint64_t out[16], w[16];
    json_array_foreach(cases("split_equal"), i, c)
    {
        size_t n = (size_t)u(c, 1);
        uint64_t sum = 0;
        sn_split_equal(u(c, 0), n, out);
        for (size_t k = 0; k < n; k++) {
            assert_int_equal(out[k], u(json_array_get(c, 2), k));
            sum += out[k];
        }
        assert_int_equal(sum, u(c, 0));
    }
    json_array_foreach(cases("split_weighted"), i, c)
    {
        json_t *wa = json_array_get(c, 1), *oa = json_array_get(c, 2);
        size_t n = json_array_size(wa);
        uint64_t sum = 0, wsum = 0;
        for (size_t k = 0; k < n; k++)
            wsum += w[k] = u(wa, k);
        int paid = sn_split_weighted(u(c, 0), w, n, out);
        assert_int_equal(paid, wsum > 0);
        for (size_t k = 0; k < n; k++) {
            assert_int_equal(out[k], u(oa, k));
            sum += out[k];
        }
        if (wsum)
            assert_int_equal(sum, u(c, 0));
    }
}

static void test_consensus(void **st)
{
    (void)st;
    size_t i;
    json_t *c;
    int64_t q[64], win;
    cairn_pubkey own[64];
    size_t support;
    json_array_foreach(cases("consensus"), i, c)
    {
        json_t *r = json_array_get(c, 0);
        size_t n = json_array_size(r);
        assert_true(n <= 64);
        for (size_t k = 0; k < n; k++) {
            json_t *e = json_array_get(r, k);
            q[k] = (int64_t)json_integer_value(json_array_get(e, 0));
            memset(own[k].b, 0, 32);
            own[k].b[0] = (uint8_t)json_integer_value(json_array_get(e, 1));
        }
        sn_consensus(q, own, n, &win, &support);
        assert_int_equal(win, json_integer_value(json_array_get(c, 1)));
        assert_int_equal(support, u(c, 2));
    }
}

static void test_weeks(void **st)
{
    (void)st;
    size_t i;
    json_t *c;
    json_array_foreach(cases("weeks"), i, c)
    {
        uint64_t full = u(c, 0);
        json_t *steps = json_array_get(c, 1), *outs = json_array_get(c, 2);
        sn_week_state w = {0, 0, 0};
        for (size_t k = 0; k < json_array_size(steps); k++) {
            json_t *s = json_array_get(steps, k), *o = json_array_get(outs, k);
            uint64_t pts = sn_week_step(&w, (int)u(s, 0), u(s, 1), full);
            assert_int_equal(pts, u(o, 0));
            assert_int_equal(w.streak, u(o, 1));
            assert_int_equal(w.level, u(o, 2));
            assert_int_equal(w.missed, u(o, 3));
        }
    }
}

static uint64_t ju(json_t *o, const char *k)
{
    json_t *x = json_object_get(o, k);
    assert_true(json_is_integer(x));
    return (uint64_t)json_integer_value(x);
}

static void test_window(void **st)
{
    (void)st;
    size_t i;
    json_t *c;
    json_array_foreach(cases("window"), i, c)
    {
        json_t *ra = json_object_get(c, "reports");
        size_t n = json_array_size(ra);
        sn_wrep r[64];
        cairn_pubkey payees[64];
        uint8_t pay[64];
        uint64_t part[64];
        sn_wjudge j;
        assert_true(n > 0 && n <= 64);
        memset(r, 0, sizeof r);
        for (size_t k = 0; k < n; k++) {
            json_t *e = json_array_get(ra, k);
            r[k].epoch = u(e, 0);
            r[k].owner.b[0] = (uint8_t)u(e, 1);
            r[k].device.b[0] = (uint8_t)u(e, 2);
            r[k].q = (int64_t)u(e, 3);
            r[k].paid = (uint8_t)u(e, 4);
            r[k].seq = k;
        }
        uint64_t ep = ju(c, "epoch");
        assert_int_equal(sn_window_judge(r, n, ep, ju(c, "w"), ju(c, "quorum"),
                                         payees, pay, &j),
                         CAIRN_OK);
        assert_int_equal(j.win, (int64_t)ju(c, "win"));
        assert_int_equal(j.support, ju(c, "support"));
        assert_int_equal(j.agreed, ju(c, "agreed"));
        assert_int_equal(j.disagreed_e, ju(c, "disagreed"));
        json_t *pa = json_object_get(c, "payees");
        assert_int_equal(j.npayees, json_array_size(pa));
        for (size_t k = 0; k < j.npayees; k++)
            assert_int_equal(payees[k].b[0], u(pa, k));
        json_t *ma = json_object_get(c, "marked");
        size_t nm = 0;
        for (size_t k = 0; k < n; k++)
            if (pay[k]) {
                assert_true(nm < json_array_size(ma));
                assert_int_equal(k, u(ma, nm));
                nm++;
            }
        assert_int_equal(nm, json_array_size(ma));
        json_t *f = json_object_get(c, "first");
        if (json_integer_value(f) < 0)
            assert_int_equal(j.first, n);
        else
            assert_int_equal(j.first, (size_t)json_integer_value(f));
        json_t *va = json_object_get(c, "value_parts"),
               *ba = json_object_get(c, "bounty_parts");
        if (!j.npayees) {
            assert_int_equal(json_array_size(va), 0);
            continue;
        }
        uint64_t bounty = ju(c, "bounty");
        uint64_t fresh = sn_fresh_bps((int)ju(c, "ever"), ju(c, "last"), ep,
                                      ju(c, "fresh_epochs"));
        uint64_t value =
            sn_tile_value(ju(c, "units"), fresh, bounty ? ju(c, "boost") : 0);
        sn_split_equal(value, j.npayees, part);
        assert_int_equal(json_array_size(va), j.npayees);
        for (size_t k = 0; k < j.npayees; k++)
            assert_int_equal(part[k], u(va, k));
        if (bounty) {
            sn_split_equal(bounty, j.npayees, part);
            for (size_t k = 0; k < j.npayees; k++)
                assert_int_equal(part[k], u(ba, k));
        }
    }
}

/* docs/sensor-chain.md's worked example, figure by figure. */
static void test_worked_example(void **st)
{
    (void)st;
    uint64_t out[3], w[3];
    uint64_t v = sn_tile_value(1000, sn_fresh_bps(0, 0, 10, 7), 10000);
    assert_int_equal(v, 2000);
    sn_split_equal(v, 3, out);
    assert_int_equal(out[0], 668);
    assert_int_equal(out[1], 666);
    sn_split_equal(1000000, 3, out);
    assert_int_equal(out[0], 333334);
    assert_int_equal(out[2], 333333);
    assert_int_equal(sn_fresh_bps(1, 10, 12, 7), 2857);
    v = sn_tile_value(1000, 2857, 0);
    assert_int_equal(v, 285);
    sn_split_equal(v, 2, out);
    assert_int_equal(out[0], 143);
    assert_int_equal(out[1], 142);
    sn_week_state a = {3, 0, 0}, b = {0, 0, 0};
    assert_int_equal(sn_week_step(&a, 1, 3, 3), 7000);
    assert_int_equal(a.level, 1);
    assert_int_equal(sn_week_step(&b, 1, 1, 3), 3000);
    w[0] = 668;
    w[1] = w[2] = 666;
    assert_true(sn_split_weighted(700000, w, 3, out));
    assert_int_equal(out[0], 233800);
    assert_int_equal(out[1], 233100);
    w[0] = 7000;
    w[1] = w[2] = 3000;
    assert_true(sn_split_weighted(300000, w, 3, out));
    assert_int_equal(out[0], 161540);
    assert_int_equal(out[1], 69230);
    assert_int_equal(out[2], 69230);
    /* the window (W 3): D alone on T' in epoch 20, E agrees in 21: both
     * paid at 21 (500 each); F agrees in 23: F alone (fresh 2/7: 285);
     * D again in 26: F's report of 23 is out of the window */
    sn_wrep r[4];
    cairn_pubkey pay_to[4];
    uint8_t pay[4];
    sn_wjudge j;
    memset(r, 0, sizeof r);
    for (int k = 0; k < 3; k++) {
        r[k].owner.b[0] = r[k].device.b[0] = (uint8_t)(0xD + k);
        r[k].q = 5;
    }
    r[0].epoch = 20;
    assert_int_equal(sn_window_judge(r, 1, 20, 3, 2, pay_to, pay, &j),
                     CAIRN_OK);
    assert_false(j.agreed);
    r[1].epoch = 21;
    assert_int_equal(sn_window_judge(r, 2, 21, 3, 2, pay_to, pay, &j),
                     CAIRN_OK);
    assert_true(j.agreed);
    assert_int_equal(j.npayees, 2);
    assert_true(pay[0] && pay[1]);
    sn_split_equal(sn_tile_value(1000, sn_fresh_bps(0, 0, 21, 7), 0), 2, out);
    assert_int_equal(out[0], 500);
    assert_int_equal(out[1], 500);
    r[0].paid = r[1].paid = 1;
    r[2].epoch = 23;
    assert_int_equal(sn_window_judge(r, 3, 23, 3, 2, pay_to, pay, &j),
                     CAIRN_OK);
    assert_int_equal(j.support, 2); /* E and F: D's report is out */
    assert_int_equal(j.npayees, 1);
    assert_int_equal(pay_to[0].b[0], 0xF);
    assert_int_equal(sn_tile_value(1000, sn_fresh_bps(1, 21, 23, 7), 0), 285);
    r[2].paid = 1;
    r[3] = r[0];
    r[3].epoch = 26;
    r[3].paid = 0;
    assert_int_equal(sn_window_judge(r, 4, 26, 3, 2, pay_to, pay, &j),
                     CAIRN_OK);
    assert_false(j.agreed); /* D again in 26: 24..26 holds D alone */
}

int main(void)
{
    char *text = read_src("tests/vectors/sensor_epoch.json");
    json_error_t err;
    vec = json_loads(text, 0, &err);
    free(text);
    if (!vec) {
        fprintf(stderr, "sensor_epoch.json: %s\n", err.text);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh_and_value), cmocka_unit_test(test_splits),
        cmocka_unit_test(test_consensus),       cmocka_unit_test(test_weeks),
        cmocka_unit_test(test_worked_example),  cmocka_unit_test(test_window),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    json_decref(vec);
    return rc;
}
