/* Shared by the wireless-sector tests (test_wireless_chain.c,
 * test_state_docs.c): the twin chains of gov_fixture.h plus hotspots with
 * their own keys (funded by transfers from the fixture's keys), placed at
 * asserted and true coordinates, and a driver that runs one epoch of
 * proof of coverage: each planned beaconer's witnesses report at its slot,
 * and its receipt goes in after the witness window. Real signatures, real
 * LMDB; the books are audited after every block. Include after cmocka.h. */
#ifndef CAIRN_TEST_WIRELESS_FIXTURE_H
#define CAIRN_TEST_WIRELESS_FIXTURE_H

#include "compute_fixture.h"

#include "cairn/wireless.h"
#include "ledger/view.h"
#include "sectors/wireless/hexgrid.h"
#include "sectors/wireless/wl.h"

#define WX_MAX 16
#define WX_FREQ 904300000ull
#define WX_DELAY_MS 300 /* reception after the slot block's time */

typedef struct wx_hotspot {
    cairn_keypair kp;
    int32_t lat, lon;           /* asserted */
    int32_t true_lat, true_lon; /* where its radio is */
    int16_t gain, power;
} wx_hotspot;

static wx_hotspot wx[WX_MAX];
static int wx_n;

/* Signs a tx of kp and admits it to chain i; returns the error. */
static inline cairn_err wx_submit(twin *t, int i, const cairn_keypair *kp,
                                  uint16_t kind, const cairn_buf *body)
{
    cairn_account a;
    cairn_buf b;
    cairn_tx tx;
    cairn_hash h;
    assert_int_equal(cairn_chain_account(t->c[i], &kp->pk, &a), CAIRN_OK);
    cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);
    uint64_t nonce = a.nonce + cairn_mempool_pending(t->mp[i], &kp->pk);
    assert_int_equal(
        cairn_tx_make(&b, FX_CHAIN, kp, nonce, FEE, kind, body->p, body->len),
        CAIRN_OK);
    cairn_err e = cairn_chain_check_tx(t->c[i], b.p, b.len, &tx, &h);
    if (!e)
        e = cairn_mempool_add(t->mp[i], b.p, b.len, &tx, &h, a.nonce);
    cairn_buf_free(&b);
    return e;
}

/* A good tx of hotspot `who` on both chains. Resets body. */
static inline void wx_both(twin *t, int who, uint16_t kind, cairn_buf *body)
{
    assert_int_equal(wx_submit(t, 0, &wx[who].kp, kind, body), CAIRN_OK);
    assert_int_equal(wx_submit(t, 1, &wx[who].kp, kind, body), CAIRN_OK);
    cairn_buf_reset(body);
}

/* A bad tx of hotspot `who`: chain A only, then one block on both (the
 * roots must stay equal). The admission error, else the drop error. */
static inline cairn_err wx_bad(twin *t, int who, uint16_t kind, cairn_buf *body)
{
    cairn_err e = wx_submit(t, 0, &wx[who].kp, kind, body);
    cairn_buf_reset(body);
    cairn_err d = step(t);
    dx_audit(t);
    return e ? e : d;
}

/* Adds hotspot i at (lat, lon) asserted, its radio at (tlat, tlon). */
static inline void wx_place(int i, int32_t lat, int32_t lon, int32_t tlat,
                            int32_t tlon)
{
    uint8_t seed[32] = {0};
    seed[0] = (uint8_t)i;
    seed[1] = 0x77;
    cairn_keypair_from_seed(&wx[i].kp, seed);
    wx[i].lat = lat;
    wx[i].lon = lon;
    wx[i].true_lat = tlat;
    wx[i].true_lon = tlon;
    wx[i].gain = 300;
    wx[i].power = 2700;
    if (i >= wx_n)
        wx_n = i + 1;
}

static inline void wx_assert_body(cairn_buf *b, int i)
{
    cairn_hotspot_assert a = {wx[i].lat, wx[i].lon, wx[i].gain, 10,
                              wx[i].power};
    cairn_hotspot_assert_encode(b, &a);
}

/* Funds hotspots 0..wx_n-1 (1000 tokens each from the fixture's keys),
 * registers them in the wireless sector with 100 tokens of stake and
 * asserts their locations: three blocks. */
static inline void wx_setup(twin *t)
{
    cairn_buf b;
    cairn_buf_init(&b, 4096);
    for (int i = 0; i < wx_n; i++) {
        cairn_put_bytes(&b, wx[i].kp.pk.b, 32);
        cairn_put_u64(&b, 1000 * TOK);
        both(t, 1 + i % FX_KEYS, CAIRN_TX_TRANSFER, &b);
    }
    cx_step(t);
    for (int i = 0; i < wx_n; i++) {
        cairn_register r = {CAIRN_SECTOR_WIRELESS, 0, 100 * TOK,
                            "udp://127.0.0.1:1700"};
        cairn_register_encode(&b, &r);
        wx_both(t, i, CAIRN_TX_REGISTER, &b);
    }
    cx_step(t);
    for (int i = 0; i < wx_n; i++) {
        wx_assert_body(&b, i);
        wx_both(t, i, CAIRN_TX_HOTSPOT_ASSERT, &b);
    }
    cx_step(t);
    cairn_buf_free(&b);
}

