/* The sensor kinds (docs/sensor-chain.md, "Kinds"): pairing, transfer,
 * batch registration, grants, access payments, bounties and map reads.
 * Every handler fails without changing state (the ledger drops the nested
 * txn on error). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "core/bytes.h"
#include "econ/credits.h"
#include "econ/staking.h"
#include "sectors/sensor/sn.h"
#include "sectors/wireless/hexgrid.h"

/* Body decoders' refusals are BAD_BODY to the ledger, as every sector's. */
static cairn_err body(cairn_err e)
{
    return e ? CAIRN_ERR_BAD_BODY : CAIRN_OK;
}

static cairn_err owner_index(exec_ctx *x, const cairn_pubkey *owner,
                             const cairn_pubkey *dev, int put)
{
    uint8_t k[65] = {SN_STATE_BY_OWNER}, one = 1;
    memcpy(k + 1, owner->b, 32);
    memcpy(k + 33, dev->b, 32);
    if (put)
        return state_put(x->w, x->s, SN_STATE_BY_OWNER, k + 1, 64, &one, 1);
    return state_del_raw(x->w, x->s, k, sizeof k);
}

/* The device record of `dev`, owned by the sender. */
static cairn_err owned(exec_ctx *x, const cairn_tx *tx, const cairn_pubkey *dev,
                       sn_device *d)
{
    cairn_err e = sn_device_read(x->w->txn, x->s, dev, d);
    if (e)
        return e;
    if (memcmp(d->owner.b, tx->sender.b, 32) != 0)
        return CAIRN_ERR_NOT_DEVICE_OWNER;
    return CAIRN_OK;
}

/* Adds to this epoch's totals: field at byte offset off of sn_totals. */
static cairn_err count(exec_ctx *x, size_t off, uint64_t v)
{
    uint64_t epoch;
    sn_totals t;
    cairn_err e = sn_epoch_now(x->w->txn, x->s, &epoch);
    if (e || (e = sn_totals_read(x->w->txn, x->s, epoch, &t)))
        return e;
    uint64_t *f = (uint64_t *)((uint8_t *)&t + off);
    if (cairn_add(f, *f, v))
        return CAIRN_ERR_OVERFLOW;
    return sn_totals_put(x, epoch, &t);
}

/* ---- 0x70 device_pair ---- */

cairn_err sn_pair_check(const cairn_tx *tx)
{
    cairn_sensor_pair p;
    cairn_err e = body(cairn_sensor_pair_decode(&p, tx->body, tx->body_len));
    if (e)
        return e;
    return cairn_sensor_pair_verify(&p.sig, tx->chain_id, &tx->sender,
                                    &p.device, p.generation);
}

cairn_err sn_pair_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_sensor_pair p;
    sn_device d;
    cairn_err e = sn_pair_check(tx);
    if (e || (e = body(cairn_sensor_pair_decode(&p, tx->body, tx->body_len))))
        return e;
    e = sn_device_read(x->w->txn, x->s, &p.device, &d);
    if (!e)
        return CAIRN_ERR_DEVICE_PAIRED;
    if (e != CAIRN_ERR_NOT_DEVICE)
        return e;
    if (p.generation != 0)
        return CAIRN_ERR_PAIR_GENERATION;
    memset(&d, 0, sizeof d);
    d.device = p.device;
    d.owner = tx->sender;
    d.paired_height = x->height;
    if ((e = sn_device_put(x, &d)))
        return e;
    return owner_index(x, &d.owner, &d.device, 1);
}

/* ---- 0x71 device_transfer ---- */

cairn_err sn_transfer_check(const cairn_tx *tx)
{
    cairn_pubkey a, b;
    return body(cairn_sensor_transfer_decode(&a, &b, tx->body, tx->body_len));
}

typedef struct klist {
    uint8_t (*k)[65];
    size_t n, cap;
} klist;

static cairn_err visit_collect(void *arg, const uint8_t *k, size_t kn,
                               const uint8_t *v, size_t vn)
{
    klist *l = arg;
    (void)v;
    (void)vn;
    if (kn != 65)
        return CAIRN_ERR_DB;
    cairn_err e = grow_array((void **)&l->k, &l->cap, l->n, sizeof *l->k, 8);
    if (!e)
        memcpy(l->k[l->n++], k, kn);
    return e;
}

