/* Sensor endpoints (docs/sensor-chain.md "API"):
 *   GET /v1/sensor/devices?owner=ADDR&after=ADDR&limit=N
 *   GET /v1/sensor/device/{addr}
 *   GET /v1/sensor/batches?device=ADDR&from_ms=&to_ms=&after_seq=&limit=
 *   GET /v1/sensor/grants?app=ADDR&limit=N
 *   GET /v1/sensor/tiles?after=CELL&limit=N
 *   GET /v1/sensor/tile/{cell}
 *   GET /v1/sensor/epoch/{e}
 *   GET /v1/sensor/map/{cell}?reader=ADDR   (402 without a MAP_READ)
 * Each answer comes from one read-only view of the chain, under the node
 * lock; lists are paged (at most SN_API_LIST_MAX entries, "more"). */
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "cairn/parse.h"
#include "core/bytes.h"
#include "ledger/view.h"
#include "node/api_handlers.h"
#include "sectors/sensor/sn.h"
#include "sensor/sn_api.h"

int api_sensor_route(node *n, httpd_req *req, const char *path,
                     const char *query);

static void set_u64(json_t *o, const char *name, uint64_t v)
{
    json_object_set_new(o, name, api_json_u64(v));
}

static void set_cell(json_t *o, uint64_t cell)
{
    char d[24], h[20];
    snprintf(d, sizeof d, "%llu", (unsigned long long)cell);
    snprintf(h, sizeof h, "%016llx", (unsigned long long)cell);
    json_object_set_new(o, "cell", json_string(d));
    json_object_set_new(o, "cell_hex", json_string(h));
}

cairn_err sn_api_parse_cell(const char *s, uint64_t *cell)
{
    size_t n = s ? strlen(s) : 0;
    uint8_t b[8];
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        n -= 2;
        if (n == 0 || n > 16)
            return CAIRN_ERR_BAD_ARG;
        char pad[17];
        memset(pad, '0', 16);
        memcpy(pad + 16 - n, s, n);
        pad[16] = 0;
        s = pad;
        if (cairn_hex_decode(b, 8, s, 16))
            return CAIRN_ERR_BAD_ARG;
        *cell = cairn_be64_get(b);
        return CAIRN_OK;
    }
    if (n == 16 && !cairn_hex_decode(b, 8, s, 16)) {
        *cell = cairn_be64_get(b);
        return CAIRN_OK;
    }
    return cairn_parse_u64(s, cell) ? CAIRN_ERR_BAD_ARG : CAIRN_OK;
}

static const char *priv_text(uint32_t p)
{
    return p == CAIRN_SENSOR_PRIV_ALL         ? "all"
           : p == CAIRN_SENSOR_PRIV_LOCATION  ? "location"
           : p == CAIRN_SENSOR_PRIV_TELEMETRY ? "telemetry"
                                              : "unknown";
}

static json_t *device_json(const sn_device *d)
{
    json_t *o = json_object();
    json_object_set_new(o, "device", api_json_addr(&d->device));
    json_object_set_new(o, "owner", api_json_addr(&d->owner));
    set_u64(o, "generation", d->generation);
    set_u64(o, "last_seq", d->last_seq);
    set_u64(o, "last_t_to_ms", d->last_t_to_ms);
    set_u64(o, "batches", d->batches);
    set_u64(o, "paired_height", d->paired_height);
    set_u64(o, "level", d->level);
    set_u64(o, "streak_weeks", d->streak_weeks);
    set_u64(o, "missed_weeks", d->missed);
    set_u64(o, "week", d->week);
    set_u64(o, "week_batches", d->week_batches);
    set_u64(o, "paid_week", d->paid_week);
    return o;
}

static json_t *grant_json(const sn_grant *g, uint64_t epoch,
                          uint64_t period_epochs)
{
    json_t *o = json_object();
    json_object_set_new(o, "device", api_json_addr(&g->device));
    json_object_set_new(o, "app", api_json_addr(&g->app));
    set_u64(o, "privileges", g->privileges);
    json_object_set_new(o, "privileges_text",
                        json_string(priv_text(g->privileges)));
    set_u64(o, "expiry_epoch", g->expiry_epoch);
    set_u64(o, "price", g->price);
    set_u64(o, "paid_until_period", g->paid_until);
    set_u64(o, "granted_height", g->granted_height);
    json_object_set_new(o, "active",
                        json_boolean(sn_grant_active(g, epoch, period_epochs)));
    return o;
}

