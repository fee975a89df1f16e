/* Internal to the data-transfer rules (data.c, data_route.c): record keys
 * and codecs. */
#ifndef CAIRN_SECTORS_WIRELESS_DATA_INT_H
#define CAIRN_SECTORS_WIRELESS_DATA_INT_H

#include <sodium.h>

#include "sectors/wireless/data.h"

#define WDATA_ROUTE_VAL_MAX (49 + CAIRN_ENDPOINT_MAX)

static inline void wdata_be32_put(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
static inline uint32_t wdata_be32_get(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

void wdata_route_key(uint8_t k[5], uint32_t base, uint8_t bits);
/* Writes r's value into v (WDATA_ROUTE_VAL_MAX bytes); returns its size. */
size_t wdata_route_encode(uint8_t *v, const wdata_route *r);
/* k: the key without its tag (5 bytes). DB when malformed. */
cairn_err wdata_route_decode(wdata_route *r, const uint8_t *k, size_t kn,
                             const uint8_t *v, size_t vn);
/* The route base/bits exactly (NO_ROUTE when absent). */
cairn_err wdata_route_get(MDB_txn *txn, const store *s, uint32_t base,
                          uint8_t bits, wdata_route *r);
void wdata_data_key(uint8_t k[40], uint64_t epoch, const cairn_pubkey *pk);
void wdata_receipt_key(uint8_t k[40], const cairn_packet_receipt *r);
/* The lowest epoch whose receipts may still be claimed (0 when unset). */
cairn_err wdata_floor_get(MDB_txn *txn, const store *s, uint64_t *floor);

#endif