cairn_err sn_transfer_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_pubkey dev, to;
    sn_device d;
    cairn_err e =
        body(cairn_sensor_transfer_decode(&dev, &to, tx->body, tx->body_len));
    if (e || (e = owned(x, tx, &dev, &d)))
        return e;
    /* every grant of the device goes: a transfer revokes everything */
    uint8_t pre[33] = {SN_STATE_GRANT};
    memcpy(pre + 1, dev.b, 32);
    klist l = {0};
    e = sn_scan_prefix(x->w->txn, x->s, pre, 33, visit_collect, &l);
    for (size_t i = 0; !e && i < l.n; i++)
        e = state_del_raw(x->w, x->s, l.k[i], 65);
    free(l.k);
    if (e || (e = owner_index(x, &d.owner, &dev, 0)))
        return e;
    d.owner = to;
    d.generation++;
    if ((e = sn_device_put(x, &d)))
        return e;
    return owner_index(x, &to, &dev, 1);
}

/* ---- 0x72 batch_register ---- */

cairn_err sn_batch_check(const cairn_tx *tx)
{
    cairn_sensor_batch *b = malloc(sizeof *b);
    if (!b)
        return CAIRN_ERR_NOMEM;
    cairn_err e = body(cairn_sensor_batch_decode(b, tx->body, tx->body_len));
    if (!e)
        e = cairn_sensor_batch_verify(b, tx->chain_id);
    free(b);
    return e;
}

static int cell_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

cairn_err sn_batch_shape_msg(const cairn_sensor_batch *b, const sn_params *P,
                             char *msg, size_t cap)
{
    uint64_t span = b->t_to_ms - b->t_from_ms, sum = 0;
    uint64_t cells[CAIRN_SENSOR_TILES_MAX];
    if (msg && cap)
        msg[0] = '\0';
    if (b->t_from_ms > b->t_to_ms || span > P->batch_span_ms)
        return CAIRN_ERR_BATCH_TIME;
    if (!b->ntiles || b->ntiles > CAIRN_SENSOR_TILES_MAX ||
        b->nkeys > CAIRN_SENSOR_KEYS_MAX)
        return CAIRN_ERR_BAD_BODY;
    for (uint16_t i = 0; i < b->ntiles; i++) {
        const cairn_sensor_tile *t = &b->tiles[i];
        if (!hexg_valid(t->cell) || hexg_res(t->cell) != P->tile_res ||
            t->enter_ms > span ||
            (i && t->enter_ms < b->tiles[i - 1].enter_ms)) {
            if (msg && cap)
                snprintf(msg, cap,
                         "tile %u (cell %016llx): not a cell at resolution "
                         "%llu, or enter_ms %u out of order or past the "
                         "span %llu ms",
                         (unsigned)i, (unsigned long long)t->cell,
                         (unsigned long long)P->tile_res, t->enter_ms,
                         (unsigned long long)span);
            return CAIRN_ERR_BAD_TILE;
        }
        if (!t->points)
            return CAIRN_ERR_BAD_BODY;
        sum += t->points;
        cells[i] = t->cell;
    }
    if (sum != b->readings)
        return CAIRN_ERR_BAD_BODY;
    qsort(cells, b->ntiles, sizeof cells[0], cell_cmp);
    for (uint16_t i = 1; i < b->ntiles; i++)
        if (cells[i] == cells[i - 1])
            return CAIRN_ERR_BAD_TILE;
    /* each consecutive pair reachable: d ≤ speed × Δt + 2 × edge */
    uint64_t slack_mm = 2 * sn_edge_m((unsigned)P->tile_res) * 1000;
    for (uint16_t i = 1; i < b->ntiles; i++) {
        int64_t la, lo, lb, lob;
        uint64_t d;
        if (hexg_center(b->tiles[i - 1].cell, &la, &lo) ||
            hexg_center(b->tiles[i].cell, &lb, &lob) ||
            hexg_distance_m((int32_t)la, (int32_t)lo, (int32_t)lb, (int32_t)lob,
                            &d))
            return CAIRN_ERR_BAD_TILE;
        uint64_t dt = b->tiles[i].enter_ms - b->tiles[i - 1].enter_ms;
        unsigned __int128 reach =
            (unsigned __int128)P->max_speed_mps * dt + slack_mm;
        if ((unsigned __int128)d * 1000 > reach) {
            if (msg && cap) {
                uint64_t beyond = d * 1000 > slack_mm ? d * 1000 - slack_mm : 0;
                snprintf(
                    msg, cap,
                    "tiles %016llx and %016llx are %llu m apart, "
                    "entered %llu ms apart: that needs %llu m/s "
                    "(sensor_max_speed_mps is %llu)",
                    (unsigned long long)b->tiles[i - 1].cell,
                    (unsigned long long)b->tiles[i].cell, (unsigned long long)d,
                    (unsigned long long)dt,
                    (unsigned long long)(dt ? beyond / dt : beyond / 1000 + 1),
                    (unsigned long long)P->max_speed_mps);
            }
            return CAIRN_ERR_BATCH_TELEPORT;
        }
    }
    return CAIRN_OK;
}

