/* Unit tests of the sensor agent's reading sources (src/sensor/source/):
 * the CSV line reader, the NMEA 0183 RMC/GGA parser (checksums,
 * hemispheres, fix status, the speed and altitude values), the UTC time
 * conversion, and the recorded drives of tests/data/drives: each loads,
 * keeps time order, the NMEA drive1 gives the CSV drive1's positions
 * (within the 1e-5 minute rounding of NMEA) and times, and the three
 * drives agree on q for the tiles they share (the devnet's honest devices
 * must agree). Replay: rebased times keep their spacing, a loop continues
 * after the last reading, and a paced replay waits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sensor/batch.h"
#include "sensor/source/source.h"

static void csv(void **st)
{
    (void)st;
    sbatch_reading r;
    assert_int_equal(ssrc_csv_line("1767254400000,52520000,13380000,136\n", &r),
                     CAIRN_OK);
    assert_true(r.t_ms == 1767254400000ull && r.lat_udeg == 52520000 &&
                r.lon_udeg == 13380000 && r.value == 136);
    assert_int_equal(ssrc_csv_line("5,-33900000,-70600000,-42\r\n", &r),
                     CAIRN_OK);
    assert_true(r.lat_udeg == -33900000 && r.lon_udeg == -70600000 &&
                r.value == -42);
    assert_int_equal(ssrc_csv_line("# comment\n", &r), CAIRN_ERR_NOT_FOUND);
    assert_int_equal(ssrc_csv_line("   \n", &r), CAIRN_ERR_NOT_FOUND);
    const char *bad[] = {"1,2,3\n",           "1,2,3,4,5\n",
                         "x,2,3,4\n",         "1,90000001,0,1\n",
                         "1,0,180000000,1\n", "-1,0,0,1\n",
                         "1,0,0,\n",          "1,0,0,99999999999999999999\n",
                         "1, 2,3,4\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(ssrc_csv_line(bad[i], &r), CAIRN_ERR_BAD_ARG);
}

static void times(void **st)
{
    (void)st;
    assert_true(ssrc_unix_ms(1970, 1, 1, 0) == 0);
    assert_true(ssrc_unix_ms(2026, 1, 1, 8 * 3600000u) == 1767254400000ull);
    assert_true(ssrc_unix_ms(2000, 3, 1, 0) == 951868800000ull);
    assert_true(ssrc_unix_ms(2024, 2, 29, 1) == 1709164800001ull);
}

static void nmea(void **st)
{
    (void)st;
    ssrc_nmea s = {.value = SSRC_VALUE_SPEED};
    sbatch_reading r;
    const char *rmc = "$GPRMC,080000.00,A,5231.20000,N,01322.80000,E,17.495,"
                      "90.0,010126,,,A*58\r\n";
    assert_int_equal(ssrc_nmea_line(&s, rmc, &r), 1);
    assert_true(r.t_ms == 1767254400000ull);
    assert_int_equal(r.lat_udeg, 52520000);
    assert_int_equal(r.lon_udeg, 13380000);
    assert_int_equal(r.value, 900); /* 17.495 kn = 900.0 cm/s */
    /* a changed byte breaks the checksum */
    char bad[128];
    snprintf(bad, sizeof bad, "%s", rmc);
    bad[19] = '4'; /* 5231.2 -> 4231.2 */
    assert_int_equal(ssrc_nmea_line(&s, bad, &r), -1);
    assert_int_equal(s.bad, 1);
    /* south and west, no checksum, GN talker, 2099 and 1999 */
    assert_int_equal(
        ssrc_nmea_line(
            &s, "$GNRMC,235959.5,A,3354.000,S,07036.000,W,0,,311299,,", &r),
        1);
    assert_int_equal(r.lat_udeg, -33900000);
    assert_int_equal(r.lon_udeg, -70600000);
    assert_int_equal(r.value, 0);
    assert_true(r.t_ms == ssrc_unix_ms(1999, 12, 31, 86399500u));
    /* no fix: not a reading; other sentences ignored */
    assert_int_equal(
        ssrc_nmea_line(&s, "$GPRMC,080000.00,V,,,,,,,010126,,,N", &r), 0);
    assert_int_equal(ssrc_nmea_line(&s, "$GPGSV,3,1,11,03,03,111,00", &r), 0);
    assert_int_equal(ssrc_nmea_line(&s, "hello", &r), 0);
    /* malformed RMC fields */
    assert_int_equal(
        ssrc_nmea_line(&s, "$GPRMC,080000.00,A,5231.2,X,01322.8,E,1,,010126",
                       &r),
        -1);
    assert_int_equal(
        ssrc_nmea_line(&s, "$GPRMC,080000.00,A,5261.2,N,01322.8,E,1,,010126",
                       &r),
        -1);
    assert_int_equal(
        ssrc_nmea_line(&s, "$GPRMC,250000.00,A,5231.2,N,01322.8,E,1,,010126",
                       &r),
        -1);
    assert_int_equal(
        ssrc_nmea_line(&s, "$GPRMC,080000.00,A,5231.2,N,01322.8,E,1,,320126",
                       &r),
        -1);
    assert_int_equal(ssrc_nmea_line(&s, "$GPRMC,1", &r), -1);
    /* altitude from the latest GGA */
    ssrc_nmea a = {.value = SSRC_VALUE_ALT};
    assert_int_equal(ssrc_nmea_line(&a, rmc, &r), 1);
    assert_int_equal(r.value, 0);
    assert_int_equal(ssrc_nmea_line(&a,
                                    "$GPGGA,080000.00,5231.20000,N,01322.80000,"
                                    "E,1,08,0.9,34.0,M,39.0,M,,*55\r\n",
                                    &r),
                     0);
    assert_int_equal(ssrc_nmea_line(&a, rmc, &r), 1);
    assert_int_equal(r.value, 3400);
    assert_int_equal(
        ssrc_nmea_line(&a, "$GPGGA,080001,5231.2,N,01322.8,E,1,08,0.9,-2.5,M",
                       &r),
        0);
    assert_int_equal(ssrc_nmea_line(&a, rmc, &r), 1);
    assert_int_equal(r.value, -250);
}

