/* Unit tests of work reports held in the provider record (src/econ/
 * staking.c, epoch.c) on a real LMDB store: reports add up within an
 * epoch, count only in the epoch they were made in, a provider jailed
 * after reporting is not paid, zero-unit reports settle without a
 * division by zero, and the record's codec checks every length. Each block
 * here is one epoch (epoch_blocks 1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "econ/staking.h"
#include "sectors/registry.h"
#include "econ/stats.h"

#define TOK 1000000ull
#define EMISSION (1000 * TOK)
#define ECONOMY                                                                \
    "{\"epoch_blocks\":1,\"emission_initial\":\"1000\","                       \
    "\"weight_storage\":10000,\"weight_compute\":0,\"weight_wireless\":0,"     \
    "\"weight_sensor\":0}"

/* A store with the economy's genesis, and the next block's height. */
typedef struct fixture {
    char dir[64];
    store s;
    cairn_params cp;
    uint64_t height;
} fixture;

/* Reports work (and whatever else a test does) inside a block. */
typedef void (*block_fn)(exec_ctx *x);

static cairn_pubkey pk_a, pk_b;

static void fx_open(fixture *f)
{
    wctx w;
    cairn_totals tot = {.supply = 1000000 * TOK};
    memset(f, 0, sizeof *f);
    f->cp.supply_cap = UINT64_MAX / 2;
    f->height = 1;
    snprintf(f->dir, sizeof f->dir, "/tmp/cairn-epochwork-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(store_open(&f->s, f->dir, 1), CAIRN_OK);
    assert_int_equal(wctx_begin(&w, &f->s, 0), CAIRN_OK);
    exec_ctx x = {&w, &f->s, &f->cp, 0, cairn_registry_rules()};
    assert_int_equal(totals_put(&w, &f->s, &tot), CAIRN_OK);
    assert_int_equal(econ_genesis(&x, ECONOMY, NULL, 0), CAIRN_OK);
    assert_int_equal(mdb_txn_commit(w.txn), 0);
    wctx_release(&w);
}

static void fx_close(fixture *f)
{
    char cmd[96];
    store_close(&f->s);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
}

/* Runs one block: fn, then the end of block (which settles the epoch). */
static void run_block(fixture *f, block_fn fn)
{
    wctx w;
    assert_int_equal(wctx_begin(&w, &f->s, f->height), CAIRN_OK);
    exec_ctx x = {&w, &f->s, &f->cp, f->height, cairn_registry_rules()};
    if (fn)
        fn(&x);
    assert_int_equal(econ_end_block(&x, 0, 0), CAIRN_OK);
    assert_int_equal(mdb_txn_commit(w.txn), 0);
    wctx_release(&w);
    f->height++;
}

/* Registers A and B: storage, active, 100 tokens, no commission. */
static void add_providers(exec_ctx *x)
{
    econ_provider p;
    econ_global g;
    memset(&p, 0, sizeof p);
    p.flags = PROV_ACTIVE;
    p.self_stake = 100 * TOK;
    assert_int_equal(econ_provider_put(x, &pk_a, &p), CAIRN_OK);
    assert_int_equal(econ_provider_put(x, &pk_b, &p), CAIRN_OK);
    assert_int_equal(econ_global_get(x->w->txn, x->s, &g), CAIRN_OK);
    g.staked += 200 * TOK;
    assert_int_equal(econ_global_put(x, &g), CAIRN_OK);
}

static void work_a90_b30(exec_ctx *x)
{
    assert_int_equal(econ_add_work(x, &pk_a, 60), CAIRN_OK);
    assert_int_equal(econ_add_work(x, &pk_b, 30), CAIRN_OK);
    assert_int_equal(econ_add_work(x, &pk_a, 30), CAIRN_OK); /* adds up */
}

static void work_b10(exec_ctx *x)
{
    assert_int_equal(econ_add_work(x, &pk_b, 10), CAIRN_OK);
}

/* A and B report 10 each, then A is jailed before the epoch ends. */
static void work_then_jail_a(exec_ctx *x)
{
    econ_provider p;
    econ_global g;
    assert_int_equal(econ_add_work(x, &pk_a, 10), CAIRN_OK);
    assert_int_equal(econ_add_work(x, &pk_b, 10), CAIRN_OK);
    assert_int_equal(econ_global_get(x->w->txn, x->s, &g), CAIRN_OK);
    assert_int_equal(econ_provider_read(x->w->txn, x->s, &pk_a, &p), CAIRN_OK);
    p.jailed_until = g.epoch + 5;
    assert_int_equal(econ_provider_put(x, &pk_a, &p), CAIRN_OK);
}

static void work_zero(exec_ctx *x)
{
    assert_int_equal(econ_add_work(x, &pk_a, 0), CAIRN_OK);
}

/* A's and B's unclaimed rewards, epoch `e`'s statistics, the treasury. */
static void read_state(fixture *f, uint64_t e, uint64_t *ra, uint64_t *rb,
                       econ_epoch_stats *st, uint64_t *treasury)
{
    MDB_txn *txn;
    econ_provider p;
    cairn_totals t;
    assert_int_equal(mdb_txn_begin(f->s.env, NULL, MDB_RDONLY, &txn), 0);
    assert_int_equal(econ_provider_read(txn, &f->s, &pk_a, &p), CAIRN_OK);
    *ra = p.reward;
    assert_int_equal(econ_provider_read(txn, &f->s, &pk_b, &p), CAIRN_OK);
    *rb = p.reward;
    assert_int_equal(econ_stats_get(txn, &f->s, e, st), CAIRN_OK);
    assert_int_equal(totals_get(txn, &f->s, &t), CAIRN_OK);
    *treasury = t.treasury;
    mdb_txn_abort(txn);
}

static void keys_init(void)
{
    memset(&pk_a, 0xA1, sizeof pk_a);
    memset(&pk_b, 0xB2, sizeof pk_b);
}

/* Units add up within an epoch and count in that epoch only. */
static void work_counts_in_its_epoch_only(void **st)
{
    fixture f;
    econ_epoch_stats es;
    uint64_t ra, rb, tr0, tr;
    (void)st;
    keys_init();
    fx_open(&f);
    run_block(&f, add_providers); /* epoch 0: no work; all to treasury */
    read_state(&f, 0, &ra, &rb, &es, &tr0);
    assert_int_equal(es.active_providers[0], 0);
    assert_int_equal(tr0, EMISSION);
    run_block(&f, work_a90_b30); /* epoch 1: A 90, B 30 of 120 */
    read_state(&f, 1, &ra, &rb, &es, &tr);
    assert_int_equal(ra, EMISSION / 4 * 3);
    assert_int_equal(rb, EMISSION / 4);
    assert_int_equal(es.work_units[0], 120);
    assert_int_equal(es.active_providers[0], 2);
    assert_int_equal(tr, tr0);
    run_block(&f, work_b10); /* epoch 2: only B; A's 90 count no more */
    read_state(&f, 2, &ra, &rb, &es, &tr);
    assert_int_equal(ra, EMISSION / 4 * 3);
    assert_int_equal(rb, EMISSION / 4 + EMISSION);
    assert_int_equal(es.work_units[0], 10);
    assert_int_equal(es.active_providers[0], 1);
    run_block(&f, NULL); /* epoch 3: nobody reported; all to treasury */
    read_state(&f, 3, &ra, &rb, &es, &tr);
    assert_int_equal(ra, EMISSION / 4 * 3);
    assert_int_equal(rb, EMISSION / 4 + EMISSION);
    assert_int_equal(es.work_units[0], 0);
    assert_int_equal(es.active_providers[0], 0);
    assert_int_equal(tr, tr0 + EMISSION);
    fx_close(&f);
}

/* A provider jailed after reporting is not paid; its share goes to the
 * treasury, and its units still count in the sector's total. */
static void jailed_after_report_is_not_paid(void **st)
{
    fixture f;
    econ_epoch_stats es;
    uint64_t ra, rb, tr0, tr;
    (void)st;
    keys_init();
    fx_open(&f);
    run_block(&f, add_providers);
    read_state(&f, 0, &ra, &rb, &es, &tr0);
    run_block(&f, work_then_jail_a);
    read_state(&f, 1, &ra, &rb, &es, &tr);
    assert_int_equal(ra, 0);
    assert_int_equal(rb, EMISSION / 2);
    assert_int_equal(es.work_units[0], 20);
    assert_int_equal(es.active_providers[0], 1);
    assert_int_equal(tr, tr0 + EMISSION / 2);
    fx_close(&f);
}

/* Only zero-unit reports in a sector: the provider counts as paid (0),
 * the sector's share goes to the treasury, and nothing divides by 0. */
static void zero_unit_reports_settle(void **st)
{
    fixture f;
    econ_epoch_stats es;
    uint64_t ra, rb, tr0, tr;
    (void)st;
    keys_init();
    fx_open(&f);
    run_block(&f, add_providers);
    read_state(&f, 0, &ra, &rb, &es, &tr0);
    run_block(&f, work_zero);
    read_state(&f, 1, &ra, &rb, &es, &tr);
    assert_int_equal(ra, 0);
    assert_int_equal(es.work_units[0], 0);
    assert_int_equal(es.active_providers[0], 1);
    assert_int_equal(tr, tr0 + EMISSION);
    fx_close(&f);
}

/* Every field of a equals b's. */
static void assert_provider_equal(const econ_provider *a,
                                  const econ_provider *b)
{
    assert_int_equal(a->sector, b->sector);
    assert_int_equal(a->flags, b->flags);
    assert_int_equal(a->commission_bps, b->commission_bps);
    assert_int_equal(a->faults, b->faults);
    assert_int_equal(a->self_stake, b->self_stake);
    assert_int_equal(a->del_tokens, b->del_tokens);
    assert_int_equal(a->del_shares, b->del_shares);
    assert_true(a->rps == b->rps);
    assert_int_equal(a->pool, b->pool);
    assert_int_equal(a->reward, b->reward);
    assert_int_equal(a->jailed_until, b->jailed_until);
    assert_int_equal(a->registered_height, b->registered_height);
    assert_int_equal(a->work_epoch, b->work_epoch);
    assert_int_equal(a->work_units, b->work_units);
    assert_int_equal(a->endpoint_len, b->endpoint_len);
    assert_memory_equal(a->endpoint, b->endpoint, a->endpoint_len);
}

/* The record as stored: version 2, work fields at bytes 84 and 92, the
 * endpoint after byte 100; a decode of anything else fails. */
static void provider_record_codec(void **st)
{
    fixture f;
    wctx w;
    MDB_val v;
    econ_provider p, q;
    uint8_t b[PROVIDER_MAX_LEN + 8], sector;
    uint64_t we, wu;
    (void)st;
    keys_init();
    fx_open(&f);
    memset(b, 0, sizeof b);
    memset(&p, 0, sizeof p);
    p.sector = 2;
    p.flags = PROV_ACTIVE;
    p.commission_bps = 700;
    p.faults = 3;
    p.self_stake = 11;
    p.del_tokens = 12;
    p.del_shares = 13;
    p.rps = (u128)14 << 64 | 15;
    p.pool = 16;
    p.reward = 17;
    p.jailed_until = 18;
    p.registered_height = 19;
    p.work_epoch = 20;
    p.work_units = 21;
    p.endpoint_len = 14;
    memcpy(p.endpoint, "127.0.0.1:4000", 14);
    assert_int_equal(wctx_begin(&w, &f.s, 1), CAIRN_OK);
    exec_ctx x = {&w, &f.s, &f.cp, 1, cairn_registry_rules()};
    assert_int_equal(econ_provider_put(&x, &pk_a, &p), CAIRN_OK);
    assert_int_equal(state_get(w.txn, &f.s, STATE_PROVIDER, pk_a.b, 32, &v),
                     CAIRN_OK);
    assert_int_equal(v.mv_size, 114);
    memcpy(b, v.mv_data, v.mv_size);
    mdb_txn_abort(w.txn);
    wctx_release(&w);
    assert_int_equal(b[0], 2);
    assert_int_equal(cairn_le64_get(b + 84), 20);
    assert_int_equal(cairn_le64_get(b + 92), 21);
    assert_memory_equal(b + 100, "127.0.0.1:4000", 14);
    memset(&q, 0, sizeof q);
    assert_int_equal(econ_provider_decode(&q, b, 114), CAIRN_OK);
    assert_provider_equal(&q, &p);
    assert_int_equal(econ_provider_work(b, 114, &sector, &we, &wu), CAIRN_OK);
    assert_int_equal(sector, 2);
    assert_int_equal(we, 20);
    assert_int_equal(wu, 21);
    assert_int_equal(econ_provider_decode(&q, b, 113), CAIRN_ERR_DB);
    assert_int_equal(econ_provider_decode(&q, b, 115), CAIRN_ERR_DB);
    assert_int_equal(econ_provider_decode(&q, b, 99), CAIRN_ERR_DB);
    assert_int_equal(econ_provider_work(b, 113, &sector, &we, &wu),
                     CAIRN_ERR_DB);
    b[0] = 1; /* the record before work moved in */
    assert_int_equal(econ_provider_decode(&q, b, 114), CAIRN_ERR_DB);
    assert_int_equal(econ_provider_work(b, 114, &sector, &we, &wu),
                     CAIRN_ERR_DB);
    b[0] = 2;
    b[3] = CAIRN_ENDPOINT_MAX + 1;
    assert_int_equal(econ_provider_decode(&q, b, 100 + CAIRN_ENDPOINT_MAX + 1),
                     CAIRN_ERR_DB);
    fx_close(&f);
}

int main(void)
{
    cairn_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(work_counts_in_its_epoch_only),
        cmocka_unit_test(jailed_after_report_is_not_paid),
        cmocka_unit_test(zero_unit_reports_settle),
        cmocka_unit_test(provider_record_codec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
