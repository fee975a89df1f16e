/* Internal: the wireless sector's proof-of-coverage rules on chain
 * (docs/wireless-chain.md has the rules, the state rows and the params).
 *
 * State tags of the PoC part (0x70..0x77; the data-credit part has
 * 0x78..0x7F):
 *   0x70 hotspot  [32] pk                          -> WL_HOTSPOT_LEN record
 *   0x71 beacon   u64 BE epoch ‖ [32] beaconer     -> WL_BEACON_LEN record
 *   0x72 witness  u64 BE epoch ‖ [32] beaconer ‖ u8 arrival index
 *                                                  -> WL_WITNESS_LEN record
 *   0x73 units    u64 BE epoch ‖ [32] hotspot      -> WL_UNITS_LEN record
 *   0x74 by cell  u64 BE res-12 cell ‖ [32] pk     -> u8 1
 *   0x75 totals   u64 BE epoch                     -> WL_TOTALS_LEN record
 * Read only (written by the data-credit part):
 *   0x7A data     u64 BE epoch ‖ [32] hotspot      -> u64 LE data credits
 * Nothing here holds tokens (held() is 0 for every row). */
#ifndef CAIRN_SECTORS_WIRELESS_WL_H
#define CAIRN_SECTORS_WIRELESS_WL_H

#include "cairn/wireless.h"
#include "econ/sector.h"
#include "sectors/wireless/poc.h"

enum {
    WL_STATE_HOTSPOT = 0x70,
    WL_STATE_BEACON = 0x71,
    WL_STATE_WITNESS = 0x72,
    WL_STATE_UNITS = 0x73,
    WL_STATE_CELL = 0x74,
    WL_STATE_TOTALS = 0x75,
    WL_STATE_DATA_UNITS = 0x7A, /* the data-credit part's (read only) */
};

/* Parameter ids (ECON_SECTOR_PARAM_BASE(2) = 0x300 .. 0x31F). */
enum {
    P_WL_WITNESS_BLOCKS = 0x300,
    P_WL_BEACON_WINDOW_MS,
    P_WL_LOCATION_FEE,
    P_WL_REPORTS_MAX,
    P_WL_APPEAL_EPOCHS,
    P_WL_KEEP_EPOCHS,
    P_WL_GROUP_EPOCHS,
    P_WL_GROUP_MAX,
    P_WL_GROUP_CAP_BPS,
    P_WL_BEACON_BPS,
    P_WL_WITNESS_BPS,
    P_WL_DATA_BPS,
    P_WL_MAX_DELAY_MS,
    P_WL_MAX_FREQ_OFF_HZ,
    P_WL_MIN_CELLS,
    P_WL_MAX_DIST_M,
    P_WL_RSSI_TOLERANCE,
    P_WL_SNR_MIN_NEG,
    P_WL_SNR_MAX,
    P_WL_MAX_WITNESSES,
    P_WL_REDUNDANCY,
    P_WL_DECAY_BPS,
    P_WL_HIP17_R4, /* .. R10: 7 ids, N·10^8 + target·10^4 + max */
    P_WL_HIP17_R10 = P_WL_HIP17_R4 + 6,
};

/* Verdicts of a witness record: the poc_reason values (0 = valid), then
 * the sector's own. */
enum {
    WL_V_NOT_REPORTED = POC_REASON_COUNT, /* no beacon receipt on chain */
    WL_V_OFF_SCHEDULE,                    /* its beacon was off schedule */
    WL_V_COUNT,
    WL_V_PENDING = 255, /* not judged yet (the epoch is running) */
};

/* Beacon record verdicts. */
enum { WL_B_OK = 0, WL_B_OFF_SCHEDULE = 1 };

typedef struct wl_params {
    uint64_t witness_blocks, beacon_window_ms, location_fee, reports_max;
    uint64_t appeal_epochs, keep_epochs, group_epochs, group_max;
    uint64_t group_cap_bps, beacon_bps, witness_bps, data_bps;
    uint64_t epoch_blocks;
    poc_params poc;
    poc_hip17_res hip17[POC_NRES];
} wl_params;