cairn_err sn_batch_shape(const cairn_sensor_batch *b, const sn_params *P)
{
    return sn_batch_shape_msg(b, P, NULL, 0);
}

/* Writes (or replaces) the device's report of one tile in this epoch. */
static cairn_err report_put(exec_ctx *x, uint64_t epoch,
                            const cairn_sensor_batch *b,
                            const cairn_pubkey *owner,
                            const cairn_sensor_tile *t)
{
    uint8_t k[48], v[SN_REPORT_LEN];
    cairn_be64_put(k, epoch);
    cairn_be64_put(k + 8, t->cell);
    memcpy(k + 16, b->device.b, 32);
    memcpy(v, owner->b, 32);
    cairn_le64_put(v + 32, (uint64_t)t->q);
    cairn_le64_put(v + 40, b->seq);
    v[48] = 0; /* not paid: reports are paid at an epoch's end */
    return state_put(x->w, x->s, SN_STATE_REPORT, k, 48, v, sizeof v);
}

cairn_err sn_batch_apply(exec_ctx *x, const cairn_tx *tx)
{
    sn_batch *sb = calloc(1, sizeof *sb);
    cairn_sensor_batch *b;
    sn_params P;
    sn_device d;
    uint64_t epoch;
    MDB_val v;
    cairn_buf out = {0};
    if (!sb)
        return CAIRN_ERR_NOMEM;
    b = &sb->b;
    cairn_err e = body(cairn_sensor_batch_decode(b, tx->body, tx->body_len));
    if (e || (e = sn_params_read(x->w->txn, x->s, &P)) ||
        (e = sn_epoch_now(x->w->txn, x->s, &epoch)) ||
        (e = owned(x, tx, &b->device, &d)))
        goto done;
    if (d.batches && b->seq <= d.last_seq) {
        e = CAIRN_ERR_BATCH_REPLAY;
        goto done;
    }
    e = state_get(x->w->txn, x->s, SN_STATE_CONTENT, b->content.b, 32, &v);
    if (e != CAIRN_ERR_NOT_FOUND) {
        e = e ? e : CAIRN_ERR_BATCH_REPLAY;
        goto done;
    }
    if (b->ref_height > x->height || x->height - b->ref_height > P.ref_window) {
        e = CAIRN_ERR_BATCH_STALE;
        goto done;
    }
    if (d.batches && b->t_from_ms <= d.last_t_to_ms) {
        e = CAIRN_ERR_BATCH_TIME;
        goto done;
    }
    if ((e = sn_batch_shape(b, &P)))
        goto done;
    for (uint16_t i = 0; i < b->nkeys; i++) {
        sn_grant g;
        e = sn_grant_read(x->w->txn, x->s, &b->device, &b->keys[i].app, &g);
        if (!e && !sn_grant_active(&g, epoch, P.period_epochs))
            e = CAIRN_ERR_NO_GRANT;
        if (e)
            goto done;
    }
    /* the batch, its content, one report per tile, the device */
    uint8_t k[40], cv[40];
    memcpy(k, b->device.b, 32);
    cairn_be64_put(k + 32, b->seq);
    sb->height = x->height;
    cairn_buf_init(&out, 1 << 16);
    sn_batch_encode(&out, sb);
    if ((e = out.err) ||
        (e = state_put(x->w, x->s, SN_STATE_BATCH, k, 40, out.p, out.len)))
        goto done;
    memcpy(cv, b->device.b, 32);
    cairn_le64_put(cv + 32, b->seq);
    if ((e = state_put(x->w, x->s, SN_STATE_CONTENT, b->content.b, 32, cv, 40)))
        goto done;
    for (uint16_t i = 0; !e && i < b->ntiles; i++)
        e = report_put(x, epoch, b, &d.owner, &b->tiles[i]);
    if (e)
        goto done;
    uint64_t week = P.week_epochs ? epoch / P.week_epochs : epoch;
    if (d.week != week || !d.week_batches) {
        d.week = week;
        d.week_batches = 0;
    }
    d.week_batches++;
    d.batches++;
    d.last_seq = b->seq;
    d.last_t_to_ms = b->t_to_ms;
    if (!(e = sn_device_put(x, &d)))
        e = count(x, offsetof(sn_totals, batches), 1);
done:
    cairn_buf_free(&out);
    free(sb);
    return e;
}

