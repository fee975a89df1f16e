/* Wireless endpoints (docs/api.md, docs/wireless-chain.md "API"):
 *   GET /v1/wireless/hotspots?after=ADDR&limit=N
 *   GET /v1/wireless/hotspot/{addr}
 *   GET /v1/wireless/witnesses/{addr}?epoch=E
 *   GET /v1/wireless/coverage?res=R
 *   GET /v1/wireless/epoch/{e}
 * What `cairn wireless` and the hotspot daemon read. Each answer comes from
 * one read-only view of the chain, under the node lock. */
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "core/bytes.h"
#include "econ/staking.h"
#include "ledger/view.h"
#include "node/api_handlers.h"
#include "sectors/wireless/hexgrid.h"
#include "sectors/wireless/data.h"
#include "sectors/wireless/wl.h"
#include "wireless/route/route.h"
#include "wireless/wl_api.h"

int api_wireless_route(node *n, httpd_req *req, const char *path,
                       const char *query);

static void set_u64(json_t *o, const char *name, uint64_t v)
{
    json_object_set_new(o, name, api_json_u64(v));
}

static void set_i64(json_t *o, const char *name, int64_t v)
{
    json_object_set_new(o, name, json_integer((json_int_t)v));
}

/* A POC_ONE fixed-point value as "name" (integer) and "name_text" ("0.4"). */
static void set_fixed(json_t *o, const char *name, uint64_t v)
{
    char t[64], nm[64];
    snprintf(t, sizeof t, "%llu.%09llu", (unsigned long long)(v / POC_ONE),
             (unsigned long long)(v % POC_ONE));
    snprintf(nm, sizeof nm, "%s_text", name);
    set_u64(o, name, v);
    json_object_set_new(o, nm, json_string(t));
}

static json_t *cell_json(uint64_t cell)
{
    char t[20];
    snprintf(t, sizeof t, "%016llx", (unsigned long long)cell);
    return json_string(t);
}

static json_t *hotspot_json(const wl_hotspot *h)
{
    json_t *o = json_object();
    json_object_set_new(o, "address", api_json_addr(&h->pk));
    set_i64(o, "lat_udeg", h->lat);
    set_i64(o, "lon_udeg", h->lon);
    json_object_set_new(o, "cell", cell_json(h->cell));
    set_i64(o, "gain_cdbi", h->gain_cdbi);
    set_u64(o, "elevation_m", h->elevation_m);
    set_i64(o, "tx_power_cdbm", h->tx_power_cdbm);
    set_u64(o, "asserted_height", h->asserted_height);
    set_u64(o, "moves", h->n_moves);
    return o;
}

/* ---- hotspots ---- */

typedef struct list_arg {
    const cairn_pubkey *after;
    uint64_t limit;
    json_t *arr;
    int more;
    uint64_t n;
} list_arg;

static cairn_err visit_list(void *arg, const uint8_t *k, size_t kn,
                            const uint8_t *v, size_t vn)
{
    list_arg *a = arg;
    wl_hotspot h;
    cairn_err e = wl_hotspot_decode(&h, k, kn, v, vn);
    if (e)
        return e;
    if (a->after && memcmp(h.pk.b, a->after->b, 32) <= 0)
        return CAIRN_OK;
    if (a->n == a->limit) {
        a->more = 1;
        return STATE_SCAN_STOP;
    }
    json_array_append_new(a->arr, hotspot_json(&h));
    a->n++;
    return CAIRN_OK;
}

static cairn_err view_list(const chain_view *v, void *arg)
{
    list_arg *a = arg;
    uint8_t start[33] = {WL_STATE_HOTSPOT};
    if (a->after)
        memcpy(start + 1, a->after->b, 32);
    return wl_scan_prefix(v->txn, v->s, start, 1, visit_list, a);
}

cairn_err wl_api_hotspots(cairn_chain *c, const cairn_pubkey *after,
                          uint64_t limit, json_t **out)
{
    list_arg a = {after, limit, json_array(), 0, 0};
    if (limit < 1 || limit > WL_API_LIST_MAX) {
        json_decref(a.arr);
        return CAIRN_ERR_BAD_ARG;
    }
    cairn_err e = chain_view_run(c, view_list, &a);
    if (e) {
        json_decref(a.arr);
        return e;
    }
    *out = json_object();
    json_object_set_new(*out, "hotspots", a.arr);
    json_object_set_new(*out, "more", json_boolean(a.more));
    return CAIRN_OK;
}

