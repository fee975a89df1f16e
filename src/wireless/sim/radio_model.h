/* The radio simulator's propagation model (docs/wireless-sim.md): path
 * loss, seeded shadowing, noise, demodulation floors, time of arrival, and
 * the simulator's own PRNG. Floats are fine here: this is a test tool, not
 * consensus. No libm: logarithms come from the chain's integer log
 * (poc_db20_cdb), so the simulator's free space is the chain's to the
 * centi-dB. Nothing allocates. */
#ifndef CAIRN_WIRELESS_SIM_RADIO_MODEL_H
#define CAIRN_WIRELESS_SIM_RADIO_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#define RM_SF_MIN 7
#define RM_SF_MAX 12
#define RM_NSF (RM_SF_MAX - RM_SF_MIN + 1)
#define RM_C_M_PER_S 299792458.0

/* Model parameters; rm_defaults gives the documented defaults. */
typedef struct rm_params {
    uint64_t freq_hz;        /* 904300000: devices' uplink frequency */
    uint64_t breakpoint_m;   /* d0 = 1000: free space up to here */
    double exponent;         /* n = 3.5 after the breakpoint */
    double sigma_db;         /* shadowing sigma, 4 dB */
    double fs_margin_db;     /* 2: never stronger than free space + this */
    double noise_figure_db;  /* 6 */
    uint32_t bw_hz;          /* 125000 (devices' rate; txpk gives its own) */
    uint8_t sf;              /* 9: devices' spreading factor */
    double floor_db[RM_NSF]; /* SF7..SF12: -7.5 -10 -12.5 -15 -17.5 -20 */
    double rx_gain_dbi;      /* 0: devices' antennas and replayers' default */
    double tx_power_dbm;     /* 27: txpk without powe, devices, replayers */
    double snr_max_db;       /* 13.5: reported lsnr saturates here (SX130x) */
} rm_params;

void rm_defaults(rm_params *p);

/* splitmix64: the simulator's only generator (never rand()). */
typedef struct rm_rng {
    uint64_t s;
} rm_rng;
void rm_rng_seed(rm_rng *r, uint64_t seed);
uint64_t rm_rng_next(rm_rng *r);
/* Uniform in [0, 1) with 53 bits. */
double rm_rng_unit(rm_rng *r);
/* Standard normal, approximated by the sum of 12 uniforms minus 6 (mean
 * 0, variance 1, bounded to +-6). */
double rm_rng_gauss(rm_rng *r);
/* A 64-bit mix of a and b (splitmix64 finaliser over a ^ f(b)). */
uint64_t rm_mix(uint64_t a, uint64_t b);

/* Free-space loss in dB at d_m metres and f_hz: poc_fspl_cdb / 100, the
 * chain's own figure. */
double rm_fspl_db(uint64_t d_m, uint64_t f_hz);
/* Mean path loss: free space up to the breakpoint d0, then
 * + 10 (n - 2) log10(d / d0). */
double rm_pathloss_db(const rm_params *p, uint64_t d_m, uint64_t f_hz);
/* 10 log10(x) for x >= 1 (from poc_db20_cdb; 0.005 dB resolution). */
double rm_db10(uint64_t x);
/* Noise floor: -174 + 10 log10(bw_hz) + NF, in dBm. */
double rm_noise_dbm(const rm_params *p, uint32_t bw_hz);
/* Demodulation floor (dB SNR) of sf 7..12; sf outside: that of the
 * nearest. */
double rm_floor_db(const rm_params *p, uint8_t sf);

/* The link's shadowing in dB (positive: more loss): sigma times a standard
 * normal drawn from a generator seeded with (seed, both end points), so a
 * link keeps its value for the whole run, the same both ways, whatever the
 * order of events. Positions in micro-degrees. */
double rm_shadow_db(const rm_params *p, uint64_t seed, int32_t lat_a,
                    int32_t lon_a, int32_t lat_b, int32_t lon_b);

/* One link's reception. */
typedef struct rm_rx {
    double fspl_db;   /* free space */
    double loss_db;   /* mean path loss + shadowing, after the clip */
    double shadow_db; /* as drawn */
    double rssi_dbm;  /* tx + gains - loss */
    double rssi_fs;   /* the free-space RSSI: tx + gains - fspl */
    double noise_dbm;
    double snr_db;   /* rssi - noise (not saturated) */
    double floor_db; /* of its sf */
    bool ok;         /* false: snr below the floor */
} rm_rx;

/* Computes a reception at d_m: loss = pathloss + shadow_db, clipped so
 * that loss >= fspl - fs_margin_db. */
void rm_link(const rm_params *p, double tx_dbm, double gain_tx_dbi,
             double gain_rx_dbi, uint64_t d_m, uint64_t f_hz, uint32_t bw_hz,
             uint8_t sf, double shadow_db, rm_rx *out);

/* Time of arrival in us: tx_us + d / c, rounded to the us. */
uint64_t rm_arrival_us(uint64_t tx_us, uint64_t d_m);

#endif