/* ---- reads through a view of chain A ---- */

typedef struct wx_view_arg {
    const cairn_pubkey *pk;
    wl_sched sc;
    wl_params P;
    uint64_t slot_time;
} wx_view_arg;

static inline cairn_err wx_view_sched(const chain_view *v, void *arg)
{
    wx_view_arg *a = arg;
    cairn_err e = wl_params_read(v->txn, v->s, &a->P);
    if (!e)
        e = wl_sched_now(v->txn, v->s, &a->P, a->pk, &a->sc);
    return e;
}

/* This epoch's schedule of hotspot i (and the sector's params). */
static inline wx_view_arg wx_sched(twin *t, int i)
{
    wx_view_arg a = {.pk = &wx[i].kp.pk};
    assert_int_equal(chain_view_run(t->c[0], wx_view_sched, &a), CAIRN_OK);
    return a;
}

typedef struct wx_wit_arg {
    uint64_t epoch;
    const cairn_pubkey *b, *w;
    wl_witness out;
    wl_units u;
    int found;
} wx_wit_arg;

static inline cairn_err wx_view_wit(const chain_view *v, void *arg)
{
    wx_wit_arg *a = arg;
    wl_witness *l = NULL;
    size_t n = 0;
    cairn_err e = wl_witness_list(v->txn, v->s, a->epoch, a->b, &l, &n);
    for (size_t i = 0; !e && i < n; i++)
        if (a->w && memcmp(l[i].witness.b, a->w->b, 32) == 0) {
            a->out = l[i];
            a->found = 1;
        }
    free(l);
    return e;
}

/* The witness record of w for b's beacon in epoch e (must exist). */
static inline wl_witness wx_witness(twin *t, uint64_t e, int b, int w)
{
    wx_wit_arg a = {.epoch = e, .b = &wx[b].kp.pk, .w = &wx[w].kp.pk};
    assert_int_equal(chain_view_run(t->c[0], wx_view_wit, &a), CAIRN_OK);
    if (!a.found)
        fail_msg("no witness record of %d for %d's beacon in epoch %llu", w, b,
                 (unsigned long long)e);
    return a.out;
}

static inline cairn_err wx_view_units(const chain_view *v, void *arg)
{
    wx_wit_arg *a = arg;
    return wl_units_read(v->txn, v->s, a->epoch, a->b, &a->u);
}

/* Hotspot i's final units of epoch e (zero when it earned none). */
static inline wl_units wx_units(twin *t, uint64_t e, int i)
{
    wx_wit_arg a = {.epoch = e, .b = &wx[i].kp.pk};
    assert_int_equal(chain_view_run(t->c[0], wx_view_units, &a), CAIRN_OK);
    return a.u;
}

/* ---- reports ---- */

/* The strongest RSSI hotspot w's radio can hear from b's radio plus adj
 * (cdB; honest reports use a negative adj). */
static inline int32_t wx_rssi(int b, int w, int32_t adj, int asserted)
{
    uint64_t d;
    if (asserted)
        assert_int_equal(
            hexg_distance_m(wx[b].lat, wx[b].lon, wx[w].lat, wx[w].lon, &d), 0);
    else
        assert_int_equal(hexg_distance_m(wx[b].true_lat, wx[b].true_lon,
                                         wx[w].true_lat, wx[w].true_lon, &d),
                         0);
    return (
        int32_t)(poc_rssi_max(wx[b].power, wx[b].gain, wx[w].gain, d, WX_FREQ) +
                 adj);
}

/* Hotspot b's beacon payload for epoch e with seed. */
static inline void wx_payload(uint8_t p[CAIRN_BEACON_PAYLOAD_LEN], int b,
                              uint64_t e, const cairn_hash *seed)
{
    assert_int_equal(cairn_beacon_make(p, FX_CHAIN, e, seed, &wx[b].kp),
                     CAIRN_OK);
}