static char *drive_path(const char *name)
{
    const char *root = getenv("CAIRN_SRC");
    static char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/drives/%s", root ? root : ".",
             name);
    return path;
}

/* Loads a whole drive at full speed. */
static uint32_t load_all(const char *name, sbatch_reading **out)
{
    ssrc *s;
    char why[256];
    ssrc_opts o = {0};
    assert_int_equal(ssrc_open_drive(&s, drive_path(name), &o, why, sizeof why),
                     CAIRN_OK);
    uint32_t n = ssrc_count(s), i = 0;
    sbatch_reading *r = calloc(n, sizeof *r);
    while (ssrc_next(s, &r[i], 100, why, sizeof why) == SSRC_READING)
        i++;
    assert_int_equal(i, n);
    assert_int_equal(ssrc_next(s, &r[0], 100, why, sizeof why), SSRC_END);
    ssrc_close(s);
    assert_int_equal(sbatch_check(r, n, why, sizeof why), CAIRN_OK);
    *out = r;
    return n;
}

static void drives(void **st)
{
    (void)st;
    sbatch_reading *d[3], *nm;
    uint32_t n[3];
    n[0] = load_all("drive1.csv", &d[0]);
    n[1] = load_all("drive2.csv", &d[1]);
    n[2] = load_all("drive3.csv", &d[2]);
    uint32_t nn = load_all("drive1.nmea", &nm);
    assert_true(n[0] > 300 && n[1] > 200 && n[2] > 200);
    /* the NMEA drive is drive1: same times, positions within 2 udeg */
    assert_int_equal(nn, n[0]);
    for (uint32_t i = 0; i < nn; i++) {
        assert_true(nm[i].t_ms == d[0][i].t_ms);
        assert_true(abs(nm[i].lat_udeg - d[0][i].lat_udeg) <= 2);
        assert_true(abs(nm[i].lon_udeg - d[0][i].lon_udeg) <= 2);
        assert_int_equal(nm[i].value, 900); /* 9 m/s */
    }
    /* honest devices agree: every tile two drives share has one q, however
     * the readings are cut into batches of 60 */
    static cairn_sensor_tile t[3][64 * CAIRN_SENSOR_TILES_MAX];
    size_t nt[3] = {0};
    for (int k = 0; k < 3; k++)
        for (uint32_t b = 0; b < n[k]; b += 60) {
            uint16_t m;
            uint32_t len = n[k] - b < 60 ? n[k] - b : 60;
            assert_int_equal(
                sbatch_tiles(d[k] + b, len, 9, 10, t[k] + nt[k], &m), CAIRN_OK);
            nt[k] += m;
        }
    size_t shared = 0;
    for (int k = 0; k < 3; k++)
        for (int j = k + 1; j < 3; j++)
            for (size_t x = 0; x < nt[k]; x++)
                for (size_t y = 0; y < nt[j]; y++)
                    if (t[k][x].cell == t[j][y].cell) {
                        assert_true(t[k][x].q == t[j][y].q);
                        shared++;
                    }
    assert_true(shared >= 30);
    /* a forged device (values + 1000) disagrees on every tile */
    for (uint32_t i = 0; i < 60; i++)
        d[0][i].value += 1000;
    uint16_t m;
    cairn_sensor_tile f[CAIRN_SENSOR_TILES_MAX];
    assert_int_equal(sbatch_tiles(d[0], 60, 9, 10, f, &m), CAIRN_OK);
    for (uint16_t i = 0; i < m; i++)
        assert_true(f[i].q == t[0][i].q + 100);
    for (int k = 0; k < 3; k++)
        free(d[k]);
    free(nm);
}

