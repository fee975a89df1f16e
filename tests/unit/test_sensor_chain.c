/* The sensor sector on a real chain (twin chains of gov_fixture.h: a bad
 * transaction goes to chain A only and both state roots must stay equal;
 * real LMDB, real signatures; the books audited after every block):
 * - pairing: a bad device signature, a device already paired, a replayed
 *   old-generation pairing after a transfer, a wrong generation;
 * - a transfer revokes every grant;
 * - batches: a forged signature, a batch signed for a device it is not, a
 *   replayed seq, replayed content, a stale ref_height, a time overlap, a
 *   teleporting tile, a sealed key for an app without an active grant;
 * - consensus (with sensor_quorum_epochs 3 and 1: the same figures): a
 *   lone device, or two devices of the SAME owner, are not
 *   rewarded; two independent owners agree; a forger's disagreeing q is
 *   unpaid; freshness; a bounty paid exactly to the agreeing owners and one
 *   refunded exactly at its deadline;
 * - the window (sensor_quorum_epochs 3): a lone report corroborated one
 *   epoch later pays both owners, each once; a later third owner is paid
 *   alone; a report older than the window does not count; a forger's q
 *   in the window loses to two honest owners;
 * - weekly points at most once per device per week (0x8B), connection
 *   points by batch count;
 * - access pay: owner share + fee split = amount, paid_until;
 * - map read spends credits and needs agreed data;
 * and a replay of the chain reaches the same state root. */
#include "compute_fixture.h"

#include "cairn/credits.h"
#include "cairn/sensor.h"
#include "core/bytes.h"
#include "econ/staking.h"
#include "ledger/view.h"
#include "sectors/sensor/sn.h"
#include "sectors/wireless/hexgrid.h"
#include "sensor/sn_api.h"

#define ECON_W(W)                                                              \
    "{\"epoch_blocks\": 10, \"price_oracle\": \"%ORACLE%\","                   \
    " \"sensor_week_epochs\": 2, \"sensor_period_epochs\": 2,"                 \
    " \"sensor_fresh_epochs\": 4, \"sensor_full_batches\": 2,"                 \
    " \"sensor_quorum_epochs\": " W "}"
/* the default window (sensor_quorum_epochs 3) */
#define ECON ECON_W("3")

#define LAT0 37000000
#define LON0 (-122000000)

/* fx_keys: 1..3 sensor providers (owners), 4 and 5 owners that are not
 * providers, 6 the app and bounty funder. Key 1 is the price oracle. */
enum { O1 = 1, O2 = 2, O3 = 3, O4 = 4, O5 = 5, APP = 6 };
#define NDEV 8
static cairn_keypair dev[NDEV];

static void make_devices(void)
{
    for (int i = 0; i < NDEV; i++) {
        uint8_t seed[32] = {0};
        seed[0] = (uint8_t)i;
        seed[1] = 0x5E;
        cairn_keypair_from_seed(&dev[i], seed);
    }
}

static uint64_t cell_at(int32_t dlat, int32_t dlon)
{
    uint64_t c;
    assert_int_equal(hexg_cell(LAT0 + dlat, LON0 + dlon, 9, &c), CAIRN_OK);
    return c;
}

static void pair(twin *t, int owner, int d)
{
    cairn_buf b;
    cairn_sensor_pair p = {.device = dev[d].pk, .generation = 0};
    assert_int_equal(cairn_sensor_pair_sign(&p.sig, FX_CHAIN,
                                            &fx_keys[owner].pk, 0, &dev[d]),
                     CAIRN_OK);
    cairn_buf_init(&b, 256);
    cairn_sensor_pair_encode(&b, &p);
    both(t, owner, CAIRN_TX_DEVICE_PAIR, &b);
    cairn_buf_free(&b);
}

static void reg_sensor(twin *t, int who)
{
    cairn_buf b;
    cairn_register r = {CAIRN_SECTOR_SENSOR, 0, 100 * TOK,
                        "tcp://127.0.0.1:7300"};
    cairn_buf_init(&b, 4096);
    cairn_register_encode(&b, &r);
    both(t, who, CAIRN_TX_REGISTER, &b);
    cairn_buf_free(&b);
}

static uint64_t seq_of[NDEV], t_of[NDEV];

/* A batch of device d at the current height over the n cells with value
 * q (one per tile, 20 s apart). Heap; caller frees. */
static cairn_sensor_batch *mk_batch(twin *t, int d, const uint64_t *cells,
                                    size_t n, int64_t q)
{
    cairn_sensor_batch *b = calloc(1, sizeof *b);
    assert_non_null(b);
    b->device = dev[d].pk;
    b->seq = ++seq_of[d];
    b->ref_height = fx_height(t);
    b->t_from_ms = t_of[d] + 1000;
    b->t_to_ms = b->t_from_ms + 20000 * n;
    t_of[d] = b->t_to_ms;
    uint8_t salt[16];
    memcpy(salt, &b->seq, 8);
    salt[8] = (uint8_t)d;
    cairn_hash_bytes(&b->content, salt, 9);
    memset(b->file_id, d, sizeof b->file_id);
    b->ntiles = (uint16_t)n;
    for (size_t i = 0; i < n; i++) {
        b->tiles[i].cell = cells[i];
        b->tiles[i].enter_ms = (uint32_t)(20000 * i);
        b->tiles[i].points = 4;
        b->tiles[i].q = q;
    }
    b->readings = (uint32_t)(4 * n);
    assert_int_equal(cairn_sensor_batch_sign(b, FX_CHAIN, &dev[d]), CAIRN_OK);
    return b;
}

static void body_of(cairn_buf *out, const cairn_sensor_batch *b)
{
    cairn_buf_reset(out);
    cairn_sensor_batch_encode(out, b);
}

/* Registers a good batch of device d (sent by its owner). */
static void report(twin *t, int owner, int d, const uint64_t *cells, size_t n,
                   int64_t q)
{
    cairn_buf out;
    cairn_buf_init(&out, CAIRN_TX_MAX_BYTES);
    cairn_sensor_batch *b = mk_batch(t, d, cells, n, q);
    body_of(&out, b);
    both(t, owner, CAIRN_TX_BATCH_REGISTER, &out);
    cairn_buf_free(&out);
    free(b);
}

/* ---- reads through a view of chain A ---- */

