/* The wireless PoC kinds (docs/wireless-chain.md, "Kinds"): hotspot
 * assertions, witness reports, beacon receipts and appeals. A batch is all
 * or nothing: the ledger drops the nested txn on the first error. */
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "econ/staking.h"
#include "ledger/view.h"
#include "sectors/wireless/hexgrid.h"
#include "sectors/wireless/wl.h"

/* Body decoders' refusals (TRUNCATED, TRAILING, BAD_VERSION, ...) are
 * BAD_BODY to the ledger, as every sector's. */
static cairn_err body(cairn_err e)
{
    return e ? CAIRN_ERR_BAD_BODY : CAIRN_OK;
}

/* ---- 0x60 hotspot_assert ---- */

cairn_err wl_assert_check(const cairn_tx *tx)
{
    cairn_hotspot_assert a;
    return body(cairn_hotspot_assert_decode(&a, tx->body, tx->body_len));
}

static cairn_err cell_index(exec_ctx *x, uint64_t cell, const cairn_pubkey *pk,
                            int put)
{
    uint8_t k[41] = {WL_STATE_CELL}, one = 1;
    cairn_be64_put(k + 1, cell);
    memcpy(k + 9, pk->b, 32);
    if (put)
        return state_put(x->w, x->s, WL_STATE_CELL, k + 1, 40, &one, 1);
    return state_del_raw(x->w, x->s, k, sizeof k);
}

cairn_err wl_assert_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_hotspot_assert a;
    econ_provider p;
    wl_params P;
    wl_hotspot h;
    uint64_t cell;
    cairn_err e = body(cairn_hotspot_assert_decode(&a, tx->body, tx->body_len));
    if (e || (e = econ_provider_read(x->w->txn, x->s, &tx->sender, &p)))
        return e;
    if (p.sector != CAIRN_SECTOR_WIRELESS)
        return CAIRN_ERR_BAD_SECTOR;
    if (hexg_cell(a.lat_udeg, a.lon_udeg, 12, &cell))
        return CAIRN_ERR_BAD_BODY;
    if ((e = wl_params_read(x->w->txn, x->s, &P)))
        return e;
    e = wl_hotspot_read(x->w->txn, x->s, &tx->sender, &h);
    if (e == CAIRN_ERR_NOT_HOTSPOT) { /* the first assertion: free */
        memset(&h, 0, sizeof h);
        h.pk = tx->sender;
        h.cell = cell;
        if ((e = cell_index(x, cell, &h.pk, 1)))
            return e;
    } else if (e) {
        return e;
    } else if (h.cell != cell) { /* a move costs the location fee */
        if (P.location_fee &&
            ((e = econ_debit(x, &tx->sender, P.location_fee)) ||
             (e = econ_pay_fee(x, P.location_fee, NULL))))
            return e;
        if ((e = cell_index(x, h.cell, &h.pk, 0)) ||
            (e = cell_index(x, cell, &h.pk, 1)))
            return e;
        h.cell = cell;
        h.n_moves++;
    }
    h.lat = a.lat_udeg;
    h.lon = a.lon_udeg;
    h.gain_cdbi = a.gain_cdbi;
    h.elevation_m = a.elevation_m;
    h.tx_power_cdbm = a.tx_power_cdbm;
    h.asserted_height = x->height;
    return wl_hotspot_put(x, &h);
}

/* ---- 0x61 poc_witness ---- */

cairn_err wl_witness_check(const cairn_tx *tx)
{
    cairn_witness_report *w = malloc(CAIRN_POC_WITNESS_MAX * sizeof *w);
    size_t n;
    if (!w)
        return CAIRN_ERR_NOMEM;
    cairn_err e = body(cairn_poc_witness_decode(w, &n, tx->body, tx->body_len));
    for (size_t i = 0; !e && i < n; i++)
        e = cairn_witness_verify(&w[i], tx->chain_id);
    free(w);
    return e;
}

typedef struct dup_scan {
    const cairn_pubkey *witness;
    size_t n;
    int dup;
} dup_scan;

