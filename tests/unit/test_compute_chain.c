/* The compute sector through the real chain (two chains from one genesis;
 * a rejected transaction goes to chain A only, and both state roots must
 * stay equal; the books are audited after every block): an order, bids
 * from two providers, a lease with the lower bid, settlement each epoch
 * exact to the base unit, a close that refunds the rest and frees the
 * capacity; an escrow that runs out (paused, resumed by a deposit, closed
 * after the grace); unreported epochs (not paid, lost with a slash); a
 * lease that runs its max epochs; orders that expire or are cancelled;
 * and every kind of bad input, each with its own error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "compute_fixture.h"

/* Epochs of 10 blocks; provider share 70%; a floor of 0.001 token per
 * core; two bids per order at most; a grace of two epochs; two misses
 * lose a lease; 1% slashed for it. */
#define ECON                                                                   \
    "{\"epoch_blocks\": 10, \"fee_provider_bps\": 7000,"                       \
    " \"fee_burn_bps\": 1000, \"fee_treasury_bps\": 1000,"                     \
    " \"fee_stakers_bps\": 1000, \"compute_min_price_per_core\": \"0.001\","   \
    " \"compute_max_bids\": 2, \"compute_grace_epochs\": 2,"                   \
    " \"compute_max_missed\": 2, \"compute_fault_slash_bps\": 100,"            \
    " \"compute_bid_window_max\": 50, \"compute_max_epochs\": 1000,"           \
    " \"jail_after_faults\": 3}"

enum { ORACLE = 1, PA = 2, PB = 3, TEN = 4, STR = 5, PC = 6 };

#define DEPOSIT 500000ull /* compute_bid_deposit's default: 0.5 token */
#define SHARE(x) dx_provider_share((x), 7000)

/* Registers PA, PB, PC as compute providers with 8 cores each; STR stays
 * a plain account. Two blocks. */
static void setup(twin *t)
{
    twin_open(t, ECON);
    cx_register(t, PA, 1000 * TOK);
    cx_register(t, PB, 1000 * TOK);
    cx_register(t, PC, 1000 * TOK);
    cx_step(t);
    cx_offer(t, PA, 8, 16384, 100000);
    cx_offer(t, PB, 8, 16384, 100000);
    cx_offer(t, PC, 8, 16384, 100000);
    cx_step(t);
}

/* Steps to the start of a fresh epoch: the next block is its first. */
static uint64_t fresh_epoch(twin *t)
{
    uint64_t e = cx_status(t).epoch + 1;
    cx_to_epoch(t, e);
    assert_int_equal(cx_status(t).epoch_start_height, fx_height(t) + 1);
    return e;
}

/* The bid of keys[prov] among the order's bids, or fails. */
static cairn_bid_info find_bid(twin *t, uint64_t order, int prov)
{
    cairn_bid_info b[8];
    size_t n;
    assert_int_equal(cairn_chain_bids(t->c[0], order, b, 8, &n), CAIRN_OK);
    for (size_t i = 0; i < n; i++)
        if (memcmp(b[i].provider.b, fx_keys[prov].pk.b, 32) == 0)
            return b[i];
    fail_msg("no bid of key %d on order %llu", prov, (unsigned long long)order);
    return b[0];
}

static size_t nbids(twin *t, uint64_t order)
{
    cairn_bid_info b[8];
    size_t n;
    assert_int_equal(cairn_chain_bids(t->c[0], order, b, 8, &n), CAIRN_OK);
    return n;
}

static uint64_t work_of(twin *t, uint64_t epoch)
{
    cairn_epoch_metrics m;
    assert_int_equal(cairn_chain_epoch_metrics(t->c[0], epoch, &m), CAIRN_OK);
    return m.work_units[CAIRN_SECTOR_COMPUTE];
}

/* escrow = paid + refunded over what was deposited, at every moment. */
static void books_of(const cairn_lease_info *l)
{
    assert_int_equal(l->deposited, l->escrow + l->paid + l->refunded);
}

/* Orders, bids from two providers, a lease with the lower bid; each
 * epoch paid exactly (the first one pro rata from the lease's block); a
 * close by the tenant pays the blocks since the last settlement and
 * refunds the rest; the capacity is free again. */
