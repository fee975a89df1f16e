/* Wireless data transfer (docs/wireless-data.md): routes, packet receipts
 * and the bodies of the data-credit transaction kinds.
 *
 * A router claims a DevAddr range on chain (ROUTE_SET) with the endpoint
 * its router daemon listens on; hotspots forward the uplinks of devices
 * in that range there, and the router answers each new packet with a
 * signed packet receipt. The hotspot that carried the packet claims its
 * receipts in batches (PACKET_CLAIM); the chain charges the router `dc`
 * data credits (1 per 24 bytes, at least 1) per receipt, once, and counts
 * them as the hotspot's data units for the epoch.
 *
 * Packet receipt (172 bytes, integers little-endian):
 *   [32] router pubkey ‖ [32] hotspot pubkey ‖ [32] packet hash
 *   (BLAKE2b-256 of the PHYPayload) ‖ u32 dc ‖ u64 epoch (the router's
 *   chain epoch when it signed) ‖ [64] Ed25519 signature by the router over
 *   "cairn/packet/v1" ‖ u8 len ‖ chain_id ‖ the 108 bytes before it.
 *
 * Bodies:
 *   ROUTE_SET    u32 devaddr_base ‖ u8 prefix_bits (8..32) ‖ u64 join_eui
 *                (0: none) ‖ u8 len (1..128) ‖ endpoint "host:port"
 *   ROUTE_CLOSE  u32 devaddr_base ‖ u8 prefix_bits
 *   PACKET_CLAIM u8 n (1..64) ‖ n × packet receipt
 * devaddr_base may have no bit set below its prefix (one spelling per
 * range). Decoders check every byte: BAD_BODY for any body they refuse. */
#ifndef CAIRN_WIRELESS_DATA_H
#define CAIRN_WIRELESS_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/codec.h"
#include "cairn/crypto.h"
#include "cairn/error.h"
#include "cairn/staking.h"

#define CAIRN_PACKET_RECEIPT_LEN 172
#define CAIRN_PACKET_CLAIM_MAX 64 /* receipts in one PACKET_CLAIM */
#define CAIRN_DC_BYTES 24         /* payload bytes one data credit buys */
#define CAIRN_DC_MAX 11           /* dc of the largest (255-byte) packet */
#define CAIRN_ROUTE_BITS_MIN 8
#define CAIRN_ROUTE_BITS_MAX 32
#define CAIRN_ROUTE_CLOSE_LEN 5

typedef struct cairn_packet_receipt {
    cairn_pubkey router;
    cairn_pubkey hotspot;
    cairn_hash packet_hash;
    uint32_t dc;
    uint64_t epoch;
    cairn_sig sig;
} cairn_packet_receipt;

typedef struct cairn_route_set {
    uint32_t devaddr_base;
    uint8_t bits;
    uint64_t join_eui;                     /* 0: no join routing */
    char endpoint[CAIRN_ENDPOINT_MAX + 1]; /* NUL-terminated */
} cairn_route_set;

typedef struct cairn_packet_claim {
    uint8_t n;
    cairn_packet_receipt r[CAIRN_PACKET_CLAIM_MAX];
} cairn_packet_claim;

/* Data credits a packet of len bytes costs: ceil(len / 24), at least 1. */
CAIRN_API uint32_t cairn_packet_dc(size_t len);
/* BLAKE2b-256 of the PHYPayload. */
CAIRN_API void cairn_packet_hash(cairn_hash *out, const void *phy, size_t len);
/* The mask of a prefix of `bits` bits (0xFF000000 for 8). */
CAIRN_API uint32_t cairn_route_mask(uint8_t bits);
/* 1 when devaddr lies in base/bits. */
CAIRN_API int cairn_route_contains(uint32_t base, uint8_t bits,
                                   uint32_t devaddr);
/* Parses "BASE/BITS" (BASE 8 hex digits, BITS 8..32, no bit of BASE below
 * the prefix): BAD_ARG on anything else. */
CAIRN_API cairn_err cairn_route_parse(const char *s, uint32_t *base,
                                      uint8_t *bits) CAIRN_WUR;

/* Receipt codec: encode writes exactly CAIRN_PACKET_RECEIPT_LEN bytes;
 * decode needs exactly that many (TRUNCATED shorter, TRAILING longer) and
 * refuses dc outside 1..CAIRN_DC_MAX (BAD_MSG). */
CAIRN_API void
cairn_packet_receipt_encode(const cairn_packet_receipt *r,
                            uint8_t out[CAIRN_PACKET_RECEIPT_LEN]);
CAIRN_API cairn_err cairn_packet_receipt_decode(cairn_packet_receipt *r,
                                                const uint8_t *p,
                                                size_t n) CAIRN_WUR;
/* Sets r->router to kp's key and signs r for chain_id (BAD_ARG on an
 * invalid chain id). */
CAIRN_API cairn_err
cairn_packet_receipt_sign(cairn_packet_receipt *r, const char *chain_id,
                          const cairn_keypair *kp) CAIRN_WUR;
/* BAD_SIG unless r->sig is r->router's over r for chain_id; CHAIN_ID on an
 * invalid chain id. */
CAIRN_API cairn_err cairn_packet_receipt_verify(const cairn_packet_receipt *r,
                                                const char *chain_id) CAIRN_WUR;

/* Bodies. */
CAIRN_API void cairn_route_set_encode(cairn_buf *b, const cairn_route_set *r);
CAIRN_API cairn_err cairn_route_set_decode(cairn_route_set *r, const uint8_t *p,
                                           size_t n) CAIRN_WUR;
CAIRN_API void cairn_route_close_encode(cairn_buf *b, uint32_t base,
                                        uint8_t bits);
CAIRN_API cairn_err cairn_route_close_decode(uint32_t *base, uint8_t *bits,
                                             const uint8_t *p,
                                             size_t n) CAIRN_WUR;
CAIRN_API void cairn_packet_claim_encode(cairn_buf *b,
                                         const cairn_packet_claim *c);
CAIRN_API cairn_err cairn_packet_claim_decode(cairn_packet_claim *c,
                                              const uint8_t *p,
                                              size_t n) CAIRN_WUR;

#endif
