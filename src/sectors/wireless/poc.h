/* Proof of coverage and reward arithmetic of the wireless sector: pure,
 * deterministic integer functions (consensus code: no floats, no libm,
 * every split sums exactly). Formulas, fixed-point choices and a worked
 * example: docs/wireless-poc.md. Vectors: tests/vectors/poc_ref.py.
 *
 * Units: power in centi-dBm (cdBm), gains and losses in centi-dB (cdB),
 * distances in meters, frequencies in Hz, times in ms. Reward units and
 * density scales are fixed point with POC_ONE = 10^9 meaning 1.0. */
#ifndef CAIRN_SECTORS_WIRELESS_POC_H
#define CAIRN_SECTORS_WIRELESS_POC_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"

#define POC_ONE 1000000000ULL           /* 1.0 in reward units and scales */
#define POC_FINE 1000000000000000000ULL /* 10^18: decay/scale internals */
#define POC_RES_MIN 4                   /* density scaling resolutions 4..10 */
#define POC_RES_MAX 10
#define POC_NRES (POC_RES_MAX - POC_RES_MIN + 1)

/* ---- path loss (poc.c) ---- */

/* 2000*log10(x) (that is 20*log10(x) in centi-dB) in Q32, truncated toward
 * zero at each documented step; x == 0 is taken as 1. Never fails. */
int64_t poc_db20_q32(uint64_t x);
/* 20*log10(x) in centi-dB, rounded half up from poc_db20_q32. Measured
 * error against exact log10 <= 0.5 cdB + 1e-6 (tests/unit/test_poc.c). */
int64_t poc_db20_cdb(uint64_t x);
/* Free-space path loss 20*log10(4*pi*d*f/c) in centi-dB, rounded half up
 * once; d and f of 0 are taken as 1. */
int64_t poc_fspl_cdb(uint64_t d_m, uint64_t f_hz);
/* Strongest physically possible RSSI: tx + gains - FSPL, in cdBm. */
int64_t poc_rssi_max(int64_t tx_power_cdbm, int64_t gain_tx_cdbi,
                     int64_t gain_rx_cdbi, uint64_t d_m, uint64_t f_hz);

/* ---- witness check (poc.c) ---- */

typedef enum poc_reason {
    POC_OK = 0,
    POC_PAYLOAD_MISMATCH,
    POC_EARLY,
    POC_LATE,
    POC_FREQ_OFF,
    POC_SELF_WITNESS,
    POC_TOO_CLOSE,
    POC_TOO_FAR,
    POC_RSSI_IMPOSSIBLE,
    POC_SNR_RANGE,
    POC_OVER_CAP,
    POC_REASON_COUNT
} poc_reason;

/* Governable parameters; poc_params_default gives Helium's values (and
 * cairn's for the SNR range and the RSSI tolerance, which Helium lacks). */
typedef struct poc_params {
    uint64_t max_delay_ms;      /* 4000 */
    uint64_t max_freq_off_hz;   /* 100000 */
    uint64_t min_cells;         /* 8 res-11 cells */
    uint64_t max_dist_m;        /* 100000 */
    int64_t rssi_tolerance_cdb; /* 300: measured RSSI may exceed by this */
    int64_t snr_min_cdb;        /* -2000 */
    int64_t snr_max_cdb;        /* 2000 */
    uint32_t max_witnesses;     /* 14 */
    uint32_t redundancy;        /* R = 4 */
    uint64_t decay_num;         /* decay = 4/5 */
    uint64_t decay_den;
    uint64_t beacon_cap; /* 2 * POC_ONE */
} poc_params;

void poc_params_default(poc_params *p);

typedef struct poc_witness_in {
    uint8_t beacon_hash[32];  /* payload hash of the beacon sent */
    uint8_t witness_hash[32]; /* payload hash the witness reports */
    uint64_t beacon_ms, witness_ms;
    uint64_t beacon_hz, witness_hz;
    uint64_t dist_m;     /* between asserted locations */
    uint64_t grid_cells; /* grid distance in res-11 cells */
    int64_t rssi_cdbm, snr_cdb;
    int64_t tx_power_cdbm, gain_tx_cdbi, gain_rx_cdbi;
    uint8_t beacon_owner[32], witness_owner[32];
    uint8_t witness_key[32]; /* tie-break for the cap */
    uint32_t valid_before;   /* valid witnesses ahead of it (arrival order,
                                then witness key); filled by poc_check_beacon */
} poc_witness_in;

typedef struct poc_result {
    poc_reason reason;
    int64_t value; /* the offending number (excess ms, Hz, cells, m, cdB) */
    int64_t limit; /* the limit it was checked against */
} poc_result;

/* Checks one witness, in the order of the enum; the first failure wins. */
poc_result poc_check_witness(const poc_params *p, const poc_witness_in *w);
/* Checks the n witnesses of one beacon: each alone, then the cap on the
 * valid ones in arrival order (witness_ms, then witness_key); sets each
 * w[i].valid_before. res[i] is w[i]'s verdict. Allocates a scratch index
 * array it frees. CAIRN_ERR_NOMEM, CAIRN_ERR_BAD_ARG (NULL with n > 0). */
cairn_err poc_check_beacon(const poc_params *p, poc_witness_in *w, size_t n,
                           poc_result *res, uint32_t *n_valid);
const char *poc_reason_name(poc_reason r);
/* Writes e.g. "late by 812 ms (window 4000 ms)" into buf (always NUL
 * terminated); returns the snprintf length. */
int poc_result_format(const poc_result *r, char *buf, size_t cap);

/* ---- rewards (poc_reward.c) ---- */

/* decay^k at POC_FINE scale: d0 = 10^18, d_k = floor(d_{k-1}*num/den). */
uint64_t poc_decay_pow(const poc_params *p, uint64_t k);
/* Beaconer's reward units for n valid witnesses (POC_ONE = 1 unit). */
uint64_t poc_beacon_units(const poc_params *p, uint64_t n);
/* Each witness's reward units when a beacon has n valid witnesses. */
uint64_t poc_witness_units(const poc_params *p, uint64_t n);

/* HIP-17 parameters of one resolution. */
typedef struct poc_hip17_res {
    uint64_t n, target, max;
} poc_hip17_res;
/* Live Helium values for res 4..10 into out[0..POC_NRES). */
void poc_hip17_default(poc_hip17_res out[POC_NRES]);
/* A hex's limit: min(max, target * max(1, occupied - N + 1)). */
uint64_t poc_hex_limit(const poc_hip17_res *r, uint64_t occupied_neighbours);
/* A hotspot's density scale at POC_ONE: per resolution (4..10) count[i]
 * hotspots in its hex and occ[i] occupied neighbours; s = 10^18, for each
 * resolution with count > limit s = floor(s*limit/count), then /10^9. */
uint64_t poc_density_scale(const poc_hip17_res prm[POC_NRES],
                           const uint64_t count[POC_NRES],
                           const uint64_t occ[POC_NRES]);
/* Splits pot among n hotspots by weight floor(units*scale/POC_ONE),
 * largest remainder, ties to the lower index: sum(out) == pot unless all
 * weights are 0 (then out is all 0 and *unpaid = pot). Allocates scratch it
 * frees. CAIRN_ERR_OVERFLOW (a weight over 2^64), CAIRN_ERR_NOMEM,
 * CAIRN_ERR_BAD_ARG. */
cairn_err poc_split(uint64_t pot, const uint64_t *units, const uint64_t *scale,
                    size_t n, uint64_t *out, uint64_t *unpaid);

#endif
