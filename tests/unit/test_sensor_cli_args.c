/* Unit tests of `cairn sensor`'s arguments (src/sensor/cli/scli.h): cells
 * (decimal, 0x-hex, --lat/--lon), privileges, counts, amounts, times and
 * addresses parsed, bad input refused with a message that says what to
 * give; cmd_sensor refusing bad input before it reaches a node (the node
 * URL points at a closed port); and the read path's decrypt end
 * (src/sensor/client/sread.h) on a batch the agent's batch.c makes: the
 * sealed key from the node's JSON opened, the content hash checked, the
 * sections the grant key opens decrypted (the privileges found when the
 * hint is wrong), and the CSV with only the columns opened. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/codec.h"
#include "cairn/sensor.h"
#include "cli/cli.h"
#include "sectors/wireless/hexgrid.h"
#include "sensor/batch.h"
#include "sensor/cli/scli.h"
#include "sensor/cli/sensor_cli.h"
#include "sensor/client/sread.h"

static char msg[SCLI_MSG_MAX];

static void has(const char *needle)
{
    if (!strstr(msg, needle))
        fail_msg("message \"%s\" lacks \"%s\"", msg, needle);
}

static void cells(void **state)
{
    (void)state;
    uint64_t c, want, got;
    char dec[32], hex[32];
    assert_int_equal(hexg_cell(52520000, 13400000, 9, &want), CAIRN_OK);
    snprintf(dec, sizeof dec, "%llu", (unsigned long long)want);
    snprintf(hex, sizeof hex, "0x%llx", (unsigned long long)want);
    assert_int_equal(scli_parse_cell(dec, &got, msg, sizeof msg), 0);
    assert_true(got == want);
    got = 0;
    assert_int_equal(scli_parse_cell(hex, &got, msg, sizeof msg), 0);
    assert_true(got == want);
    hex[1] = 'X';
    assert_int_equal(scli_parse_cell(hex, &got, msg, sizeof msg), 0);
    assert_true(got == want);
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)want);
    got = 0; /* as the node prints it (cell_hex) */
    assert_int_equal(scli_parse_cell(hex, &got, msg, sizeof msg), 0);
    assert_true(got == want);
    /* refused, each with what to give */
    const char *bad[] = {
        "", "0x", "0xZZ", "12ab", "-5", "0x1234567890abcdef0", "1e5", " 12"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        c = 7;
        assert_int_equal(scli_parse_cell(bad[i], &c, msg, sizeof msg), 1);
        assert_true(c == 7);
        has("decimal or 0x-hex");
    }
    /* a number, but not a cell: reserved bits, resolution 13 */
    assert_int_equal(scli_parse_cell("0xf000000000000000", &c, msg, sizeof msg),
                     1);
    has("not a valid hex-grid cell");
    assert_int_equal(scli_parse_cell("0x0d00000000000000", &c, msg, sizeof msg),
                     1);
    has("not a valid hex-grid cell");
    /* --lat/--lon: the cell there at the given resolution */
    assert_int_equal(scli_cell_at("52.52", "13.4", 9, &got, msg, sizeof msg),
                     0);
    assert_true(got == want);
    assert_int_equal(
        scli_cell_at("52.520000", "13.400000", 9, &got, msg, sizeof msg), 0);
    assert_true(got == want);
    assert_int_equal(scli_cell_at("-33.86", "151.2", 9, &got, msg, sizeof msg),
                     0);
    assert_int_equal(scli_cell_at("91", "13", 9, &got, msg, sizeof msg), 1);
    has("--lat \"91\"");
    assert_int_equal(scli_cell_at("52", "180", 9, &got, msg, sizeof msg), 1);
    has("--lon \"180\"");
    assert_int_equal(scli_cell_at("52.1234567", "13", 9, &got, msg, sizeof msg),
                     1);
    has("6 decimals");
    assert_int_equal(scli_cell_at("north", "13", 9, &got, msg, sizeof msg), 1);
    assert_int_equal(scli_cell_at("52", NULL, 9, &got, msg, sizeof msg), 1);
    has("both --lat and --lon");
}

