/* Unit tests of the radio simulator's propagation model
 * (src/wireless/sim/radio_model.h) and scenario reader (scenario.h): the
 * free space is the chain's (poc_fspl_cdb), a received signal is never
 * stronger than free space + the margin whatever the shadowing, signals
 * below the SF's demodulation floor are dropped, time of arrival is
 * d / c, and everything drawn is the same for the same seed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sectors/wireless/poc.h"
#include "wireless/sim/radio_model.h"
#include "sectors/wireless/hexgrid.h"
#include "wireless/sim/scenario.h"
#include "wireless/sim/scenario_gen.h"

#define F 904300000ULL

static void fspl_is_the_chains(void **st)
{
    (void)st;
    /* 20 log10(4 pi d f / c) at 1 km, 904.3 MHz: 91.574 dB */
    assert_true(rm_fspl_db(1000, F) > 91.56 && rm_fspl_db(1000, F) < 91.59);
    for (uint64_t d = 1; d < 300000; d = d * 3 + 7)
        assert_true(rm_fspl_db(d, F) == (double)poc_fspl_cdb(d, F) / 100.0);
    rm_params p;
    rm_defaults(&p);
    /* free space up to the breakpoint, then + 10 (n-2) log10(d/d0) */
    assert_true(rm_pathloss_db(&p, 500, F) == rm_fspl_db(500, F));
    assert_true(rm_pathloss_db(&p, 1000, F) == rm_fspl_db(1000, F));
    double extra = rm_pathloss_db(&p, 10000, F) - rm_fspl_db(10000, F);
    assert_true(extra > 14.99 && extra < 15.01); /* 1.5 * 10 * log10(10) */
    /* noise floor: -174 + 10 log10(125000) + 6 = -117.03 dBm */
    double nf = rm_noise_dbm(&p, 125000);
    assert_true(nf > -117.04 && nf < -117.02);
}

static void never_above_free_space(void **st)
{
    (void)st;
    rm_params p;
    rm_defaults(&p);
    p.sigma_db = 12; /* large shadowing: many draws would exceed */
    size_t clipped = 0, n = 0;
    for (uint64_t seed = 0; seed < 20; seed++)
        for (uint64_t d = 1; d <= 200000; d = d * 5 / 4 + 1) {
            int32_t lat = (int32_t)(d * 9), lon = (int32_t)seed * 1000;
            double sh = rm_shadow_db(&p, seed, 0, 0, lat, lon);
            rm_rx r;
            rm_link(&p, 27, 3, 2, d, F, 125000, 9, sh, &r);
            assert_true(r.rssi_dbm <= r.rssi_fs + p.fs_margin_db + 1e-9);
            assert_true(r.rssi_fs == 27 + 3 + 2 - rm_fspl_db(d, F));
            clipped += r.rssi_dbm > r.rssi_fs + p.fs_margin_db - 1e-9;
            n++;
        }
    assert_true(clipped > 0 && clipped < n); /* the clip was exercised */
    /* a zero margin: never above free space at all */
    p.fs_margin_db = 0;
    rm_rx r;
    rm_link(&p, 27, 0, 0, 100, F, 125000, 9, -30, &r);
    assert_true(r.rssi_dbm == r.rssi_fs);
}

static void dropped_below_the_floor(void **st)
{
    (void)st;
    rm_params p;
    rm_defaults(&p);
    double prev_range = 0;
    for (uint8_t sf = 7; sf <= 12; sf++) {
        /* the longest distance that still demodulates (no shadowing) */
        uint64_t lo = 1, hi = 10000000;
        rm_rx r;
        while (hi - lo > 1) {
            uint64_t mid = (lo + hi) / 2;
            rm_link(&p, 27, 0, 0, mid, F, 125000, sf, 0, &r);
            if (r.ok)
                lo = mid;
            else
                hi = mid;
        }
        rm_link(&p, 27, 0, 0, lo, F, 125000, sf, 0, &r);
        assert_true(r.ok && r.snr_db >= rm_floor_db(&p, sf));
        assert_true(r.snr_db - r.floor_db < 0.05);
        rm_link(&p, 27, 0, 0, hi, F, 125000, sf, 0, &r);
        assert_false(r.ok);
        assert_true(r.snr_db < r.floor_db);
        assert_true(r.floor_db == -7.5 - 2.5 * (sf - 7));
        assert_true((double)lo > prev_range); /* higher SF, farther */
        prev_range = (double)lo;
    }
    /* SF9 at 27 dBm, no gains: about 72 km with n = 3.5 after 1 km */
    rm_rx r;
    rm_link(&p, 27, 0, 0, 60000, F, 125000, 9, 0, &r);
    assert_true(r.ok);
    rm_link(&p, 27, 0, 0, 80000, F, 125000, 9, 0, &r);
    assert_false(r.ok);
    /* shadowing can drop a link the mean would carry */
    rm_link(&p, 27, 0, 0, 60000, F, 125000, 9, 10, &r);
    assert_false(r.ok);
}

