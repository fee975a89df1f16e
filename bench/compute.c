/* bench/compute: the compute sector on chain, each figure beside the
 * physical limit measured in the same run. Prints; asserts nothing about
 * speed. About 15 s on a 2-core machine.
 *
 * (a) Orders, bids and leases, signed, admitted (decode, checks,
 *     signature) and applied in blocks committed to disk, per second,
 *     against raw Ed25519 verifications per second on one core (the
 *     same transactions).
 * (b) Settling one epoch of 100,000 active, reported leases (payment
 *     through the fee split, work units, records written, the state
 *     commitment updated, committed) against raw LMDB puts per second
 *     (100,000 puts of 8-byte keys and 255-byte values in one txn).
 * (c) The sandbox's start time: left for the lead (marked below). */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cairn/chain.h"
#include "cairn/compute.h"
#include "cairn/mempool.h"
#include "cairn/smt.h"
#include "econ/staking.h"
#include "sectors/compute/compute.h"
#include "sectors/compute/sector.h"
#include "sectors/registry.h"
#include "sectors/storage/sector.h"

#define TOK 1000000ull
#define FEE 1000
#define CHAIN "bench-compute"

/* (a) */
#define TENANTS 2000
#define PROVIDERS 20
#define BLOCK_TXS 5000

/* (b) */
#define LEASES 100000
#define SPROVIDERS 1000 /* 100 leases each */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, cairn_err e)
{
    fprintf(stderr, "bench_compute: %s: %s\n", what, cairn_strerror(e));
    exit(1);
}

/* ---- (a) orders, bids, leases through the chain ---- */

static cairn_keypair *keys; /* 0 sequencer, 1..PROVIDERS, then tenants */

static const cairn_keypair *prov_key(int p)
{
    return &keys[1 + p];
}

static const cairn_keypair *tenant_key(int i)
{
    return &keys[1 + PROVIDERS + i];
}

static void make_keys(void)
{
    keys = calloc(1 + PROVIDERS + TENANTS, sizeof *keys);
    if (!keys)
        die("keys", CAIRN_ERR_NOMEM);
    for (int i = 0; i < 1 + PROVIDERS + TENANTS; i++) {
        uint8_t seed[32] = {0x5C};
        memcpy(seed + 1, &i, sizeof i);
        cairn_keypair_from_seed(&keys[i], seed);
    }
}

static void make_chain(const char *dir)
{
    cairn_genesis g = {0};
    snprintf(g.params.chain_id, sizeof g.params.chain_id, CHAIN);
    snprintf(g.params.token_name, sizeof g.params.token_name, "Bench");
    snprintf(g.params.token_symbol, sizeof g.params.token_symbol, "BN");
    g.params.supply_cap = UINT64_MAX / 2;
    g.params.min_fee = FEE;
    g.params.block_interval_ms = 1000;
    g.params.max_block_txs = BLOCK_TXS;
    g.params.sequencer = keys[0].pk;
    g.nallocs = PROVIDERS + TENANTS;
    g.allocs = calloc(g.nallocs, sizeof *g.allocs);
    g.economy_json = strdup("{\"epoch_blocks\": 1000}");
    if (!g.allocs || !g.economy_json)
        die("genesis", CAIRN_ERR_NOMEM);
    for (size_t i = 0; i < g.nallocs; i++)
        g.allocs[i] =
            (cairn_alloc){.addr = keys[i + 1].pk, .amount = 100000 * TOK};
    cairn_err e = cairn_chain_create(dir, &g);
    if (e)
        die("create chain", e);
    cairn_genesis_free(&g);
}

/* A signed tx of kp into txs[*n]. */
static void sign(cairn_buf *txs, int *n, const cairn_keypair *kp,
                 uint64_t nonce, uint16_t kind, const cairn_buf *body)
{
    cairn_buf_init(&txs[*n], CAIRN_TX_MAX_BYTES);
    cairn_err e = cairn_tx_make(&txs[*n], CHAIN, kp, nonce, FEE, kind, body->p,
                                body->len);
    if (e)
        die("sign", e);
    (*n)++;
}

/* Admits txs[0..n) (decode, checks, signature) and proposes blocks until
 * all are in; returns the seconds it took. Every tx must apply. */