static cairn_err visit_dup(void *arg, const uint8_t *k, size_t kn,
                           const uint8_t *v, size_t vn)
{
    dup_scan *d = arg;
    (void)k;
    if (kn != 42 || vn != WL_WITNESS_LEN)
        return CAIRN_ERR_DB;
    d->n++;
    if (memcmp(v, d->witness->b, 32) == 0)
        d->dup = 1;
    return CAIRN_OK;
}

/* Stores one report of the current epoch. */
static cairn_err witness_one(exec_ctx *x, const wl_params *P,
                             const cairn_witness_report *r)
{
    wl_hotspot hb, hw;
    wl_sched sc;
    uint8_t k[42], v[WL_WITNESS_LEN];
    dup_scan d = {&r->witness, 0, 0};
    cairn_err e = wl_hotspot_read(x->w->txn, x->s, &r->witness, &hw);
    if (e || (e = wl_hotspot_read(x->w->txn, x->s, &r->beaconer, &hb)) ||
        (e = wl_sched_now(x->w->txn, x->s, P, &r->beaconer, &sc)))
        return e;
    if (r->epoch != sc.epoch)
        return CAIRN_ERR_POC_EPOCH;
    if (sc.slot == CAIRN_SLOT_NONE)
        return CAIRN_ERR_NO_BEACON_SLOT;
    if (x->height > sc.slot + P->witness_blocks)
        return CAIRN_ERR_WITNESS_LATE;
    wl_witness_key(k, sc.epoch, &r->beaconer, 0);
    if ((e = wl_scan_prefix(x->w->txn, x->s, k, 41, visit_dup, &d)))
        return e;
    if (d.dup)
        return CAIRN_ERR_WITNESS_DUP;
    if (d.n >= P->reports_max)
        return CAIRN_ERR_WITNESS_FULL;
    wl_witness w;
    memset(&w, 0, sizeof w);
    w.witness = r->witness;
    w.payload_hash = r->payload_hash;
    w.time_ms = r->time_ms;
    w.freq_hz = r->freq_hz;
    w.rssi_cdbm = r->rssi_cdbm;
    w.snr_cdb = r->snr_cdb;
    w.height = x->height;
    w.verdict = WL_V_PENDING;
    wl_witness_key(k, sc.epoch, &r->beaconer, (uint8_t)d.n);
    wl_witness_encode(v, &w);
    return state_put(x->w, x->s, WL_STATE_WITNESS, k + 1, 41, v, sizeof v);
}

cairn_err wl_witness_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_witness_report *w = malloc(CAIRN_POC_WITNESS_MAX * sizeof *w);
    wl_params P;
    size_t n;
    if (!w)
        return CAIRN_ERR_NOMEM;
    cairn_err e = body(cairn_poc_witness_decode(w, &n, tx->body, tx->body_len));
    if (!e)
        e = wl_params_read(x->w->txn, x->s, &P);
    for (size_t i = 0; !e && i < n; i++)
        e = witness_one(x, &P, &w[i]);
    free(w);
    return e;
}

/* ---- 0x62 poc_beacon ---- */

cairn_err wl_beacon_check(const cairn_tx *tx)
{
    cairn_poc_beacon b;
    return body(cairn_poc_beacon_decode(&b, tx->body, tx->body_len));
}

