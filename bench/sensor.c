/* bench/sensor: the sensor sector, each figure beside a physical limit
 * measured in the same run. Prints; asserts nothing about speed.
 * Usage: bench_sensor [TILES [DEVICES]] (default 1000000 100000; smaller
 * sizes keep the run short on slow machines; the sizes used are printed).
 *
 * (a) Signed batch headers verified per second (decode + the domain-
 *     separated message + Ed25519; 16 tiles × 4 points = 64 readings per
 *     batch, so readings/s = 64 × batches/s) against raw Ed25519
 *     verifications per second of messages of the same length, one core.
 * (b) One epoch's end for TILES tiles reported by DEVICES devices (each
 *     tile by two devices of different owners that agree, so 2 × TILES
 *     report rows; the epoch is a week's last, so every device's weekly
 *     step runs too) against raw LMDB puts per second of the same number
 *     of rows. The owners are not registered providers: units are computed
 *     and counted as unpaid (no payment is timed). */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cairn/chain.h"
#include "cairn/parse.h"
#include "cairn/sensor.h"
#include "core/bytes.h"
#include "ledger/view.h"
#include "sectors/registry.h"
#include "sectors/sensor/sn.h"
#include "sectors/wireless/hexgrid.h"

#define CHAIN "bench-sensor"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, cairn_err e)
{
    fprintf(stderr, "bench_sensor: %s: %s\n", what, cairn_strerror(e));
    exit(1);
}

/* ---- (a) ---- */

enum { NB = 2000, TILES_PER = 16, POINTS = 4 };

static void bench_verify(void)
{
    static uint8_t *enc[NB];
    static size_t len[NB];
    static cairn_sensor_batch b;
    cairn_keypair kp;
    uint8_t seed[32] = {7};
    cairn_keypair_from_seed(&kp, seed);
    for (int i = 0; i < NB; i++) {
        memset(&b, 0, sizeof b);
        b.device = kp.pk;
        b.seq = (uint64_t)i;
        b.ref_height = 100;
        b.t_from_ms = 1000000 * (uint64_t)i;
        b.t_to_ms = b.t_from_ms + 300000;
        memset(b.content.b, i & 0xff, 32);
        b.ntiles = TILES_PER;
        for (int t = 0; t < TILES_PER; t++) {
            if (hexg_cell(37000000 + 1500 * t, -122000000, 9, &b.tiles[t].cell))
                die("cell", CAIRN_ERR_BAD_ARG);
            b.tiles[t].enter_ms = (uint32_t)(t * 15000);
            b.tiles[t].points = POINTS;
            b.tiles[t].q = t;
        }
        b.readings = TILES_PER * POINTS;
        if (cairn_sensor_batch_sign(&b, CHAIN, &kp))
            die("sign", CAIRN_ERR_BAD_ARG);
        cairn_buf out;
        cairn_buf_init(&out, 1 << 16);
        cairn_sensor_batch_encode(&out, &b);
        enc[i] = out.p;
        len[i] = out.len;
    }
    /* the batch as the chain checks it */
    double t0 = now();
    for (int i = 0; i < NB; i++)
        if (cairn_sensor_batch_decode(&b, enc[i], len[i]) ||
            cairn_sensor_batch_verify(&b, CHAIN))
            die("verify", CAIRN_ERR_BAD_SIG);
    double t1 = now();
    /* bare Ed25519 over messages of the signed length */
    size_t mlen = len[0] - CAIRN_SIG_LEN + 22 + strlen(CHAIN);
    uint8_t *m = calloc(1, mlen);
    cairn_sig sig;
    cairn_sign(&sig, m, mlen, &kp);
    double t2 = now();
    for (int i = 0; i < NB; i++)
        if (cairn_verify(&sig, m, mlen, &kp.pk))
            die("raw verify", CAIRN_ERR_BAD_SIG);
    double t3 = now();
    free(m);
    for (int i = 0; i < NB; i++)
        free(enc[i]);
    double bps = NB / (t1 - t0), raw = NB / (t3 - t2);
    printf("(a) signed batches verified:    %10.0f /s (%d readings each, "
           "%zu-byte header; one core)\n",
           bps, TILES_PER * POINTS, len[0] - CAIRN_SIG_LEN);
    printf("    signed readings verified:   %10.0f /s\n",
           bps * TILES_PER * POINTS);
    printf("    raw Ed25519 verifications:  %10.0f /s (same length)\n", raw);
    printf("    ratio batches / raw:        %10.3f\n", bps / raw);
    printf("    ratio readings / raw:       %10.3f\n",
           bps * TILES_PER * POINTS / raw);
}

