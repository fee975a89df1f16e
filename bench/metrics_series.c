/* The dashboard's series at scale: a chain whose state holds 100,000
 * settled epoch records (written straight into the open chain's store:
 * the commitment is not updated, this measures reads only), then GET
 * /v1/metrics/series' work, cairn_chain_metrics_series, over the whole history
 * in 500 and 1000 points and over the last 100 epochs, beside the plain
 * per-epoch read of 1000 epochs. Prints; asserts nothing about speed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cairn/metrics.h"
#include "core/bytes.h"
#include "econ/econ.h"
#include "econ/stats.h"
#include "ledger/store.h"
#include "ledger/view.h"

#define EPOCHS 100000ull
#define BLOCKS 10

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, cairn_err e)
{
    fprintf(stderr, "bench_metrics_series: %s: %s\n", what, cairn_strerror(e));
    exit(1);
}

/* A genesis of one funded account, the sequencer's. */
static void make_chain(const char *dir)
{
    cairn_keypair kp;
    uint8_t seed[32] = {7};
    char addr[CAIRN_ADDR_TEXT_LEN + 1], json[1024], msg[256] = "";
    cairn_genesis g;
    cairn_keypair_from_seed(&kp, seed);
    cairn_addr_format(addr, &kp.pk);
    snprintf(json, sizeof json,
             "{\"chain_id\":\"bench-series\",\"token\":{\"name\":\"B\","
             "\"symbol\":\"B\"},\"supply_cap\":\"10000000\",\"min_fee\":"
             "\"0.001\",\"genesis_time_ms\":0,\"block_interval_ms\":1000,"
             "\"max_block_txs\":1000,\"sequencer\":\"%s\",\"allocations\":"
             "[{\"address\":\"%s\",\"amount\":\"1000000\"}],\"economy\":"
             "{\"epoch_blocks\":%d}}",
             addr, addr, BLOCKS);
    cairn_err e = cairn_genesis_parse(&g, json, msg, sizeof msg);
    if (e) {
        fprintf(stderr, "genesis: %s\n", msg);
        die("genesis", e);
    }
    if ((e = cairn_chain_create(dir, &g)))
        die("create", e);
    cairn_genesis_free(&g);
}

/* EPOCHS epoch records and the econ record's epoch moved past them. */
static void fill(cairn_chain *c)
{
    store s = *chain_store(c); /* the same environment and databases */
    wctx w;
    MDB_val v;
    uint8_t econ[512], rec[ECON_STATS_LEN], k[8];
    cairn_err e = wctx_begin(&w, &s, 1);
    if (e)
        die("store", e);
    if ((e = state_get(w.txn, &s, STATE_ECON, "econ", 4, &v)) ||
        v.mv_size > sizeof econ)
        die("econ record", e ? e : CAIRN_ERR_DB);
    size_t elen = v.mv_size;
    memcpy(econ, v.mv_data, elen);
    cairn_le64_put(econ, EPOCHS); /* the current epoch */
    if ((e = state_put(&w, &s, STATE_ECON, "econ", 4, econ, elen)))
        die("econ put", e);
    for (uint64_t ep = 0; ep < EPOCHS; ep++) {
        econ_epoch_stats st = {0};
        st.epoch = ep;
        st.start_height = ep * BLOCKS + 1;
        st.end_height = ep * BLOCKS + BLOCKS;
        for (int i = 0; i < CAIRN_SECTOR_SLOTS; i++) {
            st.active_providers[i] = 2500 + (ep + (uint64_t)i) % 7;
            st.work_units[i] = 1000 + ep % 13;
        }
        st.fees_paid = 1000 + ep % 11;
        st.fees_providers = st.fees_paid - 300;
        st.fees_burned = st.fees_treasury = st.fees_stakers = 100;
        st.burned = 100;
        st.emitted = 1000000;
        st.supply_end = 1000000000000ull + ep * 999900;
        st.staked_end = st.supply_end / 3;
        st.transfer_volume = 5000000;
        st.avg_circulating = st.supply_end / 2;
        cairn_be64_put(k, ep);
        econ_stats_encode(rec, &st);
        if ((e = state_put(&w, &s, STATE_EPOCH, k, 8, rec, sizeof rec)))
            die("stats put", e);
    }
    if (mdb_txn_commit(w.txn))
        die("commit", CAIRN_ERR_DB);
    wctx_release(&w);
}

/* Runs one series plan `reps` times; prints the time per answer. */
static void time_series(cairn_chain *c, uint64_t from, uint64_t to,
                        uint64_t points, int reps)
{
    cairn_series_plan p;
    cairn_err e = cairn_series_plan_make(from, to, points, &p);
    if (e)
        die("plan", e);
    cairn_epoch_metrics *out = calloc(p.points, sizeof *out);
    uint64_t *first = calloc(p.points, sizeof *first);
    size_t n = 0;
    double t0 = now();
    for (int r = 0; r < reps; r++)
        if ((e = cairn_chain_metrics_series(c, &p, out, first, p.points, &n)))
            die("series", e);
    double dt = (now() - t0) / reps;
    printf("series %llu..%llu in %llu points (bucket %llu epochs): %zu "
           "points, at most %llu records, %.1f ms per answer\n",
           (unsigned long long)from, (unsigned long long)to,
           (unsigned long long)points, (unsigned long long)p.bucket_epochs, n,
           (unsigned long long)p.reads, dt * 1e3);
    free(out);
    free(first);
}

int main(void)
{
    char dir[64] = "/tmp/cairn-bench-series-XXXXXX", cmd[96];
    cairn_chain *c;
    if (!mkdtemp(dir))
        die("mkdtemp", CAIRN_ERR_IO);
    cairn_crypto_init();
    make_chain(dir);
    cairn_err e = cairn_chain_open(&c, dir);
    if (e)
        die("open", e);
    double t0 = now();
    fill(c);
    printf("wrote %llu epoch records in %.2f s\n", EPOCHS, now() - t0);
    time_series(c, 0, EPOCHS - 1, 500, 5);
    time_series(c, 0, EPOCHS - 1, 1000, 5);
    time_series(c, EPOCHS - 100, EPOCHS - 1, 500, 50);
    cairn_epoch_metrics *m = calloc(1000, sizeof *m);
    size_t n;
    t0 = now();
    if ((e = cairn_chain_metrics_range(c, EPOCHS - 1000, EPOCHS - 1, m, 1000,
                                       &n)))
        die("range", e);
    printf("/v1/metrics' read of 1000 epochs (velocity window each): %.1f "
           "ms\n",
           (now() - t0) * 1e3);
    cairn_series_plan p;
    printf("10M epochs: %s\n",
           cairn_series_plan_make(0, 9999999, 500, &p) == CAIRN_ERR_TOO_LARGE
               ? "refused before any read (too_large)"
               : "NOT refused");
    free(m);
    cairn_chain_close(c);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