static void test_full_flow(void **state)
{
    twin t;
    (void)state;
    setup(&t);
    uint64_t E = fresh_epoch(&t);
    uint64_t ten0 = cx_balance(&t, TEN), pa0 = cx_balance(&t, PA),
             pb0 = cx_balance(&t, PB);
    cairn_order o = cx_order_terms(2, 100000, 100, 1000000, 20);
    uint64_t id = cx_order(&t, TEN, &o);
    cairn_lease_info l = cx_get(&t, id);
    assert_int_equal(l.state, CAIRN_LEASE_OPEN);
    assert_int_equal(l.escrow, 1000000);
    assert_int_equal(l.deposited, 1000000);
    assert_int_equal(l.bid_end, l.opened_height + 20);
    assert_int_equal(l.last_report, CAIRN_EPOCH_NONE);
    assert_int_equal(cx_balance(&t, TEN), ten0 - FEE - 1000000);
    /* two bids, each holding its deposit */
    cx_bid(&t, PA, id, 90000);
    cx_bid(&t, PB, id, 80000);
    cx_step(&t);
    assert_int_equal(nbids(&t, id), 2);
    assert_int_equal(find_bid(&t, id, PA).price, 90000);
    assert_int_equal(find_bid(&t, id, PB).deposit, DEPOSIT);
    assert_int_equal(cx_get(&t, id).nbids, 2);
    assert_int_equal(cx_balance(&t, PA), pa0 - FEE - DEPOSIT);
    assert_int_equal(dx_audit(&t).escrow, 1000000 + 2 * DEPOSIT);
    /* the tenant takes the lower bid: every deposit returns */
    cx_lease(&t, TEN, id, PB);
    cx_step(&t);
    l = cx_get(&t, id);
    assert_int_equal(l.state, CAIRN_LEASE_ACTIVE);
    assert_memory_equal(l.provider.b, fx_keys[PB].pk.b, 32);
    assert_int_equal(l.price, 80000);
    assert_int_equal(l.start_height, fx_height(&t));
    assert_int_equal(l.start_epoch, E);
    assert_int_equal(l.settled_height, l.start_height);
    assert_int_equal(nbids(&t, id), 0);
    assert_int_equal(cx_balance(&t, PA), pa0 - FEE);
    assert_int_equal(cx_balance(&t, PB), pb0 - FEE);
    assert_int_equal(dx_audit(&t).escrow, 1000000);
    assert_int_equal(cx_prov(&t, PB).used.cpus, 2);
    assert_int_equal(cx_prov(&t, PB).used.mem_mib, 1024);
    assert_int_equal(cx_prov(&t, PB).leases, 1);
    /* three epochs, each reported: paid price × blocks / 10 exactly */
    const uint64_t want[3] = {56000, 80000, 80000}; /* 7 blocks, 10, 10 */
    for (uint64_t k = 0; k < 3; k++) {
        uint64_t pb = cx_balance(&t, PB), paid0 = cx_get(&t, id).paid;
        uint64_t settled0 = cx_get(&t, id).settled_height;
        cx_report(&t, PB, id, CAIRN_WORK_RUNNING);
        cx_step(&t);
        assert_int_equal(cx_get(&t, id).last_report, E + k);
        uint64_t hend = cx_epoch_end(&t);
        cx_to_epoch(&t, E + k + 1);
        l = cx_get(&t, id);
        assert_int_equal(l.paid - paid0, want[k]);
        assert_int_equal(l.settled_height, hend);
        assert_int_equal(cx_balance(&t, PB), pb - FEE + SHARE(want[k]));
        assert_int_equal(work_of(&t, E + k), 2 * (hend - settled0));
        assert_int_equal(l.work_state, CAIRN_WORK_RUNNING);
        books_of(&l);
    }
    assert_int_equal(l.paid, 216000);
    assert_int_equal(l.escrow, 784000);
    /* reported, two blocks on, closed: 3 blocks paid, the rest back */
    cx_report(&t, PB, id, CAIRN_WORK_RUNNING);
    cx_step(&t);
    cx_step(&t);
    uint64_t settled0 = cx_get(&t, id).settled_height;
    cx_close(&t, TEN, id);
    cx_step(&t);
    l = cx_get(&t, id);
    uint64_t last = 80000 * (fx_height(&t) - settled0) / 10;
    assert_int_equal(last, 24000);
    assert_int_equal(l.state, CAIRN_LEASE_CLOSED);
    assert_int_equal(l.end_reason, CAIRN_LEASE_END_TENANT);
    assert_int_equal(l.paid, 216000 + last);
    assert_int_equal(l.refunded, 1000000 - l.paid);
    assert_int_equal(l.escrow, 0);
    assert_int_equal(l.closed_height, fx_height(&t));
    books_of(&l);
    assert_int_equal(cx_balance(&t, TEN), ten0 - 3 * FEE - l.paid);
    assert_int_equal(cx_prov(&t, PB).used.cpus, 0);
    assert_int_equal(cx_prov(&t, PB).used.disk_mib, 0);
    assert_int_equal(cx_prov(&t, PB).done, 1);
    assert_int_equal(dx_audit(&t).escrow, 0);
    /* nothing more is paid for it */
    cx_to_epoch(&t, cx_status(&t).epoch + 1);
    assert_int_equal(cx_get(&t, id).paid, l.paid);
    fx_replay_check(&t);
    twin_close(&t);
}

/* The escrow cannot pay the next epoch: paused (nothing paid while
 * paused, reports or not), resumed by a deposit, paused again and closed
 * after the grace with the rest refunded. */
static void test_pause_resume(void **state)
{
    twin t;
    (void)state;
    setup(&t);
    uint64_t E = fresh_epoch(&t), ten0 = cx_balance(&t, TEN);
    cairn_order o = cx_order_terms(1, 50000, 100, 100000, 20);
    uint64_t id = cx_order(&t, TEN, &o);
    cx_bid(&t, PB, id, 50000);
    cx_step(&t);
    cx_lease(&t, TEN, id, PB);
    cx_step(&t);
    cx_report(&t, PB, id, CAIRN_WORK_STARTING);
    cx_step(&t);
    cx_to_epoch(&t, E + 1); /* 7 blocks: 35000; 65000 left */
    assert_int_equal(cx_get(&t, id).paid, 35000);
    assert_int_equal(cx_get(&t, id).state, CAIRN_LEASE_ACTIVE);
    cx_report(&t, PB, id, CAIRN_WORK_RUNNING);
    cx_step(&t);
    cx_to_epoch(&t, E + 2); /* 50000 paid; 15000 < one epoch: paused */
    cairn_lease_info l = cx_get(&t, id);
    assert_int_equal(l.paid, 85000);
    assert_int_equal(l.escrow, 15000);
    assert_int_equal(l.state, CAIRN_LEASE_PAUSED);
    assert_int_equal(l.paused_epoch, E + 1);
    /* paused: a report changes its state but earns nothing */
    uint64_t pb = cx_balance(&t, PB);
    cx_report(&t, PB, id, CAIRN_WORK_EXITED);
    cx_step(&t);
    cx_to_epoch(&t, E + 3);
    l = cx_get(&t, id);
    assert_int_equal(l.paid, 85000);
    assert_int_equal(l.state, CAIRN_LEASE_PAUSED);
    assert_int_equal(l.work_state, CAIRN_WORK_EXITED);
    assert_int_equal(cx_balance(&t, PB), pb - FEE);
    assert_int_equal(work_of(&t, E + 2), 0);
    /* a top-up resumes it from its block on */
    cx_deposit(&t, TEN, id, 100000);
    cx_step(&t);
    l = cx_get(&t, id);
    assert_int_equal(l.state, CAIRN_LEASE_ACTIVE);
    assert_int_equal(l.escrow, 115000);
    assert_int_equal(l.deposited, 200000);
    assert_int_equal(l.settled_height, fx_height(&t));
    assert_int_equal(l.paused_epoch, CAIRN_EPOCH_NONE);
    cx_report(&t, PB, id, CAIRN_WORK_RUNNING);
    cx_step(&t);
    cx_to_epoch(&t, E + 4); /* 9 blocks from the deposit: 45000 */
    assert_int_equal(cx_get(&t, id).paid, 130000);
    assert_int_equal(cx_get(&t, id).missed, 0);
    cx_report(&t, PB, id, CAIRN_WORK_RUNNING);
    cx_step(&t);
    cx_to_epoch(&t, E + 5); /* 50000; 20000 left: paused again */
    l = cx_get(&t, id);
    assert_int_equal(l.paid, 180000);
    assert_int_equal(l.state, CAIRN_LEASE_PAUSED);
    assert_int_equal(l.paused_epoch, E + 4);
    cx_to_epoch(&t, E + 6); /* one epoch of grace: still paused, no miss */
    assert_int_equal(cx_get(&t, id).state, CAIRN_LEASE_PAUSED);
    assert_int_equal(cx_get(&t, id).missed, 0);
    cx_to_epoch(&t, E + 7); /* grace over: closed, the rest refunded */
    l = cx_get(&t, id);
    assert_int_equal(l.state, CAIRN_LEASE_CLOSED);
    assert_int_equal(l.end_reason, CAIRN_LEASE_END_ESCROW);
    assert_int_equal(l.paid, 180000);
    assert_int_equal(l.refunded, 20000);
    assert_int_equal(l.escrow, 0);
    books_of(&l);
    assert_int_equal(cx_balance(&t, TEN), ten0 - 3 * FEE - 180000);
    assert_int_equal(cx_prov(&t, PB).used.cpus, 0);
    assert_int_equal(cx_prov(&t, PB).done, 0);
    fx_replay_check(&t);
    twin_close(&t);
}

