/* The hotspot and its node (hs.h): the epoch and its schedule numbers,
 * the epoch seed, transactions (or, with --dry-run, their bodies in the
 * log), and the location assertion. */
#include <stdlib.h>
#include <string.h>

#include "net/node_rpc.h"
#include "wireless/hotspot/hs.h"

cairn_err hs_chain_get(hs *h, const char *path, json_t **out)
{
    snode_err why = {.msg = ""};
    return snode_call("GET", h->cfg.node, path, NULL, SNODE_TIMEOUT_MS, out,
                      &why);
}

/* The governable W (wireless_witness_blocks) and beacon window
 * (wireless_beacon_window_ms) from /v1/params; the defaults when the node
 * does not know them. */
static void schedule_params(hs *h, hs_view *out)
{
    json_t *j, *it;
    size_t i;
    uint64_t v;
    out->witness_blocks = HS_WITNESS_BLOCKS_DEFAULT;
    out->window_ms = HS_WINDOW_MS_DEFAULT;
    if (hs_chain_get(h, "/v1/params", &j))
        return;
    json_array_foreach(json_object_get(j, "params"), i, it)
    {
        const char *name = json_string_value(json_object_get(it, "name"));
        if (!name || snode_u64(it, "value", &v))
            continue;
        if (strcmp(name, "wireless_witness_blocks") == 0)
            out->witness_blocks = v;
        else if (strcmp(name, "wireless_beacon_window_ms") == 0)
            out->window_ms = v;
    }
    json_decref(j);
}

/* The seed of the epoch that starts at `start`: the hash of the header of
 * block start - 1 (as the chain's storage_seed). */
static cairn_err fetch_seed(hs *h, uint64_t start, cairn_hash *seed)
{
    char path[64];
    json_t *j;
    if (start == 0)
        return CAIRN_ERR_NOT_FOUND;
    snprintf(path, sizeof path, "/v1/block/%llu",
             (unsigned long long)(start - 1));
    cairn_err e = hs_chain_get(h, path, &j);
    if (e)
        return e;
    if (snode_hash(j, "hash", seed))
        e = CAIRN_ERR_BAD_JSON;
    json_decref(j);
    return e;
}

cairn_err hs_chain_view(hs *h)
{
    json_t *j;
    hs_view v = {0};
    cairn_err e = hs_chain_get(h, "/v1/staking", &j);
    if (e)
        return e;
    if (snode_u64(j, "height", &v.height) || snode_u64(j, "epoch", &v.epoch) ||
        snode_u64(j, "epoch_start_height", &v.start) ||
        snode_u64(j, "epoch_blocks", &v.epoch_blocks))
        e = CAIRN_ERR_BAD_JSON;
    json_decref(j);
    if (e)
        return e;
    if (h->view.ok && h->view.epoch == v.epoch) {
        v.witness_blocks = h->view.witness_blocks;
        v.window_ms = h->view.window_ms;
        memcpy(v.chain_id, h->view.chain_id, sizeof v.chain_id);
    } else {
        snode_ctx ctx;
        snode_err why = {.msg = ""};
        if ((e = snode_status(h->cfg.node, &ctx, &why)))
            return e;
        snprintf(v.chain_id, sizeof v.chain_id, "%s", ctx.chain_id);
        schedule_params(h, &v);
    }
    if (!h->have_seed || h->seed_epoch != v.epoch) {
        if ((e = fetch_seed(h, v.start, &h->seed)))
            return e;
        h->have_seed = 1;
        h->seed_epoch = v.epoch;
    }
    v.ok = 1;
    h->view = v;
    return CAIRN_OK;
}

cairn_err hs_chain_send(hs *h, uint16_t kind, const char *name,
                        const uint8_t *body, size_t n, int wait, char *why,
                        size_t len)
{
    snode_ctx ctx;
    snode_err ne = {.msg = ""};
    uint64_t nonce, height = 0;
    if (h->cfg.dry_run) {
        char *hex = malloc(2 * n + 1);
        if (!hex)
            return CAIRN_ERR_NOMEM;
        cairn_hex_encode(hex, body, n);
        hs_log(h, "dry-run: would submit %s body %s", name, hex);
        free(hex);
        snprintf(why, len, "%s", "");
        return CAIRN_OK;
    }
    cairn_err e = snode_status(h->cfg.node, &ctx, &ne);
    if (!e)
        e = snode_next_nonce(h->cfg.node, &h->cfg.key.pk, &nonce, &ne);
    if (!e)
        e = snode_send(h->cfg.node, &ctx, &h->cfg.key, nonce, kind, body, n,
                       wait, &height, &ne);
    snprintf(why, len, "%s", e ? ne.msg : "");
    return e;
}

/* 1 when the node's record of us holds exactly what we assert. */
static int chain_holds(hs *h)
{
    char path[160];
    json_t *j;
    uint64_t elev, power_abs;
    snprintf(path, sizeof path, "/v1/wireless/hotspot/%s", h->addr);
    if (hs_chain_get(h, path, &j))
        return 0;
    json_int_t lat = json_integer_value(json_object_get(j, "lat_udeg"));
    json_int_t lon = json_integer_value(json_object_get(j, "lon_udeg"));
    json_int_t gain = json_integer_value(json_object_get(j, "gain_cdbi"));
    int ok = json_is_integer(json_object_get(j, "lat_udeg")) &&
             json_is_integer(json_object_get(j, "lon_udeg")) &&
             json_is_integer(json_object_get(j, "gain_cdbi")) &&
             snode_u64(j, "elevation_m", &elev) == 0 &&
             snode_u64(j, "tx_power_cdbm", &power_abs) == 0 &&
             lat == h->cfg.lat_udeg && lon == h->cfg.lon_udeg &&
             gain == h->cfg.gain_cdbi && elev == h->cfg.elev_m &&
             power_abs == (uint64_t)h->cfg.txp_cdbm;
    json_decref(j);
    return ok;
}

cairn_err hs_chain_assert(hs *h)
{
    char why[SNODE_MSG_MAX];
    cairn_buf b;
    if (h->asserted)
        return CAIRN_OK;
    if (chain_holds(h)) {
        h->asserted = 1;
        hs_log(h, "the chain holds this hotspot's location already");
        return CAIRN_OK;
    }
    cairn_buf_init(&b, 64);
    cairn_hotspot_assert a = {.lat_udeg = h->cfg.lat_udeg,
                              .lon_udeg = h->cfg.lon_udeg,
                              .gain_cdbi = h->cfg.gain_cdbi,
                              .elevation_m = h->cfg.elev_m,
                              .tx_power_cdbm = h->cfg.txp_cdbm};
    cairn_hotspot_assert_encode(&b, &a);
    cairn_err e = hs_chain_send(h, CAIRN_TX_HOTSPOT_ASSERT, "hotspot_assert",
                                b.p, b.len, 1, why, sizeof why);
    cairn_buf_free(&b);
    if (e) {
        hs_log(h,
               "cannot assert the location (%d, %d udeg): %s (%s); "
               "retrying next round",
               (int)h->cfg.lat_udeg, (int)h->cfg.lon_udeg, cairn_strerror(e),
               why);
        return e;
    }
    hs_log(h,
           "asserted location %d, %d udeg, gain %d cdBi, elevation %u m, tx "
           "power %d cdBm",
           (int)h->cfg.lat_udeg, (int)h->cfg.lon_udeg, (int)h->cfg.gain_cdbi,
           (unsigned)h->cfg.elev_m, (int)h->cfg.txp_cdbm);
    h->asserted = 1;
    return CAIRN_OK;
}
