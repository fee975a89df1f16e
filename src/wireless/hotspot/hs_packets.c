/* Packets (hs.h): a received packet that is a device frame (an uplink by
 * its DevAddr, a join request by its JoinEUI) goes to the router the chain
 * names for it (GET /v1/wireless/route/{devaddr} on the node, cached for
 * the epoch), as POST /v1/uplink (bounded by HS_ROUTER_MS). The router
 * answers with a signed packet receipt (hex), kept in DIR/receipts
 * (written durably before anything else happens: kill -9 loses none), and
 * maybe a downlink, sent through the gateway (tmst = rx tmst + delay). The
 * receipts are claimed in packet_claim transactions of up to 64, once per
 * block. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/durable.h"
#include "net/node_rpc.h"
#include "wireless/frame.h"
#include "wireless/hotspot/hs.h"

#define RECEIPTS_FILE "receipts"
#define UPLINK_DELAY_MS 1000 /* LoRaWAN RX1 */
#define JOIN_DELAY_MS 5000   /* LoRaWAN JOIN_ACCEPT_DELAY1 */

static void receipts_path(hs *h, char *out, size_t len)
{
    snprintf(out, len, "%s/" RECEIPTS_FILE, h->cfg.data_dir);
}

cairn_err hs_packets_load(hs *h)
{
    char path[4200];
    unsigned char *s = NULL;
    size_t n = 0;
    h->receipts = calloc(HS_RECEIPTS_MAX, HS_RECEIPT_LEN);
    if (!h->receipts)
        return CAIRN_ERR_NOMEM;
    receipts_path(h, path, sizeof path);
    cairn_err e =
        cairn_read_small(path, HS_RECEIPTS_MAX * HS_RECEIPT_LEN, &s, &n);
    if (e == CAIRN_ERR_NOT_FOUND)
        return CAIRN_OK;
    if (!e) {
        h->nreceipts = n / HS_RECEIPT_LEN;
        memcpy(h->receipts, s, h->nreceipts * HS_RECEIPT_LEN);
        if (h->nreceipts)
            hs_log(h, "%zu unclaimed packet receipts from the last run",
                   h->nreceipts);
    }
    free(s);
    return e;
}

static cairn_err save_receipts(hs *h)
{
    char path[4200];
    receipts_path(h, path, sizeof path);
    return cairn_write_durable(path, h->receipts,
                               h->nreceipts * HS_RECEIPT_LEN);
}

/* The endpoint of a route reply r (or of one element of a listing). */
static int take_endpoint(hs_route *x, const json_t *r)
{
    const char *e = json_string_value(json_object_get(r, "endpoint"));
    if (!e || !*e || strlen(e) > CAIRN_ENDPOINT_MAX)
        return 0;
    snprintf(x->endpoint, sizeof x->endpoint, "%s", e);
    x->found = 1;
    return 1;
}

/* Asks the node: GET /v1/wireless/route/{devaddr, 8 hex digits}, or for a
 * join the route listing's entry whose join_eui is the JoinEUI. */
static void lookup(hs *h, hs_route *x)
{
    char path[64], eui[17];
    json_t *j, *r;
    size_t i;
    if (!x->join)
        snprintf(path, sizeof path, "/v1/wireless/route/%08x", (unsigned)x->id);
    else
        snprintf(path, sizeof path, "/v1/wireless/routes");
    if (hs_chain_get(h, path, &j) != CAIRN_OK)
        return;
    if (!x->join)
        take_endpoint(x, j);
    else {
        snprintf(eui, sizeof eui, "%016llx", (unsigned long long)x->id);
        json_array_foreach(json_object_get(j, "routes"), i, r)
        {
            const char *je = json_string_value(json_object_get(r, "join_eui"));
            if (je && strcmp(je, eui) == 0 && take_endpoint(x, r))
                break;
        }
    }
    json_decref(j);
}

/* The router endpoint for a DevAddr (join 0) or a JoinEUI (join 1),
 * cached for the epoch; 0 when the chain names one. */
