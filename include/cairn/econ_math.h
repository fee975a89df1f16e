/* cairn — the integer arithmetic of the token economy.
 *
 * Pure functions, no state: every split of an amount sums exactly to its
 * input, with the rounding rule and the place the dust goes stated on each
 * function. Basis points (bps): 10000 = 100%. */
#ifndef CAIRN_ECON_MATH_H
#define CAIRN_ECON_MATH_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"

#define CAIRN_BPS 10000u

/* Shares of a fee, in bps; they must sum to CAIRN_BPS. */
typedef struct cairn_fee_split {
    uint32_t provider, burn, treasury, stakers;
} cairn_fee_split;

typedef struct cairn_fee_parts {
    uint64_t provider, burn, treasury, stakers;
} cairn_fee_parts;

/* Splits fee: provider, burn and stakers get floor(fee × bps / 10000); the
 * treasury gets the rest, rounding dust included, so the parts sum to fee.
 * BAD_ARG if the shares do not sum to 10000. */
CAIRN_API cairn_err cairn_split_fee(uint64_t fee, const cairn_fee_split *s,
                                    cairn_fee_parts *out) CAIRN_WUR;

/* Pro-rata: out[i] = floor(total × w[i] / Σw), 128-bit intermediates;
 * *dust = total − Σout[i] (< n). When Σw = 0 every out[i] is 0 and all of
 * total is dust. OVERFLOW if Σw exceeds u64. */
CAIRN_API cairn_err cairn_prorata(uint64_t total, const uint64_t *w, size_t n,
                                  uint64_t *out, uint64_t *dust) CAIRN_WUR;

/* Emission schedule per epoch. Halving: initial >> floor(epoch / halving).
 * Decay: initial × ((10000 − decay_bps)/10000)^epoch, computed by repeated
 * integer multiplication with floor (exactly reproducible). halving_epochs 0
 * selects decay; both 0 means a constant emission. */
typedef struct cairn_emission {
    uint64_t initial;        /* base units emitted in epoch 0 */
    uint64_t halving_epochs; /* 0: no halving */
    uint32_t decay_bps;      /* per-epoch decay when halving_epochs is 0 */
} cairn_emission;

/* Emission for `epoch`, clipped so that minted_so_far + result never
 * exceeds mint_cap (the supply cap minus the genesis supply). */
CAIRN_API uint64_t cairn_emission_for(const cairn_emission *em, uint64_t epoch,
                                      uint64_t minted_so_far,
                                      uint64_t mint_cap);

/* A provider's reward split with its delegators: the delegators' share is
 * proportional to their stake in (self + delegated), minus the provider's
 * commission on it; the provider gets the rest (its own share, the
 * commission, and the rounding dust). */
CAIRN_API cairn_err cairn_split_reward(uint64_t reward, uint32_t commission_bps,
                                       uint64_t self_stake, uint64_t delegated,
                                       uint64_t *provider,
                                       uint64_t *delegators) CAIRN_WUR;

/* Token velocity over a period, annualised, in bps of 1×:
 * volume / avg_circulating × periods_per_year × 10000 (floor). 0 when
 * avg_circulating is 0. Saturates at UINT64_MAX. */
CAIRN_API uint64_t cairn_velocity_bps(uint64_t volume, uint64_t avg_circulating,
                                      uint64_t periods_per_year);

#endif
