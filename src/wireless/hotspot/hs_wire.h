/* Internal: the wire formats the hotspot daemon writes come from
 * include/cairn/wireless.h (the chain side's codec); this adds the sizes
 * of the data-credit part it handles as opaque bytes and two helpers. */
#ifndef CAIRN_WIRELESS_HOTSPOT_HS_WIRE_H
#define CAIRN_WIRELESS_HOTSPOT_HS_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/wireless.h"

#define HS_P_LEN CAIRN_BEACON_PAYLOAD_LEN
#define HS_REPORT_LEN CAIRN_WITNESS_REPORT_LEN
#define HS_REPORTS_MAX CAIRN_POC_WITNESS_MAX
/* A packet receipt (wireless spec, packet_claim): [32] router ‖ [32]
 * hotspot ‖ [32] packet hash ‖ u32 dc ‖ u64 epoch ‖ [64] router sig. The
 * daemon checks only that the hotspot is itself; the chain checks the
 * rest. */
#define HS_RECEIPT_LEN 172
#define HS_RECEIPT_HOTSPOT_OFF 32
#define HS_CLAIM_MAX 64 /* receipts in one packet_claim */

typedef cairn_witness_report hs_witness;

/* 0 when p[0..n) is a beacon payload P; fills what is non-NULL. No
 * signature check (the chain judges). */
int hs_beacon_parse(const uint8_t *p, size_t n, cairn_pubkey *beaconer,
                    uint64_t *epoch, cairn_sig *sig);
/* 1 when P's signature is its beaconer's for (chain_id, its epoch, seed). */
int hs_beacon_verify(const uint8_t p[HS_P_LEN], const char *chain_id,
                     const cairn_hash *seed);

#endif