/* Unreported epochs are not paid; the epoch a lease starts in counts no
 * miss; a report resets the count; compute_max_missed misses in a row
 * lose the lease, with the escrow back and the provider slashed 1%. */
static void test_lost(void **state)
{
    twin t;
    cairn_provider_info pi;
    (void)state;
    setup(&t);
    uint64_t E = fresh_epoch(&t), ten0 = cx_balance(&t, TEN);
    cairn_order o = cx_order_terms(1, 50000, 100, 1000000, 20);
    uint64_t id = cx_order(&t, TEN, &o);
    cx_bid(&t, PA, id, 50000);
    cx_step(&t);
    cx_lease(&t, TEN, id, PA);
    cx_step(&t);
    uint64_t pa = cx_balance(&t, PA);
    cx_to_epoch(&t, E + 1); /* the start epoch: not paid, no miss */
    assert_int_equal(cx_get(&t, id).paid, 0);
    assert_int_equal(cx_get(&t, id).missed, 0);
    cx_to_epoch(&t, E + 2);
    assert_int_equal(cx_get(&t, id).missed, 1);
    assert_int_equal(cx_get(&t, id).state, CAIRN_LEASE_ACTIVE);
    cx_report(&t, PA, id, CAIRN_WORK_RUNNING);
    cx_step(&t);
    cx_to_epoch(&t, E + 3); /* reported: paid a full epoch, count reset */
    assert_int_equal(cx_get(&t, id).paid, 50000);
    assert_int_equal(cx_get(&t, id).missed, 0);
    assert_int_equal(work_of(&t, E + 2), 10);
    cx_to_epoch(&t, E + 4);
    assert_int_equal(cx_get(&t, id).missed, 1);
    assert_int_equal(cairn_chain_provider(t.c[0], &fx_keys[PA].pk, &pi),
                     CAIRN_OK);
    assert_int_equal(pi.self_stake, 1000 * TOK);
    cx_to_epoch(&t, E + 5); /* the second miss in a row: lost */
    cairn_lease_info l = cx_get(&t, id);
    assert_int_equal(l.state, CAIRN_LEASE_CLOSED);
    assert_int_equal(l.end_reason, CAIRN_LEASE_END_LOST);
    assert_int_equal(l.paid, 50000);
    assert_int_equal(l.refunded, 950000);
    books_of(&l);
    assert_int_equal(cx_balance(&t, TEN), ten0 - 2 * FEE - 50000);
    assert_int_equal(cx_balance(&t, PA), pa - FEE + SHARE(50000));
    assert_int_equal(cairn_chain_provider(t.c[0], &fx_keys[PA].pk, &pi),
                     CAIRN_OK);
    assert_int_equal(pi.self_stake, 990 * TOK); /* compute_fault_slash_bps */
    assert_int_equal(cx_prov(&t, PA).lost, 1);
    assert_int_equal(cx_prov(&t, PA).used.cpus, 0);
    fx_replay_check(&t);
    twin_close(&t);
}

/* A lease ends DONE after its max epochs (the start epoch counts). */
static void test_done(void **state)
{
    twin t;
    (void)state;
    setup(&t);
    uint64_t E = fresh_epoch(&t), ten0 = cx_balance(&t, TEN);
    cairn_order o = cx_order_terms(1, 50000, 2, 500000, 20);
    uint64_t id = cx_order(&t, TEN, &o);
    cx_bid(&t, PB, id, 40000);
    cx_step(&t);
    cx_lease(&t, TEN, id, PB);
    cx_step(&t);
    for (uint64_t k = 0; k < 2; k++) {
        cx_report(&t, PB, id, CAIRN_WORK_RUNNING);
        cx_step(&t);
        cx_to_epoch(&t, E + k + 1);
    }
    cairn_lease_info l = cx_get(&t, id);
    assert_int_equal(l.state, CAIRN_LEASE_CLOSED);
    assert_int_equal(l.end_reason, CAIRN_LEASE_END_DONE);
    assert_int_equal(l.paid, 28000 + 40000);
    assert_int_equal(l.refunded, 500000 - 68000);
    books_of(&l);
    assert_int_equal(cx_balance(&t, TEN), ten0 - 2 * FEE - 68000);
    assert_int_equal(cx_prov(&t, PB).done, 1);
    assert_int_equal(cx_prov(&t, PB).used.cpus, 0);
    fx_replay_check(&t);
    twin_close(&t);
}