/* Reads the sector's parameters (and epoch_blocks) through any txn; a
 * parameter never written reads as its default. */
cairn_err wl_params_read(MDB_txn *txn, const store *s, wl_params *p);
/* The declarations (sector.c), for those defaults. */
const econ_param_def *wl_param_def(unsigned id);

typedef struct wl_hotspot {
    cairn_pubkey pk;
    int32_t lat, lon;
    uint64_t cell; /* res 12 */
    int16_t gain_cdbi;
    uint16_t elevation_m;
    int16_t tx_power_cdbm;
    uint64_t asserted_height;
    uint32_t n_moves;
} wl_hotspot;
#define WL_HOTSPOT_LEN 34

typedef struct wl_beacon {
    cairn_hash payload_hash;
    uint64_t time_ms, freq_hz, height, slot;
    uint8_t verdict; /* WL_B_* */
    uint32_t n_valid;
    uint64_t units; /* beacon units before scale and cap */
} wl_beacon;
#define WL_BEACON_LEN 77

typedef struct wl_witness {
    cairn_pubkey witness;
    cairn_hash payload_hash;
    uint64_t time_ms, freq_hz;
    int32_t rssi_cdbm, snr_cdb;
    uint64_t height;
    uint8_t verdict; /* WL_V_* or a poc_reason */
    int64_t value, limit;
    uint64_t units; /* witness units before scale and cap */
    uint8_t appealed;
} wl_witness;
#define WL_WITNESS_LEN 122

typedef struct wl_units {
    uint64_t beacon, witness; /* final: × density scale × group cap */
    uint64_t scale;           /* density scale, POC_ONE = 1 */
    uint8_t capped;           /* closed-group cap applied */
    uint64_t appeal_raw;      /* appeal credits waiting for the epoch end */
} wl_units;
#define WL_UNITS_LEN 33

typedef struct wl_totals {
    uint64_t start_height;
    cairn_hash seed;
    uint64_t beacons, beacons_off, witnesses_valid, witnesses_invalid;
    uint64_t hotspots_paid, hotspots_capped, appeals;
    uint64_t reason[WL_V_COUNT];
} wl_totals;
#define WL_TOTALS_LEN (8 + 32 + 8 * 7 + 8 * WL_V_COUNT)

/* ---- records (records.c) ---- */
void wl_hotspot_encode(uint8_t v[WL_HOTSPOT_LEN], const wl_hotspot *h);
cairn_err wl_hotspot_decode(wl_hotspot *h, const uint8_t *k, size_t kn,
                            const uint8_t *v, size_t vn);
/* NOT_HOTSPOT when absent. */
cairn_err wl_hotspot_read(MDB_txn *txn, const store *s, const cairn_pubkey *pk,
                          wl_hotspot *h);
cairn_err wl_hotspot_put(exec_ctx *x, const wl_hotspot *h);

void wl_beacon_encode(uint8_t v[WL_BEACON_LEN], const wl_beacon *b);
cairn_err wl_beacon_decode(wl_beacon *b, const uint8_t *v, size_t vn);
/* NOT_FOUND when absent. */
cairn_err wl_beacon_read(MDB_txn *txn, const store *s, uint64_t epoch,
                         const cairn_pubkey *pk, wl_beacon *b);
cairn_err wl_beacon_put(exec_ctx *x, uint64_t epoch, const cairn_pubkey *pk,
                        const wl_beacon *b);

void wl_witness_encode(uint8_t v[WL_WITNESS_LEN], const wl_witness *w);
cairn_err wl_witness_decode(wl_witness *w, const uint8_t *v, size_t vn);
void wl_witness_key(uint8_t k[42], uint64_t epoch, const cairn_pubkey *b,
                    uint8_t idx);