typedef struct rd {
    uint64_t epoch, cell, week;
    const cairn_pubkey *a, *b;
    sn_device d;
    sn_grant g;
    sn_tile tile;
    sn_totals tot;
    uint64_t units, points, weekly, bounty;
    cairn_err e;
} rd;

static cairn_err v_device(const chain_view *v, void *arg)
{
    rd *r = arg;
    r->e = sn_device_read(v->txn, v->s, r->a, &r->d);
    return CAIRN_OK;
}

static cairn_err v_grant(const chain_view *v, void *arg)
{
    rd *r = arg;
    r->e = sn_grant_read(v->txn, v->s, r->a, r->b, &r->g);
    return CAIRN_OK;
}

static cairn_err v_tile(const chain_view *v, void *arg)
{
    rd *r = arg;
    r->e = sn_tile_read(v->txn, v->s, r->cell, &r->tile);
    return CAIRN_OK;
}

static cairn_err v_totals(const chain_view *v, void *arg)
{
    rd *r = arg;
    return sn_totals_read(v->txn, v->s, r->epoch, &r->tot);
}

static cairn_err v_units(const chain_view *v, void *arg)
{
    rd *r = arg;
    uint8_t k[40];
    MDB_val val;
    cairn_be64_put(k, r->epoch);
    memcpy(k + 8, r->a->b, 32);
    r->units = r->points = 0;
    r->e = state_get(v->txn, v->s, SN_STATE_UNITS, k, 40, &val);
    if (!r->e) {
        r->units = cairn_le64_get(val.mv_data);
        r->points = cairn_le64_get((const uint8_t *)val.mv_data + 8);
    }
    return CAIRN_OK;
}

static cairn_err v_weekly(const chain_view *v, void *arg)
{
    rd *r = arg;
    uint8_t k[40];
    MDB_val val;
    cairn_be64_put(k, r->week);
    memcpy(k + 8, r->a->b, 32);
    r->weekly = 0;
    r->e = state_get(v->txn, v->s, SN_STATE_WEEKLY, k, 40, &val);
    if (!r->e)
        r->weekly = cairn_le64_get(val.mv_data);
    return CAIRN_OK;
}

static cairn_err v_bounty(const chain_view *v, void *arg)
{
    rd *r = arg;
    uint8_t k[40];
    MDB_val val;
    cairn_be64_put(k, r->cell);
    memcpy(k + 8, r->a->b, 32);
    r->bounty = 0;
    r->e = state_get(v->txn, v->s, SN_STATE_BOUNTY, k, 40, &val);
    if (!r->e)
        r->bounty = cairn_le64_get(val.mv_data);
    return CAIRN_OK;
}

static cairn_err v_revenue(const chain_view *v, void *arg)
{
    econ_global g;
    cairn_err e = econ_global_get(v->txn, v->s, &g);
    if (!e)
        *(uint64_t *)arg = g.fees_sector[CAIRN_SECTOR_SENSOR];
    return e;
}

/* The sensor sector's revenue booked so far in the running epoch. */
static uint64_t sector_revenue(twin *t)
{
    uint64_t v = 0;
    assert_int_equal(chain_view_run(t->c[0], v_revenue, &v), CAIRN_OK);
    return v;
}

static rd rd_run(twin *t, chain_view_fn fn, rd r)
{
    assert_int_equal(chain_view_run(t->c[0], fn, &r), CAIRN_OK);
    return r;
}

static uint64_t epoch_now(twin *t)
{
    return cx_status(t).epoch;
}

/* Steps to the last block of the current epoch (not applied yet): the
 * next cx_step ends the epoch. */
static void to_epoch_last(twin *t)
{
    uint64_t end = cx_epoch_end(t);
    while (fx_height(t) + 1 < end)
        cx_step(t);
}

static void open_world_econ(twin *t, const char *econ)
{
    twin_open(t, econ);
    make_devices();
    memset(seq_of, 0, sizeof seq_of);
    memset(t_of, 0, sizeof t_of);
    reg_sensor(t, O1);
    reg_sensor(t, O2);
    reg_sensor(t, O3);
    cx_step(t);
}

static void open_world(twin *t)
{
    open_world_econ(t, ECON);
}

/* ---- pairing, transfer, batch refusals ---- */