/* Two leases of one provider, reported in one transaction: the provider
 * is paid their sum through the fee split once per epoch (70% of 60002,
 * not twice 70% of 30001 rounded down). */
static void test_one_provider_two_leases(void **state)
{
    twin t;
    cairn_buf b;
    (void)state;
    setup(&t);
    uint64_t E = fresh_epoch(&t);
    cairn_order o = cx_order_terms(1, 30001, 100, 300010, 20);
    uint64_t x = cx_order(&t, TEN, &o), y = cx_order(&t, STR, &o);
    cx_bid(&t, PB, x, 30001);
    cx_bid(&t, PB, y, 30001);
    cx_step(&t);
    cx_lease(&t, TEN, x, PB);
    cx_lease(&t, STR, y, PB);
    cx_step(&t);
    cx_to_epoch(&t, E + 1); /* not reported in the start epoch: unpaid */
    assert_int_equal(cx_get(&t, x).paid, 0);
    uint64_t pb = cx_balance(&t, PB);
    cairn_report_entry e[2] = {{x, CAIRN_WORK_RUNNING, 0},
                               {y, CAIRN_WORK_EXITED, 3}};
    cairn_buf_init(&b, 256);
    cairn_report_encode(&b, e, 2);
    both(&t, PB, CAIRN_TX_LEASE_REPORT, &b);
    cairn_buf_free(&b);
    cx_step(&t);
    cx_to_epoch(&t, E + 2);
    assert_int_equal(cx_get(&t, x).paid, 30001);
    assert_int_equal(cx_get(&t, y).paid, 30001);
    assert_int_equal(cx_get(&t, y).exit_code, 3);
    assert_int_equal(SHARE(60002), 42001);
    assert_int_equal(cx_balance(&t, PB), pb - FEE + 42001);
    assert_int_equal(work_of(&t, E + 1), 20);
    fx_replay_check(&t);
    twin_close(&t);
}

/* An order whose bid window ends unleased expires: escrow and every bid
 * deposit return; then it takes no bid and no lease. A cancelled order
 * does the same. */
static void test_expire_and_cancel(void **state)
{
    twin t;
    cairn_buf b;
    (void)state;
    setup(&t);
    cairn_buf_init(&b, 256);
    uint64_t ten0 = cx_balance(&t, TEN), pa0 = cx_balance(&t, PA),
             pb0 = cx_balance(&t, PB);
    cairn_order o = cx_order_terms(1, 50000, 10, 300000, 3);
    uint64_t id = cx_order(&t, TEN, &o);
    uint64_t end = cx_get(&t, id).bid_end;
    cx_bid(&t, PA, id, 50000);
    cx_bid(&t, PB, id, 45000);
    cx_step(&t);
    assert_int_equal(dx_audit(&t).escrow, 300000 + 2 * DEPOSIT);
    cx_to_height(&t, end - 1);
    assert_int_equal(cx_get(&t, id).state, CAIRN_LEASE_OPEN);
    cx_to_height(&t, end); /* the window's last block: it expires there */
    cairn_lease_info l = cx_get(&t, id);
    assert_int_equal(l.state, CAIRN_LEASE_CLOSED);
    assert_int_equal(l.end_reason, CAIRN_LEASE_END_EXPIRED);
    assert_int_equal(l.refunded, 300000);
    assert_int_equal(l.closed_height, end);
    assert_int_equal(nbids(&t, id), 0);
    assert_int_equal(cx_balance(&t, TEN), ten0 - FEE);
    assert_int_equal(cx_balance(&t, PA), pa0 - FEE);
    assert_int_equal(cx_balance(&t, PB), pb0 - FEE);
    assert_int_equal(dx_audit(&t).escrow, 0);
    cairn_bid bid = {id, 40000};
    cairn_bid_encode(&b, &bid);
    assert_int_equal(bad(&t, PC, CAIRN_TX_BID, &b), CAIRN_ERR_ORDER_CLOSED);
    cairn_lease_create_encode(&b, id, &fx_keys[PA].pk);
    assert_int_equal(bad(&t, TEN, CAIRN_TX_LEASE_CREATE, &b),
                     CAIRN_ERR_ORDER_CLOSED);
    /* cancel: the tenant closes an open order */
    id = cx_order(&t, TEN, &o);
    cx_bid(&t, PA, id, 50000);
    cx_step(&t);
    cx_close(&t, TEN, id);
    cx_step(&t);
    l = cx_get(&t, id);
    assert_int_equal(l.state, CAIRN_LEASE_CLOSED);
    assert_int_equal(l.end_reason, CAIRN_LEASE_END_CANCELLED);
    assert_int_equal(l.refunded, 300000);
    assert_int_equal(cx_balance(&t, TEN), ten0 - 3 * FEE);
    assert_int_equal(cx_balance(&t, PA), pa0 - 2 * FEE);
    assert_int_equal(dx_audit(&t).escrow, 0);
    cairn_lease_close_encode(&b, id);
    assert_int_equal(bad(&t, TEN, CAIRN_TX_LEASE_CLOSE, &b),
                     CAIRN_ERR_LEASE_STATE);
    cairn_bid_encode(&b, &(cairn_bid){id, 40000});
    assert_int_equal(bad(&t, PB, CAIRN_TX_BID, &b), CAIRN_ERR_ORDER_CLOSED);
    cairn_buf_free(&b);
    fx_replay_check(&t);
    twin_close(&t);
}