/* ---- one hotspot ---- */

typedef struct one_arg {
    const cairn_pubkey *pk;
    json_t *o;
} one_arg;

static uint64_t data_units(const chain_view *v, uint64_t epoch,
                           const cairn_pubkey *pk)
{
    uint8_t k[40];
    MDB_val val;
    cairn_be64_put(k, epoch);
    memcpy(k + 8, pk->b, 32);
    if (state_get(v->txn, v->s, WL_STATE_DATA_UNITS, k, 40, &val) ||
        val.mv_size != 8)
        return 0;
    return cairn_le64_get(val.mv_data);
}

static cairn_err view_one(const chain_view *v, void *arg)
{
    one_arg *a = arg;
    wl_params P;
    wl_hotspot h, *all = NULL;
    wl_sched sc;
    wl_units u;
    size_t n = 0;
    uint64_t *scale = NULL;
    cairn_err e = wl_params_read(v->txn, v->s, &P);
    if (e || (e = wl_hotspot_read(v->txn, v->s, a->pk, &h)) ||
        (e = wl_sched_now(v->txn, v->s, &P, a->pk, &sc)) ||
        (e = wl_hotspots_all(v->txn, v->s, &all, &n)))
        return e;
    if (!(scale = calloc(n + 1, sizeof *scale)))
        e = CAIRN_ERR_NOMEM;
    if (!e)
        e = wl_density(P.hip17, all, n, scale);
    size_t i = wl_hotspot_find(all, n, a->pk);
    uint64_t last = sc.epoch ? sc.epoch - 1 : 0;
    if (!e && sc.epoch)
        e = wl_units_read(v->txn, v->s, last, a->pk, &u);
    else
        memset(&u, 0, sizeof u);
    if (!e) {
        json_t *o = hotspot_json(&h), *b = json_object(), *lu = json_object();
        set_fixed(o, "density_scale", i < n ? scale[i] : POC_ONE);
        set_u64(lu, "epoch", last);
        set_fixed(lu, "beacon_units", u.beacon);
        set_fixed(lu, "witness_units", u.witness);
        set_fixed(lu, "scale", u.scale);
        json_object_set_new(lu, "capped", json_boolean(u.capped));
        set_u64(lu, "data_dc", sc.epoch ? data_units(v, last, a->pk) : 0);
        json_object_set_new(o, "last_epoch", sc.epoch ? lu : json_null());
        if (!sc.epoch)
            json_decref(lu);
        set_u64(b, "epoch", sc.epoch);
        set_u64(b, "epoch_start", sc.start);
        set_u64(b, "epoch_end", sc.start + P.epoch_blocks - 1);
        if (sc.slot == CAIRN_SLOT_NONE) {
            json_object_set_new(b, "slot", json_null());
        } else {
            set_u64(b, "slot", sc.slot);
            set_u64(b, "witness_until", sc.slot + P.witness_blocks);
            set_u64(b, "reveal_from", sc.slot + P.witness_blocks + 1);
        }
        set_u64(b, "window_ms", P.beacon_window_ms);
        json_object_set_new(b, "seed", api_json_hex(sc.seed.b, 32));
        json_object_set_new(o, "beacon", b);
        a->o = o;
    }
    free(all);
    free(scale);
    return e;
}

cairn_err wl_api_hotspot(cairn_chain *c, const cairn_pubkey *pk, json_t **out)
{
    one_arg a = {pk, NULL};
    cairn_err e = chain_view_run(c, view_one, &a);
    if (!e)
        *out = a.o;
    return e;
}

/* ---- witnesses ---- */