static void test_refusals(void **st)
{
    (void)st;
    twin t;
    cairn_buf b;
    open_world(&t);
    cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);

    /* a bad device signature (signed by another key) */
    cairn_sensor_pair p = {.device = dev[0].pk};
    assert_int_equal(
        cairn_sensor_pair_sign(&p.sig, FX_CHAIN, &fx_keys[O1].pk, 0, &dev[1]),
        CAIRN_OK);
    cairn_sensor_pair_encode(&b, &p);
    assert_int_equal(bad(&t, O1, CAIRN_TX_DEVICE_PAIR, &b), CAIRN_ERR_BAD_SIG);
    /* signed for owner 1, sent by owner 2 */
    assert_int_equal(
        cairn_sensor_pair_sign(&p.sig, FX_CHAIN, &fx_keys[O1].pk, 0, &dev[0]),
        CAIRN_OK);
    cairn_sensor_pair_encode(&b, &p);
    assert_int_equal(bad(&t, O2, CAIRN_TX_DEVICE_PAIR, &b), CAIRN_ERR_BAD_SIG);
    /* a new device must pair at generation 0 */
    cairn_sensor_pair g1 = {.device = dev[5].pk, .generation = 1};
    assert_int_equal(
        cairn_sensor_pair_sign(&g1.sig, FX_CHAIN, &fx_keys[O1].pk, 1, &dev[5]),
        CAIRN_OK);
    cairn_sensor_pair_encode(&b, &g1);
    assert_int_equal(bad(&t, O1, CAIRN_TX_DEVICE_PAIR, &b),
                     CAIRN_ERR_PAIR_GENERATION);

    pair(&t, O1, 0);
    pair(&t, O2, 1);
    cx_step(&t);
    rd r = rd_run(&t, v_device, (rd){.a = &dev[0].pk});
    assert_int_equal(r.e, CAIRN_OK);
    assert_memory_equal(r.d.owner.b, fx_keys[O1].pk.b, 32);
    assert_int_equal(r.d.generation, 0);
    /* already paired: to another owner, and the same pairing again */
    cairn_sensor_pair p2 = {.device = dev[0].pk};
    assert_int_equal(
        cairn_sensor_pair_sign(&p2.sig, FX_CHAIN, &fx_keys[O2].pk, 0, &dev[0]),
        CAIRN_OK);
    cairn_sensor_pair_encode(&b, &p2);
    assert_int_equal(bad(&t, O2, CAIRN_TX_DEVICE_PAIR, &b),
                     CAIRN_ERR_DEVICE_PAIRED);
    cairn_sensor_pair_encode(&b, &p);
    assert_int_equal(bad(&t, O1, CAIRN_TX_DEVICE_PAIR, &b),
                     CAIRN_ERR_DEVICE_PAIRED);

    /* batches */
    uint64_t cells[3] = {cell_at(0, 0), cell_at(3000, 0), cell_at(6000, 0)};
    cairn_sensor_batch *x = mk_batch(&t, 0, cells, 3, 5);
    x->tiles[1].q = 6; /* forged after signing */
    body_of(&b, x);
    assert_int_equal(bad(&t, O1, CAIRN_TX_BATCH_REGISTER, &b),
                     CAIRN_ERR_BAD_SIG);
    free(x);
    /* signs for a device it is not: device 1's batch signed by device 0 */
    x = mk_batch(&t, 0, cells, 3, 5);
    x->device = dev[1].pk;
    assert_int_equal(cairn_sensor_batch_sign(x, FX_CHAIN, &dev[0]), CAIRN_OK);
    x->device = dev[1].pk;
    cairn_buf_reset(&b);
    {
        /* re-sign over the header naming device 1 with device 0's key */
        cairn_buf m;
        cairn_buf_init(&m, 1 << 16);
        cairn_put_bytes(&m, "cairn/sensor/batch/v1", 21);
        cairn_put_u8(&m, (uint8_t)strlen(FX_CHAIN));
        cairn_put_bytes(&m, FX_CHAIN, strlen(FX_CHAIN));
        cairn_sensor_batch_header_encode(&m, x);
        cairn_sign(&x->sig, m.p, m.len, &dev[0]);
        cairn_buf_free(&m);
    }
    body_of(&b, x);
    assert_int_equal(bad(&t, O2, CAIRN_TX_BATCH_REGISTER, &b),
                     CAIRN_ERR_BAD_SIG);
    free(x);
    /* not the owner */
    x = mk_batch(&t, 0, cells, 3, 5);
    body_of(&b, x);
    assert_int_equal(bad(&t, O2, CAIRN_TX_BATCH_REGISTER, &b),
                     CAIRN_ERR_NOT_DEVICE_OWNER);
    /* a good one */
    body_of(&b, x);
    both(&t, O1, CAIRN_TX_BATCH_REGISTER, &b);
    cx_step(&t);
    /* replayed seq (the same batch) */
    body_of(&b, x);
    assert_int_equal(bad(&t, O1, CAIRN_TX_BATCH_REGISTER, &b),
                     CAIRN_ERR_BATCH_REPLAY);
    /* replayed content under a new seq */
    cairn_sensor_batch *y = mk_batch(&t, 0, cells, 3, 5);
    y->content = x->content;
    assert_int_equal(cairn_sensor_batch_sign(y, FX_CHAIN, &dev[0]), CAIRN_OK);
    body_of(&b, y);
    assert_int_equal(bad(&t, O1, CAIRN_TX_BATCH_REGISTER, &b),
                     CAIRN_ERR_BATCH_REPLAY);
    free(y);
    /* the same content by another device */
    y = mk_batch(&t, 1, cells, 3, 5);
    y->content = x->content;
    assert_int_equal(cairn_sensor_batch_sign(y, FX_CHAIN, &dev[1]), CAIRN_OK);
    body_of(&b, y);
    assert_int_equal(bad(&t, O2, CAIRN_TX_BATCH_REGISTER, &b),
                     CAIRN_ERR_BATCH_REPLAY);
    free(y);
    /* a stale ref_height */
    for (int i = 0; i < 22; i++)
        cx_step(&t);
    y = mk_batch(&t, 0, cells, 3, 5);
    y->ref_height = fx_height(&t) - 21;
    assert_int_equal(cairn_sensor_batch_sign(y, FX_CHAIN, &dev[0]), CAIRN_OK);
    body_of(&b, y);
    assert_int_equal(bad(&t, O1, CAIRN_TX_BATCH_REGISTER, &b),
                     CAIRN_ERR_BATCH_STALE);
    free(y);
    /* a time overlap with the registered batch */
    y = mk_batch(&t, 0, cells, 3, 5);
    y->t_from_ms = x->t_to_ms;
    assert_int_equal(cairn_sensor_batch_sign(y, FX_CHAIN, &dev[0]), CAIRN_OK);
    body_of(&b, y);
    assert_int_equal(bad(&t, O1, CAIRN_TX_BATCH_REGISTER, &b),
                     CAIRN_ERR_BATCH_TIME);
    free(y);
    /* a teleport: 50 km in 2 s */
    uint64_t far[2] = {cell_at(0, 0), cell_at(450000, 0)};
    y = mk_batch(&t, 0, far, 2, 5);
    y->tiles[1].enter_ms = 2000;
    assert_int_equal(cairn_sensor_batch_sign(y, FX_CHAIN, &dev[0]), CAIRN_OK);
    body_of(&b, y);
    assert_int_equal(bad(&t, O1, CAIRN_TX_BATCH_REGISTER, &b),
                     CAIRN_ERR_BATCH_TELEPORT);
    {
        /* the sentence the agent and CLI print names both tiles and the
         * speed it would need */
        sn_params P = {
            .tile_res = 9, .batch_span_ms = 600000, .max_speed_mps = 70};
        char msg[256], c0[20], c1[20];
        assert_int_equal(sn_batch_shape_msg(y, &P, msg, sizeof msg),
                         CAIRN_ERR_BATCH_TELEPORT);
        snprintf(c0, sizeof c0, "%016llx", (unsigned long long)far[0]);
        snprintf(c1, sizeof c1, "%016llx", (unsigned long long)far[1]);
        assert_non_null(strstr(msg, c0));
        assert_non_null(strstr(msg, c1));
        assert_non_null(strstr(msg, "m/s"));
    }
    free(y);
    /* points that do not sum to readings; a repeated tile */
    y = mk_batch(&t, 0, cells, 3, 5);
    y->readings++;
    assert_int_equal(cairn_sensor_batch_sign(y, FX_CHAIN, &dev[0]), CAIRN_OK);
    body_of(&b, y);
    assert_int_equal(bad(&t, O1, CAIRN_TX_BATCH_REGISTER, &b),
                     CAIRN_ERR_BAD_BODY);
    y->readings--;
    y->tiles[2].cell = y->tiles[0].cell;
    assert_int_equal(cairn_sensor_batch_sign(y, FX_CHAIN, &dev[0]), CAIRN_OK);
    body_of(&b, y);
    assert_int_equal(bad(&t, O1, CAIRN_TX_BATCH_REGISTER, &b),
                     CAIRN_ERR_BAD_TILE);
    free(y);
    /* a sealed key for an app without a grant */
    y = mk_batch(&t, 0, cells, 3, 5);
    y->nkeys = 1;
    y->keys[0].app = fx_keys[APP].pk;
    assert_int_equal(cairn_sensor_batch_sign(y, FX_CHAIN, &dev[0]), CAIRN_OK);
    body_of(&b, y);
    assert_int_equal(bad(&t, O1, CAIRN_TX_BATCH_REGISTER, &b),
                     CAIRN_ERR_NO_GRANT);
    /* a priced grant not paid yet is not active either */
    cairn_sensor_grant g = {.device = dev[0].pk,
                            .app = fx_keys[APP].pk,
                            .privileges = CAIRN_SENSOR_PRIV_ALL,
                            .expiry_epoch = epoch_now(&t) + 10,
                            .price = 1000};
    cairn_buf_reset(&b);
    cairn_sensor_grant_encode(&b, &g);
    both(&t, O1, CAIRN_TX_GRANT, &b);
    cx_step(&t);
    body_of(&b, y);
    assert_int_equal(bad(&t, O1, CAIRN_TX_BATCH_REGISTER, &b),
                     CAIRN_ERR_NO_GRANT);
    /* paid: the sealed key is accepted */
    cairn_sensor_pay pay = {
        .device = dev[0].pk, .periods = 1, .max_price = 1000};
    cairn_buf_reset(&b);
    cairn_sensor_pay_encode(&b, &pay);
    both(&t, APP, CAIRN_TX_ACCESS_PAY, &b);
    cx_step(&t);
    body_of(&b, y);
    both(&t, O1, CAIRN_TX_BATCH_REGISTER, &b);
    cx_step(&t);
    free(y);
    /* revoked: refused again */
    cairn_buf_reset(&b);
    cairn_sensor_revoke_encode(&b, &dev[0].pk, &fx_keys[APP].pk);
    both(&t, O1, CAIRN_TX_REVOKE, &b);
    cx_step(&t);
    y = mk_batch(&t, 0, cells, 3, 5);
    y->nkeys = 1;
    y->keys[0].app = fx_keys[APP].pk;
    assert_int_equal(cairn_sensor_batch_sign(y, FX_CHAIN, &dev[0]), CAIRN_OK);
    body_of(&b, y);
    assert_int_equal(bad(&t, O1, CAIRN_TX_BATCH_REGISTER, &b),
                     CAIRN_ERR_NO_GRANT);
    free(y);
    cairn_buf_reset(&b);
    cairn_sensor_revoke_encode(&b, &dev[0].pk, &fx_keys[APP].pk);
    assert_int_equal(bad(&t, O1, CAIRN_TX_REVOKE, &b), CAIRN_ERR_NO_GRANT);

    /* transfer: grants of the device all go, generation + 1 */
    cairn_buf_reset(&b);
    cairn_sensor_grant_encode(&b, &g);
    both(&t, O1, CAIRN_TX_GRANT, &b);
    g.app = fx_keys[O5].pk;
    cairn_sensor_grant_encode(&b, &g);
    both(&t, O1, CAIRN_TX_GRANT, &b);
    cx_step(&t);
    r = rd_run(&t, v_grant, (rd){.a = &dev[0].pk, .b = &fx_keys[APP].pk});
    assert_int_equal(r.e, CAIRN_OK);
    cairn_sensor_transfer_encode(&b, &dev[0].pk, &fx_keys[O4].pk);
    assert_int_equal(bad(&t, O2, CAIRN_TX_DEVICE_TRANSFER, &b),
                     CAIRN_ERR_NOT_DEVICE_OWNER);
    cairn_sensor_transfer_encode(&b, &dev[0].pk, &fx_keys[O4].pk);
    both(&t, O1, CAIRN_TX_DEVICE_TRANSFER, &b);
    cx_step(&t);
    r = rd_run(&t, v_grant, (rd){.a = &dev[0].pk, .b = &fx_keys[APP].pk});
    assert_int_equal(r.e, CAIRN_ERR_NO_GRANT);
    r = rd_run(&t, v_grant, (rd){.a = &dev[0].pk, .b = &fx_keys[O5].pk});
    assert_int_equal(r.e, CAIRN_ERR_NO_GRANT);
    r = rd_run(&t, v_device, (rd){.a = &dev[0].pk});
    assert_memory_equal(r.d.owner.b, fx_keys[O4].pk.b, 32);
    assert_int_equal(r.d.generation, 1);
    /* the old owner's pairing replayed: refused */
    cairn_sensor_pair_encode(&b, &p);
    assert_int_equal(bad(&t, O1, CAIRN_TX_DEVICE_PAIR, &b),
                     CAIRN_ERR_DEVICE_PAIRED);
    /* the old owner can no longer register its batches */
    y = mk_batch(&t, 0, cells, 3, 5);
    body_of(&b, y);
    assert_int_equal(bad(&t, O1, CAIRN_TX_BATCH_REGISTER, &b),
                     CAIRN_ERR_NOT_DEVICE_OWNER);
    body_of(&b, y);
    both(&t, O4, CAIRN_TX_BATCH_REGISTER, &b);
    cx_step(&t);
    free(y);
    free(x);
    dx_audit(&t);
    fx_replay_check(&t);
    cairn_buf_free(&b);
    twin_close(&t);
}

