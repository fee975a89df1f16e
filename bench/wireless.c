/* bench/wireless: the wireless sector's proof of coverage, each figure
 * beside a physical limit measured in the same run. Prints; asserts
 * nothing about speed. Usage: bench_wireless [HOTSPOTS] (default 100000).
 *
 * (a) Witness reports verified per second (decode + the domain-separated
 *     message + Ed25519) against raw Ed25519 verifications per second of
 *     the same 193-byte messages, on one core, then on every core (one
 *     thread per core, each side split the same way).
 * (b) Density scaling (HIP-17 over res 4..10) of HOTSPOTS hotspots.
 * (c) One epoch's end for HOTSPOTS hotspots with a beacon receipt each
 *     and 10 witnesses per beacon (verdicts, density, closed groups, units
 *     and totals written) against raw LMDB puts per second of the same
 *     number of records. The hotspots are not registered providers, so
 *     their units are computed and then zeroed (no payment is timed). */
#include <lmdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cairn/chain.h"
#include "cairn/parse.h"
#include "cairn/wireless.h"
#include "core/bytes.h"
#include "econ/staking.h"
#include "ledger/view.h"
#include "sectors/registry.h"
#include "sectors/wireless/hexgrid.h"
#include "sectors/wireless/wl.h"

#define CHAIN "bench-wireless"
#define WITNESSES 10
#define FREQ 904300000ull

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, cairn_err e)
{
    fprintf(stderr, "bench_wireless: %s: %s\n", what, cairn_strerror(e));
    exit(1);
}

/* (a) */
enum { N = 4000, MAX_THREADS = 64 };
static cairn_witness_report r[N];
static uint8_t enc[N][CAIRN_WITNESS_REPORT_LEN];
static cairn_keypair kp;

/* One thread's share of (a): reports [lo, hi) verified as the chain does
 * (raw 0) or as bare Ed25519 over the same bytes (raw 1). */
typedef struct vrange {
    int lo, hi, raw;
} vrange;

static void *verify_range(void *arg)
{
    const vrange *v = arg;
    for (int i = v->lo; i < v->hi; i++) {
        cairn_witness_report w;
        if (v->raw) {
            if (cairn_verify(&r[i].sig, enc[i], CAIRN_WITNESS_REPORT_LEN - 64,
                             &kp.pk) == CAIRN_OK)
                die("raw verify accepted a message it should not", 0);
        } else if (cairn_witness_decode(&w, enc[i], CAIRN_WITNESS_REPORT_LEN) ||
                   cairn_witness_verify(&w, CHAIN)) {
            die("verify", CAIRN_ERR_BAD_SIG);
        }
    }
    return NULL;
}

/* Seconds for all N on `threads` threads. */
static double verify_all(int threads, int raw)
{
    pthread_t t[MAX_THREADS];
    vrange v[MAX_THREADS];
    double t0 = now();
    for (int k = 0; k < threads; k++) {
        v[k] = (vrange){N * k / threads, N * (k + 1) / threads, raw};
        if (pthread_create(&t[k], NULL, verify_range, &v[k]))
            die("thread", CAIRN_ERR_NOMEM);
    }
    for (int k = 0; k < threads; k++)
        pthread_join(t[k], NULL);
    return now() - t0;
}