/* ---- (b) ---- */

static double raw_put_rate(const char *dir, size_t n)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    mkdir(dir, 0700);
    if (mdb_env_create(&env) || mdb_env_set_mapsize(env, 1ull << 34) ||
        mdb_env_open(env, dir, MDB_NOSYNC, 0600) ||
        mdb_txn_begin(env, NULL, 0, &txn) || mdb_dbi_open(txn, NULL, 0, &dbi))
        die("raw lmdb", CAIRN_ERR_DB);
    uint8_t k[49] = {0}, v[48] = {0};
    double t0 = now();
    for (size_t i = 0; i < n; i++) {
        cairn_be64_put(k + 9, i * 2654435761u);
        MDB_val kk = {sizeof k, k}, vv = {sizeof v, v};
        if (mdb_put(txn, dbi, &kk, &vv, 0))
            die("raw put", CAIRN_ERR_DB);
    }
    if (mdb_txn_commit(txn))
        die("raw commit", CAIRN_ERR_DB);
    double t1 = now();
    mdb_env_close(env);
    return (double)n / (t1 - t0);
}

static void pk_of(cairn_pubkey *pk, uint64_t i, uint8_t tag)
{
    memset(pk->b, 0, 32);
    pk->b[0] = tag;
    cairn_be64_put(pk->b + 1, i * 0x9E3779B97F4A7C15ull);
}

