/* Proof of coverage of the wireless sector: integer path loss and the
 * deterministic witness check (docs/wireless-poc.md). Consensus code:
 * integers only. */
#include "sectors/wireless/poc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned __int128 poc_u128;
typedef __int128 poc_i128;

/* round(2000*log10(2) * 2^48) and round(2000*log10(4*pi/c) * 2^32), c the
 * speed of light 299792458 m/s; poc_ref.py recomputes both with Decimal. */
#define POC_DB20_LOG2_Q48 169464822037455967LL
#define POC_FSPL_K_Q32 (-63373194551431LL)

/* log2(x) in Q32, x >= 1: integer part from the bit length, 32 fraction
 * bits by repeated squaring of the Q62 mantissa (truncated products). */
static uint64_t log2_q32(uint64_t x)
{
    int n = 63 - __builtin_clzll(x);
    uint64_t y = n <= 62 ? x << (62 - n) : x >> 1;
    uint64_t frac = 0;
    for (int i = 0; i < 32; i++) {
        y = (uint64_t)(((poc_u128)y * y) >> 62);
        if (y >= (1ULL << 63)) {
            y >>= 1;
            frac |= 1ULL << (31 - i);
        }
    }
    return ((uint64_t)n << 32) | frac;
}

int64_t poc_db20_q32(uint64_t x)
{
    if (x == 0)
        x = 1;
    poc_u128 v = (poc_u128)log2_q32(x) * (uint64_t)POC_DB20_LOG2_Q48;
    return (int64_t)(v >> 48);
}

/* floor((v + 2^31) / 2^32) for either sign: round half up. */
static int64_t round_q32(int64_t v)
{
    int64_t h = v + (1LL << 31);
    if (h >= 0)
        return h >> 32;
    return -(int64_t)((((uint64_t)-h) + 0xFFFFFFFFULL) >> 32);
}

int64_t poc_db20_cdb(uint64_t x)
{
    return round_q32(poc_db20_q32(x));
}

int64_t poc_fspl_cdb(uint64_t d_m, uint64_t f_hz)
{
    return round_q32(poc_db20_q32(d_m) + poc_db20_q32(f_hz) + POC_FSPL_K_Q32);
}

/* Saturates to the int64 range: witness fields come from untrusted
 * reports, so sums of them must not overflow. */
static int64_t sat(poc_i128 v)
{
    return v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : (int64_t)v;
}

static int64_t sat_u(uint64_t v)
{
    return v > INT64_MAX ? INT64_MAX : (int64_t)v;
}

int64_t poc_rssi_max(int64_t tx_power_cdbm, int64_t gain_tx_cdbi,
                     int64_t gain_rx_cdbi, uint64_t d_m, uint64_t f_hz)
{
    return sat((poc_i128)tx_power_cdbm + gain_tx_cdbi + gain_rx_cdbi -
               poc_fspl_cdb(d_m, f_hz));
}

void poc_params_default(poc_params *p)
{
    *p = (poc_params){.max_delay_ms = 4000,
                      .max_freq_off_hz = 100000,
                      .min_cells = 8,
                      .max_dist_m = 100000,
                      .rssi_tolerance_cdb = 300,
                      .snr_min_cdb = -2000,
                      .snr_max_cdb = 2000,
                      .max_witnesses = 14,
                      .redundancy = 4,
                      .decay_num = 4,
                      .decay_den = 5,
                      .beacon_cap = 2 * POC_ONE};
}

static poc_result verdict(poc_reason r, int64_t value, int64_t limit)
{
    return (poc_result){r, value, limit};
}

/* The checks that need only the witness itself (all but the cap). */
static poc_result check_alone(const poc_params *p, const poc_witness_in *w)
{
    if (memcmp(w->beacon_hash, w->witness_hash, 32) != 0)
        return verdict(POC_PAYLOAD_MISMATCH, 0, 0);
    if (w->witness_ms < w->beacon_ms)
        return verdict(POC_EARLY, sat_u(w->beacon_ms - w->witness_ms), 0);
    uint64_t delay = w->witness_ms - w->beacon_ms;
    if (delay > p->max_delay_ms)
        return verdict(POC_LATE, sat_u(delay - p->max_delay_ms),
                       sat_u(p->max_delay_ms));
    uint64_t off = w->witness_hz > w->beacon_hz ? w->witness_hz - w->beacon_hz
                                                : w->beacon_hz - w->witness_hz;
    if (off > p->max_freq_off_hz)
        return verdict(POC_FREQ_OFF, sat_u(off), sat_u(p->max_freq_off_hz));
    if (memcmp(w->beacon_owner, w->witness_owner, 32) == 0)
        return verdict(POC_SELF_WITNESS, 0, 0);
    if (w->grid_cells < p->min_cells)
        return verdict(POC_TOO_CLOSE, sat_u(w->grid_cells),
                       sat_u(p->min_cells));
    if (w->dist_m > p->max_dist_m)
        return verdict(POC_TOO_FAR, sat_u(w->dist_m), sat_u(p->max_dist_m));
    int64_t max = poc_rssi_max(w->tx_power_cdbm, w->gain_tx_cdbi,
                               w->gain_rx_cdbi, w->dist_m, w->beacon_hz);
    if ((poc_i128)w->rssi_cdbm > (poc_i128)max + p->rssi_tolerance_cdb)
        return verdict(POC_RSSI_IMPOSSIBLE, sat((poc_i128)w->rssi_cdbm - max),
                       p->rssi_tolerance_cdb);
    if (w->snr_cdb < p->snr_min_cdb)
        return verdict(POC_SNR_RANGE, w->snr_cdb, p->snr_min_cdb);
    if (w->snr_cdb > p->snr_max_cdb)
        return verdict(POC_SNR_RANGE, w->snr_cdb, p->snr_max_cdb);
    return verdict(POC_OK, 0, 0);
}

