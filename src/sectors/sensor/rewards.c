/* The sensor sector's pure formulas (docs/sensor-chain.md, "Formulas"):
 * freshness, tile value, splits, tile consensus and DIMO's weekly points.
 * No state: tests/vectors/sensor_ref.py is an independent implementation
 * and tests/unit/test_sensor_vectors.c compares the two. */
#include <string.h>

#include "sectors/sensor/sn.h"

uint64_t sn_fresh_bps(int ever_agreed, uint64_t last_agreed_epoch,
                      uint64_t epoch, uint64_t fresh_epochs)
{
    if (!ever_agreed || !fresh_epochs)
        return 10000;
    if (epoch <= last_agreed_epoch)
        return 0;
    unsigned __int128 v =
        (unsigned __int128)(epoch - last_agreed_epoch) * 10000 / fresh_epochs;
    return v > 10000 ? 10000 : (uint64_t)v;
}

uint64_t sn_tile_value(uint64_t tile_units, uint64_t fresh_bps,
                       uint64_t boost_bps)
{
    unsigned __int128 v = (unsigned __int128)tile_units * fresh_bps / 10000;
    v = v * ((unsigned __int128)10000 + boost_bps) / 10000;
    return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}

void sn_split_equal(uint64_t pot, size_t n, uint64_t *out)
{
    if (!n)
        return;
    for (size_t i = 0; i < n; i++)
        out[i] = pot / n;
    out[0] += pot % n;
}

int sn_split_weighted(uint64_t pot, const uint64_t *w, size_t n, uint64_t *out)
{
    unsigned __int128 sum = 0;
    for (size_t i = 0; i < n; i++) {
        out[i] = 0;
        sum += w[i];
    }
    if (!sum)
        return 0;
    uint64_t given = 0;
    for (size_t i = 0; i < n; i++) {
        out[i] = (uint64_t)((unsigned __int128)pot * w[i] / sum);
        given += out[i];
    }
    out[0] += pot - given;
    return 1;
}

void sn_consensus(const int64_t *q, const cairn_pubkey *owner, size_t n,
                  int64_t *win_q, size_t *support)
{
    *win_q = 0;
    *support = 0;
    size_t i = 0;
    while (i < n) {
        int64_t v = q[i];
        size_t owners = 0;
        const cairn_pubkey *last = NULL;
        for (; i < n && q[i] == v; i++) {
            if (!last || memcmp(last->b, owner[i].b, 32) != 0)
                owners++;
            last = &owner[i];
        }
        /* q ascending: a later value wins only with strictly more */
        if (owners > *support) {
            *support = owners;
            *win_q = v;
        }
    }
}

static const uint64_t level_start[4] = {0, 4, 21, 36};
static const uint64_t level_bonus[4] = {0, 1000, 2000, 3000};

uint8_t sn_level_of(uint64_t streak)
{
    uint8_t l = 0;
    while (l < 3 && streak >= level_start[l + 1])
        l++;
    return l;
}

uint64_t sn_week_step(sn_week_state *w, int connected, uint64_t batches,
                      uint64_t full_batches)
{
    if (connected) {
        w->streak++;
        w->missed = 0;
        w->level = sn_level_of(w->streak);
        uint64_t conn = batches >= full_batches ? 6000 : 3000;
        return conn + level_bonus[w->level];
    }
    w->missed++;
    if (w->missed >= 3) { /* three missed weeks in a row: a level down */
        w->level = w->level ? (uint8_t)(w->level - 1) : 0;
        w->streak = level_start[w->level];
        w->missed = 0;
    }
    return 0;
}

/* Center-to-vertex length per resolution, m: hexgrid.c's s (micro-degrees
 * of latitude) × 20015114 / 180000000. */
static const uint64_t edge_m[13] = {1046559, 395562, 149508, 56508, 21358,
                                    8072,    3051,   1153,   435,   164,
                                    62,      23,     8};

uint64_t sn_edge_m(unsigned res)
{
    return res < 13 ? edge_m[res] : 0;
}
