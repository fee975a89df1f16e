/* Witnessing (hs.h): every received packet that is shaped as a beacon
 * payload P becomes a signed witness report, submitted at once in
 * poc_witness transactions of up to 32 (the chain takes them only until
 * slot + W). The payloads heard are kept HS_HEARD_EPOCHS epochs: when the
 * node shows one of our witness records with the verdict NOT_REPORTED (the
 * beaconer never sent its receipt), P is the evidence of a poc_appeal. */
#include <string.h>
#include <strings.h>

#include "net/node_rpc.h"
#include "wireless/hotspot/hs.h"

/* The heard entry of (beaconer, epoch), or NULL. */
static hs_heard *find_heard(hs *h, const cairn_pubkey *pk, uint64_t epoch)
{
    for (size_t i = 0; i < HS_HEARD; i++) {
        hs_heard *x = &h->heard[i];
        if (x->epoch == epoch && memcmp(x->beaconer.b, pk->b, 32) == 0 &&
            x->p[0] == 'C')
            return x;
    }
    return NULL;
}

void hs_witness_queue(hs *h, const hs_witness *w)
{
    if (h->npending == HS_PENDING_MAX) {
        log_limited(&h->lim_chain, h->cfg.log, HS_WHO,
                    "dropped a witness report: %d wait to be sent already",
                    HS_PENDING_MAX);
        return;
    }
    h->pending[h->npending++] = *w;
}

void hs_witness_heard(hs *h, const hs_rx *rx, const uint8_t *p)
{
    cairn_pubkey beaconer;
    uint64_t epoch;
    char who[CAIRN_ADDR_TEXT_LEN + 1];
    if (hs_beacon_parse(p, HS_P_LEN, &beaconer, &epoch, NULL) ||
        memcmp(beaconer.b, h->cfg.key.pk.b, 32) == 0)
        return; /* not a beacon, or our own heard back */
    if (find_heard(h, &beaconer, epoch))
        return; /* heard already (another gateway, a repeat) */
    hs_heard *x = &h->heard[h->heard_next++ % HS_HEARD];
    memset(x, 0, sizeof *x);
    x->epoch = epoch;
    x->beaconer = beaconer;
    memcpy(x->p, p, HS_P_LEN);
    if (!h->view.ok)
        return;
    hs_witness w = {.beaconer = beaconer,
                    .epoch = h->view.epoch,
                    .time_ms = rx->pk.has_tmms
                                   ? cairn_sm_gps_to_unix_ms(rx->pk.tmms)
                                   : rx->rx_ms,
                    .freq_hz = rx->pk.freq_hz,
                    .rssi_cdbm = (int32_t)rx->pk.rssi * 100,
                    .snr_cdb = rx->pk.has_lsnr ? rx->pk.lsnr_cdb : 0};
    cairn_hash_bytes(&w.payload_hash, p, HS_P_LEN);
    if (cairn_witness_sign(&w, h->view.chain_id, &h->cfg.key))
        return;
    cairn_addr_format(who, &beaconer);
    hs_log(h,
           "heard the beacon of %s (epoch %llu): rssi %d dBm, snr %d cdB, "
           "%llu Hz, time %llu",
           who, (unsigned long long)epoch, (int)rx->pk.rssi, (int)w.snr_cdb,
           (unsigned long long)w.freq_hz, (unsigned long long)w.time_ms);
    hs_witness_queue(h, &w);
}

void hs_witness_flush(hs *h)
{
    char why[SNODE_MSG_MAX];
    while (h->npending > 0) {
        size_t n = h->npending < HS_REPORTS_MAX ? h->npending : HS_REPORTS_MAX;
        cairn_buf b;
        cairn_buf_init(&b, 1 + n * HS_REPORT_LEN);
        cairn_put_u8(&b, (uint8_t)n);
        for (size_t i = 0; i < n; i++)
            cairn_witness_encode(&b, &h->pending[i]);
        cairn_err e = hs_chain_send(h, CAIRN_TX_POC_WITNESS, "poc_witness", b.p,
                                    b.len, 0, why, sizeof why);
        cairn_buf_free(&b);
        if (e == CAIRN_ERR_HTTP) {
            log_limited(&h->lim_chain, h->cfg.log, HS_WHO,
                        "%zu witness reports wait: the node does not answer "
                        "(%s)",
                        h->npending, why);
            return;
        }
        if (e)
            log_limited(&h->lim_chain, h->cfg.log, HS_WHO,
                        "poc_witness of %zu reports refused: %s (%s)", n,
                        cairn_strerror(e), why);
        else {
            h->cnt.witnesses += n;
            hs_log(h, "submitted %zu witness report%s", n, n == 1 ? "" : "s");
        }
        memmove(h->pending, h->pending + n,
                (h->npending - n) * sizeof h->pending[0]);
        h->npending -= n;
    }
}