static double run_block(cairn_chain *c, cairn_mempool *mp, const cairn_buf *txs,
                        int n)
{
    double t0 = now();
    for (int i = 0; i < n; i++) {
        cairn_tx tx;
        cairn_hash h;
        cairn_account a;
        cairn_err e;
        if ((e = cairn_chain_check_tx(c, txs[i].p, txs[i].len, &tx, &h)) ||
            (e = cairn_chain_account(c, &tx.sender, &a)) ||
            (e = cairn_mempool_add(mp, txs[i].p, txs[i].len, &tx, &h, a.nonce)))
            die("admit tx", e);
    }
    for (int included = 0; included < n;) {
        cairn_proposal pr;
        cairn_err e = cairn_chain_propose(c, mp, &keys[0], 1, &pr);
        if (e)
            die("propose", e);
        if (pr.n_dropped)
            die("a transaction was dropped", pr.drop_err[0]);
        if (pr.n_included == 0)
            die("nothing included", CAIRN_ERR_BAD_BLOCK);
        included += (int)pr.n_included;
        cairn_proposal_free(&pr);
    }
    return now() - t0;
}

static void free_txs(cairn_buf *txs, int n)
{
    for (int i = 0; i < n; i++)
        cairn_buf_free(&txs[i]);
}

/* Registers and offers the providers (not timed). */
static void setup_providers(cairn_chain *c, cairn_mempool *mp, cairn_buf *txs)
{
    cairn_buf b;
    int n = 0;
    cairn_buf_init(&b, 4096);
    for (int p = 0; p < PROVIDERS; p++) {
        cairn_register r = {CAIRN_SECTOR_COMPUTE, 0, 1000 * TOK,
                            "tcp://127.0.0.1:7000"};
        cairn_buf_reset(&b);
        cairn_register_encode(&b, &r);
        sign(txs, &n, prov_key(p), 0, CAIRN_TX_REGISTER, &b);
    }
    run_block(c, mp, txs, n);
    free_txs(txs, n);
    n = 0;
    for (int p = 0; p < PROVIDERS; p++) {
        cairn_compute_offer o = {CAIRN_COMPUTE_CPUS_MAX, 1u << 20, 1u << 20};
        cairn_buf_reset(&b);
        cairn_compute_offer_encode(&b, &o);
        sign(txs, &n, prov_key(p), 1, CAIRN_TX_COMPUTE_OFFER, &b);
    }
    run_block(c, mp, txs, n);
    free_txs(txs, n);
    cairn_buf_free(&b);
}

/* Raw Ed25519 verifications per second over the same transactions. */
static double verify_rate(cairn_buf *const *phase, const int *n, int nphase)
{
    int total = 0;
    double t0 = now();
    for (int k = 0; k < nphase; k++)
        for (int i = 0; i < n[k]; i++) {
            cairn_tx tx;
            cairn_err e = cairn_tx_decode(&tx, phase[k][i].p, phase[k][i].len);
            if (e || (e = cairn_tx_verify(&tx, phase[k][i].p, phase[k][i].len)))
                die("verify", e);
            total++;
        }
    return total / (now() - t0);
}

/* The order ids, one per tenant. */
static void order_ids(cairn_chain *c, uint64_t *ids)
{
    for (int i = 0; i < TENANTS; i++) {
        cairn_lease_info l;
        size_t n;
        int more;
        cairn_err e = cairn_chain_leases(
            c, CAIRN_LEASES_TENANT, &tenant_key(i)->pk, 0, &l, 1, &n, &more);
        if (e || n != 1)
            die("order id", e ? e : CAIRN_ERR_NOT_FOUND);
        ids[i] = l.id;
    }
}