static json_t *witness_json(const wl_witness *w, const cairn_pubkey *other,
                            const char *other_name)
{
    char msg[160];
    json_t *o = json_object();
    json_object_set_new(o, other_name, api_json_addr(other));
    json_object_set_new(o, "verdict", json_string(wl_verdict_name(w->verdict)));
    wl_verdict_format(w, msg, sizeof msg);
    json_object_set_new(o, "message", json_string(msg));
    json_object_set_new(o, "valid", json_boolean(w->verdict == POC_OK));
    json_object_set_new(o, "appealed", json_boolean(w->appealed));
    set_i64(o, "rssi_cdbm", w->rssi_cdbm);
    set_i64(o, "snr_cdb", w->snr_cdb);
    set_u64(o, "time_ms", w->time_ms);
    set_u64(o, "freq_hz", w->freq_hz);
    set_u64(o, "height", w->height);
    set_fixed(o, "units", w->units);
    json_object_set_new(o, "payload_hash", api_json_hex(w->payload_hash.b, 32));
    return o;
}

typedef struct wit_arg {
    const cairn_pubkey *pk;
    uint64_t epoch;
    json_t *o, *made;
} wit_arg;

static cairn_err visit_made(void *arg, const uint8_t *k, size_t kn,
                            const uint8_t *v, size_t vn)
{
    wit_arg *a = arg;
    wl_witness w;
    cairn_pubkey b;
    if (kn != 42)
        return CAIRN_ERR_DB;
    cairn_err e = wl_witness_decode(&w, v, vn);
    if (e || memcmp(w.witness.b, a->pk->b, 32) != 0)
        return e;
    memcpy(b.b, k + 9, 32);
    json_array_append_new(a->made, witness_json(&w, &b, "beaconer"));
    return CAIRN_OK;
}

static cairn_err view_wit(const chain_view *v, void *arg)
{
    wit_arg *a = arg;
    econ_global g;
    wl_beacon b;
    wl_hotspot h;
    wl_witness *w = NULL;
    size_t n = 0;
    cairn_err e = econ_global_get(v->txn, v->s, &g);
    if (e || (e = wl_hotspot_read(v->txn, v->s, a->pk, &h)))
        return e;
    if (a->epoch == WL_API_EPOCH_LAST)
        a->epoch = g.epoch ? g.epoch - 1 : 0;
    json_t *o = json_object(), *arr = json_array();
    a->o = o;
    a->made = json_array();
    json_object_set_new(o, "address", api_json_addr(a->pk));
    set_u64(o, "epoch", a->epoch);
    json_object_set_new(o, "settled", json_boolean(a->epoch < g.epoch));
    e = wl_beacon_read(v->txn, v->s, a->epoch, a->pk, &b);
    if (!e) {
        json_t *bo = json_object();
        json_object_set_new(bo, "payload_hash",
                            api_json_hex(b.payload_hash.b, 32));
        set_u64(bo, "time_ms", b.time_ms);
        set_u64(bo, "freq_hz", b.freq_hz);
        set_u64(bo, "height", b.height);
        set_u64(bo, "slot", b.slot);
        json_object_set_new(
            bo, "verdict",
            json_string(b.verdict == WL_B_OK ? "ok" : "beacon_off_schedule"));
        set_u64(bo, "valid_witnesses", b.n_valid);
        set_fixed(bo, "units", b.units);
        json_object_set_new(o, "beacon", bo);
    } else if (e == CAIRN_ERR_NOT_FOUND) {
        json_object_set_new(o, "beacon", json_null());
        e = CAIRN_OK;
    }
    if (!e)
        e = wl_witness_list(v->txn, v->s, a->epoch, a->pk, &w, &n);
    for (size_t i = 0; !e && i < n; i++)
        json_array_append_new(arr,
                              witness_json(&w[i], &w[i].witness, "witness"));
    free(w);
    json_object_set_new(o, "witnesses", arr);
    uint8_t p[9] = {WL_STATE_WITNESS};
    cairn_be64_put(p + 1, a->epoch);
    if (!e)
        e = wl_scan_prefix(v->txn, v->s, p, 9, visit_made, a);
    json_object_set_new(o, "made", a->made);
    return e;
}

cairn_err wl_api_witnesses(cairn_chain *c, const cairn_pubkey *pk, uint64_t e,
                           json_t **out)
{
    wit_arg a = {pk, e, NULL, NULL};
    cairn_err err = chain_view_run(c, view_wit, &a);
    if (err) {
        json_decref(a.o);
        return err;
    }
    *out = a.o;
    return CAIRN_OK;
}

/* ---- coverage ---- */