static void bench_epoch(const char *base, uint64_t tiles, uint64_t devices)
{
    char dir[256], addr[CAIRN_ADDR_TEXT_LEN + 1], json[1024], msg[256] = "";
    cairn_keypair seq;
    uint8_t sd[32] = {9};
    cairn_genesis g;
    cairn_keypair_from_seed(&seq, sd);
    cairn_addr_format(addr, &seq.pk);
    snprintf(json, sizeof json,
             "{\"chain_id\":\"" CHAIN "\",\"token\":{\"name\":\"B\","
             "\"symbol\":\"B\"},\"supply_cap\":\"10000000\",\"min_fee\":"
             "\"0.001\",\"genesis_time_ms\":0,\"block_interval_ms\":1000,"
             "\"max_block_txs\":1000,\"sequencer\":\"%s\",\"allocations\":"
             "[{\"address\":\"%s\",\"amount\":\"1000\"}]}",
             addr, addr);
    snprintf(dir, sizeof dir, "%s/chain", base);
    if (cairn_genesis_parse(&g, json, msg, sizeof msg))
        die(msg, CAIRN_ERR_GENESIS);
    cairn_err e = cairn_chain_create(dir, &g);
    cairn_genesis_free(&g);
    if (e)
        die("create", e);
    store s;
    cairn_params cp;
    memset(&cp, 0, sizeof cp);
    cp.supply_cap = UINT64_MAX / 2;
    if ((e = store_open(&s, dir, 0)))
        die("open", e);
    wctx w;
    double t0 = now();
    if ((e = wctx_begin(&w, &s, 1)))
        die("begin", e);
    exec_ctx x = {&w, &s, &cp, 1, cairn_registry_rules()};
    const uint64_t epoch = 6; /* a week's last (sensor_week_epochs 7) */
    size_t rows = 0;
    /* devices: owner i/2 (two devices an owner would be one vote; here
     * device i has owner i), every one connected this week */
    for (uint64_t i = 0; i < devices && !e; i++) {
        sn_device d;
        memset(&d, 0, sizeof d);
        pk_of(&d.device, i, 0xD0);
        pk_of(&d.owner, i, 0x0A);
        d.batches = 3;
        d.week = epoch / 7;
        d.week_batches = 3;
        d.streak_weeks = i % 40;
        d.level = sn_level_of(d.streak_weeks);
        e = sn_device_put(&x, &d);
    }
    /* tile j reported by devices j % D and (j + 1) % D, the same q */
    uint64_t base_cell;
    if (hexg_cell(37000000, -122000000, 9, &base_cell))
        die("cell", CAIRN_ERR_BAD_ARG);
    for (uint64_t j = 0; j < tiles && !e; j++) {
        for (int r = 0; r < 2 && !e; r++) {
            uint64_t di = (j + (uint64_t)r) % devices;
            uint8_t k[48], v[SN_REPORT_LEN];
            cairn_pubkey dv, ow;
            pk_of(&dv, di, 0xD0);
            pk_of(&ow, di, 0x0A);
            cairn_be64_put(k, epoch);
            cairn_be64_put(k + 8, base_cell + j); /* distinct keys */
            memcpy(k + 16, dv.b, 32);
            memcpy(v, ow.b, 32);
            cairn_le64_put(v + 32, 42);
            cairn_le64_put(v + 40, 1);
            v[48] = 0;
            e = state_put(&w, &s, SN_STATE_REPORT, k, 48, v, sizeof v);
            rows++;
        }
    }
    if (e)
        die("setup", e);
    double t1 = now();
    e = sn_end_epoch(&x, epoch);
    double t2 = now();
    if (e)
        die("end_epoch", e);
    uint64_t paid = 0;
    e = sn_pay_emission(&x, epoch, 1000000000ull, &paid);
    double t3 = now();
    if (e)
        die("pay_emission", e);
    sn_totals tot;
    if ((e = sn_totals_read(w.txn, &s, epoch, &tot)))
        die("totals", e);
    wctx_abort(&w);
    wctx_release(&w);
    store_close(&s);
    snprintf(dir, sizeof dir, "%s/raw", base);
    double raw = raw_put_rate(dir, rows);
    double rate = (double)rows / (t2 - t1);
    printf("(b) epoch end: %llu tiles, %llu devices, %zu report rows "
           "(written in %.1f s of setup)\n",
           (unsigned long long)tiles, (unsigned long long)devices, rows,
           t1 - t0);
    printf("    consensus, freshness, weekly, units: %.3f s (%.0f rows/s; "
           "%llu tiles agreed, %llu devices paid weekly)\n",
           t2 - t1, rate, (unsigned long long)tot.tiles_agreed,
           (unsigned long long)tot.devices_paid_weekly);
    printf("    tiles reported %llu, disagreed %llu\n",
           (unsigned long long)tot.tiles_reported,
           (unsigned long long)tot.tiles_disagreed);
    printf("    pay_emission (no providers: paid %llu): %.3f s\n",
           (unsigned long long)paid, t3 - t2);
    printf("    raw LMDB puts:              %10.0f /s\n", raw);
    printf("    ratio rows judged/s / raw puts/s: %.3f\n", rate / raw);
}

int main(int argc, char **argv)
{
    uint64_t tiles = 1000000, devices = 100000;
    char base[] = "/tmp/cairn-bench-sensor-XXXXXX", cmd[128];
    if ((argc > 1 &&
         (cairn_parse_u64(argv[1], &tiles) || tiles < 2 || tiles > 10000000)) ||
        (argc > 2 && (cairn_parse_u64(argv[2], &devices) || devices < 2 ||
                      devices > tiles)))
        return fprintf(stderr, "usage: bench_sensor [TILES 2..10^7 "
                               "[DEVICES 2..TILES]]\n"),
               2;
    cairn_crypto_init();
    if (!mkdtemp(base))
        die("mkdtemp", CAIRN_ERR_IO);
    printf("bench_sensor: %llu tiles, %llu devices\n",
           (unsigned long long)tiles, (unsigned long long)devices);
    bench_verify();
    bench_epoch(base, tiles, devices);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    return system(cmd) == 0 ? 0 : 1;
}
