/* Unit tests of the wireless sector's proof-of-coverage and reward
 * arithmetic (src/sectors/wireless/poc.h): the vectors of the independent
 * Python reference (tests/vectors/poc_ref.py) to the unit, the log10 error
 * bound, every reason code and its message, the witness cap, exact splits,
 * a dense cluster scaled not rejected, and docs/wireless-poc.md's worked
 * example. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sectors/wireless/poc.h"

#define MAXTOK 128

/* Splits a vector line into its keyword and up to MAXTOK numbers (a leading
 * '-' read as signed); returns the count of numbers. */
static int tokens(char *line, char *kw, size_t kwcap, uint64_t *v)
{
    char *s = line, *end;
    size_t k = 0;
    while (*s && *s != ' ' && *s != '\n' && k + 1 < kwcap)
        kw[k++] = *s++;
    kw[k] = '\0';
    int n = 0;
    while (*s == ' ') {
        s++;
        assert_true(n < MAXTOK);
        if (*s == '-')
            v[n] = (uint64_t)strtoll(s, &end, 10);
        else
            v[n] = strtoull(s, &end, 10);
        assert_true(end != s);
        s = end;
        n++;
    }
    return n;
}

static FILE *open_vectors(void)
{
    char path[4096];
    const char *src = getenv("CAIRN_SRC");
    assert_non_null(src);
    snprintf(path, sizeof path, "%s/tests/vectors/poc_vectors.txt", src);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    return f;
}

static void check_witness_line(const poc_params *p, const uint64_t *v,
                               unsigned *hit)
{
    poc_witness_in w;
    memset(&w, 0, sizeof w);
    w.witness_hash[0] = v[0] ? 0 : 1;
    w.beacon_ms = v[1], w.witness_ms = v[2];
    w.beacon_hz = v[3], w.witness_hz = v[4];
    w.dist_m = v[5], w.grid_cells = v[6];
    w.rssi_cdbm = (int64_t)v[7], w.snr_cdb = (int64_t)v[8];
    w.tx_power_cdbm = (int64_t)v[9], w.gain_tx_cdbi = (int64_t)v[10];
    w.gain_rx_cdbi = (int64_t)v[11];
    w.witness_owner[0] = v[12] ? 0 : 1;
    w.valid_before = (uint32_t)v[13];
    poc_result r = poc_check_witness(p, &w);
    assert_int_equal(r.reason, (int)v[14]);
    assert_int_equal(r.value, (int64_t)v[15]);
    assert_int_equal(r.limit, (int64_t)v[16]);
    hit[r.reason]++;
}

static void check_split_line(const uint64_t *v, int n)
{
    uint64_t units[16], scale[16], out[16], unpaid, sum = 0;
    size_t k = (size_t)v[1];
    assert_true(k <= 16 && n == (int)(2 + 3 * k));
    for (size_t i = 0; i < k; i++)
        units[i] = v[2 + 2 * i], scale[i] = v[3 + 2 * i];
    assert_int_equal(poc_split(v[0], units, scale, k, out, &unpaid), CAIRN_OK);
    for (size_t i = 0; i < k; i++) {
        assert_int_equal(out[i], v[2 + 2 * k + i]);
        sum += out[i];
    }
    assert_int_equal(sum + unpaid, v[0]);
}

static void honest(poc_witness_in *w, uint8_t id);

/* "beacon m (ms key cells)*m reason*m": the cap by arrival, key, position. */
static void check_beacon_line(const poc_params *p, const uint64_t *v, int n)
{
    poc_witness_in w[32];
    poc_result r[32];
    uint32_t nv;
    size_t m = (size_t)v[0];
    assert_true(m <= 32 && n == (int)(1 + 4 * m));
    for (size_t i = 0; i < m; i++) {
        honest(&w[i], (uint8_t)v[2 + 3 * i]);
        w[i].witness_ms = w[i].beacon_ms + v[1 + 3 * i];
        w[i].grid_cells = v[3 + 3 * i];
    }
    assert_int_equal(poc_check_beacon(p, w, m, r, &nv), CAIRN_OK);
    for (size_t i = 0; i < m; i++)
        assert_int_equal(r[i].reason, (int)v[1 + 3 * m + i]);
}

