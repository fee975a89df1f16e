/* Unit tests of the wireless sector's hex grid (src/sectors/wireless/
 * hexgrid.h): the vectors of tests/vectors/hexgrid_vectors.txt (written by
 * the independent Python reference hexgrid_ref.py) reproduced exactly, range
 * and id validation, and properties over many deterministic points: a
 * center maps back to its cell, neighbors are one step away and distinct,
 * parents compose, distances are symmetric. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sectors/wireless/hexgrid.h"

#define MAXLINE 512

static uint64_t hex_id(const char *s)
{
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 16);
    assert_true(end && *end == '\0');
    return (uint64_t)v;
}

static int64_t dec(const char *s)
{
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    assert_true(end && *end == '\0');
    return (int64_t)v;
}

/* Splits line at spaces into at most max fields; returns how many. */
static size_t split(char *line, char **f, size_t max)
{
    size_t n = 0;
    for (char *p = line; *p && n < max;) {
        while (*p == ' ')
            *p++ = '\0';
        if (!*p)
            break;
        f[n++] = p;
        while (*p && *p != ' ')
            p++;
    }
    return n;
}

static void check_line(char **f, size_t n, size_t *counts)
{
    uint64_t id;
    if (strcmp(f[0], "cell") == 0 && n == 5) {
        assert_int_equal(hexg_cell((int32_t)dec(f[1]), (int32_t)dec(f[2]),
                                   (unsigned)dec(f[3]), &id),
                         CAIRN_OK);
        assert_int_equal(id, hex_id(f[4]));
        counts[0]++;
    } else if (strcmp(f[0], "center") == 0 && n == 4) {
        int64_t lat, lon;
        assert_int_equal(hexg_center(hex_id(f[1]), &lat, &lon), CAIRN_OK);
        assert_int_equal(lat, dec(f[2]));
        assert_int_equal(lon, dec(f[3]));
        counts[1]++;
    } else if (strcmp(f[0], "parent") == 0 && n == 4) {
        assert_int_equal(hexg_parent(hex_id(f[1]), (unsigned)dec(f[2]), &id),
                         CAIRN_OK);
        assert_int_equal(id, hex_id(f[3]));
        counts[2]++;
    } else if (strcmp(f[0], "nbr") == 0 && n == 8) {
        uint64_t nb[6];
        assert_int_equal(hexg_neighbors(hex_id(f[1]), nb), CAIRN_OK);
        for (size_t i = 0; i < 6; i++)
            assert_int_equal(nb[i], hex_id(f[2 + i]));
        counts[3]++;
    } else if (strcmp(f[0], "gdist") == 0 && n == 4) {
        assert_int_equal(hexg_grid_distance(hex_id(f[1]), hex_id(f[2]), &id),
                         CAIRN_OK);
        assert_int_equal(id, (uint64_t)dec(f[3]));
        counts[4]++;
    } else if (strcmp(f[0], "dist") == 0 && n == 6) {
        assert_int_equal(hexg_distance_m((int32_t)dec(f[1]), (int32_t)dec(f[2]),
                                         (int32_t)dec(f[3]), (int32_t)dec(f[4]),
                                         &id),
                         CAIRN_OK);
        assert_int_equal(id, (uint64_t)dec(f[5]));
        counts[5]++;
    } else {
        fail_msg("unknown vector line: %s", f[0]);
    }
}

static void python_vectors(void **st)
{
    (void)st;
    const char *src = getenv("CAIRN_SRC");
    assert_non_null(src);
    char path[1024], line[MAXLINE];
    snprintf(path, sizeof path, "%s/tests/vectors/hexgrid_vectors.txt", src);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    size_t counts[6] = {0};
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *f[10];
        size_t n = split(line, f, 10);
        assert_true(n > 0);
        check_line(f, n, counts);
    }
    fclose(fp);
    for (size_t i = 0; i < 6; i++)
        assert_true(counts[i] >= 100);
}

static void bad_args(void **st)
{
    (void)st;
    uint64_t id, nb[6];
    int64_t lat, lon;
    assert_int_equal(hexg_cell(90000001, 0, 5, &id), CAIRN_ERR_BAD_ARG);
    assert_int_equal(hexg_cell(-90000001, 0, 5, &id), CAIRN_ERR_BAD_ARG);
    assert_int_equal(hexg_cell(0, 180000000, 5, &id), CAIRN_ERR_BAD_ARG);
    assert_int_equal(hexg_cell(0, -180000001, 5, &id), CAIRN_ERR_BAD_ARG);
    assert_int_equal(hexg_cell(0, 0, 13, &id), CAIRN_ERR_BAD_ARG);
    assert_int_equal(hexg_cell(90000000, -180000000, 12, &id), CAIRN_OK);
    assert_true(hexg_valid(id));
    uint64_t good;
    assert_int_equal(hexg_cell(1000000, 2000000, 7, &good), CAIRN_OK);
    uint64_t bad[] = {
        good | (1ull << 63), (good & ~(0xFull << 56)) | (13ull << 56),
        (12ull << 56) | (0x7FFFFFFull << 28), (0ull << 56) | 0x7FFFFFFull};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(hexg_valid(bad[i]));
        assert_int_equal(hexg_center(bad[i], &lat, &lon), CAIRN_ERR_BAD_ARG);
        assert_int_equal(hexg_neighbors(bad[i], nb), CAIRN_ERR_BAD_ARG);
        assert_int_equal(hexg_parent(bad[i], 0, &id), CAIRN_ERR_BAD_ARG);
        assert_int_equal(hexg_grid_distance(bad[i], good, &id),
                         CAIRN_ERR_BAD_ARG);
    }
    assert_int_equal(hexg_parent(good, 8, &id), CAIRN_ERR_BAD_ARG);
    assert_int_equal(hexg_parent(good, 7, &id), CAIRN_OK);
    assert_int_equal(id, good);
    uint64_t other;
    assert_int_equal(hexg_cell(1000000, 2000000, 6, &other), CAIRN_OK);
    assert_int_equal(hexg_grid_distance(good, other, &id), CAIRN_ERR_BAD_ARG);
    assert_int_equal(hexg_distance_m(0, 0, 0, 180000000, &id),
                     CAIRN_ERR_BAD_ARG);
    assert_int_equal(hexg_distance_m(90000001, 0, 0, 0, &id),
                     CAIRN_ERR_BAD_ARG);
}