static json_t *tile_json(const sn_tile *t)
{
    json_t *o = json_object();
    set_cell(o, t->cell);
    set_u64(o, "last_agreed_epoch", t->last_agreed_epoch);
    json_object_set_new(o, "q", json_integer((json_int_t)t->q));
    set_u64(o, "contributors", t->contributors);
    set_u64(o, "times_agreed", t->times_agreed);
    json_object_set_new(o, "device", api_json_addr(&t->device));
    set_u64(o, "seq", t->seq);
    return o;
}

static json_t *batch_json(const cairn_pubkey *dev, uint64_t seq,
                          const sn_batch *sb)
{
    const cairn_sensor_batch *b = &sb->b;
    json_t *o = json_object(), *tiles = json_array(), *keys = json_array();
    json_object_set_new(o, "device", api_json_addr(dev));
    set_u64(o, "seq", seq);
    set_u64(o, "height", sb->height);
    set_u64(o, "t_from_ms", b->t_from_ms);
    set_u64(o, "t_to_ms", b->t_to_ms);
    json_object_set_new(o, "content", api_json_hex(b->content.b, 32));
    json_object_set_new(o, "file_id",
                        api_json_hex(b->file_id, CAIRN_SENSOR_FILE_ID_LEN));
    set_u64(o, "readings", b->readings);
    for (uint16_t i = 0; i < b->ntiles; i++) {
        json_t *t = json_object();
        set_cell(t, b->tiles[i].cell);
        set_u64(t, "enter_ms", b->tiles[i].enter_ms);
        set_u64(t, "points", b->tiles[i].points);
        json_object_set_new(t, "q", json_integer((json_int_t)b->tiles[i].q));
        json_array_append_new(tiles, t);
    }
    for (uint16_t i = 0; i < b->nkeys; i++) {
        json_t *k = json_object();
        json_object_set_new(k, "app", api_json_addr(&b->keys[i].app));
        json_object_set_new(
            k, "box", api_json_hex(b->keys[i].box, CAIRN_SENSOR_SEALED_LEN));
        json_array_append_new(keys, k);
    }
    json_object_set_new(o, "tiles", tiles);
    json_object_set_new(o, "keys", keys);
    return o;
}

/* ---- devices ---- */

typedef struct list_arg {
    const cairn_pubkey *who, *after;
    uint64_t limit, from_ms, to_ms, epoch, period_epochs;
    json_t *arr;
    size_t n;
    int more;
    const chain_view *v;
} list_arg;

static cairn_err visit_owned(void *arg, const uint8_t *k, size_t kn,
                             const uint8_t *v, size_t vn)
{
    list_arg *a = arg;
    sn_device d;
    (void)v;
    (void)vn;
    if (kn != 65)
        return CAIRN_ERR_DB;
    cairn_pubkey dev;
    memcpy(dev.b, k + 33, 32);
    if (a->after && memcmp(dev.b, a->after->b, 32) <= 0)
        return CAIRN_OK;
    if (a->n == a->limit) {
        a->more = 1;
        return STATE_SCAN_STOP;
    }
    cairn_err e = sn_device_read(a->v->txn, a->v->s, &dev, &d);
    if (e)
        return e == CAIRN_ERR_NOT_DEVICE ? CAIRN_ERR_DB : e;
    json_array_append_new(a->arr, device_json(&d));
    a->n++;
    return CAIRN_OK;
}

static cairn_err view_devices(const chain_view *v, void *arg)
{
    list_arg *a = arg;
    uint8_t pre[33] = {SN_STATE_BY_OWNER};
    memcpy(pre + 1, a->who->b, 32);
    a->v = v;
    return sn_scan_prefix(v->txn, v->s, pre, 33, visit_owned, a);
}

static cairn_err list_reply(const char *name, list_arg *a, json_t **out)
{
    *out = json_object();
    json_object_set_new(*out, name, a->arr);
    json_object_set_new(*out, "more", json_boolean(a->more));
    return CAIRN_OK;
}

static cairn_err run_list(cairn_chain *c, chain_view_fn fn, list_arg *a,
                          const char *name, json_t **out)
{
    if (a->limit < 1 || a->limit > SN_API_LIST_MAX)
        return CAIRN_ERR_BAD_ARG;
    a->arr = json_array();
    cairn_err e = chain_view_run(c, fn, a);
    if (e) {
        json_decref(a->arr);
        return e;
    }
    return list_reply(name, a, out);
}