/* ---- 0x73 grant, 0x74 revoke ---- */

cairn_err sn_grant_check(const cairn_tx *tx)
{
    cairn_sensor_grant g;
    return body(cairn_sensor_grant_decode(&g, tx->body, tx->body_len));
}

cairn_err sn_grant_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_sensor_grant g;
    sn_device d;
    sn_grant r;
    uint64_t epoch;
    cairn_err e = body(cairn_sensor_grant_decode(&g, tx->body, tx->body_len));
    if (e || (e = owned(x, tx, &g.device, &d)) ||
        (e = sn_epoch_now(x->w->txn, x->s, &epoch)))
        return e;
    if (g.expiry_epoch <= epoch)
        return CAIRN_ERR_GRANT_EXPIRED;
    e = sn_grant_read(x->w->txn, x->s, &g.device, &g.app, &r);
    if (e == CAIRN_ERR_NO_GRANT)
        memset(&r, 0, sizeof r); /* new: nothing paid yet */
    else if (e)
        return e;
    r.privileges = g.privileges;
    r.expiry_epoch = g.expiry_epoch;
    r.price = g.price;
    r.granted_height = x->height;
    uint8_t k[64], v[SN_GRANT_LEN];
    memcpy(k, g.device.b, 32);
    memcpy(k + 32, g.app.b, 32);
    sn_grant_encode(v, &r);
    return state_put(x->w, x->s, SN_STATE_GRANT, k, 64, v, sizeof v);
}

cairn_err sn_revoke_check(const cairn_tx *tx)
{
    cairn_pubkey a, b;
    return body(cairn_sensor_revoke_decode(&a, &b, tx->body, tx->body_len));
}

cairn_err sn_revoke_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_pubkey dev, app;
    sn_device d;
    sn_grant g;
    cairn_err e =
        body(cairn_sensor_revoke_decode(&dev, &app, tx->body, tx->body_len));
    if (e || (e = owned(x, tx, &dev, &d)) ||
        (e = sn_grant_read(x->w->txn, x->s, &dev, &app, &g)))
        return e;
    uint8_t k[65] = {SN_STATE_GRANT};
    memcpy(k + 1, dev.b, 32);
    memcpy(k + 33, app.b, 32);
    return state_del_raw(x->w, x->s, k, sizeof k);
}

/* ---- 0x75 access_pay ---- */

cairn_err sn_pay_check(const cairn_tx *tx)
{
    cairn_sensor_pay p;
    return body(cairn_sensor_pay_decode(&p, tx->body, tx->body_len));
}

cairn_err sn_pay_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_sensor_pay p;
    sn_device d;
    sn_grant g;
    sn_params P;
    uint64_t epoch, amount;
    cairn_err e = body(cairn_sensor_pay_decode(&p, tx->body, tx->body_len));
    if (e || (e = sn_params_read(x->w->txn, x->s, &P)) ||
        (e = sn_epoch_now(x->w->txn, x->s, &epoch)) ||
        (e = sn_device_read(x->w->txn, x->s, &p.device, &d)) ||
        (e = sn_grant_read(x->w->txn, x->s, &p.device, &tx->sender, &g)))
        return e;
    if (epoch >= g.expiry_epoch)
        return CAIRN_ERR_GRANT_EXPIRED;
    if (g.price > p.max_price)
        return CAIRN_ERR_PRICE_LOW; /* the grant asks more than offered */
    if (cairn_mul(&amount, g.price, p.periods))
        return CAIRN_ERR_OVERFLOW;
    uint64_t period = P.period_epochs ? epoch / P.period_epochs : epoch;
    uint64_t from = g.paid_until > period ? g.paid_until : period;
    if (cairn_add(&g.paid_until, from, p.periods))
        return CAIRN_ERR_OVERFLOW;
    if (amount) {
        /* owner's share to the owner, the rest through the fee split */
        uint64_t own =
            (uint64_t)((unsigned __int128)amount * P.owner_bps / CAIRN_BPS);
        if ((e = econ_debit(x, &tx->sender, amount)) ||
            (own && (e = econ_credit(x, &d.owner, own))) ||
            (amount > own &&
             (e = econ_pay_fee_sector(x, amount - own, CAIRN_SECTOR_SENSOR))))
            return e;
    }
    uint8_t k[64], v[SN_GRANT_LEN];
    memcpy(k, p.device.b, 32);
    memcpy(k + 32, tx->sender.b, 32);
    sn_grant_encode(v, &g);
    if ((e = state_put(x->w, x->s, SN_STATE_GRANT, k, 64, v, sizeof v)))
        return e;
    return count(x, offsetof(sn_totals, access_paid), amount);
}

