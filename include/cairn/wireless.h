/* cairn — the wireless sector's wire formats (issue 11): hotspots, proof
 * of coverage, and the kind numbers of the data-credit part.
 *
 * Everything here is a pure codec (src/wireless/poc_codec.c): no state, no
 * clock. The rules that judge these records are in src/sectors/wireless/
 * and docs/wireless-chain.md. Integers are little-endian (docs/encoding.md);
 * signed fields are two's complement of the same width.
 *
 * Beacon payload P (the bytes a hotspot transmits over the air, 108 B):
 *   "CBK1" ‖ [32] beaconer pubkey ‖ u64 epoch ‖ [64] sig
 * sig = Ed25519 by the beaconer over
 *   "cairn/beacon/v1" ‖ u8 len ‖ chain_id ‖ u64 epoch ‖ [32] epoch seed
 * so P is fixed by (chain, epoch, seed, key) and nobody but the beaconer can
 * make it before it is sent. Its payload hash is BLAKE2b-256(P).
 *
 * Witness report (193 B):
 *   u8 version (1) ‖ [32] witness ‖ [32] beaconer ‖ u64 epoch ‖
 *   [32] payload hash ‖ u64 time_ms ‖ u64 freq_hz ‖ i32 rssi_cdbm ‖
 *   i32 snr_cdb ‖ [64] sig
 * sig = Ed25519 by the witness over
 *   "cairn/witness/v1" ‖ u8 len ‖ chain_id ‖ every field before sig.
 *
 * Transaction bodies:
 *   0x60 HOTSPOT_ASSERT i32 lat_udeg ‖ i32 lon_udeg ‖ i16 gain_cdbi ‖
 *                       u16 elevation_m ‖ i16 tx_power_cdbm         (14)
 *   0x61 POC_WITNESS    u8 n (1..32) ‖ n × witness report     (1 + 193 n)
 *   0x62 POC_BEACON     u64 epoch ‖ [64] beacon sig ‖ u64 time_ms ‖
 *                       u64 freq_hz                                 (88)
 *   0x63 POC_APPEAL     u8 type ‖ [32] beaconer ‖ u64 epoch ‖
 *                       [32] witness ‖ evidence; type 1 (NOT_REPORTED):
 *                       evidence = the 108-byte payload P heard    (181)
 * Decoders read exactly one structure: TRUNCATED when bytes are missing,
 * TRAILING when bytes are left, BAD_VERSION for an unknown version/magic/
 * appeal type, BAD_BODY for a value out of its range. Every decoded value
 * re-encodes to the same bytes. */
#ifndef CAIRN_WIRELESS_H
#define CAIRN_WIRELESS_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/codec.h"
#include "cairn/crypto.h"
#include "cairn/error.h"

#define CAIRN_SECTOR_WIRELESS 2 /* the wireless sector's id */

enum cairn_wireless_kind {
    CAIRN_TX_HOTSPOT_ASSERT = 0x60,
    CAIRN_TX_POC_WITNESS = 0x61,
    CAIRN_TX_POC_BEACON = 0x62,
    CAIRN_TX_POC_APPEAL = 0x63,
    CAIRN_TX_ROUTE_SET = 0x64,    /* data credits (docs/wireless-data.md) */
    CAIRN_TX_PACKET_CLAIM = 0x65, /* data credits */
    CAIRN_TX_ROUTE_CLOSE = 0x66,  /* data credits */
};

/* ---- beacon payload ---- */

#define CAIRN_BEACON_MAGIC "CBK1"
#define CAIRN_BEACON_PAYLOAD_LEN 108

typedef struct cairn_beacon_payload {
    cairn_pubkey beaconer;
    uint64_t epoch;
    cairn_sig sig;
} cairn_beacon_payload;

/* Signs the beacon message for (chain_id, epoch, seed) with kp. BAD_ARG
 * when chain_id is not 1..32 printable ASCII characters without spaces. */
