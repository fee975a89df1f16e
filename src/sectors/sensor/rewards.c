/* The sensor sector's pure formulas (docs/sensor-chain.md, "Formulas"):
 * freshness, tile value, splits, tile consensus and DIMO's weekly points.
 * No state: tests/vectors/sensor_ref.py is an independent implementation
 * and tests/unit/test_sensor_vectors.c compares the two. */
#include <stdlib.h>
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

typedef struct widx {
    const sn_wrep *r;
    size_t i;
} widx;

/* (q, owner, device, epoch): a total order on a cell's rows */
static int widx_cmp(const void *a, const void *b)
{
    const sn_wrep *x = ((const widx *)a)->r, *y = ((const widx *)b)->r;
    if (x->q != y->q)
        return x->q < y->q ? -1 : 1;
    int c = memcmp(x->owner.b, y->owner.b, 32);
    if (!c)
        c = memcmp(x->device.b, y->device.b, 32);
    if (!c && x->epoch != y->epoch)
        c = x->epoch < y->epoch ? -1 : 1;
    return c;
}

cairn_err sn_window_judge(const sn_wrep *r, size_t n, uint64_t epoch,
                          uint64_t window, uint64_t quorum,
                          cairn_pubkey *payees, uint8_t *pay, sn_wjudge *out)
{
    uint64_t lo = window && epoch >= window - 1 ? epoch - (window - 1) : 0;
    size_t m = 0;
    memset(out, 0, sizeof *out);
    out->first = n;
    for (size_t i = 0; i < n; i++)
        pay[i] = 0;
    if (!n)
        return CAIRN_OK;
    widx *ix = malloc(n * sizeof *ix);
    int64_t *q = malloc(n * sizeof *q);
    cairn_pubkey *own = malloc(n * sizeof *own);
    if (!ix || !q || !own) {
        free(ix);
        free(q);
        free(own);
        return CAIRN_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        if (r[i].epoch >= lo && r[i].epoch <= epoch)
            ix[m++] = (widx){&r[i], i};
    if (!m) { /* nothing in the window: not agreed */
        free(ix);
        free(q);
        free(own);
        return CAIRN_OK;
    }
    qsort(ix, m, sizeof *ix, widx_cmp);
    for (size_t j = 0; j < m; j++) {
        q[j] = ix[j].r->q;
        own[j] = ix[j].r->owner;
    }
    sn_consensus(q, own, m, &out->win, &out->support);
    out->agreed = out->support >= quorum;
    if (out->agreed)
        for (size_t j = 0; j < m; j++) {
            const sn_wrep *x = ix[j].r;
            if (x->q != out->win) {
                if (x->epoch == epoch)
                    out->disagreed_e++;
                continue;
            }
            if (x->paid)
                continue;
            pay[ix[j].i] = 1;
            /* sorted by owner within q: distinct owners, key order */
            if (!out->npayees ||
                memcmp(payees[out->npayees - 1].b, x->owner.b, 32) != 0)
                payees[out->npayees++] = x->owner;
            if (out->first == n ||
                memcmp(x->device.b, r[out->first].device.b, 32) < 0 ||
                (memcmp(x->device.b, r[out->first].device.b, 32) == 0 &&
                 x->epoch > r[out->first].epoch))
                out->first = ix[j].i;
        }
    free(ix);
    free(q);
    free(own);
    return CAIRN_OK;
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