/* Every line of poc_vectors.txt reproduced to the unit. */
static void python_vectors(void **st)
{
    (void)st;
    poc_params p;
    poc_hip17_res h[POC_NRES];
    poc_params_default(&p);
    poc_hip17_default(h);
    char line[2048], kw[16];
    uint64_t v[MAXTOK];
    unsigned seen[9] = {0}, hit[POC_REASON_COUNT] = {0};
    FILE *f = open_vectors();
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        int n = tokens(line, kw, sizeof kw, v);
        if (!strcmp(kw, "db20")) {
            assert_int_equal(poc_db20_q32(v[0]), (int64_t)v[1]);
            assert_int_equal(poc_db20_cdb(v[0]), (int64_t)v[2]);
            seen[0]++;
        } else if (!strcmp(kw, "fspl")) {
            assert_int_equal(poc_fspl_cdb(v[0], v[1]), (int64_t)v[2]);
            seen[1]++;
        } else if (!strcmp(kw, "rssimax")) {
            assert_int_equal(poc_rssi_max((int64_t)v[0], (int64_t)v[1],
                                          (int64_t)v[2], v[3], v[4]),
                             (int64_t)v[5]);
            seen[2]++;
        } else if (!strcmp(kw, "witness")) {
            check_witness_line(&p, v, hit);
            seen[3]++;
        } else if (!strcmp(kw, "decay")) {
            assert_int_equal(poc_decay_pow(&p, v[0]), v[1]);
            seen[4]++;
        } else if (!strcmp(kw, "units")) {
            assert_int_equal(poc_beacon_units(&p, v[0]), v[1]);
            assert_int_equal(poc_witness_units(&p, v[0]), v[2]);
            seen[5]++;
        } else if (!strcmp(kw, "scale")) {
            assert_int_equal(n, 2 * POC_NRES + 1);
            assert_int_equal(poc_density_scale(h, v, v + POC_NRES),
                             v[2 * POC_NRES]);
            seen[6]++;
        } else if (!strcmp(kw, "split")) {
            check_split_line(v, n);
            seen[7]++;
        } else if (!strcmp(kw, "beacon")) {
            check_beacon_line(&p, v, n);
            seen[8]++;
        } else {
            fail_msg("unknown vector line: %s", line);
        }
    }
    fclose(f);
    for (int i = 0; i < 9; i++)
        assert_true(seen[i] >= 60);
    for (int i = 0; i < POC_REASON_COUNT; i++) /* every reason in vectors */
        assert_true(hit[i] > 0);
}

/* 20*log10 in centi-dB is within 1 cdB of the exact value (the Python
 * reference writes it in micro-cdB from 60-digit Decimal; it also checks
 * against math.log10), and the Q32 value within 1 micro-cdB. */
static void log10_bound(void **st)
{
    (void)st;
    char line[2048], kw[16];
    uint64_t v[MAXTOK];
    int64_t worst = 0, worst_q = 0;
    FILE *f = open_vectors();
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || tokens(line, kw, sizeof kw, v) != 4 ||
            strcmp(kw, "db20"))
            continue;
        int64_t exact = (int64_t)v[3]; /* micro-cdB */
        int64_t e = poc_db20_cdb(v[0]) * 1000000 - exact;
        int64_t q = (int64_t)(((__int128)poc_db20_q32(v[0]) * 1000000) >> 32);
        int64_t eq = q - exact;
        e = e < 0 ? -e : e;
        eq = eq < 0 ? -eq : eq;
        worst = e > worst ? e : worst;
        worst_q = eq > worst_q ? eq : worst_q;
    }
    fclose(f);
    printf("log10: worst |cdB - exact| = %lld micro-cdB, Q32 %lld micro-cdB\n",
           (long long)worst, (long long)worst_q);
    assert_true(worst <= 500001); /* rounding: half a centi-dB */
    assert_true(worst_q <= 2);
    for (uint64_t x = 1, k = 0; k < 20; k++, x *= 10)
        assert_int_equal(poc_db20_cdb(x), (int64_t)(2000 * k));
    int64_t prev = poc_db20_q32(1);
    for (uint64_t x = 2; x < 2000000; x++) { /* monotone */
        int64_t c = poc_db20_q32(x);
        assert_true(c >= prev);
        prev = c;
    }
    assert_int_equal(poc_db20_q32(0), 0);
}

