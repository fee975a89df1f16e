/* The downsampled metrics series (GET /v1/metrics/series): bucket math
 * (aligned buckets, the fewest epochs per point, never more points than
 * asked), a range longer than CAIRN_SERIES_MAX_SPAN refused before any
 * read (10M epochs), the records one answer reads bounded, flows summed
 * exactly and stocks taken at the bucket's last epoch, on a real chain
 * checked against the per-epoch metrics; and the fees by destination add
 * up to the revenue in every epoch. */
#include "gov_fixture.h"

#include "cairn/metrics.h"

/* Two-block epochs, emission on, every fee destination used. */
static const char *ECON =
    "{\"epoch_blocks\":2,\"fee_provider_bps\":5000,\"fee_burn_bps\":2000,"
    "\"fee_treasury_bps\":2000,"
    "\"fee_stakers_bps\":1000}";

/* Plans and checks the invariants of a plan of from..to in ≤ points. */
static void check_plan(uint64_t from, uint64_t to, uint64_t points)
{
    cairn_series_plan p;
    assert_int_equal(cairn_series_plan_make(from, to, points, &p), CAIRN_OK);
    uint64_t b = p.bucket_epochs;
    assert_true(b >= 1);
    assert_true(p.points >= 1 && p.points <= points);
    assert_int_equal(p.points, to / b - from / b + 1); /* aligned buckets */
    if (b > 1) /* the fewest epochs per point: one less needs more points */
        assert_true(to / (b - 1) - from / (b - 1) + 1 > points);
    assert_int_equal(p.reads, to - from + 1 + p.points * CAIRN_VELOCITY_WINDOW);
    assert_true(p.reads <= CAIRN_SERIES_MAX_READS);
}

static void bucket_math(void **st)
{
    cairn_series_plan p;
    (void)st;
    assert_int_equal(cairn_series_plan_make(0, 9, 5, &p), CAIRN_OK);
    assert_int_equal(p.bucket_epochs, 2);
    assert_int_equal(p.points, 5);
    /* 3..12 in 5: buckets of 2 would be 2-3 .. 12-13, six of them */
    assert_int_equal(cairn_series_plan_make(3, 12, 5, &p), CAIRN_OK);
    assert_int_equal(p.bucket_epochs, 3);
    assert_int_equal(p.points, 4);
    assert_int_equal(cairn_series_plan_make(7, 7, 500, &p), CAIRN_OK);
    assert_int_equal(p.bucket_epochs, 1);
    assert_int_equal(p.points, 1);
    assert_int_equal(cairn_series_plan_make(0, 99999, 500, &p), CAIRN_OK);
    assert_int_equal(p.bucket_epochs, 200);
    assert_int_equal(p.points, 500);
    /* refusals */
    assert_int_equal(cairn_series_plan_make(5, 4, 10, &p), CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_series_plan_make(0, 9, 0, &p), CAIRN_ERR_BAD_ARG);
    assert_int_equal(
        cairn_series_plan_make(0, 9, CAIRN_SERIES_MAX_POINTS + 1, &p),
        CAIRN_ERR_BAD_ARG);
    /* many ranges (a fixed LCG) */
    uint64_t x = 12345;
    for (int i = 0; i < 20000; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t from = (x >> 20) % 5000000;
        uint64_t span = 1 + (x >> 7) % CAIRN_SERIES_MAX_SPAN;
        uint64_t pts = 1 + (x >> 40) % CAIRN_SERIES_MAX_POINTS;
        check_plan(from, from + span - 1, pts);
    }
    check_plan(UINT64_MAX - 99999, UINT64_MAX, 1000);
}

/* 10M epochs, or any range past CAIRN_SERIES_MAX_SPAN, is refused by the
 * plan (before any record is read); the longest accepted reads a bounded
 * number of records. */