/* ---- consensus, freshness, bounties, weekly points ---- */

/* The same story gives the same figures with a window of 1 epoch (today's
 * rule: agreement within one epoch) and of 3 (E1's lone reports of X are
 * by owner 1 only, who is paid at E2 with owner 2 anyway). */
static void consensus_run(const char *econ)
{
    twin t;
    cairn_buf b;
    open_world_econ(&t, econ);
    cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);
    /* devices: 0, 1 of owner 1; 2 of owner 2; 3 of owner 3 (the forger);
     * 4 of owner 4 and 5 of owner 5 (not providers) */
    pair(&t, O1, 0);
    pair(&t, O1, 1);
    pair(&t, O2, 2);
    pair(&t, O3, 3);
    pair(&t, O4, 4);
    pair(&t, O5, 5);
    cx_step(&t);
    cx_to_epoch(&t, epoch_now(&t) + 1);
    uint64_t X = cell_at(0, 0), Y = cell_at(30000, 0), Z = cell_at(60000, 0),
             W = cell_at(90000, 0);

    /* epoch E1: two devices of ONE owner on X, a lone device on Y */
    uint64_t e1 = epoch_now(&t);
    report(&t, O1, 0, &X, 1, 5);
    report(&t, O1, 1, &X, 1, 5);
    report(&t, O3, 3, &Y, 1, 7);
    cx_step(&t);
    cx_to_epoch(&t, e1 + 1);
    rd r = rd_run(&t, v_tile, (rd){.cell = X});
    assert_int_equal(r.e, CAIRN_ERR_NOT_FOUND);
    r = rd_run(&t, v_tile, (rd){.cell = Y});
    assert_int_equal(r.e, CAIRN_ERR_NOT_FOUND);
    r = rd_run(&t, v_totals, (rd){.epoch = e1});
    assert_int_equal(r.tot.batches, 3);
    assert_int_equal(r.tot.tiles_reported, 2);
    assert_int_equal(r.tot.tiles_agreed, 0);
    assert_int_equal(r.tot.tiles_disagreed, 2);
    r = rd_run(&t, v_units, (rd){.epoch = e1, .a = &fx_keys[O1].pk});
    assert_int_equal(r.units, 0); /* (week points aside) */

    /* epoch E2: owners 1 and 2 agree on X (q 5), the forger says 9 */
    uint64_t e2 = epoch_now(&t);
    report(&t, O1, 0, &X, 1, 5);
    report(&t, O2, 2, &X, 1, 5);
    report(&t, O3, 3, &X, 1, 9);
    cx_step(&t);
    cx_to_epoch(&t, e2 + 1);
    r = rd_run(&t, v_tile, (rd){.cell = X});
    assert_int_equal(r.e, CAIRN_OK);
    assert_int_equal(r.tile.last_agreed_epoch, e2);
    assert_int_equal(r.tile.q, 5);
    assert_int_equal(r.tile.contributors, 2);
    assert_int_equal(r.tile.times_agreed, 1);
    r = rd_run(&t, v_totals, (rd){.epoch = e2});
    assert_int_equal(r.tot.tiles_agreed, 1);
    assert_int_equal(r.tot.reports_disagreed, 1);
    assert_int_equal(r.tot.fresh_bps_sum, 10000);
    /* a never-agreed tile: 1000 units, 500 each */
    r = rd_run(&t, v_units, (rd){.epoch = e2, .a = &fx_keys[O1].pk});
    assert_int_equal(r.units, 500);
    r = rd_run(&t, v_units, (rd){.epoch = e2, .a = &fx_keys[O2].pk});
    assert_int_equal(r.units, 500);
    r = rd_run(&t, v_units, (rd){.epoch = e2, .a = &fx_keys[O3].pk});
    assert_int_equal(r.e, CAIRN_ERR_NOT_FOUND); /* the forger: nothing */

    /* epoch E3: again, one epoch later: freshness 1/4 -> 250, 125 each */
    uint64_t e3 = epoch_now(&t);
    report(&t, O1, 0, &X, 1, 5);
    report(&t, O2, 2, &X, 1, 5);
    /* bounties: Z funded 1000 tokens for 2 epochs (mapped in time by the
     * non-provider owners 4 and 5), W funded for 1 epoch (never mapped) */
    cairn_sensor_bounty bz = {.cell = Z, .amount = 1001 * TOK, .epochs = 2};
    cairn_buf_reset(&b);
    cairn_sensor_bounty_encode(&b, &bz);
    both(&t, APP, CAIRN_TX_BOUNTY_FUND, &b);
    cairn_sensor_bounty bw = {.cell = W, .amount = 77 * TOK, .epochs = 1};
    cairn_sensor_bounty_encode(&b, &bw);
    both(&t, APP, CAIRN_TX_BOUNTY_FUND, &b);
    bw.epochs = 29; /* over sensor_bounty_max */
    cairn_sensor_bounty_encode(&b, &bw);
    assert_int_equal(bad(&t, APP, CAIRN_TX_BOUNTY_FUND, &b),
                     CAIRN_ERR_BOUNTY_EPOCHS);
    cx_step(&t);
    cx_to_epoch(&t, e3 + 1);
    r = rd_run(&t, v_units, (rd){.epoch = e3, .a = &fx_keys[O1].pk});
    assert_int_equal(r.units, 125);
    r = rd_run(&t, v_totals, (rd){.epoch = e3});
    assert_int_equal(r.tot.fresh_bps_sum, 2500);
    assert_int_equal(r.tot.bounties_refunded_n, 0);
    r = rd_run(&t, v_bounty, (rd){.cell = W, .a = &fx_keys[APP].pk});
    assert_int_equal(r.bounty, 77 * TOK);

    /* epoch E4 = deadline of W: nobody maps it -> refunded exactly at the
     * end; owners 4 and 5 map Z -> the bounty splits 500.5 / 500.5 */
    uint64_t e4 = epoch_now(&t);
    report(&t, O4, 4, &Z, 1, 3);
    report(&t, O5, 5, &Z, 1, 3);
    cx_step(&t);
    to_epoch_last(&t);
    uint64_t f0 = fx_account(&t, APP).balance, b4 = fx_account(&t, O4).balance,
             b5 = fx_account(&t, O5).balance;
    cx_step(&t); /* the epoch's last block */
    assert_int_equal(epoch_now(&t), e4 + 1);
    assert_int_equal(fx_account(&t, APP).balance - f0, 77 * TOK);
    uint64_t g4 = fx_account(&t, O4).balance - b4,
             g5 = fx_account(&t, O5).balance - b5;
    assert_int_equal(g4 + g5, 1001 * TOK);
    /* equal split, remainder (0 here) to the first owner in key order */
    assert_int_equal(g4 > g5 ? g4 - g5 : g5 - g4, 0);
    r = rd_run(&t, v_totals, (rd){.epoch = e4});
    assert_int_equal(r.tot.bounties_paid, 1001 * TOK);
    assert_int_equal(r.tot.bounties_paid_n, 1);
    assert_int_equal(r.tot.bounties_refunded, 77 * TOK);
    assert_int_equal(r.tot.bounties_refunded_n, 1);
    /* owners 4 and 5 are not sensor providers: units unpaid, no rows */
    r = rd_run(&t, v_units, (rd){.epoch = e4, .a = &fx_keys[O4].pk});
    assert_int_equal(r.e, CAIRN_ERR_NOT_FOUND);
    r = rd_run(&t, v_totals, (rd){.epoch = e4});
    assert_true(r.tot.units_unpaid > 0);
    r = rd_run(&t, v_bounty, (rd){.cell = Z, .a = &fx_keys[APP].pk});
    assert_int_equal(r.e, CAIRN_ERR_NOT_FOUND);

    /* weekly: a week of 2 epochs; device 0 with 2 batches (full: 6000),
     * device 2 with 1 (3000); paid at the week's last epoch, once */
    uint64_t e = epoch_now(&t);
    if (e % 2 == 1) /* start at a week's first epoch */
        cx_to_epoch(&t, ++e);
    uint64_t week = e / 2;
    report(&t, O1, 0, &X, 1, 5);
    cx_step(&t);
    report(&t, O1, 0, &Y, 1, 5);
    report(&t, O2, 2, &Y, 1, 5);
    cx_step(&t);
    cx_to_epoch(&t, e + 2);
    r = rd_run(&t, v_weekly, (rd){.week = week, .a = &dev[0].pk});
    assert_int_equal(r.e, CAIRN_OK);
    assert_int_equal(r.weekly, 6000);
    r = rd_run(&t, v_weekly, (rd){.week = week, .a = &dev[2].pk});
    assert_int_equal(r.weekly, 3000);
    r = rd_run(&t, v_weekly, (rd){.week = week, .a = &dev[1].pk});
    assert_int_equal(r.e, CAIRN_ERR_NOT_FOUND); /* not connected */
    r = rd_run(&t, v_device, (rd){.a = &dev[0].pk});
    assert_int_equal(r.d.paid_week, week + 1);
    assert_true(r.d.streak_weeks >= 1);
    r = rd_run(&t, v_totals, (rd){.epoch = e + 1});
    assert_int_equal(r.tot.devices_paid_weekly, 2);
    r = rd_run(&t, v_units, (rd){.epoch = e + 1, .a = &fx_keys[O1].pk});
    assert_int_equal(r.points, 6000);
    /* the next week: no batches, nothing paid; week's row unchanged */
    cx_to_epoch(&t, e + 4);
    r = rd_run(&t, v_weekly, (rd){.week = week + 1, .a = &dev[0].pk});
    assert_int_equal(r.e, CAIRN_ERR_NOT_FOUND);
    r = rd_run(&t, v_weekly, (rd){.week = week, .a = &dev[0].pk});
    assert_int_equal(r.weekly, 6000);
    r = rd_run(&t, v_totals, (rd){.epoch = e + 3});
    assert_int_equal(r.tot.devices_paid_weekly, 0);
    r = rd_run(&t, v_device, (rd){.a = &dev[0].pk});
    assert_int_equal(r.d.missed, 1);

    dx_audit(&t);
    fx_replay_check(&t);
    cairn_buf_free(&b);
    twin_close(&t);
}