cairn_err sn_api_devices(cairn_chain *c, const cairn_pubkey *owner,
                         const cairn_pubkey *after, uint64_t limit,
                         json_t **out)
{
    list_arg a = {.who = owner, .after = after, .limit = limit};
    return run_list(c, view_devices, &a, "devices", out);
}

/* ---- one device ---- */

typedef struct one_arg {
    const cairn_pubkey *pk;
    uint64_t cell;
    json_t *o;
    sn_params P;
    uint64_t epoch;
    size_t n;
    int more;
    const chain_view *v;
    json_t *arr;
    sn_tile tile;
    int has_tile;
} one_arg;

static cairn_err visit_grant(void *arg, const uint8_t *k, size_t kn,
                             const uint8_t *v, size_t vn)
{
    one_arg *a = arg;
    sn_grant g;
    if (kn != 65)
        return CAIRN_ERR_DB;
    if (a->n == SN_API_LIST_MAX) {
        a->more = 1;
        return STATE_SCAN_STOP;
    }
    memset(&g, 0, sizeof g);
    memcpy(g.device.b, k + 1, 32);
    memcpy(g.app.b, k + 33, 32);
    cairn_err e = sn_grant_decode(&g, v, vn);
    if (e)
        return e;
    json_array_append_new(a->arr, grant_json(&g, a->epoch, a->P.period_epochs));
    a->n++;
    return CAIRN_OK;
}

static cairn_err view_device(const chain_view *v, void *arg)
{
    one_arg *a = arg;
    sn_device d;
    cairn_err e = sn_device_read(v->txn, v->s, a->pk, &d);
    if (e || (e = sn_params_read(v->txn, v->s, &a->P)) ||
        (e = sn_epoch_now(v->txn, v->s, &a->epoch)))
        return e;
    a->o = device_json(&d);
    a->arr = json_array();
    json_object_set_new(a->o, "grants", a->arr);
    uint8_t pre[33] = {SN_STATE_GRANT};
    memcpy(pre + 1, a->pk->b, 32);
    e = sn_scan_prefix(v->txn, v->s, pre, 33, visit_grant, a);
    json_object_set_new(a->o, "grants_more", json_boolean(a->more));
    return e;
}

cairn_err sn_api_device(cairn_chain *c, const cairn_pubkey *dev, json_t **out)
{
    one_arg a = {.pk = dev};
    cairn_err e = chain_view_run(c, view_device, &a);
    if (e) {
        json_decref(a.o);
        return e;
    }
    *out = a.o;
    return CAIRN_OK;
}

/* ---- batches ---- */

static cairn_err visit_batch(void *arg, const uint8_t *k, size_t kn,
                             const uint8_t *v, size_t vn)
{
    list_arg *a = arg;
    sn_batch *sb;
    if (kn != 41)
        return CAIRN_ERR_DB;
    if (!(sb = calloc(1, sizeof *sb)))
        return CAIRN_ERR_NOMEM;
    cairn_err e = sn_batch_decode(sb, v, vn);
    if (!e && sb->b.t_to_ms >= a->from_ms && sb->b.t_from_ms <= a->to_ms) {
        if (a->n == a->limit) {
            a->more = 1;
            e = STATE_SCAN_STOP;
        } else {
            json_array_append_new(
                a->arr, batch_json(a->who, cairn_be64_get(k + 33), sb));
            a->n++;
        }
    }
    free(sb);
    return e;
}

static cairn_err view_batches(const chain_view *v, void *arg)
{
    list_arg *a = arg;
    uint8_t pre[41] = {SN_STATE_BATCH};
    memcpy(pre + 1, a->who->b, 32);
    a->v = v;
    /* the prefix scan starts at the device; seq filter in the key order */
    MDB_cursor *cur;
    if (mdb_cursor_open(v->txn, v->s->state, &cur))
        return CAIRN_ERR_DB;
    cairn_be64_put(pre + 33, a->epoch); /* epoch field: the first seq */
    MDB_val k = {41, pre}, val;
    cairn_err e = CAIRN_OK;
    int rc = mdb_cursor_get(cur, &k, &val, MDB_SET_RANGE);
    for (; !e && rc == 0; rc = mdb_cursor_get(cur, &k, &val, MDB_NEXT)) {
        if (k.mv_size != 41 || memcmp(k.mv_data, pre, 33) != 0)
            break;
        e = visit_batch(a, k.mv_data, k.mv_size, val.mv_data, val.mv_size);
    }
    mdb_cursor_close(cur);
    if (e == STATE_SCAN_STOP)
        return CAIRN_OK;
    if (!e && rc != 0 && rc != MDB_NOTFOUND)
        return CAIRN_ERR_DB;
    return e;
}