static void replay(void **st)
{
    (void)st;
    ssrc *s;
    char why[256];
    sbatch_reading r, first;
    ssrc_opts o = {.rebase_ms = 5000000, .loop = 1};
    assert_int_equal(
        ssrc_open_drive(&s, drive_path("drive2.csv"), &o, why, sizeof why),
        CAIRN_OK);
    uint32_t n = ssrc_count(s);
    assert_int_equal(ssrc_next(s, &first, 10, why, sizeof why), SSRC_READING);
    assert_true(first.t_ms == 5000000);
    uint64_t last = first.t_ms;
    for (uint32_t i = 1; i < n; i++) {
        assert_int_equal(ssrc_next(s, &r, 10, why, sizeof why), SSRC_READING);
        assert_true(r.t_ms == last + 1000);
        last = r.t_ms;
    }
    /* the loop goes on after a gap, positions from the start again */
    assert_int_equal(ssrc_pass(s), 0);
    assert_int_equal(ssrc_next(s, &r, 10, why, sizeof why), SSRC_READING);
    assert_int_equal(ssrc_pass(s), 1);
    assert_true(r.t_ms == last + SSRC_LOOP_GAP_MS);
    assert_int_equal(r.lat_udeg, first.lat_udeg);
    ssrc_close(s);
    /* paced: at 10x, a second of drive is 100 ms; a 20 ms wait returns
     * WAIT (bounded: at most 50 tries) */
    o = (ssrc_opts){.speed_pm = 10000};
    assert_int_equal(
        ssrc_open_drive(&s, drive_path("drive2.csv"), &o, why, sizeof why),
        CAIRN_OK);
    assert_int_equal(ssrc_next(s, &r, 20, why, sizeof why), SSRC_READING);
    int waits = 0, k = SSRC_WAIT;
    while (k == SSRC_WAIT && waits < 50) {
        k = ssrc_next(s, &r, 20, why, sizeof why);
        waits += k == SSRC_WAIT;
    }
    assert_int_equal(k, SSRC_READING);
    assert_true(waits >= 1);
    ssrc_close(s);
}