static void ten_million_bounded(void **st)
{
    cairn_series_plan p;
    (void)st;
    assert_int_equal(cairn_series_plan_make(0, 9999999, 500, &p),
                     CAIRN_ERR_TOO_LARGE);
    assert_int_equal(cairn_series_plan_make(0, UINT64_MAX, 1000, &p),
                     CAIRN_ERR_TOO_LARGE);
    assert_int_equal(cairn_series_plan_make(0, CAIRN_SERIES_MAX_SPAN, 1000, &p),
                     CAIRN_ERR_TOO_LARGE);
    assert_int_equal(
        cairn_series_plan_make(0, CAIRN_SERIES_MAX_SPAN - 1, 1000, &p),
        CAIRN_OK);
    assert_true(p.reads <= CAIRN_SERIES_MAX_READS);
    assert_true(CAIRN_SERIES_MAX_READS <= 200000);
    /* chain_metrics_series checks the plan again */
    cairn_series_plan forged = {0, 9999999, 20000, 500, 0};
    cairn_epoch_metrics m[1];
    uint64_t first[1];
    size_t n;
    assert_int_equal(
        cairn_chain_metrics_series(NULL, &forged, m, first, 500, &n),
        CAIRN_ERR_BAD_ARG);
    forged.to = 99;
    assert_int_equal(cairn_chain_metrics_series(NULL, &forged, m, first, 0, &n),
                     CAIRN_ERR_BAD_ARG);
}

/* cairn_series_add: flows summed, stocks the latest, net change signed,
 * saturation instead of wrapping. */
static void add_sums(void **st)
{
    cairn_epoch_metrics a = {0}, b = {0}, acc;
    (void)st;
    a.epoch = 4;
    a.start_height = 9;
    a.revenue = 10;
    a.burned = 30;
    a.emitted = 5;
    a.fees_providers = 1;
    a.fees_burned = 2;
    a.fees_treasury = 3;
    a.fees_stakers = 4;
    a.work_units[0] = 7;
    a.revenue_sector[1] = 8;
    a.credits_bought = 100;
    a.supply = 1000;
    a.active_providers[0] = 3;
    a.velocity_window_bps = 11;
    b = a;
    b.epoch = 5;
    b.start_height = 11;
    b.revenue = 20;
    b.burned = UINT64_MAX - 10;
    b.emitted = 6;
    b.work_units[0] = 1;
    b.supply = 900;
    b.active_providers[0] = 2;
    b.velocity_window_bps = 12;
    cairn_series_add(&acc, &a, 1);
    assert_int_equal(acc.net_negative, 1);
    assert_int_equal(acc.net_change, 25);
    cairn_series_add(&acc, &b, 0);
    assert_int_equal(acc.epoch, 5);
    assert_int_equal(acc.start_height, 9);
    assert_int_equal(acc.revenue, 30);
    assert_int_equal(acc.emitted, 11);
    assert_true(acc.burned == UINT64_MAX); /* saturated */
    assert_int_equal(acc.fees_providers, 2);
    assert_int_equal(acc.fees_stakers, 8);
    assert_int_equal(acc.work_units[0], 8);
    assert_int_equal(acc.revenue_sector[1], 16);
    assert_int_equal(acc.credits_bought, 200);
    assert_int_equal(acc.supply, 900);
    assert_int_equal(acc.active_providers[0], 2);
    assert_int_equal(acc.velocity_window_bps, 12);
    assert_int_equal(acc.net_negative, 1);
}

/* Transfers in some blocks, over ~40 epochs of a real chain. */
static void run_chain(twin *t)
{
    cairn_buf b;
    uint8_t tb[40];
    cairn_buf_init(&b, 256);
    for (uint64_t h = 1; h <= 80; h++) {
        if (h % 3 == 0) {
            cairn_transfer tr = {fx_keys[6].pk, (h % 7 + 1) * TOK};
            cairn_transfer_encode(tb, &tr);
            cairn_put_bytes(&b, tb, 40);
            both(t, 1 + (int)(h % 5), CAIRN_TX_TRANSFER, &b);
        }
        step_to(t, h);
    }
    cairn_buf_free(&b);
}