static void bench_market(const char *dir)
{
    static cairn_buf orders[TENANTS], bids[2 * TENANTS], leases[TENANTS];
    static uint64_t ids[TENANTS];
    cairn_buf *phase[3] = {orders, bids, leases};
    int n[3] = {0, 0, 0};
    uint64_t pnonce[PROVIDERS];
    cairn_chain *c;
    cairn_buf b;
    cairn_mempool *mp = cairn_mempool_new(4 * BLOCK_TXS, 1u << 30);
    make_keys();
    make_chain(dir);
    cairn_err e = cairn_chain_open(&c, dir);
    if (e || !mp)
        die("open chain", e ? e : CAIRN_ERR_NOMEM);
    cairn_buf_init(&b, 4096);
    setup_providers(c, mp, orders);
    cairn_order o = {.cpus = 1,
                     .mem_mib = 256,
                     .disk_mib = 256,
                     .max_price = 100000,
                     .max_epochs = 100,
                     .escrow = 1000000,
                     .bid_blocks = 100};
    for (int i = 0; i < TENANTS; i++) {
        memcpy(o.manifest.b, &i, sizeof i);
        cairn_buf_reset(&b);
        cairn_order_encode(&b, &o);
        sign(orders, &n[0], tenant_key(i), 0, CAIRN_TX_ORDER_OPEN, &b);
    }
    double t_orders = run_block(c, mp, orders, n[0]);
    order_ids(c, ids);
    for (int p = 0; p < PROVIDERS; p++)
        pnonce[p] = 2; /* after register and offer */
    for (int i = 0; i < TENANTS; i++)
        for (int k = 0; k < 2; k++) {
            int p = (i + k) % PROVIDERS;
            cairn_bid bid = {ids[i], k ? 80000 : 90000};
            cairn_buf_reset(&b);
            cairn_bid_encode(&b, &bid);
            sign(bids, &n[1], prov_key(p), pnonce[p]++, CAIRN_TX_BID, &b);
        }
    double t_bids = run_block(c, mp, bids, n[1]);
    for (int i = 0; i < TENANTS; i++) {
        cairn_buf_reset(&b);
        cairn_lease_create_encode(&b, ids[i],
                                  &prov_key((i + 1) % PROVIDERS)->pk);
        sign(leases, &n[2], tenant_key(i), 1, CAIRN_TX_LEASE_CREATE, &b);
    }
    double t_leases = run_block(c, mp, leases, n[2]);
    double v = verify_rate(phase, n, 3);
    int total = n[0] + n[1] + n[2];
    double rate = total / (t_orders + t_bids + t_leases);
    printf("(a) compute market through the chain (%d orders, %d bids, %d "
           "leases; admitted, applied, committed):\n",
           n[0], n[1], n[2]);
    printf("    orders  %10.0f /s\n", n[0] / t_orders);
    printf("    bids    %10.0f /s\n", n[1] / t_bids);
    printf("    leases  %10.0f /s\n", n[2] / t_leases);
    printf("    all     %10.0f tx/s\n", rate);
    printf("    ed25519 verify (1 core, same txs):  %10.0f /s\n", v);
    printf("    ratio market tx/s / verify/s:       %10.2f\n", rate / v);
    for (int k = 0; k < 3; k++)
        free_txs(phase[k], n[k]);
    cairn_buf_free(&b);
    cairn_chain_close(c);
    cairn_mempool_free(mp);
    free(keys);
}

/* ---- (b) one epoch of 100,000 leases ---- */

static double hook_seconds; /* time inside the compute end-of-epoch hook */

static cairn_err timed_end_epoch(exec_ctx *x, uint64_t epoch)
{
    double t0 = now();
    cairn_err e = compute_end_epoch(x, epoch);
    hook_seconds += now() - t0;
    return e;
}

static econ_sector timed_compute;
static const econ_sector *sectors[2];
static econ_registry registry;
static cairn_rules rules;

/* Storage and the compute sector with its end-of-epoch hook timed. */
static void timed_rules(void)
{
    timed_compute = cairn_compute_sector;
    timed_compute.end_epoch = timed_end_epoch;
    sectors[0] = &cairn_storage_sector;
    sectors[1] = &timed_compute;
    registry = (econ_registry){sectors, 2};
    econ_rules_init(&rules, &registry);
}

/* A spread-out key for index i of a kind (providers, tenants). */
static void pk_of(cairn_pubkey *pk, uint32_t kind, uint32_t i)
{
    uint32_t in[2] = {kind, i};
    cairn_hash h;
    cairn_hash_bytes(&h, in, sizeof in);
    memcpy(pk->b, h.b, 32);
}

