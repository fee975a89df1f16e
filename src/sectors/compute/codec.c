/* Compute transaction bodies: the codecs of the seven kinds and the names
 * of the enums (public: the CLI and the provider daemon build and show
 * these). Decoders check every length and bound and answer BAD_BODY, and
 * nothing else, for any other input; a body that decodes re-encodes to
 * the same bytes. */
#include <string.h>

#include "sectors/compute/compute.h"

/* Resources inside 1..max: cores and MiB. */
static int resources_ok(uint32_t cpus, uint32_t mem, uint32_t disk)
{
    return cpus >= 1 && cpus <= CAIRN_COMPUTE_CPUS_MAX && mem >= 1 &&
           mem <= CAIRN_COMPUTE_MIB_MAX && disk >= 1 &&
           disk <= CAIRN_COMPUTE_MIB_MAX;
}

void cairn_compute_offer_encode(cairn_buf *b, const cairn_compute_offer *o)
{
    cairn_put_u32(b, o->cpus);
    cairn_put_u32(b, o->mem_mib);
    cairn_put_u32(b, o->disk_mib);
}

cairn_err cairn_compute_offer_decode(cairn_compute_offer *o, const uint8_t *p,
                                     size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    o->cpus = cairn_get_u32(&r);
    o->mem_mib = cairn_get_u32(&r);
    o->disk_mib = cairn_get_u32(&r);
    if (cairn_reader_done(&r) ||
        !resources_ok(o->cpus, o->mem_mib, o->disk_mib))
        return CAIRN_ERR_BAD_BODY;
    return CAIRN_OK;
}

void cairn_order_encode(cairn_buf *b, const cairn_order *o)
{
    cairn_put_bytes(b, o->manifest.b, 32);
    cairn_put_u32(b, o->cpus);
    cairn_put_u32(b, o->mem_mib);
    cairn_put_u32(b, o->disk_mib);
    cairn_put_u16(b, o->port);
    cairn_put_u64(b, o->max_price);
    cairn_put_u64(b, o->max_epochs);
    cairn_put_u64(b, o->escrow);
    cairn_put_u32(b, o->bid_blocks);
}

cairn_err cairn_order_decode(cairn_order *o, const uint8_t *p, size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    cairn_get_bytes(&r, o->manifest.b, 32);
    o->cpus = cairn_get_u32(&r);
    o->mem_mib = cairn_get_u32(&r);
    o->disk_mib = cairn_get_u32(&r);
    o->port = cairn_get_u16(&r);
    o->max_price = cairn_get_u64(&r);
    o->max_epochs = cairn_get_u64(&r);
    o->escrow = cairn_get_u64(&r);
    o->bid_blocks = cairn_get_u32(&r);
    if (cairn_reader_done(&r) ||
        !resources_ok(o->cpus, o->mem_mib, o->disk_mib) || o->max_price == 0 ||
        o->max_epochs == 0 || o->escrow < o->max_price || o->bid_blocks == 0)
        return CAIRN_ERR_BAD_BODY;
    return CAIRN_OK;
}

void cairn_bid_encode(cairn_buf *b, const cairn_bid *bid)
{
    cairn_put_u64(b, bid->order);
    cairn_put_u64(b, bid->price);
}

cairn_err cairn_bid_decode(cairn_bid *bid, const uint8_t *p, size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    bid->order = cairn_get_u64(&r);
    bid->price = cairn_get_u64(&r);
    return cairn_reader_done(&r) ? CAIRN_ERR_BAD_BODY : CAIRN_OK;
}

void cairn_lease_create_encode(cairn_buf *b, uint64_t order,
                               const cairn_pubkey *provider)
{
    cairn_put_u64(b, order);
    cairn_put_bytes(b, provider->b, 32);
}

cairn_err cairn_lease_create_decode(uint64_t *order, cairn_pubkey *provider,
                                    const uint8_t *p, size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    *order = cairn_get_u64(&r);
    cairn_get_bytes(&r, provider->b, 32);
    return cairn_reader_done(&r) ? CAIRN_ERR_BAD_BODY : CAIRN_OK;
}

void cairn_lease_deposit_encode(cairn_buf *b, uint64_t lease, uint64_t amount)
{
    cairn_put_u64(b, lease);
    cairn_put_u64(b, amount);
}

cairn_err cairn_lease_deposit_decode(uint64_t *lease, uint64_t *amount,
                                     const uint8_t *p, size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    *lease = cairn_get_u64(&r);
    *amount = cairn_get_u64(&r);
    return cairn_reader_done(&r) ? CAIRN_ERR_BAD_BODY : CAIRN_OK;
}

void cairn_lease_close_encode(cairn_buf *b, uint64_t lease)
{
    cairn_put_u64(b, lease);
}

cairn_err cairn_lease_close_decode(uint64_t *lease, const uint8_t *p, size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    *lease = cairn_get_u64(&r);
    return cairn_reader_done(&r) ? CAIRN_ERR_BAD_BODY : CAIRN_OK;
}

void cairn_report_encode(cairn_buf *b, const cairn_report_entry *e,
                         size_t count)
{
    cairn_put_u8(b, (uint8_t)count);
    for (size_t i = 0; i < count; i++) {
        cairn_put_u64(b, e[i].lease);
        cairn_put_u8(b, e[i].state);
        cairn_put_u32(b, e[i].exit_code);
    }
}

cairn_err cairn_report_decode(cairn_report *rp, const uint8_t *p, size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    rp->count = cairn_get_u8(&r);
    if (rp->count == 0 || rp->count > CAIRN_REPORT_MAX ||
        n != 1 + (size_t)rp->count * CAIRN_REPORT_ENTRY_LEN)
        return CAIRN_ERR_BAD_BODY;
    for (uint8_t i = 0; i < rp->count; i++) {
        cairn_report_entry *e = &rp->e[i];
        e->lease = cairn_get_u64(&r);
        e->state = cairn_get_u8(&r);
        e->exit_code = cairn_get_u32(&r);
        if (e->state < CAIRN_WORK_STARTING || e->state > CAIRN_WORK_FAILED)
            return CAIRN_ERR_BAD_BODY;
    }
    return cairn_reader_done(&r) ? CAIRN_ERR_BAD_BODY : CAIRN_OK;
}

static const char *name_of(const char *const *names, size_t n, unsigned v)
{
    return v < n && names[v] ? names[v] : "unknown";
}

const char *cairn_lease_state_name(unsigned state)
{
    static const char *const names[] = {NULL, "open", "active", "paused",
                                        "closed"};
    return name_of(names, sizeof names / sizeof names[0], state);
}

const char *cairn_lease_end_name(unsigned reason)
{
    static const char *const names[] = {"none",      "tenant",  "provider",
                                        "cancelled", "expired", "escrow",
                                        "lost",      "done"};
    return name_of(names, sizeof names / sizeof names[0], reason);
}

const char *cairn_workload_state_name(unsigned state)
{
    static const char *const names[] = {"none", "starting", "running", "exited",
                                        "failed"};
    return name_of(names, sizeof names / sizeof names[0], state);
}