/* ---- 0x76 bounty_fund ---- */

cairn_err sn_bounty_check(const cairn_tx *tx)
{
    cairn_sensor_bounty b;
    return body(cairn_sensor_bounty_decode(&b, tx->body, tx->body_len));
}

cairn_err sn_bounty_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_sensor_bounty b;
    sn_params P;
    uint64_t epoch, amount = 0, deadline;
    MDB_val v;
    cairn_err e = body(cairn_sensor_bounty_decode(&b, tx->body, tx->body_len));
    if (e || (e = sn_params_read(x->w->txn, x->s, &P)) ||
        (e = sn_epoch_now(x->w->txn, x->s, &epoch)))
        return e;
    if (b.epochs > P.bounty_max)
        return CAIRN_ERR_BOUNTY_EPOCHS;
    if (!hexg_valid(b.cell) || hexg_res(b.cell) != P.tile_res)
        return CAIRN_ERR_BAD_TILE;
    deadline = epoch + b.epochs;
    uint8_t k[40], val[16];
    cairn_be64_put(k, b.cell);
    memcpy(k + 8, tx->sender.b, 32);
    e = state_get(x->w->txn, x->s, SN_STATE_BOUNTY, k, 40, &v);
    if (!e) {
        if (v.mv_size != 16)
            return CAIRN_ERR_DB;
        amount = cairn_le64_get(v.mv_data);
        uint64_t old = cairn_le64_get((const uint8_t *)v.mv_data + 8);
        if (old > deadline)
            deadline = old;
    } else if (e != CAIRN_ERR_NOT_FOUND) {
        return e;
    }
    if (cairn_add(&amount, amount, b.amount))
        return CAIRN_ERR_OVERFLOW;
    if ((e = econ_hold(x, &tx->sender, b.amount)))
        return e;
    cairn_le64_put(val, amount);
    cairn_le64_put(val + 8, deadline);
    return state_put(x->w, x->s, SN_STATE_BOUNTY, k, 40, val, 16);
}

/* ---- 0x77 map_read ---- */

cairn_err sn_map_read_check(const cairn_tx *tx)
{
    uint64_t cell;
    return body(cairn_sensor_map_read_decode(&cell, tx->body, tx->body_len));
}

cairn_err sn_map_read_apply(exec_ctx *x, const cairn_tx *tx)
{
    uint64_t cell, epoch, credits = 0;
    sn_params P;
    sn_tile t;
    MDB_val v;
    cairn_err e =
        body(cairn_sensor_map_read_decode(&cell, tx->body, tx->body_len));
    if (e || (e = sn_params_read(x->w->txn, x->s, &P)) ||
        (e = sn_epoch_now(x->w->txn, x->s, &epoch)))
        return e;
    e = sn_tile_read(x->w->txn, x->s, cell, &t);
    if (e == CAIRN_ERR_NOT_FOUND)
        return CAIRN_ERR_NO_TILE_DATA;
    if (e)
        return e;
    if (P.map_read_credits &&
        (e = econ_spend_credits(x, &tx->sender, P.map_read_credits)))
        return e;
    uint8_t k[48], val[8];
    cairn_be64_put(k, epoch);
    cairn_be64_put(k + 8, cell);
    memcpy(k + 16, tx->sender.b, 32);
    e = state_get(x->w->txn, x->s, SN_STATE_MAP_READ, k, 48, &v);
    if (!e && v.mv_size == 8)
        credits = cairn_le64_get(v.mv_data);
    else if (e && e != CAIRN_ERR_NOT_FOUND)
        return e;
    if (cairn_add(&credits, credits, P.map_read_credits))
        return CAIRN_ERR_OVERFLOW;
    cairn_le64_put(val, credits);
    if ((e = state_put(x->w, x->s, SN_STATE_MAP_READ, k, 48, val, 8)))
        return e;
    return count(x, offsetof(sn_totals, map_reads), 1);
}