static void add_provider(exec_ctx *x, econ_global *g, uint32_t i)
{
    econ_provider p;
    cairn_compute_provider cp;
    memset(&p, 0, sizeof p);
    memset(&cp, 0, sizeof cp);
    pk_of(&cp.provider, 1, i);
    p.sector = CAIRN_SECTOR_COMPUTE;
    p.flags = PROV_ACTIVE;
    p.self_stake = 1000 * TOK;
    g->staked += p.self_stake;
    cp.capacity =
        (cairn_compute_offer){CAIRN_COMPUTE_CPUS_MAX, 1u << 20, 1u << 20};
    cp.used = (cairn_compute_offer){100, 100 * 256, 100 * 256};
    cp.leases = 100;
    cairn_err e = econ_provider_put(x, &cp.provider, &p);
    if (e || (e = cprov_put(x, &cp)))
        die("provider", e);
}

/* Lease i: 1 core, 0.1 token per epoch, ten epochs of escrow, reported
 * in epoch 0. */
static void add_lease(exec_ctx *x, econ_global *g, uint32_t i)
{
    cairn_lease_info l;
    memset(&l, 0, sizeof l);
    l.id = i + 1;
    pk_of(&l.tenant, 2, i);
    pk_of(&l.provider, 1, i % SPROVIDERS);
    l.order = (cairn_order){.cpus = 1,
                            .mem_mib = 256,
                            .disk_mib = 256,
                            .max_price = 100000,
                            .max_epochs = 100,
                            .escrow = 1000000,
                            .bid_blocks = 10};
    memcpy(l.order.manifest.b, &i, sizeof i);
    l.state = CAIRN_LEASE_ACTIVE;
    l.work_state = CAIRN_WORK_RUNNING;
    l.price = 100000;
    l.escrow = l.deposited = 1000000;
    l.last_report = 0;
    l.paused_epoch = CAIRN_EPOCH_NONE;
    g->held += l.escrow;
    cairn_err e = lease_put(x, &l);
    if (e || (e = lease_index(x, STATE_LEASE_RUN, NULL, 0, l.id, 1)))
        die("lease", e);
}

/* Genesis economy, providers and leases; committed; the tree built. */
static void settle_setup(store *s, cairn_params *cp, cairn_smt *t)
{
    wctx w;
    cairn_totals tot = {.supply = 1000000000 * TOK};
    econ_global g;
    cairn_err e = wctx_begin(&w, s, 0);
    exec_ctx x = {&w, s, cp, 0, &rules};
    if (e || (e = totals_put(&w, s, &tot)) ||
        (e = econ_genesis(&x,
                          "{\"epoch_blocks\":1,\"weight_storage\":5000,"
                          "\"weight_compute\":5000}",
                          NULL, 0)) ||
        (e = econ_global_get(w.txn, s, &g)))
        die("genesis", e);
    for (uint32_t i = 0; i < SPROVIDERS; i++)
        add_provider(&x, &g, i);
    for (uint32_t i = 0; i < LEASES; i++)
        add_lease(&x, &g, i);
    /* the leases' escrow comes out of the supply's balances: none here,
     * so the books are what the settlement moves, not an audit */
    if ((e = econ_global_put(&x, &g)))
        die("global", e);
    for (size_t i = 0; i < w.n; i++)
        if (cairn_smt_set(t, &w.changes[i].key,
                          w.changes[i].deleted ? NULL : &w.changes[i].vhash))
            die("smt", CAIRN_ERR_NOMEM);
    if (mdb_txn_commit(w.txn))
        die("commit", CAIRN_ERR_DB);
    wctx_release(&w);
}