typedef struct hexrow {
    uint64_t cell, count, valid;
} hexrow;

static int cmp_row(const void *x, const void *y)
{
    const hexrow *a = x, *b = y;
    return a->cell < b->cell ? -1 : a->cell > b->cell;
}

static hexrow *row_find(hexrow *r, size_t m, uint64_t cell)
{
    hexrow key = {cell, 0, 0};
    return bsearch(&key, r, m, sizeof *r, cmp_row);
}

typedef struct cov_arg {
    unsigned res;
    json_t *o;
    const wl_hotspot *h;
    size_t nh;
    hexrow *rows;
    size_t m;
} cov_arg;

static cairn_err visit_cov(void *arg, const uint8_t *k, size_t kn,
                           const uint8_t *v, size_t vn)
{
    cov_arg *a = arg;
    wl_witness w;
    uint64_t cell;
    (void)k;
    if (kn != 42)
        return CAIRN_ERR_DB;
    cairn_err e = wl_witness_decode(&w, v, vn);
    if (e || w.verdict != POC_OK)
        return e;
    size_t i = wl_hotspot_find(a->h, a->nh, &w.witness);
    if (i == a->nh || hexg_parent(a->h[i].cell, a->res, &cell))
        return CAIRN_OK;
    hexrow *r = row_find(a->rows, a->m, cell);
    if (r)
        r->valid++;
    return CAIRN_OK;
}

/* The cell's corners: each vertex of a hex tiling is the centroid of the
 * three hexes meeting there (the cell and two adjacent neighbours). */
static json_t *corners_json(uint64_t cell)
{
    uint64_t nb[6];
    int64_t clat, clon, la[6], lo[6];
    if (hexg_neighbors(cell, nb) || hexg_center(cell, &clat, &clon))
        return json_null();
    for (int i = 0; i < 6; i++)
        if (hexg_center(nb[i], &la[i], &lo[i]))
            return json_null();
    json_t *arr = json_array();
    for (int i = 0; i < 6; i++) {
        int j = (i + 1) % 6;
        json_array_append_new(
            arr, json_pack("[I,I]", (json_int_t)((clat + la[i] + la[j]) / 3),
                           (json_int_t)((clon + lo[i] + lo[j]) / 3)));
    }
    return arr;
}

static cairn_err view_cov(const chain_view *v, void *arg)
{
    cov_arg *a = arg;
    wl_params P;
    econ_global g;
    wl_hotspot *h = NULL;
    size_t n = 0;
    cairn_err e = wl_params_read(v->txn, v->s, &P);
    if (e || (e = econ_global_get(v->txn, v->s, &g)) ||
        (e = wl_hotspots_all(v->txn, v->s, &h, &n)))
        return e;
    a->h = h;
    a->nh = n;
    a->rows = calloc(n + 1, sizeof *a->rows);
    if (!a->rows)
        e = CAIRN_ERR_NOMEM;
    for (size_t i = 0; !e && i < n; i++) /* every cell, then one sort */
        if (hexg_parent(h[i].cell, a->res, &a->rows[i].cell))
            e = CAIRN_ERR_DB;
    if (!e && n) {
        qsort(a->rows, n, sizeof *a->rows, cmp_row);
        for (size_t i = 0; i < n; i++) {
            if (a->m && a->rows[a->m - 1].cell == a->rows[i].cell) {
                a->rows[a->m - 1].count++;
            } else {
                a->rows[a->m] = (hexrow){a->rows[i].cell, 1, 0};
                a->m++;
            }
        }
    }
    uint8_t p[9] = {WL_STATE_WITNESS};
    cairn_be64_put(p + 1, g.epoch ? g.epoch - 1 : 0);
    if (!e && g.epoch)
        e = wl_scan_prefix(v->txn, v->s, p, 9, visit_cov, a);
    json_t *arr = json_array();
    for (size_t i = 0; !e && i < a->m; i++) {
        json_t *o = json_object();
        int64_t lat = 0, lon = 0;
        uint64_t nb[6], occ = 0;
        json_object_set_new(o, "cell", cell_json(a->rows[i].cell));
        set_u64(o, "hotspots", a->rows[i].count);
        if (a->res >= POC_RES_MIN && a->res <= POC_RES_MAX &&
            !hexg_neighbors(a->rows[i].cell, nb)) {
            const poc_hip17_res *r = &P.hip17[a->res - POC_RES_MIN];
            for (int j = 0; j < 6; j++) {
                hexrow *x = row_find(a->rows, a->m, nb[j]);
                if (x && x->count >= r->target)
                    occ++;
            }
            set_u64(o, "density_limit", poc_hex_limit(r, occ));
        } else {
            json_object_set_new(o, "density_limit", json_null());
        }
        set_u64(o, "valid_witnesses", a->rows[i].valid);
        if (!hexg_center(a->rows[i].cell, &lat, &lon)) {
            set_i64(o, "lat_udeg", lat);
            set_i64(o, "lon_udeg", lon);
        }
        json_object_set_new(o, "corners", corners_json(a->rows[i].cell));
        json_array_append_new(arr, o);
    }
    a->o = json_object();
    set_u64(a->o, "res", a->res);
    set_u64(a->o, "epoch", g.epoch ? g.epoch - 1 : 0);
    json_object_set_new(a->o, "hexes", arr);
    free(h);
    free(a->rows);
    return e;
}