static void privileges(void **state)
{
    (void)state;
    uint32_t p;
    char t[40];
    struct {
        const char *s;
        uint32_t want;
    } good[] = {{"all", CAIRN_SENSOR_PRIV_ALL},
                {"location", CAIRN_SENSOR_PRIV_LOCATION},
                {"telemetry", CAIRN_SENSOR_PRIV_TELEMETRY},
                {"location,telemetry", CAIRN_SENSOR_PRIV_ALL},
                {"telemetry,location", CAIRN_SENSOR_PRIV_ALL}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_int_equal(scli_parse_privs(good[i].s, &p, msg, sizeof msg), 0);
        assert_int_equal(p, good[i].want);
    }
    assert_int_equal(scli_parse_privs("gps", &p, msg, sizeof msg), 1);
    has("unknown privilege \"gps\"");
    has("location, telemetry");
    assert_int_equal(scli_parse_privs("location,location", &p, msg, sizeof msg),
                     1);
    has("repeated \"location\"");
    assert_int_equal(scli_parse_privs("location,", &p, msg, sizeof msg), 1);
    has("ends in a comma");
    assert_int_equal(scli_parse_privs("", &p, msg, sizeof msg), 1);
    assert_int_equal(scli_parse_privs("ALL", &p, msg, sizeof msg), 1);
    assert_int_equal(scli_parse_privs("all,location", &p, msg, sizeof msg), 1);
    scli_privs_text(CAIRN_SENSOR_PRIV_ALL, t, sizeof t);
    assert_string_equal(t, "location,telemetry");
    scli_privs_text(CAIRN_SENSOR_PRIV_TELEMETRY, t, sizeof t);
    assert_string_equal(t, "telemetry");
    scli_privs_text(CAIRN_SENSOR_PRIV_LOCATION, t, sizeof t);
    assert_string_equal(t, "location");
}

static void numbers(void **state)
{
    (void)state;
    uint64_t v;
    cairn_keypair kp;
    cairn_pubkey pk;
    char a[CAIRN_ADDR_TEXT_LEN + 1];
    assert_int_equal(
        scli_parse_count("12", UINT32_MAX, "--periods", &v, msg, sizeof msg),
        0);
    assert_true(v == 12);
    const char *bad[] = {"0", "-1", "", "1.5", "4294967296", "x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(scli_parse_count(bad[i], UINT32_MAX, "--periods", &v,
                                          msg, sizeof msg),
                         1);
        has("--periods");
        has("whole number from 1 to 4294967295");
    }
    assert_int_equal(
        scli_parse_tokens("2.5", "--price", 1, &v, msg, sizeof msg), 0);
    assert_true(v == 2500000);
    assert_int_equal(scli_parse_tokens("0", "--price", 1, &v, msg, sizeof msg),
                     0);
    assert_true(v == 0);
    assert_int_equal(scli_parse_tokens("0", "AMOUNT", 0, &v, msg, sizeof msg),
                     1);
    has("above 0");
    assert_int_equal(
        scli_parse_tokens("1.1234567", "--price", 1, &v, msg, sizeof msg), 1);
    has("at most 6 decimals");
    assert_int_equal(
        scli_parse_tokens("-3", "--max-price", 1, &v, msg, sizeof msg), 1);
    has("--max-price \"-3\"");
    assert_int_equal(
        scli_parse_ms("1733200000000", "--from", &v, msg, sizeof msg), 0);
    assert_true(v == 1733200000000ull);
    assert_int_equal(scli_parse_ms("2024-12-03", "--from", &v, msg, sizeof msg),
                     1);
    has("milliseconds since 1970");
    cairn_keypair_generate(&kp);
    cairn_addr_format(a, &kp.pk);
    assert_int_equal(scli_parse_addr(a, "APP", &pk, msg, sizeof msg), 0);
    assert_memory_equal(pk.b, kp.pk.b, sizeof pk.b);
    a[10] ^= 1; /* a checksum or hex digit broken */
    assert_int_equal(scli_parse_addr(a, "APP", &pk, msg, sizeof msg), 1);
    has("is not an address");
    assert_int_equal(scli_parse_addr("bob", "DEVICE", &pk, msg, sizeof msg), 1);
    has("DEVICE \"bob\"");
}