/* Checks the series of from..to in ≤ points against the epochs. */
static void check_series(cairn_chain *c, uint64_t from, uint64_t to,
                         uint64_t points, uint64_t last)
{
    cairn_series_plan p;
    cairn_epoch_metrics s[64], e[64];
    uint64_t first[64];
    size_t n, ne;
    assert_int_equal(cairn_series_plan_make(from, to, points, &p), CAIRN_OK);
    assert_int_equal(cairn_chain_metrics_series(c, &p, s, first, 64, &n),
                     CAIRN_OK);
    uint64_t end = to < last ? to : last;
    assert_int_equal(cairn_chain_metrics_range(c, from, end, e, 64, &ne),
                     CAIRN_OK);
    assert_int_equal(ne, end - from + 1);
    size_t k = 0; /* index into e */
    for (size_t i = 0; i < n; i++) {
        cairn_epoch_metrics sum = {0};
        uint64_t epochs = 0;
        assert_int_equal(first[i], e[k].epoch);
        while (k < ne && e[k].epoch <= s[i].epoch) {
            sum.revenue += e[k].revenue;
            sum.burned += e[k].burned;
            sum.emitted += e[k].emitted;
            sum.transfer_volume += e[k].transfer_volume;
            sum.fees_providers += e[k].fees_providers;
            sum.fees_burned += e[k].fees_burned;
            sum.fees_treasury += e[k].fees_treasury;
            sum.fees_stakers += e[k].fees_stakers;
            sum.emitted_sector[0] += e[k].emitted_sector[0];
            k++;
            epochs++;
        }
        const cairn_epoch_metrics *lastm = &e[k - 1];
        assert_true(epochs >= 1 && epochs <= p.bucket_epochs);
        assert_int_equal(s[i].revenue, sum.revenue);
        assert_int_equal(s[i].burned, sum.burned);
        assert_int_equal(s[i].emitted, sum.emitted);
        assert_int_equal(s[i].transfer_volume, sum.transfer_volume);
        assert_int_equal(s[i].fees_providers, sum.fees_providers);
        assert_int_equal(s[i].fees_burned, sum.fees_burned);
        assert_int_equal(s[i].fees_treasury, sum.fees_treasury);
        assert_int_equal(s[i].fees_stakers, sum.fees_stakers);
        assert_int_equal(s[i].emitted_sector[0], sum.emitted_sector[0]);
        /* stocks: the bucket's last epoch, velocity window included */
        assert_int_equal(s[i].epoch, lastm->epoch);
        assert_int_equal(s[i].supply, lastm->supply);
        assert_int_equal(s[i].circulating, lastm->circulating);
        assert_int_equal(s[i].staked_ratio_bps, lastm->staked_ratio_bps);
        assert_int_equal(s[i].velocity_window_bps, lastm->velocity_window_bps);
        assert_int_equal(s[i].window_epochs, lastm->window_epochs);
        /* a bucket ends on a multiple of bucket_epochs or the range's end */
        assert_true((s[i].epoch + 1) % p.bucket_epochs == 0 ||
                    s[i].epoch == end);
    }
    assert_int_equal(k, ne); /* every epoch in exactly one point */
}

static void chain_series(void **st)
{
    twin t;
    uint64_t last;
    cairn_epoch_metrics e[64];
    size_t ne;
    (void)st;
    twin_open(&t, ECON);
    run_chain(&t);
    assert_int_equal(cairn_chain_latest_epoch(t.c[0], &last), CAIRN_OK);
    assert_true(last >= 30);
    assert_int_equal(cairn_chain_metrics_range(t.c[0], 0, last, e, 64, &ne),
                     CAIRN_OK);
    uint64_t revenue = 0;
    for (size_t i = 0; i < ne; i++) { /* Σ destinations = revenue */
        assert_int_equal(e[i].fees_providers + e[i].fees_burned +
                             e[i].fees_treasury + e[i].fees_stakers,
                         e[i].revenue);
        revenue += e[i].revenue;
    }
    assert_true(revenue > 0);
    check_series(t.c[0], 0, last, 500, last);
    check_series(t.c[0], 0, last, 7, last);
    check_series(t.c[0], 3, last, 4, last);
    check_series(t.c[0], 5, 17, 1, last);
    check_series(t.c[0], 2, 9999999 % CAIRN_SERIES_MAX_SPAN, 10, last);
    /* past the last settled epoch: nothing */
    cairn_series_plan p;
    cairn_epoch_metrics s[4];
    uint64_t first[4];
    size_t n = 9;
    assert_int_equal(cairn_series_plan_make(last + 1, last + 100, 4, &p),
                     CAIRN_OK);
    assert_int_equal(cairn_chain_metrics_series(t.c[0], &p, s, first, 4, &n),
                     CAIRN_OK);
    assert_int_equal(n, 0);
    twin_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bucket_math),
        cmocka_unit_test(ten_million_bounded),
        cmocka_unit_test(add_sums),
        cmocka_unit_test(chain_series),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
