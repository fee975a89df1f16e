/* The sensor sector's state records (layouts in sn.h and
 * docs/sensor-chain.md) and its parameters. */
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "econ/staking.h"
#include "sectors/sensor/sn.h"

/* ---- parameters ---- */

static cairn_err param(MDB_txn *txn, const store *s, unsigned id, uint64_t *v)
{
    cairn_err e = econ_param_read(txn, s, id, v);
    if (e == CAIRN_ERR_NOT_FOUND) {
        const econ_param_def *d = sn_param_def(id);
        if (!d)
            return CAIRN_ERR_BAD_PARAM;
        *v = d->def;
        return CAIRN_OK;
    }
    return e;
}

cairn_err sn_params_read(MDB_txn *txn, const store *s, sn_params *p)
{
    uint64_t *f[] = {
        &p->tile_res,         &p->ref_window,       &p->batch_span_ms,
        &p->max_speed_mps,    &p->quorum,           &p->tile_units,
        &p->fresh_epochs,     &p->bounty_boost_bps, &p->bounty_max,
        &p->map_read_credits, &p->owner_bps,        &p->period_epochs,
        &p->week_epochs,      &p->full_batches,     &p->map_bps,
        &p->quorum_epochs};
    memset(p, 0, sizeof *p);
    cairn_err e = econ_param_read(txn, s, P_EPOCH_BLOCKS, &p->epoch_blocks);
    for (unsigned i = 0; !e && i < sizeof f / sizeof f[0]; i++)
        e = param(txn, s, P_SN_TILE_RES + i, f[i]);
    return e;
}

cairn_err sn_epoch_now(MDB_txn *txn, const store *s, uint64_t *epoch)
{
    econ_global g;
    cairn_err e = econ_global_get(txn, s, &g);
    *epoch = e ? 0 : g.epoch;
    return e;
}

/* ---- scans ---- */

cairn_err sn_scan_prefix(MDB_txn *txn, const store *s, const uint8_t *prefix,
                         size_t n, state_visit visit, void *arg)
{
    return state_scan_prefix(txn, s, prefix, n, visit, arg);
}

/* ---- device ---- */

void sn_device_encode(uint8_t v[SN_DEVICE_LEN], const sn_device *d)
{
    memcpy(v, d->owner.b, 32);
    cairn_le32_put(v + 32, d->generation);
    cairn_le64_put(v + 36, d->last_seq);
    cairn_le64_put(v + 44, d->last_t_to_ms);
    cairn_le64_put(v + 52, d->paired_height);
    cairn_le64_put(v + 60, d->batches);
    cairn_le64_put(v + 68, d->week);
    cairn_le64_put(v + 76, d->week_batches);
    cairn_le64_put(v + 84, d->streak_weeks);
    v[92] = d->level;
    cairn_le64_put(v + 93, d->missed);
    cairn_le64_put(v + 101, d->paid_week);
}

cairn_err sn_device_decode(sn_device *d, const uint8_t *v, size_t vn)
{
    if (vn != SN_DEVICE_LEN || v[92] > 3)
        return CAIRN_ERR_DB;
    memcpy(d->owner.b, v, 32);
    d->generation = cairn_le32_get(v + 32);
    d->last_seq = cairn_le64_get(v + 36);
    d->last_t_to_ms = cairn_le64_get(v + 44);
    d->paired_height = cairn_le64_get(v + 52);
    d->batches = cairn_le64_get(v + 60);
    d->week = cairn_le64_get(v + 68);
    d->week_batches = cairn_le64_get(v + 76);
    d->streak_weeks = cairn_le64_get(v + 84);
    d->level = v[92];
    d->missed = cairn_le64_get(v + 93);
    d->paid_week = cairn_le64_get(v + 101);
    return CAIRN_OK;
}

cairn_err sn_device_read(MDB_txn *txn, const store *s, const cairn_pubkey *dev,
                         sn_device *d)
{
    MDB_val v;
    cairn_err e = state_get(txn, s, SN_STATE_DEVICE, dev->b, 32, &v);
    if (e == CAIRN_ERR_NOT_FOUND)
        return CAIRN_ERR_NOT_DEVICE;
    if (e)
        return e;
    memset(d, 0, sizeof *d);
    d->device = *dev;
    return sn_device_decode(d, v.mv_data, v.mv_size);
}

cairn_err sn_device_put(exec_ctx *x, const sn_device *d)
{
    uint8_t v[SN_DEVICE_LEN];
    sn_device_encode(v, d);
    return state_put(x->w, x->s, SN_STATE_DEVICE, d->device.b, 32, v, sizeof v);
}