/* Runs `cairn sensor ARGS...` against a node that is not there. */
static int run(int argc, const char **argv)
{
    char *v[16];
    for (int i = 0; i < argc; i++)
        v[i] = (char *)argv[i];
    cli.node = "http://127.0.0.1:1";
    return cmd_sensor(argc, v);
}
#define RUN(...)                                                               \
    run((int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)),   \
        (const char *[]){__VA_ARGS__})

static void commands(void **state)
{
    (void)state;
    cairn_keypair a, b;
    char da[CAIRN_ADDR_TEXT_LEN + 1], db[CAIRN_ADDR_TEXT_LEN + 1];
    cairn_keypair_generate(&a);
    cairn_keypair_generate(&b);
    cairn_addr_format(da, &a.pk);
    cairn_addr_format(db, &b.pk);
    assert_int_equal(run(0, NULL), 2);
    assert_int_equal(RUN("--help"), 0);
    assert_int_equal(RUN("map", "--help"), 0);
    assert_int_equal(RUN("read", "--help"), 0);
    assert_int_equal(RUN("frobnicate"), 1);
    assert_int_equal(RUN("map", "frobnicate"), 1);
    assert_int_equal(RUN("grant", da, db, "--bogus", "1"), 2);
    /* each refused before any network (a node call would fail the same,
     * but these are refused for their arguments: see the messages) */
    assert_int_equal(RUN("pair"), 1);
    assert_int_equal(RUN("grant", da), 1);
    assert_int_equal(RUN("grant", da, db, "--privileges", "all"), 1);
    assert_int_equal(RUN("grant", "nodevice", db, "--privileges", "all",
                         "--expiry-epochs", "5", "--price", "1"),
                     1);
    assert_int_equal(RUN("grant", da, db, "--privileges", "gps",
                         "--expiry-epochs", "5", "--price", "1"),
                     1);
    assert_int_equal(RUN("grant", da, db, "--privileges", "all",
                         "--expiry-epochs", "0", "--price", "1"),
                     1);
    assert_int_equal(RUN("revoke", da), 1);
    assert_int_equal(RUN("transfer", da, "nobody"), 1);
    assert_int_equal(RUN("transfer", da, da), 1);
    assert_int_equal(RUN("pay", da, "--periods", "0", "--max-price", "1"), 1);
    assert_int_equal(RUN("pay", da, "--periods", "2"), 1);
    assert_int_equal(RUN("read", da, "--from", "5", "--to", "4"), 1);
    assert_int_equal(RUN("read", da, "--from", "yesterday", "--to", "4"), 1);
    assert_int_equal(RUN("read", da, "--to", "4"), 1);
    assert_int_equal(RUN("map", "tile", "0xZZ"), 1);
    assert_int_equal(RUN("map", "tile"), 1);
    assert_int_equal(RUN("map", "get", "12ab"), 1);
    assert_int_equal(RUN("map", "bounty", "0xZZ", "5", "--epochs", "3"), 1);
    assert_int_equal(RUN("map", "bounty", "1", "0", "--epochs", "3"), 1);
    assert_int_equal(RUN("map", "bounty", "1", "5"), 1);
    assert_int_equal(RUN("map", "bounty", "1", "5", "--epochs", "0"), 1);
    assert_int_equal(RUN("map", "tile", "5", "--lat", "1", "--lon", "2"), 1);
    /* well-formed: it gets as far as the node, which is not there */
    assert_int_equal(RUN("map", "tiles"), 1);
}

#define NREAD 30

static void readings(sbatch_reading *r)
{
    for (uint32_t i = 0; i < NREAD; i++) {
        r[i].t_ms = 1733200000000ull + 1000u * i;
        r[i].lat_udeg = -33860000 + (int32_t)i * 300;
        r[i].lon_udeg = 151200000 + (int32_t)i * 10;
        r[i].value = -5 + (int64_t)i;
    }
}