static void test_consensus(void **st)
{
    (void)st;
    consensus_run(ECON);
}

static void test_consensus_w1(void **st)
{
    (void)st;
    consensus_run(ECON_W("1"));
}

/* ---- the window (sensor_quorum_epochs 3) ---- */

static void test_window(void **st)
{
    (void)st;
    twin t;
    open_world(&t);
    /* devices: 0 of owner 1, 2 of owner 2, 3 and 6 of owner 3 (forger) */
    pair(&t, O1, 0);
    pair(&t, O2, 2);
    pair(&t, O3, 3);
    pair(&t, O3, 6);
    cx_step(&t);
    cx_to_epoch(&t, epoch_now(&t) + 1);
    uint64_t X = cell_at(0, 0), Y = cell_at(30000, 0), Z = cell_at(60000, 0);

    /* e-1: owner 1 alone on X: nothing agreed, nobody paid */
    uint64_t a = epoch_now(&t);
    report(&t, O1, 0, &X, 1, 5);
    cx_step(&t);
    cx_to_epoch(&t, a + 1);
    rd r = rd_run(&t, v_tile, (rd){.cell = X});
    assert_int_equal(r.e, CAIRN_ERR_NOT_FOUND);
    r = rd_run(&t, v_totals, (rd){.epoch = a});
    assert_int_equal(r.tot.tiles_disagreed, 1);
    r = rd_run(&t, v_units, (rd){.epoch = a, .a = &fx_keys[O1].pk});
    assert_int_equal(r.units, 0);

    /* e: owner 2 corroborates: both paid at e (1000 units, 500 each) */
    report(&t, O2, 2, &X, 1, 5);
    cx_step(&t);
    cx_to_epoch(&t, a + 2);
    r = rd_run(&t, v_tile, (rd){.cell = X});
    assert_int_equal(r.e, CAIRN_OK);
    assert_int_equal(r.tile.last_agreed_epoch, a + 1);
    assert_int_equal(r.tile.q, 5);
    assert_int_equal(r.tile.contributors, 2);
    assert_int_equal(r.tile.times_agreed, 1);
    assert_memory_equal(r.tile.device.b, dev[0].pk.b, 32);
    r = rd_run(&t, v_totals, (rd){.epoch = a + 1});
    assert_int_equal(r.tot.tiles_agreed, 1);
    assert_int_equal(r.tot.tiles_disagreed, 0);
    assert_int_equal(r.tot.fresh_bps_sum, 10000);
    r = rd_run(&t, v_units, (rd){.epoch = a + 1, .a = &fx_keys[O1].pk});
    assert_int_equal(r.units, 500);
    r = rd_run(&t, v_units, (rd){.epoch = a + 1, .a = &fx_keys[O2].pk});
    assert_int_equal(r.units, 500);

    /* e+1: owner 3 agrees too: only owner 3 is new and paid (freshness
     * 1/4: 250); owners 1 and 2 are never paid twice */
    report(&t, O3, 3, &X, 1, 5);
    cx_step(&t);
    cx_to_epoch(&t, a + 3);
    r = rd_run(&t, v_units, (rd){.epoch = a + 2, .a = &fx_keys[O3].pk});
    assert_int_equal(r.units, 250);
    r = rd_run(&t, v_units, (rd){.epoch = a + 2, .a = &fx_keys[O1].pk});
    assert_int_equal(r.units, 0);
    r = rd_run(&t, v_units, (rd){.epoch = a + 2, .a = &fx_keys[O2].pk});
    assert_int_equal(r.units, 0);
    r = rd_run(&t, v_tile, (rd){.cell = X});
    assert_int_equal(r.tile.last_agreed_epoch, a + 2);
    assert_int_equal(r.tile.contributors, 3);
    assert_int_equal(r.tile.times_agreed, 2);
    /* e+2, e+3: nothing new on X: nothing paid, the tile unchanged */
    cx_to_epoch(&t, a + 5);
    r = rd_run(&t, v_tile, (rd){.cell = X});
    assert_int_equal(r.tile.times_agreed, 2);

    /* a report older than W epochs does not count: owner 1 on Y at b,
     * owner 2 on Y at b + 3 (window b+1..b+3) */
    uint64_t b = epoch_now(&t);
    report(&t, O1, 0, &Y, 1, 8);
    cx_step(&t);
    cx_to_epoch(&t, b + 3);
    report(&t, O2, 2, &Y, 1, 8);
    cx_step(&t);
    cx_to_epoch(&t, b + 4);
    r = rd_run(&t, v_tile, (rd){.cell = Y});
    assert_int_equal(r.e, CAIRN_ERR_NOT_FOUND);
    r = rd_run(&t, v_totals, (rd){.epoch = b + 3});
    assert_int_equal(r.tot.tiles_disagreed, 1);
    assert_int_equal(r.tot.tiles_agreed, 0);
    r = rd_run(&t, v_units, (rd){.epoch = b + 3, .a = &fx_keys[O2].pk});
    assert_int_equal(r.units, 0);

    /* the forger (owner 3, two devices) says 9 on Z in c and c + 1; two
     * honest owners say 4 in c + 1: 4 wins (2 owners to 1), the forger
     * gets nothing; only c + 1's forged report counts as disagreed */
    uint64_t c = epoch_now(&t);
    report(&t, O3, 3, &Z, 1, 9);
    cx_step(&t);
    cx_to_epoch(&t, c + 1);
    report(&t, O3, 6, &Z, 1, 9);
    report(&t, O1, 0, &Z, 1, 4);
    report(&t, O2, 2, &Z, 1, 4);
    cx_step(&t);
    cx_to_epoch(&t, c + 2);
    r = rd_run(&t, v_tile, (rd){.cell = Z});
    assert_int_equal(r.e, CAIRN_OK);
    assert_int_equal(r.tile.q, 4);
    assert_int_equal(r.tile.contributors, 2);
    r = rd_run(&t, v_totals, (rd){.epoch = c});
    assert_int_equal(r.tot.tiles_disagreed, 1);
    assert_int_equal(r.tot.reports_disagreed, 0);
    r = rd_run(&t, v_totals, (rd){.epoch = c + 1});
    assert_int_equal(r.tot.tiles_agreed, 1);
    assert_int_equal(r.tot.reports_disagreed, 1);
    r = rd_run(&t, v_units, (rd){.epoch = c + 1, .a = &fx_keys[O3].pk});
    assert_int_equal(r.units, 0);
    r = rd_run(&t, v_units, (rd){.epoch = c + 1, .a = &fx_keys[O1].pk});
    assert_int_equal(r.units, 500);

    dx_audit(&t);
    fx_replay_check(&t);
    twin_close(&t);
}