cairn_err wl_api_coverage(cairn_chain *c, unsigned res, json_t **out)
{
    cov_arg a = {.res = res};
    if (res > HEXG_MAX_RES)
        return CAIRN_ERR_BAD_ARG;
    cairn_err e = chain_view_run(c, view_cov, &a);
    if (e) {
        json_decref(a.o);
        return e;
    }
    *out = a.o;
    return CAIRN_OK;
}

/* ---- epoch totals ---- */

typedef struct ep_arg {
    uint64_t epoch;
    wl_totals t;
    uint64_t scale_min, scale_max, units; /* over the epoch's paid hotspots */
    uint64_t packets, dc;                 /* carried (data credits part) */
} ep_arg;

/* One hotspot's units of the epoch (tag 0x73): the range of scales. */
static cairn_err visit_units(void *arg, const uint8_t *k, size_t kn,
                             const uint8_t *v, size_t vn)
{
    ep_arg *a = arg;
    wl_units u;
    (void)k;
    (void)kn;
    if (wl_units_decode(&u, v, vn))
        return CAIRN_ERR_DB;
    a->scale_min = a->units && a->scale_min < u.scale ? a->scale_min : u.scale;
    a->scale_max = a->scale_max > u.scale ? a->scale_max : u.scale;
    a->units++;
    return CAIRN_OK;
}

static cairn_err view_ep(const chain_view *v, void *arg)
{
    ep_arg *a = arg;
    uint8_t k[9] = {WL_STATE_UNITS};
    cairn_be64_put(k + 1, a->epoch);
    cairn_err e = wl_totals_read(v->txn, v->s, a->epoch, &a->t);
    if (!e)
        e = wl_scan_prefix(v->txn, v->s, k, sizeof k, visit_units, a);
    if (!e)
        e = wdata_epoch_totals(v->txn, v->s, a->epoch, &a->packets, &a->dc);
    return e;
}

cairn_err wl_api_epoch(cairn_chain *c, uint64_t e, json_t **out)
{
    ep_arg a = {.epoch = e};
    cairn_err err = chain_view_run(c, view_ep, &a);
    if (err)
        return err;
    json_t *o = json_object(), *r = json_object();
    set_u64(o, "epoch", e);
    set_u64(o, "start_height", a.t.start_height);
    set_u64(o, "beacons", a.t.beacons);
    set_u64(o, "beacons_off_schedule", a.t.beacons_off);
    set_u64(o, "witnesses_valid", a.t.witnesses_valid);
    set_u64(o, "witnesses_invalid", a.t.witnesses_invalid);
    set_u64(o, "hotspots_paid", a.t.hotspots_paid);
    set_u64(o, "hotspots_capped", a.t.hotspots_capped);
    set_u64(o, "appeals", a.t.appeals);
    set_fixed(o, "scale_min", a.units ? a.scale_min : POC_ONE);
    set_fixed(o, "scale_max", a.units ? a.scale_max : POC_ONE);
    set_u64(o, "packets", a.packets);
    set_u64(o, "dc", a.dc);
    for (unsigned i = 0; i < WL_V_COUNT; i++)
        set_u64(r, wl_verdict_name((uint8_t)i), a.t.reason[i]);
    json_object_set_new(o, "reasons", r);
    *out = o;
    return CAIRN_OK;
}