static int route(hs *h, uint64_t id, int join, char *ep, size_t len)
{
    hs_route *x = NULL;
    for (size_t i = 0; i < HS_ROUTES && !x; i++)
        if (h->routes[i].id == id && h->routes[i].join == join &&
            h->routes[i].epoch == h->view.epoch + 1)
            x = &h->routes[i];
    if (!x) {
        x = &h->routes[h->route_next++ % HS_ROUTES];
        memset(x, 0, sizeof *x);
        x->id = id;
        x->join = join;
        x->epoch = h->view.epoch + 1; /* 0 never matches */
        lookup(h, x);
    }
    snprintf(ep, len, "%s", x->endpoint);
    return x->found ? 0 : -1;
}

static void keep_receipt(hs *h, const char *hex)
{
    uint8_t r[HS_RECEIPT_LEN];
    if (!hex || strlen(hex) != 2 * HS_RECEIPT_LEN ||
        cairn_hex_decode(r, HS_RECEIPT_LEN, hex, strlen(hex))) {
        log_limited(&h->lim_chain, h->cfg.log, HS_WHO,
                    "the router's receipt is not %d bytes of hex; dropped",
                    HS_RECEIPT_LEN);
        return;
    }
    if (memcmp(r + HS_RECEIPT_HOTSPOT_OFF, h->cfg.key.pk.b, 32) != 0) {
        log_limited(&h->lim_chain, h->cfg.log, HS_WHO,
                    "the router's receipt names another hotspot; dropped");
        return;
    }
    if (h->nreceipts == HS_RECEIPTS_MAX) {
        log_limited(&h->lim_chain, h->cfg.log, HS_WHO,
                    "%d receipts wait to be claimed already; dropped one",
                    HS_RECEIPTS_MAX);
        return;
    }
    memcpy(h->receipts[h->nreceipts++], r, HS_RECEIPT_LEN);
    if (save_receipts(h)) {
        h->nreceipts--;
        hs_log(h, "cannot write the receipts file; the receipt is dropped");
        return;
    }
    h->cnt.packets++;
}

static void downlink(hs *h, const hs_rx *rx, const json_t *d,
                     const json_t *reply, int join)
{
    const char *b64 =
        json_string_value(json_is_string(d) ? d : json_object_get(d, "data"));
    uint64_t delay = join ? JOIN_DELAY_MS : UPLINK_DELAY_MS, f;
    cairn_sm_txpk tx = {.has_tmst = 1,
                        .freq_hz = rx->pk.freq_hz,
                        .has_powe = 1,
                        .powe = (int8_t)(h->cfg.txp_cdbm / 100),
                        .rate = rx->pk.rate,
                        .ipol = 1};
    size_t n = 0;
    if (!b64 ||
        sodium_base642bin(tx.data, sizeof tx.data, b64, strlen(b64), NULL, &n,
                          NULL, sodium_base64_VARIANT_ORIGINAL) ||
        n == 0) {
        log_limited(&h->lim_chain, h->cfg.log, HS_WHO,
                    "the router's downlink is not base64 of 1..255 bytes");
        return;
    }
    if (snode_u64(reply, "delay_ms", &f) == 0 && f <= 60000)
        delay = f; /* beside a bare base64 downlink */
    if (json_is_object(d)) {
        if (snode_u64(d, "delay_ms", &f) == 0 && f <= 60000)
            delay = f;
        if (snode_u64(d, "freq_hz", &f) == 0 && f > 0)
            tx.freq_hz = f;
        if (json_is_true(json_object_get(d, "imme"))) {
            tx.imme = 1;
            tx.has_tmst = 0;
        }
    }
    if (tx.rate.modu == CAIRN_SM_LORA && !tx.rate.codr)
        tx.rate.codr = 5;
    tx.tmst = rx->pk.tmst + (uint32_t)(delay * 1000);
    tx.size = (uint16_t)n;
    cairn_err e = hs_udp_send(h, &tx);
    if (e)
        log_limited(&h->lim_chain, h->cfg.log, HS_WHO,
                    "a downlink was not sent: %s", cairn_strerror(e));
}

