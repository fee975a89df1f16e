/* Per-sector revenue and burn in the epoch statistics (src/econ/epoch.c,
 * staking.c, stats.h) through the real chain (twin chains, books audited
 * after every block): a storage deal and a compute lease paid in the same
 * epoch each count under their own sector, exactly their payment and the
 * fee split's burn of it, and the sums stay within the epoch's revenue
 * and burn by exactly the base fees' part; a payment with no provider or
 * to an unregistered key counts toward no sector; the epoch record's
 * codec reads versions 1, 2 and 3, and the econ record's older lengths
 * read the counters as 0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "compute_fixture.h"
#include "core/bytes.h"
#include "econ/stats.h"
#include "ledger/view.h"

/* Epochs of 10 blocks; fee split 70/10/10/10 so that a burn is a tenth. */
#define ECON                                                                   \
    "{\"epoch_blocks\": 10, \"fee_provider_bps\": 7000,"                       \
    " \"fee_burn_bps\": 1000, \"fee_treasury_bps\": 1000,"                     \
    " \"fee_stakers_bps\": 1000, \"compute_min_price_per_core\": \"0.001\"}"

enum { SPROV = 2, CPROV = 3, CLIENT = 4, PAYER = 5 };

#define DEAL_PRICE 12345ull /* per epoch */
#define LEASE_PRICE 54321ull
#define BURN(x) ((x)*1000 / CAIRN_BPS)

/* Registers SPROV (storage) and CPROV (compute, 8 cores); two blocks. */
static void setup(twin *t)
{
    cairn_buf b;
    twin_open(t, ECON);
    cairn_buf_init(&b, 4096);
    fx_register(t, SPROV, 1000 * TOK, &b);
    cx_register(t, CPROV, 1000 * TOK);
    cx_step(t);
    cx_offer(t, CPROV, 8, 16384, 100000);
    cx_step(t);
    cairn_buf_free(&b);
}

/* The statistics record of settled epoch e on chain A. */
static econ_epoch_stats stats_of(twin *t, uint64_t e)
{
    MDB_txn *txn;
    econ_epoch_stats s;
    assert_int_equal(chain_read_begin(t->c[0], &txn), CAIRN_OK);
    assert_int_equal(econ_stats_get(txn, chain_store(t->c[0]), e, &s),
                     CAIRN_OK);
    mdb_txn_abort(txn);
    return s;
}

static uint64_t sum4(const uint64_t *v)
{
    uint64_t s = 0;
    for (int i = 0; i < CAIRN_SECTOR_SLOTS; i++)
        s += v[i];
    return s;
}

/* Epoch e's record: storage and compute revenue as given, each burn a
 * tenth of it, nothing for the other sectors; the sums fall short of the
 * epoch's revenue and burn by exactly `txs` base fees and their burn (in
 * blocks of `per_block` transactions); /v1/metrics' source agrees. */
static void check_epoch(twin *t, uint64_t e, uint64_t storage, uint64_t compute,
                        uint64_t txs, uint64_t per_block)
{
    econ_epoch_stats s = stats_of(t, e);
    cairn_epoch_metrics m;
    assert_int_equal(s.revenue_sector[CAIRN_SECTOR_STORAGE], storage);
    assert_int_equal(s.revenue_sector[CAIRN_SECTOR_COMPUTE], compute);
    assert_int_equal(s.burned_sector[CAIRN_SECTOR_STORAGE], BURN(storage));
    assert_int_equal(s.burned_sector[CAIRN_SECTOR_COMPUTE], BURN(compute));
    assert_int_equal(sum4(s.revenue_sector), storage + compute);
    assert_int_equal(sum4(s.burned_sector), BURN(storage) + BURN(compute));
    assert_true(sum4(s.revenue_sector) <= s.fees_paid);
    assert_true(sum4(s.burned_sector) <= s.burned);
    assert_int_equal(s.fees_paid - sum4(s.revenue_sector), txs * FEE);
    assert_int_equal(s.burned - sum4(s.burned_sector),
                     txs / per_block * BURN(per_block * FEE));
    assert_int_equal(cairn_chain_epoch_metrics(t->c[0], e, &m), CAIRN_OK);
    assert_memory_equal(m.revenue_sector, s.revenue_sector,
                        sizeof m.revenue_sector);
    assert_memory_equal(m.burned_sector, s.burned_sector,
                        sizeof m.burned_sector);
    assert_int_equal(m.revenue, s.fees_paid);
}

/* A deal starting next epoch, and an order leased to CPROV and reported
 * in this one: five transactions, one per block. Returns the lease id. */