cairn_err sn_api_batches(cairn_chain *c, const cairn_pubkey *dev,
                         uint64_t from_ms, uint64_t to_ms, int has_after,
                         uint64_t after_seq, uint64_t limit, json_t **out)
{
    if (has_after && after_seq == UINT64_MAX) {
        *out = json_pack("{s:[],s:b}", "batches", "more", 0);
        return CAIRN_OK;
    }
    list_arg a = {.who = dev,
                  .limit = limit,
                  .from_ms = from_ms,
                  .to_ms = to_ms,
                  .epoch = has_after ? after_seq + 1 : 0};
    return run_list(c, view_batches, &a, "batches", out);
}

/* ---- grants of an app ---- */

static cairn_err visit_app_grant(void *arg, const uint8_t *k, size_t kn,
                                 const uint8_t *v, size_t vn)
{
    list_arg *a = arg;
    sn_grant g;
    if (kn != 65)
        return CAIRN_ERR_DB;
    if (memcmp(k + 33, a->who->b, 32) != 0)
        return CAIRN_OK;
    if (a->n == a->limit) {
        a->more = 1;
        return STATE_SCAN_STOP;
    }
    memset(&g, 0, sizeof g);
    memcpy(g.device.b, k + 1, 32);
    g.app = *a->who;
    cairn_err e = sn_grant_decode(&g, v, vn);
    if (!e) {
        json_array_append_new(a->arr,
                              grant_json(&g, a->epoch, a->period_epochs));
        a->n++;
    }
    return e;
}

static cairn_err view_grants(const chain_view *v, void *arg)
{
    list_arg *a = arg;
    sn_params P;
    cairn_err e = sn_params_read(v->txn, v->s, &P);
    if (e || (e = sn_epoch_now(v->txn, v->s, &a->epoch)))
        return e;
    a->period_epochs = P.period_epochs;
    return state_scan(v->txn, v->s, SN_STATE_GRANT, visit_app_grant, a);
}

cairn_err sn_api_grants(cairn_chain *c, const cairn_pubkey *app, uint64_t limit,
                        json_t **out)
{
    list_arg a = {.who = app, .limit = limit};
    return run_list(c, view_grants, &a, "grants", out);
}

/* ---- tiles ---- */

static cairn_err visit_tile(void *arg, const uint8_t *k, size_t kn,
                            const uint8_t *v, size_t vn)
{
    list_arg *a = arg;
    sn_tile t;
    if (kn != 9)
        return CAIRN_ERR_DB;
    memset(&t, 0, sizeof t);
    t.cell = cairn_be64_get(k + 1);
    if (a->after && t.cell <= a->from_ms)
        return CAIRN_OK;
    if (a->n == a->limit) {
        a->more = 1;
        return STATE_SCAN_STOP;
    }
    cairn_err e = sn_tile_decode(&t, v, vn);
    if (!e) {
        json_array_append_new(a->arr, tile_json(&t));
        a->n++;
    }
    return e;
}

static cairn_err view_tiles(const chain_view *v, void *arg)
{
    list_arg *a = arg;
    uint8_t pre[9] = {SN_STATE_TILE};
    size_t n = 1;
    if (a->after) { /* seek to the cell after `after` */
        cairn_be64_put(pre + 1, a->from_ms);
        MDB_cursor *cur;
        MDB_val k = {9, pre}, val;
        if (mdb_cursor_open(v->txn, v->s->state, &cur))
            return CAIRN_ERR_DB;
        cairn_err e = CAIRN_OK;
        int rc = mdb_cursor_get(cur, &k, &val, MDB_SET_RANGE);
        for (; !e && rc == 0; rc = mdb_cursor_get(cur, &k, &val, MDB_NEXT)) {
            if (k.mv_size < 1 || ((uint8_t *)k.mv_data)[0] != SN_STATE_TILE)
                break;
            e = visit_tile(a, k.mv_data, k.mv_size, val.mv_data, val.mv_size);
        }
        mdb_cursor_close(cur);
        if (e == STATE_SCAN_STOP)
            return CAIRN_OK;
        if (!e && rc != 0 && rc != MDB_NOTFOUND)
            return CAIRN_ERR_DB;
        return e;
    }
    return sn_scan_prefix(v->txn, v->s, pre, n, visit_tile, a);
}