/* --clock-phase: drive1 (9 m/s) at 2.2x and drive2 (11 m/s) at 1.8x both
 * cover the road at 19.8 m/s; opened at any moment, each starts where the
 * wall clock puts it, so both are at about the same place, and their
 * readings are stamped with the time they are replayed. */
static void clock_phase(void **st)
{
    (void)st;
    char why[256];
    ssrc *s1, *s2;
    sbatch_reading r1, r2;
    ssrc_opts o1 = {.speed_pm = 2200, .loop = 1, .clock_phase = 1};
    ssrc_opts o2 = {.speed_pm = 1800, .loop = 1, .clock_phase = 1};
    assert_int_equal(
        ssrc_open_drive(&s1, drive_path("drive1.csv"), &o1, why, sizeof why),
        CAIRN_OK);
    assert_int_equal(
        ssrc_open_drive(&s2, drive_path("drive2.csv"), &o2, why, sizeof why),
        CAIRN_OK);
    int k1 = SSRC_WAIT, k2 = SSRC_WAIT;
    for (int t = 0; t < 100 && k1 == SSRC_WAIT; t++)
        k1 = ssrc_next(s1, &r1, 20, why, sizeof why);
    for (int t = 0; t < 100 && k2 == SSRC_WAIT; t++)
        k2 = ssrc_next(s2, &r2, 20, why, sizeof why);
    assert_int_equal(k1, SSRC_READING);
    assert_int_equal(k2, SSRC_READING);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    /* stamped about now (a reading is due at most 1/1.8 s after the open,
     * and the wait above is bounded by 2 s) */
    assert_true(llabs((int64_t)r1.t_ms - now) < 3000);
    assert_true(llabs((int64_t)r2.t_ms - now) < 3000);
    /* the same stretch of road: within 200 m (3000 udeg of lon there) */
    assert_true(labs((long)r1.lon_udeg - (long)r2.lon_udeg) < 3000);
    ssrc_close(s1);
    ssrc_close(s2);
}

static void bad_files(void **st)
{
    (void)st;
    char path[] = "/tmp/cairn-drive-XXXXXX", why[256];
    ssrc *s;
    ssrc_opts o = {0};
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# a drive\n1000,1,1,1\n999,1,1,1\n", f);
    fclose(f);
    assert_int_equal(ssrc_open_drive(&s, path, &o, why, sizeof why),
                     CAIRN_ERR_BAD_ARG);
    assert_non_null(strstr(why, ":3:"));
    f = fopen(path, "w");
    fputs("1000,1,1,1\nnonsense\n", f);
    fclose(f);
    assert_int_equal(ssrc_open_drive(&s, path, &o, why, sizeof why),
                     CAIRN_ERR_BAD_ARG);
    assert_non_null(strstr(why, ":2: not a reading"));
    f = fopen(path, "w");
    fputs("# nothing\n", f);
    fclose(f);
    assert_int_equal(ssrc_open_drive(&s, path, &o, why, sizeof why),
                     CAIRN_ERR_NOT_FOUND);
    unlink(path);
    assert_int_equal(ssrc_open_drive(&s, path, &o, why, sizeof why),
                     CAIRN_ERR_IO);
    assert_int_equal(ssrc_open_gpsd(&s, "gpsd://nohost", &o, why, sizeof why),
                     CAIRN_ERR_BAD_ARG);
    assert_int_equal(
        ssrc_open_gpsd(&s, "gpsd://127.0.0.1:0", &o, why, sizeof why),
        CAIRN_ERR_BAD_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv),       cmocka_unit_test(times),
        cmocka_unit_test(nmea),      cmocka_unit_test(drives),
        cmocka_unit_test(replay),    cmocka_unit_test(clock_phase),
        cmocka_unit_test(bad_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
