/* Unit tests of the sensor batch file (src/sensor/batch.h): round trips
 * under each privilege, the wrong key and changed bytes refused, exact
 * lengths and bounds on untrusted bytes, sealed keys opened only by their
 * app, the key derivation against a fixed vector computed independently
 * (Python hashlib.blake2b), and the tiles: order of first entry, points,
 * floor-divided q (negative values included). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/crypto.h"
#include "sectors/wireless/hexgrid.h"
#include "sensor/batch.h"

#define N 40

static void readings(sbatch_reading *r, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        r[i].t_ms = 1000000 + 1000u * i;
        r[i].lat_udeg = 52520000 + (int32_t)i * 300; /* ~33 m a step */
        r[i].lon_udeg = 13400000 + (int32_t)i * 10;
        r[i].value = 1234 + (int64_t)(i % 3);
    }
}

static void make(uint8_t **f, size_t *len, uint8_t s[32], sbatch_reading *r)
{
    cairn_pubkey dev;
    char why[256];
    memset(dev.b, 7, sizeof dev.b);
    readings(r, N);
    assert_int_equal(sbatch_encode(f, len, s, &dev, 9, r, N, why, sizeof why),
                     CAIRN_OK);
    assert_int_equal(*len, SBATCH_FILE_LEN(N));
    assert_int_equal(*len, 128 + 32 * N);
}

static void round_trip(void **st)
{
    (void)st;
    uint8_t *f, s[32], k[32];
    size_t len;
    char why[256];
    sbatch_reading r[N], got[N];
    sbatch_view v;
    make(&f, &len, s, r);
    assert_int_equal(sbatch_parse(&v, f, len, why, sizeof why), CAIRN_OK);
    assert_int_equal(v.n, N);
    assert_int_equal(v.seq, 9);
    assert_int_equal(v.device.b[0], 7);
    /* ALL: everything */
    assert_int_equal(
        sbatch_open(&v, CAIRN_SENSOR_PRIV_ALL, s, got, why, sizeof why),
        CAIRN_OK);
    assert_memory_equal(got, r, sizeof r);
    /* LOCATION: positions and times, no values */
    assert_int_equal(sbatch_grant_key(k, CAIRN_SENSOR_PRIV_LOCATION, s),
                     CAIRN_OK);
    assert_int_equal(
        sbatch_open(&v, CAIRN_SENSOR_PRIV_LOCATION, k, got, why, sizeof why),
        CAIRN_OK);
    for (int i = 0; i < N; i++) {
        assert_int_equal(got[i].lat_udeg, r[i].lat_udeg);
        assert_int_equal(got[i].t_ms, r[i].t_ms);
        assert_int_equal(got[i].value, 0);
    }
    /* the location key cannot open telemetry */
    assert_int_equal(
        sbatch_open(&v, CAIRN_SENSOR_PRIV_TELEMETRY, k, got, why, sizeof why),
        CAIRN_ERR_DECRYPT);
    assert_non_null(strstr(why, "telemetry"));
    /* TELEMETRY: values and times, no positions */
    assert_int_equal(sbatch_grant_key(k, CAIRN_SENSOR_PRIV_TELEMETRY, s),
                     CAIRN_OK);
    assert_int_equal(
        sbatch_open(&v, CAIRN_SENSOR_PRIV_TELEMETRY, k, got, why, sizeof why),
        CAIRN_OK);
    for (int i = 0; i < N; i++) {
        assert_int_equal(got[i].value, r[i].value);
        assert_int_equal(got[i].lat_udeg, 0);
    }
    /* a telemetry key given as ALL fails */
    assert_int_equal(
        sbatch_open(&v, CAIRN_SENSOR_PRIV_ALL, k, got, why, sizeof why),
        CAIRN_ERR_DECRYPT);
    assert_int_equal(sbatch_open(&v, 0, k, got, why, sizeof why),
                     CAIRN_ERR_BAD_ARG);
    assert_int_equal(sbatch_grant_key(k, 4, s), CAIRN_ERR_BAD_ARG);
    /* a changed header byte (the AD) or cipher byte fails */
    f[40] ^= 1; /* seq */
    assert_int_equal(sbatch_parse(&v, f, len, why, sizeof why), CAIRN_OK);
    assert_int_equal(
        sbatch_open(&v, CAIRN_SENSOR_PRIV_ALL, s, got, why, sizeof why),
        CAIRN_ERR_DECRYPT);
    f[40] ^= 1;
    f[len - 1] ^= 0x80;
    assert_int_equal(sbatch_parse(&v, f, len, why, sizeof why), CAIRN_OK);
    assert_int_equal(
        sbatch_open(&v, CAIRN_SENSOR_PRIV_ALL, s, got, why, sizeof why),
        CAIRN_ERR_DECRYPT);
    /* two encodings of the same readings differ (fresh S and nonces) */
    uint8_t *f2, s2[32];
    size_t len2;
    make(&f2, &len2, s2, r);
    assert_memory_not_equal(s, s2, 32);
    cairn_hash h1, h2;
    f[len - 1] ^= 0x80;
    sbatch_content(&h1, f, len);
    sbatch_content(&h2, f2, len2);
    assert_memory_not_equal(h1.b, h2.b, 32);
    free(f);
    free(f2);
}

