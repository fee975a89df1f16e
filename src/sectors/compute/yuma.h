/* Internal: Yuma consensus (Bittensor's default mode, bond penalty 1) as a
 * pure, deterministic integer function. docs/compute-verify.md ("Yuma
 * consensus") gives the formula step by step with a worked example;
 * tests/vectors/yuma_ref.py is an independent Python implementation whose
 * vectors tests/unit/test_yuma.c reproduces to the unit.
 *
 * Fixed point. Weights and bonds are u16 as stored on chain. κ and α are
 * u16 over 65535 (κ = 32767 is 0.49999, α = 6554 is 0.10001). Everything
 * normalised (stake shares, row-normalised weights, consensus, ranks,
 * incentive, bonds before storage, dividends) is Q32: a u32 whose 2^32 is
 * 1.0, always strictly below 1.0. One division rule is used everywhere:
 *
 *   frac(x, d) = (x · floor((2^64 − 1) / d)) >> 32     for 0 <= x <= d,
 *   frac(x, 0) = 0,
 *
 * a floor of x/d in Q32 that is at most 2 units low; the product never
 * exceeds 2^64 − 1, so it is exact in u64. Products of two Q32 values are
 * floored: q(a, b) = (a · b) >> 32. No floats, no clock, no iteration-order
 * dependence: every sum is over indices in order, every tie by index.
 *
 * Bounds: 1 <= n <= YUMA_MAX_VALIDATORS, 1 <= m <= YUMA_MAX_MINERS,
 * n · m <= YUMA_MAX_CELLS. Stakes must sum within u64. */
#ifndef CAIRN_SECTORS_COMPUTE_YUMA_H
#define CAIRN_SECTORS_COMPUTE_YUMA_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"

#define YUMA_MAX_VALIDATORS 4096u
#define YUMA_MAX_MINERS 65536u
#define YUMA_MAX_CELLS (1u << 24)    /* 16M entries: 32 MiB of u16 weights */
#define YUMA_U16_ONE 65535u          /* κ, α: value / 65535 */
#define YUMA_KAPPA_DEFAULT 32767u    /* 0.5 as subtensor has it */
#define YUMA_ALPHA_DEFAULT 6554u     /* 0.1 */
#define YUMA_OWNER_BPS_DEFAULT 1800u /* 18% to the subnet owner */

typedef struct yuma_in {
    uint32_t n, m;           /* validators, miners */
    const uint64_t *stake;   /* [n] active stake; 0 = left out */
    const uint16_t *weights; /* [n·m] row-major, row i = validator i */
    const uint16_t *bonds;   /* [n·m] previous bonds, NULL = all zero */
    uint16_t kappa;          /* consensus quantile, /65535 */
    uint16_t alpha;          /* bond EMA weight of this epoch, /65535 */
    uint64_t emission;       /* base units to split this epoch */
    uint32_t owner_bps;      /* subnet owner's share, <= 10000 */
} yuma_in;

typedef struct yuma_out {
    uint32_t n, m;
    uint32_t *consensus;     /* [m] Q32 consensus weight per miner */
    uint32_t *rank;          /* [m] Q32 R_j = Σ_i q(s_i, clipped_ij) */
    uint32_t *incentive;     /* [m] Q32 I_j = frac(R_j, ΣR) */
    uint16_t *bonds;         /* [n·m] new bonds, row-major, u16 */
    uint32_t *dividend;      /* [n] Q32 D_i, normalised */
    uint64_t owner;          /* base units to the subnet owner */
    uint64_t *miner_pay;     /* [m] base units by incentive */
    uint64_t *validator_pay; /* [n] base units by dividend */
    uint64_t unpaid;         /* a half with no recipient (ΣI = 0 or ΣD = 0) */
} yuma_out;
/* Always: owner + Σ miner_pay + Σ validator_pay + unpaid = emission. */

/* Runs one epoch. On success *out owns seven arrays that the caller
 * releases with yuma_out_free (also safe on a zeroed or failed *out).
 * Errors, checked before any work: BAD_ARG (n or m zero, weights or
 * stake NULL, owner_bps > 10000), TOO_LARGE (n, m or n·m over the
 * bounds), OVERFLOW (stakes sum past u64), NOMEM. On error *out is
 * zeroed and owns nothing. */
cairn_err yuma_run(const yuma_in *in, yuma_out *out) CAIRN_WUR;

/* Frees what yuma_run allocated and zeroes *out. */
void yuma_out_free(yuma_out *out);

/* The division rule above; exposed for the tests and the docs. */
uint32_t yuma_frac(uint64_t x, uint64_t d);

#endif
