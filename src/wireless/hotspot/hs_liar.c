/* The liar ring: a TEST-ONLY attack mode (--liar-ring DIR), what a ring of
 * colluding hotspots would do to be paid for coverage nobody heard. Each
 * member writes its beacon into DIR/<address>.beacon when it sends it
 * (144 bytes: u64 epoch ‖ u64 time_ms ‖ u64 freq_hz ‖ i32 lat_udeg ‖
 * i32 lon_udeg ‖ i16 gain_cdbi ‖ i16 tx_power_cdbm ‖ P, little-endian) and
 * reads the others' files: for every member's beacon of the current
 * epoch it forges a witness report as if it had heard it, with the RSSI
 * HS_LIAR_UNDER_CDB under the free-space limit at the asserted distance
 * (so the RSSI check cannot tell) and the time beacon + HS_LIAR_LATE_MS.
 * The chain's defence is the closed-group cap (docs/wireless.md): a ring
 * whose members only witness each other earns a fraction. Never use it
 * outside tests and the devnet's liar. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "core/durable.h"
#include "sectors/wireless/hexgrid.h"
#include "sectors/wireless/poc.h"
#include "wireless/hotspot/hs.h"

#define RING_LEN (8 + 8 + 8 + 4 + 4 + 2 + 2 + HS_P_LEN)
#define FORGED_MAX 64

static uint64_t rd(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

void hs_liar_publish(hs *h)
{
    char path[4200];
    cairn_buf b;
    const hs_beacon_state *s = &h->beacon;
    cairn_buf_init(&b, RING_LEN);
    cairn_put_u64(&b, s->epoch);
    cairn_put_u64(&b, s->time_ms);
    cairn_put_u64(&b, s->freq_hz);
    cairn_put_u32(&b, (uint32_t)h->cfg.lat_udeg);
    cairn_put_u32(&b, (uint32_t)h->cfg.lon_udeg);
    cairn_put_u16(&b, (uint16_t)h->cfg.gain_cdbi);
    cairn_put_u16(&b, (uint16_t)h->cfg.txp_cdbm);
    cairn_put_bytes(&b, s->p, HS_P_LEN);
    snprintf(path, sizeof path, "%s/%s.beacon", h->cfg.liar_dir, h->addr);
    if (b.err || cairn_write_durable(path, b.p, b.len))
        hs_log(h, "liar ring: cannot write %s", path);
    cairn_buf_free(&b);
}

/* Forges our report of one member's beacon (file bytes f). */
static void forge(hs *h, const uint8_t *f)
{
    cairn_pubkey beaconer;
    uint64_t pe, d;
    const uint8_t *p = f + 36;
    if (hs_beacon_parse(p, HS_P_LEN, &beaconer, &pe, NULL) ||
        memcmp(beaconer.b, h->cfg.key.pk.b, 32) == 0)
        return;
    int32_t lat = (int32_t)(uint32_t)rd(f + 24, 4),
            lon = (int32_t)(uint32_t)rd(f + 28, 4);
    int16_t gain = (int16_t)(uint16_t)rd(f + 32, 2),
            power = (int16_t)(uint16_t)rd(f + 34, 2);
    if (hexg_distance_m(h->cfg.lat_udeg, h->cfg.lon_udeg, lat, lon, &d))
        return;
    uint64_t freq = rd(f + 16, 8);
    int64_t rssi = poc_rssi_max(power, gain, h->cfg.gain_cdbi, d, freq) -
                   HS_LIAR_UNDER_CDB;
    hs_witness w = {.beaconer = beaconer,
                    .epoch = h->view.epoch,
                    .time_ms = rd(f + 8, 8) + HS_LIAR_LATE_MS,
                    .freq_hz = freq,
                    .rssi_cdbm = (int32_t)rssi,
                    .snr_cdb = 500};
    cairn_hash_bytes(&w.payload_hash, p, HS_P_LEN);
    if (cairn_witness_sign(&w, h->view.chain_id, &h->cfg.key))
        return;
    hs_log(h,
           "liar ring: forged a report of a beacon %llu m away, rssi %d "
           "cdBm",
           (unsigned long long)d, (int)w.rssi_cdbm);
    hs_witness_queue(h, &w);
}

void hs_liar_tick(hs *h)
{
    DIR *d;
    struct dirent *de;
    if (!h->cfg.liar_dir || !h->view.ok || !(d = opendir(h->cfg.liar_dir)))
        return;
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        char path[4200];
        unsigned char *f = NULL;
        size_t fn = 0;
        if (n < 8 || strcmp(de->d_name + n - 7, ".beacon") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", h->cfg.liar_dir, de->d_name);
        if (cairn_read_small(path, RING_LEN, &f, &fn) == CAIRN_OK &&
            fn == RING_LEN && rd(f, 8) == h->view.epoch) {
            cairn_hash key;
            int seen = 0;
            cairn_hash_bytes(&key, f, RING_LEN);
            for (size_t i = 0; i < FORGED_MAX && !seen; i++)
                seen = memcmp(h->forged[i].b, key.b, 32) == 0;
            if (!seen) {
                h->forged[h->forged_next++ % FORGED_MAX] = key;
                forge(h, f);
            }
        }
        free(f);
    }
    closedir(d);
}
