/* The radio simulator's propagation model (radio_model.h). */
#include "wireless/sim/radio_model.h"

#include "sectors/wireless/poc.h"

void rm_defaults(rm_params *p)
{
    static const double floors[RM_NSF] = {-7.5, -10, -12.5, -15, -17.5, -20};
    *p = (rm_params){.freq_hz = 904300000,
                     .breakpoint_m = 1000,
                     .exponent = 3.5,
                     .sigma_db = 4.0,
                     .fs_margin_db = 2.0,
                     .noise_figure_db = 6.0,
                     .bw_hz = 125000,
                     .sf = 9,
                     .rx_gain_dbi = 0.0,
                     .tx_power_dbm = 27.0,
                     .snr_max_db = 13.5};
    for (int i = 0; i < RM_NSF; i++)
        p->floor_db[i] = floors[i];
}

void rm_rng_seed(rm_rng *r, uint64_t seed)
{
    r->s = seed;
}

uint64_t rm_rng_next(rm_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

double rm_rng_unit(rm_rng *r)
{
    return (double)(rm_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

double rm_rng_gauss(rm_rng *r)
{
    double s = 0;
    for (int i = 0; i < 12; i++)
        s += rm_rng_unit(r);
    return s - 6.0;
}

uint64_t rm_mix(uint64_t a, uint64_t b)
{
    rm_rng r = {a ^ (b * 0xD6E8FEB86659FD93ULL + 0x632BE59BD9B4E019ULL)};
    return rm_rng_next(&r);
}

double rm_fspl_db(uint64_t d_m, uint64_t f_hz)
{
    return (double)poc_fspl_cdb(d_m, f_hz) / 100.0;
}

double rm_db10(uint64_t x)
{
    return (double)poc_db20_cdb(x) / 200.0;
}

double rm_pathloss_db(const rm_params *p, uint64_t d_m, uint64_t f_hz)
{
    double l = rm_fspl_db(d_m, f_hz);
    if (d_m > p->breakpoint_m && p->breakpoint_m > 0)
        l += (p->exponent - 2.0) * (rm_db10(d_m) - rm_db10(p->breakpoint_m));
    return l;
}

double rm_noise_dbm(const rm_params *p, uint32_t bw_hz)
{
    return -174.0 + rm_db10(bw_hz ? bw_hz : 1) + p->noise_figure_db;
}

double rm_floor_db(const rm_params *p, uint8_t sf)
{
    if (sf < RM_SF_MIN)
        sf = RM_SF_MIN;
    if (sf > RM_SF_MAX)
        sf = RM_SF_MAX;
    return p->floor_db[sf - RM_SF_MIN];
}

static uint64_t point_key(int32_t lat, int32_t lon)
{
    return ((uint64_t)(uint32_t)lat << 32) | (uint32_t)lon;
}

double rm_shadow_db(const rm_params *p, uint64_t seed, int32_t lat_a,
                    int32_t lon_a, int32_t lat_b, int32_t lon_b)
{
    uint64_t a = point_key(lat_a, lon_a), b = point_key(lat_b, lon_b);
    if (a > b) { /* the same value both ways */
        uint64_t t = a;
        a = b;
        b = t;
    }
    rm_rng r;
    rm_rng_seed(&r, rm_mix(rm_mix(seed, a), b));
    return p->sigma_db * rm_rng_gauss(&r);
}

void rm_link(const rm_params *p, double tx_dbm, double gain_tx_dbi,
             double gain_rx_dbi, uint64_t d_m, uint64_t f_hz, uint32_t bw_hz,
             uint8_t sf, double shadow_db, rm_rx *out)
{
    out->fspl_db = rm_fspl_db(d_m, f_hz);
    out->shadow_db = shadow_db;
    double loss = rm_pathloss_db(p, d_m, f_hz) + shadow_db;
    double min_loss = out->fspl_db - p->fs_margin_db;
    if (loss < min_loss)
        loss = min_loss;
    out->loss_db = loss;
    double eirp = tx_dbm + gain_tx_dbi + gain_rx_dbi;
    out->rssi_dbm = eirp - loss;
    out->rssi_fs = eirp - out->fspl_db;
    out->noise_dbm = rm_noise_dbm(p, bw_hz);
    out->snr_db = out->rssi_dbm - out->noise_dbm;
    out->floor_db = rm_floor_db(p, sf);
    out->ok = out->snr_db >= out->floor_db;
}

uint64_t rm_arrival_us(uint64_t tx_us, uint64_t d_m)
{
    return tx_us + (uint64_t)((double)d_m * 1e6 / RM_C_M_PER_S + 0.5);
}