/* The node's JSON of one batch with a key sealed to app. */
static json_t *batch_json(const cairn_hash *content, const uint8_t *box,
                          const char *app)
{
    char c[65], f[33], b[2 * CAIRN_SENSOR_SEALED_LEN + 1];
    uint8_t fid[CAIRN_SENSOR_FILE_ID_LEN];
    memset(fid, 0xab, sizeof fid);
    cairn_hex_encode(c, content->b, sizeof content->b);
    cairn_hex_encode(f, fid, sizeof fid);
    cairn_hex_encode(b, box, CAIRN_SENSOR_SEALED_LEN);
    return json_pack("{s:i,s:s,s:s,s:s,s:s,s:[{s:s,s:s}]}", "seq", 4,
                     "t_from_ms", "1733200000000", "t_to_ms", "1733200029000",
                     "content", c, "file_id", f, "keys", "app", app, "box", b);
}

static void decrypt(void **state)
{
    (void)state;
    sbatch_reading in[NREAD], *out = NULL;
    uint8_t *file, s[32], fk[32], gk[32], box[CAIRN_SENSOR_SEALED_LEN], fk2[32],
        gk2[32];
    size_t len;
    char why[256], app_addr[CAIRN_ADDR_TEXT_LEN + 1];
    cairn_pubkey dev;
    cairn_keypair app, other;
    cairn_hash content;
    uint32_t n, privs;
    memset(dev.b, 3, sizeof dev.b);
    readings(in);
    assert_int_equal(
        sbatch_encode(&file, &len, s, &dev, 4, in, NREAD, why, sizeof why),
        CAIRN_OK);
    sbatch_content(&content, file, len);
    cairn_keypair_generate(&app);
    cairn_keypair_generate(&other);
    cairn_addr_format(app_addr, &app.pk);
    randombytes_buf(fk, sizeof fk);

    /* LOCATION only: sealed to the app, found in the node's JSON */
    assert_int_equal(sbatch_grant_key(gk, CAIRN_SENSOR_PRIV_LOCATION, s),
                     CAIRN_OK);
    assert_int_equal(sbatch_seal(box, &app.pk, fk, gk), CAIRN_OK);
    json_t *j = batch_json(&content, box, app_addr);
    sread_batch b;
    assert_int_equal(sread_batch_from_json(&b, j, app_addr), 0);
    assert_true(b.has_key && b.seq == 4 && b.t_to_ms == 1733200029000ull);
    assert_memory_equal(b.content.b, content.b, 32);
    sread_batch nb;
    char oa[CAIRN_ADDR_TEXT_LEN + 1];
    cairn_addr_format(oa, &other.pk);
    assert_int_equal(sread_batch_from_json(&nb, j, oa), 0);
    assert_false(nb.has_key); /* no key sealed to another app */
    json_decref(j);
    assert_int_equal(sbatch_seal_open(fk2, gk2, b.box, &app), CAIRN_OK);
    assert_memory_equal(fk2, fk, 32);
    assert_int_not_equal(sbatch_seal_open(fk2, gk2, b.box, &other), CAIRN_OK);
    /* the hint says ALL (the grant changed since): location still found */
    assert_int_equal(sread_decode(file, len, &content, gk2,
                                  CAIRN_SENSOR_PRIV_ALL, &out, &n, &privs, why,
                                  sizeof why),
                     CAIRN_OK);
    assert_int_equal(n, NREAD);
    assert_int_equal(privs, CAIRN_SENSOR_PRIV_LOCATION);
    for (uint32_t i = 0; i < NREAD; i++) {
        assert_true(out[i].t_ms == in[i].t_ms);
        assert_int_equal(out[i].lat_udeg, in[i].lat_udeg);
        assert_int_equal(out[i].lon_udeg, in[i].lon_udeg);
        assert_true(out[i].value == 0); /* telemetry not opened */
    }
    char *csv = NULL;
    size_t csvlen = 0;
    FILE *f = open_memstream(&csv, &csvlen);
    sread_csv_header(f, privs);
    sread_csv_rows(f, out, 2, privs, privs);
    fclose(f);
    assert_string_equal(csv, "t_ms,lat,lon\n"
                             "1733200000000,-33.860000,151.200000\n"
                             "1733200001000,-33.859700,151.200010\n");
    free(csv);
    /* a batch opened for telemetry printed under all the columns */
    f = open_memstream(&csv, &csvlen);
    sread_csv_rows(f, out, 1, CAIRN_SENSOR_PRIV_ALL,
                   CAIRN_SENSOR_PRIV_LOCATION);
    fclose(f);
    assert_string_equal(csv, "1733200000000,-33.860000,151.200000,\n");
    free(csv);
    free(out);

    /* ALL: both sections, values exact */
    assert_int_equal(sbatch_grant_key(gk, CAIRN_SENSOR_PRIV_ALL, s), CAIRN_OK);
    assert_int_equal(sread_decode(file, len, &content, gk,
                                  CAIRN_SENSOR_PRIV_ALL, &out, &n, &privs, why,
                                  sizeof why),
                     CAIRN_OK);
    assert_int_equal(privs, CAIRN_SENSOR_PRIV_ALL);
    assert_true(out[0].value == -5 && out[NREAD - 1].value == NREAD - 6);
    f = open_memstream(&csv, &csvlen);
    sread_csv_header(f, privs);
    sread_csv_rows(f, out, 1, privs, privs);
    fclose(f);
    assert_string_equal(csv, "t_ms,lat,lon,value\n"
                             "1733200000000,-33.860000,151.200000,-5\n");
    free(csv);
    free(out);

    /* TELEMETRY: only the values */
    assert_int_equal(sbatch_grant_key(gk, CAIRN_SENSOR_PRIV_TELEMETRY, s),
                     CAIRN_OK);
    assert_int_equal(sread_decode(file, len, &content, gk,
                                  CAIRN_SENSOR_PRIV_TELEMETRY, &out, &n, &privs,
                                  why, sizeof why),
                     CAIRN_OK);
    assert_int_equal(privs, CAIRN_SENSOR_PRIV_TELEMETRY);
    assert_int_equal(out[3].lat_udeg, 0);
    assert_true(out[3].value == -2);
    f = open_memstream(&csv, &csvlen);
    sread_csv_header(f, privs);
    sread_csv_rows(f, out, 1, privs, privs);
    fclose(f);
    assert_string_equal(csv, "t_ms,value\n1733200000000,-5\n");
    free(csv);
    free(out);

    /* a wrong key opens nothing */
    randombytes_buf(gk, sizeof gk);
    out = (sbatch_reading *)1;
    assert_int_equal(sread_decode(file, len, &content, gk,
                                  CAIRN_SENSOR_PRIV_ALL, &out, &n, &privs, why,
                                  sizeof why),
                     CAIRN_ERR_DECRYPT);
    assert_null(out);
    /* the file is not the batch registered: refused before decrypting */
    cairn_hash other_hash = content;
    other_hash.b[0] ^= 1;
    assert_int_equal(sread_decode(file, len, &other_hash, gk,
                                  CAIRN_SENSOR_PRIV_ALL, &out, &n, &privs, why,
                                  sizeof why),
                     CAIRN_ERR_CORRUPT);
    assert_non_null(strstr(why, "not the batch the chain registered"));
    file[len - 1] ^= 1; /* changed bytes: the hash catches it */
    assert_int_equal(sread_decode(file, len, &content, gk,
                                  CAIRN_SENSOR_PRIV_ALL, &out, &n, &privs, why,
                                  sizeof why),
                     CAIRN_ERR_CORRUPT);
    free(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cells),   cmocka_unit_test(privileges),
        cmocka_unit_test(numbers), cmocka_unit_test(commands),
        cmocka_unit_test(decrypt),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
