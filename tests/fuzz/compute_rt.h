/* The compute kinds' body round trips, shared by fuzz_compute_tx.c and
 * fuzz_tx_body.c: each decodes p (n bytes); a body that decodes must lie
 * within the bounds include/cairn/compute.h states (abort otherwise) and
 * is encoded again into b, for the caller to compare with p. */
#ifndef CAIRN_FUZZ_COMPUTE_RT_H
#define CAIRN_FUZZ_COMPUTE_RT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/compute.h"

static int resources_ok(uint32_t cpus, uint32_t mem, uint32_t disk)
{
    return cpus >= 1 && cpus <= CAIRN_COMPUTE_CPUS_MAX && mem >= 1 &&
           mem <= CAIRN_COMPUTE_MIB_MAX && disk >= 1 &&
           disk <= CAIRN_COMPUTE_MIB_MAX;
}

static cairn_err ct_offer(cairn_buf *b, const uint8_t *p, size_t n)
{
    cairn_compute_offer o;
    cairn_err e = cairn_compute_offer_decode(&o, p, n);
    if (e == CAIRN_OK) {
        if (!resources_ok(o.cpus, o.mem_mib, o.disk_mib))
            abort();
        cairn_compute_offer_encode(b, &o);
    }
    return e;
}

static cairn_err ct_order(cairn_buf *b, const uint8_t *p, size_t n)
{
    cairn_order o;
    cairn_err e = cairn_order_decode(&o, p, n);
    if (e == CAIRN_OK) {
        if (!resources_ok(o.cpus, o.mem_mib, o.disk_mib) || !o.max_price ||
            !o.max_epochs || o.escrow < o.max_price || !o.bid_blocks)
            abort();
        cairn_order_encode(b, &o);
    }
    return e;
}

static cairn_err ct_bid(cairn_buf *b, const uint8_t *p, size_t n)
{
    cairn_bid bid;
    cairn_err e = cairn_bid_decode(&bid, p, n);
    if (e == CAIRN_OK)
        cairn_bid_encode(b, &bid);
    return e;
}

static cairn_err ct_create(cairn_buf *b, const uint8_t *p, size_t n)
{
    uint64_t order;
    cairn_pubkey pk;
    cairn_err e = cairn_lease_create_decode(&order, &pk, p, n);
    if (e == CAIRN_OK)
        cairn_lease_create_encode(b, order, &pk);
    return e;
}

static cairn_err ct_deposit(cairn_buf *b, const uint8_t *p, size_t n)
{
    uint64_t lease, amount;
    cairn_err e = cairn_lease_deposit_decode(&lease, &amount, p, n);
    if (e == CAIRN_OK)
        cairn_lease_deposit_encode(b, lease, amount);
    return e;
}

static cairn_err ct_close(cairn_buf *b, const uint8_t *p, size_t n)
{
    uint64_t lease;
    cairn_err e = cairn_lease_close_decode(&lease, p, n);
    if (e == CAIRN_OK)
        cairn_lease_close_encode(b, lease);
    return e;
}

static cairn_err ct_report(cairn_buf *b, const uint8_t *p, size_t n)
{
    cairn_report r;
    cairn_err e = cairn_report_decode(&r, p, n);
    if (e != CAIRN_OK)
        return e;
    if (r.count == 0 || r.count > CAIRN_REPORT_MAX)
        abort();
    for (uint8_t i = 0; i < r.count; i++) {
        if (r.e[i].state < CAIRN_WORK_STARTING ||
            r.e[i].state > CAIRN_WORK_FAILED ||
            strcmp(cairn_workload_state_name(r.e[i].state), "unknown") == 0)
            abort();
    }
    cairn_report_encode(b, r.e, r.count);
    return e;
}

/* TICKET_FUND: not both zero. */
static cairn_err ct_tfund(cairn_buf *b, const uint8_t *p, size_t n)
{
    uint64_t d, r;
    cairn_err e = cairn_ticket_fund_decode(&d, &r, p, n);
    if (e == CAIRN_OK) {
        if (!d && !r)
            abort();
        cairn_ticket_fund_encode(b, d, r);
    }
    return e;
}

static cairn_err ct_tredeem(cairn_buf *b, const uint8_t *p, size_t n)
{
    cairn_ticket t;
    uint8_t rand[CAIRN_TICKET_RAND_LEN];
    cairn_err e = cairn_ticket_redeem_decode(&t, rand, p, n);
    if (e == CAIRN_OK)
        cairn_ticket_redeem_encode(b, &t, rand);
    return e;
}

/* TICKET_WITHDRAW: amount >= 1. */
static cairn_err ct_twithdraw(cairn_buf *b, const uint8_t *p, size_t n)
{
    uint64_t a;
    cairn_err e = cairn_ticket_withdraw_decode(&a, p, n);
    if (e == CAIRN_OK) {
        if (!a)
            abort();
        cairn_ticket_withdraw_encode(b, a);
    }
    return e;
}

#endif