/* A witness that passes every rule: 2.5 km, 915 MHz, 3 dBi each side. */
static void honest(poc_witness_in *w, uint8_t id)
{
    memset(w, 0, sizeof *w);
    w->beacon_ms = 1000000;
    w->witness_ms = 1000000 + 812;
    w->beacon_hz = w->witness_hz = 915000000;
    w->dist_m = 2500;
    w->grid_cells = 30;
    w->tx_power_cdbm = 2700;
    w->gain_tx_cdbi = w->gain_rx_cdbi = 300;
    w->rssi_cdbm = -9000;
    w->snr_cdb = 550;
    w->beacon_owner[0] = 1;
    w->witness_owner[0] = (uint8_t)(id + 2);
    w->witness_key[0] = id;
}

static void expect(const poc_params *p, const poc_witness_in *w, poc_reason r,
                   const char *msg)
{
    char buf[128];
    poc_result res = poc_check_witness(p, w);
    assert_int_equal(res.reason, r);
    poc_result_format(&res, buf, sizeof buf);
    assert_string_equal(buf, msg);
    assert_true(strlen(poc_reason_name(r)) > 0);
}

/* Each reason code, with its message. */
static void each_reason(void **st)
{
    (void)st;
    poc_params p;
    poc_witness_in w;
    poc_params_default(&p);
    honest(&w, 0);
    expect(&p, &w, POC_OK, "valid");
    w.witness_hash[5] = 9;
    expect(&p, &w, POC_PAYLOAD_MISMATCH, "payload differs from the beacon's");
    honest(&w, 0);
    w.witness_ms = w.beacon_ms - 3;
    expect(&p, &w, POC_EARLY, "early by 3 ms (before the beacon)");
    w.witness_ms = w.beacon_ms + 4812;
    expect(&p, &w, POC_LATE, "late by 812 ms (window 4000 ms)");
    w.witness_ms = w.beacon_ms + 4000; /* on the edge: in time */
    expect(&p, &w, POC_OK, "valid");
    honest(&w, 0);
    w.witness_hz = w.beacon_hz - 100001;
    expect(&p, &w, POC_FREQ_OFF,
           "frequency off by 100001 Hz (maximum 100000 Hz)");
    w.witness_hz = w.beacon_hz + 100000;
    expect(&p, &w, POC_OK, "valid");
    honest(&w, 0);
    w.witness_owner[0] = w.beacon_owner[0];
    expect(&p, &w, POC_SELF_WITNESS,
           "self-witness: same owner as the beaconer");
    honest(&w, 0);
    w.grid_cells = 3;
    expect(&p, &w, POC_TOO_CLOSE, "too close: 3 cells (minimum 8)");
    w.grid_cells = 8;
    expect(&p, &w, POC_OK, "valid");
    w.dist_m = 100001;
    expect(&p, &w, POC_TOO_FAR, "too far: 100001 m (maximum 100000 m)");
    honest(&w, 0); /* rssi_max at 2.5 km is -66.64 dBm */
    w.rssi_cdbm = -6664 + 1400;
    expect(&p, &w, POC_RSSI_IMPOSSIBLE,
           "RSSI above free-space limit by 14.00 dB (tolerance 3.00 dB)");
    w.rssi_cdbm = -6664 + 300; /* within the tolerance */
    expect(&p, &w, POC_OK, "valid");
    honest(&w, 0);
    w.snr_cdb = -2105;
    expect(&p, &w, POC_SNR_RANGE,
           "SNR out of range: -21.05 dB (limit -20.00 dB)");
    w.snr_cdb = 2001;
    expect(&p, &w, POC_SNR_RANGE,
           "SNR out of range: 20.01 dB (limit 20.00 dB)");
    honest(&w, 0);
    w.valid_before = 14;
    expect(&p, &w, POC_OVER_CAP, "over the cap: valid witness 15 (maximum 14)");
    poc_result bogus = {(poc_reason)99, 0, 0};
    char buf[64];
    poc_result_format(&bogus, buf, sizeof buf);
    assert_string_equal(poc_reason_name((poc_reason)99), "unknown");
}

