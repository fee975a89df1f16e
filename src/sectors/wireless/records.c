/* The wireless sector's state records (layouts in wl.h and
 * docs/wireless-chain.md), its parameters and the beacon schedule. */
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "econ/staking.h"
#include "ledger/view.h"
#include "sectors/wireless/hexgrid.h"
#include "sectors/wireless/wl.h"

/* ---- parameters ---- */

static cairn_err param(MDB_txn *txn, const store *s, unsigned id, uint64_t *v)
{
    cairn_err e = econ_param_read(txn, s, id, v);
    if (e == CAIRN_ERR_NOT_FOUND) {
        const econ_param_def *d = wl_param_def(id);
        if (!d)
            return CAIRN_ERR_BAD_PARAM;
        *v = d->def;
        return CAIRN_OK;
    }
    return e;
}

cairn_err wl_params_read(MDB_txn *txn, const store *s, wl_params *p)
{
    struct {
        unsigned id;
        uint64_t *v;
    } m[] = {
        {P_EPOCH_BLOCKS, &p->epoch_blocks},
        {P_WL_WITNESS_BLOCKS, &p->witness_blocks},
        {P_WL_BEACON_WINDOW_MS, &p->beacon_window_ms},
        {P_WL_LOCATION_FEE, &p->location_fee},
        {P_WL_REPORTS_MAX, &p->reports_max},
        {P_WL_APPEAL_EPOCHS, &p->appeal_epochs},
        {P_WL_KEEP_EPOCHS, &p->keep_epochs},
        {P_WL_GROUP_EPOCHS, &p->group_epochs},
        {P_WL_GROUP_MAX, &p->group_max},
        {P_WL_GROUP_CAP_BPS, &p->group_cap_bps},
        {P_WL_BEACON_BPS, &p->beacon_bps},
        {P_WL_WITNESS_BPS, &p->witness_bps},
        {P_WL_DATA_BPS, &p->data_bps},
        {P_WL_MAX_DELAY_MS, &p->poc.max_delay_ms},
        {P_WL_MAX_FREQ_OFF_HZ, &p->poc.max_freq_off_hz},
        {P_WL_MIN_CELLS, &p->poc.min_cells},
        {P_WL_MAX_DIST_M, &p->poc.max_dist_m},
    };
    uint64_t tol, snr_min, snr_max, maxw, red, decay;
    cairn_err e = CAIRN_OK;
    memset(p, 0, sizeof *p);
    poc_params_default(&p->poc);
    for (size_t i = 0; !e && i < sizeof m / sizeof m[0]; i++)
        e = param(txn, s, m[i].id, m[i].v);
    if (e || (e = param(txn, s, P_WL_RSSI_TOLERANCE, &tol)) ||
        (e = param(txn, s, P_WL_SNR_MIN_NEG, &snr_min)) ||
        (e = param(txn, s, P_WL_SNR_MAX, &snr_max)) ||
        (e = param(txn, s, P_WL_MAX_WITNESSES, &maxw)) ||
        (e = param(txn, s, P_WL_REDUNDANCY, &red)) ||
        (e = param(txn, s, P_WL_DECAY_BPS, &decay)))
        return e;
    p->poc.rssi_tolerance_cdb = (int64_t)tol; /* bounded by the params */
    p->poc.snr_min_cdb = -(int64_t)snr_min;
    p->poc.snr_max_cdb = (int64_t)snr_max;
    p->poc.max_witnesses = (uint32_t)maxw;
    p->poc.redundancy = (uint32_t)red;
    p->poc.decay_num = decay;
    p->poc.decay_den = 10000;
    for (unsigned r = 0; !e && r < POC_NRES; r++) {
        uint64_t v;
        if (!(e = param(txn, s, P_WL_HIP17_R4 + r, &v))) {
            p->hip17[r].n = v / 100000000;
            p->hip17[r].target = v / 10000 % 10000;
            p->hip17[r].max = v % 10000;
        }
    }
    return e;
}

/* ---- prefix scans ---- */

cairn_err wl_scan_prefix(MDB_txn *txn, const store *s, const uint8_t *prefix,
                         size_t n, state_visit visit, void *arg)
{
    return state_scan_prefix(txn, s, prefix, n, visit, arg);
}

/* ---- hotspot ---- */

