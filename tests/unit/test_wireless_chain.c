/* The wireless sector's proof of coverage on a real chain (twin chains,
 * real LMDB, real signatures; the books audited after every block):
 * - honest witnesses in a dense cluster are valid and density-scaled;
 * - a hotspot asserting a false location fails the RSSI check with the
 *   reason and its message; its own beacon's witnesses fail too;
 * - a ring of 3 forging each other far from everyone is capped at 25%;
 * - a replayed beacon (another epoch's payload) is a payload mismatch;
 * - the emission paid sums exactly to the sector's share;
 * - late, duplicate, wrong-epoch, unknown-hotspot and forged reports,
 *   early and repeated receipts are refused;
 * - an appeal of not_reported: wrong payload refused, the right one
 *   succeeds once and pays, one that fails its review and a late one
 *   are refused;
 * - a location change costs the fee, other changes do not;
 * - the density example of docs/wireless-chain.md;
 * and a replay of the chain reaches the same state root. */
#include "wireless_fixture.h"

#include "core/bytes.h"
#include "wireless/cli/wireless_cli.h"
#include "wireless/wl_api.h"

#define ECON                                                                   \
    "{\"epoch_blocks\": 20, \"fee_provider_bps\": 7000,"                       \
    " \"fee_burn_bps\": 1000, \"fee_treasury_bps\": 1000,"                     \
    " \"fee_stakers_bps\": 1000}"

/* the density example's scales (docs/wireless-chain.md) */
#define WX_DENSITY_0 166666666
#define WX_DENSITY_1 333333333
#define WX_DENSITY_2 166666666
#define WX_DENSITY_3 1000000000
#define WX_DENSITY_4 1000000000

#define LAT0 37000000
#define LON0 (-122000000)

enum { H0, H1, H2, H3, H4, H5, LIAR, R0, R1, R2 };
static const int cluster[] = {H0, H1, H2, H3, H4, H5};

/* Six honest hotspots ~600 m apart, a liar whose radio sits among them but
 * who asserts 40 km north, and a ring of three 2 km apart some 280 km
 * away. */
static void place_all(int with_liar_ring)
{
    wx_n = 0;
    const int32_t off[6][2] = {{0, 0},       {5400, 0},  {0, 6800},
                               {5400, 6800}, {10800, 0}, {10800, 6800}};
    for (int i = 0; i < 6; i++)
        wx_place(i, LAT0 + off[i][0], LON0 + off[i][1], LAT0 + off[i][0],
                 LON0 + off[i][1]);
    if (!with_liar_ring)
        return;
    wx_place(LIAR, LAT0 + 360000, LON0, LAT0 + 2700, LON0 + 3400);
    wx_place(R0, 39000000, -120000000, 39000000, -120000000);
    wx_place(R1, 39018000, -120000000, 39018000, -120000000);
    wx_place(R2, 39000000, -119977000, 39000000, -119977000);
}

/* Epochs with a wider witness window, for the refusals test. */
#define ECON_WIDE "{\"epoch_blocks\": 20, \"wireless_witness_blocks\": 8}"

static void open_chain_econ(twin *t, int with_liar_ring, const char *econ)
{
    twin_open(t, econ);
    place_all(with_liar_ring);
    wx_setup(t);
    cx_to_epoch(t, 1);
}

static void open_chain(twin *t, int with_liar_ring)
{
    open_chain_econ(t, with_liar_ring, ECON);
}

static uint64_t mul_div(uint64_t a, uint64_t b, uint64_t d)
{
    return (uint64_t)((unsigned __int128)a * b / d);
}

/* Σ balances + fees paid (nonces × FEE) of every hotspot. */
static uint64_t wealth(twin *t)
{
    uint64_t s = 0;
    for (int i = 0; i < wx_n; i++) {
        cairn_account a;
        assert_int_equal(cairn_chain_account(t->c[0], &wx[i].kp.pk, &a),
                         CAIRN_OK);
        s += a.balance + a.nonce * FEE;
    }
    return s;
}

