/* Internal: the wire formats the hotspot daemon writes, byte for byte as
 * the wireless spec defines them (include/cairn/wireless.h, written by
 * the chain side, holds the same formats; when it is on this branch these
 * functions are thin and can call it instead). Little-endian integers.
 *
 *   P (108 B)        "CBK1" ‖ [32] beaconer ‖ u64 epoch ‖ [64] sig, sig over
 *                    "cairn/beacon/v1" ‖ u8 len ‖ chain_id ‖ u64 epoch ‖ [32]
 * seed witness (193 B)  u8 1 ‖ [32] witness ‖ [32] beaconer ‖ u64 epoch ‖ [32]
 * H(P) ‖ u64 time_ms ‖ u64 freq_hz ‖ i32 rssi_cdbm ‖ i32 snr_cdb ‖ [64] sig
 * over "cairn/witness/v1" ‖ u8 len ‖ chain_id ‖ the fields before sig slot
 * start + le64(BLAKE2b-256("cairn/beacon-slot" ‖ seed ‖ pk) [0..8]) mod
 * (epoch_blocks - W - 1) */
#ifndef CAIRN_WIRELESS_HOTSPOT_HS_WIRE_H
#define CAIRN_WIRELESS_HOTSPOT_HS_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/codec.h"
#include "cairn/crypto.h"
#include "cairn/error.h"

#define HS_P_LEN 108
#define HS_REPORT_LEN 193
#define HS_RECEIPT_LEN 172
#define HS_REPORTS_MAX 32 /* reports in one poc_witness */
#define HS_CLAIM_MAX 64   /* receipts in one packet_claim */
#define HS_ASSERT_LEN 14
#define HS_BEACON_BODY_LEN 88
#define HS_APPEAL_LEN (1 + 32 + 8 + 32 + HS_P_LEN)

#define HS_KIND_ASSERT 0x60
#define HS_KIND_WITNESS 0x61
#define HS_KIND_BEACON 0x62
#define HS_KIND_APPEAL 0x63
#define HS_KIND_CLAIM 0x65
#define HS_SECTOR 2 /* CAIRN_SECTOR_WIRELESS */

typedef struct hs_witness {
    cairn_pubkey witness, beaconer;
    uint64_t epoch;
    cairn_hash payload_hash;
    uint64_t time_ms, freq_hz;
    int32_t rssi_cdbm, snr_cdb;
    cairn_sig sig;
} hs_witness;

/* Makes our P for (chain_id, epoch, seed). BAD_ARG on a bad chain id. */
cairn_err hs_beacon_make(uint8_t out[HS_P_LEN], const char *chain_id,
                         uint64_t epoch, const cairn_hash *seed,
                         const cairn_keypair *kp);
/* 0 when p[0..n) is shaped as P (108 bytes, "CBK1"); fills what is
 * non-NULL. No signature check (the chain judges). */
int hs_beacon_parse(const uint8_t *p, size_t n, cairn_pubkey *beaconer,
                    uint64_t *epoch, cairn_sig *sig);
/* 1 when sig is pk's beacon signature for (chain_id, epoch, seed). */
int hs_beacon_verify(const uint8_t p[HS_P_LEN], const char *chain_id,
                     const cairn_hash *seed);
/* The beacon slot; 0 when the epoch has no slots (span < 1). */
uint64_t hs_slot(const cairn_hash *seed, const cairn_pubkey *pk, uint64_t start,
                 uint64_t epoch_blocks, uint64_t w);

/* Sets w->witness to kp's key and signs. BAD_ARG on a bad chain id. */
cairn_err hs_witness_sign(hs_witness *w, const char *chain_id,
                          const cairn_keypair *kp);
/* CAIRN_OK when w's signature verifies for chain_id. */
cairn_err hs_witness_verify(const hs_witness *w, const char *chain_id);
/* Appends the 193 bytes of w. */
void hs_witness_encode(cairn_buf *b, const hs_witness *w);
/* Reads exactly 193 bytes (no signature check): TRUNCATED, TRAILING,
 * BAD_VERSION. */
cairn_err hs_witness_decode(hs_witness *w, const uint8_t *p, size_t n);

/* Transaction bodies. */
void hs_assert_encode(cairn_buf *b, int32_t lat, int32_t lon, int16_t gain,
                      uint16_t elev, int16_t power);
void hs_beacon_body(cairn_buf *b, uint64_t epoch, const cairn_sig *sig,
                    uint64_t time_ms, uint64_t freq_hz);
void hs_appeal_body(cairn_buf *b, const cairn_pubkey *beaconer, uint64_t epoch,
                    const cairn_pubkey *witness, const uint8_t p[HS_P_LEN]);

#endif
