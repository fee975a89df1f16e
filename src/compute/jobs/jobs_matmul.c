/* The matmul runner: row i of C = A.B mod p (p = 2^61 - 1), a plain loop
 * in process (the input is bounded: n, k, m <= 512). */
#include <string.h>

#include "compute/jobs/jobs.h"
#include "compute/verify/freivalds.h"

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint64_t mulmod(uint64_t a, uint64_t b)
{
    unsigned __int128 x = (unsigned __int128)a * b;
    uint64_t lo = (uint64_t)(x & FV_P61), hi = (uint64_t)(x >> 61);
    uint64_t s = lo + hi;
    return s >= FV_P61 ? s - FV_P61 : s;
}

void job_matmul_row(const job_params *jp, const uint8_t *in, uint32_t i,
                    uint8_t *row)
{
    const uint32_t k = jp->u.mm.k, m = jp->u.mm.m;
    const uint8_t *a = in + (size_t)i * k * 8;
    const uint8_t *b = in + (size_t)jp->u.mm.n * k * 8;
    for (uint32_t j = 0; j < m; j++) {
        uint64_t acc = 0;
        for (uint32_t t = 0; t < k; t++) {
            acc += mulmod(le64(a + (size_t)t * 8),
                          le64(b + ((size_t)t * m + j) * 8));
            if (acc >= FV_P61)
                acc -= FV_P61;
        }
        for (int q = 0; q < 8; q++)
            row[(size_t)j * 8 + q] = (uint8_t)(acc >> (8 * q));
    }
}