static void liars_and_ring(void **state)
{
    (void)state;
    twin t;
    wx_plan p[WX_MAX];
    size_t np = 0;
    open_chain(&t, 1);
    for (int i = 0; i < 6; i++)
        p[np++] = wx_honest(cluster[i], cluster, 6);
    /* the liar hears H0 from where its radio really is */
    p[0].o[p[0].n++] = (wx_obs){LIAR, wx_rssi(H0, LIAR, -600, 0), 0, 0};
    /* the cluster hears the liar's beacon from its true place */
    p[np++] = wx_honest(LIAR, (const int[]){H0, H1, H2, H3, H4, H5}, 6);
    /* the ring forges: just under the free-space limit at the asserted
     * distance, so every check passes */
    const int ring[] = {R0, R1, R2};
    for (int i = 0; i < 3; i++) {
        wx_plan q;
        memset(&q, 0, sizeof q);
        q.b = ring[i];
        for (int j = 0; j < 3; j++)
            if (j != i)
                q.o[q.n++] =
                    (wx_obs){ring[j], wx_rssi(ring[i], ring[j], -100, 1), 0, 0};
        p[np++] = q;
    }
    uint64_t before = wealth(&t);
    uint64_t e = wx_run_epoch(&t, p, np);
    assert_int_equal(e, 1);

    /* honest: valid; the liar: RSSI impossible, with its message */
    for (int i = 1; i < 6; i++)
        assert_int_equal(wx_witness(&t, e, H0, cluster[i]).verdict, POC_OK);
    wl_witness lw = wx_witness(&t, e, H0, LIAR);
    char msg[160];
    wl_verdict_format(&lw, msg, sizeof msg);
    print_message("liar's witness: %s\n", msg);
    assert_int_equal(lw.verdict, POC_RSSI_IMPOSSIBLE);
    assert_non_null(strstr(msg, "RSSI above free-space limit by"));
    assert_true(lw.value > 1500); /* ~20 dB over */
    for (int i = 0; i < 6; i++)
        assert_int_equal(wx_witness(&t, e, LIAR, cluster[i]).verdict,
                         POC_RSSI_IMPOSSIBLE);
    wl_units lu = wx_units(&t, e, LIAR);
    assert_int_equal(lu.beacon + lu.witness, 0);

    /* the dense cluster: scaled, not rejected, not capped */
    poc_params pp;
    poc_params_default(&pp);
    int scaled = 0;
    for (int i = 0; i < 6; i++) {
        wl_units u = wx_units(&t, e, cluster[i]);
        assert_false(u.capped);
        assert_true(u.scale > 0 && u.scale <= POC_ONE);
        scaled += u.scale < POC_ONE;
        /* 5 valid witnesses of its beacon; it witnessed the other 5 */
        assert_int_equal(u.beacon,
                         mul_div(poc_beacon_units(&pp, 5), u.scale, POC_ONE));
        assert_int_equal(
            u.witness,
            mul_div(5 * poc_witness_units(&pp, cluster[i] == H0 ? 5 : 5),
                    u.scale, POC_ONE));
        print_message("H%d scale %llu\n", i, (unsigned long long)u.scale);
    }
    assert_true(scaled > 0);

    /* the ring: valid reports, but a closed group of 3: 25% */
    for (int i = 0; i < 3; i++) {
        wl_units u = wx_units(&t, e, ring[i]);
        assert_true(u.capped);
        uint64_t raw_b = poc_beacon_units(&pp, 2), raw_w = 2 * POC_ONE;
        assert_int_equal(
            u.beacon, mul_div(mul_div(raw_b, u.scale, POC_ONE), 2500, 10000));
        assert_int_equal(
            u.witness, mul_div(mul_div(raw_w, u.scale, POC_ONE), 2500, 10000));
    }

    /* the sector paid exactly its share */
    cairn_epoch_metrics m;
    assert_int_equal(cairn_chain_epoch_metrics(t.c[0], e, &m), CAIRN_OK);
    uint64_t after = wealth(&t);
    print_message("wireless share %llu, hotspots got %llu\n",
                  (unsigned long long)m.emitted_sector[CAIRN_SECTOR_WIRELESS],
                  (unsigned long long)(after - before));
    assert_true(m.emitted_sector[CAIRN_SECTOR_WIRELESS] > 0);
    assert_int_equal(after - before, m.emitted_sector[CAIRN_SECTOR_WIRELESS]);
    assert_true(m.work_units[CAIRN_SECTOR_WIRELESS] > 0);

    /* the API says the same */
    json_t *j = NULL;
    assert_int_equal(wl_api_witnesses(t.c[0], &wx[H0].kp.pk, e, &j), 0);
    assert_int_equal(json_array_size(json_object_get(j, "witnesses")), 6);
    json_t *w;
    size_t i;
    int seen_liar = 0;
    json_array_foreach(json_object_get(j, "witnesses"), i, w)
    {
        if (!strcmp(json_string_value(json_object_get(w, "verdict")),
                    "rssi_impossible")) {
            seen_liar = 1;
            assert_non_null(
                strstr(json_string_value(json_object_get(w, "message")),
                       "RSSI above free-space limit by"));
        }
    }
    assert_true(seen_liar);
    json_decref(j);
    assert_int_equal(wl_api_epoch(t.c[0], e, &j), 0);
    assert_int_equal(json_integer_value(json_object_get(j, "hotspots_capped")),
                     3);
    json_decref(j);
    assert_int_equal(wl_api_coverage(t.c[0], 7, &j), 0);
    assert_true(json_array_size(json_object_get(j, "hexes")) >= 3);
    json_t *geo = wireless_geojson(j), *f0;
    assert_string_equal(json_string_value(json_object_get(geo, "type")),
                        "FeatureCollection");
    f0 = json_array_get(json_object_get(geo, "features"), 0);
    json_t *g0 = json_object_get(f0, "geometry");
    assert_string_equal(json_string_value(json_object_get(g0, "type")),
                        "Polygon");
    json_t *ring0 = json_array_get(json_object_get(g0, "coordinates"), 0);
    assert_int_equal(json_array_size(ring0), 7); /* six corners, closed */
    assert_true(json_equal(json_array_get(ring0, 0), json_array_get(ring0, 6)));
    json_decref(geo);
    json_decref(j);
    assert_int_equal(wl_api_hotspot(t.c[0], &wx[H1].kp.pk, &j), 0);
    assert_true(json_is_object(json_object_get(j, "beacon")));
    json_decref(j);

    /* epoch 2: H3 replays an old beacon of H0's */
    np = 0;
    p[np++] = wx_honest(H0, cluster, 6);
    for (size_t k = 0; k < p[0].n; k++)
        if (p[0].o[k].w == H3)
            p[0].o[k].replay = 1;
    e = wx_run_epoch(&t, p, np);
    wl_witness rw = wx_witness(&t, e, H0, H3);
    assert_int_equal(rw.verdict, POC_PAYLOAD_MISMATCH);
    assert_int_equal(wx_witness(&t, e, H0, H1).verdict, POC_OK);

    fx_replay_check(&t);
    twin_close(&t);
}