/* ---- routes ---- */

static void answer(node *n, httpd_req *req, cairn_err e, json_t *o)
{
    (void)n;
    if (e) {
        int st =
            e == CAIRN_ERR_NOT_HOTSPOT || e == CAIRN_ERR_NOT_FOUND ? 404 : 0;
        api_error(req, st, e, NULL);
        return;
    }
    api_reply(req, 200, o);
}

int api_wireless_route(node *n, httpd_req *req, const char *path,
                       const char *query)
{
    struct evkeyvalq kv;
    json_t *o = NULL;
    cairn_pubkey pk;
    uint64_t num = 0;
    int bad = 0;
    cairn_err e;
    if (strncmp(path, "/v1/wireless/", 13) != 0)
        return 0;
    if (api_wireless_data_route(n, req, path, query))
        return 1; /* routes: route/api.c */
    const char *rest = path + 13;
    TAILQ_INIT(&kv);
    if (strcmp(rest, "hotspots") == 0) {
        const char *af = api_query_get(&kv, query, "after", &bad);
        const char *li = api_query_get(&kv, query, "limit", &bad);
        uint64_t limit = 100;
        if (bad || (af && cairn_addr_parse(&pk, af)) ||
            (li && (api_parse_num(li, &limit) || limit < 1 ||
                    limit > WL_API_LIST_MAX))) {
            api_error(req, 400, CAIRN_ERR_BAD_ARG,
                      "give after=cairn1... and limit=1..1000");
        } else {
            pthread_mutex_lock(&n->lock);
            e = wl_api_hotspots(n->chain, af ? &pk : NULL, limit, &o);
            pthread_mutex_unlock(&n->lock);
            answer(n, req, e, o);
        }
    } else if (strncmp(rest, "hotspot/", 8) == 0) {
        if (cairn_addr_parse(&pk, rest + 8)) {
            api_error(req, 400, CAIRN_ERR_BAD_ADDRESS, NULL);
        } else {
            pthread_mutex_lock(&n->lock);
            e = wl_api_hotspot(n->chain, &pk, &o);
            pthread_mutex_unlock(&n->lock);
            answer(n, req, e, o);
        }
    } else if (strncmp(rest, "witnesses/", 10) == 0) {
        const char *ep = api_query_get(&kv, query, "epoch", &bad);
        num = WL_API_EPOCH_LAST;
        if (cairn_addr_parse(&pk, rest + 10)) {
            api_error(req, 400, CAIRN_ERR_BAD_ADDRESS, NULL);
        } else if (bad || (ep && api_parse_num(ep, &num))) {
            api_error(req, 400, CAIRN_ERR_BAD_ARG, "epoch must be a number");
        } else {
            pthread_mutex_lock(&n->lock);
            e = wl_api_witnesses(n->chain, &pk, num, &o);
            pthread_mutex_unlock(&n->lock);
            answer(n, req, e, o);
        }
    } else if (strcmp(rest, "coverage") == 0) {
        const char *r = api_query_get(&kv, query, "res", &bad);
        num = 8;
        if (bad || (r && (api_parse_num(r, &num) || num > HEXG_MAX_RES))) {
            api_error(req, 400, CAIRN_ERR_BAD_ARG, "res must be 0..12");
        } else {
            pthread_mutex_lock(&n->lock);
            e = wl_api_coverage(n->chain, (unsigned)num, &o);
            pthread_mutex_unlock(&n->lock);
            answer(n, req, e, o);
        }
    } else if (strncmp(rest, "epoch/", 6) == 0) {
        if (api_parse_num(rest + 6, &num)) {
            api_error(req, 400, CAIRN_ERR_BAD_ARG, "epoch must be a number");
        } else {
            pthread_mutex_lock(&n->lock);
            e = wl_api_epoch(n->chain, num, &o);
            pthread_mutex_unlock(&n->lock);
            answer(n, req, e, o);
        }
    } else {
        evhttp_clear_headers(&kv);
        return 0;
    }
    evhttp_clear_headers(&kv);
    return 1;
}
