/* The air: the queue of transmissions and their delivery to every
 * forwarder, device and replayer in range (world.h; model in
 * radio_model.h). */
#include <string.h>
#include <time.h>

#include "sectors/wireless/hexgrid.h"
#include "wireless/sim/world.h"

uint64_t sim_dist_m(int32_t lat1, int32_t lon1, int32_t lat2, int32_t lon2)
{
    uint64_t d = 0;
    if (hexg_distance_m(lat1, lon1, lat2, lon2, &d) != CAIRN_OK)
        return HEXG_HALF_CIRCLE_M; /* positions are validated: not reached */
    return d;
}

bool sim_air_queue(sim_world *w, sim_tx *t)
{
    t->id = ++w->next_id;
    if (w->nq >= SIM_QUEUE_MAX) {
        w->n.queue_full++;
        char src[48];
        sim_src_name(w, t->src, t->src_idx, src, sizeof src);
        sim_log(w, t->at_us, "drop",
                "\"tx\":%llu,\"src\":\"%s\",\"reason\":\"queue full (%d "
                "pending)\"",
                (unsigned long long)t->id, src, SIM_QUEUE_MAX);
        return false;
    }
    w->q[w->nq++] = *t;
    return true;
}

static double floor_(double x)
{
    double t = (double)(int64_t)x;
    return t > x ? t - 1 : t;
}

/* rxpk "time": ISO 8601 UTC with microseconds. */
static void iso_time(uint64_t us, char *out, size_t cap)
{
    time_t s = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&s, &tm);
    char base[24];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, cap, "%s.%06uZ", base, (unsigned)(us % 1000000));
}

static uint8_t tx_sf(const sim_tx *t)
{
    return t->rate.sf;
}

static uint32_t tx_bw(const sim_tx *t)
{
    return (uint32_t)t->rate.bw_khz * 1000;
}

static void to_hotspot(sim_world *w, const sim_tx *t, size_t h)
{
    const sim_hotspot_cfg *hc = &w->sc->hs[h];
    const rm_params *m = &w->sc->model;
    char src[48];
    sim_src_name(w, t->src, t->src_idx, src, sizeof src);
    uint64_t d = sim_dist_m(t->lat, t->lon, hc->lat, hc->lon);
    if (t->rate.modu != CAIRN_SM_LORA) {
        w->n.drop++;
        sim_log(w, t->at_us, "drop",
                "\"tx\":%llu,\"dst\":\"hs:%s\",\"dist_m\":%llu,\"reason\":"
                "\"FSK is not modelled\"",
                (unsigned long long)t->id, hc->name, (unsigned long long)d);
        return;
    }
    double sh = rm_shadow_db(m, w->seed, t->lat, t->lon, hc->lat, hc->lon);
    rm_rx r;
    rm_link(m, t->power_dbm, t->gain_dbi, hc->gain_dbi, d, t->freq_hz, tx_bw(t),
            tx_sf(t), sh, &r);
    if (!r.ok) {
        w->n.drop++;
        sim_log(w, t->at_us, "drop",
                "\"tx\":%llu,\"src\":\"%s\",\"dst\":\"hs:%s\",\"dist_m\":%llu,"
                "\"rssi\":%.2f,\"snr\":%.2f,\"floor\":%.1f,\"reason\":\"below "
                "demodulation floor\"",
                (unsigned long long)t->id, src, hc->name, (unsigned long long)d,
                r.rssi_dbm, r.snr_db, r.floor_db);
        return;
    }
    uint64_t arr = rm_arrival_us(t->at_us, d);
    cairn_sm_rxpk rx;
    memset(&rx, 0, sizeof rx);
    rx.has_time = true;
    iso_time(arr, rx.time, sizeof rx.time);
    rx.has_tmms = true;
    rx.tmms = cairn_sm_unix_to_gps_ms(arr / 1000);
    rx.tmst = (uint32_t)(arr + w->fwd[h].tmst_off);
    rx.freq_hz = t->freq_hz;
    rx.stat = 1;
    rx.rate = t->rate;
    /* reported RSSI: floored to the dBm, so never above the model's */
    double rssi = floor_(r.rssi_dbm);
    rx.rssi = (int16_t)(rssi < -1000 ? -1000 : rssi);
    double snr = r.snr_db > m->snr_max_db ? m->snr_max_db : r.snr_db;
    rx.has_lsnr = true;
    rx.lsnr_cdb = (int32_t)floor_(snr * 100.0);
    rx.size = t->size;
    memcpy(rx.data, t->data, t->size);
    w->n.rx++;
    sim_log(w, t->at_us, "rx",
            "\"tx\":%llu,\"src\":\"%s\",\"dst\":\"hs:%s\",\"dist_m\":%llu,"
            "\"rssi\":%d,\"rssi_model\":%.2f,\"rssi_fs\":%.2f,\"snr\":%.2f,"
            "\"snr_model\":%.2f,"
            "\"shadow_db\":%.2f,\"tmms\":%llu,\"tmst\":%u,\"freq_hz\":%llu",
            (unsigned long long)t->id, src, hc->name, (unsigned long long)d,
            rx.rssi, r.rssi_dbm, r.rssi_fs, (double)rx.lsnr_cdb / 100.0,
            r.snr_db, sh, (unsigned long long)rx.tmms, rx.tmst,
            (unsigned long long)rx.freq_hz);
    sim_fwd_push_rx(w, h, &rx);
}