static void refusals(void **state)
{
    (void)state;
    twin t;
    cairn_buf b;
    open_chain_econ(&t, 0, ECON_WIDE);
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
    wx_view_arg s = wx_sched(&t, H0);
    /* an epoch whose slot for H0 leaves room for the steps below (four
     * blocks after the witness window: late witness, bad beacon, beacon,
     * beacon again) */
    for (int i = 0; i < 20 && s.sc.slot + s.P.witness_blocks + 4 >
                                  s.sc.start + s.P.epoch_blocks - 1;
         i++) {
        cx_to_epoch(&t, s.sc.epoch + 1);
        s = wx_sched(&t, H0);
    }
    uint64_t e = s.sc.epoch, slot = s.sc.slot, W = s.P.witness_blocks;
    assert_int_equal(W, 8);
    assert_true(slot + W + 4 <= s.sc.start + s.P.epoch_blocks - 1);
    uint8_t pl[CAIRN_BEACON_PAYLOAD_LEN];
    wx_payload(pl, H0, e, &s.sc.seed);
    cx_to_height(&t, slot);
    cairn_witness_report r = wx_report(H0, H1, e, pl, slot * 1000 + WX_DELAY_MS,
                                       wx_rssi(H0, H1, -600, 0));
    wx_witness_body(&b, &r);
    wx_both(&t, H1, CAIRN_TX_POC_WITNESS, &b);
    cx_step(&t); /* block slot + 1 */
    /* refused at admission (no block): forged, another chain's */
    cairn_witness_report x =
        wx_report(H0, H2, e, pl, slot * 1000 + WX_DELAY_MS, -9000);
    x.rssi_cdbm += 100; /* signed, then changed */
    wx_witness_body(&b, &x);
    assert_int_equal(wx_submit(&t, 0, &wx[H2].kp, CAIRN_TX_POC_WITNESS, &b),
                     CAIRN_ERR_BAD_SIG);
    cairn_buf_reset(&b);
    x = wx_report(H0, H2, e, pl, slot * 1000 + WX_DELAY_MS, -9000);
    assert_int_equal(cairn_witness_sign(&x, "other-chain", &wx[H2].kp), 0);
    wx_witness_body(&b, &x);
    assert_int_equal(wx_submit(&t, 0, &wx[H2].kp, CAIRN_TX_POC_WITNESS, &b),
                     CAIRN_ERR_BAD_SIG);
    cairn_buf_reset(&b);
    /* refused by the rules (one block each, slot + 2 .. slot + 6) */
    wx_beacon_body(&t, &b, H0, slot * 1000 + 100);
    assert_int_equal(wx_bad(&t, H0, CAIRN_TX_POC_BEACON, &b),
                     CAIRN_ERR_BEACON_EARLY);
    wx_witness_body(&b, &r);
    assert_int_equal(wx_bad(&t, H1, CAIRN_TX_POC_WITNESS, &b),
                     CAIRN_ERR_WITNESS_DUP);
    x = wx_report(H0, H2, e + 1, pl, slot * 1000 + WX_DELAY_MS, -9000);
    wx_witness_body(&b, &x);
    assert_int_equal(wx_bad(&t, H2, CAIRN_TX_POC_WITNESS, &b),
                     CAIRN_ERR_POC_EPOCH);
    x = wx_report(H0, H2, e, pl, slot * 1000 + WX_DELAY_MS, -9000);
    x.beaconer = fx_keys[3].pk; /* no hotspot */
    assert_int_equal(cairn_witness_sign(&x, FX_CHAIN, &wx[H2].kp), 0);
    wx_witness_body(&b, &x);
    assert_int_equal(wx_bad(&t, H2, CAIRN_TX_POC_WITNESS, &b),
                     CAIRN_ERR_NOT_HOTSPOT);
    assert_true(fx_height(&t) <= slot + W);
    /* after the deadline */
    cx_to_height(&t, slot + W);
    x = wx_report(H0, H2, e, pl, slot * 1000 + WX_DELAY_MS, -9000);
    wx_witness_body(&b, &x);
    assert_int_equal(wx_bad(&t, H2, CAIRN_TX_POC_WITNESS, &b),
                     CAIRN_ERR_WITNESS_LATE);
    /* a bad beacon signature; the receipt once, not twice */
    cairn_poc_beacon bb;
    memset(&bb, 0, sizeof bb);
    bb.epoch = e;
    bb.time_ms = slot * 1000;
    cairn_poc_beacon_encode(&b, &bb);
    assert_int_equal(wx_bad(&t, H0, CAIRN_TX_POC_BEACON, &b),
                     CAIRN_ERR_BAD_SIG);
    wx_beacon_body(&t, &b, H0, slot * 1000 + 100);
    wx_both(&t, H0, CAIRN_TX_POC_BEACON, &b);
    cx_step(&t);
    wx_beacon_body(&t, &b, H0, slot * 1000 + 100);
    assert_int_equal(wx_bad(&t, H0, CAIRN_TX_POC_BEACON, &b),
                     CAIRN_ERR_BEACON_DONE);
    cx_to_epoch(&t, e + 1);
    assert_int_equal(wx_witness(&t, e, H0, H1).verdict, POC_OK);
    /* an assertion from an account that is no wireless provider */
    wx_assert_body(&b, H0);
    assert_int_equal(bad(&t, 3, CAIRN_TX_HOTSPOT_ASSERT, &b),
                     CAIRN_ERR_NOT_PROVIDER);
    cairn_buf_free(&b);
    twin_close(&t);
}

