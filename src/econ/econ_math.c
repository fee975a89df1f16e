/* Exact integer splits, emission schedule, reward split, velocity. */
#include "cairn/econ_math.h"

#include "cairn/amount.h"

static uint64_t bps_of(uint64_t v, uint32_t bps)
{
    return (uint64_t)((unsigned __int128)v * bps / CAIRN_BPS);
}

cairn_err cairn_split_fee(uint64_t fee, const cairn_fee_split *s,
                          cairn_fee_parts *out)
{
    uint64_t sum = (uint64_t)s->provider + s->burn + s->treasury + s->stakers;
    if (sum != CAIRN_BPS)
        return CAIRN_ERR_BAD_ARG;
    out->provider = bps_of(fee, s->provider);
    out->burn = bps_of(fee, s->burn);
    out->stakers = bps_of(fee, s->stakers);
    out->treasury = fee - out->provider - out->burn - out->stakers;
    return CAIRN_OK;
}

cairn_err cairn_prorata(uint64_t total, const uint64_t *w, size_t n,
                        uint64_t *out, uint64_t *dust)
{
    uint64_t sum = 0, paid = 0;
    for (size_t i = 0; i < n; i++)
        if (cairn_add(&sum, sum, w[i]))
            return CAIRN_ERR_OVERFLOW;
    for (size_t i = 0; i < n; i++) {
        out[i] = sum ? (uint64_t)((unsigned __int128)total * w[i] / sum) : 0;
        paid += out[i];
    }
    *dust = total - paid;
    return CAIRN_OK;
}

uint64_t cairn_emission_for(const cairn_emission *em, uint64_t epoch,
                            uint64_t minted_so_far, uint64_t mint_cap)
{
    uint64_t e = em->initial;
    if (em->halving_epochs) {
        uint64_t halvings = epoch / em->halving_epochs;
        e = halvings >= 64 ? 0 : e >> halvings;
    } else if (em->decay_bps) {
        uint64_t keep =
            CAIRN_BPS - (em->decay_bps > CAIRN_BPS ? CAIRN_BPS : em->decay_bps);
        for (uint64_t i = 0; i < epoch && e; i++)
            e = bps_of(e, (uint32_t)keep);
    }
    if (minted_so_far >= mint_cap)
        return 0;
    return e < mint_cap - minted_so_far ? e : mint_cap - minted_so_far;
}

cairn_err cairn_split_reward(uint64_t reward, uint32_t commission_bps,
                             uint64_t self_stake, uint64_t delegated,
                             uint64_t *provider, uint64_t *delegators)
{
    uint64_t total;
    if (commission_bps > CAIRN_BPS)
        return CAIRN_ERR_BAD_ARG;
    if (cairn_add(&total, self_stake, delegated))
        return CAIRN_ERR_OVERFLOW;
    uint64_t dshare =
        total ? (uint64_t)((unsigned __int128)reward * delegated / total) : 0;
    *delegators = dshare - bps_of(dshare, commission_bps);
    *provider = reward - *delegators;
    return CAIRN_OK;
}

uint64_t cairn_velocity_bps(uint64_t volume, uint64_t avg_circulating,
                            uint64_t periods_per_year)
{
    if (!avg_circulating)
        return 0;
    unsigned __int128 v = (unsigned __int128)volume * periods_per_year;
    v = v * CAIRN_BPS / avg_circulating;
    return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}
