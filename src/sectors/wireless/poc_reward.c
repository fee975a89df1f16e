/* Reward arithmetic of the wireless sector: Helium's beacon/witness unit
 * shape, HIP-17 density scaling and the exact split of a pot
 * (docs/wireless-poc.md). Consensus code: integers only. */
#include "sectors/wireless/poc.h"

#include <stdlib.h>

typedef unsigned __int128 poc_u128;

uint64_t poc_decay_pow(const poc_params *p, uint64_t k)
{
    uint64_t d = POC_FINE;
    /* no decay (also for invalid params: den 0 or num > den) */
    if (p->decay_den == 0 || p->decay_num >= p->decay_den || k == 0)
        return POC_FINE;
    for (uint64_t i = 0; i < k && d > 0; i++)
        d = (uint64_t)((poc_u128)d * p->decay_num / p->decay_den);
    return d;
}

uint64_t poc_beacon_units(const poc_params *p, uint64_t n)
{
    uint64_t r = p->redundancy ? p->redundancy : 1;
    if (n <= r)
        return (uint64_t)((poc_u128)n * POC_ONE / r);
    /* cap - decay^(n-R), floored at the POC_ONE scale (never below 0) */
    poc_u128 cap = (poc_u128)p->beacon_cap * POC_ONE; /* at 10^18 */
    poc_u128 d = poc_decay_pow(p, n - r);
    return d >= cap ? 0 : (uint64_t)((cap - d) / POC_ONE);
}

uint64_t poc_witness_units(const poc_params *p, uint64_t n)
{
    uint64_t r = p->redundancy ? p->redundancy : 1;
    if (n <= r)
        return n == 0 ? 0 : POC_ONE;
    /* (R - (1 - decay^(n-R))) / n at 10^18, floored at the POC_ONE scale */
    poc_u128 num = (poc_u128)(r - 1) * POC_FINE + poc_decay_pow(p, n - r);
    return (uint64_t)(num / ((poc_u128)n * POC_ONE));
}

void poc_hip17_default(poc_hip17_res out[POC_NRES])
{
    static const poc_hip17_res live[POC_NRES] = {
        {1, 250, 800}, {1, 100, 400}, {1, 25, 100}, {2, 5, 20},
        {2, 1, 4},     {2, 1, 2},     {2, 1, 1}};
    for (int i = 0; i < POC_NRES; i++)
        out[i] = live[i];
}

uint64_t poc_hex_limit(const poc_hip17_res *r, uint64_t occupied_neighbours)
{
    poc_u128 m = 1; /* max(1, occupied - N + 1) */
    if (occupied_neighbours > r->n)
        m = (poc_u128)(occupied_neighbours - r->n) + 1;
    poc_u128 lim = (poc_u128)r->target * m;
    return lim < r->max ? (uint64_t)lim : r->max;
}

uint64_t poc_density_scale(const poc_hip17_res prm[POC_NRES],
                           const uint64_t count[POC_NRES],
                           const uint64_t occ[POC_NRES])
{
    uint64_t s = POC_FINE;
    for (int i = 0; i < POC_NRES; i++) {
        uint64_t lim = poc_hex_limit(&prm[i], occ[i]);
        if (count[i] > lim)
            s = (uint64_t)((poc_u128)s * lim / count[i]);
    }
    return s / POC_ONE;
}

typedef struct share {
    poc_u128 rem;
    size_t i;
} share;

/* Larger remainder first, then the lower index. */
static int by_rem(const void *a, const void *b)
{
    const share *x = a, *y = b;
    if (x->rem != y->rem)
        return x->rem > y->rem ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

cairn_err poc_split(uint64_t pot, const uint64_t *units, const uint64_t *scale,
                    size_t n, uint64_t *out, uint64_t *unpaid)
{
    if (!unpaid || (n > 0 && (!units || !scale || !out)))
        return CAIRN_ERR_BAD_ARG;
    *unpaid = pot;
    poc_u128 total = 0;
    for (size_t i = 0; i < n; i++) {
        poc_u128 w = (poc_u128)units[i] * scale[i] / POC_ONE;
        if (w > UINT64_MAX)
            return CAIRN_ERR_OVERFLOW;
        total += w;
        out[i] = 0;
    }
    if (total == 0)
        return CAIRN_OK;
    share *sh = malloc(n * sizeof *sh);
    if (!sh)
        return CAIRN_ERR_NOMEM;
    uint64_t paid = 0;
    for (size_t i = 0; i < n; i++) {
        poc_u128 x = (poc_u128)pot * ((poc_u128)units[i] * scale[i] / POC_ONE);
        out[i] = (uint64_t)(x / total);
        sh[i] = (share){x % total, i};
        paid += out[i];
    }
    qsort(sh, n, sizeof *sh, by_rem);
    for (size_t k = 0; paid < pot; k++, paid++) /* pot - paid < n */
        out[sh[k].i]++;
    free(sh);
    *unpaid = 0;
    return CAIRN_OK;
}
