/* The simulator's engine: an in-process sequencer on the real chain. It
 * builds the genesis, creates the chain in a temporary LMDB directory
 * (or OUT/chain with keep_chain), signs and admits the agents'
 * transactions as the node does, proposes each block at the time
 * genesis_time + height × block_interval, and writes one CSV row per
 * settled epoch from cairn_chain_epoch_metrics. */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cairn/amount.h"
#include "cairn/mempool.h"
#include "cairn/staking.h"
#include "sim/report.h"
#include "sim/sim_int.h"

#define TOK CAIRN_UNITS_PER_TOKEN
#define COLS SIM_CSV_COLS /* metrics.csv's columns: sim_csv_cols */
#define COL_MAX 40

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- randomness and keys (deterministic for a seed) ---- */

uint64_t sim_rand(sim_engine *s)
{
    uint64_t z = (s->rng += 0x9E3779B97F4A7C15ull); /* splitmix64 */
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double sim_rand01(sim_engine *s)
{
    return (double)(sim_rand(s) >> 11) / 9007199254740992.0;
}

void sim_key(cairn_keypair *kp, uint64_t seed, uint8_t role, uint64_t i)
{
    uint8_t in[8 + 8 + 1 + 8];
    cairn_hash h;
    memcpy(in, "cairnsim", 8);
    for (int k = 0; k < 8; k++) {
        in[8 + k] = (uint8_t)(seed >> (8 * k));
        in[17 + k] = (uint8_t)(i >> (8 * k));
    }
    in[16] = role;
    cairn_hash_bytes(&h, in, sizeof in);
    cairn_keypair_from_seed(kp, h.b);
}

/* ---- transactions and blocks ---- */

static void count_drop(sim_engine *s, cairn_err e)
{
    s->dropped++;
    s->drops[(unsigned)e % SIM_DROP_KINDS]++;
}

cairn_err sim_submit(sim_engine *s, const cairn_keypair *kp, uint16_t kind,
                     const cairn_buf *body)
{
    cairn_account a;
    cairn_tx tx;
    cairn_hash h;
    cairn_buf b;
    if (cairn_chain_account(s->chain, &kp->pk, &a))
        memset(&a, 0, sizeof a);
    uint64_t nonce = a.nonce + cairn_mempool_pending(s->mp, &kp->pk);
    cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);
    cairn_err e = cairn_tx_make(&b, s->chain_id, kp, nonce, s->min_fee, kind,
                                body->p, body->len);
    if (!e)
        e = cairn_chain_check_tx(s->chain, b.p, b.len, &tx, &h);
    if (!e)
        e = cairn_mempool_add(s->mp, b.p, b.len, &tx, &h, a.nonce);
    cairn_buf_free(&b);
    if (e)
        count_drop(s, e);
    else
        s->txs++;
    return e;
}

cairn_err sim_transfer(sim_engine *s, const cairn_keypair *from,
                       const cairn_pubkey *to, uint64_t amount)
{
    cairn_transfer t = {*to, amount};
    uint8_t body[40];
    cairn_buf b;
    cairn_transfer_encode(body, &t);
    cairn_buf_init(&b, 64);
    cairn_put_bytes(&b, body, sizeof body);
    cairn_err e = sim_submit(s, from, CAIRN_TX_TRANSFER, &b);
    cairn_buf_free(&b);
    return e;
}

cairn_err sim_block(sim_engine *s)
{
    cairn_header tip;
    cairn_proposal pr;
    cairn_chain_tip(s->chain, &tip, NULL);
    uint64_t t =
        s->sc.genesis_time_ms + (tip.height + 1) * s->sc.block_interval_ms;
    cairn_err e = cairn_chain_propose(s->chain, s->mp, &s->seq, t, &pr);
    if (e)
        return e;
    for (size_t i = 0; i < pr.n_dropped; i++)
        count_drop(s, pr.drop_err[i]);
    s->txs -= pr.n_dropped < s->txs ? pr.n_dropped : s->txs;
    cairn_proposal_free(&pr);
    s->spilled += cairn_mempool_count(s->mp);
    s->blocks++;
    return CAIRN_OK;
}

uint64_t sim_param(sim_engine *s, const char *name)
{
    static cairn_econ_param ps[512];
    size_t n;
    if (cairn_chain_econ_params(s->chain, ps, 512, &n))
        return 0;
    for (size_t i = 0; i < n && i < 512; i++)
        if (strcmp(ps[i].name, name) == 0)
            return ps[i].value;
    return 0;
}

/* ---- genesis ---- */

