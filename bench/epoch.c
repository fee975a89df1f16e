/* Epoch settlement at scale: 1,000,000 providers with reported work (one
 * in ten with delegators) settled in one epoch end, beside the raw LMDB
 * put rate of 1,000,000 small records in one transaction, measured in the
 * same run. Prints; asserts nothing about speed. */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cairn/smt.h"
#include "econ/staking.h"
#include "sectors/registry.h"

#define PROVIDERS 1000000
#define TOK 1000000ull

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU time of the whole process, all threads. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, cairn_err e)
{
    fprintf(stderr, "bench_epoch: %s: %s\n", what, cairn_strerror(e));
    exit(1);
}

/* A spread-out provider key for index i. */
static void pk_of(cairn_pubkey *pk, uint32_t i)
{
    cairn_hash h;
    cairn_hash_bytes(&h, &i, sizeof i);
    memcpy(pk->b, h.b, 32);
}

/* Builds the tree one change at a time, in the order made: its nodes lie
 * in memory as on a node that has run for a while, not in key order. */
static void build_tree(cairn_smt *t, const wctx *w)
{
    for (size_t i = 0; i < w->n; i++)
        if (cairn_smt_set(t, &w->changes[i].key,
                          w->changes[i].deleted ? NULL : &w->changes[i].vhash))
            die("smt", CAIRN_ERR_NOMEM);
}

/* Applies a write context's changes to the tree, as a block commit does. */
static void apply_changes(cairn_smt *t, const wctx *w)
{
    if (cairn_smt_apply(t, w->changes, w->n))
        die("smt", CAIRN_ERR_NOMEM);
}

/* One provider with work, and every tenth one delegator. */
static void add_provider(exec_ctx *x, econ_global *g, uint32_t i)
{
    cairn_pubkey pk, who;
    econ_provider p;
    memset(&p, 0, sizeof p);
    pk_of(&pk, i);
    p.sector = (uint8_t)(i % 4);
    p.flags = PROV_ACTIVE;
    p.commission_bps = 500;
    p.self_stake = 100 * TOK;
    g->staked += p.self_stake;
    if (i % 10 == 0) {
        econ_deleg d = {50 * TOK, 0};
        pk_of(&who, i + PROVIDERS);
        p.del_tokens = p.del_shares = 50 * TOK;
        g->staked += p.del_tokens;
        if (econ_deleg_put(x, &who, &pk, &d))
            die("delegation", CAIRN_ERR_DB);
    }
    cairn_err e = econ_provider_put(x, &pk, &p);
    if (e || (e = econ_add_work(x, &pk, 1 + i % 100)))
        die("provider", e);
}

/* Writes params, totals and providers; commits; builds the tree. */
static void setup(store *s, cairn_params *cp, cairn_smt *t)
{
    wctx w;
    cairn_hash root;
    cairn_totals tot = {.supply = 1000000000 * TOK};
    econ_global g;
    cairn_err e = wctx_begin(&w, s, 0);
    exec_ctx x = {&w, s, cp, 0, cairn_registry_rules()};
    if (e || (e = totals_put(&w, s, &tot)) ||
        (e = econ_genesis(&x, "{\"epoch_blocks\":1}", NULL, 0)) ||
        (e = econ_global_get(w.txn, s, &g)))
        die("genesis", e);
    for (uint32_t i = 0; i < PROVIDERS; i++)
        add_provider(&x, &g, i);
    if ((e = econ_global_put(&x, &g)))
        die("global", e);
    build_tree(t, &w);
    cairn_smt_root(t, &root);
    if (mdb_txn_commit(w.txn))
        die("commit", CAIRN_ERR_DB);
    wctx_release(&w);
}

/* Raw LMDB: 1M puts of 32-byte keys and 96-byte values in one txn. */
static double raw_put_rate(const char *dir)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    uint8_t val[96] = {1};
    if (mdb_env_create(&env) || mdb_env_set_mapsize(env, 1ull << 32) ||
        mdb_env_open(env, dir, MDB_NOTLS, 0600) ||
        mdb_txn_begin(env, NULL, 0, &txn) || mdb_dbi_open(txn, NULL, 0, &dbi))
        die("raw lmdb", CAIRN_ERR_DB);
    double t0 = now();
    for (uint32_t i = 0; i < PROVIDERS; i++) {
        cairn_pubkey pk;
        pk_of(&pk, i);
        MDB_val k = {32, pk.b}, v = {sizeof val, val};
        if (mdb_put(txn, dbi, &k, &v, 0))
            die("raw put", CAIRN_ERR_DB);
    }
    if (mdb_txn_commit(txn))
        die("raw commit", CAIRN_ERR_DB);
    double dt = now() - t0;
    mdb_env_close(env);
    return PROVIDERS / dt;
}

int main(void)
{
    char dir[] = "/tmp/cairn-bench-epoch-XXXXXX", sdir[64], rdir[64], cmd[96];
    store s;
    cairn_params cp = {.supply_cap = UINT64_MAX / 2};
    cairn_smt *t = cairn_smt_new();
    wctx w;
    cairn_hash root;
    cairn_crypto_init();
    if (!mkdtemp(dir) || !t)
        return 1;
    snprintf(sdir, sizeof sdir, "%s/chain", dir);
    snprintf(rdir, sizeof rdir, "%s/raw", dir);
    if (mkdir(rdir, 0700))
        return 1;
    double t0 = now();
    cairn_err e = store_open(&s, sdir, 1);
    if (e)
        die("store", e);
    setup(&s, &cp, t);
    double t1 = now(), c1 = cpu_now();
    if ((e = wctx_begin(&w, &s, 1)))
        die("begin", e);
    exec_ctx x = {&w, &s, &cp, 1, cairn_registry_rules()};
    if ((e = econ_end_block(&x, 0, 0)))
        die("settle", e);
    double t2 = now();
    apply_changes(t, &w);
    double t2b = now();
    cairn_smt_root(t, &root);
    double t3 = now();
    if (mdb_txn_commit(w.txn))
        die("commit", CAIRN_ERR_DB);
    double t4 = now(), c4 = cpu_now();
    size_t changes = w.n;
    wctx_release(&w);
    store_close(&s);
    double raw = raw_put_rate(rdir);
    double settle = t4 - t1;
    printf("setup (1M providers, 100k delegations, work, tree): %8.2f s\n",
           t1 - t0);
    printf("epoch settlement, %d providers with work:\n", PROVIDERS);
    printf("  econ (scan, reward, write providers):     %8.2f s\n", t2 - t1);
    printf("  state commitment (%zu changes):       %8.2f s\n", changes,
           t3 - t2);
    printf("    of which tree updates:                  %8.2f s\n", t2b - t2);
    printf("    of which rehash to the root:            %8.2f s\n", t3 - t2b);
    printf("  LMDB commit (fsync):                      %8.2f s\n", t4 - t3);
    printf(
        "  total:                                    %8.2f s  = %10.0f providers/s\n",
        settle, PROVIDERS / settle);
    printf("  CPU time, all threads:                    %8.2f s\n", c4 - c1);
    printf(
        "raw LMDB put rate (1M x 32B key + 96B value, one txn): %10.0f puts/s\n",
        raw);
    printf("ratio settled providers/s / raw puts/s:     %8.3f\n",
           PROVIDERS / settle / raw);
    cairn_smt_free(t);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) != 0;
}