static uint64_t open_both(twin *t, const tpiece *p, uint64_t S)
{
    cairn_buf b;
    cairn_deal_terms tm = dx_terms(SPROV, p, S, 3, DEAL_PRICE, 8000, 0);
    cairn_order o = cx_order_terms(2, LEASE_PRICE, 10, 1000000, 20);
    cairn_buf_init(&b, 4096);
    dx_open_body(&b, t, CLIENT, SPROV, &tm);
    both(t, CLIENT, CAIRN_TX_DEAL_OPEN, &b);
    cx_step(t);
    uint64_t id = cx_order(t, CLIENT, &o);
    cx_bid(t, CPROV, id, LEASE_PRICE);
    cx_step(t);
    cx_lease(t, CLIENT, id, CPROV);
    cx_step(t);
    cx_report(t, CPROV, id, CAIRN_WORK_RUNNING);
    cx_step(t);
    cairn_buf_free(&b);
    assert_int_equal(cx_get(t, id).state, CAIRN_LEASE_ACTIVE);
    assert_int_equal(dx_deal(t, 1).state, CAIRN_DEAL_ACTIVE);
    return id;
}

/* Epoch S-1: only the lease is paid (compute); epoch S: the deal's proof
 * and the lease's report in one block, both paid at S's end, each under
 * its own sector. */
static void test_storage_and_compute(void **state)
{
    twin t;
    tpiece p;
    (void)state;
    setup(&t);
    tp_make(&p, 5000, 1);
    uint64_t S = cx_status(&t).epoch + 2;
    cx_to_epoch(&t, S - 1);
    uint64_t id = open_both(&t, &p, S);
    cx_to_epoch(&t, S);
    uint64_t lease0 = cx_get(&t, id).paid;
    assert_true(lease0 > 0);
    check_epoch(&t, S - 1, 0, lease0, 5, 1);
    dx_prove(&t, SPROV, 1, &p);
    cx_report(&t, CPROV, id, CAIRN_WORK_RUNNING);
    cx_step(&t);
    cx_to_epoch(&t, S + 1);
    uint64_t lease1 = cx_get(&t, id).paid - lease0;
    assert_int_equal(lease1, LEASE_PRICE); /* a whole epoch */
    assert_int_equal(dx_deal(&t, 1).paid, DEAL_PRICE);
    check_epoch(&t, S, DEAL_PRICE, LEASE_PRICE, 2, 2);
    /* S+1: no report, no proof: a miss for each, no service revenue */
    cx_to_epoch(&t, S + 2);
    econ_epoch_stats s = stats_of(&t, S + 1);
    assert_int_equal(sum4(s.revenue_sector), 0);
    assert_int_equal(sum4(s.burned_sector), 0);
    fx_replay_check(&t);
    tp_free(&p);
    twin_close(&t);
}

static uint64_t hook_height;
static cairn_pubkey stranger;

/* At hook_height: PAYER pays 1000 three times through the fee split: to
 * nobody, to an unregistered key, to the compute provider. */
static cairn_err pay_three(exec_ctx *x, void *arg)
{
    (void)arg;
    cairn_err e = CAIRN_OK;
    if (x->height != hook_height)
        return CAIRN_OK;
    if ((e = econ_debit(x, &fx_keys[PAYER].pk, 3000)) ||
        (e = econ_pay_fee(x, 1000, NULL)) ||
        (e = econ_pay_fee(x, 1000, &stranger)))
        return e;
    return econ_pay_fee(x, 1000, &fx_keys[CPROV].pk);
}

/* Only the payment to a registered provider counts toward a sector; the
 * others count in the epoch's revenue and burn only. */
static void test_no_sector(void **state)
{
    twin t;
    (void)state;
    setup(&t);
    memset(stranger.b, 0x5A, 32);
    uint64_t E = cx_status(&t).epoch + 1;
    cx_to_epoch(&t, E);
    hook_height = fx_height(&t) + 1;
    econ_set_test_hook(pay_three, NULL);
    cx_to_epoch(&t, E + 1);
    econ_set_test_hook(NULL, NULL);
    econ_epoch_stats s = stats_of(&t, E);
    assert_int_equal(s.revenue_sector[CAIRN_SECTOR_COMPUTE], 1000);
    assert_int_equal(s.burned_sector[CAIRN_SECTOR_COMPUTE], 100);
    assert_int_equal(sum4(s.revenue_sector), 1000);
    assert_int_equal(sum4(s.burned_sector), 100);
    assert_int_equal(s.fees_paid, 3000); /* no transaction in E */
    assert_int_equal(s.burned, 300);
    twin_close(&t);
}

/* Distinct values in every field of a record. */
static econ_epoch_stats sample_stats(void)
{
    econ_epoch_stats s;
    uint8_t b[ECON_STATS_LEN];
    for (size_t i = 0; i < ECON_STATS_FIELDS; i++)
        for (int k = 0; k < 8; k++)
            b[1 + 8 * i + k] = (uint8_t)(i + 1 + 17 * k);
    b[0] = ECON_STATS_VERSION;
    assert_int_equal(econ_stats_decode(&s, b, sizeof b), CAIRN_OK);
    return s;
}

/* Version 4 round-trips; versions 1 to 3 read the fields they lack as
 * 0; a wrong length or version is refused. */
