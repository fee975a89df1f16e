/* The wireless sector's data-transfer kinds (data.h, docs/wireless-data.md):
 * ROUTE_SET, ROUTE_CLOSE, PACKET_CLAIM, and the end-of-epoch pruning.
 * Consensus code: integers only, state read in key order. */
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "cairn/conn.h"
#include "core/bytes.h"
#include "econ/credits.h"
#include "econ/staking.h"
#include "sectors/wireless/data.h"
#include "sectors/wireless/data_int.h"

/* ---- ROUTE_SET / ROUTE_CLOSE ---- */

cairn_err wdata_route_set_check(const cairn_tx *tx)
{
    cairn_route_set r;
    char host[CAIRN_HOST_MAX + 1];
    int port;
    cairn_err e = cairn_route_set_decode(&r, tx->body, tx->body_len);
    if (e)
        return e;
    return cairn_endpoint_parse(r.endpoint, host, &port);
}

/* ROUTE_OVERLAP when a stored route other than base/bits itself shares an
 * address with base/bits. Stored routes never overlap each other, so: a
 * shorter prefix of base that is stored, or any route whose base lies
 * inside base/bits (the first key at or after base/bits says). */
static cairn_err check_overlap(exec_ctx *x, uint32_t base, uint8_t bits)
{
    wdata_route r;
    for (unsigned b = CAIRN_ROUTE_BITS_MIN; b < bits; b++) {
        cairn_err e = wdata_route_get(x->w->txn, x->s,
                                      base & cairn_route_mask((uint8_t)b),
                                      (uint8_t)b, &r);
        if (e != CAIRN_ERR_NO_ROUTE)
            return e ? e : CAIRN_ERR_ROUTE_OVERLAP;
    }
    uint8_t start[6] = {WDATA_TAG_ROUTE};
    wdata_be32_put(start + 1, base);
    start[5] = bits;
    MDB_val k = {6, start}, v;
    MDB_cursor *cur;
    if (mdb_cursor_open(x->w->txn, x->s->state, &cur))
        return CAIRN_ERR_DB;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    cairn_err e = CAIRN_OK;
    if (rc == 0) {
        const uint8_t *kp = k.mv_data;
        uint32_t last = base | ~cairn_route_mask(bits);
        if (k.mv_size == 6 && kp[0] == WDATA_TAG_ROUTE &&
            wdata_be32_get(kp + 1) <= last &&
            !(wdata_be32_get(kp + 1) == base && kp[5] == bits))
            e = CAIRN_ERR_ROUTE_OVERLAP;
        /* the exact key itself: look one further */
        if (!e && k.mv_size == 6 && kp[0] == WDATA_TAG_ROUTE &&
            wdata_be32_get(kp + 1) == base && kp[5] == bits) {
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
            kp = k.mv_data;
            if (rc == 0 && k.mv_size == 6 && kp[0] == WDATA_TAG_ROUTE &&
                wdata_be32_get(kp + 1) <= last)
                e = CAIRN_ERR_ROUTE_OVERLAP;
        }
    } else if (rc != MDB_NOTFOUND) {
        e = CAIRN_ERR_DB;
    }
    mdb_cursor_close(cur);
    return e;
}

static cairn_err join_put(exec_ctx *x, uint64_t join_eui, uint32_t base,
                          uint8_t bits)
{
    uint8_t k[8], v[5];
    cairn_be64_put(k, join_eui);
    wdata_be32_put(v, base);
    v[4] = bits;
    return state_put(x->w, x->s, WDATA_TAG_JOIN, k, 8, v, 5);
}

static cairn_err join_del(exec_ctx *x, uint64_t join_eui)
{
    uint8_t k[9] = {WDATA_TAG_JOIN};
    cairn_be64_put(k + 1, join_eui);
    return state_del_raw(x->w, x->s, k, sizeof k);
}

cairn_err wdata_route_set_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_route_set b;
    wdata_route old, r, j;
    uint8_t k[5], v[WDATA_ROUTE_VAL_MAX];
    cairn_err e = cairn_route_set_decode(&b, tx->body, tx->body_len);
    if (e)
        return e;
    e = wdata_route_get(x->w->txn, x->s, b.devaddr_base, b.bits, &old);
    int exists = e == CAIRN_OK;
    if (e && e != CAIRN_ERR_NO_ROUTE)
        return e;
    if (exists && memcmp(old.owner.b, tx->sender.b, 32) != 0)
        return CAIRN_ERR_ROUTE_OVERLAP; /* another router's range */
    if ((e = check_overlap(x, b.devaddr_base, b.bits)))
        return e;
    if (b.join_eui) {
        e = wdata_route_by_join(x->w->txn, x->s, b.join_eui, &j);
        if (e == CAIRN_OK && (j.base != b.devaddr_base || j.bits != b.bits))
            return CAIRN_ERR_ROUTE_OVERLAP; /* JoinEUI routed elsewhere */
        if (e && e != CAIRN_ERR_NO_ROUTE)
            return e;
    }
    if (exists && old.join_eui && old.join_eui != b.join_eui &&
        (e = join_del(x, old.join_eui)))
        return e;
    if (b.join_eui && (e = join_put(x, b.join_eui, b.devaddr_base, b.bits)))
        return e;
    memset(&r, 0, sizeof r);
    r.base = b.devaddr_base;
    r.bits = b.bits;
    r.owner = tx->sender;
    r.join_eui = b.join_eui;
    r.height = x->height;
    memcpy(r.endpoint, b.endpoint, sizeof r.endpoint);
    wdata_route_key(k, r.base, r.bits);
    size_t vn = wdata_route_encode(v, &r);
    return state_put(x->w, x->s, WDATA_TAG_ROUTE, k, 5, v, vn);
}