static void bench_verify(void)
{
    uint8_t seed[32] = {1};
    cairn_keypair_from_seed(&kp, seed);
    for (int i = 0; i < N; i++) {
        memset(&r[i], 0, sizeof r[i]);
        r[i].epoch = (uint64_t)i;
        r[i].time_ms = 1700000000000ull + (uint64_t)i;
        r[i].freq_hz = FREQ;
        r[i].rssi_cdbm = -9000;
        if (cairn_witness_sign(&r[i], CHAIN, &kp))
            die("sign", CAIRN_ERR_BAD_ARG);
        cairn_buf b;
        cairn_buf_init(&b, 256);
        cairn_witness_encode(&b, &r[i]);
        memcpy(enc[i], b.p, CAIRN_WITNESS_REPORT_LEN);
        cairn_buf_free(&b);
    }
    double t0 = now();
    for (int i = 0; i < N; i++) {
        cairn_witness_report w;
        if (cairn_witness_decode(&w, enc[i], CAIRN_WITNESS_REPORT_LEN) ||
            cairn_witness_verify(&w, CHAIN))
            die("verify", CAIRN_ERR_BAD_SIG);
    }
    double t1 = now();
    for (int i = 0; i < N; i++) /* the same bytes, raw */
        if (cairn_verify(&r[i].sig, enc[i], CAIRN_WITNESS_REPORT_LEN - 64,
                         &kp.pk) == CAIRN_OK)
            die("raw verify accepted a message it should not", 0);
    double t2 = now();
    double rep = N / (t1 - t0), raw = N / (t2 - t1);
    printf("(a) witness reports verified:    %10.0f /s (one core)\n", rep);
    printf("    raw Ed25519 verifications:   %10.0f /s (same length)\n", raw);
    printf("    ratio:                       %10.3f\n", rep / raw);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int th = cores < 1 ? 1 : cores > MAX_THREADS ? MAX_THREADS : (int)cores;
    double a = verify_all(th, 0), b = verify_all(th, 1);
    printf("    on %d cores: reports %10.0f /s, raw Ed25519 %10.0f /s, "
           "ratio %.3f\n",
           th, N / a, N / b, b / a);
}

/* Hotspot i on a grid of ~600 m steps around 37N 122W (rows of 300). */
static void place(wl_hotspot *h, uint32_t i)
{
    memset(h, 0, sizeof *h);
    uint8_t s[32] = {0};
    memcpy(s, &i, sizeof i);
    s[8] = 0x5b;
    cairn_hash d;
    cairn_hash_bytes(&d, s, sizeof s);
    memcpy(h->pk.b, d.b, 32);
    h->lat = 30000000 + (int32_t)(i / 300) * 5400;
    h->lon = -125000000 + (int32_t)(i % 300) * 6800;
    h->gain_cdbi = 300;
    h->tx_power_cdbm = 2700;
    if (hexg_cell(h->lat, h->lon, 12, &h->cell))
        die("cell", CAIRN_ERR_BAD_ARG);
}

/* (b) */
static void bench_density(wl_hotspot *h, size_t n)
{
    poc_hip17_res prm[POC_NRES];
    uint64_t *scale = malloc(n * sizeof *scale);
    poc_hip17_default(prm);
    double t0 = now();
    cairn_err e = wl_density(prm, h, n, scale);
    double t1 = now();
    if (e)
        die("density", e);
    size_t below = 0;
    for (size_t i = 0; i < n; i++)
        below += scale[i] < POC_ONE;
    printf("(b) density scaling of %zu hotspots: %.3f s (%.0f /s; %zu "
           "scaled below 1)\n",
           n, t1 - t0, (double)n / (t1 - t0), below);
    free(scale);
}

