/* bench/ledger: signed transfers validated, applied and durably committed
 * per second, against the physical limit measured in the same run: raw
 * Ed25519 verifications per second on one core. Also the follower's replay
 * rate. Prints figures and ratios; asserts nothing about speed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cairn/chain.h"
#include "cairn/mempool.h"

#define ACCOUNTS 20000
#define BLOCK_TXS 5000
#define BLOCKS 10
#define VERIFY_N 20000

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static cairn_keypair *keys;

static void die(const char *what, cairn_err e)
{
    fprintf(stderr, "bench: %s: %s\n", what, cairn_strerror(e));
    exit(1);
}

static void make_keys(void)
{
    keys = calloc(ACCOUNTS + 1, sizeof *keys);
    for (int i = 0; i <= ACCOUNTS; i++) {
        uint8_t seed[32] = {0};
        memcpy(seed, &i, sizeof i);
        cairn_keypair_from_seed(&keys[i], seed);
    }
}

/* Pre-signed transfers: block b, tx i is sender (i) with nonce b. */
static cairn_buf *make_txs(int n)
{
    cairn_buf *txs = calloc((size_t)n, sizeof *txs);
    for (int k = 0; k < n; k++) {
        int s = k % ACCOUNTS, nonce = k / ACCOUNTS;
        cairn_buf_init(&txs[k], CAIRN_TX_MAX_BYTES);
        cairn_err e = cairn_tx_make_transfer(
            &txs[k], "bench", &keys[s + 1], (uint64_t)nonce, 1000,
            &keys[(s + 7) % ACCOUNTS + 1].pk, 1000);
        if (e) {
            fprintf(stderr, "bench: tx %d: %s\n", k, cairn_strerror(e));
            abort();
        }
    }
    return txs;
}

static double verify_rate(const cairn_buf *txs, int n)
{
    double t0 = now();
    int bad = 0;
    for (int i = 0; i < n; i++) {
        cairn_tx tx;
        cairn_err e = cairn_tx_decode(&tx, txs[i].p, txs[i].len);
        if (!e)
            e = cairn_tx_verify(&tx, txs[i].p, txs[i].len);
        if (e && !bad++)
            fprintf(stderr, "bench: tx %d: %s\n", i, cairn_strerror(e));
    }
    double dt = now() - t0;
    if (bad)
        abort();
    return n / dt;
}

static void make_chain(const char *dir)
{
    cairn_genesis g = {0};
    snprintf(g.params.chain_id, sizeof g.params.chain_id, "bench");
    snprintf(g.params.token_name, sizeof g.params.token_name, "Bench");
    snprintf(g.params.token_symbol, sizeof g.params.token_symbol, "BN");
    g.params.supply_cap = UINT64_MAX / 2;
    g.params.min_fee = 1000;
    g.params.block_interval_ms = 1000;
    g.params.max_block_txs = BLOCK_TXS;
    g.params.sequencer = keys[0].pk;
    g.nallocs = ACCOUNTS;
    g.allocs = calloc(ACCOUNTS, sizeof *g.allocs);
    for (int i = 0; i < ACCOUNTS; i++)
        g.allocs[i] =
            (cairn_alloc){.addr = keys[i + 1].pk, .amount = 1000000000};
    cairn_err e = cairn_chain_create(dir, &g);
    if (e) {
        fprintf(stderr, "bench: create chain: %s\n", cairn_strerror(e));
        abort();
    }
    cairn_genesis_free(&g);
}

/* Validates (decode, checks, signature), queues and commits every tx. */
static double apply_rate(const char *dir, const cairn_buf *txs, int n)
{
    cairn_chain *c;
    cairn_mempool *mp = cairn_mempool_new(BLOCK_TXS * 2, 1u << 30);
    cairn_err e = cairn_chain_open(&c, dir);
    if (e || !mp)
        die("open chain", e);
    double t0 = now();
    for (int b = 0; b < n / BLOCK_TXS; b++) {
        for (int i = b * BLOCK_TXS; i < (b + 1) * BLOCK_TXS; i++) {
            cairn_tx tx;
            cairn_hash h;
            cairn_account a;
            if ((e = cairn_chain_check_tx(c, txs[i].p, txs[i].len, &tx, &h)) ||
                (e = cairn_chain_account(c, &tx.sender, &a)) ||
                (e = cairn_mempool_add(mp, txs[i].p, txs[i].len, &tx, &h,
                                       a.nonce)))
                die("admit tx", e);
        }
        cairn_proposal pr;
        if ((e = cairn_chain_propose(c, mp, &keys[0], 1, &pr)))
            die("propose", e);
        if (pr.n_included != BLOCK_TXS)
            die("a transaction was dropped",
                pr.n_dropped ? pr.drop_err[0] : CAIRN_OK);
        cairn_proposal_free(&pr);
    }
    double dt = now() - t0;
    cairn_chain_close(c);
    cairn_mempool_free(mp);
    return n / dt;
}

/* Replays the chain with `threads` signature-checking threads and prints
 * blocks/s, tx/s and the ratio to threads x single-core verify rate. */
static void replay_report(const char *chain, const char *replay,
                          const char *threads, int n, double v, int cores)
{
    char cmd[160];
    cairn_hash root;
    uint64_t blocks;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", replay);
    if (system(cmd) != 0)
        exit(1);
    setenv("CAIRN_VERIFY_THREADS", threads, 1);
    double t0 = now();
    cairn_err e = cairn_chain_replay(chain, replay, &root, &blocks);
    if (e)
        die("replay", e);
    double rt = now() - t0;
    printf(
        "follower replay, %d verify thread(s):    %6.1f blocks/s %8.0f tx/s  ratio to %d x verify: %.2f\n",
        cores, blocks / rt, n / rt, cores, n / rt / (v * cores));
}

int main(void)
{
    char dir[] = "/tmp/cairn-bench-XXXXXX", chain[64], replay[64], cmd[128];
    int n = BLOCK_TXS * BLOCKS;
    cairn_crypto_init();
    if (!mkdtemp(dir))
        return 1;
    snprintf(chain, sizeof chain, "%s/chain", dir);
    snprintf(replay, sizeof replay, "%s/replay", dir);
    make_keys();
    cairn_buf *txs = make_txs(n);
    make_chain(chain);
    double v = verify_rate(txs, VERIFY_N);
    double a = apply_rate(chain, txs, n);
    printf("ed25519 verify (1 core):                 %10.0f /s\n", v);
    printf(
        "transfers validated+applied+committed:   %10.0f /s  (%d blocks of %d, %d accounts, fsync per block)\n",
        a, BLOCKS, BLOCK_TXS, ACCOUNTS);
    printf("ratio transfers / verify (goal >= 0.6):  %10.2f\n", a / v);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    replay_report(chain, replay, "1", n, v, 1);
    char nc[16];
    snprintf(nc, sizeof nc, "%ld", cores);
    replay_report(chain, replay, nc, n, v, (int)cores);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return 1;
    for (int i = 0; i < n; i++)
        cairn_buf_free(&txs[i]);
    free(txs);
    free(keys);
    return 0;
}