cairn_err wdata_route_close_check(const cairn_tx *tx)
{
    uint32_t base;
    uint8_t bits;
    return cairn_route_close_decode(&base, &bits, tx->body, tx->body_len);
}

cairn_err wdata_route_close_apply(exec_ctx *x, const cairn_tx *tx)
{
    uint32_t base;
    uint8_t bits, k[6] = {WDATA_TAG_ROUTE};
    wdata_route r;
    cairn_err e =
        cairn_route_close_decode(&base, &bits, tx->body, tx->body_len);
    if (!e)
        e = wdata_route_get(x->w->txn, x->s, base, bits, &r);
    if (e)
        return e;
    if (memcmp(r.owner.b, tx->sender.b, 32) != 0)
        return CAIRN_ERR_NOT_ROUTE_OWNER;
    if (r.join_eui && (e = join_del(x, r.join_eui)))
        return e;
    wdata_route_key(k + 1, base, bits);
    return state_del_raw(x->w, x->s, k, sizeof k);
}

/* ---- PACKET_CLAIM ---- */

/* Stateless: the body decodes, every receipt names the sender as its
 * hotspot and carries its router's signature for this chain, and no packet
 * appears twice. */
cairn_err wdata_packet_claim_check(const cairn_tx *tx)
{
    cairn_packet_claim *c = malloc(sizeof *c);
    if (!c)
        return CAIRN_ERR_NOMEM;
    cairn_err e = cairn_packet_claim_decode(c, tx->body, tx->body_len);
    for (size_t i = 0; !e && i < c->n; i++) {
        const cairn_packet_receipt *r = &c->r[i];
        if (memcmp(r->hotspot.b, tx->sender.b, 32) != 0)
            e = CAIRN_ERR_NOT_CARRIER;
        for (size_t j = 0; !e && j < i; j++)
            if (memcmp(r->router.b, c->r[j].router.b, 32) == 0 &&
                memcmp(r->packet_hash.b, c->r[j].packet_hash.b, 32) == 0)
                e = CAIRN_ERR_RECEIPT_CLAIMED;
        if (!e)
            e = cairn_packet_receipt_verify(r, tx->chain_id);
    }
    free(c);
    return e;
}

/* Adds (packets, dc) to a u64 ‖ u64 record at tag/key (absent: zeros). */
static cairn_err add_pair(exec_ctx *x, uint8_t tag, const uint8_t *k, size_t kn,
                          uint64_t a, uint64_t b, int pair)
{
    MDB_val v;
    uint64_t va = 0, vb = 0;
    size_t vn = pair ? 16 : 8;
    cairn_err e = state_get(x->w->txn, x->s, tag, k, kn, &v);
    if (e == CAIRN_OK) {
        if (v.mv_size != vn)
            return CAIRN_ERR_DB;
        va = cairn_le64_get(v.mv_data);
        if (pair)
            vb = cairn_le64_get((const uint8_t *)v.mv_data + 8);
    } else if (e != CAIRN_ERR_NOT_FOUND) {
        return e;
    }
    if (cairn_add(&va, va, a) || cairn_add(&vb, vb, b))
        return CAIRN_ERR_OVERFLOW;
    uint8_t out[16];
    cairn_le64_put(out, va);
    cairn_le64_put(out + 8, vb);
    return state_put(x->w, x->s, tag, k, kn, out, vn);
}

/* Each receipt: inside the claim window, not paid before (its key is
 * written now, so the first claim wins), its router holds the credits
 * (NO_CREDITS fails the whole batch). The sender's data units and the
 * epoch's totals grow by what the batch carried. */