static uint64_t lcg_state = 0x243F6A8885A308D3ull;

static uint64_t next(void)
{
    lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
    return lcg_state >> 16;
}

static void rand_point(int32_t *lat, int32_t *lon)
{
    *lat = (int32_t)(next() % 180000001u) - 90000000;
    *lon = (int32_t)(next() % 360000000u) - 180000000;
}

static void properties(void **st)
{
    (void)st;
    int round_trips = 0;
    for (int i = 0; i < 4000; i++) {
        int32_t lat, lon;
        rand_point(&lat, &lon);
        unsigned res = (unsigned)(i % 13);
        uint64_t c, back, nb[6], d, p;
        assert_int_equal(hexg_cell(lat, lon, res, &c), CAIRN_OK);
        assert_true(hexg_valid(c));
        assert_int_equal(hexg_res(c), res);
        int64_t clat, clon;
        assert_int_equal(hexg_center(c, &clat, &clon), CAIRN_OK);
        /* Away from poles and zone seams the center maps back. */
        int64_t off = ((int64_t)lon + 180000000) % HEXG_ZONE;
        if (res >= 5 && lat > -80000000 && lat < 80000000 && off > 1000000 &&
            off < HEXG_ZONE - 1000000) {
            assert_int_equal(
                hexg_cell((int32_t)clat, (int32_t)clon, res, &back), CAIRN_OK);
            assert_int_equal(back, c);
            round_trips++;
        }
        assert_int_equal(hexg_neighbors(c, nb), CAIRN_OK);
        for (size_t k = 0; k < 6; k++) {
            assert_true(hexg_valid(nb[k]));
            assert_int_equal(hexg_grid_distance(c, nb[k], &d), CAIRN_OK);
            assert_int_equal(d, 1);
            for (size_t j = 0; j < k; j++)
                assert_true(nb[j] != nb[k]);
        }
        unsigned a = res ? (unsigned)(next() % res) : 0;
        unsigned b = a ? (unsigned)(next() % (a + 1)) : 0;
        uint64_t pa, pab;
        assert_int_equal(hexg_parent(c, a, &pa), CAIRN_OK);
        assert_int_equal(hexg_parent(pa, b, &pab), CAIRN_OK);
        assert_int_equal(hexg_parent(c, b, &p), CAIRN_OK);
        assert_int_equal(pab, p);
        int32_t lat2, lon2;
        rand_point(&lat2, &lon2);
        uint64_t d1, d2, c2, g1, g2;
        assert_int_equal(hexg_distance_m(lat, lon, lat2, lon2, &d1), CAIRN_OK);
        assert_int_equal(hexg_distance_m(lat2, lon2, lat, lon, &d2), CAIRN_OK);
        assert_int_equal(d1, d2);
        assert_true(d1 <= HEXG_HALF_CIRCLE_M);
        assert_int_equal(hexg_distance_m(lat, lon, lat, lon, &d1), CAIRN_OK);
        assert_int_equal(d1, 0);
        assert_int_equal(hexg_cell(lat2, lon2, res, &c2), CAIRN_OK);
        assert_int_equal(hexg_grid_distance(c, c2, &g1), CAIRN_OK);
        assert_int_equal(hexg_grid_distance(c2, c, &g2), CAIRN_OK);
        assert_int_equal(g1, g2);
    }
    assert_true(round_trips > 1000);
}

/* A cell at res 12 is 10-20 m across: points 1 m apart share a cell or are
 * neighbors; points 100 m apart at the equator are several steps apart. */
static void sizes(void **st)
{
    (void)st;
    uint64_t a, b, d;
    assert_int_equal(hexg_cell(0, 0, 12, &a), CAIRN_OK);
    assert_int_equal(hexg_cell(0, 9, 12, &b), CAIRN_OK); /* ~1 m east */
    assert_int_equal(hexg_grid_distance(a, b, &d), CAIRN_OK);
    assert_true(d <= 1);
    assert_int_equal(hexg_cell(0, 899, 12, &b), CAIRN_OK); /* ~100 m east */
    assert_int_equal(hexg_grid_distance(a, b, &d), CAIRN_OK);
    assert_true(d >= 5 && d <= 7);
    assert_int_equal(hexg_distance_m(0, 0, 0, 899, &d), CAIRN_OK);
    assert_int_equal(d, 100);
    /* At the equator a zone seam (165 W) is seamless: 100 m across it is
     * as many steps as anywhere. */
    assert_int_equal(hexg_cell(0, -165000450, 12, &a), CAIRN_OK);
    assert_int_equal(hexg_cell(0, -164999551, 12, &b), CAIRN_OK);
    assert_int_equal(hexg_grid_distance(a, b, &d), CAIRN_OK);
    assert_true(d >= 5 && d <= 7);
    /* One degree of latitude on the sphere: 111195 m. */
    assert_int_equal(hexg_distance_m(0, 0, 1000000, 0, &d), CAIRN_OK);
    assert_int_equal(d, 111195);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(python_vectors),
        cmocka_unit_test(bad_args),
        cmocka_unit_test(properties),
        cmocka_unit_test(sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
