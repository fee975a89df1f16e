/* Shared by the compute-sector tests (test_compute_chain.c,
 * test_state_docs.c): the twin chains of gov_fixture.h (a bad
 * transaction goes to chain A only, and both state roots must stay
 * equal), plus the compute kinds' bodies, reads of leases and providers,
 * and a step that audits the books after every block. Include after
 * cmocka.h. */
#ifndef CAIRN_TEST_COMPUTE_FIXTURE_H
#define CAIRN_TEST_COMPUTE_FIXTURE_H

#include "deal_fixture.h"

#include "cairn/compute.h"

/* One block on both chains; nothing may be dropped, and the books must
 * balance after it. */
static inline void cx_step(twin *t)
{
    assert_int_equal(step(t), CAIRN_OK);
    dx_audit(t);
}

static inline cairn_staking_status cx_status(twin *t)
{
    cairn_staking_status s;
    assert_int_equal(cairn_chain_staking_status(t->c[0], &s), CAIRN_OK);
    return s;
}

/* The last block of the current epoch (as the epoch length stands). */
static inline uint64_t cx_epoch_end(twin *t)
{
    cairn_staking_status s = cx_status(t);
    return s.epoch_start_height + s.epoch_blocks - 1;
}

/* Steps (auditing) until epoch e is the current one. */
static inline void cx_to_epoch(twin *t, uint64_t e)
{
    for (int i = 0; i < 100000 && cx_status(t).epoch < e; i++)
        cx_step(t);
    assert_int_equal(cx_status(t).epoch, e);
}

/* Steps (auditing) until the tip is at height h. */
static inline void cx_to_height(twin *t, uint64_t h)
{
    for (int i = 0; i < 100000 && fx_height(t) < h; i++)
        cx_step(t);
    assert_int_equal(fx_height(t), h);
}

/* Registers keys[who] as a compute provider with `stake` tokens (queued;
 * the next block applies it). */
static inline void cx_register(twin *t, int who, uint64_t stake)
{
    cairn_buf b;
    cairn_register r = {CAIRN_SECTOR_COMPUTE, 0, stake, "tcp://127.0.0.1:7100"};
    cairn_buf_init(&b, 4096);
    cairn_register_encode(&b, &r);
    both(t, who, CAIRN_TX_REGISTER, &b);
    cairn_buf_free(&b);
}

static inline void cx_offer_body(cairn_buf *b, uint32_t cpus, uint32_t mem,
                                 uint32_t disk)
{
    cairn_compute_offer o = {cpus, mem, disk};
    cairn_compute_offer_encode(b, &o);
}

/* Queues a COMPUTE_OFFER of keys[who] on both chains. */
static inline void cx_offer(twin *t, int who, uint32_t cpus, uint32_t mem,
                            uint32_t disk)
{
    cairn_buf b;
    cairn_buf_init(&b, 64);
    cx_offer_body(&b, cpus, mem, disk);
    both(t, who, CAIRN_TX_COMPUTE_OFFER, &b);
    cairn_buf_free(&b);
}

/* An order of `cpus` cores, 1024 MiB memory and disk. */
static inline cairn_order cx_order_terms(uint32_t cpus, uint64_t max_price,
                                         uint64_t max_epochs, uint64_t escrow,
                                         uint32_t bid_blocks)
{
    cairn_order o;
    memset(&o, 0, sizeof o);
    memset(o.manifest.b, 0xC0, 32);
    o.cpus = cpus;
    o.mem_mib = 1024;
    o.disk_mib = 1024;
    o.port = 8080;
    o.max_price = max_price;
    o.max_epochs = max_epochs;
    o.escrow = escrow;
    o.bid_blocks = bid_blocks;
    return o;
}

/* The newest order of keys[tenant] on chain A. */
static inline uint64_t cx_last_order(twin *t, int tenant)
{
    static cairn_lease_info l[CAIRN_LEASES_MAX];
    uint64_t after = 0, last = 0;
    size_t n;
    int more = 1;
    while (more) {
        assert_int_equal(cairn_chain_leases(t->c[0], CAIRN_LEASES_TENANT,
                                            &fx_keys[tenant].pk, after, l,
                                            CAIRN_LEASES_MAX, &n, &more),
                         CAIRN_OK);
        if (n)
            after = last = l[n - 1].id;
    }
    return last;
}

/* Posts order o of keys[tenant] (good on both chains), one block; returns
 * its id. */
static inline uint64_t cx_order(twin *t, int tenant, const cairn_order *o)
{
    cairn_buf b;
    cairn_buf_init(&b, 256);
    cairn_order_encode(&b, o);
    both(t, tenant, CAIRN_TX_ORDER_OPEN, &b);
    cairn_buf_free(&b);
    cx_step(t);
    return cx_last_order(t, tenant);
}

/* Queues txs of the other kinds on both chains. */
static inline void cx_bid(twin *t, int prov, uint64_t order, uint64_t price)
{
    cairn_buf b;
    cairn_bid bid = {order, price};
    cairn_buf_init(&b, 64);
    cairn_bid_encode(&b, &bid);
    both(t, prov, CAIRN_TX_BID, &b);
    cairn_buf_free(&b);
}

static inline void cx_lease(twin *t, int tenant, uint64_t order, int prov)
{
    cairn_buf b;
    cairn_buf_init(&b, 64);
    cairn_lease_create_encode(&b, order, &fx_keys[prov].pk);
    both(t, tenant, CAIRN_TX_LEASE_CREATE, &b);
    cairn_buf_free(&b);
}

static inline void cx_deposit(twin *t, int tenant, uint64_t lease,
                              uint64_t amount)
{
    cairn_buf b;
    cairn_buf_init(&b, 64);
    cairn_lease_deposit_encode(&b, lease, amount);
    both(t, tenant, CAIRN_TX_LEASE_DEPOSIT, &b);
    cairn_buf_free(&b);
}

static inline void cx_close(twin *t, int who, uint64_t lease)
{
    cairn_buf b;
    cairn_buf_init(&b, 64);
    cairn_lease_close_encode(&b, lease);
    both(t, who, CAIRN_TX_LEASE_CLOSE, &b);
    cairn_buf_free(&b);
}

static inline void cx_report(twin *t, int prov, uint64_t lease, uint8_t state)
{
    cairn_buf b;
    cairn_report_entry e = {lease, state, 0};
    cairn_buf_init(&b, 64);
    cairn_report_encode(&b, &e, 1);
    both(t, prov, CAIRN_TX_LEASE_REPORT, &b);
    cairn_buf_free(&b);
}

static inline cairn_lease_info cx_get(twin *t, uint64_t id)
{
    cairn_lease_info l;
    assert_int_equal(cairn_chain_lease(t->c[0], id, &l), CAIRN_OK);
    return l;
}

static inline cairn_compute_provider cx_prov(twin *t, int who)
{
    cairn_compute_provider p;
    assert_int_equal(
        cairn_chain_compute_provider(t->c[0], &fx_keys[who].pk, &p), CAIRN_OK);
    return p;
}

static inline uint64_t cx_balance(twin *t, int who)
{
    return fx_account(t, who).balance;
}

#endif
