/* End of block (fee split, per-block statistics) and end of epoch
 * (unbonding releases, emission, rewards by sector and work, epoch
 * statistics). Integers only; state is walked in LMDB key order. */
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "core/bytes.h"
#include "econ/gov.h"
#include "econ/rewards.h"
#include "econ/staking.h"
#include "econ/stats.h"
#include "econ/sector.h"

/* ---- statistics record ---- */

/* The record's fields in encoding order. */
static void stats_fields(const econ_epoch_stats *s,
                         const uint64_t *out[ECON_STATS_FIELDS])
{
    size_t i = 0;
    out[i++] = &s->epoch;
    out[i++] = &s->start_height;
    out[i++] = &s->end_height;
    for (int k = 0; k < CAIRN_SECTOR_SLOTS; k++)
        out[i++] = &s->active_providers[k];
    for (int k = 0; k < CAIRN_SECTOR_SLOTS; k++)
        out[i++] = &s->work_units[k];
    out[i++] = &s->fees_paid;
    out[i++] = &s->burned;
    out[i++] = &s->emitted;
    for (int k = 0; k < CAIRN_SECTOR_SLOTS; k++)
        out[i++] = &s->emitted_sector[k];
    out[i++] = &s->supply_end;
    out[i++] = &s->treasury_end;
    out[i++] = &s->staked_end;
    out[i++] = &s->unbonding_end;
    out[i++] = &s->transfer_volume;
    out[i++] = &s->avg_circulating;
    out[i++] = &s->credits_bought;
    for (int k = 0; k < CAIRN_SECTOR_SLOTS; k++) /* version 2 from here */
        out[i++] = &s->staked_providers[k];
    out[i++] = &s->held_end;
    out[i++] = &s->stakers_pool;
    for (int k = 0; k < CAIRN_SECTOR_SLOTS; k++) /* version 3 from here */
        out[i++] = &s->revenue_sector[k];
    for (int k = 0; k < CAIRN_SECTOR_SLOTS; k++)
        out[i++] = &s->burned_sector[k];
    out[i++] = &s->fees_providers; /* version 4 from here */
    out[i++] = &s->fees_burned;
    out[i++] = &s->fees_treasury;
    out[i++] = &s->fees_stakers;
}

void econ_stats_encode(uint8_t out[ECON_STATS_LEN], const econ_epoch_stats *s)
{
    const uint64_t *f[ECON_STATS_FIELDS];
    stats_fields(s, f);
    out[0] = ECON_STATS_VERSION;
    for (size_t i = 0; i < ECON_STATS_FIELDS; i++)
        for (int b = 0; b < 8; b++)
            out[1 + 8 * i + b] = (uint8_t)(*f[i] >> (8 * b));
}

cairn_err econ_stats_decode(econ_epoch_stats *s, const uint8_t *p, size_t n)
{
    const uint64_t *f[ECON_STATS_FIELDS];
    if (n < 1)
        return CAIRN_ERR_TRUNCATED;
    if (p[0] < 1 || p[0] > ECON_STATS_VERSION)
        return CAIRN_ERR_BAD_VERSION;
    size_t fields = p[0] == 1   ? ECON_STATS_FIELDS_V1
                    : p[0] == 2 ? ECON_STATS_FIELDS_V2
                    : p[0] == 3 ? ECON_STATS_FIELDS_V3
                                : ECON_STATS_FIELDS;
    if (n < 1 + 8 * fields)
        return CAIRN_ERR_TRUNCATED;
    if (n > 1 + 8 * fields)
        return CAIRN_ERR_TRAILING;
    memset(s, 0, sizeof *s);
    stats_fields(s, f);
    for (size_t i = 0; i < fields; i++) {
        uint64_t v = 0;
        for (int b = 7; b >= 0; b--)
            v = v << 8 | p[1 + 8 * i + b];
        *(uint64_t *)f[i] = v;
    }
    return CAIRN_OK;
}

cairn_err econ_stats_get(MDB_txn *txn, const store *s, uint64_t epoch,
                         econ_epoch_stats *out)
{
    uint8_t k[8];
    MDB_val v;
    cairn_be64_put(k, epoch);
    cairn_err e = state_get(txn, s, STATE_EPOCH, k, 8, &v);
    return e ? e : econ_stats_decode(out, v.mv_data, v.mv_size);
}