void wl_units_encode(uint8_t v[WL_UNITS_LEN], const wl_units *u);
cairn_err wl_units_decode(wl_units *u, const uint8_t *v, size_t vn);
/* Absent: all zero, OK. */
cairn_err wl_units_read(MDB_txn *txn, const store *s, uint64_t epoch,
                        const cairn_pubkey *pk, wl_units *u);
cairn_err wl_units_put(exec_ctx *x, uint64_t epoch, const cairn_pubkey *pk,
                       const wl_units *u);

void wl_totals_encode(uint8_t v[WL_TOTALS_LEN], const wl_totals *t);
cairn_err wl_totals_decode(wl_totals *t, const uint8_t *v, size_t vn);
/* NOT_FOUND when absent. */
cairn_err wl_totals_read(MDB_txn *txn, const store *s, uint64_t epoch,
                         wl_totals *t);

/* Visits every state entry whose key starts with prefix[0..n) (tag byte
 * first), in key order; STATE_SCAN_STOP ends it with OK. */
cairn_err wl_scan_prefix(MDB_txn *txn, const store *s, const uint8_t *prefix,
                         size_t n, state_visit visit, void *arg);

/* Every witness record of (epoch, beaconer) in arrival order into a new
 * array *out (caller frees) of *n. */
cairn_err wl_witness_list(MDB_txn *txn, const store *s, uint64_t epoch,
                          const cairn_pubkey *beaconer, wl_witness **out,
                          size_t *n);

/* The current epoch's schedule numbers for pk: seed, start, slot
 * (CAIRN_SLOT_NONE when span < 1). */
typedef struct wl_sched {
    uint64_t epoch, start, slot;
    cairn_hash seed;
} wl_sched;
cairn_err wl_sched_now(MDB_txn *txn, const store *s, const wl_params *p,
                       const cairn_pubkey *pk, wl_sched *out);

/* Fills a poc_witness_in for the report w of beacon b between hotspots
 * hb (beaconer) and hw (witness). */
cairn_err wl_witness_input(const wl_hotspot *hb, const wl_hotspot *hw,
                           const cairn_hash *beacon_hash, uint64_t beacon_ms,
                           uint64_t beacon_hz, const wl_witness *w,
                           poc_witness_in *in);

/* ---- density (density.c) ---- */
/* The density scale (POC_ONE = 1) of each of the n hotspots (any order)
 * into scale[0..n) under HIP-17 parameters prm. */
cairn_err wl_density(const poc_hip17_res prm[POC_NRES], const wl_hotspot *h,
                     size_t n, uint64_t *scale);
/* Every hotspot in key order into a new array (caller frees). */
cairn_err wl_hotspots_all(MDB_txn *txn, const store *s, wl_hotspot **out,
                          size_t *n);
/* Index of pk in the sorted array h[0..n), or n. */
size_t wl_hotspot_find(const wl_hotspot *h, size_t n, const cairn_pubkey *pk);

/* ---- kinds (kinds.c) ---- */
cairn_err wl_assert_check(const cairn_tx *tx);
cairn_err wl_assert_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err wl_witness_check(const cairn_tx *tx);
cairn_err wl_witness_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err wl_beacon_check(const cairn_tx *tx);
cairn_err wl_beacon_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err wl_appeal_check(const cairn_tx *tx);
cairn_err wl_appeal_apply(exec_ctx *x, const cairn_tx *tx);

/* ---- epoch (epoch.c) ---- */
cairn_err wl_end_epoch(exec_ctx *x, uint64_t epoch);
cairn_err wl_pay_emission(exec_ctx *x, uint64_t epoch, uint64_t share,
                          uint64_t *paid);
/* Name of a witness verdict ("ok", "not_reported", a poc_reason name). */
const char *wl_verdict_name(uint8_t v);
/* The verdict as a sentence into buf ("late by 812 ms (window 4000 ms)"). */
void wl_verdict_format(const wl_witness *w, char *buf, size_t cap);

#endif