CAIRN_API cairn_err cairn_beacon_sign(cairn_sig *sig, const char *chain_id,
                                      uint64_t epoch, const cairn_hash *seed,
                                      const cairn_keypair *kp) CAIRN_WUR;
/* CAIRN_OK when sig is pk's over the beacon message; BAD_SIG otherwise
 * (another chain, epoch or seed gives BAD_SIG too); CHAIN_ID when chain_id
 * is not a valid chain id. */
CAIRN_API cairn_err cairn_beacon_verify(const cairn_sig *sig,
                                        const char *chain_id, uint64_t epoch,
                                        const cairn_hash *seed,
                                        const cairn_pubkey *pk) CAIRN_WUR;
/* The 108 payload bytes of b. */
CAIRN_API void cairn_beacon_payload_build(uint8_t out[CAIRN_BEACON_PAYLOAD_LEN],
                                          const cairn_beacon_payload *b);
/* Parses exactly one payload (no signature check): TRUNCATED, TRAILING,
 * BAD_VERSION (not "CBK1"). */
CAIRN_API cairn_err cairn_beacon_payload_parse(cairn_beacon_payload *b,
                                               const uint8_t *p,
                                               size_t n) CAIRN_WUR;
/* Builds and signs P for kp in one step (what a hotspot transmits). */
CAIRN_API cairn_err cairn_beacon_make(uint8_t out[CAIRN_BEACON_PAYLOAD_LEN],
                                      const char *chain_id, uint64_t epoch,
                                      const cairn_hash *seed,
                                      const cairn_keypair *kp) CAIRN_WUR;
/* BLAKE2b-256 of n payload bytes (what witnesses report). */
CAIRN_API void cairn_beacon_payload_hash(cairn_hash *out, const uint8_t *p,
                                         size_t n);

/* The beacon slot of pk in the epoch that starts at `start` with seed:
 * start + (le64(BLAKE2b-256("cairn/beacon-slot" ‖ seed ‖ pk)[0..8]) mod
 * span), span = epoch_blocks - witness_blocks - 1. Returns
 * CAIRN_SLOT_NONE (no beacons this epoch) when span < 1. */
#define CAIRN_SLOT_NONE UINT64_MAX
CAIRN_API uint64_t cairn_beacon_slot(const cairn_hash *seed,
                                     const cairn_pubkey *pk, uint64_t start,
                                     uint64_t epoch_blocks,
                                     uint64_t witness_blocks);

/* ---- witness report ---- */

#define CAIRN_WITNESS_VERSION 1
#define CAIRN_WITNESS_REPORT_LEN 193
#define CAIRN_POC_WITNESS_MAX 32 /* reports in one POC_WITNESS body */

typedef struct cairn_witness_report {
    cairn_pubkey witness;  /* the hotspot that heard the beacon; signs */
    cairn_pubkey beaconer; /* from P */
    uint64_t epoch;        /* the chain epoch at the witness */
    cairn_hash payload_hash;
    uint64_t time_ms; /* Unix ms of reception */
    uint64_t freq_hz;
    int32_t rssi_cdbm; /* dBm * 100 */
    int32_t snr_cdb;   /* dB * 100 */
    cairn_sig sig;
} cairn_witness_report;

/* Appends the 193 bytes of w to b. */
CAIRN_API void cairn_witness_encode(cairn_buf *b,
                                    const cairn_witness_report *w);
/* Reads one report from r (r->err set on failure; BAD_VERSION is returned
 * for a wrong version). Used by the batch decoder. */
CAIRN_API cairn_err cairn_witness_read(cairn_reader *r,
                                       cairn_witness_report *w) CAIRN_WUR;
/* Decodes exactly one report (no signature check). */
CAIRN_API cairn_err cairn_witness_decode(cairn_witness_report *w,
                                         const uint8_t *p, size_t n) CAIRN_WUR;