cairn_err econ_note_credits(exec_ctx *x, uint64_t units)
{
    econ_global g;
    cairn_err e = econ_global_get(x->w->txn, x->s, &g);
    if (e)
        return e;
    if (cairn_add(&g.credits_epoch, g.credits_epoch, units))
        return CAIRN_ERR_OVERFLOW;
    return econ_global_put(x, &g);
}

/* ---- fees ---- */

/* The fee split in force. The treasury's share is the remainder of the
 * other three (clamped in order provider, burn, stakers), so a governance
 * change to one share can never make the split invalid. */
static cairn_err fee_split_now(exec_ctx *x, cairn_fee_split *s)
{
    uint64_t v[3];
    const unsigned ids[3] = {P_FEE_PROVIDER_BPS, P_FEE_BURN_BPS,
                             P_FEE_STAKERS_BPS};
    uint64_t left = CAIRN_BPS;
    for (int i = 0; i < 3; i++) {
        cairn_err e = econ_param_get(x, ids[i], &v[i]);
        if (e)
            return e;
        v[i] = v[i] < left ? v[i] : left;
        left -= v[i];
    }
    *s = (cairn_fee_split){(uint32_t)v[0], (uint32_t)v[1], (uint32_t)left,
                           (uint32_t)v[2]};
    return CAIRN_OK;
}

/* Books the burn/treasury/stakers parts of a split fee into t and g. */
static void book_fee(cairn_totals *t, econ_global *g, const cairn_fee_parts *f,
                     uint64_t fee)
{
    t->supply -= f->burn;
    t->burned += f->burn;
    t->treasury += f->treasury;
    g->burned_epoch += f->burn;
    g->stakers_pool += f->stakers;
    g->fees_epoch += fee;
    g->fee_provider_epoch += f->provider; /* parts of fee: no overflow */
    g->fee_burn_epoch += f->burn;
    g->fee_treasury_epoch += f->treasury;
    g->fee_stakers_epoch += f->stakers;
}

/* The sector of provider's registration, or CAIRN_SECTOR_SLOTS when there
 * is none (no provider, or not registered). */
static cairn_err payee_sector(exec_ctx *x, const cairn_pubkey *provider,
                              unsigned *sector)
{
    econ_provider p;
    *sector = CAIRN_SECTOR_SLOTS;
    if (!provider)
        return CAIRN_OK;
    cairn_err e = econ_provider_read(x->w->txn, x->s, provider, &p);
    if (e)
        return e == CAIRN_ERR_NOT_PROVIDER ? CAIRN_OK : e;
    if (p.sector < CAIRN_SECTOR_SLOTS)
        *sector = p.sector;
    return CAIRN_OK;
}

/* Counts a service payment and its burned part toward its sector's
 * revenue (parts of fees_epoch and burned_epoch: no overflow). */
static void book_sector(econ_global *g, unsigned sector,
                        const cairn_fee_parts *f, uint64_t fee)
{
    if (sector >= CAIRN_SECTOR_SLOTS)
        return;
    g->fees_sector[sector] += fee;
    g->burned_sector[sector] += f->burn;
}

/* econ_pay_fee, its revenue booked to `sector` (CAIRN_SECTOR_SLOTS: the
 * provider's). */
static cairn_err pay_fee(exec_ctx *x, uint64_t amount,
                         const cairn_pubkey *provider, unsigned sector)
{
    cairn_fee_split s;
    cairn_fee_parts f;
    cairn_totals t;
    econ_global g;
    cairn_err e = fee_split_now(x, &s);
    if (e || (e = cairn_split_fee(amount, &s, &f)) ||
        (e = totals_get(x->w->txn, x->s, &t)) ||
        (e = econ_global_get(x->w->txn, x->s, &g)) ||
        (sector >= CAIRN_SECTOR_SLOTS &&
         (e = payee_sector(x, provider, &sector))))
        return e;
    if (!provider) { /* nobody to pay: the provider part joins the stakers' */
        f.stakers += f.provider;
        f.provider = 0;
    }
    book_fee(&t, &g, &f, amount);
    book_sector(&g, sector, &f, amount);
    g.volume_epoch += amount; /* a payment is token volume; ≤ supply */
    if ((f.provider && (e = econ_credit(x, provider, f.provider))) ||
        (e = totals_put(x->w, x->s, &t)))
        return e;
    return econ_global_put(x, &g);
}

cairn_err econ_pay_fee(exec_ctx *x, uint64_t amount,
                       const cairn_pubkey *provider)
{
    return pay_fee(x, amount, provider, CAIRN_SECTOR_SLOTS);
}