static void test_stats_codec(void **state)
{
    econ_epoch_stats s = sample_stats(), d, want;
    uint8_t b[ECON_STATS_LEN];
    (void)state;
    assert_int_equal(ECON_STATS_LEN, 345);
    assert_int_equal(ECON_STATS_LEN_V3, 313);
    assert_int_equal(ECON_STATS_LEN_V2, 249);
    assert_int_equal(ECON_STATS_LEN_V1, 201);
    econ_stats_encode(b, &s);
    assert_int_equal(b[0], 4);
    assert_int_equal(econ_stats_decode(&d, b, sizeof b), CAIRN_OK);
    assert_memory_equal(&d, &s, sizeof d);
    assert_true(s.fees_stakers != 0);
    /* version 3: the first 313 bytes */
    b[0] = 3;
    assert_int_equal(econ_stats_decode(&d, b, ECON_STATS_LEN_V3), CAIRN_OK);
    want = s;
    want.fees_providers = want.fees_burned = 0;
    want.fees_treasury = want.fees_stakers = 0;
    assert_memory_equal(&d, &want, sizeof d);
    assert_int_equal(econ_stats_decode(&d, b, ECON_STATS_LEN),
                     CAIRN_ERR_TRAILING);
    /* version 2: the first 249 bytes */
    b[0] = 2;
    assert_int_equal(econ_stats_decode(&d, b, ECON_STATS_LEN_V2), CAIRN_OK);
    memset(want.revenue_sector, 0, sizeof want.revenue_sector);
    memset(want.burned_sector, 0, sizeof want.burned_sector);
    assert_memory_equal(&d, &want, sizeof d);
    assert_int_equal(econ_stats_decode(&d, b, ECON_STATS_LEN_V3),
                     CAIRN_ERR_TRAILING);
    /* version 1: the first 201 bytes */
    b[0] = 1;
    assert_int_equal(econ_stats_decode(&d, b, ECON_STATS_LEN_V1), CAIRN_OK);
    memset(want.staked_providers, 0, sizeof want.staked_providers);
    want.held_end = want.stakers_pool = 0;
    assert_memory_equal(&d, &want, sizeof d);
    assert_int_equal(econ_stats_decode(&d, b, ECON_STATS_LEN_V2),
                     CAIRN_ERR_TRAILING);
    b[0] = 3;
    assert_int_equal(econ_stats_decode(&d, b, ECON_STATS_LEN_V2),
                     CAIRN_ERR_TRUNCATED);
    b[0] = 0;
    assert_int_equal(econ_stats_decode(&d, b, sizeof b), CAIRN_ERR_BAD_VERSION);
    b[0] = 5;
    assert_int_equal(econ_stats_decode(&d, b, sizeof b), CAIRN_ERR_BAD_VERSION);
    assert_int_equal(econ_stats_decode(&d, b, 0), CAIRN_ERR_TRUNCATED);
}

/* Writes `len` bytes of a pattern as the econ record of a fresh store
 * and reads it back; 0 for an unreadable record. */
static int econ_record_read(size_t len, econ_global *g)
{
    char dir[64] = "/tmp/cairn-econsec-XXXXXX", cmd[96];
    uint8_t v[256];
    store s;
    wctx w;
    assert_non_null(mkdtemp(dir));
    assert_int_equal(store_open(&s, dir, 1), CAIRN_OK);
    for (size_t i = 0; i < sizeof v; i++)
        v[i] = (uint8_t)(i + 1);
    assert_int_equal(wctx_begin(&w, &s, 0), CAIRN_OK);
    assert_int_equal(state_put(&w, &s, STATE_ECON, "econ", 4, v, len),
                     CAIRN_OK);
    cairn_err e = econ_global_get(w.txn, &s, g);
    mdb_txn_abort(w.txn);
    wctx_release(&w);
    store_close(&s);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return e == CAIRN_OK;
}

/* 208 bytes carry the fees by destination; 176 the counters; 112 and 104
 * read them as 0. */
static void test_econ_record(void **state)
{
    econ_global g;
    (void)state;
    assert_true(econ_record_read(208, &g));
    assert_int_equal(g.fee_provider_epoch, 0xb8b7b6b5b4b3b2b1ull); /* 177.. */
    assert_true(g.fee_stakers_epoch != 0);
    assert_true(econ_record_read(176, &g));
    assert_int_equal(g.fee_stakers_epoch, 0);
    assert_int_equal(g.fees_sector[0], 0x7877767574737271ull); /* 113.. */
    assert_true(g.burned_sector[CAIRN_SECTOR_SLOTS - 1] != 0);
    assert_true(econ_record_read(112, &g));
    assert_true(g.held != 0);
    assert_int_equal(sum4(g.fees_sector) + sum4(g.burned_sector), 0);
    assert_true(econ_record_read(104, &g));
    assert_int_equal(g.held, 0);
    assert_int_equal(sum4(g.fees_sector), 0);
    assert_false(econ_record_read(120, &g));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats_codec),
        cmocka_unit_test(test_econ_record),
        cmocka_unit_test(test_storage_and_compute),
        cmocka_unit_test(test_no_sector),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