void wl_hotspot_encode(uint8_t v[WL_HOTSPOT_LEN], const wl_hotspot *h)
{
    cairn_le32_put(v, (uint32_t)h->lat);
    cairn_le32_put(v + 4, (uint32_t)h->lon);
    cairn_le64_put(v + 8, h->cell);
    v[16] = (uint8_t)((uint16_t)h->gain_cdbi);
    v[17] = (uint8_t)((uint16_t)h->gain_cdbi >> 8);
    v[18] = (uint8_t)h->elevation_m;
    v[19] = (uint8_t)(h->elevation_m >> 8);
    v[20] = (uint8_t)((uint16_t)h->tx_power_cdbm);
    v[21] = (uint8_t)((uint16_t)h->tx_power_cdbm >> 8);
    cairn_le64_put(v + 22, h->asserted_height);
    cairn_le32_put(v + 30, h->n_moves);
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

cairn_err wl_hotspot_decode(wl_hotspot *h, const uint8_t *k, size_t kn,
                            const uint8_t *v, size_t vn)
{
    if (kn != 33 || vn != WL_HOTSPOT_LEN)
        return CAIRN_ERR_DB;
    memcpy(h->pk.b, k + 1, 32);
    h->lat = (int32_t)cairn_le32_get(v);
    h->lon = (int32_t)cairn_le32_get(v + 4);
    h->cell = cairn_le64_get(v + 8);
    h->gain_cdbi = (int16_t)le16(v + 16);
    h->elevation_m = le16(v + 18);
    h->tx_power_cdbm = (int16_t)le16(v + 20);
    h->asserted_height = cairn_le64_get(v + 22);
    h->n_moves = cairn_le32_get(v + 30);
    return CAIRN_OK;
}

cairn_err wl_hotspot_read(MDB_txn *txn, const store *s, const cairn_pubkey *pk,
                          wl_hotspot *h)
{
    MDB_val v;
    uint8_t k[33] = {WL_STATE_HOTSPOT};
    memcpy(k + 1, pk->b, 32);
    cairn_err e = state_get(txn, s, WL_STATE_HOTSPOT, pk->b, 32, &v);
    if (e == CAIRN_ERR_NOT_FOUND)
        return CAIRN_ERR_NOT_HOTSPOT;
    if (e)
        return e;
    return wl_hotspot_decode(h, k, sizeof k, v.mv_data, v.mv_size);
}

cairn_err wl_hotspot_put(exec_ctx *x, const wl_hotspot *h)
{
    uint8_t v[WL_HOTSPOT_LEN];
    wl_hotspot_encode(v, h);
    return state_put(x->w, x->s, WL_STATE_HOTSPOT, h->pk.b, 32, v, sizeof v);
}

/* ---- beacon ---- */

void wl_beacon_encode(uint8_t v[WL_BEACON_LEN], const wl_beacon *b)
{
    memcpy(v, b->payload_hash.b, 32);
    cairn_le64_put(v + 32, b->time_ms);
    cairn_le64_put(v + 40, b->freq_hz);
    cairn_le64_put(v + 48, b->height);
    cairn_le64_put(v + 56, b->slot);
    v[64] = b->verdict;
    cairn_le32_put(v + 65, b->n_valid);
    cairn_le64_put(v + 69, b->units);
}

cairn_err wl_beacon_decode(wl_beacon *b, const uint8_t *v, size_t vn)
{
    if (vn != WL_BEACON_LEN)
        return CAIRN_ERR_DB;
    memcpy(b->payload_hash.b, v, 32);
    b->time_ms = cairn_le64_get(v + 32);
    b->freq_hz = cairn_le64_get(v + 40);
    b->height = cairn_le64_get(v + 48);
    b->slot = cairn_le64_get(v + 56);
    b->verdict = v[64];
    b->n_valid = cairn_le32_get(v + 65);
    b->units = cairn_le64_get(v + 69);
    return CAIRN_OK;
}

static void epoch_pk_key(uint8_t k[40], uint64_t epoch, const cairn_pubkey *pk)
{
    cairn_be64_put(k, epoch);
    memcpy(k + 8, pk->b, 32);
}

cairn_err wl_beacon_read(MDB_txn *txn, const store *s, uint64_t epoch,
                         const cairn_pubkey *pk, wl_beacon *b)
{
    uint8_t k[40];
    MDB_val v;
    epoch_pk_key(k, epoch, pk);
    cairn_err e = state_get(txn, s, WL_STATE_BEACON, k, 40, &v);
    return e ? e : wl_beacon_decode(b, v.mv_data, v.mv_size);
}

cairn_err wl_beacon_put(exec_ctx *x, uint64_t epoch, const cairn_pubkey *pk,
                        const wl_beacon *b)
{
    uint8_t k[40], v[WL_BEACON_LEN];
    epoch_pk_key(k, epoch, pk);
    wl_beacon_encode(v, b);
    return state_put(x->w, x->s, WL_STATE_BEACON, k, 40, v, sizeof v);
}

/* ---- witness ---- */

void wl_witness_encode(uint8_t v[WL_WITNESS_LEN], const wl_witness *w)
{
    memcpy(v, w->witness.b, 32);
    memcpy(v + 32, w->payload_hash.b, 32);
    cairn_le64_put(v + 64, w->time_ms);
    cairn_le64_put(v + 72, w->freq_hz);
    cairn_le32_put(v + 80, (uint32_t)w->rssi_cdbm);
    cairn_le32_put(v + 84, (uint32_t)w->snr_cdb);
    cairn_le64_put(v + 88, w->height);
    v[96] = w->verdict;
    cairn_le64_put(v + 97, (uint64_t)w->value);
    cairn_le64_put(v + 105, (uint64_t)w->limit);
    cairn_le64_put(v + 113, w->units);
    v[121] = w->appealed;
}

cairn_err wl_witness_decode(wl_witness *w, const uint8_t *v, size_t vn)
{
    if (vn != WL_WITNESS_LEN)
        return CAIRN_ERR_DB;
    memcpy(w->witness.b, v, 32);
    memcpy(w->payload_hash.b, v + 32, 32);
    w->time_ms = cairn_le64_get(v + 64);
    w->freq_hz = cairn_le64_get(v + 72);
    w->rssi_cdbm = (int32_t)cairn_le32_get(v + 80);
    w->snr_cdb = (int32_t)cairn_le32_get(v + 84);
    w->height = cairn_le64_get(v + 88);
    w->verdict = v[96];
    w->value = (int64_t)cairn_le64_get(v + 97);
    w->limit = (int64_t)cairn_le64_get(v + 105);
    w->units = cairn_le64_get(v + 113);
    w->appealed = v[121];
    return CAIRN_OK;
}

void wl_witness_key(uint8_t k[42], uint64_t epoch, const cairn_pubkey *b,
                    uint8_t idx)
{
    k[0] = WL_STATE_WITNESS;
    cairn_be64_put(k + 1, epoch);
    memcpy(k + 9, b->b, 32);
    k[41] = idx;
}

typedef struct wlist {
    wl_witness *w;
    size_t n, cap;
} wlist;

static cairn_err visit_wlist(void *arg, const uint8_t *k, size_t kn,
                             const uint8_t *v, size_t vn)
{
    wlist *l = arg;
    if (kn != 42)
        return CAIRN_ERR_DB;
    cairn_err e = grow_array((void **)&l->w, &l->cap, l->n, sizeof *l->w, 8);
    if (!e && !(e = wl_witness_decode(&l->w[l->n], v, vn)))
        l->n++;
    return e;
}

cairn_err wl_witness_list(MDB_txn *txn, const store *s, uint64_t epoch,
                          const cairn_pubkey *beaconer, wl_witness **out,
                          size_t *n)
{
    uint8_t k[42];
    wlist l = {0};
    wl_witness_key(k, epoch, beaconer, 0);
    cairn_err e = wl_scan_prefix(txn, s, k, 41, visit_wlist, &l);
    if (e) {
        free(l.w);
        l.w = NULL;
        l.n = 0;
    }
    *out = l.w;
    *n = l.n;
    return e;
}

/* ---- units ---- */

void wl_units_encode(uint8_t v[WL_UNITS_LEN], const wl_units *u)
{
    cairn_le64_put(v, u->beacon);
    cairn_le64_put(v + 8, u->witness);
    cairn_le64_put(v + 16, u->scale);
    v[24] = u->capped;
    cairn_le64_put(v + 25, u->appeal_raw);
}

cairn_err wl_units_decode(wl_units *u, const uint8_t *v, size_t vn)
{
    if (vn != WL_UNITS_LEN)
        return CAIRN_ERR_DB;
    u->beacon = cairn_le64_get(v);
    u->witness = cairn_le64_get(v + 8);
    u->scale = cairn_le64_get(v + 16);
    u->capped = v[24];
    u->appeal_raw = cairn_le64_get(v + 25);
    return CAIRN_OK;
}

cairn_err wl_units_read(MDB_txn *txn, const store *s, uint64_t epoch,
                        const cairn_pubkey *pk, wl_units *u)
{
    uint8_t k[40];
    MDB_val v;
    memset(u, 0, sizeof *u);
    epoch_pk_key(k, epoch, pk);
    cairn_err e = state_get(txn, s, WL_STATE_UNITS, k, 40, &v);
    if (e == CAIRN_ERR_NOT_FOUND)
        return CAIRN_OK;
    return e ? e : wl_units_decode(u, v.mv_data, v.mv_size);
}

cairn_err wl_units_put(exec_ctx *x, uint64_t epoch, const cairn_pubkey *pk,
                       const wl_units *u)
{
    uint8_t k[40], v[WL_UNITS_LEN];
    epoch_pk_key(k, epoch, pk);
    wl_units_encode(v, u);
    return state_put(x->w, x->s, WL_STATE_UNITS, k, 40, v, sizeof v);
}

/* ---- totals ---- */

void wl_totals_encode(uint8_t v[WL_TOTALS_LEN], const wl_totals *t)
{
    uint64_t f[7] = {t->beacons,         t->beacons_off,
                     t->witnesses_valid, t->witnesses_invalid,
                     t->hotspots_paid,   t->hotspots_capped,
                     t->appeals};
    cairn_le64_put(v, t->start_height);
    memcpy(v + 8, t->seed.b, 32);
    for (int i = 0; i < 7; i++)
        cairn_le64_put(v + 40 + 8 * i, f[i]);
    for (int i = 0; i < WL_V_COUNT; i++)
        cairn_le64_put(v + 96 + 8 * i, t->reason[i]);
}

cairn_err wl_totals_decode(wl_totals *t, const uint8_t *v, size_t vn)
{
    uint64_t *f[7] = {&t->beacons,         &t->beacons_off,
                      &t->witnesses_valid, &t->witnesses_invalid,
                      &t->hotspots_paid,   &t->hotspots_capped,
                      &t->appeals};
    if (vn != WL_TOTALS_LEN)
        return CAIRN_ERR_DB;
    t->start_height = cairn_le64_get(v);
    memcpy(t->seed.b, v + 8, 32);
    for (int i = 0; i < 7; i++)
        *f[i] = cairn_le64_get(v + 40 + 8 * i);
    for (int i = 0; i < WL_V_COUNT; i++)
        t->reason[i] = cairn_le64_get(v + 96 + 8 * i);
    return CAIRN_OK;
}

cairn_err wl_totals_read(MDB_txn *txn, const store *s, uint64_t epoch,
                         wl_totals *t)
{
    uint8_t k[8];
    MDB_val v;
    cairn_be64_put(k, epoch);
    cairn_err e = state_get(txn, s, WL_STATE_TOTALS, k, 8, &v);
    return e ? e : wl_totals_decode(t, v.mv_data, v.mv_size);
}

/* ---- schedule and witness inputs ---- */

cairn_err wl_sched_now(MDB_txn *txn, const store *s, const wl_params *p,
                       const cairn_pubkey *pk, wl_sched *out)
{
    econ_global g;
    cairn_err e = econ_global_get(txn, s, &g);
    if (!e)
        e = chain_epoch_seed(txn, s, g.start_height, &out->seed);
    if (e)
        return e == CAIRN_ERR_NOT_FOUND ? CAIRN_ERR_DB : e;
    out->epoch = g.epoch;
    out->start = g.start_height;
    out->slot = cairn_beacon_slot(&out->seed, pk, g.start_height,
                                  p->epoch_blocks, p->witness_blocks);
    return CAIRN_OK;
}

cairn_err wl_witness_input(const wl_hotspot *hb, const wl_hotspot *hw,
                           const cairn_hash *beacon_hash, uint64_t beacon_ms,
                           uint64_t beacon_hz, const wl_witness *w,
                           poc_witness_in *in)
{
    uint64_t cb, cw;
    memset(in, 0, sizeof *in);
    memcpy(in->beacon_hash, beacon_hash->b, 32);
    memcpy(in->witness_hash, w->payload_hash.b, 32);
    in->beacon_ms = beacon_ms;
    in->witness_ms = w->time_ms;
    in->beacon_hz = beacon_hz;
    in->witness_hz = w->freq_hz;
    cairn_err e =
        hexg_distance_m(hb->lat, hb->lon, hw->lat, hw->lon, &in->dist_m);
    if (!e && !(e = hexg_parent(hb->cell, 11, &cb)) &&
        !(e = hexg_parent(hw->cell, 11, &cw)))
        e = hexg_grid_distance(cb, cw, &in->grid_cells);
    if (e)
        return CAIRN_ERR_DB; /* stored cells are valid */
    in->rssi_cdbm = w->rssi_cdbm;
    in->snr_cdb = w->snr_cdb;
    in->tx_power_cdbm = hb->tx_power_cdbm;
    in->gain_tx_cdbi = hb->gain_cdbi;
    in->gain_rx_cdbi = hw->gain_cdbi;
    memcpy(in->beacon_owner, hb->pk.b, 32);
    memcpy(in->witness_owner, hw->pk.b, 32);
    memcpy(in->witness_key, hw->pk.b, 32);
    return CAIRN_OK;
}