static void appeals(void **state)
{
    (void)state;
    twin t;
    cairn_buf b;
    wx_plan p[1];
    open_chain(&t, 0);
    cairn_buf_init(&b, 4096);
    wx_view_arg s = wx_sched(&t, H0);
    p[0] = wx_honest(H0, cluster, 6);
    p[0].no_receipt = 1; /* H0 never reports its beacon */
    for (size_t k = 0; k < p[0].n; k++)
        if (p[0].o[k].w == H3)
            p[0].o[k].late_ms = 6000; /* heard 6 s after the slot block */
    uint64_t e = wx_run_epoch(&t, p, 1);
    assert_int_equal(wx_witness(&t, e, H0, H1).verdict, WL_V_NOT_REPORTED);
    assert_int_equal(wx_witness(&t, e, H0, H2).verdict, WL_V_NOT_REPORTED);

    cairn_poc_appeal a;
    memset(&a, 0, sizeof a);
    a.type = CAIRN_APPEAL_NOT_REPORTED;
    a.beaconer = wx[H0].kp.pk;
    a.epoch = e;
    a.witness = wx[H1].kp.pk;
    /* wrong payload: signed over another seed */
    cairn_hash fake;
    memset(fake.b, 9, 32);
    wx_payload(a.payload, H0, e, &fake);
    cairn_poc_appeal_encode(&b, &a);
    assert_int_equal(wx_bad(&t, H1, CAIRN_TX_POC_APPEAL, &b),
                     CAIRN_ERR_APPEAL_EVIDENCE);
    /* the payload H1 heard */
    wx_payload(a.payload, H0, e, &s.sc.seed);
    uint64_t bal = cx_balance(&t, 1);
    (void)bal;
    cairn_account a1;
    assert_int_equal(cairn_chain_account(t.c[0], &wx[H1].kp.pk, &a1), 0);
    cairn_poc_appeal_encode(&b, &a);
    wx_both(&t, H1, CAIRN_TX_POC_APPEAL, &b);
    cx_step(&t);
    wl_witness w1 = wx_witness(&t, e, H0, H1);
    assert_int_equal(w1.verdict, POC_OK);
    assert_true(w1.appealed);
    assert_int_equal(w1.units, POC_ONE); /* the first valid: 1 unit */
    /* once only */
    cairn_poc_appeal_encode(&b, &a);
    assert_int_equal(wx_bad(&t, H1, CAIRN_TX_POC_APPEAL, &b),
                     CAIRN_ERR_APPEAL_REFUSED);
    /* H3's report fails the review: late against the slot's time */
    a.witness = wx[H3].kp.pk;
    cairn_poc_appeal_encode(&b, &a);
    assert_int_equal(wx_bad(&t, H3, CAIRN_TX_POC_APPEAL, &b),
                     CAIRN_ERR_APPEAL_FAILED);
    assert_int_equal(wx_witness(&t, e, H0, H3).verdict, WL_V_NOT_REPORTED);
    a.witness = wx[H1].kp.pk;
    /* paid at the end of this epoch (a closed group of 2 so far: 25%) */
    uint64_t e2 = e + 1;
    cx_to_epoch(&t, e2 + 1);
    wl_units u = wx_units(&t, e2, H1);
    assert_true(u.witness > 0);
    assert_int_equal(u.witness, mul_div(mul_div(POC_ONE, u.scale, POC_ONE),
                                        u.capped ? 2500 : 10000, 10000));
    cairn_account a2;
    assert_int_equal(cairn_chain_account(t.c[0], &wx[H1].kp.pk, &a2), 0);
    assert_true(a2.balance + (a2.nonce - a1.nonce) * FEE > a1.balance);
    /* H2's appeal comes too late */
    cx_to_epoch(&t, e + s.P.appeal_epochs + 1);
    a.witness = wx[H2].kp.pk;
    cairn_poc_appeal_encode(&b, &a);
    assert_int_equal(wx_bad(&t, H2, CAIRN_TX_POC_APPEAL, &b),
                     CAIRN_ERR_APPEAL_WINDOW);
    fx_replay_check(&t);
    cairn_buf_free(&b);
    twin_close(&t);
}