/* ---- grant ---- */

void sn_grant_encode(uint8_t v[SN_GRANT_LEN], const sn_grant *g)
{
    cairn_le32_put(v, g->privileges);
    cairn_le64_put(v + 4, g->expiry_epoch);
    cairn_le64_put(v + 12, g->price);
    cairn_le64_put(v + 20, g->paid_until);
    cairn_le64_put(v + 28, g->granted_height);
}

cairn_err sn_grant_decode(sn_grant *g, const uint8_t *v, size_t vn)
{
    if (vn != SN_GRANT_LEN)
        return CAIRN_ERR_DB;
    g->privileges = cairn_le32_get(v);
    g->expiry_epoch = cairn_le64_get(v + 4);
    g->price = cairn_le64_get(v + 12);
    g->paid_until = cairn_le64_get(v + 20);
    g->granted_height = cairn_le64_get(v + 28);
    return CAIRN_OK;
}

cairn_err sn_grant_read(MDB_txn *txn, const store *s, const cairn_pubkey *dev,
                        const cairn_pubkey *app, sn_grant *g)
{
    uint8_t k[64];
    MDB_val v;
    memcpy(k, dev->b, 32);
    memcpy(k + 32, app->b, 32);
    cairn_err e = state_get(txn, s, SN_STATE_GRANT, k, 64, &v);
    if (e == CAIRN_ERR_NOT_FOUND)
        return CAIRN_ERR_NO_GRANT;
    if (e)
        return e;
    memset(g, 0, sizeof *g);
    g->device = *dev;
    g->app = *app;
    return sn_grant_decode(g, v.mv_data, v.mv_size);
}

int sn_grant_active(const sn_grant *g, uint64_t epoch, uint64_t period_epochs)
{
    if (epoch >= g->expiry_epoch)
        return 0;
    if (!g->price)
        return 1;
    uint64_t period = period_epochs ? epoch / period_epochs : epoch;
    return g->paid_until > period;
}

/* ---- tile ---- */

void sn_tile_encode(uint8_t v[SN_TILE_LEN], const sn_tile *t)
{
    cairn_le64_put(v, t->last_agreed_epoch);
    cairn_le64_put(v + 8, (uint64_t)t->q);
    cairn_le32_put(v + 16, t->contributors);
    cairn_le64_put(v + 20, t->times_agreed);
    memcpy(v + 28, t->device.b, 32);
    cairn_le64_put(v + 60, t->seq);
}

cairn_err sn_tile_decode(sn_tile *t, const uint8_t *v, size_t vn)
{
    if (vn != SN_TILE_LEN)
        return CAIRN_ERR_DB;
    t->last_agreed_epoch = cairn_le64_get(v);
    t->q = (int64_t)cairn_le64_get(v + 8);
    t->contributors = cairn_le32_get(v + 16);
    t->times_agreed = cairn_le64_get(v + 20);
    memcpy(t->device.b, v + 28, 32);
    t->seq = cairn_le64_get(v + 60);
    return CAIRN_OK;
}

cairn_err sn_tile_read(MDB_txn *txn, const store *s, uint64_t cell, sn_tile *t)
{
    uint8_t k[8];
    MDB_val v;
    cairn_be64_put(k, cell);
    cairn_err e = state_get(txn, s, SN_STATE_TILE, k, 8, &v);
    if (e)
        return e;
    memset(t, 0, sizeof *t);
    t->cell = cell;
    return sn_tile_decode(t, v.mv_data, v.mv_size);
}

/* ---- batch ---- */

void sn_batch_encode(cairn_buf *out, const sn_batch *x)
{
    const cairn_sensor_batch *b = &x->b;
    cairn_put_u64(out, x->height);
    cairn_put_u64(out, b->t_from_ms);
    cairn_put_u64(out, b->t_to_ms);
    cairn_put_bytes(out, b->content.b, 32);
    cairn_put_bytes(out, b->file_id, CAIRN_SENSOR_FILE_ID_LEN);
    cairn_put_u32(out, b->readings);
    cairn_put_u16(out, b->ntiles);
    cairn_put_u16(out, b->nkeys);
    for (uint16_t i = 0; i < b->ntiles && i < CAIRN_SENSOR_TILES_MAX; i++) {
        cairn_put_u64(out, b->tiles[i].cell);
        cairn_put_u32(out, b->tiles[i].enter_ms);
        cairn_put_u16(out, b->tiles[i].points);
        cairn_put_u64(out, (uint64_t)b->tiles[i].q);
    }
    for (uint16_t i = 0; i < b->nkeys && i < CAIRN_SENSOR_KEYS_MAX; i++) {
        cairn_put_bytes(out, b->keys[i].app.b, 32);
        cairn_put_bytes(out, b->keys[i].box, CAIRN_SENSOR_SEALED_LEN);
    }
}