/* Sets w->witness to kp's key and signs the report for chain_id. BAD_ARG
 * on an invalid chain id. */
CAIRN_API cairn_err cairn_witness_sign(cairn_witness_report *w,
                                       const char *chain_id,
                                       const cairn_keypair *kp) CAIRN_WUR;
/* BAD_SIG unless w->sig is w->witness's over w for chain_id (a report for
 * another chain gives BAD_SIG); CHAIN_ID on an invalid chain id. */
CAIRN_API cairn_err cairn_witness_verify(const cairn_witness_report *w,
                                         const char *chain_id) CAIRN_WUR;

/* ---- transaction bodies ---- */

#define CAIRN_HOTSPOT_ASSERT_LEN 14
#define CAIRN_HOTSPOT_GAIN_MIN (-1000) /* cdBi */
#define CAIRN_HOTSPOT_GAIN_MAX 3000
#define CAIRN_HOTSPOT_POWER_MAX 3600 /* cdBm EIRP cap (36 dBm) */

typedef struct cairn_hotspot_assert {
    int32_t lat_udeg; /* [-90e6, 90e6] */
    int32_t lon_udeg; /* [-180e6, 180e6) */
    int16_t gain_cdbi;
    uint16_t elevation_m;
    int16_t tx_power_cdbm; /* [0, 3600] */
} cairn_hotspot_assert;

CAIRN_API void cairn_hotspot_assert_encode(cairn_buf *b,
                                           const cairn_hotspot_assert *a);
/* BAD_BODY when a value is out of the bounds above. */
CAIRN_API cairn_err cairn_hotspot_assert_decode(cairn_hotspot_assert *a,
                                                const uint8_t *p,
                                                size_t n) CAIRN_WUR;

/* POC_WITNESS: n (1..CAIRN_POC_WITNESS_MAX) reports. BAD_ARG on another n. */
CAIRN_API cairn_err cairn_poc_witness_encode(cairn_buf *b,
                                             const cairn_witness_report *w,
                                             size_t n) CAIRN_WUR;
/* Decodes into out[0..*n) (out has room for CAIRN_POC_WITNESS_MAX);
 * BAD_BODY when the count is 0 or above the maximum. */
CAIRN_API cairn_err cairn_poc_witness_decode(cairn_witness_report *out,
                                             size_t *n, const uint8_t *p,
                                             size_t len) CAIRN_WUR;

#define CAIRN_POC_BEACON_LEN 88

typedef struct cairn_poc_beacon {
    uint64_t epoch;
    cairn_sig sig; /* the beacon signature (fixes P) */
    uint64_t time_ms;
    uint64_t freq_hz;
} cairn_poc_beacon;

CAIRN_API void cairn_poc_beacon_encode(cairn_buf *b, const cairn_poc_beacon *x);
CAIRN_API cairn_err cairn_poc_beacon_decode(cairn_poc_beacon *x,
                                            const uint8_t *p,
                                            size_t n) CAIRN_WUR;

#define CAIRN_APPEAL_NOT_REPORTED 1 /* the beacon was never reported */
#define CAIRN_POC_APPEAL_LEN (1 + 32 + 8 + 32 + CAIRN_BEACON_PAYLOAD_LEN)

typedef struct cairn_poc_appeal {
    uint8_t type; /* CAIRN_APPEAL_* */
    cairn_pubkey beaconer;
    uint64_t epoch; /* the beacon's epoch */
    cairn_pubkey witness;
    uint8_t payload[CAIRN_BEACON_PAYLOAD_LEN]; /* type 1: P as heard */
} cairn_poc_appeal;

CAIRN_API void cairn_poc_appeal_encode(cairn_buf *b, const cairn_poc_appeal *a);
CAIRN_API cairn_err cairn_poc_appeal_decode(cairn_poc_appeal *a,
                                            const uint8_t *p,
                                            size_t n) CAIRN_WUR;

#endif
