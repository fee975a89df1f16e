/* Route records and the read-only queries of the data-transfer state
 * (data.h). */
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "sectors/wireless/data.h"
#include "sectors/wireless/data_int.h"

void wdata_route_key(uint8_t k[5], uint32_t base, uint8_t bits)
{
    wdata_be32_put(k, base);
    k[4] = bits;
}

size_t wdata_route_encode(uint8_t *v, const wdata_route *r)
{
    size_t len = strnlen(r->endpoint, CAIRN_ENDPOINT_MAX);
    memcpy(v, r->owner.b, 32);
    cairn_le64_put(v + 32, r->join_eui);
    cairn_le64_put(v + 40, r->height);
    v[48] = (uint8_t)len;
    memcpy(v + 49, r->endpoint, len);
    return 49 + len;
}

cairn_err wdata_route_decode(wdata_route *r, const uint8_t *k, size_t kn,
                             const uint8_t *v, size_t vn)
{
    memset(r, 0, sizeof *r);
    if (kn != 5 || vn < 49 || vn != 49u + v[48] || v[48] > CAIRN_ENDPOINT_MAX)
        return CAIRN_ERR_DB;
    r->base = wdata_be32_get(k);
    r->bits = k[4];
    memcpy(r->owner.b, v, 32);
    r->join_eui = cairn_le64_get(v + 32);
    r->height = cairn_le64_get(v + 40);
    memcpy(r->endpoint, v + 49, v[48]);
    return CAIRN_OK;
}

cairn_err wdata_route_get(MDB_txn *txn, const store *s, uint32_t base,
                          uint8_t bits, wdata_route *r)
{
    uint8_t k[5];
    MDB_val v;
    wdata_route_key(k, base, bits);
    cairn_err e = state_get(txn, s, WDATA_TAG_ROUTE, k, sizeof k, &v);
    if (e == CAIRN_ERR_NOT_FOUND)
        return CAIRN_ERR_NO_ROUTE;
    return e ? e : wdata_route_decode(r, k, 5, v.mv_data, v.mv_size);
}

cairn_err wdata_route_find(MDB_txn *txn, const store *s, uint32_t devaddr,
                           wdata_route *r)
{
    /* routes never overlap: at most one prefix of devaddr is stored */
    for (unsigned b = CAIRN_ROUTE_BITS_MAX; b >= CAIRN_ROUTE_BITS_MIN; b--) {
        uint32_t base = devaddr & cairn_route_mask((uint8_t)b);
        cairn_err e = wdata_route_get(txn, s, base, (uint8_t)b, r);
        if (e != CAIRN_ERR_NO_ROUTE)
            return e;
    }
    return CAIRN_ERR_NO_ROUTE;
}

cairn_err wdata_route_by_join(MDB_txn *txn, const store *s, uint64_t join_eui,
                              wdata_route *r)
{
    uint8_t k[8];
    MDB_val v;
    if (join_eui == 0)
        return CAIRN_ERR_NO_ROUTE;
    cairn_be64_put(k, join_eui);
    cairn_err e = state_get(txn, s, WDATA_TAG_JOIN, k, sizeof k, &v);
    if (e == CAIRN_ERR_NOT_FOUND)
        return CAIRN_ERR_NO_ROUTE;
    if (e)
        return e;
    if (v.mv_size != 5)
        return CAIRN_ERR_DB;
    const uint8_t *p = v.mv_data;
    return wdata_route_get(txn, s, wdata_be32_get(p), p[4], r);
}

typedef struct route_acc {
    wdata_route *a;
    size_t n, cap;
} route_acc;

static cairn_err collect_route(void *arg, const uint8_t *k, size_t kn,
                               const uint8_t *v, size_t vn)
{
    route_acc *acc = arg;
    cairn_err e =
        grow_array((void **)&acc->a, &acc->cap, acc->n, sizeof *acc->a, 16);
    if (!e)
        e = wdata_route_decode(&acc->a[acc->n], k + 1, kn - 1, v, vn);
    if (!e)
        acc->n++;
    return e;
}

cairn_err wdata_route_list(MDB_txn *txn, const store *s, wdata_route **out,
                           size_t *n)
{
    route_acc acc = {0};
    cairn_err e = state_scan(txn, s, WDATA_TAG_ROUTE, collect_route, &acc);
    if (e) {
        free(acc.a);
        acc.a = NULL;
        acc.n = 0;
    }
    *out = acc.a;
    *n = acc.n;
    return e;
}

void wdata_data_key(uint8_t k[40], uint64_t epoch, const cairn_pubkey *pk)
{
    cairn_be64_put(k, epoch);
    memcpy(k + 8, pk->b, 32);
}

cairn_err wdata_hotspot_dc(MDB_txn *txn, const store *s, uint64_t epoch,
                           const cairn_pubkey *hotspot, uint64_t *dc)
{
    uint8_t k[40];
    MDB_val v;
    *dc = 0;
    wdata_data_key(k, epoch, hotspot);
    cairn_err e = state_get(txn, s, WDATA_TAG_DATA, k, sizeof k, &v);
    if (e == CAIRN_ERR_NOT_FOUND)
        return CAIRN_OK;
    if (e)
        return e;
    if (v.mv_size != 8)
        return CAIRN_ERR_DB;
    *dc = cairn_le64_get(v.mv_data);
    return CAIRN_OK;
}

cairn_err wdata_epoch_totals(MDB_txn *txn, const store *s, uint64_t epoch,
                             uint64_t *packets, uint64_t *dc)
{
    uint8_t k[8];
    MDB_val v;
    *packets = *dc = 0;
    cairn_be64_put(k, epoch);
    cairn_err e = state_get(txn, s, WDATA_TAG_TOTALS, k, sizeof k, &v);
    if (e == CAIRN_ERR_NOT_FOUND)
        return CAIRN_OK;
    if (e)
        return e;
    if (v.mv_size != 16)
        return CAIRN_ERR_DB;
    *packets = cairn_le64_get(v.mv_data);
    *dc = cairn_le64_get((const uint8_t *)v.mv_data + 8);
    return CAIRN_OK;
}

void wdata_receipt_key(uint8_t k[40], const cairn_packet_receipt *r)
{
    crypto_generichash_state st;
    cairn_be64_put(k, r->epoch);
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, r->router.b, 32);
    crypto_generichash_update(&st, r->packet_hash.b, 32);
    crypto_generichash_final(&st, k + 8, 32);
}

cairn_err wdata_receipt_paid(MDB_txn *txn, const store *s,
                             const cairn_packet_receipt *r, int *paid)
{
    uint8_t k[40];
    MDB_val v;
    wdata_receipt_key(k, r);
    cairn_err e = state_get(txn, s, WDATA_TAG_RECEIPT, k, sizeof k, &v);
    *paid = e == CAIRN_OK;
    return e == CAIRN_ERR_NOT_FOUND ? CAIRN_OK : e;
}

cairn_err wdata_floor_get(MDB_txn *txn, const store *s, uint64_t *floor)
{
    MDB_val v;
    *floor = 0;
    cairn_err e = state_get(txn, s, WDATA_TAG_FLOOR, "floor", 5, &v);
    if (e == CAIRN_ERR_NOT_FOUND)
        return CAIRN_OK;
    if (e)
        return e;
    if (v.mv_size != 8)
        return CAIRN_ERR_DB;
    *floor = cairn_le64_get(v.mv_data);
    return CAIRN_OK;
}
