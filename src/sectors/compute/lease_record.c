/* Order and lease records (one record, one id) and their indexes in state
 * (layout in compute.h). */
#include <string.h>

#include "cairn/amount.h"
#include "sectors/compute/compute.h"

/* The u64 fields after the fixed part, in record order. */
#define LEASE_U64S 13
_Static_assert(5 + 64 + CAIRN_ORDER_LEN + 8 + 8 * LEASE_U64S == LEASE_REC_LEN,
               "the lease record's layout (compute.h)");

static void u64_fields(const cairn_lease_info *l, uint64_t f[LEASE_U64S])
{
    const uint64_t v[LEASE_U64S] = {
        l->price,        l->escrow,      l->opened_height,  l->bid_end,
        l->start_height, l->start_epoch, l->settled_height, l->last_report,
        l->paused_epoch, l->paid,        l->refunded,       l->deposited,
        l->closed_height};
    memcpy(f, v, sizeof v);
}

/* The order as its ORDER_OPEN body (CAIRN_ORDER_LEN bytes at p). */
static void order_put(uint8_t *p, const cairn_order *o)
{
    memcpy(p, o->manifest.b, 32);
    cairn_le32_put(p + 32, o->cpus);
    cairn_le32_put(p + 36, o->mem_mib);
    cairn_le32_put(p + 40, o->disk_mib);
    p[44] = (uint8_t)o->port;
    p[45] = (uint8_t)(o->port >> 8);
    cairn_le64_put(p + 46, o->max_price);
    cairn_le64_put(p + 54, o->max_epochs);
    cairn_le64_put(p + 62, o->escrow);
    cairn_le32_put(p + 70, o->bid_blocks);
}

/* Written in place (settlement writes 100,000s of these per epoch). */
void lease_encode(uint8_t out[LEASE_REC_LEN], const cairn_lease_info *l)
{
    uint64_t f[LEASE_U64S];
    uint8_t *p = out;
    *p++ = 1;
    *p++ = l->state;
    *p++ = l->end_reason;
    *p++ = l->work_state;
    *p++ = l->nbids;
    memcpy(p, l->tenant.b, 32);
    memcpy(p + 32, l->provider.b, 32);
    p += 64;
    order_put(p, &l->order);
    p += CAIRN_ORDER_LEN;
    cairn_le32_put(p, l->exit_code);
    cairn_le32_put(p + 4, l->missed);
    p += 8;
    u64_fields(l, f);
    for (size_t i = 0; i < LEASE_U64S; i++, p += 8)
        cairn_le64_put(p, f[i]);
}

cairn_err lease_decode(cairn_lease_info *l, const uint8_t *p, size_t n)
{
    cairn_reader r;
    uint64_t *f[LEASE_U64S] = {
        &l->price,        &l->escrow,      &l->opened_height,  &l->bid_end,
        &l->start_height, &l->start_epoch, &l->settled_height, &l->last_report,
        &l->paused_epoch, &l->paid,        &l->refunded,       &l->deposited,
        &l->closed_height};
    if (n != LEASE_REC_LEN)
        return CAIRN_ERR_DB;
    cairn_reader_init(&r, p, n);
    uint8_t version = cairn_get_u8(&r);
    l->state = cairn_get_u8(&r);
    l->end_reason = cairn_get_u8(&r);
    l->work_state = cairn_get_u8(&r);
    l->nbids = cairn_get_u8(&r);
    cairn_get_bytes(&r, l->tenant.b, 32);
    cairn_get_bytes(&r, l->provider.b, 32);
    /* the order as posted: the body decoder's bounds hold for it too */
    if (cairn_order_decode(&l->order, p + r.pos, CAIRN_ORDER_LEN))
        return CAIRN_ERR_DB;
    r.pos += CAIRN_ORDER_LEN;
    l->exit_code = cairn_get_u32(&r);
    l->missed = cairn_get_u32(&r);
    for (size_t i = 0; i < LEASE_U64S; i++)
        *f[i] = cairn_get_u64(&r);
    if (cairn_reader_done(&r) || version != 1 || l->state < CAIRN_LEASE_OPEN ||
        l->state > CAIRN_LEASE_CLOSED || l->end_reason > CAIRN_LEASE_END_DONE ||
        l->work_state > CAIRN_WORK_FAILED)
        return CAIRN_ERR_DB;
    return CAIRN_OK;
}

uint64_t compute_lease_held(const uint8_t *rec, size_t n)
{
    cairn_lease_info l;
    return lease_decode(&l, rec, n) ? UINT64_MAX : l.escrow;
}

cairn_err lease_read(MDB_txn *txn, const store *s, uint64_t id,
                     cairn_lease_info *l)
{
    uint8_t k[8];
    MDB_val v;
    cairn_be64_put(k, id);
    cairn_err e = state_get(txn, s, STATE_LEASE, k, 8, &v);
    if (e)
        return e == CAIRN_ERR_NOT_FOUND ? CAIRN_ERR_NO_ORDER : e;
    l->id = id;
    return lease_decode(l, v.mv_data, v.mv_size);
}

cairn_err lease_put(exec_ctx *x, const cairn_lease_info *l)
{
    uint8_t k[8], v[LEASE_REC_LEN];
    cairn_be64_put(k, l->id);
    lease_encode(v, l);
    return state_put(x->w, x->s, STATE_LEASE, k, 8, v, sizeof v);
}

static const uint8_t one = 1;

cairn_err lease_index(exec_ctx *x, uint8_t tag, const cairn_pubkey *who,
                      uint64_t first, uint64_t id, int put)
{
    uint8_t k[1 + 32 + 8];
    size_t n = 0;
    k[n++] = tag;
    if (who) {
        memcpy(k + n, who->b, 32);
        n += 32;
    } else if (tag == STATE_LEASE_EXPIRY) {
        cairn_be64_put(k + n, first);
        n += 8;
    }
    cairn_be64_put(k + n, id);
    n += 8;
    if (put)
        return state_put(x->w, x->s, tag, k + 1, n - 1, &one, 1);
    return state_del_raw(x->w, x->s, k, n);
}

/* Reads and advances the "next" id counter. */
static cairn_err next_id(exec_ctx *x, uint64_t *id)
{
    MDB_val v;
    uint8_t nb[8];
    uint64_t next = 1;
    cairn_err e = state_get(x->w->txn, x->s, STATE_COMPUTE, "next", 4, &v);
    if (e == CAIRN_OK && v.mv_size == 8)
        next = cairn_le64_get(v.mv_data);
    else if (e != CAIRN_ERR_NOT_FOUND)
        return e ? e : CAIRN_ERR_DB;
    if (next == UINT64_MAX)
        return CAIRN_ERR_OVERFLOW;
    *id = next;
    cairn_le64_put(nb, next + 1);
    return state_put(x->w, x->s, STATE_COMPUTE, "next", 4, nb, 8);
}

cairn_err lease_create(exec_ctx *x, cairn_lease_info *l)
{
    cairn_err e = next_id(x, &l->id);
    if (e || (e = lease_put(x, l)) ||
        (e = lease_index(x, STATE_LEASE_OPEN, NULL, 0, l->id, 1)) ||
        (e = lease_index(x, STATE_LEASE_TENANT, &l->tenant, 0, l->id, 1)))
        return e;
    return lease_index(x, STATE_LEASE_EXPIRY, NULL, l->bid_end, l->id, 1);
}