static void location_fee(void **state)
{
    (void)state;
    twin t;
    cairn_buf b;
    open_chain(&t, 0);
    cairn_buf_init(&b, 256);
    cairn_account a0, a1, a2;
    assert_int_equal(cairn_chain_account(t.c[0], &wx[H0].kp.pk, &a0), 0);
    wx[H0].gain = 500; /* same cell, new gain: free */
    wx_assert_body(&b, H0);
    wx_both(&t, H0, CAIRN_TX_HOTSPOT_ASSERT, &b);
    cx_step(&t);
    assert_int_equal(cairn_chain_account(t.c[0], &wx[H0].kp.pk, &a1), 0);
    assert_int_equal(a0.balance - a1.balance, FEE);
    wx[H0].lat += 100000; /* 11 km north: the location fee */
    wx_assert_body(&b, H0);
    wx_both(&t, H0, CAIRN_TX_HOTSPOT_ASSERT, &b);
    cx_step(&t);
    assert_int_equal(cairn_chain_account(t.c[0], &wx[H0].kp.pk, &a2), 0);
    assert_int_equal(a1.balance - a2.balance, FEE + TOK);
    json_t *j = NULL;
    assert_int_equal(wl_api_hotspot(t.c[0], &wx[H0].kp.pk, &j), 0);
    assert_int_equal(json_integer_value(json_object_get(j, "moves")), 1);
    assert_int_equal(json_integer_value(json_object_get(j, "gain_cdbi")), 500);
    json_decref(j);
    /* out of bounds: refused at admission */
    wx[H0].power = 3601;
    wx_assert_body(&b, H0);
    assert_int_equal(wx_bad(&t, H0, CAIRN_TX_HOTSPOT_ASSERT, &b),
                     CAIRN_ERR_BAD_BODY);
    cairn_buf_free(&b);
    twin_close(&t);
}