cairn_err sn_api_tiles(cairn_chain *c, int has_after, uint64_t after,
                       uint64_t limit, json_t **out)
{
    static const cairn_pubkey any;
    list_arg a = {
        .after = has_after ? &any : NULL, .from_ms = after, .limit = limit};
    return run_list(c, view_tiles, &a, "tiles", out);
}

/* ---- one tile ---- */

static cairn_err visit_report(void *arg, const uint8_t *k, size_t kn,
                              const uint8_t *v, size_t vn)
{
    one_arg *a = arg;
    if (kn != 49 || vn != SN_REPORT_LEN)
        return CAIRN_ERR_DB;
    if (a->n == SN_API_LIST_MAX) {
        a->more = 1;
        return STATE_SCAN_STOP;
    }
    json_t *o = json_object();
    cairn_pubkey dev, own;
    memcpy(dev.b, k + 17, 32);
    memcpy(own.b, v, 32);
    json_object_set_new(o, "device", api_json_addr(&dev));
    json_object_set_new(o, "owner", api_json_addr(&own));
    json_object_set_new(o, "q",
                        json_integer((json_int_t)cairn_le64_get(v + 32)));
    set_u64(o, "seq", cairn_le64_get(v + 40));
    json_array_append_new(a->arr, o);
    a->n++;
    return CAIRN_OK;
}

static cairn_err visit_bounty(void *arg, const uint8_t *k, size_t kn,
                              const uint8_t *v, size_t vn)
{
    one_arg *a = arg;
    if (kn != 41 || vn != 16)
        return CAIRN_ERR_DB;
    if (a->n == SN_API_LIST_MAX) {
        a->more = 1;
        return STATE_SCAN_STOP;
    }
    json_t *o = json_object();
    cairn_pubkey f;
    memcpy(f.b, k + 9, 32);
    json_object_set_new(o, "funder", api_json_addr(&f));
    set_u64(o, "amount", cairn_le64_get(v));
    set_u64(o, "deadline_epoch", cairn_le64_get(v + 8));
    json_array_append_new(a->arr, o);
    a->n++;
    return CAIRN_OK;
}

static cairn_err view_tile(const chain_view *v, void *arg)
{
    one_arg *a = arg;
    sn_tile t;
    cairn_err e = sn_epoch_now(v->txn, v->s, &a->epoch);
    if (e)
        return e;
    e = sn_tile_read(v->txn, v->s, a->cell, &t);
    if (e && e != CAIRN_ERR_NOT_FOUND)
        return e;
    a->o = json_object();
    set_cell(a->o, a->cell);
    json_object_set_new(a->o, "tile", e ? json_null() : tile_json(&t));
    size_t found = e ? 0 : 1;
    set_u64(a->o, "epoch", a->epoch);
    uint8_t pre[17] = {SN_STATE_REPORT};
    cairn_be64_put(pre + 1, a->epoch);
    cairn_be64_put(pre + 9, a->cell);
    a->arr = json_array();
    a->n = 0;
    a->more = 0;
    json_object_set_new(a->o, "reports", a->arr);
    if ((e = sn_scan_prefix(v->txn, v->s, pre, 17, visit_report, a)))
        return e;
    found += a->n;
    json_object_set_new(a->o, "reports_more", json_boolean(a->more));
    pre[0] = SN_STATE_BOUNTY;
    cairn_be64_put(pre + 1, a->cell);
    a->arr = json_array();
    a->n = 0;
    a->more = 0;
    json_object_set_new(a->o, "bounties", a->arr);
    if ((e = sn_scan_prefix(v->txn, v->s, pre, 9, visit_bounty, a)))
        return e;
    found += a->n;
    json_object_set_new(a->o, "bounties_more", json_boolean(a->more));
    return found ? CAIRN_OK : CAIRN_ERR_NOT_FOUND;
}

cairn_err sn_api_tile(cairn_chain *c, uint64_t cell, json_t **out)
{
    one_arg a = {.cell = cell};
    cairn_err e = chain_view_run(c, view_tile, &a);
    if (e) {
        json_decref(a.o);
        return e;
    }
    *out = a.o;
    return CAIRN_OK;
}