/* Submits raw body bytes of `kind` by `who` to chain A only. */
static cairn_err bad_raw(twin *t, int who, uint16_t kind, const uint8_t *p,
                         size_t n)
{
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
    cairn_put_bytes(&b, p, n);
    cairn_err e = bad(t, who, kind, &b);
    cairn_buf_free(&b);
    return e;
}

/* Encodes an order and offers it to chain A only. */
static cairn_err bad_order(twin *t, int who, const cairn_order *o)
{
    cairn_buf b;
    cairn_buf_init(&b, 256);
    cairn_order_encode(&b, o);
    cairn_err e = bad(t, who, CAIRN_TX_ORDER_OPEN, &b);
    cairn_buf_free(&b);
    return e;
}

/* Malformed bodies of every kind: each refused at admission. */
static void test_bad_bodies(void **state)
{
    twin t;
    cairn_buf b;
    uint8_t z[200] = {0};
    (void)state;
    setup(&t);
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
    const uint16_t kinds[] = {CAIRN_TX_COMPUTE_OFFER, CAIRN_TX_ORDER_OPEN,
                              CAIRN_TX_BID,           CAIRN_TX_LEASE_CREATE,
                              CAIRN_TX_LEASE_DEPOSIT, CAIRN_TX_LEASE_CLOSE,
                              CAIRN_TX_LEASE_REPORT};
    const size_t lens[] = {CAIRN_OFFER_LEN,
                           CAIRN_ORDER_LEN,
                           CAIRN_BID_LEN,
                           CAIRN_LEASE_CREATE_LEN,
                           CAIRN_LEASE_DEPOSIT_LEN,
                           CAIRN_LEASE_CLOSE_LEN,
                           1 + CAIRN_REPORT_ENTRY_LEN};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        memset(z, 1, sizeof z); /* in bounds but for the length */
        assert_int_equal(bad_raw(&t, PA, kinds[i], z, 0), CAIRN_ERR_BAD_BODY);
        assert_int_equal(bad_raw(&t, PA, kinds[i], z, lens[i] - 1),
                         CAIRN_ERR_BAD_BODY);
        assert_int_equal(bad_raw(&t, PA, kinds[i], z, lens[i] + 1),
                         CAIRN_ERR_BAD_BODY);
    }
    /* offers: zero or oversized resources */
    const uint32_t offers[][3] = {{0, 1, 1},
                                  {1, 0, 1},
                                  {1, 1, 0},
                                  {CAIRN_COMPUTE_CPUS_MAX + 1, 1, 1},
                                  {1, CAIRN_COMPUTE_MIB_MAX + 1, 1},
                                  {1, 1, UINT32_MAX}};
    for (size_t i = 0; i < 6; i++) {
        cx_offer_body(&b, offers[i][0], offers[i][1], offers[i][2]);
        assert_int_equal(bad(&t, PA, CAIRN_TX_COMPUTE_OFFER, &b),
                         CAIRN_ERR_BAD_BODY);
    }
    /* orders out of bounds */
    cairn_order good = cx_order_terms(1, 50000, 10, 100000, 5), o;
    o = good, o.cpus = 0;
    assert_int_equal(bad_order(&t, TEN, &o), CAIRN_ERR_BAD_BODY);
    o = good, o.cpus = CAIRN_COMPUTE_CPUS_MAX + 1;
    assert_int_equal(bad_order(&t, TEN, &o), CAIRN_ERR_BAD_BODY);
    o = good, o.mem_mib = 0;
    assert_int_equal(bad_order(&t, TEN, &o), CAIRN_ERR_BAD_BODY);
    o = good, o.disk_mib = CAIRN_COMPUTE_MIB_MAX + 1;
    assert_int_equal(bad_order(&t, TEN, &o), CAIRN_ERR_BAD_BODY);
    o = good, o.max_price = 0, o.escrow = 0;
    assert_int_equal(bad_order(&t, TEN, &o), CAIRN_ERR_BAD_BODY);
    o = good, o.max_epochs = 0;
    assert_int_equal(bad_order(&t, TEN, &o), CAIRN_ERR_BAD_BODY);
    o = good, o.escrow = o.max_price - 1; /* less than one epoch */
    assert_int_equal(bad_order(&t, TEN, &o), CAIRN_ERR_BAD_BODY);
    o = good, o.bid_blocks = 0;
    assert_int_equal(bad_order(&t, TEN, &o), CAIRN_ERR_BAD_BODY);
    /* reports: count 0, count past the max, unknown workload states */
    uint8_t r[1 + 65 * CAIRN_REPORT_ENTRY_LEN];
    memset(r, 0, sizeof r);
    r[0] = 0;
    assert_int_equal(bad_raw(&t, PA, CAIRN_TX_LEASE_REPORT, r, 1),
                     CAIRN_ERR_BAD_BODY);
    r[0] = 65;
    for (int i = 0; i < 65; i++)
        r[1 + i * CAIRN_REPORT_ENTRY_LEN + 8] = CAIRN_WORK_RUNNING;
    assert_int_equal(bad_raw(&t, PA, CAIRN_TX_LEASE_REPORT, r, sizeof r),
                     CAIRN_ERR_BAD_BODY);
    r[0] = 2; /* says two, holds one */
    assert_int_equal(
        bad_raw(&t, PA, CAIRN_TX_LEASE_REPORT, r, 1 + CAIRN_REPORT_ENTRY_LEN),
        CAIRN_ERR_BAD_BODY);
    const uint8_t states[] = {CAIRN_WORK_NONE, CAIRN_WORK_FAILED + 1, 0xFF};
    for (size_t i = 0; i < 3; i++) {
        r[0] = 1;
        r[1 + 8] = states[i];
        assert_int_equal(bad_raw(&t, PA, CAIRN_TX_LEASE_REPORT, r,
                                 1 + CAIRN_REPORT_ENTRY_LEN),
                         CAIRN_ERR_BAD_BODY);
    }
    /* checks beyond the decoder: a zero deposit, a lease with oneself */
    cairn_lease_deposit_encode(&b, 1, 0);
    assert_int_equal(bad(&t, TEN, CAIRN_TX_LEASE_DEPOSIT, &b),
                     CAIRN_ERR_ZERO_AMOUNT);
    cairn_lease_create_encode(&b, 1, &fx_keys[TEN].pk);
    assert_int_equal(bad(&t, TEN, CAIRN_TX_LEASE_CREATE, &b),
                     CAIRN_ERR_NOT_LEASE_PARTY);
    cairn_buf_free(&b);
    twin_close(&t);
}