static void time_of_arrival(void **st)
{
    (void)st;
    assert_int_equal(rm_arrival_us(5000000, 0), 5000000);
    /* 299.792458 km: 1 ms */
    assert_int_equal(rm_arrival_us(5000000, 299792), 5001000);
    /* 2 km: 6.67 us, rounded */
    assert_int_equal(rm_arrival_us(1, 2000), 8);
    assert_int_equal(rm_arrival_us(0, 100000), 334);
}

static void deterministic_with_a_seed(void **st)
{
    (void)st;
    rm_params p;
    rm_defaults(&p);
    rm_rng a, b;
    rm_rng_seed(&a, 42);
    rm_rng_seed(&b, 42);
    for (int i = 0; i < 1000; i++)
        assert_true(rm_rng_next(&a) == rm_rng_next(&b));
    /* a link's shadowing: the same for the same seed, both ways */
    double s1 = rm_shadow_db(&p, 7, 45000000, 7000000, 45018000, 7000000);
    double s2 = rm_shadow_db(&p, 7, 45018000, 7000000, 45000000, 7000000);
    double s3 = rm_shadow_db(&p, 8, 45000000, 7000000, 45018000, 7000000);
    assert_true(s1 == s2);
    assert_true(s1 != s3);
    assert_true(s1 ==
                rm_shadow_db(&p, 7, 45000000, 7000000, 45018000, 7000000));
    /* known value for seed 7 (changes only if the generator changes) */
    char txt[32];
    snprintf(txt, sizeof txt, "%.6f", s1);
    assert_string_equal(txt, "3.891947");
    /* normal draws: mean ~0, variance ~1 over 200000 */
    rm_rng_seed(&a, 1);
    double sum = 0, sq = 0;
    for (int i = 0; i < 200000; i++) {
        double g = rm_rng_gauss(&a);
        assert_true(g >= -6 && g <= 6);
        sum += g;
        sq += g * g;
    }
    double mean = sum / 200000, var = sq / 200000 - mean * mean;
    assert_true(mean > -0.01 && mean < 0.01);
    assert_true(var > 0.98 && var < 1.02);
}

static const char good[] =
    "{\"seed\":9,\"model\":{\"freq_mhz\":868.1,\"sf\":10,\"exponent\":3},"
    "\"hotspots\":[{\"name\":\"a\",\"forwarder\":\"127.0.0.1:1700\","
    "\"eui\":\"0102030405060708\",\"lat\":45.5,\"lon\":-7.25,\"gain_dbi\":"
    "3,\"asserted_lat\":45.6,\"asserted_lon\":-7.25}],\"devices\":[{\"name\":\"d\",\"lat\":45.5,\"lon\":-7.2,\"dev_eui\":"
    "\"00000000000000aa\",\"join_eui\":\"00000000000000bb\",\"app_key\":"
    "\"000102030405060708090a0b0c0d0e0f\"}],\"replayers\":[{\"lat\":45.6,"
    "\"lon\":-7.25,\"delay_ms\":2000}]}";

