/* libFuzzer target for the compute sector's body decoders
 * (src/sectors/compute/codec.c): COMPUTE_OFFER, ORDER_OPEN, BID,
 * LEASE_CREATE, LEASE_DEPOSIT, LEASE_CLOSE and LEASE_REPORT.
 *
 * Input: a selector byte (selector % 7 picks the kind, in the order of
 * the table below), then the body, copied to an exact-size heap buffer so
 * that ASan catches any overread.
 *
 * Each decoder must answer OK or BAD_BODY and nothing else; a body that
 * decodes is within the bounds include/cairn/compute.h states and is
 * canonical (encoding the value gives back exactly the body's bytes). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/compute.h"

typedef cairn_err (*roundtrip_fn)(cairn_buf *b, const uint8_t *p, size_t n);

static int resources_ok(uint32_t cpus, uint32_t mem, uint32_t disk)
{
    return cpus >= 1 && cpus <= CAIRN_COMPUTE_CPUS_MAX && mem >= 1 &&
           mem <= CAIRN_COMPUTE_MIB_MAX && disk >= 1 &&
           disk <= CAIRN_COMPUTE_MIB_MAX;
}

static cairn_err rt_offer(cairn_buf *b, const uint8_t *p, size_t n)
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

static cairn_err rt_order(cairn_buf *b, const uint8_t *p, size_t n)
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

static cairn_err rt_bid(cairn_buf *b, const uint8_t *p, size_t n)
{
    cairn_bid bid;
    cairn_err e = cairn_bid_decode(&bid, p, n);
    if (e == CAIRN_OK)
        cairn_bid_encode(b, &bid);
    return e;
}

static cairn_err rt_create(cairn_buf *b, const uint8_t *p, size_t n)
{
    uint64_t order;
    cairn_pubkey pk;
    cairn_err e = cairn_lease_create_decode(&order, &pk, p, n);
    if (e == CAIRN_OK)
        cairn_lease_create_encode(b, order, &pk);
    return e;
}

static cairn_err rt_deposit(cairn_buf *b, const uint8_t *p, size_t n)
{
    uint64_t lease, amount;
    cairn_err e = cairn_lease_deposit_decode(&lease, &amount, p, n);
    if (e == CAIRN_OK)
        cairn_lease_deposit_encode(b, lease, amount);
    return e;
}

static cairn_err rt_close(cairn_buf *b, const uint8_t *p, size_t n)
{
    uint64_t lease;
    cairn_err e = cairn_lease_close_decode(&lease, p, n);
    if (e == CAIRN_OK)
        cairn_lease_close_encode(b, lease);
    return e;
}

static cairn_err rt_report(cairn_buf *b, const uint8_t *p, size_t n)
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

static const roundtrip_fn kinds[] = {rt_offer,   rt_order, rt_bid,   rt_create,
                                     rt_deposit, rt_close, rt_report};
#define NKINDS (sizeof kinds / sizeof kinds[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size - 1 > CAIRN_TX_BODY_MAX)
        return 0;
    size_t n = size - 1;
    uint8_t *p = malloc(n ? n : 1);
    if (!p)
        return 0;
    memcpy(p, data + 1, n);
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
    cairn_err e = kinds[data[0] % NKINDS](&b, p, n);
    if (e != CAIRN_OK && e != CAIRN_ERR_BAD_BODY)
        abort(); /* decoders refuse with BAD_BODY only */
    if (e == CAIRN_OK && (b.err || b.len != n || memcmp(b.p, p, n) != 0))
        abort(); /* not canonical */
    cairn_buf_free(&b);
    free(p);
    return 0;
}