/* 24 witnesses in scrambled order, 4 of them invalid: the 14 earliest valid
 * (by time, then key) pass, the 6 later valid ones are over the cap. */
static void witness_cap(void **st)
{
    (void)st;
    poc_params p;
    poc_witness_in w[24];
    poc_result r[24];
    uint32_t nv;
    poc_params_default(&p);
    for (int i = 0; i < 24; i++) {
        int pos = (i * 7) % 24; /* arrival position, a permutation */
        honest(&w[i], (uint8_t)(pos % 2 ? 200 - pos : pos));
        w[i].witness_ms = w[i].beacon_ms + 100 + (uint64_t)(pos / 2);
        if (pos % 6 == 5)
            w[i].grid_cells = 2; /* invalid: must not count toward the cap */
    }
    assert_int_equal(poc_check_beacon(&p, w, 24, r, &nv), CAIRN_OK);
    assert_int_equal(nv, 14);
    for (int i = 0; i < 24; i++) {
        int pos = (i * 7) % 24;
        int valid_ahead = pos - pos / 6; /* positions 5, 11, 17, 23 bad */
        if (pos % 6 == 5)
            assert_int_equal(r[i].reason, POC_TOO_CLOSE);
        else if (valid_ahead < 14)
            assert_int_equal(r[i].reason, POC_OK);
        else
            assert_int_equal(r[i].reason, POC_OVER_CAP);
        assert_int_equal(w[i].valid_before, (uint32_t)valid_ahead);
    }
    assert_int_equal(poc_check_beacon(&p, NULL, 1, r, &nv), CAIRN_ERR_BAD_ARG);
    assert_int_equal(poc_check_beacon(&p, NULL, 0, NULL, &nv), CAIRN_OK);
}

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Splits sum to the pot exactly, over random pots, units and scales. */
static void split_sums(void **st)
{
    (void)st;
    uint64_t seed = 11, units[300], scale[300], out[300], unpaid;
    for (int it = 0; it < 2000; it++) {
        size_t n = 1 + rnd(&seed) % 300;
        uint64_t pot = rnd(&seed) >> (rnd(&seed) % 64), sum = 0;
        for (size_t i = 0; i < n; i++) {
            units[i] = rnd(&seed) % (3 * POC_ONE);
            scale[i] = rnd(&seed) % (POC_ONE + 1);
        }
        assert_int_equal(poc_split(pot, units, scale, n, out, &unpaid),
                         CAIRN_OK);
        for (size_t i = 0; i < n; i++)
            sum += out[i];
        assert_int_equal(sum, pot);
        assert_int_equal(unpaid, 0);
    }
    units[0] = 0;
    assert_int_equal(poc_split(77, units, scale, 1, out, &unpaid), CAIRN_OK);
    assert_true(out[0] == 0 && unpaid == 77);
    units[0] = UINT64_MAX, scale[0] = 2 * POC_ONE;
    assert_int_equal(poc_split(1, units, scale, 1, out, &unpaid),
                     CAIRN_ERR_OVERFLOW);
}

/* 30 honest hotspots in one res-10 hex (hence in one hex at every res):
 * every witness of one's beacon is valid -- density is no reason to reject --
 * and each is scaled by the HIP-17 limits instead. */