/* ---- epoch totals ---- */

typedef struct ep_arg {
    uint64_t epoch, now;
    sn_totals t;
} ep_arg;

static cairn_err view_epoch(const chain_view *v, void *arg)
{
    ep_arg *a = arg;
    cairn_err e = sn_epoch_now(v->txn, v->s, &a->now);
    return e ? e : sn_totals_read(v->txn, v->s, a->epoch, &a->t);
}

cairn_err sn_api_epoch(cairn_chain *c, uint64_t epoch, json_t **out)
{
    ep_arg a = {.epoch = epoch};
    cairn_err e = chain_view_run(c, view_epoch, &a);
    if (e)
        return e;
    json_t *o = json_object();
    const sn_totals *t = &a.t;
    set_u64(o, "epoch", epoch);
    set_u64(o, "current_epoch", a.now);
    set_u64(o, "batches", t->batches);
    set_u64(o, "tiles_reported", t->tiles_reported);
    set_u64(o, "tiles_agreed", t->tiles_agreed);
    set_u64(o, "tiles_disagreed", t->tiles_disagreed);
    set_u64(o, "reports_disagreed", t->reports_disagreed);
    set_u64(o, "fresh_bps_sum", t->fresh_bps_sum);
    set_u64(o, "fresh_bps_mean",
            t->tiles_agreed ? t->fresh_bps_sum / t->tiles_agreed : 0);
    set_u64(o, "bounties_paid", t->bounties_paid);
    set_u64(o, "bounties_paid_n", t->bounties_paid_n);
    set_u64(o, "bounties_refunded", t->bounties_refunded);
    set_u64(o, "bounties_refunded_n", t->bounties_refunded_n);
    set_u64(o, "devices_paid_weekly", t->devices_paid_weekly);
    set_u64(o, "map_reads", t->map_reads);
    set_u64(o, "access_paid", t->access_paid);
    set_u64(o, "units_unpaid", t->units_unpaid);
    *out = o;
    return CAIRN_OK;
}

/* ---- map ---- */

static cairn_err visit_agreeing(void *arg, const uint8_t *k, size_t kn,
                                const uint8_t *v, size_t vn)
{
    one_arg *a = arg;
    if (kn != 49 || vn != SN_REPORT_LEN)
        return CAIRN_ERR_DB;
    if ((int64_t)cairn_le64_get(v + 32) != a->tile.q)
        return CAIRN_OK;
    if (a->n == SN_API_LIST_MAX) {
        a->more = 1;
        return STATE_SCAN_STOP;
    }
    uint64_t seq = cairn_le64_get(v + 40);
    uint8_t bk[40];
    MDB_val bv;
    memcpy(bk, k + 17, 32);
    cairn_be64_put(bk + 32, seq);
    json_t *o = json_object();
    cairn_pubkey dev;
    memcpy(dev.b, k + 17, 32);
    json_object_set_new(o, "device", api_json_addr(&dev));
    set_u64(o, "seq", seq);
    cairn_err e = state_get(a->v->txn, a->v->s, SN_STATE_BATCH, bk, 40, &bv);
    /* content ‖ file id sit at offsets 24 and 56 of the batch record */
    if (!e && bv.mv_size >= 72)
        json_object_set_new(o, "file_id",
                            api_json_hex((const uint8_t *)bv.mv_data + 56,
                                         CAIRN_SENSOR_FILE_ID_LEN));
    else
        json_object_set_new(o, "file_id", json_null());
    json_array_append_new(a->arr, o);
    a->n++;
    return CAIRN_OK;
}

static cairn_err has_read(const chain_view *v, uint64_t epoch, uint64_t cell,
                          const cairn_pubkey *reader)
{
    uint8_t k[48];
    MDB_val val;
    cairn_be64_put(k, epoch);
    cairn_be64_put(k + 8, cell);
    memcpy(k + 16, reader->b, 32);
    return state_get(v->txn, v->s, SN_STATE_MAP_READ, k, 48, &val);
}