/* Reception by a device or replayer at (lat, lon) with gain g: true and
 * *r filled when it demodulates. */
static bool hears(sim_world *w, const sim_tx *t, int32_t lat, int32_t lon,
                  double g, uint64_t *d, rm_rx *r)
{
    const rm_params *m = &w->sc->model;
    if (t->rate.modu != CAIRN_SM_LORA)
        return false;
    *d = sim_dist_m(t->lat, t->lon, lat, lon);
    double sh = rm_shadow_db(m, w->seed, t->lat, t->lon, lat, lon);
    rm_link(m, t->power_dbm, t->gain_dbi, g, *d, t->freq_hz, tx_bw(t), tx_sf(t),
            sh, r);
    return r->ok;
}

static void deliver(sim_world *w, const sim_tx *t)
{
    const sim_scenario *sc = w->sc;
    char src[48];
    sim_src_name(w, t->src, t->src_idx, src, sizeof src);
    w->n.tx++;
    sim_log(w, t->at_us, "tx",
            "\"tx\":%llu,\"src\":\"%s\",\"freq_hz\":%llu,\"powe\":%.1f,"
            "\"sf\":%u,\"ipol\":%s,\"size\":%u,\"beacon\":%s",
            (unsigned long long)t->id, src, (unsigned long long)t->freq_hz,
            t->power_dbm, t->rate.sf, t->ipol ? "true" : "false", t->size,
            t->size >= 4 && memcmp(t->data, "CBK1", 4) == 0 ? "true" : "false");
    if (!t->ipol)
        for (size_t h = 0; h < sc->n_hs; h++)
            if (!(t->src == SIM_SRC_HOTSPOT && t->src_idx == h))
                to_hotspot(w, t, h);
    uint64_t d;
    rm_rx r;
    if (t->src == SIM_SRC_HOTSPOT)
        for (size_t i = 0; i < sc->n_dev; i++)
            if (hears(w, t, sc->dev[i].lat, sc->dev[i].lon,
                      sc->model.rx_gain_dbi, &d, &r))
                sim_dev_hear(w, i, t, r.rssi_dbm, r.snr_db);
    if (!t->ipol && t->src != SIM_SRC_REPLAYER)
        for (size_t i = 0; i < sc->n_rep; i++)
            if (hears(w, t, sc->rep[i].lat, sc->rep[i].lon, sc->rep[i].gain_dbi,
                      &d, &r))
                sim_rep_hear(w, i, t, rm_arrival_us(t->at_us, d));
}

uint64_t sim_air_run(sim_world *w, uint64_t now_us)
{
    for (;;) {
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < w->nq; i++)
            if (best == SIZE_MAX || w->q[i].at_us < w->q[best].at_us ||
                (w->q[i].at_us == w->q[best].at_us &&
                 w->q[i].id < w->q[best].id))
                best = i;
        if (best == SIZE_MAX)
            return UINT64_MAX;
        if (w->q[best].at_us > now_us)
            return w->q[best].at_us;
        sim_tx t = w->q[best];
        w->q[best] = w->q[--w->nq];
        deliver(w, &t);
    }
}