cairn_err wdata_packet_claim_apply(exec_ctx *x, const cairn_tx *tx)
{
    econ_provider p;
    econ_global g;
    uint64_t window, floor, total = 0;
    cairn_err e = econ_provider_read(x->w->txn, x->s, &tx->sender, &p);
    if (e == CAIRN_ERR_NOT_PROVIDER)
        return CAIRN_ERR_NOT_CARRIER;
    if (e)
        return e;
    if (p.sector != WDATA_SECTOR)
        return CAIRN_ERR_NOT_CARRIER;
    if ((e = econ_global_get(x->w->txn, x->s, &g)) ||
        (e = econ_param_get(x, WDATA_P_RECEIPT_EPOCHS, &window)) ||
        (e = wdata_floor_get(x->w->txn, x->s, &floor)))
        return e;
    uint64_t lo = g.epoch > window ? g.epoch - window : 0;
    if (floor > lo)
        lo = floor;
    cairn_packet_claim *c = malloc(sizeof *c);
    if (!c)
        return CAIRN_ERR_NOMEM;
    e = cairn_packet_claim_decode(c, tx->body, tx->body_len);
    for (size_t i = 0; !e && i < c->n; i++) {
        const cairn_packet_receipt *r = &c->r[i];
        uint8_t k[40], v[44];
        MDB_val old;
        if (r->epoch > g.epoch || r->epoch < lo) {
            e = CAIRN_ERR_RECEIPT_EPOCH;
            break;
        }
        wdata_receipt_key(k, r);
        e = state_get(x->w->txn, x->s, WDATA_TAG_RECEIPT, k, sizeof k, &old);
        if (e == CAIRN_OK)
            e = CAIRN_ERR_RECEIPT_CLAIMED;
        else if (e == CAIRN_ERR_NOT_FOUND)
            e = econ_spend_credits(x, &r->router, r->dc);
        if (e)
            break;
        memcpy(v, r->hotspot.b, 32);
        cairn_le32_put(v + 32, r->dc);
        cairn_le64_put(v + 36, x->height);
        e = state_put(x->w, x->s, WDATA_TAG_RECEIPT, k, sizeof k, v, sizeof v);
        total += r->dc; /* at most 64 × 11 */
    }
    if (!e) {
        uint8_t dk[40], tk[8];
        wdata_data_key(dk, g.epoch, &tx->sender);
        cairn_be64_put(tk, g.epoch);
        e = add_pair(x, WDATA_TAG_DATA, dk, sizeof dk, total, 0, 0);
        if (!e)
            e = add_pair(x, WDATA_TAG_TOTALS, tk, sizeof tk, c->n, total, 1);
    }
    free(c);
    return e;
}

/* ---- end of epoch ---- */

typedef struct prune {
    uint64_t below; /* delete keys whose u64 BE epoch is below this */
    size_t keylen;  /* with the tag byte */
    uint8_t (*keys)[41];
    size_t n, cap;
} prune;

static cairn_err collect_old(void *arg, const uint8_t *k, size_t kn,
                             const uint8_t *v, size_t vn)
{
    prune *p = arg;
    (void)v;
    (void)vn;
    if (kn != p->keylen)
        return CAIRN_ERR_DB;
    if (cairn_be64_get(k + 1) >= p->below)
        return STATE_SCAN_STOP; /* key order: the rest is newer */
    cairn_err e = grow_array((void **)&p->keys, &p->cap, p->n, 41, 64);
    if (!e)
        memcpy(p->keys[p->n++], k, kn);
    return e;
}

static cairn_err prune_tag(exec_ctx *x, uint8_t tag, uint64_t below)
{
    prune p = {.below = below, .keylen = 41};
    cairn_err e = state_scan(x->w->txn, x->s, tag, collect_old, &p);
    for (size_t i = 0; !e && i < p.n; i++)
        e = state_del_raw(x->w, x->s, p.keys[i], 41);
    free(p.keys);
    return e;
}

cairn_err wdata_end_epoch(exec_ctx *x, uint64_t epoch)
{
    uint64_t window, keep, floor;
    cairn_err e = econ_param_get(x, WDATA_P_RECEIPT_EPOCHS, &window);
    if (!e)
        e = econ_param_get(x, WDATA_P_KEEP_EPOCHS, &keep);
    if (!e)
        e = wdata_floor_get(x->w->txn, x->s, &floor);
    if (e)
        return e;
    /* next epoch claims receipts of epochs >= epoch + 1 - window; the floor
     * never goes down, so a larger window later cannot reopen pruned keys */
    uint64_t lo = epoch + 1 > window ? epoch + 1 - window : 0;
    if (lo > floor) {
        uint8_t v[8];
        cairn_le64_put(v, lo);
        if ((e = state_put(x->w, x->s, WDATA_TAG_FLOOR, "floor", 5, v, 8)))
            return e;
        floor = lo;
    }
    if ((e = prune_tag(x, WDATA_TAG_RECEIPT, floor)))
        return e;
    uint64_t keep_lo = epoch + 1 > keep ? epoch + 1 - keep : 0;
    return prune_tag(x, WDATA_TAG_DATA, keep_lo);
}

/* ---- the descriptor's parts ---- */

const tx_kind wdata_kinds[] = {WDATA_KIND_ENTRIES};
const size_t wdata_nkinds = sizeof wdata_kinds / sizeof wdata_kinds[0];

const econ_param_def wdata_params[] = {WDATA_PARAM_ENTRIES};
const size_t wdata_nparams = sizeof wdata_params / sizeof wdata_params[0];