static cairn_err view_map(const chain_view *v, void *arg)
{
    one_arg *a = arg;
    cairn_err e = sn_epoch_now(v->txn, v->s, &a->epoch);
    if (e)
        return e;
    e = has_read(v, a->epoch, a->cell, a->pk);
    if (e == CAIRN_ERR_NOT_FOUND && a->epoch)
        e = has_read(v, a->epoch - 1, a->cell, a->pk);
    if (e == CAIRN_ERR_NOT_FOUND)
        return CAIRN_ERR_NO_CREDITS;
    if (e)
        return e;
    e = sn_tile_read(v->txn, v->s, a->cell, &a->tile);
    if (e == CAIRN_ERR_NOT_FOUND)
        return CAIRN_ERR_NO_TILE_DATA;
    if (e)
        return e;
    a->v = v;
    a->o = tile_json(&a->tile);
    a->arr = json_array();
    json_object_set_new(a->o, "batches", a->arr);
    /* the agreeing reports of the window that ended at last_agreed_epoch
     * (sensor_quorum_epochs epochs), oldest epoch first */
    sn_params P;
    if ((e = sn_params_read(v->txn, v->s, &P)))
        return e;
    uint64_t last = a->tile.last_agreed_epoch, w = P.quorum_epochs;
    uint64_t lo = w && last >= w - 1 ? last - (w - 1) : 0;
    for (uint64_t ep = lo; !e && !a->more && ep <= last; ep++) {
        uint8_t pre[17] = {SN_STATE_REPORT};
        cairn_be64_put(pre + 1, ep);
        cairn_be64_put(pre + 9, a->cell);
        e = sn_scan_prefix(v->txn, v->s, pre, 17, visit_agreeing, a);
    }
    json_object_set_new(a->o, "batches_more", json_boolean(a->more));
    return e;
}

cairn_err sn_api_map(cairn_chain *c, uint64_t cell, const cairn_pubkey *reader,
                     json_t **out)
{
    one_arg a = {.cell = cell, .pk = reader};
    cairn_err e = chain_view_run(c, view_map, &a);
    if (e) {
        json_decref(a.o);
        return e;
    }
    *out = a.o;
    return CAIRN_OK;
}

/* ---- routes ---- */

static void answer(httpd_req *req, cairn_err e, json_t *o)
{
    if (e) {
        int st = e == CAIRN_ERR_NOT_DEVICE || e == CAIRN_ERR_NOT_FOUND ||
                         e == CAIRN_ERR_NO_TILE_DATA
                     ? 404
                     : 0;
        api_error(req, st, e, NULL);
        return;
    }
    api_reply(req, 200, o);
}

/* An optional number query field into *v (unchanged when absent). */
static int qnum(struct evkeyvalq *kv, const char *query, const char *name,
                uint64_t *v, int *bad)
{
    const char *s = api_query_get(kv, query, name, bad);
    return s && api_parse_num(s, v);
}

