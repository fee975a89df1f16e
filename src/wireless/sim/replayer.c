/* Replayers: attacker radios that record every beacon they hear and send
 * it again, unchanged, from their own position after their delay (the
 * chain must refuse the copies: wrong time, impossible RSSI for the
 * distance, or a payload from another epoch). */
#include <string.h>

#include <sodium.h>

#include "wireless/sim/world.h"

#define BEACON_MAGIC "CBK1"

static uint64_t payload_id(const sim_tx *t)
{
    uint8_t h[8];
    crypto_generichash(h, sizeof h, t->data, t->size, NULL, 0);
    uint64_t x = 0;
    for (int i = 0; i < 8; i++)
        x = x << 8 | h[i];
    return x;
}

void sim_rep_hear(sim_world *w, size_t r, const sim_tx *t, uint64_t arrival_us)
{
    sim_rep *rp = &w->rep[r];
    const sim_replayer_cfg *c = &w->sc->rep[r];
    if (t->size < 4 || memcmp(t->data, BEACON_MAGIC, 4) != 0)
        return;
    uint64_t id = payload_id(t);
    for (size_t i = 0; i < rp->n_seen; i++)
        if (rp->seen[i] == id)
            return; /* sent once already */
    rp->seen[rp->next] = id;
    rp->next = (rp->next + 1) % SIM_REP_SEEN;
    if (rp->n_seen < SIM_REP_SEEN)
        rp->n_seen++;
    rp->heard++;
    sim_tx copy = *t;
    copy.at_us = arrival_us + c->delay_ms * 1000;
    copy.src = SIM_SRC_REPLAYER;
    copy.src_idx = (uint16_t)r;
    copy.lat = c->lat;
    copy.lon = c->lon;
    copy.power_dbm = c->tx_power_dbm;
    copy.gain_dbi = c->gain_dbi;
    copy.ipol = false;
    char src[48];
    sim_src_name(w, t->src, t->src_idx, src, sizeof src);
    if (sim_air_queue(w, &copy)) {
        rp->replayed++;
        w->n.replays++;
        sim_log(w, arrival_us, "replay_scheduled",
                "\"rep\":%zu,\"heard_tx\":%llu,\"from\":\"%s\",\"tx\":%llu,"
                "\"at_ms\":%llu",
                r, (unsigned long long)t->id, src, (unsigned long long)copy.id,
                (unsigned long long)(copy.at_us / 1000));
    }
}