/* A report by w of b's beacon payload p, heard at time_ms with rssi. */
static inline cairn_witness_report wx_report(int b, int w, uint64_t epoch,
                                             const uint8_t *p, uint64_t time_ms,
                                             int32_t rssi)
{
    cairn_witness_report r;
    memset(&r, 0, sizeof r);
    r.beaconer = wx[b].kp.pk;
    r.epoch = epoch;
    cairn_beacon_payload_hash(&r.payload_hash, p, CAIRN_BEACON_PAYLOAD_LEN);
    r.time_ms = time_ms;
    r.freq_hz = WX_FREQ;
    r.rssi_cdbm = rssi;
    r.snr_cdb = 500;
    assert_int_equal(cairn_witness_sign(&r, FX_CHAIN, &wx[w].kp), CAIRN_OK);
    return r;
}

static inline void wx_witness_body(cairn_buf *b, const cairn_witness_report *r)
{
    assert_int_equal(cairn_poc_witness_encode(b, r, 1), CAIRN_OK);
}

/* The POC_BEACON body of hotspot bi for the current epoch, sent at
 * time_ms. */
static inline void wx_beacon_body(twin *t, cairn_buf *b, int bi,
                                  uint64_t time_ms)
{
    wx_view_arg s = wx_sched(t, bi);
    cairn_poc_beacon x;
    memset(&x, 0, sizeof x);
    x.epoch = s.sc.epoch;
    assert_int_equal(
        cairn_beacon_sign(&x.sig, FX_CHAIN, s.sc.epoch, &s.sc.seed, &wx[bi].kp),
        CAIRN_OK);
    x.time_ms = time_ms;
    x.freq_hz = WX_FREQ;
    cairn_poc_beacon_encode(b, &x);
}

/* ---- the epoch driver ---- */

typedef struct wx_obs {
    int w;           /* witness */
    int32_t rssi;    /* what it reports */
    int replay;      /* reports the previous epoch's payload instead */
    int32_t late_ms; /* heard this much later than the others */
} wx_obs;

typedef struct wx_plan {
    int b;          /* beaconer */
    int no_receipt; /* never sends POC_BEACON */
    size_t n;
    wx_obs o[WX_MAX];
} wx_plan;

/* An honest plan: every hotspot in ws[0..nw) but b hears b from where its
 * radio is, 6 dB below free space. */
static inline wx_plan wx_honest(int b, const int *ws, size_t nw)
{
    wx_plan p;
    memset(&p, 0, sizeof p);
    p.b = b;
    for (size_t i = 0; i < nw; i++)
        if (ws[i] != b)
            p.o[p.n++] = (wx_obs){ws[i], wx_rssi(b, ws[i], -600, 0), 0, 0};
    return p;
}

/* Runs the current epoch to its end (the tip must be the block before its
 * first): the reports of each plan go into the block after its beaconer's
 * slot, its receipt after the witness window. Returns the epoch run. */
static inline uint64_t wx_run_epoch(twin *t, const wx_plan *plans, size_t np)
{
    cairn_buf b;
    wx_view_arg s0 = wx_sched(t, 0);
    uint64_t e = s0.sc.epoch, start = s0.sc.start;
    uint64_t end = start + s0.P.epoch_blocks - 1;
    uint64_t W = s0.P.witness_blocks;
    uint64_t slot[WX_MAX];
    assert_int_equal(fx_height(t), start - 1);
    assert_true(np <= WX_MAX);
    for (size_t i = 0; i < np; i++) {
        wx_view_arg s = wx_sched(t, plans[i].b);
        assert_true(s.sc.slot != CAIRN_SLOT_NONE);
        slot[i] = s.sc.slot;
    }
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
    while (fx_height(t) < end) {
        uint64_t tip = fx_height(t);
        for (size_t i = 0; i < np; i++) {
            const wx_plan *p = &plans[i];
            if (tip == slot[i]) {
                wx_view_arg s = wx_sched(t, p->b);
                uint8_t pl[CAIRN_BEACON_PAYLOAD_LEN],
                    old[CAIRN_BEACON_PAYLOAD_LEN];
                cairn_hash fake;
                wx_payload(pl, p->b, e, &s.sc.seed);
                memset(fake.b, 0x42, 32); /* another epoch's seed */
                wx_payload(old, p->b, e ? e - 1 : 0, &fake);
                for (size_t j = 0; j < p->n; j++) {
                    cairn_witness_report r =
                        wx_report(p->b, p->o[j].w, e, p->o[j].replay ? old : pl,
                                  slot[i] * 1000 + WX_DELAY_MS +
                                      (uint64_t)p->o[j].late_ms,
                                  p->o[j].rssi);
                    wx_witness_body(&b, &r);
                    wx_both(t, p->o[j].w, CAIRN_TX_POC_WITNESS, &b);
                }
            }
            if (tip == slot[i] + W && !p->no_receipt) {
                wx_beacon_body(t, &b, p->b, slot[i] * 1000 + 100);
                wx_both(t, p->b, CAIRN_TX_POC_BEACON, &b);
            }
        }
        cx_step(t);
    }
    cairn_buf_free(&b);
    return e;
}

#endif