static void scenario_reads_and_refuses(void **st)
{
    (void)st;
    static sim_scenario sc;
    char why[256];
    assert_int_equal(sim_scenario_parse(good, &sc, why, sizeof why), 0);
    assert_true(sc.has_seed && sc.seed == 9);
    assert_int_equal(sc.model.freq_hz, 868100000);
    assert_int_equal(sc.model.sf, 10);
    assert_true(sc.model.exponent == 3 && sc.model.sigma_db == 4);
    assert_int_equal(sc.n_hs, 1);
    assert_int_equal(sc.hs[0].lat, 45500000);
    assert_int_equal(sc.hs[0].lon, -7250000);
    assert_int_equal(sc.hs[0].eui[7], 8);
    assert_true(sc.hs[0].has_asserted && sc.hs[0].asserted_lat == 45600000);
    assert_int_equal(sc.n_dev, 1);
    assert_true(sc.dev[0].otaa && sc.dev[0].dev_eui == 0xaa &&
                sc.dev[0].every_ms == 10000);
    assert_int_equal(sc.n_rep, 1);
    assert_int_equal(sc.rep[0].delay_ms, 2000);
    assert_true(sc.rep[0].tx_power_dbm == 27);

    static const struct {
        const char *json, *why;
    } bad[] = {
        {"[]", "scenario: must be a JSON object"},
        {"{\"hotspots\":[]}", "hotspots: must not be empty"},
        {"{\"hotspots\":[{\"name\":\"a b\"}]}", "hotspots[0].name: \"a b\""},
        {"{\"hotspots\":[{\"name\":\"a\",\"forwarder\":\"x:1\"}]}",
         "hotspots[0].forwarder: \"x\" is not an IPv4 address"},
        {"{\"model\":{\"bandwidth_khz\":200},\"hotspots\":[]}",
         "model.bandwidth_khz: must be 125, 250 or 500"},
        {"{\"model\":{\"demod_floor_db\":[1,2]},\"hotspots\":[]}",
         "model.demod_floor_db: must be an array of 6"},
        {"{\"hotspot\":[]}", "scenario: unknown field \"hotspot\""},
        {"{\"hotspots\":[{\"name\":\"a\",\"forwarder\":\"1.2.3.4:5\",\"eui\":"
         "\"0102030405060708\",\"lat\":1,\"lon\":2,\"asserted_lat\":1}]}",
         "hotspots[0]: give both asserted_lat and asserted_lon"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why[0] = '\0';
        assert_int_equal(sim_scenario_parse(bad[i].json, &sc, why, sizeof why),
                         -1);
        if (!strstr(why, bad[i].why))
            fail_msg("%s: got \"%s\", expected \"%s\"", bad[i].json, why,
                     bad[i].why);
    }
}

/* `cairn sim scenario`'s generator: what it writes reads back; the
 * hotspots are spacing apart (nearest neighbours), the liar asserts a
 * place liar_offset_m from its true one, keys differ. */
static void generated_scenario(void **st)
{
    (void)st;
    static sim_scenario sc;
    sim_gen_opts o;
    sim_gen_defaults(&o);
    o.has_liar = true;
    o.liar = 5;
    o.devices = 4;
    o.otaa = 2;
    o.has_replayer = true;
    char *text = NULL, why[160];
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(sim_gen_write(f, &o, why, sizeof why), 0);
    fclose(f);
    int rc = sim_scenario_parse(text, &sc, why, sizeof why);
    if (rc)
        fail_msg("%s", why);
    free(text);
    assert_int_equal(sc.n_hs, 12);
    assert_int_equal(sc.n_dev, 6);
    assert_int_equal(sc.n_rep, 1);
    assert_int_equal(ntohs(sc.hs[11].addr.sin_port), 1711);
    for (size_t i = 0; i < sc.n_hs; i++) {
        uint64_t nearest = UINT64_MAX, d;
        for (size_t j = 0; j < sc.n_hs; j++) {
            if (i == j)
                continue;
            assert_int_equal(hexg_distance_m(sc.hs[i].lat, sc.hs[i].lon,
                                             sc.hs[j].lat, sc.hs[j].lon, &d),
                             CAIRN_OK);
            if (d < nearest)
                nearest = d;
        }
        assert_true(nearest >= 1990 && nearest <= 2010);
        assert_true(sc.hs[i].has_asserted == (i == 5));
    }
    uint64_t off;
    assert_int_equal(hexg_distance_m(sc.hs[5].lat, sc.hs[5].lon,
                                     sc.hs[5].asserted_lat,
                                     sc.hs[5].asserted_lon, &off),
                     CAIRN_OK);
    assert_true(off >= 29990 && off <= 30010);
    assert_false(sc.dev[0].otaa);
    assert_true(sc.dev[4].otaa && sc.dev[5].otaa);
    assert_int_equal(sc.dev[3].dev_addr, 0x26000003);
    assert_memory_not_equal(sc.dev[0].nwk_skey, sc.dev[1].nwk_skey, 16);
    assert_memory_not_equal(sc.dev[4].app_key, sc.dev[5].app_key, 16);
    o.liar = 12;
    f = open_memstream(&text, &len);
    assert_int_equal(sim_gen_write(f, &o, why, sizeof why), -1);
    fclose(f);
    free(text);
    assert_non_null(strstr(why, "--liar: 12 is not a hotspot"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fspl_is_the_chains),
        cmocka_unit_test(never_above_free_space),
        cmocka_unit_test(dropped_below_the_floor),
        cmocka_unit_test(time_of_arrival),
        cmocka_unit_test(deterministic_with_a_seed),
        cmocka_unit_test(scenario_reads_and_refuses),
        cmocka_unit_test(generated_scenario),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