/* Raw LMDB: LEASES puts of 8-byte keys and lease-sized values, one txn. */
static double raw_put_rate(const char *dir)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    uint8_t key[8], val[LEASE_REC_LEN] = {1};
    if (mdb_env_create(&env) || mdb_env_set_mapsize(env, 1ull << 31) ||
        mdb_env_open(env, dir, MDB_NOTLS, 0600) ||
        mdb_txn_begin(env, NULL, 0, &txn) || mdb_dbi_open(txn, NULL, 0, &dbi))
        die("raw lmdb", CAIRN_ERR_DB);
    double t0 = now();
    for (uint32_t i = 0; i < LEASES; i++) {
        cairn_be64_put(key, (uint64_t)i + 1);
        MDB_val k = {8, key}, v = {sizeof val, val};
        if (mdb_put(txn, dbi, &k, &v, 0))
            die("raw put", CAIRN_ERR_DB);
    }
    if (mdb_txn_commit(txn))
        die("raw commit", CAIRN_ERR_DB);
    double dt = now() - t0;
    mdb_env_close(env);
    return LEASES / dt;
}

/* Lease 1 as committed. */
static cairn_err lease_read_check(store *s, cairn_lease_info *l)
{
    MDB_txn *txn;
    if (mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn))
        return CAIRN_ERR_DB;
    cairn_err e = lease_read(txn, s, 1, l);
    mdb_txn_abort(txn);
    return e;
}

static void bench_settle(const char *base)
{
    char sdir[96], rdir[96];
    store s;
    cairn_params cp = {.supply_cap = UINT64_MAX / 2};
    cairn_smt *t = cairn_smt_new();
    wctx w;
    cairn_hash root;
    cairn_lease_info l;
    snprintf(sdir, sizeof sdir, "%s/settle", base);
    snprintf(rdir, sizeof rdir, "%s/raw", base);
    if (!t || mkdir(rdir, 0700))
        die("setup", CAIRN_ERR_IO);
    timed_rules();
    cairn_err e = store_open(&s, sdir, 1);
    if (e)
        die("store", e);
    double t0 = now();
    settle_setup(&s, &cp, t);
    double t1 = now();
    if ((e = wctx_begin(&w, &s, 1)))
        die("begin", e);
    exec_ctx x = {&w, &s, &cp, 1, &rules};
    if ((e = econ_end_block(&x, 0, 0)))
        die("settle", e);
    double t2 = now();
    if (cairn_smt_apply(t, w.changes, w.n))
        die("smt", CAIRN_ERR_NOMEM);
    cairn_smt_root(t, &root);
    double t3 = now();
    if (mdb_txn_commit(w.txn))
        die("commit", CAIRN_ERR_DB);
    double t4 = now();
    size_t changes = w.n;
    wctx_release(&w);
    if ((e = lease_read_check(&s, &l)))
        die("check", e);
    store_close(&s);
    cairn_smt_free(t);
    double raw = raw_put_rate(rdir);
    double total = t4 - t1;
    printf("(b) one epoch of %d active leases settled (setup %.1f s):\n",
           LEASES, t1 - t0);
    printf("    compute hook (read, pay, work, write):  %8.2f s\n",
           hook_seconds);
    printf("    rest of the epoch (economy):            %8.2f s\n",
           t2 - t1 - hook_seconds);
    printf("    state commitment (%zu changes):     %8.2f s\n", changes,
           t3 - t2);
    printf("    LMDB commit:                            %8.2f s\n", t4 - t3);
    printf("    total:                                  %8.2f s = %9.0f "
           "leases/s\n",
           total, LEASES / total);
    printf("    lease 1 after: paid %llu, escrow %llu, settled at %llu\n",
           (unsigned long long)l.paid, (unsigned long long)l.escrow,
           (unsigned long long)l.settled_height);
    printf("    raw LMDB puts (%d x 8 B key + %d B value, one txn): "
           "%9.0f /s\n",
           LEASES, LEASE_REC_LEN, raw);
    printf("    ratio settled leases/s / raw puts/s:    %8.3f\n",
           LEASES / total / raw);
}

/* ---- (c) the sandbox's start time (bench/compute_sandbox.h): a
 * workload's start-to-exit time under the sandbox against a plain
 * fork+exec of the same command, both measured in this run. */
#include "compute_sandbox.h"

int main(void)
{
    char dir[] = "/tmp/cairn-bench-compute-XXXXXX", chain[96], cmd[96];
    cairn_crypto_init();
    if (!mkdtemp(dir))
        return 1;
    snprintf(chain, sizeof chain, "%s/chain", dir);
    bench_market(chain);
    bench_settle(dir);
    bench_sandbox_start();
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) != 0;
}