poc_result poc_check_witness(const poc_params *p, const poc_witness_in *w)
{
    poc_result r = check_alone(p, w);
    if (r.reason == POC_OK && w->valid_before >= p->max_witnesses)
        return verdict(POC_OVER_CAP, (int64_t)w->valid_before + 1,
                       (int64_t)p->max_witnesses);
    return r;
}

/* Arrival order: witness time, then witness key, then input index. */
typedef struct arrival {
    uint64_t ms;
    const uint8_t *key;
    size_t i;
} arrival;

static int by_arrival(const void *a, const void *b)
{
    const arrival *x = a, *y = b;
    if (x->ms != y->ms)
        return x->ms < y->ms ? -1 : 1;
    int c = memcmp(x->key, y->key, 32);
    if (c != 0)
        return c;
    return x->i < y->i ? -1 : x->i > y->i;
}

cairn_err poc_check_beacon(const poc_params *p, poc_witness_in *w, size_t n,
                           poc_result *res, uint32_t *n_valid)
{
    if (!p || !n_valid || (n > 0 && (!w || !res)))
        return CAIRN_ERR_BAD_ARG;
    *n_valid = 0;
    if (n == 0)
        return CAIRN_OK;
    arrival *ord = malloc(n * sizeof *ord);
    if (!ord)
        return CAIRN_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        ord[i] = (arrival){w[i].witness_ms, w[i].witness_key, i};
    qsort(ord, n, sizeof *ord, by_arrival);
    uint32_t valid = 0; /* witnesses ahead that pass all but the cap */
    for (size_t k = 0; k < n; k++) {
        poc_witness_in *x = &w[ord[k].i];
        x->valid_before = valid;
        res[ord[k].i] = poc_check_witness(p, x);
        if (check_alone(p, x).reason == POC_OK)
            valid++;
        if (res[ord[k].i].reason == POC_OK)
            (*n_valid)++;
    }
    free(ord);
    return CAIRN_OK;
}

static const char *const names[POC_REASON_COUNT] = {
    "valid",           "payload mismatch", "early",       "late",
    "frequency off",   "self-witness",     "too close",   "too far",
    "RSSI impossible", "SNR out of range", "over the cap"};

const char *poc_reason_name(poc_reason r)
{
    return (unsigned)r < POC_REASON_COUNT ? names[r] : "unknown";
}

/* "-14.05" from -1405 centi-units. */
static void centi(int64_t v, char *b, size_t cap)
{
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    snprintf(b, cap, "%s%llu.%02llu", v < 0 ? "-" : "",
             (unsigned long long)(a / 100), (unsigned long long)(a % 100));
}

int poc_result_format(const poc_result *r, char *buf, size_t cap)
{
    char v[32], l[32];
    long long value = r->value, limit = r->limit;
    centi(r->value, v, sizeof v);
    centi(r->limit, l, sizeof l);
    switch (r->reason) {
    case POC_OK:
        return snprintf(buf, cap, "valid");
    case POC_PAYLOAD_MISMATCH:
        return snprintf(buf, cap, "payload differs from the beacon's");
    case POC_EARLY:
        return snprintf(buf, cap, "early by %lld ms (before the beacon)",
                        value);
    case POC_LATE:
        return snprintf(buf, cap, "late by %lld ms (window %lld ms)", value,
                        limit);
    case POC_FREQ_OFF:
        return snprintf(buf, cap, "frequency off by %lld Hz (maximum %lld Hz)",
                        value, limit);
    case POC_SELF_WITNESS:
        return snprintf(buf, cap, "self-witness: same owner as the beaconer");
    case POC_TOO_CLOSE:
        return snprintf(buf, cap, "too close: %lld cells (minimum %lld)", value,
                        limit);
    case POC_TOO_FAR:
        return snprintf(buf, cap, "too far: %lld m (maximum %lld m)", value,
                        limit);
    case POC_RSSI_IMPOSSIBLE:
        return snprintf(
            buf, cap, "RSSI above free-space limit by %s dB (tolerance %s dB)",
            v, l);
    case POC_SNR_RANGE:
        return snprintf(buf, cap, "SNR out of range: %s dB (limit %s dB)", v,
                        l);
    case POC_OVER_CAP:
        return snprintf(buf, cap,
                        "over the cap: valid witness %lld (maximum %lld)",
                        value, limit);
    default:
        return snprintf(buf, cap, "unknown reason %d", (int)r->reason);
    }
}