cairn_err econ_pay_fee_sector(exec_ctx *x, uint64_t amount, unsigned sector)
{
    if (sector >= CAIRN_SECTOR_SLOTS)
        return CAIRN_ERR_BAD_ARG;
    return pay_fee(x, amount, NULL, sector);
}

/* ---- settlement ---- */

/* What one settlement is working with. */
typedef struct settle_ctx {
    exec_ctx *x;
    econ_global *g;
    cairn_totals *t;
    econ_epoch_stats *st;
    uint64_t share[CAIRN_SECTOR_SLOTS]; /* emission per sector */
    uint64_t work[CAIRN_SECTOR_SLOTS];
    uint64_t paid[CAIRN_SECTOR_SLOTS];
    uint64_t stake_pool; /* the stakers' fee share, paid by bonded stake */
    u128 bonded;         /* Σ bonded stake of the providers that earn it */
    uint64_t stake_paid;
} settle_ctx;

/* A provider earns this epoch (work or stake) while active, not jailed. */
static int earns(const econ_provider *p, uint64_t epoch)
{
    return (p->flags & PROV_ACTIVE) && !econ_is_jailed(p, epoch);
}

/* Its bonded stake: own stake plus what is delegated to it. */
static u128 bonded_of(const econ_provider *p)
{
    return (u128)p->self_stake + p->del_tokens;
}

#define SETTLE_CHUNK 512 /* provider records read before they are written */

/* A provider that reported work this epoch, copied out of LMDB. */
typedef struct work_entry {
    cairn_pubkey pk;
    econ_provider p;
} work_entry;

/* Adds one provider record's work in the settling epoch to its sector's
 * total. */
static cairn_err visit_work_sum(void *arg, const uint8_t *kp, size_t klen,
                                const uint8_t *vp, size_t vlen)
{
    settle_ctx *c = arg;
    econ_provider p;
    (void)kp;
    if (klen != 33 || econ_provider_decode(&p, vp, vlen) ||
        p.sector >= CAIRN_SECTOR_SLOTS)
        return CAIRN_ERR_DB;
    if (earns(&p, c->g->epoch)) {
        c->st->staked_providers[p.sector]++;
        c->bonded += bonded_of(&p); /* < 2^64 · providers: no overflow */
    }
    if (!econ_work_in(&p, c->g->epoch))
        return CAIRN_OK;
    return cairn_add(&c->work[p.sector], c->work[p.sector], p.work_units)
               ? CAIRN_ERR_OVERFLOW
               : CAIRN_OK;
}

/* Copies into out[] up to SETTLE_CHUNK providers with work in the settling
 * epoch or bonded stake that earns the stakers' pool, from the provider records
 * after key[0..*klen) in key order (the first of all when key is the bare tag);
 * key is left at the last record looked at. *n < SETTLE_CHUNK when the records
 * are exhausted. */
static cairn_err read_chunk(settle_ctx *c, uint8_t key[33], size_t *klen,
                            work_entry *out, size_t *n)
{
    MDB_cursor *cur;
    MDB_val k = {*klen, key}, v;
    cairn_err e = CAIRN_OK;
    *n = 0;
    if (mdb_cursor_open(c->x->w->txn, c->x->s->state, &cur))
        return CAIRN_ERR_DB;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    if (rc == 0 && *klen == 33 && k.mv_size == 33 &&
        memcmp(k.mv_data, key, 33) == 0)
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT); /* done last time */
    for (; rc == 0 && *n < SETTLE_CHUNK;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        const uint8_t *kp = k.mv_data;
        work_entry *w = &out[*n];
        if (k.mv_size == 0 || kp[0] != STATE_PROVIDER)
            break;
        if (k.mv_size != 33) {
            e = CAIRN_ERR_DB;
            break;
        }
        if ((e = econ_provider_decode(&w->p, v.mv_data, v.mv_size)))
            break;
        memcpy(key, kp, 33);
        *klen = 33;
        if (!econ_work_in(&w->p, c->g->epoch) &&
            !(c->stake_pool && earns(&w->p, c->g->epoch) && bonded_of(&w->p)))
            continue;
        if (w->p.sector >= CAIRN_SECTOR_SLOTS) {
            e = CAIRN_ERR_DB;
            break;
        }
        memcpy(w->pk.b, kp + 1, 32);
        (*n)++;
    }
    if (!e && rc != 0 && rc != MDB_NOTFOUND)
        e = CAIRN_ERR_DB;
    mdb_cursor_close(cur);
    return e;
}