cairn_err wl_beacon_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_poc_beacon b;
    cairn_beacon_payload pl;
    wl_params P;
    wl_hotspot h;
    wl_sched sc;
    wl_beacon rec, old;
    uint64_t t_slot;
    uint8_t pbytes[CAIRN_BEACON_PAYLOAD_LEN];
    cairn_err e = body(cairn_poc_beacon_decode(&b, tx->body, tx->body_len));
    if (e || (e = wl_params_read(x->w->txn, x->s, &P)) ||
        (e = wl_hotspot_read(x->w->txn, x->s, &tx->sender, &h)) ||
        (e = wl_sched_now(x->w->txn, x->s, &P, &tx->sender, &sc)))
        return e;
    if (b.epoch != sc.epoch)
        return CAIRN_ERR_POC_EPOCH;
    if (sc.slot == CAIRN_SLOT_NONE)
        return CAIRN_ERR_NO_BEACON_SLOT;
    if (x->height <= sc.slot + P.witness_blocks)
        return CAIRN_ERR_BEACON_EARLY;
    e = wl_beacon_read(x->w->txn, x->s, sc.epoch, &tx->sender, &old);
    if (!e)
        return CAIRN_ERR_BEACON_DONE;
    if (e != CAIRN_ERR_NOT_FOUND)
        return e;
    if ((e = cairn_beacon_verify(&b.sig, tx->chain_id, sc.epoch, &sc.seed,
                                 &tx->sender)))
        return e;
    if ((e = chain_block_time(x->w->txn, x->s, sc.slot, &t_slot)))
        return e == CAIRN_ERR_NOT_FOUND ? CAIRN_ERR_DB : e;
    pl.beaconer = tx->sender;
    pl.epoch = sc.epoch;
    pl.sig = b.sig;
    cairn_beacon_payload_build(pbytes, &pl);
    memset(&rec, 0, sizeof rec);
    cairn_beacon_payload_hash(&rec.payload_hash, pbytes, sizeof pbytes);
    rec.time_ms = b.time_ms;
    rec.freq_hz = b.freq_hz;
    rec.height = x->height;
    rec.slot = sc.slot;
    rec.verdict =
        b.time_ms >= t_slot && b.time_ms - t_slot <= P.beacon_window_ms
            ? WL_B_OK
            : WL_B_OFF_SCHEDULE;
    return wl_beacon_put(x, sc.epoch, &tx->sender, &rec);
}

/* ---- 0x63 poc_appeal ---- */

cairn_err wl_appeal_check(const cairn_tx *tx)
{
    cairn_poc_appeal a;
    cairn_beacon_payload pl;
    cairn_err e = cairn_poc_appeal_decode(&a, tx->body, tx->body_len);
    if (!e &&
        (e = cairn_beacon_payload_parse(&pl, a.payload, sizeof a.payload)))
        e = CAIRN_ERR_BAD_BODY;
    return e;
}

typedef struct appeal_scan {
    const cairn_pubkey *witness;
    uint8_t idx;
    int found;
    uint32_t valid;
    wl_witness w;
} appeal_scan;

static cairn_err visit_appeal(void *arg, const uint8_t *k, size_t kn,
                              const uint8_t *v, size_t vn)
{
    appeal_scan *a = arg;
    wl_witness w;
    if (kn != 42)
        return CAIRN_ERR_DB;
    cairn_err e = wl_witness_decode(&w, v, vn);
    if (e)
        return e;
    if (w.verdict == POC_OK)
        a->valid++;
    if (memcmp(w.witness.b, a->witness->b, 32) == 0) {
        a->found = 1;
        a->idx = k[41];
        a->w = w;
    }
    return CAIRN_OK;
}