/* Orders and offers that decode but break a rule of state. */
static void test_bad_orders(void **state)
{
    twin t;
    cairn_buf b;
    (void)state;
    setup(&t);
    cairn_buf_init(&b, 256);
    cairn_order good = cx_order_terms(2, 50000, 10, 100000, 5), o;
    o = good, o.max_epochs = 1001; /* compute_max_epochs */
    assert_int_equal(bad_order(&t, TEN, &o), CAIRN_ERR_BAD_ARG);
    o = good, o.bid_blocks = 51; /* compute_bid_window_max */
    assert_int_equal(bad_order(&t, TEN, &o), CAIRN_ERR_BAD_ARG);
    o = good, o.max_price = 1999, o.escrow = 1999; /* floor: 2 × 1000 */
    assert_int_equal(bad_order(&t, TEN, &o), CAIRN_ERR_BID_PRICE);
    o = good, o.escrow = 200000 * TOK; /* more than the balance */
    assert_int_equal(bad_order(&t, TEN, &o), CAIRN_ERR_FUNDS);
    o = good, o.max_price = UINT64_MAX, o.escrow = UINT64_MAX;
    assert_int_equal(bad_order(&t, TEN, &o), CAIRN_ERR_FUNDS);
    /* offers: not a provider, another sector's provider */
    fx_register(&t, STR, 1000 * TOK, &b);
    cx_step(&t);
    cx_offer_body(&b, 4, 1024, 1024);
    assert_int_equal(bad(&t, TEN, CAIRN_TX_COMPUTE_OFFER, &b),
                     CAIRN_ERR_NOT_PROVIDER);
    cx_offer_body(&b, 4, 1024, 1024);
    assert_int_equal(bad(&t, STR, CAIRN_TX_COMPUTE_OFFER, &b),
                     CAIRN_ERR_BAD_SECTOR);
    cairn_buf_free(&b);
    fx_replay_check(&t);
    twin_close(&t);
}

static cairn_err bad_bid(twin *t, int prov, uint64_t order, uint64_t price)
{
    cairn_buf b;
    cairn_bid bid = {order, price};
    cairn_buf_init(&b, 64);
    cairn_bid_encode(&b, &bid);
    cairn_err e = bad(t, prov, CAIRN_TX_BID, &b);
    cairn_buf_free(&b);
    return e;
}

/* Bids above the max price, below the floor, on no order, twice, past the
 * limit, by the tenant itself, by a provider without an offer, beyond the
 * provider's free capacity. */
static void test_bad_bids(void **state)
{
    twin t;
    (void)state;
    setup(&t);
    cairn_order o = cx_order_terms(2, 50000, 10, 100000, 40);
    uint64_t id = cx_order(&t, TEN, &o);
    assert_int_equal(bad_bid(&t, PA, id, 50001), CAIRN_ERR_BID_PRICE);
    assert_int_equal(bad_bid(&t, PA, id, UINT64_MAX), CAIRN_ERR_BID_PRICE);
    assert_int_equal(bad_bid(&t, PA, id, 1999), CAIRN_ERR_BID_PRICE);
    assert_int_equal(bad_bid(&t, PA, id + 100, 40000), CAIRN_ERR_NO_ORDER);
    assert_int_equal(bad_bid(&t, TEN, id, 40000), CAIRN_ERR_NOT_PROVIDER);
    cx_bid(&t, PA, id, 2000); /* the floor itself is fine */
    cx_step(&t);
    assert_int_equal(bad_bid(&t, PA, id, 40000), CAIRN_ERR_BID_LIMIT);
    cx_bid(&t, PB, id, 45000);
    cx_step(&t);
    assert_int_equal(bad_bid(&t, PC, id, 30000), CAIRN_ERR_BID_LIMIT);
    /* a provider's own order */
    uint64_t own = cx_order(&t, PA, &o);
    assert_int_equal(bad_bid(&t, PA, own, 40000), CAIRN_ERR_NOT_LEASE_PARTY);
    /* registered, but never offered capacity */
    cx_register(&t, STR, 1000 * TOK);
    cx_step(&t);
    assert_int_equal(bad_bid(&t, STR, own, 40000), CAIRN_ERR_NOT_PROVIDER);
    /* more cores than PC has */
    cairn_order big = cx_order_terms(9, 50000, 10, 100000, 40);
    uint64_t bid9 = cx_order(&t, TEN, &big);
    assert_int_equal(bad_bid(&t, PC, bid9, 40000), CAIRN_ERR_NO_CAPACITY);
    fx_replay_check(&t);
    twin_close(&t);
}

/* Leases by a non-tenant or with a provider that did not bid; deposits,
 * closes and reports by strangers; overflowing deposits; capacity that a
 * lease took is not sold twice, and an offer cannot shrink below it. */