/* The data-credit part's per-epoch data units (tag 0x7A), written here by
 * the test hook as that part would: H5 carried 40 DC in the epoch. */
typedef struct data_hook {
    uint64_t epoch, height;
    uint64_t price; /* the price feed's price it sets (base units/credit) */
} data_hook;

static cairn_err write_data_units(exec_ctx *x, void *arg)
{
    const data_hook *d = arg;
    uint8_t k[40], v[8];
    if (x->height != d->height)
        return CAIRN_OK;
    cairn_be64_put(k, d->epoch);
    memcpy(k + 8, wx[H5].kp.pk.b, 32);
    cairn_le64_put(v, 40);
    uint8_t pr[32] = {0}; /* price ‖ set height ‖ ref epoch ‖ ref price */
    cairn_le64_put(pr, d->price);
    cairn_le64_put(pr + 24, d->price);
    cairn_err e = state_put(x->w, x->s, 0x04, "price", 5, pr, sizeof pr);
    return e ? e : state_put(x->w, x->s, WL_STATE_DATA_UNITS, k, 40, v, 8);
}

/* The data pool goes by data credits carried, up to their value (HIP-10):
 * H5, which did no PoC this epoch, gets the data pool when its 40 credits
 * are worth more than the pool, else exactly their value (40 × price), the
 * excess going to beacons and witnesses; Σ = the share either way. */
static void data_pool_at(uint64_t price)
{
    twin t;
    wx_plan p[1];
    open_chain(&t, 0);
    wx_view_arg s = wx_sched(&t, H0);
    data_hook d = {s.sc.epoch, s.sc.start + 2, price};
    econ_set_test_hook(write_data_units, &d);
    p[0] = wx_honest(H0, cluster, 5); /* H0..H4: H5 is not in it */
    cairn_account a5, b5;
    assert_int_equal(cairn_chain_account(t.c[0], &wx[H5].kp.pk, &a5), 0);
    uint64_t before = wealth(&t);
    uint64_t e = wx_run_epoch(&t, p, 1);
    assert_int_equal(cairn_chain_account(t.c[0], &wx[H5].kp.pk, &b5), 0);
    cairn_epoch_metrics m;
    assert_int_equal(cairn_chain_epoch_metrics(t.c[0], e, &m), CAIRN_OK);
    uint64_t share = m.emitted_sector[CAIRN_SECTOR_WIRELESS];
    uint64_t pool = mul_div(share, 6250, 10000);
    assert_int_equal(b5.balance - a5.balance,
                     40 * price < pool ? 40 * price : pool);
    assert_int_equal(wealth(&t) - before, share);
    twin_close(&t);
}

