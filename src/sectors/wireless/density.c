/* HIP-17 density scaling over every asserted hotspot (docs/wireless-
 * chain.md, "Density"): per resolution 4..10 a hotspot's hex holds count
 * hotspots and has occupied neighbours (neighbouring hexes holding at
 * least `target` hotspots, HIP-17's rule); poc_density_scale turns those
 * into the scale. Sorted arrays and binary search: no hash-table order. */
#include <stdlib.h>
#include <string.h>

#include "sectors/wireless/hexgrid.h"
#include "sectors/wireless/wl.h"

typedef struct cellcount {
    uint64_t cell, count;
} cellcount;

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Hotspots in cell c (0 when none) among the m distinct cells of cc. */
static uint64_t count_of(const cellcount *cc, size_t m, uint64_t c)
{
    size_t lo = 0, hi = m;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cc[mid].cell < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m && cc[lo].cell == c ? cc[lo].count : 0;
}

cairn_err wl_density(const poc_hip17_res prm[POC_NRES], const wl_hotspot *h,
                     size_t n, uint64_t *scale)
{
    uint64_t *cells = NULL, *sorted = NULL;
    uint64_t(*count)[POC_NRES] = NULL, (*occ)[POC_NRES] = NULL;
    cellcount *cc = NULL;
    cairn_err e = CAIRN_OK;
    if (!n)
        return CAIRN_OK;
    if (!(cells = malloc(n * sizeof *cells)) ||
        !(sorted = malloc(n * sizeof *sorted)) ||
        !(count = calloc(n, sizeof *count)) ||
        !(occ = calloc(n, sizeof *occ)) || !(cc = malloc(n * sizeof *cc))) {
        e = CAIRN_ERR_NOMEM;
        goto out;
    }
    for (unsigned r = 0; !e && r < POC_NRES; r++) {
        size_t m = 0;
        for (size_t i = 0; !e && i < n; i++)
            if (hexg_parent(h[i].cell, POC_RES_MIN + r, &cells[i]))
                e = CAIRN_ERR_DB; /* stored cells are valid */
        if (e)
            break;
        memcpy(sorted, cells, n * sizeof *sorted);
        qsort(sorted, n, sizeof *sorted, cmp_u64);
        for (size_t i = 0; i < n; i++) {
            if (m && cc[m - 1].cell == sorted[i])
                cc[m - 1].count++;
            else
                cc[m++] = (cellcount){sorted[i], 1};
        }
        for (size_t i = 0; !e && i < n; i++) {
            uint64_t nb[6];
            count[i][r] = count_of(cc, m, cells[i]);
            if (hexg_neighbors(cells[i], nb)) {
                e = CAIRN_ERR_DB;
                break;
            }
            for (int j = 0; j < 6; j++) {
                uint64_t c = count_of(cc, m, nb[j]);
                if (c && c >= prm[r].target)
                    occ[i][r]++;
            }
        }
    }
    for (size_t i = 0; !e && i < n; i++)
        scale[i] = poc_density_scale(prm, count[i], occ[i]);
out:
    free(cells);
    free(sorted);
    free(count);
    free(occ);
    free(cc);
    return e;
}

typedef struct hlist {
    wl_hotspot *h;
    size_t n, cap;
} hlist;

static cairn_err visit_h(void *arg, const uint8_t *k, size_t kn,
                         const uint8_t *v, size_t vn)
{
    hlist *l = arg;
    cairn_err e = grow_array((void **)&l->h, &l->cap, l->n, sizeof *l->h, 16);
    if (!e && !(e = wl_hotspot_decode(&l->h[l->n], k, kn, v, vn)))
        l->n++;
    return e;
}

cairn_err wl_hotspots_all(MDB_txn *txn, const store *s, wl_hotspot **out,
                          size_t *n)
{
    hlist l = {0};
    cairn_err e = state_scan(txn, s, WL_STATE_HOTSPOT, visit_h, &l);
    if (e) {
        free(l.h);
        l.h = NULL;
        l.n = 0;
    }
    *out = l.h;
    *n = l.n;
    return e;
}

size_t wl_hotspot_find(const wl_hotspot *h, size_t n, const cairn_pubkey *pk)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = memcmp(h[mid].pk.b, pk->b, 32);
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return n;
}
