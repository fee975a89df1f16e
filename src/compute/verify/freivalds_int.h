/* Arithmetic shared by the Freivalds check and the reference product
 * (internal to src/compute/verify). */
#ifndef CAIRN_COMPUTE_FREIVALDS_INT_H
#define CAIRN_COMPUTE_FREIVALDS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "compute/verify/freivalds.h"

typedef unsigned __int128 fv_u128;

/* x mod p. For 2^61 - 1: x = hi·2^61 + lo ≡ hi + lo, folded twice. */
static inline uint64_t fv_reduce(fv_u128 x, uint64_t p)
{
    if (p == FV_P61) {
        fv_u128 s = (x >> 61) + (uint64_t)(x & FV_P61); /* < 2^68 */
        uint64_t t = (uint64_t)(s & FV_P61) + (uint64_t)(s >> 61);
        return t >= FV_P61 ? t - FV_P61 : t; /* t < 2p */
    }
    return (uint64_t)(x % p);
}

/* Σ a[i]·b[i] mod p over residues below p < 2^61: each product is below
 * 2^122, so 63 of them and a reduced sum stay below 2^128 before the next
 * reduction. */
static inline uint64_t fv_dot(const uint64_t *a, const uint64_t *b, size_t n,
                              uint64_t p)
{
    uint64_t acc = 0;
    size_t i = 0;
    while (i < n) {
        size_t end = n - i > 63 ? i + 63 : n;
        fv_u128 s = acc;
        for (; i < end; i++)
            s += (fv_u128)a[i] * b[i];
        acc = fv_reduce(s, p);
    }
    return acc;
}

#endif