cairn_err wl_appeal_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_poc_appeal a;
    cairn_beacon_payload pl;
    wl_params P;
    wl_totals t;
    wl_hotspot hb, hw;
    econ_global g;
    uint8_t k[42], v[WL_WITNESS_LEN];
    uint64_t t_slot;
    cairn_hash ph;
    poc_witness_in in;
    cairn_err e = cairn_poc_appeal_decode(&a, tx->body, tx->body_len);
    if (e || (e = cairn_beacon_payload_parse(&pl, a.payload, sizeof a.payload)))
        return CAIRN_ERR_BAD_BODY;
    if ((e = wl_params_read(x->w->txn, x->s, &P)) ||
        (e = econ_global_get(x->w->txn, x->s, &g)))
        return e;
    if (a.epoch >= g.epoch || g.epoch - a.epoch > P.appeal_epochs)
        return CAIRN_ERR_APPEAL_WINDOW;
    e = wl_totals_read(x->w->txn, x->s, a.epoch, &t);
    if (e == CAIRN_ERR_NOT_FOUND)
        return CAIRN_ERR_APPEAL_WINDOW; /* pruned, or before the sector */
    if (e || (e = wl_hotspot_read(x->w->txn, x->s, &a.beaconer, &hb)) ||
        (e = wl_hotspot_read(x->w->txn, x->s, &a.witness, &hw)))
        return e;
    appeal_scan sc = {.witness = &a.witness};
    wl_witness_key(k, a.epoch, &a.beaconer, 0);
    if ((e = wl_scan_prefix(x->w->txn, x->s, k, 41, visit_appeal, &sc)))
        return e;
    if (!sc.found)
        return CAIRN_ERR_NOT_FOUND;
    if (sc.w.verdict != WL_V_NOT_REPORTED || sc.w.appealed)
        return CAIRN_ERR_APPEAL_REFUSED;
    /* the evidence: P is the beaconer's for that epoch and seed, and is
     * what the witness reported hearing */
    if (memcmp(pl.beaconer.b, a.beaconer.b, 32) != 0 || pl.epoch != a.epoch ||
        cairn_beacon_verify(&pl.sig, tx->chain_id, a.epoch, &t.seed,
                            &a.beaconer))
        return CAIRN_ERR_APPEAL_EVIDENCE;
    cairn_beacon_payload_hash(&ph, a.payload, sizeof a.payload);
    if (memcmp(ph.b, sc.w.payload_hash.b, 32) != 0)
        return CAIRN_ERR_APPEAL_EVIDENCE;
    /* the review: the witness check with the scheduled beacon time and the
     * witness's own frequency (no frequency check: the beacon's was never
     * reported) */
    uint64_t slot = cairn_beacon_slot(&t.seed, &a.beaconer, t.start_height,
                                      P.epoch_blocks, P.witness_blocks);
    if (slot == CAIRN_SLOT_NONE)
        return CAIRN_ERR_APPEAL_FAILED;
    if ((e = chain_block_time(x->w->txn, x->s, slot, &t_slot)))
        return e == CAIRN_ERR_NOT_FOUND ? CAIRN_ERR_DB : e;
    if ((e = wl_witness_input(&hb, &hw, &ph, t_slot, sc.w.freq_hz, &sc.w, &in)))
        return e;
    poc_result r = poc_check_witness(&P.poc, &in);
    if (r.reason != POC_OK)
        return CAIRN_ERR_APPEAL_FAILED;
    uint64_t n = (uint64_t)sc.valid + 1;
    if (n > P.poc.max_witnesses)
        return CAIRN_ERR_APPEAL_REFUSED; /* the beacon's cap is full */
    sc.w.verdict = POC_OK;
    sc.w.appealed = 1;
    sc.w.value = sc.w.limit = 0;
    sc.w.units = poc_witness_units(&P.poc, n);
    wl_witness_key(k, a.epoch, &a.beaconer, sc.idx);
    wl_witness_encode(v, &sc.w);
    if ((e = state_put(x->w, x->s, WL_STATE_WITNESS, k + 1, 41, v, sizeof v)))
        return e;
    /* credited in the current epoch, scaled and capped at its end */
    wl_units u;
    if ((e = wl_units_read(x->w->txn, x->s, g.epoch, &a.witness, &u)))
        return e;
    u.appeal_raw += sc.w.units;
    if ((e = wl_units_put(x, g.epoch, &a.witness, &u)))
        return e;
    t.appeals++;
    t.reason[WL_V_NOT_REPORTED]--;
    t.reason[POC_OK]++;
    t.witnesses_invalid--;
    t.witnesses_valid++;
    uint8_t tk[8], tv[WL_TOTALS_LEN];
    cairn_be64_put(tk, a.epoch);
    wl_totals_encode(tv, &t);
    return state_put(x->w, x->s, WL_STATE_TOTALS, tk, 8, tv, sizeof tv);
}
