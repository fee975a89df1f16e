/* The hotspot's own beacon (hs.h): once per epoch, at its slot (from the
 * node's /v1/wireless/hotspot/{addr} when it shows one, else computed from
 * the epoch seed), P goes out through the gateway as a PULL_RESP txpk
 * timed HS_TX_AHEAD_MS ahead (tmms, GPS time); after slot + W the
 * poc_beacon receipt names that time and frequency. DIR/beacon is written
 * durably before P is sent, so a restart (kill -9 included) neither
 * beacons twice in an epoch nor forgets to report one it sent. */
#include <stdlib.h>
#include <string.h>

#include "core/durable.h"
#include "net/node_rpc.h"
#include "wireless/hotspot/hs.h"

#define BEACON_FILE "beacon"
#define STATE_LEN (8 + 8 + 1 + 1 + 8 + 8 + HS_P_LEN)

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void path_of(hs *h, char *out, size_t len)
{
    snprintf(out, len, "%s/" BEACON_FILE, h->cfg.data_dir);
}

static cairn_err save(hs *h)
{
    const hs_beacon_state *b = &h->beacon;
    uint8_t s[STATE_LEN];
    char path[4200];
    put64(s, b->epoch);
    put64(s + 8, b->slot);
    s[16] = (uint8_t)b->sent;
    s[17] = (uint8_t)b->reported;
    put64(s + 18, b->time_ms);
    put64(s + 26, b->freq_hz);
    memcpy(s + 34, b->p, HS_P_LEN);
    path_of(h, path, sizeof path);
    cairn_err e = cairn_write_durable(path, s, sizeof s);
    if (e)
        hs_log(h, "cannot write %s: %s; the beacon is not sent", path,
               cairn_strerror(e));
    return e;
}

void hs_beacon_load(hs *h)
{
    char path[4200];
    unsigned char *s = NULL;
    size_t n = 0;
    path_of(h, path, sizeof path);
    if (cairn_read_small(path, 4096, &s, &n) == CAIRN_OK && n == STATE_LEN) {
        hs_beacon_state *b = &h->beacon;
        b->epoch = get64(s);
        b->slot = get64(s + 8);
        b->sent = s[16];
        b->reported = s[17];
        b->time_ms = get64(s + 18);
        b->freq_hz = get64(s + 26);
        memcpy(b->p, s + 34, HS_P_LEN);
        h->beacon_loaded = 1;
    }
    free(s);
}

/* The slot the node shows for us in this epoch, or 0: "beacon": {"epoch",
 * "slot"} of /v1/wireless/hotspot/{addr} (slot null: none this epoch). */
static uint64_t api_slot(hs *h, int *none)
{
    char path[160];
    json_t *j;
    uint64_t s = 0, e = 0;
    const hs_view *v = &h->view;
    *none = 0;
    snprintf(path, sizeof path, "/v1/wireless/hotspot/%s", h->addr);
    if (hs_chain_get(h, path, &j))
        return 0;
    json_t *b = json_object_get(j, "beacon");
    if (snode_u64(b, "epoch", &e) || e != v->epoch)
        s = 0;
    else if (json_is_null(json_object_get(b, "slot")))
        *none = 1;
    else if (snode_u64(b, "slot", &s))
        s = 0;
    json_decref(j);
    return s >= v->start && s < v->start + v->epoch_blocks ? s : 0;
}

static void new_epoch(hs *h)
{
    hs_beacon_state *b = &h->beacon;
    const hs_view *v = &h->view;
    memset(b, 0, sizeof *b);
    b->epoch = v->epoch;
    uint64_t local = cairn_beacon_slot(&h->seed, &h->cfg.key.pk, v->start,
                                       v->epoch_blocks, v->witness_blocks);
    int none;
    uint64_t api = api_slot(h, &none);
    b->slot = none ? 0 : api ? api : local;
    if (api && local && api != local)
        hs_log(h,
               "the node shows slot %llu, this daemon computes %llu: "
               "using the node's",
               (unsigned long long)api, (unsigned long long)local);
    if (b->slot)
        hs_log(h, "epoch %llu: beacon slot %llu (blocks %llu..%llu, W %llu)",
               (unsigned long long)v->epoch, (unsigned long long)b->slot,
               (unsigned long long)v->start,
               (unsigned long long)(v->start + v->epoch_blocks - 1),
               (unsigned long long)v->witness_blocks);
    else
        hs_log(h,
               "epoch %llu: no beacon slots (epoch_blocks %llu leaves no "
               "room for W = %llu)",
               (unsigned long long)v->epoch,
               (unsigned long long)v->epoch_blocks,
               (unsigned long long)v->witness_blocks);
}