static void data_pool(void **state)
{
    (void)state;
    data_pool_at(1000000000000ull); /* credits worth more than the pool */
    data_pool_at(10);               /* the devnet's price: capped at 400 */
}

/* docs/wireless-chain.md, "Density: a worked example". */
static void density_example(void **state)
{
    (void)state;
    poc_hip17_res prm[POC_NRES];
    poc_hip17_default(prm);
    /* five hotspots: three within ~150 m (one res-9 hex's worth), one
     * 450 m east, one 1.2 km north */
    const int32_t pos[5][2] = {{37000000, -122000000},
                               {37000900, -122000000},
                               {37000000, -121998900},
                               {37000000, -121994900},
                               {37010800, -122000000}};
    wl_hotspot h[5];
    uint64_t scale[5];
    memset(h, 0, sizeof h);
    for (int i = 0; i < 5; i++) {
        h[i].lat = pos[i][0];
        h[i].lon = pos[i][1];
        assert_int_equal(hexg_cell(h[i].lat, h[i].lon, 12, &h[i].cell), 0);
    }
    assert_int_equal(wl_density(prm, h, 5, scale), CAIRN_OK);
    uint64_t c[5][POC_NRES];
    for (int i = 0; i < 5; i++)
        for (unsigned r = 0; r < POC_NRES; r++)
            assert_int_equal(hexg_parent(h[i].cell, POC_RES_MIN + r, &c[i][r]),
                             0);
    /* the layout the doc describes: res 4..6 one hex for all five; res 7
     * A..D in one hex (4, under its limit of 5), E in another; res 8 A, B,
     * C in one hex, D and E each in a neighbour of it; res 9 A and C in
     * one hex, B in a neighbour; res 10 all apart */
    for (int i = 1; i < 5; i++)
        for (int r = 0; r < 3; r++)
            assert_true(c[i][r] == c[0][r]);
    for (int i = 1; i < 4; i++)
        assert_true(c[i][3] == c[0][3]);
    assert_true(c[4][3] != c[0][3]);
    assert_true(c[1][4] == c[0][4] && c[2][4] == c[0][4]);
    uint64_t nb[6];
    int d_nb = 0, e_nb = 0, b_nb = 0;
    assert_int_equal(hexg_neighbors(c[0][4], nb), 0);
    for (int j = 0; j < 6; j++) {
        d_nb |= nb[j] == c[3][4];
        e_nb |= nb[j] == c[4][4];
    }
    assert_true(d_nb && e_nb);
    assert_true(c[2][5] == c[0][5] && c[1][5] != c[0][5]);
    assert_int_equal(hexg_neighbors(c[0][5], nb), 0);
    for (int j = 0; j < 6; j++)
        b_nb |= nb[j] == c[1][5];
    assert_true(b_nb);
    for (int i = 0; i < 5; i++)
        for (int k = i + 1; k < 5; k++)
            assert_true(c[i][6] != c[k][6]);
    /* the numbers the doc quotes */
    const uint64_t want[5] = {WX_DENSITY_0, WX_DENSITY_1, WX_DENSITY_2,
                              WX_DENSITY_3, WX_DENSITY_4};
    for (int i = 0; i < 5; i++)
        assert_int_equal(scale[i], want[i]);
}

int main(void)
{
    cairn_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(density_example), cmocka_unit_test(location_fee),
        cmocka_unit_test(refusals),        cmocka_unit_test(appeals),
        cmocka_unit_test(data_pool),       cmocka_unit_test(liars_and_ring),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