static double raw_put_rate(const char *dir, size_t n)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    mkdir(dir, 0700);
    if (mdb_env_create(&env) || mdb_env_set_mapsize(env, 1ull << 33) ||
        mdb_env_open(env, dir, MDB_NOSYNC, 0600) ||
        mdb_txn_begin(env, NULL, 0, &txn) || mdb_dbi_open(txn, NULL, 0, &dbi))
        die("raw lmdb", CAIRN_ERR_DB);
    uint8_t k[42] = {0}, v[WL_WITNESS_LEN] = {0};
    double t0 = now();
    for (size_t i = 0; i < n; i++) {
        cairn_be64_put(k + 1, i * 2654435761u);
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

/* (c) */
static void bench_epoch(const char *base, wl_hotspot *h, size_t n)
{
    char dir[256];
    cairn_keypair seq;
    uint8_t sd[32] = {9};
    char addr[CAIRN_ADDR_TEXT_LEN + 1], json[1024], msg[256] = "";
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
    wl_params P;
    wl_sched sc;
    if ((e = wl_params_read(w.txn, &s, &P)))
        die("params", e);
    size_t records = 0;
    for (size_t i = 0; i < n && !e; i++) {
        e = wl_hotspot_put(&x, &h[i]);
        records++;
    }
    /* each hotspot beacons; the 10 nearest on its row and the next hear it */
    for (size_t i = 0; i < n && !e; i++) {
        uint8_t pl[CAIRN_BEACON_PAYLOAD_LEN];
        wl_beacon b;
        memset(&b, 0, sizeof b);
        if ((e = wl_sched_now(w.txn, &s, &P, &h[i].pk, &sc)))
            break;
        memset(pl, (int)(i & 0xff), sizeof pl);
        cairn_beacon_payload_hash(&b.payload_hash, pl, sizeof pl);
        b.time_ms = 1000;
        b.freq_hz = FREQ;
        b.height = 5;
        b.slot = sc.slot;
        e = wl_beacon_put(&x, 0, &h[i].pk, &b);
        records++;
        for (uint32_t k = 0; k < WITNESSES && !e; k++) {
            size_t j = (i + 1 + k + (k >= 5 ? 295 : 0)) % n;
            wl_witness wi;
            uint64_t dist;
            uint8_t key[42], v[WL_WITNESS_LEN];
            memset(&wi, 0, sizeof wi);
            wi.witness = h[j].pk;
            wi.payload_hash = b.payload_hash;
            wi.time_ms = 1200;
            wi.freq_hz = FREQ;
            if (hexg_distance_m(h[i].lat, h[i].lon, h[j].lat, h[j].lon, &dist))
                die("distance", CAIRN_ERR_BAD_ARG);
            wi.rssi_cdbm =
                (int32_t)(poc_rssi_max(2700, 300, 300, dist, FREQ) - 600);
            wi.snr_cdb = 500;
            wi.height = 3;
            wi.verdict = WL_V_PENDING;
            wl_witness_key(key, 0, &h[i].pk, (uint8_t)k);
            wl_witness_encode(v, &wi);
            e = state_put(&w, &s, WL_STATE_WITNESS, key + 1, 41, v, sizeof v);
            records++;
        }
    }
    if (e)
        die("setup", e);
    double t1 = now();
    e = wl_end_epoch(&x, 0);
    double t2 = now();
    if (e)
        die("end_epoch", e);
    uint64_t paid = 0;
    e = wl_pay_emission(&x, 0, 1000000000ull, &paid);
    double t3 = now();
    if (e)
        die("pay_emission", e);
    wctx_abort(&w);
    wctx_release(&w);
    store_close(&s);
    snprintf(dir, sizeof dir, "%s/raw", base);
    double raw = raw_put_rate(dir, n * (WITNESSES + 1));
    double rate = (double)(n * (WITNESSES + 1)) / (t2 - t1);
    printf("(c) epoch end: %zu hotspots, %d witnesses each (%zu records "
           "written in %.1f s of setup)\n",
           n, WITNESSES, records, t1 - t0);
    printf("    verdicts, density, groups, units: %.3f s (%.0f records/s)\n",
           t2 - t1, rate);
    printf("    pay_emission (no providers: paid %llu): %.3f s\n",
           (unsigned long long)paid, t3 - t2);
    printf("    raw LMDB puts:                %10.0f /s\n", raw);
    printf("    ratio records judged/s / raw puts/s: %.3f\n", rate / raw);
}

int main(int argc, char **argv)
{
    uint64_t n = 100000;
    char base[] = "/tmp/cairn-bench-wireless-XXXXXX", cmd[128];
    if (argc > 1 && (cairn_parse_u64(argv[1], &n) || n < 400 || n > 1000000))
        return fprintf(stderr, "usage: bench_wireless [HOTSPOTS 400..10^6]\n"),
               2;
    cairn_crypto_init();
    if (!mkdtemp(base))
        die("mkdtemp", CAIRN_ERR_IO);
    wl_hotspot *h = malloc(n * sizeof *h);
    for (uint32_t i = 0; i < n; i++)
        place(&h[i], i);
    bench_verify();
    bench_density(h, n);
    bench_epoch(base, h, n);
    free(h);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    return system(cmd) == 0 ? 0 : 1;
}
