/* Simulated devices: ABP devices send uplinks every every_ms with an
 * incrementing FCnt; OTAA devices first send join requests (every
 * SIM_JOIN_RETRY_US until a join accept reaches them through some
 * hotspot's downlink), derive NwkSKey, then send uplinks. Frames:
 * src/wireless/frame.h. */
#include <string.h>

#include "wireless/frame.h"
#include "wireless/sim/world.h"

void sim_dev_init(sim_world *w, uint64_t now_us)
{
    for (size_t i = 0; i < w->sc->n_dev; i++) {
        const sim_device_cfg *c = &w->sc->dev[i];
        sim_dev *d = &w->dev[i];
        memset(d, 0, sizeof *d);
        d->joined = !c->otaa;
        d->dev_addr = c->dev_addr;
        memcpy(d->nwk_skey, c->nwk_skey, sizeof d->nwk_skey);
        /* small, so that +1 per try never wraps (a router refuses a
         * DevNonce not above the last one it accepted) */
        d->dev_nonce = (uint16_t)(rm_rng_next(&w->rng) % 1024);
        /* spread the first transmissions over one period */
        d->next_us = now_us + rm_rng_next(&w->rng) % (c->every_ms * 1000);
    }
}

static void queue_frame(sim_world *w, size_t i, uint64_t now_us,
                        const uint8_t *f, size_t n)
{
    const sim_device_cfg *c = &w->sc->dev[i];
    const rm_params *m = &w->sc->model;
    sim_tx t;
    memset(&t, 0, sizeof t);
    t.at_us = now_us;
    t.src = SIM_SRC_DEVICE;
    t.src_idx = (uint16_t)i;
    t.lat = c->lat;
    t.lon = c->lon;
    t.power_dbm = c->tx_power_dbm;
    t.gain_dbi = m->rx_gain_dbi;
    t.freq_hz = m->freq_hz;
    t.rate.modu = CAIRN_SM_LORA;
    t.rate.sf = m->sf;
    t.rate.bw_khz = (uint16_t)(m->bw_hz / 1000);
    t.rate.codr = 5;
    t.size = (uint16_t)n;
    memcpy(t.data, f, n);
    sim_air_queue(w, &t);
}

static void uplink(sim_world *w, size_t i, uint64_t now_us)
{
    const sim_device_cfg *c = &w->sc->dev[i];
    sim_dev *d = &w->dev[i];
    lora_uplink u;
    memset(&u, 0, sizeof u);
    u.mhdr = LORA_UP_UNCONFIRMED;
    u.dev_addr = d->dev_addr;
    u.fcnt = d->fcnt;
    u.fport = 1;
    u.len = c->size;
    for (size_t k = 0; k < u.len; k++)
        u.payload[k] = (uint8_t)rm_rng_next(&w->rng);
    uint8_t f[LORA_MAX_PHY];
    size_t n = 0;
    if (lora_uplink_encode(&u, d->nwk_skey, f, sizeof f, &n) != CAIRN_OK)
        return; /* size is validated <= 200: not reached */
    d->uplinks++;
    w->n.uplinks++;
    sim_log(w, now_us, "uplink",
            "\"dev\":\"%s\",\"dev_addr\":\"%08x\",\"fcnt\":%u,\"size\":%zu",
            c->name, d->dev_addr, d->fcnt, n);
    d->fcnt++;
    queue_frame(w, i, now_us, f, n);
}

static void join_request(sim_world *w, size_t i, uint64_t now_us)
{
    const sim_device_cfg *c = &w->sc->dev[i];
    sim_dev *d = &w->dev[i];
    lora_join_req j = {c->join_eui, c->dev_eui, ++d->dev_nonce};
    uint8_t f[LORA_JOIN_REQ_LEN];
    size_t n = 0;
    if (lora_join_req_encode(&j, c->app_key, f, sizeof f, &n) != CAIRN_OK)
        return;
    d->joins++;
    w->n.joins++;
    sim_log(w, now_us, "join_request",
            "\"dev\":\"%s\",\"dev_eui\":\"%016llx\",\"join_eui\":\"%016llx\","
            "\"dev_nonce\":%u",
            c->name, (unsigned long long)c->dev_eui,
            (unsigned long long)c->join_eui, d->dev_nonce);
    queue_frame(w, i, now_us, f, n);
}

uint64_t sim_dev_tick(sim_world *w, uint64_t now_us)
{
    uint64_t next = UINT64_MAX;
    for (size_t i = 0; i < w->sc->n_dev; i++) {
        sim_dev *d = &w->dev[i];
        uint64_t every = w->sc->dev[i].every_ms * 1000;
        if (now_us >= d->next_us) {
            if (d->joined) {
                uplink(w, i, now_us);
                d->next_us += every;
            } else {
                join_request(w, i, now_us);
                d->next_us = now_us + SIM_JOIN_RETRY_US;
            }
            if (d->next_us <= now_us) /* fell behind: no burst */
                d->next_us = now_us + every;
        }
        if (d->next_us < next)
            next = d->next_us;
    }
    return next;
}

void sim_dev_hear(sim_world *w, size_t i, const sim_tx *t, double rssi,
                  double snr)
{
    const sim_device_cfg *c = &w->sc->dev[i];
    sim_dev *d = &w->dev[i];
    if (!c->otaa || d->joined || t->size != LORA_JOIN_ACC_LEN ||
        t->data[0] != LORA_JOIN_ACCEPT)
        return;
    lora_frame f;
    if (lora_frame_decode(&f, t->data, t->size, NULL, 0) != CAIRN_OK ||
        f.type != LORA_JOIN_ACCEPT ||
        lora_check_mic(t->data, t->size, c->app_key) != CAIRN_OK)
        return; /* another device's accept */
    lora_derive_nwk_skey(d->nwk_skey, c->app_key, f.u.jacc.join_nonce,
                         f.u.jacc.net_id, d->dev_nonce);
    d->dev_addr = f.u.jacc.dev_addr;
    d->joined = true;
    d->fcnt = 0;
    d->accepts++;
    d->next_us = t->at_us + 1000000; /* first uplink a second later */
    w->n.accepts++;
    char src[48];
    sim_src_name(w, t->src, t->src_idx, src, sizeof src);
    sim_log(w, t->at_us, "joined",
            "\"dev\":\"%s\",\"via\":\"%s\",\"dev_addr\":\"%08x\",\"rssi\":%.2f,"
            "\"snr\":%.2f",
            c->name, src, d->dev_addr, rssi, snr);
}