cairn_err sn_batch_decode(sn_batch *x, const uint8_t *v, size_t vn)
{
    cairn_sensor_batch *b = &x->b;
    cairn_reader r;
    cairn_reader_init(&r, v, vn);
    x->height = cairn_get_u64(&r);
    b->t_from_ms = cairn_get_u64(&r);
    b->t_to_ms = cairn_get_u64(&r);
    cairn_get_bytes(&r, b->content.b, 32);
    cairn_get_bytes(&r, b->file_id, CAIRN_SENSOR_FILE_ID_LEN);
    b->readings = cairn_get_u32(&r);
    b->ntiles = cairn_get_u16(&r);
    b->nkeys = cairn_get_u16(&r);
    if (r.err || b->ntiles > CAIRN_SENSOR_TILES_MAX ||
        b->nkeys > CAIRN_SENSOR_KEYS_MAX)
        return CAIRN_ERR_DB;
    for (uint16_t i = 0; i < b->ntiles; i++) {
        b->tiles[i].cell = cairn_get_u64(&r);
        b->tiles[i].enter_ms = cairn_get_u32(&r);
        b->tiles[i].points = cairn_get_u16(&r);
        b->tiles[i].q = (int64_t)cairn_get_u64(&r);
    }
    for (uint16_t i = 0; i < b->nkeys; i++) {
        cairn_get_bytes(&r, b->keys[i].app.b, 32);
        cairn_get_bytes(&r, b->keys[i].box, CAIRN_SENSOR_SEALED_LEN);
    }
    return cairn_reader_done(&r) ? CAIRN_ERR_DB : CAIRN_OK;
}

/* ---- totals ---- */

void sn_totals_encode(uint8_t v[SN_TOTALS_LEN], const sn_totals *t)
{
    const uint64_t f[SN_TOTALS_N] = {t->batches,
                                     t->tiles_reported,
                                     t->tiles_agreed,
                                     t->tiles_disagreed,
                                     t->reports_disagreed,
                                     t->fresh_bps_sum,
                                     t->bounties_paid,
                                     t->bounties_paid_n,
                                     t->bounties_refunded,
                                     t->bounties_refunded_n,
                                     t->devices_paid_weekly,
                                     t->map_reads,
                                     t->access_paid,
                                     t->units_unpaid};
    for (size_t i = 0; i < SN_TOTALS_N; i++)
        cairn_le64_put(v + 8 * i, f[i]);
}

cairn_err sn_totals_decode(sn_totals *t, const uint8_t *v, size_t vn)
{
    uint64_t *f[SN_TOTALS_N] = {&t->batches,
                                &t->tiles_reported,
                                &t->tiles_agreed,
                                &t->tiles_disagreed,
                                &t->reports_disagreed,
                                &t->fresh_bps_sum,
                                &t->bounties_paid,
                                &t->bounties_paid_n,
                                &t->bounties_refunded,
                                &t->bounties_refunded_n,
                                &t->devices_paid_weekly,
                                &t->map_reads,
                                &t->access_paid,
                                &t->units_unpaid};
    if (vn != SN_TOTALS_LEN)
        return CAIRN_ERR_DB;
    for (size_t i = 0; i < SN_TOTALS_N; i++)
        *f[i] = cairn_le64_get(v + 8 * i);
    return CAIRN_OK;
}

cairn_err sn_totals_read(MDB_txn *txn, const store *s, uint64_t epoch,
                         sn_totals *t)
{
    uint8_t k[8];
    MDB_val v;
    memset(t, 0, sizeof *t);
    cairn_be64_put(k, epoch);
    cairn_err e = state_get(txn, s, SN_STATE_TOTALS, k, 8, &v);
    if (e == CAIRN_ERR_NOT_FOUND)
        return CAIRN_OK;
    return e ? e : sn_totals_decode(t, v.mv_data, v.mv_size);
}

cairn_err sn_totals_put(exec_ctx *x, uint64_t epoch, const sn_totals *t)
{
    uint8_t k[8], v[SN_TOTALS_LEN];
    cairn_be64_put(k, epoch);
    sn_totals_encode(v, t);
    return state_put(x->w, x->s, SN_STATE_TOTALS, k, 8, v, sizeof v);
}