static void test_bad_leases(void **state)
{
    twin t;
    cairn_buf b;
    (void)state;
    setup(&t);
    cairn_buf_init(&b, 256);
    cairn_order o6 = cx_order_terms(6, 50000, 10, 100000, 40);
    uint64_t x = cx_order(&t, TEN, &o6), y = cx_order(&t, TEN, &o6);
    cx_bid(&t, PA, x, 40000);
    cx_bid(&t, PA, y, 40000);
    cx_step(&t);
    cairn_lease_create_encode(&b, x, &fx_keys[PA].pk);
    assert_int_equal(bad(&t, STR, CAIRN_TX_LEASE_CREATE, &b),
                     CAIRN_ERR_NOT_LEASE_PARTY);
    cairn_lease_create_encode(&b, x, &fx_keys[PB].pk);
    assert_int_equal(bad(&t, TEN, CAIRN_TX_LEASE_CREATE, &b),
                     CAIRN_ERR_NOT_FOUND);
    cairn_lease_create_encode(&b, x + 100, &fx_keys[PA].pk);
    assert_int_equal(bad(&t, TEN, CAIRN_TX_LEASE_CREATE, &b),
                     CAIRN_ERR_NO_ORDER);
    cx_lease(&t, TEN, x, PA);
    cx_step(&t);
    assert_int_equal(cx_prov(&t, PA).used.cpus, 6);
    /* oversell: the second order's bid fitted when made, not now */
    cairn_lease_create_encode(&b, y, &fx_keys[PA].pk);
    assert_int_equal(bad(&t, TEN, CAIRN_TX_LEASE_CREATE, &b),
                     CAIRN_ERR_NO_CAPACITY);
    cairn_lease_create_encode(&b, x, &fx_keys[PA].pk);
    assert_int_equal(bad(&t, TEN, CAIRN_TX_LEASE_CREATE, &b),
                     CAIRN_ERR_ORDER_CLOSED);
    cairn_order o3 = cx_order_terms(3, 50000, 10, 100000, 40);
    uint64_t z = cx_order(&t, TEN, &o3);
    assert_int_equal(bad_bid(&t, PA, z, 40000), CAIRN_ERR_NO_CAPACITY);
    cx_offer_body(&b, 5, 16384, 100000);
    assert_int_equal(bad(&t, PA, CAIRN_TX_COMPUTE_OFFER, &b),
                     CAIRN_ERR_NO_CAPACITY);
    /* deposits */
    cairn_lease_deposit_encode(&b, x, 1000);
    assert_int_equal(bad(&t, STR, CAIRN_TX_LEASE_DEPOSIT, &b),
                     CAIRN_ERR_NOT_LEASE_PARTY);
    cairn_lease_deposit_encode(&b, x, 1000);
    assert_int_equal(bad(&t, PA, CAIRN_TX_LEASE_DEPOSIT, &b),
                     CAIRN_ERR_NOT_LEASE_PARTY);
    cairn_lease_deposit_encode(&b, x, UINT64_MAX);
    assert_int_equal(bad(&t, TEN, CAIRN_TX_LEASE_DEPOSIT, &b),
                     CAIRN_ERR_OVERFLOW);
    cairn_lease_deposit_encode(&b, x, UINT64_MAX - 100000);
    assert_int_equal(bad(&t, TEN, CAIRN_TX_LEASE_DEPOSIT, &b), CAIRN_ERR_FUNDS);
    cairn_lease_deposit_encode(&b, x + 100, 1000);
    assert_int_equal(bad(&t, TEN, CAIRN_TX_LEASE_DEPOSIT, &b),
                     CAIRN_ERR_NO_ORDER);
    /* reports: a stranger, another provider, an open order, no lease */
    cairn_report_entry e = {x, CAIRN_WORK_RUNNING, 0};
    cairn_report_encode(&b, &e, 1);
    assert_int_equal(bad(&t, PB, CAIRN_TX_LEASE_REPORT, &b),
                     CAIRN_ERR_NOT_LEASE_PARTY);
    cairn_report_entry two[2] = {{x, CAIRN_WORK_RUNNING, 0},
                                 {z, CAIRN_WORK_RUNNING, 0}};
    cairn_report_encode(&b, two, 2); /* the first is fine: all refused */
    assert_int_equal(bad(&t, PA, CAIRN_TX_LEASE_REPORT, &b),
                     CAIRN_ERR_NOT_LEASE_PARTY);
    e.lease = x + 100;
    cairn_report_encode(&b, &e, 1);
    assert_int_equal(bad(&t, PA, CAIRN_TX_LEASE_REPORT, &b),
                     CAIRN_ERR_NO_ORDER);
    /* closes: a stranger; a provider on an open order; no such id */
    cairn_lease_close_encode(&b, x);
    assert_int_equal(bad(&t, STR, CAIRN_TX_LEASE_CLOSE, &b),
                     CAIRN_ERR_NOT_LEASE_PARTY);
    cairn_lease_close_encode(&b, y);
    assert_int_equal(bad(&t, PA, CAIRN_TX_LEASE_CLOSE, &b),
                     CAIRN_ERR_NOT_LEASE_PARTY);
    cairn_lease_close_encode(&b, x + 100);
    assert_int_equal(bad(&t, TEN, CAIRN_TX_LEASE_CLOSE, &b),
                     CAIRN_ERR_NO_ORDER);
    /* the provider closes x: capacity back, y can be leased now */
    cx_close(&t, PA, x);
    cx_step(&t);
    assert_int_equal(cx_get(&t, x).end_reason, CAIRN_LEASE_END_PROVIDER);
    assert_int_equal(cx_prov(&t, PA).used.cpus, 0);
    assert_int_equal(cx_prov(&t, PA).done, 0);
    cx_lease(&t, TEN, y, PA);
    cx_step(&t);
    assert_int_equal(cx_get(&t, y).state, CAIRN_LEASE_ACTIVE);
    /* a closed lease takes no deposit, report or close */
    cairn_lease_deposit_encode(&b, x, 1000);
    assert_int_equal(bad(&t, TEN, CAIRN_TX_LEASE_DEPOSIT, &b),
                     CAIRN_ERR_LEASE_STATE);
    e.lease = x;
    cairn_report_encode(&b, &e, 1);
    assert_int_equal(bad(&t, PA, CAIRN_TX_LEASE_REPORT, &b),
                     CAIRN_ERR_LEASE_STATE);
    cairn_lease_close_encode(&b, x);
    assert_int_equal(bad(&t, PA, CAIRN_TX_LEASE_CLOSE, &b),
                     CAIRN_ERR_LEASE_STATE);
    cairn_buf_free(&b);
    fx_replay_check(&t);
    twin_close(&t);
}