static json_t *alloc_json(const cairn_pubkey *pk, uint64_t units)
{
    char addr[CAIRN_ADDR_TEXT_LEN + 1], amt[CAIRN_AMOUNT_TEXT_MAX];
    cairn_addr_format(addr, pk);
    cairn_amount_format(amt, units);
    return json_pack("{s:s, s:s}", "address", addr, "amount", amt);
}

/* The economy: the simulator's defaults, then the scenario's overrides. */
static json_t *economy_json(sim_engine *s, char *msg, size_t len)
{
    char addr[CAIRN_ADDR_TEXT_LEN + 1];
    cairn_addr_format(addr, &s->oracle.pk);
    json_t *eco = json_pack(
        "{s:I, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:I, s:s, s:s, "
        "s:i}",
        "epoch_blocks", (json_int_t)s->sc.epoch_blocks, "price_oracle", addr,
        "weight_storage", 0, "weight_compute", 10000, "weight_wireless", 0,
        "weight_sensor", 0, "fee_provider_bps", 7000, "fee_burn_bps", 1000,
        "fee_treasury_bps", 1000, "fee_stakers_bps", 1000, "gov_voting_blocks",
        (json_int_t)s->sc.epoch_blocks, "gov_deposit", "10", "emission_initial",
        "100", "halving_epochs", 365);
    if (eco && s->sc.economy) {
        json_error_t jerr;
        json_t *o = json_loads(s->sc.economy, 0, &jerr);
        if (!o || json_object_update(eco, o)) {
            json_decref(o);
            json_decref(eco);
            snprintf(msg, len, "scenario genesis: cannot be merged");
            return NULL;
        }
        json_decref(o);
    }
    return eco;
}

static cairn_err build_genesis(sim_engine *s, char *msg, size_t len)
{
    char addr[CAIRN_ADDR_TEXT_LEN + 1];
    json_t *eco = economy_json(s, msg, len);
    if (!eco)
        return CAIRN_ERR_BAD_ARG;
    char *ej = json_dumps(eco, JSON_COMPACT);
    cairn_err e = ej ? cairn_econ_check(ej, msg, len) : CAIRN_ERR_NOMEM;
    free(ej);
    if (e) {
        char m2[512];
        snprintf(m2, sizeof m2, "scenario genesis: %s", msg);
        snprintf(msg, len, "%s", m2);
        json_decref(eco);
        return CAIRN_ERR_BAD_ARG;
    }
    json_t *allocs = json_array();
    uint64_t each = s->sc.market.float_tokens / SIM_EXCHANGES;
    for (int i = 0; i < SIM_EXCHANGES; i++)
        json_array_append_new(allocs,
                              alloc_json(&s->ex[i].pk, each ? each : 1));
    json_array_append_new(allocs, alloc_json(&s->oracle.pk, 1000 * TOK));
    cairn_addr_format(addr, &s->seq.pk);
    json_t *g = json_pack(
        "{s:s, s:{s:s, s:s}, s:s, s:I, s:I, s:i, s:s, s:s, s:o, s:o}",
        "chain_id", s->chain_id, "token", "name", "Cairn", "symbol", "CRN",
        "supply_cap", "1000000000", "genesis_time_ms",
        (json_int_t)s->sc.genesis_time_ms, "block_interval_ms",
        (json_int_t)s->sc.block_interval_ms, "max_block_txs", 20000, "min_fee",
        "0.001", "sequencer", addr, "allocations", allocs, "economy", eco);
    s->genesis_json = g ? json_dumps(g, JSON_INDENT(2) | JSON_SORT_KEYS) : 0;
    json_decref(g);
    return s->genesis_json ? CAIRN_OK : CAIRN_ERR_NOMEM;
}

/* ---- files ---- */

static int mkdir_p(const char *path)
{
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(tmp, 0755) && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(tmp, 0755) && errno != EEXIST ? -1 : 0;
}

static void out_path(char *buf, size_t n, const char *dir, const char *name)
{
    snprintf(buf, n, "%s/%s", dir, name);
}