/* 1 when record r of the node is ours, NOT_REPORTED, for beaconer. */
static int not_reported(const hs *h, const json_t *r, cairn_pubkey *beaconer)
{
    cairn_pubkey w;
    const char *v = json_string_value(json_object_get(r, "verdict"));
    if (!v)
        v = json_string_value(json_object_get(r, "reason"));
    if (!v || (strcasecmp(v, "not_reported") && strcasecmp(v, "not reported")))
        return 0;
    if (json_is_true(json_object_get(r, "appealed")))
        return 0;
    if (json_object_get(r, "witness") &&
        (snode_addr(r, "witness", &w) || memcmp(w.b, h->cfg.key.pk.b, 32)))
        return 0;
    return snode_addr(r, "beaconer", beaconer) == 0;
}

static void appeal(hs *h, hs_heard *x)
{
    char why[SNODE_MSG_MAX], who[CAIRN_ADDR_TEXT_LEN + 1];
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_POC_APPEAL_LEN + 8);
    cairn_poc_appeal a = {.type = CAIRN_APPEAL_NOT_REPORTED,
                          .beaconer = x->beaconer,
                          .epoch = x->epoch,
                          .witness = h->cfg.key.pk};
    memcpy(a.payload, x->p, HS_P_LEN);
    cairn_poc_appeal_encode(&b, &a);
    cairn_err e = hs_chain_send(h, CAIRN_TX_POC_APPEAL, "poc_appeal", b.p,
                                b.len, 0, why, sizeof why);
    cairn_buf_free(&b);
    cairn_addr_format(who, &x->beaconer);
    if (e == CAIRN_ERR_HTTP)
        return;
    x->appealed = 1;
    if (e)
        hs_log(h, "appeal of the beacon of %s (epoch %llu) refused: %s (%s)",
               who, (unsigned long long)x->epoch, cairn_strerror(e), why);
    else {
        h->cnt.appeals++;
        hs_log(h,
               "appealed NOT_REPORTED for the beacon of %s (epoch %llu) "
               "with the payload heard",
               who, (unsigned long long)x->epoch);
    }
}

/* Our witness records of epoch e, appealed where we can. */
static void appeal_epoch(hs *h, uint64_t e)
{
    char path[200];
    json_t *j, *r;
    size_t i;
    snprintf(path, sizeof path, "/v1/wireless/witnesses/%s?epoch=%llu", h->addr,
             (unsigned long long)e);
    if (hs_chain_get(h, path, &j))
        return;
    /* "made": the reports this hotspot made (each names its beaconer) */
    json_array_foreach(json_object_get(j, "made"), i, r)
    {
        cairn_pubkey beaconer;
        hs_heard *x;
        if (not_reported(h, r, &beaconer) &&
            (x = find_heard(h, &beaconer, e)) && !x->appealed)
            appeal(h, x);
    }
    json_decref(j);
}

void hs_appeal_tick(hs *h)
{
    uint64_t cur = h->view.epoch;
    if (!h->view.ok || h->appeal_epoch == cur + 1)
        return;
    h->appeal_epoch = cur + 1; /* once per epoch; 0 means never */
    for (uint64_t back = 1; back <= HS_HEARD_EPOCHS && back <= cur; back++) {
        int any = 0;
        for (size_t i = 0; i < HS_HEARD && !any; i++)
            any = h->heard[i].p[0] == 'C' && h->heard[i].epoch == cur - back &&
                  !h->heard[i].appealed;
        if (any)
            appeal_epoch(h, cur - back);
    }
}