static void forward(hs *h, const hs_rx *rx, const char *ep, int join)
{
    char b64[sodium_base64_ENCODED_LEN(CAIRN_SM_MAX_PAYLOAD,
                                       sodium_base64_VARIANT_ORIGINAL)];
    char base[CAIRN_ENDPOINT_MAX + 16];
    json_t *out = NULL;
    snode_err why = {.msg = ""};
    sodium_bin2base64(b64, sizeof b64, rx->pk.data, rx->pk.size,
                      sodium_base64_VARIANT_ORIGINAL);
    json_t *req = json_pack(
        "{s:s, s:s, s:i, s:f, s:I, s:I, s:I}", "hotspot", h->addr, "payload",
        b64, "rssi", (int)rx->pk.rssi, "snr",
        rx->pk.has_lsnr ? rx->pk.lsnr_cdb / 100.0 : 0.0, "freq",
        (json_int_t)rx->pk.freq_hz, "time",
        (json_int_t)(rx->pk.has_tmms ? cairn_sm_gps_to_unix_ms(rx->pk.tmms)
                                     : rx->rx_ms),
        "tmst", (json_int_t)rx->pk.tmst);
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (!body)
        return;
    snprintf(base, sizeof base, "http://%s", ep);
    cairn_err e =
        snode_call("POST", base, "/v1/uplink", body, HS_ROUTER_MS, &out, &why);
    free(body);
    if (e) {
        log_limited(&h->lim_chain, h->cfg.log, HS_WHO,
                    "the router at %s did not take an uplink: %s", ep, why.msg);
        return;
    }
    keep_receipt(h, json_string_value(json_object_get(out, "receipt")));
    json_t *d = json_object_get(out, "downlink");
    if (d && !json_is_null(d))
        downlink(h, rx, d, out, join);
    json_decref(out);
}

void hs_packet_heard(hs *h, const hs_rx *rx)
{
    lora_frame f;
    char what[40], ep[CAIRN_ENDPOINT_MAX + 1];
    uint64_t id;
    int join = 0;
    if (lora_frame_decode(&f, rx->pk.data, rx->pk.size, NULL, 0) != CAIRN_OK)
        return; /* neither a beacon nor a device frame */
    if (f.type == LORA_UP_UNCONFIRMED || f.type == LORA_UP_CONFIRMED) {
        id = f.u.up.dev_addr;
        snprintf(what, sizeof what, "DevAddr %08x", (unsigned)id);
    } else if (f.type == LORA_JOIN_REQUEST) {
        id = f.u.jreq.join_eui;
        snprintf(what, sizeof what, "JoinEUI %016llx", (unsigned long long)id);
        join = 1;
    } else {
        return; /* a join accept is a downlink: not ours to forward */
    }
    if (h->cfg.router)
        snprintf(ep, sizeof ep, "%s", h->cfg.router);
    else if (route(h, id, join, ep, sizeof ep)) {
        log_limited(&h->lim_chain, h->cfg.log, HS_WHO,
                    "no router on chain for %s; packet dropped", what);
        return;
    }
    forward(h, rx, ep, join);
}

void hs_packets_claim(hs *h)
{
    char why[SNODE_MSG_MAX];
    if (!h->nreceipts || !h->view.ok ||
        (h->view.height <= h->claim_height && h->nreceipts < HS_CLAIM_MAX))
        return;
    h->claim_height = h->view.height;
    while (h->nreceipts > 0) {
        size_t n = h->nreceipts < HS_CLAIM_MAX ? h->nreceipts : HS_CLAIM_MAX;
        cairn_buf b;
        cairn_buf_init(&b, 1 + n * HS_RECEIPT_LEN);
        cairn_put_u8(&b, (uint8_t)n);
        cairn_put_bytes(&b, h->receipts, n * HS_RECEIPT_LEN);
        cairn_err e = hs_chain_send(h, CAIRN_TX_PACKET_CLAIM, "packet_claim",
                                    b.p, b.len, 0, why, sizeof why);
        cairn_buf_free(&b);
        if (e == CAIRN_ERR_HTTP)
            return; /* kept for the next round */
        if (e)
            hs_log(h,
                   "packet_claim of %zu receipts refused: %s (%s); "
                   "dropped",
                   n, cairn_strerror(e), why);
        else
            h->cnt.claimed += n;
        memmove(h->receipts, h->receipts + n,
                (h->nreceipts - n) * HS_RECEIPT_LEN);
        h->nreceipts -= n;
        if (save_receipts(h))
            hs_log(h, "cannot rewrite the receipts file");
    }
}