/* Splits reward between a provider and its delegators: the provider's
 * part joins its reward, the delegators' part its pool and accumulator. */
static cairn_err reward_provider(econ_provider *p, uint64_t reward,
                                 uint64_t *own_out, uint64_t *dels_out)
{
    uint64_t own, dels;
    cairn_err e = cairn_split_reward(reward, p->commission_bps, p->self_stake,
                                     p->del_tokens, &own, &dels);
    if (e)
        return e;
    if (dels && !p->del_shares) { /* cannot happen: tokens imply shares */
        own += dels;
        dels = 0;
    }
    if (cairn_add(&p->reward, p->reward, own) ||
        cairn_add(&p->pool, p->pool, dels))
        return CAIRN_ERR_OVERFLOW;
    if (dels)
        p->rps += ((u128)dels << 64) / p->del_shares;
    *own_out = own;
    *dels_out = dels;
    return CAIRN_OK;
}

/* The stakers' pool share of a provider: floor(pool × bonded / Σ bonded). */
static uint64_t stake_share(const settle_ctx *c, const econ_provider *p)
{
    if (!c->stake_pool || !c->bonded)
        return 0;
    /* pool < 2^64 and bonded ≤ Σ bonded: the quotient fits in 64 bits;
     * the product needs 128 bits only when Σ bonded < 2^64 */
    u128 b = bonded_of(p);
    if (c->bonded >> 64) { /* scale both down to keep the product in 128 */
        b >>= 32;
        return (uint64_t)((u128)c->stake_pool * b / (c->bonded >> 32));
    }
    return (uint64_t)((u128)c->stake_pool * b / c->bonded);
}

/* Pays one provider, if it is active and not jailed (else nothing: the
 * unpaid part reaches the treasury as remainder): for its work,
 * floor(sector share × units / sector work), and for its bonded stake, its
 * stake_share of the stakers' pool. Its units need no clearing: they
 * belong to this epoch, and count in no other. */
static cairn_err settle_one(settle_ctx *c, work_entry *w)
{
    econ_provider *p = &w->p;
    uint64_t r = 0, s = p->sector;
    int worked = econ_work_in(p, c->g->epoch);
    if (!earns(p, c->g->epoch))
        return CAIRN_OK;
    cairn_err e = worked && c->work[s]
                      ? cairn_muldiv(&r, c->share[s], p->work_units, c->work[s])
                      : CAIRN_OK; /* no work, or only zero-unit reports */
    uint64_t st = stake_share(c, p);
    cairn_reward rec = {.sector = (uint8_t)s,
                        .work_units = worked ? p->work_units : 0,
                        .sector_work = c->work[s],
                        .reward = r + st,
                        .stake_reward = st};
    c->paid[s] += r;
    c->stake_paid += st; /* Σ ≤ pool */
    r += st;             /* both ≤ supply */
    if (e ||
        (e = reward_provider(p, r, &rec.provider_part, &rec.delegators_part)) ||
        (e = econ_provider_put(c->x, &w->pk, p)) ||
        (e = econ_reward_note(c->x, c->g->epoch, &w->pk, &rec)))
        return e;
    if (worked)
        c->st->active_providers[s]++;
    return CAIRN_OK;
}

/* Pays every provider with work in the epoch, in key order, a chunk of
 * records read at a time and then written. */
static cairn_err pay_work(settle_ctx *c)
{
    uint8_t key[33] = {STATE_PROVIDER};
    size_t klen = 1, n = 0;
    work_entry *w = malloc(SETTLE_CHUNK * sizeof *w);
    cairn_err e = w ? CAIRN_OK : CAIRN_ERR_NOMEM;
    while (!e) {
        e = read_chunk(c, key, &klen, w, &n);
        for (size_t i = 0; !e && i < n; i++)
            e = settle_one(c, &w[i]);
        if (n < SETTLE_CHUNK)
            break;
    }
    free(w);
    return e;
}

/* Mints the epoch's emission (never past the cap) and splits it across
 * sectors by weight; the stakers' fee share is set aside, to be paid by
 * bonded stake. */