/* Removes a directory tree (the temporary chain: files only, one level). */
static void rm_tree(const char *dir)
{
    char p[600];
    static const char *const names[] = {"data.mdb", "lock.mdb", NULL};
    for (int i = 0; names[i]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int ok = fputs(text, f) >= 0;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

/* ---- one CSV row ---- */

static void fmt_amount(char *out, uint64_t units)
{
    char a[CAIRN_AMOUNT_TEXT_MAX];
    cairn_amount_format(a, units);
    snprintf(out, COL_MAX, "%s", a);
}

static void fmt_u64(char *out, uint64_t v)
{
    snprintf(out, COL_MAX, "%llu", (unsigned long long)v);
}

/* The row of settled epoch m, with the model's values of the epoch. */
static void make_row(sim_engine *s, const cairn_epoch_metrics *m, double price,
                     char row[COLS][COL_MAX])
{
    uint64_t active = 0, work = 0;
    for (int i = 0; i < CAIRN_SECTOR_SLOTS; i++) {
        active += m->active_providers[i];
        work += m->work_units[i];
    }
    char vel[CAIRN_VELOCITY_TEXT_MAX], net[CAIRN_AMOUNT_TEXT_MAX];
    cairn_velocity_format(vel, m->velocity_bps);
    cairn_amount_format(net, m->net_change);
    fmt_u64(row[0], m->epoch);
    fmt_u64(row[1], active);
    fmt_u64(row[2], s->flow.joined);
    fmt_u64(row[3], s->flow.left);
    fmt_u64(row[4], sim_users_leased(s));
    fmt_u64(row[5], work);
    fmt_amount(row[6], m->revenue);
    fmt_amount(row[7], m->fees_providers);
    fmt_amount(row[8], m->fees_burned);
    fmt_amount(row[9], m->fees_treasury);
    fmt_amount(row[10], m->fees_stakers);
    fmt_amount(row[11], m->emitted);
    fmt_amount(row[12], m->burned);
    snprintf(row[13], COL_MAX, "%s%s",
             m->net_negative && m->net_change ? "-" : "", net);
    fmt_amount(row[14], m->supply);
    fmt_amount(row[15], m->circulating);
    fmt_amount(row[16], m->staked);
    fmt_u64(row[17], m->staked_ratio_bps);
    snprintf(row[18], COL_MAX, "%s", vel);
    snprintf(row[19], COL_MAX, "%.6f", price);
    fmt_u64(row[20], m->credits_bought);
    snprintf(row[21], COL_MAX, "%.6f", s->flow.profit_usd);
}

static void write_row(FILE *f, char row[COLS][COL_MAX])
{
    for (int i = 0; i < COLS; i++)
        fprintf(f, "%s%s", i ? "," : "", row[i]);
    fputc('\n', f);
}

static int write_summary(sim_engine *s, const char *path,
                         const cairn_sim_result *r, char row[COLS][COL_MAX],
                         int have_row)
{
    char root[65];
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    for (int i = 0; i < 32; i++)
        snprintf(root + 2 * i, 3, "%02x", r->state_root[i]);
    json_t *nm = json_string(s->sc.name); /* escaped by jansson */
    char *name = json_dumps(nm, JSON_ENCODE_ANY);
    json_decref(nm);
    fprintf(f,
            "{\n  \"scenario\": %s,\n  \"seed\": %llu,\n  \"epochs\": %llu,\n"
            "  \"tip_height\": %llu,\n  \"state_root\": \"%s\",\n"
            "  \"txs\": %llu,\n  \"dropped\": %llu,\n  \"dropped_by_error\": {",
            name ? name : "\"?\"", (unsigned long long)s->sc.seed,
            (unsigned long long)r->epochs, (unsigned long long)r->tip_height,
            root, (unsigned long long)r->txs, (unsigned long long)r->dropped);
    free(name);
    int first = 1;
    for (unsigned i = 0; i < SIM_DROP_KINDS; i++)
        if (s->drops[i]) {
            fprintf(f, "%s\"%s\": %llu", first ? "" : ", ",
                    cairn_errname((cairn_err)i),
                    (unsigned long long)s->drops[i]);
            first = 0;
        }
    fprintf(f, "},\n  \"final\": {");
    for (int i = 0; have_row && i < COLS; i++)
        fprintf(f, "%s\n    \"%s\": %s", i ? "," : "", sim_csv_cols[i].name,
                row[i]);
    fprintf(f, "%s}\n}\n", have_row ? "\n  " : "");
    return fclose(f) == 0 ? 0 : -1;
}

/* ---- the run ---- */

static cairn_err fail(char *msg, size_t len, cairn_err e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static cairn_err fail(char *msg, size_t len, cairn_err e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, len, fmt, ap);
    va_end(ap);
    return e;
}

/* The providers' share of the fee split in force, clamped as the chain
 * clamps it (the agents' expected income). */
static void read_split(sim_engine *s)
{
    uint64_t p = sim_param(s, "fee_provider_bps");
    s->fee_provider_bps = p < 10000 ? p : 10000;
}

static cairn_err open_chain(sim_engine *s, char *msg, size_t len)
{
    cairn_genesis g;
    char m2[256];
    cairn_err e = cairn_genesis_parse(&g, s->genesis_json, m2, sizeof m2);
    if (e)
        return fail(msg, len, e, "sim genesis: %s", m2);
    e = cairn_chain_create(s->dir, &g);
    cairn_genesis_free(&g);
    if (e)
        return fail(msg, len, e, "cannot create the chain in %s: %s", s->dir,
                    cairn_strerror(e));
    if ((e = cairn_chain_open(&s->chain, s->dir)))
        return fail(msg, len, e, "cannot open the chain in %s: %s", s->dir,
                    cairn_strerror(e));
    s->mp = cairn_mempool_new(400000, 1ull << 31);
    if (!s->mp)
        return fail(msg, len, CAIRN_ERR_NOMEM, "out of memory (mempool)");
    read_split(s);
    s->floor_per_core = sim_param(s, "compute_min_price_per_core");
    s->max_epochs = sim_param(s, "compute_max_epochs");
    s->bid_deposit = sim_param(s, "compute_bid_deposit");
    s->gov_deposit = sim_param(s, "gov_deposit");
    s->weight_compute = sim_param(s, "weight_compute");
    return CAIRN_OK;
}

/* Proposes the blocks of the current epoch, running the agents' phase
 * k before the epoch's block k. */
static cairn_err run_epoch(sim_engine *s)
{
    cairn_staking_status st;
    cairn_header tip;
    cairn_err e = cairn_chain_staking_status(s->chain, &st);
    if (e)
        return e;
    uint64_t last = st.epoch_start_height + st.epoch_blocks - 1;
    s->epoch = st.epoch;
    for (;;) {
        cairn_chain_tip(s->chain, &tip, NULL);
        if (tip.height >= last)
            return CAIRN_OK;
        uint64_t k = tip.height + 1 - st.epoch_start_height;
        if (k <= 4 && (e = sim_phase(s, (int)k)))
            return e;
        double t0 = now_s();
        if ((e = sim_block(s)))
            return e;
        if (tip.height + 1 == last)
            s->settle_seconds += now_s() - t0;
    }
}

static void progress(sim_engine *s, uint64_t done, double t0)
{
    FILE *f = s->opts->progress;
    uint64_t n = s->opts->epochs;
    size_t active = 0;
    if (!f || (done * 10 / n == (done - 1) * 10 / n && done != n))
        return;
    for (size_t j = 0; j < s->nprov; j++)
        active += s->prov[j].state == SIM_P_ACTIVE;
    fprintf(f,
            "sim: epoch %llu/%llu (%llu%%), %llu txs, %zu providers, "
            "%llu users leased, price %.4f USD, %.1f s\n",
            (unsigned long long)done, (unsigned long long)n,
            (unsigned long long)(done * 100 / n), (unsigned long long)s->txs,
            active, (unsigned long long)sim_users_leased(s), s->price,
            now_s() - t0);
}

static void engine_free(sim_engine *s)
{
    if (s->chain)
        cairn_chain_close(s->chain);
    if (s->mp)
        cairn_mempool_free(s->mp);
    if (s->csv)
        fclose(s->csv);
    free(s->prov);
    free(s->user);
    free(s->bidders);
    free(s->genesis_json);
    esim_scenario_free(&s->sc);
}

static cairn_err setup(sim_engine *s, const cairn_sim_opts *o, char *msg,
                       size_t len)
{
    cairn_err e;
    if ((e = esim_scenario_load(&s->sc, o->scenario, msg, len)))
        return e;
    if (o->has_seed)
        s->sc.seed = o->seed;
    s->rng = s->sc.seed ^ 0x5DEECE66Dull;
    snprintf(s->chain_id, sizeof s->chain_id, "cairn-sim");
    s->min_fee = TOK / 1000;
    sim_key(&s->seq, s->sc.seed, 0, 0);
    sim_key(&s->oracle, s->sc.seed, 1, 0);
    sim_key(&s->buyer, s->sc.seed, 2, 0);
    for (uint64_t i = 0; i < SIM_EXCHANGES; i++)
        sim_key(&s->ex[i], s->sc.seed, 3, i);
    if ((e = build_genesis(s, msg, len)))
        return e;
    if (mkdir_p(o->outdir))
        return fail(msg, len, CAIRN_ERR_IO, "cannot create %s: %s", o->outdir,
                    strerror(errno));
    if (o->keep_chain) {
        out_path(s->dir, sizeof s->dir, o->outdir, "chain");
        struct stat sb;
        if (stat(s->dir, &sb) == 0)
            return fail(msg, len, CAIRN_ERR_BAD_ARG,
                        "%s already exists: remove it or choose another "
                        "--out",
                        s->dir);
    } else {
        const char *t = getenv("TMPDIR");
        snprintf(s->dir, sizeof s->dir, "%s/cairn-sim-XXXXXX",
                 t && *t ? t : "/tmp");
        if (!mkdtemp(s->dir))
            return fail(msg, len, CAIRN_ERR_IO,
                        "cannot create a temporary directory: %s",
                        strerror(errno));
    }
    s->dir_made = 1;
    return open_chain(s, msg, len);
}

cairn_err cairn_sim_run(const cairn_sim_opts *o, cairn_sim_result *r, char *msg,
                        size_t len)
{
    sim_engine *s = calloc(1, sizeof *s);
    char csv[600], sum[600], tmp[600];
    char row[COLS][COL_MAX];
    int have_row = 0;
    double t0 = now_s();
    memset(r, 0, sizeof *r);
    if (!s)
        return fail(msg, len, CAIRN_ERR_NOMEM, "out of memory");
    s->opts = o;
    out_path(csv, sizeof csv, o->outdir, "metrics.csv");
    out_path(sum, sizeof sum, o->outdir, "summary.json");
    cairn_err e = o->epochs ? CAIRN_OK
                            : fail(msg, len, CAIRN_ERR_BAD_ARG,
                                   "--epochs must be at least 1");
    if (!e)
        e = setup(s, o, msg, len);
    if (!e) {
        unlink(sum);
        s->csv = fopen(csv, "w");
        if (!s->csv)
            e = fail(msg, len, CAIRN_ERR_IO, "cannot write %s: %s", csv,
                     strerror(errno));
    }
    if (!e) {
        for (int i = 0; i < COLS; i++)
            fprintf(s->csv, "%s%s", i ? "," : "", sim_csv_cols[i].name);
        fputc('\n', s->csv);
        e = sim_agents_start(s);
    }
    double t_tail = 0;
    uint64_t tx_tail = 0;
    for (uint64_t ep = 0; !e && ep < o->epochs; ep++) {
        cairn_epoch_metrics m;
        if (ep == o->epochs - o->epochs / 2) {
            t_tail = now_s();
            tx_tail = s->txs;
        }
        if ((e = run_epoch(s)))
            break;
        if ((e = cairn_chain_epoch_metrics(s->chain, s->epoch, &m)))
            break;
        read_split(s);
        double price = s->price;
        if ((e = sim_epoch_end(s, &m)))
            break;
        make_row(s, &m, price, row);
        write_row(s->csv, row);
        have_row = 1;
        memset(&s->flow, 0, sizeof s->flow);
        s->last = m;
        s->have_last = 1;
        r->epochs = ep + 1;
        progress(s, ep + 1, t0);
    }
    if (e && !msg[0])
        snprintf(msg, len, "simulation stopped in epoch %llu: %s",
                 (unsigned long long)s->epoch, cairn_strerror(e));
    if (!e && s->csv && fclose(s->csv)) {
        e = fail(msg, len, CAIRN_ERR_IO, "cannot write %s", csv);
    }
    s->csv = NULL;
    if (!e) {
        cairn_header tip;
        cairn_chain_tip(s->chain, &tip, NULL);
        r->tip_height = tip.height;
        memcpy(r->state_root, tip.state_root.b, 32);
        r->txs = s->txs;
        r->dropped = s->dropped;
        if (write_summary(s, sum, r, row, have_row))
            e = fail(msg, len, CAIRN_ERR_IO, "cannot write %s", sum);
    }
    if (!e && o->keep_chain) {
        out_path(tmp, sizeof tmp, o->outdir, "genesis.json");
        if (write_file(tmp, s->genesis_json))
            e = fail(msg, len, CAIRN_ERR_IO, "cannot write %s", tmp);
        out_path(tmp, sizeof tmp, o->outdir, "sequencer.key");
        unlink(tmp);
        if (!e && cairn_key_save(tmp, &s->seq))
            e = fail(msg, len, CAIRN_ERR_IO, "cannot write %s", tmp);
    }
    if (s->chain)
        cairn_chain_close(s->chain);
    s->chain = NULL;
    if ((!o->keep_chain || e) && s->dir_made)
        rm_tree(s->dir);
    if (e) {
        unlink(csv);
        unlink(sum);
    }
    r->seconds = now_s() - t0;
    r->tail_epochs = o->epochs / 2;
    if (!e && r->tail_epochs) {
        r->tail_seconds = now_s() - t_tail;
        r->tail_txs = r->txs - tx_tail;
    }
    r->settle_seconds = s->settle_seconds;
    engine_free(s);
    free(s);
    return e;
}