static void parse_bounds(void **st)
{
    (void)st;
    uint8_t *f, s[32];
    size_t len;
    char why[256];
    sbatch_reading r[N];
    sbatch_view v;
    make(&f, &len, s, r);
    for (size_t cut = 0; cut < len; cut += 7)
        assert_int_equal(sbatch_parse(&v, f, cut, why, sizeof why),
                         CAIRN_ERR_TRUNCATED);
    uint8_t *g = malloc(len + 1);
    memcpy(g, f, len);
    g[len] = 0;
    assert_int_equal(sbatch_parse(&v, g, len + 1, why, sizeof why),
                     CAIRN_ERR_TRAILING);
    free(g);
    f[0] = 'X';
    assert_int_equal(sbatch_parse(&v, f, len, why, sizeof why),
                     CAIRN_ERR_BAD_BODY);
    assert_non_null(strstr(why, "CSB1"));
    f[0] = 'C';
    uint8_t n0[4] = {0}, big[4] = {0x01, 0x40, 0, 0}; /* 16385 */
    memcpy(f + 44, n0, 4);
    assert_int_equal(sbatch_parse(&v, f, len, why, sizeof why),
                     CAIRN_ERR_TOO_LARGE);
    memcpy(f + 44, big, 4);
    assert_int_equal(sbatch_parse(&v, f, len, why, sizeof why),
                     CAIRN_ERR_TOO_LARGE);
    uint8_t huge[4] = {0xff, 0xff, 0xff, 0xff};
    memcpy(f + 44, huge, 4);
    assert_int_equal(sbatch_parse(&v, f, len, why, sizeof why),
                     CAIRN_ERR_TOO_LARGE);
    free(f);
    /* encode refuses bad readings */
    cairn_pubkey dev = {{0}};
    readings(r, N);
    r[5].t_ms = r[4].t_ms - 1;
    assert_int_equal(sbatch_encode(&f, &len, s, &dev, 1, r, N, why, sizeof why),
                     CAIRN_ERR_BAD_ARG);
    assert_non_null(strstr(why, "time order"));
    readings(r, N);
    r[3].lat_udeg = 90000001;
    assert_int_equal(sbatch_encode(&f, &len, s, &dev, 1, r, N, why, sizeof why),
                     CAIRN_ERR_BAD_ARG);
    assert_int_equal(sbatch_encode(&f, &len, s, &dev, 1, r, 0, why, sizeof why),
                     CAIRN_ERR_TOO_LARGE);
}

/* K_loc/K_tel of S = 00 01 .. 1f, computed independently in Python:
 * hashlib.blake2b(b"cairn-sensor-loc", digest_size=32, key=bytes(range(32)))
 * (and "cairn-sensor-tel"). */
static void key_vector(void **st)
{
    (void)st;
    static const char *want_loc =
        "8ea3d938f1b08dfb61937cab2f250335ec5f25278cf22d5e646731fc0aaa801b";
    static const char *want_tel =
        "101248abecfe3cf9be2c414d523b2758a8ede4bb39e5dfdba27a02b6d923db3c";
    uint8_t s[32], kl[32], kt[32], g[32];
    char hex[65];
    for (int i = 0; i < 32; i++)
        s[i] = (uint8_t)i;
    sbatch_keys(s, kl, kt);
    sodium_bin2hex(hex, sizeof hex, kl, 32);
    assert_string_equal(hex, want_loc);
    sodium_bin2hex(hex, sizeof hex, kt, 32);
    assert_string_equal(hex, want_tel);
    assert_int_equal(sbatch_grant_key(g, CAIRN_SENSOR_PRIV_ALL, s), CAIRN_OK);
    assert_memory_equal(g, s, 32);
    assert_int_equal(sbatch_grant_key(g, CAIRN_SENSOR_PRIV_TELEMETRY, s),
                     CAIRN_OK);
    assert_memory_equal(g, kt, 32);
}