static cairn_err emit(settle_ctx *c, const econ_params *P, uint64_t cap)
{
    cairn_emission em = {P->v[P_EMISSION_INITIAL], P->v[P_HALVING_EPOCHS],
                         (uint32_t)P->v[P_DECAY_BPS]};
    uint64_t w[CAIRN_SECTOR_SLOTS], dust;
    for (int i = 0; i < CAIRN_SECTOR_SLOTS; i++)
        w[i] = P->v[P_WEIGHT_STORAGE + i];
    uint64_t minted = cairn_emission_for(&em, c->g->epoch, c->t->supply, cap);
    c->t->supply += minted;
    c->t->minted += minted;
    c->st->emitted = minted;
    cairn_err e = cairn_prorata(minted, w, CAIRN_SECTOR_SLOTS,
                                c->st->emitted_sector, &dust);
    if (e)
        return e;
    c->stake_pool = c->st->stakers_pool = c->g->stakers_pool;
    c->g->stakers_pool = 0;
    c->t->treasury += dust; /* weight rounding dust */
    for (int i = 0; i < CAIRN_SECTOR_SLOTS; i++)
        c->share[i] = c->st->emitted_sector[i];
    return CAIRN_OK;
}

/* Lets each sector with a pay_emission hook pay part of its share itself,
 * in registry order; the share left is paid by work. */
static cairn_err sectors_pay_emission(settle_ctx *c)
{
    const econ_registry *reg = econ_registry_of(c->x);
    cairn_err e = CAIRN_OK;
    for (size_t i = 0; !e && i < reg->n; i++) {
        const econ_sector *sec = reg->sectors[i];
        uint64_t paid = 0;
        if (!sec->pay_emission || sec->id >= CAIRN_SECTOR_SLOTS)
            continue;
        e = sec->pay_emission(c->x, c->g->epoch, c->share[sec->id], &paid);
        if (!e && paid > c->share[sec->id])
            e = CAIRN_ERR_DB; /* a sector bug: it paid more than it had */
        if (!e)
            c->share[sec->id] -= paid;
    }
    return e;
}

/* Settles the epoch g->epoch, whose last block is x->height. */
static cairn_err settle_epoch(exec_ctx *x, econ_global *g, cairn_totals *t,
                              const econ_params *P, econ_epoch_stats *st)
{
    settle_ctx c = {.x = x, .g = g, .t = t, .st = st};
    cairn_err e = econ_release_unbonding(x, g);
    if (!e)
        e = emit(&c, P, x->p->supply_cap);
    if (!e)
        e = sectors_pay_emission(&c);
    if (!e) /* the sector totals first: each payment divides by them */
        e = state_scan(x->w->txn, x->s, STATE_PROVIDER, visit_work_sum, &c);
    if (!e)
        e = pay_work(&c);
    for (int i = 0; !e && i < CAIRN_SECTOR_SLOTS; i++) {
        st->work_units[i] = c.work[i];
        t->treasury += c.share[i] - c.paid[i]; /* no work, jailed, dust */
    }
    if (!e) /* no bonded stake that earns, and rounding dust */
        t->treasury += c.stake_pool - c.stake_paid;
    return e;
}

/* Average circulating supply over the epoch's blocks. */
static uint64_t avg_circ(const econ_global *g, uint64_t blocks)
{
    return blocks ? (uint64_t)(g->circ_sum / blocks) : 0;
}

/* Fills the epoch record's totals and writes it under tag 0x40. */
static cairn_err write_stats(exec_ctx *x, const econ_global *g,
                             const cairn_totals *t, econ_epoch_stats *st)
{
    uint8_t k[8], v[ECON_STATS_LEN];
    st->epoch = g->epoch;
    st->start_height = g->start_height;
    st->end_height = x->height;
    st->fees_paid = g->fees_epoch;
    st->burned = g->burned_epoch;
    st->supply_end = t->supply;
    st->treasury_end = t->treasury;
    st->staked_end = g->staked;
    st->unbonding_end = g->unbonding;
    st->transfer_volume = g->volume_epoch;
    st->avg_circulating = avg_circ(g, x->height - g->start_height + 1);
    st->credits_bought = g->credits_epoch;
    st->held_end = g->held;
    memcpy(st->revenue_sector, g->fees_sector, sizeof st->revenue_sector);
    memcpy(st->burned_sector, g->burned_sector, sizeof st->burned_sector);
    st->fees_providers = g->fee_provider_epoch;
    st->fees_burned = g->fee_burn_epoch;
    st->fees_treasury = g->fee_treasury_epoch;
    st->fees_stakers = g->fee_stakers_epoch;
    cairn_be64_put(k, g->epoch);
    econ_stats_encode(v, st);
    return state_put(x->w, x->s, STATE_EPOCH, k, 8, v, sizeof v);
}

