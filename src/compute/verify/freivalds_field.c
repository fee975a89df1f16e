/* The field of the Freivalds check: residues, the primality of the
 * modulus and the bounds of a matrix (compute/verify/freivalds.h). */
#include "compute/verify/freivalds.h"

#include "compute/verify/freivalds_int.h"

uint64_t fv_embed(int64_t x, uint64_t p)
{
    if (x >= 0)
        return (uint64_t)x % p;
    uint64_t m = (uint64_t)(-(x + 1)) % p; /* |x| - 1, without overflow */
    return p - 1 - m;
}

int64_t fv_lift(uint64_t x, uint64_t p)
{
    return x > p / 2 ? -(int64_t)(p - x) : (int64_t)x;
}

static uint64_t mulmod(uint64_t a, uint64_t b, uint64_t p)
{
    return (uint64_t)((fv_u128)a * b % p);
}

static uint64_t powmod(uint64_t a, uint64_t e, uint64_t p)
{
    uint64_t r = 1 % p;
    for (a %= p; e; e >>= 1, a = mulmod(a, a, p))
        if (e & 1)
            r = mulmod(r, a, p);
    return r;
}

/* One Miller-Rabin witness test of odd n = d·2^s + 1. */
static int composite_by(uint64_t a, uint64_t n, uint64_t d, unsigned s)
{
    uint64_t x = powmod(a, d, n);
    if (x == 1 || x == n - 1)
        return 0;
    for (unsigned i = 1; i < s; i++) {
        x = mulmod(x, x, n);
        if (x == n - 1)
            return 0;
    }
    return 1;
}

/* Deterministic for every n below 3.3·10^24 with these twelve bases. */
cairn_err fv_field_ok(uint64_t p)
{
    static const uint64_t bases[] = {2,  3,  5,  7,  11, 13,
                                     17, 19, 23, 29, 31, 37};
    if (p < 2 || p > FV_P61)
        return CAIRN_ERR_BAD_ARG;
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
        if (p == bases[i])
            return CAIRN_OK;
        if (p % bases[i] == 0)
            return CAIRN_ERR_BAD_ARG;
    }
    uint64_t d = p - 1;
    unsigned s = 0;
    for (; (d & 1) == 0; d >>= 1)
        s++;
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++)
        if (composite_by(bases[i], p, d, s))
            return CAIRN_ERR_BAD_ARG;
    return CAIRN_OK;
}

cairn_err fv_mat_ok(const fv_mat *m, uint64_t p)
{
    if (!m->rows || !m->cols || m->rows > FV_DIM_MAX || m->cols > FV_DIM_MAX)
        return CAIRN_ERR_TOO_LARGE;
    if (!m->v)
        return CAIRN_ERR_BAD_ARG;
    size_t n = (size_t)m->rows * m->cols;
    uint64_t bad = 0;
    for (size_t i = 0; i < n; i++)
        bad |=
            m->v[i] >= p; /* no early exit: one pass the compiler vectorises */
    return bad ? CAIRN_ERR_BAD_ARG : CAIRN_OK;
}