/* Unix ms of block height's header; 0 when unknown. */
static uint64_t block_time(hs *h, uint64_t height)
{
    char path[64];
    json_t *j;
    uint64_t t = 0;
    snprintf(path, sizeof path, "/v1/block/%llu", (unsigned long long)height);
    if (hs_chain_get(h, path, &j))
        return 0;
    if (snode_u64(j, "time_ms", &t))
        t = 0;
    json_decref(j);
    return t;
}

static void transmit(hs *h)
{
    hs_beacon_state *b = &h->beacon;
    uint64_t t_slot = block_time(h, b->slot), at = hs_now_ms() + HS_TX_AHEAD_MS;
    if (t_slot && at > t_slot + h->view.window_ms) {
        hs_log(h,
               "epoch %llu: missed the beacon window (block %llu at %llu, "
               "now %llu ms later); no beacon this epoch",
               (unsigned long long)b->epoch, (unsigned long long)b->slot,
               (unsigned long long)t_slot, (unsigned long long)(at - t_slot));
        b->slot = 0;
        return;
    }
    if (cairn_beacon_make(b->p, h->view.chain_id, b->epoch, &h->seed,
                          &h->cfg.key))
        return;
    /* a gateway without GPS time refuses tmms: then at once (imme), timed
     * by our clock */
    pthread_mutex_lock(&h->mu);
    int imme = h->no_gps;
    pthread_mutex_unlock(&h->mu);
    if (imme)
        at = hs_now_ms();
    cairn_sm_txpk tx = {
        .imme = imme,
        .has_tmms = !imme,
        .tmms = imme ? 0 : cairn_sm_unix_to_gps_ms(at),
        .freq_hz = h->cfg.freq_hz,
        .has_powe = 1,
        .powe = (int8_t)(h->cfg.txp_cdbm / 100),
        .rate = {.modu = CAIRN_SM_LORA, .sf = 9, .bw_khz = 125, .codr = 5},
        .size = HS_P_LEN};
    memcpy(tx.data, b->p, HS_P_LEN);
    b->sent = 1;
    b->time_ms = at;
    b->freq_hz = h->cfg.freq_hz;
    if (save(h)) {
        b->sent = 0;
        return;
    }
    cairn_err e = hs_udp_send(h, &tx);
    if (e) {
        log_limited(
            &h->lim_chain, h->cfg.log, HS_WHO,
            "epoch %llu: beacon not sent: %s", (unsigned long long)b->epoch,
            e == CAIRN_ERR_NOT_READY ? "no gateway has sent PULL_DATA yet"
                                     : cairn_strerror(e));
        b->sent = 0;
        (void)save(h);
        return;
    }
    h->cnt.beacons++;
    hs_log(h, "epoch %llu: beacon sent at block %llu (time %llu, %llu Hz)",
           (unsigned long long)b->epoch, (unsigned long long)h->view.height,
           (unsigned long long)b->time_ms, (unsigned long long)b->freq_hz);
    if (h->cfg.liar_dir)
        hs_liar_publish(h);
}

static void report(hs *h)
{
    hs_beacon_state *b = &h->beacon;
    cairn_sig sig;
    char why[SNODE_MSG_MAX];
    cairn_buf body;
    if (hs_beacon_parse(b->p, HS_P_LEN, NULL, NULL, &sig))
        return;
    cairn_buf_init(&body, 128);
    cairn_poc_beacon x = {.epoch = b->epoch,
                          .sig = sig,
                          .time_ms = b->time_ms,
                          .freq_hz = b->freq_hz};
    cairn_poc_beacon_encode(&body, &x);
    cairn_err e = hs_chain_send(h, CAIRN_TX_POC_BEACON, "poc_beacon", body.p,
                                body.len, 0, why, sizeof why);
    cairn_buf_free(&body);
    if (e) {
        log_limited(&h->lim_chain, h->cfg.log, HS_WHO,
                    "epoch %llu: poc_beacon refused: %s (%s)",
                    (unsigned long long)b->epoch, cairn_strerror(e), why);
        if (e == CAIRN_ERR_HTTP)
            return; /* the node is away: try again */
    } else {
        hs_log(h, "epoch %llu: poc_beacon submitted (time %llu, %llu Hz)",
               (unsigned long long)b->epoch, (unsigned long long)b->time_ms,
               (unsigned long long)b->freq_hz);
    }
    b->reported = 1;
    (void)save(h);
}

void hs_beacon_tick(hs *h)
{
    hs_beacon_state *b = &h->beacon;
    const hs_view *v = &h->view;
    if (!h->beacon_loaded || b->epoch != v->epoch) {
        h->beacon_loaded = 1;
        new_epoch(h);
    }
    if (!b->slot)
        return;
    if (!b->sent && v->height >= b->slot &&
        v->height < b->slot + v->witness_blocks)
        transmit(h);
    if (b->sent && !b->reported && v->height >= b->slot + v->witness_blocks)
        report(h);
}