static void seal(void **st)
{
    (void)st;
    cairn_keypair app, other;
    uint8_t box[CAIRN_SENSOR_SEALED_LEN], fk[32], gk[32], fk2[32], gk2[32];
    cairn_keypair_generate(&app);
    cairn_keypair_generate(&other);
    randombytes_buf(fk, 32);
    randombytes_buf(gk, 32);
    assert_int_equal(sbatch_seal(box, &app.pk, fk, gk), CAIRN_OK);
    assert_int_equal(sbatch_seal_open(fk2, gk2, box, &app), CAIRN_OK);
    assert_memory_equal(fk, fk2, 32);
    assert_memory_equal(gk, gk2, 32);
    assert_int_equal(sbatch_seal_open(fk2, gk2, box, &other),
                     CAIRN_ERR_DECRYPT);
    box[50] ^= 1;
    assert_int_equal(sbatch_seal_open(fk2, gk2, box, &app), CAIRN_ERR_DECRYPT);
    cairn_pubkey bad;
    memset(bad.b, 0, sizeof bad.b); /* a small-order point */
    assert_int_equal(sbatch_seal(box, &bad, fk, gk), CAIRN_ERR_BAD_KEY);
}

/* What an app does with a batch: the agent seals file key ‖ grant key to
 * each grantee per its privileges; each app opens its own box and decrypts
 * exactly what it was granted; an app without a box (no grant) holds no
 * key, and another app's box does not open with its key. */
static void app_path(void **st)
{
    (void)st;
    uint8_t *f, s[32], fkey[32], gk[32], fk2[32], gk2[32];
    size_t len;
    char why[256];
    sbatch_reading r[N], got[N];
    sbatch_view v;
    make(&f, &len, s, r);
    randombytes_buf(fkey, sizeof fkey);
    cairn_keypair apps[3], stranger;
    uint32_t privs[3] = {CAIRN_SENSOR_PRIV_ALL, CAIRN_SENSOR_PRIV_LOCATION,
                         CAIRN_SENSOR_PRIV_TELEMETRY};
    uint8_t box[3][CAIRN_SENSOR_SEALED_LEN];
    cairn_keypair_generate(&stranger);
    for (int i = 0; i < 3; i++) {
        cairn_keypair_generate(&apps[i]);
        assert_int_equal(sbatch_grant_key(gk, privs[i], s), CAIRN_OK);
        assert_int_equal(sbatch_seal(box[i], &apps[i].pk, fkey, gk), CAIRN_OK);
    }
    assert_int_equal(sbatch_parse(&v, f, len, why, sizeof why), CAIRN_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(sbatch_seal_open(fk2, gk2, box[i], &apps[i]),
                         CAIRN_OK);
        assert_memory_equal(fk2, fkey, 32);
        assert_int_equal(sbatch_open(&v, privs[i], gk2, got, why, sizeof why),
                         CAIRN_OK);
        for (int j = 0; j < N; j++) {
            int loc = privs[i] & CAIRN_SENSOR_PRIV_LOCATION;
            int tel = privs[i] & CAIRN_SENSOR_PRIV_TELEMETRY;
            assert_int_equal(got[j].t_ms, r[j].t_ms);
            assert_int_equal(got[j].lat_udeg, loc ? r[j].lat_udeg : 0);
            assert_int_equal(got[j].value, tel ? r[j].value : 0);
        }
        /* a location key cannot pass for ALL, a telemetry key for location */
        if (privs[i] != CAIRN_SENSOR_PRIV_ALL)
            assert_int_equal(sbatch_open(&v, CAIRN_SENSOR_PRIV_ALL, gk2, got,
                                         why, sizeof why),
                             CAIRN_ERR_DECRYPT);
        /* no other key opens this box */
        assert_int_equal(sbatch_seal_open(fk2, gk2, box[i], &stranger),
                         CAIRN_ERR_DECRYPT);
        assert_int_equal(sbatch_seal_open(fk2, gk2, box[i], &apps[(i + 1) % 3]),
                         CAIRN_ERR_DECRYPT);
    }
    /* the content hash is the plaintext file's BLAKE2b-256 */
    cairn_hash h;
    uint8_t want[32];
    sbatch_content(&h, f, len);
    crypto_generichash(want, 32, f, len, NULL, 0);
    assert_memory_equal(h.b, want, 32);
    free(f);
}