/* ---- access pay and map reads ---- */

static void test_access_and_map(void **st)
{
    (void)st;
    twin t;
    cairn_buf b;
    open_world(&t);
    cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);
    pair(&t, O4, 0);
    pair(&t, O2, 2);
    cx_step(&t);
    uint64_t e = epoch_now(&t);
    cairn_sensor_grant g = {.device = dev[0].pk,
                            .app = fx_keys[APP].pk,
                            .privileges = CAIRN_SENSOR_PRIV_LOCATION,
                            .expiry_epoch = e + 8,
                            .price = 333333};
    cairn_sensor_grant_encode(&b, &g);
    assert_int_equal(bad(&t, O2, CAIRN_TX_GRANT, &b),
                     CAIRN_ERR_NOT_DEVICE_OWNER);
    g.expiry_epoch = e;
    cairn_sensor_grant_encode(&b, &g);
    assert_int_equal(bad(&t, O4, CAIRN_TX_GRANT, &b), CAIRN_ERR_GRANT_EXPIRED);
    g.expiry_epoch = e + 8;
    cairn_sensor_grant_encode(&b, &g);
    both(&t, O4, CAIRN_TX_GRANT, &b);
    cx_step(&t);
    cairn_sensor_pay pay = {
        .device = dev[0].pk, .periods = 3, .max_price = 333332};
    cairn_sensor_pay_encode(&b, &pay);
    assert_int_equal(bad(&t, APP, CAIRN_TX_ACCESS_PAY, &b),
                     CAIRN_ERR_PRICE_LOW);
    pay.max_price = 333333;
    cairn_sensor_pay_encode(&b, &pay);
    assert_int_equal(bad(&t, O5, CAIRN_TX_ACCESS_PAY, &b), CAIRN_ERR_NO_GRANT);
    uint64_t a0 = fx_account(&t, APP).balance, o0 = fx_account(&t, O4).balance;
    cairn_totals t0 = fx_totals(&t);
    uint64_t rev0 = sector_revenue(&t);
    cairn_sensor_pay_encode(&b, &pay);
    both(&t, APP, CAIRN_TX_ACCESS_PAY, &b);
    cx_step(&t);
    uint64_t amount = 3 * 333333, own = amount * 8000 / 10000;
    assert_int_equal(a0 - fx_account(&t, APP).balance, amount + FEE);
    assert_int_equal(fx_account(&t, O4).balance - o0, own);
    /* the rest went through the fee split: owner share + fee = amount,
     * and the books balance (audited after every block) */
    cairn_totals t1 = fx_totals(&t);
    assert_true(t1.supply <= t0.supply);
    rd r = rd_run(&t, v_grant, (rd){.a = &dev[0].pk, .b = &fx_keys[APP].pk});
    uint64_t period = epoch_now(&t) / 2;
    assert_int_equal(r.g.paid_until, period + 3);
    r = rd_run(&t, v_totals, (rd){.epoch = epoch_now(&t)});
    assert_int_equal(r.tot.access_paid, amount);
    /* the fee-split part is the sensor sector's revenue in the metrics */
    assert_int_equal(sector_revenue(&t) - rev0, amount - own);
    /* paying again extends from paid_until */
    pay.periods = 1;
    cairn_sensor_pay_encode(&b, &pay);
    both(&t, APP, CAIRN_TX_ACCESS_PAY, &b);
    cx_step(&t);
    r = rd_run(&t, v_grant, (rd){.a = &dev[0].pk, .b = &fx_keys[APP].pk});
    assert_int_equal(r.g.paid_until, period + 4);
    /* overwriting the grant keeps paid_until */
    g.price = 1;
    cairn_sensor_grant_encode(&b, &g);
    both(&t, O4, CAIRN_TX_GRANT, &b);
    cx_step(&t);
    r = rd_run(&t, v_grant, (rd){.a = &dev[0].pk, .b = &fx_keys[APP].pk});
    assert_int_equal(r.g.paid_until, period + 4);
    assert_int_equal(r.g.price, 1);

    /* map: no agreed data yet */
    uint64_t X = cell_at(0, 0);
    cairn_buf_reset(&b);
    cairn_sensor_map_read_encode(&b, X);
    assert_int_equal(bad(&t, APP, CAIRN_TX_MAP_READ, &b),
                     CAIRN_ERR_NO_TILE_DATA);
    report(&t, O4, 0, &X, 1, 1);
    report(&t, O2, 2, &X, 1, 1);
    cx_step(&t);
    cx_to_epoch(&t, epoch_now(&t) + 1);
    /* no credits */
    cairn_sensor_map_read_encode(&b, X);
    assert_int_equal(bad(&t, APP, CAIRN_TX_MAP_READ, &b), CAIRN_ERR_NO_CREDITS);
    cairn_put_u64(&b, 1000);
    both(&t, O1, CAIRN_TX_SET_PRICE, &b);
    cx_step(&t);
    cairn_put_u64(&b, 5);
    both(&t, APP, CAIRN_TX_BUY_CREDITS, &b);
    cx_step(&t);
    uint64_t c0;
    assert_int_equal(cairn_chain_credits(t.c[0], &fx_keys[APP].pk, &c0),
                     CAIRN_OK);
    cairn_sensor_map_read_encode(&b, X);
    both(&t, APP, CAIRN_TX_MAP_READ, &b);
    cx_step(&t);
    uint64_t c1;
    assert_int_equal(cairn_chain_credits(t.c[0], &fx_keys[APP].pk, &c1),
                     CAIRN_OK);
    assert_int_equal(c0 - c1, 1);
    r = rd_run(&t, v_totals, (rd){.epoch = epoch_now(&t)});
    assert_int_equal(r.tot.map_reads, 1);

    /* the API answers (what /v1/sensor/... serves) */
    json_t *o = NULL;
    assert_int_equal(sn_api_map(t.c[0], X, &fx_keys[APP].pk, &o), CAIRN_OK);
    assert_int_equal(json_integer_value(json_object_get(o, "q")), 1);
    assert_int_equal(json_array_size(json_object_get(o, "batches")), 2);
    assert_non_null(json_object_get(
        json_array_get(json_object_get(o, "batches"), 0), "file_id"));
    json_decref(o);
    assert_int_equal(sn_api_map(t.c[0], X, &fx_keys[O5].pk, &o),
                     CAIRN_ERR_NO_CREDITS);
    assert_int_equal(sn_api_devices(t.c[0], &fx_keys[O4].pk, NULL, 100, &o),
                     CAIRN_OK);
    assert_int_equal(json_array_size(json_object_get(o, "devices")), 1);
    assert_false(json_is_true(json_object_get(o, "more")));
    json_decref(o);
    assert_int_equal(sn_api_device(t.c[0], &dev[0].pk, &o), CAIRN_OK);
    json_t *gr = json_array_get(json_object_get(o, "grants"), 0);
    assert_true(json_is_true(json_object_get(gr, "active")));
    assert_int_equal(
        json_integer_value(json_object_get(gr, "paid_until_period")),
        period + 4);
    json_decref(o);
    assert_int_equal(
        sn_api_batches(t.c[0], &dev[0].pk, 0, UINT64_MAX, 0, 0, 1, &o),
        CAIRN_OK);
    assert_int_equal(json_array_size(json_object_get(o, "batches")), 1);
    json_decref(o);
    assert_int_equal(sn_api_grants(t.c[0], &fx_keys[APP].pk, 100, &o),
                     CAIRN_OK);
    assert_int_equal(json_array_size(json_object_get(o, "grants")), 1);
    json_decref(o);
    assert_int_equal(sn_api_tiles(t.c[0], 0, 0, 100, &o), CAIRN_OK);
    assert_int_equal(json_array_size(json_object_get(o, "tiles")), 1);
    json_decref(o);
    assert_int_equal(sn_api_tiles(t.c[0], 1, X, 100, &o), CAIRN_OK);
    assert_int_equal(json_array_size(json_object_get(o, "tiles")), 0);
    json_decref(o);
    assert_int_equal(sn_api_tile(t.c[0], X, &o), CAIRN_OK);
    assert_true(json_is_object(json_object_get(o, "tile")));
    json_decref(o);
    assert_int_equal(sn_api_epoch(t.c[0], epoch_now(&t), &o), CAIRN_OK);
    assert_int_equal(json_integer_value(json_object_get(o, "map_reads")), 1);
    json_decref(o);
    uint64_t pc;
    char hx[20];
    snprintf(hx, sizeof hx, "%016llx", (unsigned long long)X);
    assert_int_equal(sn_api_parse_cell(hx, &pc), CAIRN_OK);
    assert_true(pc == X);

    dx_audit(&t);
    fx_replay_check(&t);
    cairn_buf_free(&b);
    twin_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refusals),       cmocka_unit_test(test_consensus),
        cmocka_unit_test(test_consensus_w1),   cmocka_unit_test(test_window),
        cmocka_unit_test(test_access_and_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