/* Starts the next epoch after the current block. */
static void next_epoch(econ_global *g, uint64_t height)
{
    g->epoch++;
    g->start_height = height + 1;
    g->fees_epoch = g->burned_epoch = g->volume_epoch = g->credits_epoch = 0;
    g->circ_sum = 0;
    memset(g->fees_sector, 0, sizeof g->fees_sector);
    memset(g->burned_sector, 0, sizeof g->burned_sector);
    g->fee_provider_epoch = g->fee_burn_epoch = 0;
    g->fee_treasury_epoch = g->fee_stakers_epoch = 0;
}

/* Splits the block's base fees; the provider share of base fees (there
 * is no provider to pay) joins the stakers' pool. */
static cairn_err block_fees(exec_ctx *x, econ_global *g, cairn_totals *t,
                            uint64_t fees)
{
    cairn_fee_split s;
    cairn_fee_parts f;
    cairn_err e = fee_split_now(x, &s);
    if (e || (e = cairn_split_fee(fees, &s, &f)))
        return e;
    f.stakers += f.provider;
    f.provider = 0;
    book_fee(t, g, &f, fees);
    return CAIRN_OK;
}

/* Adds this block's circulating supply to the epoch's running sum. */
static void note_circulating(econ_global *g, const cairn_totals *t)
{
    uint64_t held = t->treasury + g->staked + g->unbonding + g->held;
    g->circ_sum += t->supply > held ? t->supply - held : 0;
}

/* Runs every sector's end-of-block hook, then, at an epoch's last block,
 * every sector's end-of-epoch hook, in registry (id) order. */
static cairn_err sectors_end_block(exec_ctx *x)
{
    const econ_registry *reg = econ_registry_of(x);
    econ_global g;
    uint64_t blocks;
    cairn_err e = CAIRN_OK;
    for (size_t i = 0; !e && i < reg->n; i++)
        if (reg->sectors[i]->end_block)
            e = reg->sectors[i]->end_block(x);
    if (e || (e = econ_global_get(x->w->txn, x->s, &g)) ||
        (e = econ_param_get(x, P_EPOCH_BLOCKS, &blocks)))
        return e;
    if (x->height + 1 - g.start_height < blocks)
        return CAIRN_OK;
    for (size_t i = 0; !e && i < reg->n; i++)
        if (reg->sectors[i]->end_epoch)
            e = reg->sectors[i]->end_epoch(x, g.epoch);
    return e;
}

cairn_err econ_end_block(exec_ctx *x, uint64_t fees, uint64_t transfer_volume)
{
    cairn_totals t;
    econ_global g;
    econ_params P;
    cairn_err e =
        econ_test_hook ? econ_test_hook(x, econ_test_hook_arg) : CAIRN_OK;
    if (!e)
        e = gov_end_block(x); /* proposals whose vote ended take effect first */
    if (!e) /* at an epoch's last block: the sectors' payments and faults,
             * so that their work counts in this epoch's settlement */
        e = sectors_end_block(x);
    if (e || (e = econ_params_load(x, &P)) ||
        (e = totals_get(x->w->txn, x->s, &t)) ||
        (e = econ_global_get(x->w->txn, x->s, &g)) ||
        (e = block_fees(x, &g, &t, fees)))
        return e;
    g.volume_epoch += transfer_volume; /* bounded: volume ≤ supply per block */
    note_circulating(&g, &t);
    if (x->height + 1 - g.start_height >= P.v[P_EPOCH_BLOCKS]) {
        econ_epoch_stats st;
        memset(&st, 0, sizeof st);
        if ((e = settle_epoch(x, &g, &t, &P, &st)) ||
            (e = write_stats(x, &g, &t, &st)))
            return e;
        next_epoch(&g, x->height);
    }
    if ((e = totals_put(x->w, x->s, &t)))
        return e;
    return econ_global_put(x, &g);
}

cairn_err econ_genesis(exec_ctx *x, const char *economy_json, char *msg,
                       size_t len)
{
    cairn_totals t;
    econ_global g;
    cairn_err e = econ_params_genesis(x, economy_json, msg, len);
    if (e || (e = totals_get(x->w->txn, x->s, &t)))
        return e;
    memset(&g, 0, sizeof g);
    g.start_height = 1;
    g.genesis_supply = t.supply;
    if ((e = econ_global_put(x, &g)))
        return e;
    return econ_seq_genesis(x);
}