int api_sensor_route(node *n, httpd_req *req, const char *path,
                     const char *query)
{
    struct evkeyvalq kv;
    json_t *o = NULL;
    cairn_pubkey pk, pk2;
    uint64_t num = 0, limit = SN_API_LIST_MAX;
    int bad = 0;
    cairn_err e;
    if (strncmp(path, "/v1/sensor/", 11) != 0)
        return 0;
    const char *rest = path + 11;
    TAILQ_INIT(&kv);
    if (strcmp(rest, "devices") == 0) {
        const char *ow = api_query_get(&kv, query, "owner", &bad);
        const char *af = api_query_get(&kv, query, "after", &bad);
        if (bad || !ow || cairn_addr_parse(&pk, ow) ||
            (af && cairn_addr_parse(&pk2, af)) ||
            qnum(&kv, query, "limit", &limit, &bad) || limit < 1 ||
            limit > SN_API_LIST_MAX) {
            api_error(req, 400, CAIRN_ERR_BAD_ARG,
                      "give owner=cairn1..., after=cairn1... and "
                      "limit=1..100");
        } else {
            pthread_mutex_lock(&n->lock);
            e = sn_api_devices(n->chain, &pk, af ? &pk2 : NULL, limit, &o);
            pthread_mutex_unlock(&n->lock);
            answer(req, e, o);
        }
    } else if (strncmp(rest, "device/", 7) == 0) {
        if (cairn_addr_parse(&pk, rest + 7)) {
            api_error(req, 400, CAIRN_ERR_BAD_ADDRESS, NULL);
        } else {
            pthread_mutex_lock(&n->lock);
            e = sn_api_device(n->chain, &pk, &o);
            pthread_mutex_unlock(&n->lock);
            answer(req, e, o);
        }
    } else if (strcmp(rest, "batches") == 0) {
        const char *dv = api_query_get(&kv, query, "device", &bad);
        uint64_t from = 0, to = UINT64_MAX, after = 0;
        int has_after = api_query_get(&kv, query, "after_seq", &bad) != NULL;
        if (bad || !dv || cairn_addr_parse(&pk, dv) ||
            qnum(&kv, query, "from_ms", &from, &bad) ||
            qnum(&kv, query, "to_ms", &to, &bad) ||
            qnum(&kv, query, "after_seq", &after, &bad) ||
            qnum(&kv, query, "limit", &limit, &bad) || limit < 1 ||
            limit > SN_API_LIST_MAX) {
            api_error(req, 400, CAIRN_ERR_BAD_ARG,
                      "give device=cairn1... and optional from_ms, to_ms, "
                      "after_seq and limit=1..100");
        } else {
            pthread_mutex_lock(&n->lock);
            e = sn_api_batches(n->chain, &pk, from, to, has_after, after, limit,
                               &o);
            pthread_mutex_unlock(&n->lock);
            answer(req, e, o);
        }
    } else if (strcmp(rest, "grants") == 0) {
        const char *ap = api_query_get(&kv, query, "app", &bad);
        if (bad || !ap || cairn_addr_parse(&pk, ap) ||
            qnum(&kv, query, "limit", &limit, &bad) || limit < 1 ||
            limit > SN_API_LIST_MAX) {
            api_error(req, 400, CAIRN_ERR_BAD_ARG,
                      "give app=cairn1... and limit=1..100");
        } else {
            pthread_mutex_lock(&n->lock);
            e = sn_api_grants(n->chain, &pk, limit, &o);
            pthread_mutex_unlock(&n->lock);
            answer(req, e, o);
        }
    } else if (strcmp(rest, "tiles") == 0) {
        const char *af = api_query_get(&kv, query, "after", &bad);
        if (bad || (af && sn_api_parse_cell(af, &num)) ||
            qnum(&kv, query, "limit", &limit, &bad) || limit < 1 ||
            limit > SN_API_LIST_MAX) {
            api_error(req, 400, CAIRN_ERR_BAD_ARG,
                      "give after=CELL and limit=1..100");
        } else {
            pthread_mutex_lock(&n->lock);
            e = sn_api_tiles(n->chain, af != NULL, num, limit, &o);
            pthread_mutex_unlock(&n->lock);
            answer(req, e, o);
        }
    } else if (strncmp(rest, "tile/", 5) == 0) {
        if (sn_api_parse_cell(rest + 5, &num)) {
            api_error(req, 400, CAIRN_ERR_BAD_ARG,
                      "a cell is a decimal number or 16 hex digits");
        } else {
            pthread_mutex_lock(&n->lock);
            e = sn_api_tile(n->chain, num, &o);
            pthread_mutex_unlock(&n->lock);
            answer(req, e, o);
        }
    } else if (strncmp(rest, "epoch/", 6) == 0) {
        if (api_parse_num(rest + 6, &num)) {
            api_error(req, 400, CAIRN_ERR_BAD_ARG, "epoch must be a number");
        } else {
            pthread_mutex_lock(&n->lock);
            e = sn_api_epoch(n->chain, num, &o);
            pthread_mutex_unlock(&n->lock);
            answer(req, e, o);
        }
    } else if (strncmp(rest, "map/", 4) == 0) {
        const char *rd = api_query_get(&kv, query, "reader", &bad);
        if (sn_api_parse_cell(rest + 4, &num)) {
            api_error(req, 400, CAIRN_ERR_BAD_ARG,
                      "a cell is a decimal number or 16 hex digits");
        } else if (bad || !rd || cairn_addr_parse(&pk, rd)) {
            api_error(req, 400, CAIRN_ERR_BAD_ARG, "give reader=cairn1...");
        } else {
            pthread_mutex_lock(&n->lock);
            e = sn_api_map(n->chain, num, &pk, &o);
            pthread_mutex_unlock(&n->lock);
            if (e == CAIRN_ERR_NO_CREDITS)
                api_error(req, 402, e,
                          "no map read of this tile by the reader in this "
                          "epoch or the last: run `cairn sensor map get "
                          "CELL` (it pays the read and fetches the data)");
            else
                answer(req, e, o);
        }
    } else {
        evhttp_clear_headers(&kv);
        return 0;
    }
    evhttp_clear_headers(&kv);
    return 1;
}