/* The list queries: by tenant, by provider, open orders, paged by id. */
static void test_queries(void **state)
{
    twin t;
    cairn_lease_info l[CAIRN_LEASES_MAX];
    size_t n;
    int more;
    (void)state;
    setup(&t);
    cairn_order o = cx_order_terms(1, 50000, 10, 100000, 40);
    uint64_t a = cx_order(&t, TEN, &o), b2 = cx_order(&t, TEN, &o),
             c = cx_order(&t, STR, &o);
    cx_bid(&t, PA, b2, 40000);
    cx_step(&t);
    cx_lease(&t, TEN, b2, PA);
    cx_step(&t);
    assert_int_equal(cairn_chain_leases(t.c[0], CAIRN_LEASES_OPEN, NULL, 0, l,
                                        CAIRN_LEASES_MAX, &n, &more),
                     CAIRN_OK);
    assert_int_equal(n, 2);
    assert_int_equal(l[0].id, a);
    assert_int_equal(l[1].id, c);
    assert_int_equal(more, 0);
    assert_int_equal(cairn_chain_leases(t.c[0], CAIRN_LEASES_TENANT,
                                        &fx_keys[TEN].pk, 0, l, 1, &n, &more),
                     CAIRN_OK);
    assert_int_equal(n, 1);
    assert_int_equal(l[0].id, a);
    assert_int_equal(more, 1);
    assert_int_equal(cairn_chain_leases(t.c[0], CAIRN_LEASES_TENANT,
                                        &fx_keys[TEN].pk, a, l, 1, &n, &more),
                     CAIRN_OK);
    assert_int_equal(l[0].id, b2);
    assert_int_equal(more, 0);
    assert_int_equal(cairn_chain_leases(t.c[0], CAIRN_LEASES_PROVIDER,
                                        &fx_keys[PA].pk, 0, l, CAIRN_LEASES_MAX,
                                        &n, &more),
                     CAIRN_OK);
    assert_int_equal(n, 1);
    assert_int_equal(l[0].id, b2);
    cairn_lease_info one;
    cairn_bid_info bids[4];
    cairn_compute_provider cp;
    assert_int_equal(cairn_chain_lease(t.c[0], 999, &one), CAIRN_ERR_NO_ORDER);
    assert_int_equal(cairn_chain_bids(t.c[0], 999, bids, 4, &n),
                     CAIRN_ERR_NO_ORDER);
    assert_int_equal(
        cairn_chain_compute_provider(t.c[0], &fx_keys[STR].pk, &cp),
        CAIRN_ERR_NOT_PROVIDER);
    assert_int_equal(cx_prov(&t, PA).capacity.cpus, 8);
    assert_string_equal(cairn_lease_state_name(CAIRN_LEASE_PAUSED), "paused");
    assert_string_equal(cairn_lease_end_name(CAIRN_LEASE_END_LOST), "lost");
    assert_string_equal(cairn_workload_state_name(9), "unknown");
    twin_close(&t);
}

/* Every body codec round-trips, and decodes its own encoding only. */
static void test_codecs(void **state)
{
    cairn_buf b;
    (void)state;
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
    cairn_order o = cx_order_terms(3, 7, 9, 11, 13), o2;
    cairn_order_encode(&b, &o);
    assert_int_equal(b.len, CAIRN_ORDER_LEN);
    assert_int_equal(cairn_order_decode(&o2, b.p, b.len), CAIRN_OK);
    /* compared by their encodings: the struct's padding bytes are not
     * part of the value (a memcmp of the structs read stack garbage) */
    cairn_buf b2;
    cairn_buf_init(&b2, CAIRN_TX_BODY_MAX);
    cairn_order_encode(&b2, &o2);
    assert_int_equal(b2.len, b.len);
    assert_memory_equal(b2.p, b.p, b.len);
    cairn_buf_free(&b2);
    cairn_buf_reset(&b);
    cairn_report_entry e[CAIRN_REPORT_MAX];
    for (int i = 0; i < CAIRN_REPORT_MAX; i++)
        e[i] = (cairn_report_entry){(uint64_t)i + 1, CAIRN_WORK_EXITED,
                                    (uint32_t)i * 3};
    cairn_report_encode(&b, e, CAIRN_REPORT_MAX);
    assert_int_equal(b.len, 1 + CAIRN_REPORT_MAX * CAIRN_REPORT_ENTRY_LEN);
    cairn_report r;
    assert_int_equal(cairn_report_decode(&r, b.p, b.len), CAIRN_OK);
    assert_int_equal(r.count, CAIRN_REPORT_MAX);
    assert_int_equal(r.e[63].exit_code, 189);
    cairn_buf_reset(&b);
    uint64_t id, amount;
    cairn_pubkey pk, pk2;
    memset(pk.b, 7, 32);
    cairn_lease_create_encode(&b, 42, &pk);
    assert_int_equal(b.len, CAIRN_LEASE_CREATE_LEN);
    assert_int_equal(cairn_lease_create_decode(&id, &pk2, b.p, b.len),
                     CAIRN_OK);
    assert_int_equal(id, 42);
    assert_memory_equal(pk.b, pk2.b, 32);
    cairn_buf_reset(&b);
    cairn_lease_deposit_encode(&b, 5, UINT64_MAX);
    assert_int_equal(cairn_lease_deposit_decode(&id, &amount, b.p, b.len),
                     CAIRN_OK);
    assert_int_equal(amount, UINT64_MAX);
    cairn_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codecs),
        cmocka_unit_test(test_full_flow),
        cmocka_unit_test(test_pause_resume),
        cmocka_unit_test(test_lost),
        cmocka_unit_test(test_done),
        cmocka_unit_test(test_one_provider_two_leases),
        cmocka_unit_test(test_expire_and_cancel),
        cmocka_unit_test(test_bad_bodies),
        cmocka_unit_test(test_bad_orders),
        cmocka_unit_test(test_bad_bids),
        cmocka_unit_test(test_bad_leases),
        cmocka_unit_test(test_queries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