static void floors(void **st)
{
    (void)st;
    assert_int_equal(sbatch_floor_div(7, 2), 3);
    assert_int_equal(sbatch_floor_div(-7, 2), -4);
    assert_int_equal(sbatch_floor_div(-8, 2), -4);
    assert_int_equal(sbatch_floor_div(0, 10), 0);
    assert_int_equal(sbatch_floor_div(-1, 10), -1);
}

static void tiles(void **st)
{
    (void)st;
    /* three cells A, B, A again, C: A counted once with both visits */
    sbatch_reading r[7];
    uint64_t a, b, c;
    int32_t lat0 = 52520000, lon0 = 13400000;
    assert_int_equal(hexg_cell(lat0, lon0, 9, &a), CAIRN_OK);
    assert_int_equal(hexg_cell(lat0 + 4000, lon0, 9, &b), CAIRN_OK);
    assert_int_equal(hexg_cell(lat0 + 8000, lon0, 9, &c), CAIRN_OK);
    assert_true(a != b && b != c && a != c);
    int32_t lats[7] = {lat0,        lat0,        lat0 + 4000, lat0,
                       lat0 + 8000, lat0 + 8000, lat0 + 8000};
    int64_t vals[7] = {100, 109, -5, 120, -1, -2, -30};
    for (int i = 0; i < 7; i++) {
        r[i].t_ms = 5000 + 100u * i;
        r[i].lat_udeg = lats[i];
        r[i].lon_udeg = lon0;
        r[i].value = vals[i];
    }
    cairn_sensor_tile t[CAIRN_SENSOR_TILES_MAX];
    uint16_t nt;
    assert_int_equal(sbatch_tiles(r, 7, 9, 10, t, &nt), CAIRN_OK);
    assert_int_equal(nt, 3);
    assert_true(t[0].cell == a && t[1].cell == b && t[2].cell == c);
    assert_int_equal(t[0].enter_ms, 0);
    assert_int_equal(t[1].enter_ms, 200);
    assert_int_equal(t[2].enter_ms, 400);
    assert_int_equal(t[0].points, 3);
    assert_int_equal(t[1].points, 1);
    assert_int_equal(t[2].points, 3);
    /* A: mean floor(329/3) = 109, q = 10; B: -5 -> q -1; C: -33/3 = -11,
     * q = floor(-11/10) = -2 */
    assert_int_equal(t[0].q, 10);
    assert_int_equal(t[1].q, -1);
    assert_int_equal(t[2].q, -2);
    assert_int_equal(sbatch_tiles(r, 7, 9, 0, t, &nt), CAIRN_ERR_BAD_ARG);
    /* a 257th tile is refused and not added */
    sbatch_tiler *tl = malloc(sizeof *tl);
    sbatch_tiler_init(tl, 9);
    sbatch_reading x = {.t_ms = 1, .lon_udeg = lon0, .value = 1};
    cairn_err e = CAIRN_OK;
    int added = 0;
    for (int i = 0; i < 400 && !e; i++) {
        x.lat_udeg = lat0 + 4000 * i;
        e = sbatch_tiler_add(tl, &x);
        added += !e;
    }
    assert_int_equal(e, CAIRN_ERR_TOO_LARGE);
    assert_int_equal(added, CAIRN_SENSOR_TILES_MAX);
    assert_int_equal(tl->ntiles, CAIRN_SENSOR_TILES_MAX);
    free(tl);
}

int main(void)
{
    cairn_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip), cmocka_unit_test(parse_bounds),
        cmocka_unit_test(key_vector), cmocka_unit_test(seal),
        cmocka_unit_test(floors),     cmocka_unit_test(app_path),
        cmocka_unit_test(tiles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