static void dense_cluster(void **st)
{
    (void)st;
    poc_params p;
    poc_hip17_res h[POC_NRES];
    poc_witness_in w[29];
    poc_result r[29];
    uint32_t nv;
    poc_params_default(&p);
    poc_hip17_default(h);
    for (int i = 0; i < 29; i++) {
        honest(&w[i], (uint8_t)i);
        w[i].dist_m = 9000; /* a dense town: cells apart, not hexes */
        w[i].grid_cells = 40;
        w[i].rssi_cdbm = -9500 - 10 * i;
        w[i].witness_ms += (uint64_t)i;
    }
    assert_int_equal(poc_check_beacon(&p, w, 29, r, &nv), CAIRN_OK);
    for (int i = 0; i < 29; i++)
        assert_int_equal(r[i].reason, i < 14 ? POC_OK : POC_OVER_CAP);
    /* res 4..10: 30 in the hex; res 8 has 2 occupied neighbours */
    uint64_t count[POC_NRES] = {30, 30, 30, 30, 30, 30, 30};
    uint64_t occ[POC_NRES] = {0, 0, 0, 0, 2, 0, 0};
    /* limits 250, 100, 25, 5, 1, 1, 1: 25/30 * 5/30 * 1/30 * 1/30 * 1/30 */
    uint64_t s = poc_density_scale(h, count, occ);
    assert_int_equal(s, 5144); /* floor(1e9 * 125 / 24300000), stepwise */
    assert_true(s > 0);
    uint64_t units[30], scale[30], out[30], unpaid, sum = 0;
    for (int i = 0; i < 30; i++) {
        units[i] = poc_witness_units(&p, 14);
        scale[i] = s;
    }
    assert_int_equal(poc_split(1000003, units, scale, 30, out, &unpaid),
                     CAIRN_OK);
    for (int i = 0; i < 30; i++) {
        assert_true(out[i] == 33333 || out[i] == 33334);
        sum += out[i];
    }
    assert_int_equal(sum, 1000003);
    for (int i = 0; i < 30; i++) /* equal remainders: lower index first */
        assert_int_equal(out[i], i < 13 ? 33334 : 33333);
}

/* docs/wireless-poc.md, "Worked example". */
static void worked_example(void **st)
{
    (void)st;
    poc_params p;
    poc_hip17_res h[POC_NRES];
    poc_params_default(&p);
    poc_hip17_default(h);
    assert_int_equal(poc_db20_cdb(2500), 6796);
    assert_int_equal(poc_db20_cdb(915000000), 17923);
    assert_int_equal(poc_fspl_cdb(2500, 915000000), 9964);
    assert_int_equal(poc_rssi_max(2700, 300, 300, 2500, 915000000), -6664);
    assert_int_equal(poc_decay_pow(&p, 2), 640000000000000000ULL);
    assert_int_equal(poc_beacon_units(&p, 6), 1360000000ULL);
    assert_int_equal(poc_witness_units(&p, 6), 606666666ULL);
    assert_int_equal(poc_beacon_units(&p, 3), 750000000ULL);
    assert_int_equal(poc_witness_units(&p, 3), POC_ONE);
    uint64_t count[POC_NRES] = {1, 1, 1, 1, 5, 3, 1};
    uint64_t occ[POC_NRES] = {0, 0, 0, 0, 4, 3, 0};
    assert_int_equal(poc_hex_limit(&h[4], 4), 3);
    assert_int_equal(poc_hex_limit(&h[5], 3), 2);
    assert_int_equal(poc_density_scale(h, count, occ), 400000000ULL);
    uint64_t units[3] = {1360000000ULL, 606666666ULL, 606666666ULL};
    uint64_t scale[3] = {400000000ULL, POC_ONE, 400000000ULL}, out[3], unpaid;
    assert_int_equal(poc_split(1000, units, scale, 3, out, &unpaid), CAIRN_OK);
    assert_true(out[0] == 391 && out[1] == 435 && out[2] == 174);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(python_vectors), cmocka_unit_test(log10_bound),
        cmocka_unit_test(each_reason),    cmocka_unit_test(witness_cap),
        cmocka_unit_test(split_sums),     cmocka_unit_test(dense_cluster),
        cmocka_unit_test(worked_example),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
