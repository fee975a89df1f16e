/* Providers, delegations, unbonding queue, slashing and jailing, work
 * reports, bonded-stake queries, and the state audit. */
#include "econ/gov.h"
#include "econ/staking.h"

#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "core/bytes.h"
#include "econ/stats.h"
#include "ledger/view.h"
#include "econ/sector.h"

econ_hook_fn econ_test_hook;
void *econ_test_hook_arg;

void econ_set_test_hook(econ_hook_fn fn, void *arg)
{
    econ_test_hook = fn;
    econ_test_hook_arg = arg;
}

/* ---- econ global ---- */

/* Lengths: version 1 without held, version 2 without the per-sector
 * counters, version 3 without the fees by destination. */
#define GLOBAL_LEN_V1 (8 * 13)
#define GLOBAL_LEN_V2 (8 * 14)
#define GLOBAL_LEN_V3 (GLOBAL_LEN_V2 + 16 * CAIRN_SECTOR_SLOTS)
#define GLOBAL_LEN (GLOBAL_LEN_V3 + 8 * 4)

cairn_err econ_global_get(MDB_txn *txn, const store *s, econ_global *g)
{
    MDB_val v;
    memset(g, 0, sizeof *g);
    cairn_err e = state_get(txn, s, STATE_ECON, "econ", 4, &v);
    if (e)
        return e == CAIRN_ERR_NOT_FOUND ? CAIRN_OK : e;
    if (v.mv_size != GLOBAL_LEN && v.mv_size != GLOBAL_LEN_V3 &&
        v.mv_size != GLOBAL_LEN_V2 && v.mv_size != GLOBAL_LEN_V1)
        return CAIRN_ERR_DB;
    const uint8_t *p = v.mv_data;
    uint64_t *f[] = {&g->epoch,        &g->start_height, &g->genesis_supply,
                     &g->staked,       &g->unbonding,    &g->unbond_seq,
                     &g->stakers_pool, &g->fees_epoch,   &g->burned_epoch,
                     &g->volume_epoch, &g->credits_epoch};
    for (size_t i = 0; i < 11; i++)
        *f[i] = cairn_le64_get(p + 8 * i);
    g->circ_sum = (u128)cairn_le64_get(p + 96) << 64 | cairn_le64_get(p + 88);
    g->held = v.mv_size >= GLOBAL_LEN_V2 ? cairn_le64_get(p + 104) : 0;
    for (int i = 0; v.mv_size >= GLOBAL_LEN_V3 && i < CAIRN_SECTOR_SLOTS; i++) {
        g->fees_sector[i] = cairn_le64_get(p + GLOBAL_LEN_V2 + 8 * i);
        g->burned_sector[i] =
            cairn_le64_get(p + GLOBAL_LEN_V2 + 8 * (CAIRN_SECTOR_SLOTS + i));
    }
    if (v.mv_size == GLOBAL_LEN) {
        g->fee_provider_epoch = cairn_le64_get(p + GLOBAL_LEN_V3);
        g->fee_burn_epoch = cairn_le64_get(p + GLOBAL_LEN_V3 + 8);
        g->fee_treasury_epoch = cairn_le64_get(p + GLOBAL_LEN_V3 + 16);
        g->fee_stakers_epoch = cairn_le64_get(p + GLOBAL_LEN_V3 + 24);
    }
    return CAIRN_OK;
}

cairn_err econ_global_put(exec_ctx *x, const econ_global *g)
{
    uint8_t p[GLOBAL_LEN];
    const uint64_t f[] = {g->epoch,        g->start_height, g->genesis_supply,
                          g->staked,       g->unbonding,    g->unbond_seq,
                          g->stakers_pool, g->fees_epoch,   g->burned_epoch,
                          g->volume_epoch, g->credits_epoch};
    for (size_t i = 0; i < 11; i++)
        cairn_le64_put(p + 8 * i, f[i]);
    cairn_le64_put(p + 88, (uint64_t)g->circ_sum);
    cairn_le64_put(p + 96, (uint64_t)(g->circ_sum >> 64));
    cairn_le64_put(p + 104, g->held);
    for (int i = 0; i < CAIRN_SECTOR_SLOTS; i++) {
        cairn_le64_put(p + GLOBAL_LEN_V2 + 8 * i, g->fees_sector[i]);
        cairn_le64_put(p + GLOBAL_LEN_V2 + 8 * (CAIRN_SECTOR_SLOTS + i),
                       g->burned_sector[i]);
    }
    cairn_le64_put(p + GLOBAL_LEN_V3, g->fee_provider_epoch);
    cairn_le64_put(p + GLOBAL_LEN_V3 + 8, g->fee_burn_epoch);
    cairn_le64_put(p + GLOBAL_LEN_V3 + 16, g->fee_treasury_epoch);
    cairn_le64_put(p + GLOBAL_LEN_V3 + 24, g->fee_stakers_epoch);
    return state_put(x->w, x->s, STATE_ECON, "econ", 4, p, GLOBAL_LEN);
}

/* ---- provider record ----
 * u8 version 2 ‖ u8 sector ‖ u8 flags ‖ u8 endpoint length ‖
 * u32 commission ‖ u32 faults ‖ u64 self, del_tokens, del_shares, rps lo,
 * rps hi, pool, reward, jailed_until, registered_height, work_epoch,
 * work_units ‖ endpoint */

#define PROVIDER_VERSION 2
#define PROVIDER_U64S 11

static size_t provider_encode(uint8_t *b, const econ_provider *p)
{
    const uint64_t f[PROVIDER_U64S] = {p->self_stake,
                                       p->del_tokens,
                                       p->del_shares,
                                       (uint64_t)p->rps,
                                       (uint64_t)(p->rps >> 64),
                                       p->pool,
                                       p->reward,
                                       p->jailed_until,
                                       p->registered_height,
                                       p->work_epoch,
                                       p->work_units};
    b[0] = PROVIDER_VERSION;
    b[1] = p->sector;
    b[2] = p->flags;
    b[3] = p->endpoint_len;
    cairn_le32_put(b + 4, p->commission_bps);
    cairn_le32_put(b + 8, p->faults);
    for (size_t i = 0; i < PROVIDER_U64S; i++)
        cairn_le64_put(b + 12 + 8 * i, f[i]);
    memcpy(b + PROVIDER_FIXED_LEN, p->endpoint, p->endpoint_len);
    return PROVIDER_FIXED_LEN + (size_t)p->endpoint_len;
}

/* Whether b[0..n) is framed as a provider record. */
static int provider_framed(const uint8_t *b, size_t n)
{
    return n >= PROVIDER_FIXED_LEN && b[0] == PROVIDER_VERSION &&
           b[3] <= CAIRN_ENDPOINT_MAX && n == PROVIDER_FIXED_LEN + (size_t)b[3];
}

cairn_err econ_provider_decode(econ_provider *p, const uint8_t *b, size_t n)
{
    if (!provider_framed(b, n))
        return CAIRN_ERR_DB;
    uint64_t *f[PROVIDER_U64S] = {&p->self_stake,
                                  &p->del_tokens,
                                  &p->del_shares,
                                  NULL,
                                  NULL,
                                  &p->pool,
                                  &p->reward,
                                  &p->jailed_until,
                                  &p->registered_height,
                                  &p->work_epoch,
                                  &p->work_units};
    p->sector = b[1];
    p->flags = b[2];
    p->endpoint_len = b[3];
    p->commission_bps = cairn_le32_get(b + 4);
    p->faults = cairn_le32_get(b + 8);
    for (size_t i = 0; i < PROVIDER_U64S; i++)
        if (f[i])
            *f[i] = cairn_le64_get(b + 12 + 8 * i);
    p->rps = (u128)cairn_le64_get(b + 44) << 64 | cairn_le64_get(b + 36);
    memcpy(p->endpoint, b + PROVIDER_FIXED_LEN, p->endpoint_len);
    return CAIRN_OK;
}

cairn_err econ_provider_work(const uint8_t *b, size_t n, uint8_t *sector,
                             uint64_t *work_epoch, uint64_t *work_units)
{
    if (!provider_framed(b, n))
        return CAIRN_ERR_DB;
    *sector = b[1];
    *work_epoch = cairn_le64_get(b + 12 + 8 * 9);
    *work_units = cairn_le64_get(b + 12 + 8 * 10);
    return CAIRN_OK;
}

cairn_err econ_provider_read(MDB_txn *txn, const store *s,
                             const cairn_pubkey *pk, econ_provider *p)
{
    MDB_val v;
    cairn_err e = state_get(txn, s, STATE_PROVIDER, pk->b, 32, &v);
    if (e)
        return e == CAIRN_ERR_NOT_FOUND ? CAIRN_ERR_NOT_PROVIDER : e;
    return econ_provider_decode(p, v.mv_data, v.mv_size);
}

cairn_err econ_provider_put(exec_ctx *x, const cairn_pubkey *pk,
                            const econ_provider *p)
{
    uint8_t b[PROVIDER_MAX_LEN];
    size_t n = provider_encode(b, p);
    return state_put(x->w, x->s, STATE_PROVIDER, pk->b, 32, b, n);
}

/* ---- delegation record: u64 shares ‖ u64 rps lo ‖ u64 rps hi ---- */

static void deleg_key(uint8_t k[64], const cairn_pubkey *who,
                      const cairn_pubkey *prov)
{
    memcpy(k, who->b, 32);
    memcpy(k + 32, prov->b, 32);
}

cairn_err econ_deleg_read(MDB_txn *txn, const store *s, const cairn_pubkey *who,
                          const cairn_pubkey *prov, econ_deleg *d)
{
    uint8_t k[64];
    MDB_val v;
    deleg_key(k, who, prov);
    cairn_err e = state_get(txn, s, STATE_DELEG, k, 64, &v);
    if (e)
        return e == CAIRN_ERR_NOT_FOUND ? CAIRN_ERR_NOT_DELEGATED : e;
    if (v.mv_size != 24)
        return CAIRN_ERR_DB;
    const uint8_t *b = v.mv_data;
    d->shares = cairn_le64_get(b);
    d->entry_rps = (u128)cairn_le64_get(b + 16) << 64 | cairn_le64_get(b + 8);
    return CAIRN_OK;
}

cairn_err econ_deleg_put(exec_ctx *x, const cairn_pubkey *who,
                         const cairn_pubkey *prov, const econ_deleg *d)
{
    uint8_t k[64], b[24];
    deleg_key(k, who, prov);
    if (d->shares == 0) {
        uint8_t sk[65] = {STATE_DELEG};
        memcpy(sk + 1, k, 64);
        return econ_state_del(x, sk, 65);
    }
    cairn_le64_put(b, d->shares);
    cairn_le64_put(b + 8, (uint64_t)d->entry_rps);
    cairn_le64_put(b + 16, (uint64_t)(d->entry_rps >> 64));
    return state_put(x->w, x->s, STATE_DELEG, k, 64, b, 24);
}

/* Deletes a state entry (full key); the ledger tracks it for the
 * commitment. Absent: OK. */
cairn_err econ_state_del(exec_ctx *x, const uint8_t *skey, size_t n)
{
    return state_del_raw(x->w, x->s, skey, n);
}

/* ---- arithmetic on shares and the accumulator ---- */

int econ_is_jailed(const econ_provider *p, uint64_t epoch)
{
    return epoch < p->jailed_until;
}

int econ_work_in(const econ_provider *p, uint64_t epoch)
{
    return p->work_epoch == epoch + 1;
}

uint64_t econ_deleg_owed(const econ_provider *p, const econ_deleg *d)
{
    u128 diff = p->rps - d->entry_rps; /* wraps like the accumulator */
    u128 hi = (diff >> 64) * d->shares;
    u128 lo = ((diff & UINT64_MAX) * d->shares) >> 64;
    u128 owed = hi + lo;
    return owed > p->pool ? p->pool : (uint64_t)owed; /* pool bounds it */
}

uint64_t econ_shares_value(const econ_provider *p, uint64_t shares)
{
    if (!p->del_shares)
        return 0;
    return (uint64_t)((u128)shares * p->del_tokens / p->del_shares);
}

/* ---- balances and the unbonding queue ---- */

cairn_err econ_debit(exec_ctx *x, const cairn_pubkey *who, uint64_t amount)
{
    cairn_account a;
    cairn_err e = account_get(x->w->txn, x->s, who, &a);
    if (e)
        return e;
    if (a.balance < amount)
        return CAIRN_ERR_FUNDS;
    if (cairn_account_spendable(&a, x->height) < amount)
        return CAIRN_ERR_LOCKED;
    a.balance -= amount;
    return account_put(x->w, x->s, who, &a);
}

cairn_err econ_credit(exec_ctx *x, const cairn_pubkey *who, uint64_t amount)
{
    cairn_account a;
    cairn_err e = account_get(x->w->txn, x->s, who, &a);
    if (e)
        return e;
    if (cairn_add(&a.balance, a.balance, amount))
        return CAIRN_ERR_OVERFLOW;
    return account_put(x->w, x->s, who, &a);
}

/* Moves g.held by +amount (add) or -amount. */
static cairn_err held_move(exec_ctx *x, uint64_t amount, int add)
{
    econ_global g;
    cairn_err e = econ_global_get(x->w->txn, x->s, &g);
    if (e)
        return e;
    if (add ? cairn_add(&g.held, g.held, amount)
            : cairn_sub(&g.held, g.held, amount))
        return CAIRN_ERR_DB; /* the books would not balance: a sector bug */
    return econ_global_put(x, &g);
}

cairn_err econ_hold(exec_ctx *x, const cairn_pubkey *from, uint64_t amount)
{
    cairn_err e = econ_debit(x, from, amount);
    return e || !amount ? e : held_move(x, amount, 1);
}

cairn_err econ_unhold(exec_ctx *x, const cairn_pubkey *to, uint64_t amount)
{
    cairn_err e = to && amount ? econ_credit(x, to, amount) : CAIRN_OK;
    return e || !amount ? e : held_move(x, amount, 0);
}

cairn_err econ_queue_unbond(exec_ctx *x, econ_global *g,
                            const cairn_pubkey *owner,
                            const cairn_pubkey *provider, uint64_t amount)
{
    uint64_t epochs, release;
    uint8_t k[48], v[40], ik[48];
    cairn_err e = econ_param_get(x, P_UNBONDING_EPOCHS, &epochs);
    if (e)
        return e;
    if (cairn_add(&release, g->epoch, epochs) ||
        cairn_add(&g->unbonding, g->unbonding, amount))
        return CAIRN_ERR_OVERFLOW;
    cairn_be64_put(k, release);
    memcpy(k + 8, owner->b, 32);
    cairn_be64_put(k + 40, g->unbond_seq++);
    cairn_le64_put(v, amount);
    memcpy(v + 8, provider->b, 32);
    /* the index by provider, so that a slash reaches the queue */
    memcpy(ik, provider->b, 32);
    memcpy(ik + 32, k, 8);
    memcpy(ik + 40, k + 40, 8);
    if ((e = state_put(x->w, x->s, STATE_UNBOND, k, 48, v, 40)))
        return e;
    return state_put(x->w, x->s, STATE_UNBOND_BY, ik, 48, owner->b, 32);
}

/* One due queue entry, copied out of LMDB before the writes. */
typedef struct due_entry {
    uint8_t key[49];
    uint64_t amount;
    int has_provider; /* entries queued before the index have none */
    cairn_pubkey provider;
} due_entry;

/* Collects entries due by the end of `epoch`, in key order. *out is
 * malloc'd (caller frees). */
static cairn_err collect_due(exec_ctx *x, uint64_t epoch, due_entry **out,
                             size_t *n)
{
    MDB_cursor *cur;
    uint8_t start = STATE_UNBOND;
    MDB_val k = {1, &start}, v;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    if (mdb_cursor_open(x->w->txn, x->s->state, &cur))
        return CAIRN_ERR_DB;
    cairn_err e = CAIRN_OK;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    for (; !e && rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        const uint8_t *kp = k.mv_data;
        if (k.mv_size != 49 || kp[0] != STATE_UNBOND ||
            cairn_be64_get(kp + 1) > epoch)
            break;
        if (*n == cap) {
            due_entry *d =
                realloc(*out, (cap = cap ? cap * 2 : 16) * sizeof *d);
            if (!d) {
                e = CAIRN_ERR_NOMEM;
                break;
            }
            *out = d;
        }
        memcpy((*out)[*n].key, kp, 49);
        (*out)[*n].amount = v.mv_size >= 8 ? cairn_le64_get(v.mv_data) : 0;
        (*out)[*n].has_provider = v.mv_size == 40;
        if (v.mv_size == 40)
            memcpy((*out)[*n].provider.b, (const uint8_t *)v.mv_data + 8, 32);
        (*n)++;
    }
    mdb_cursor_close(cur);
    return e;
}

cairn_err econ_release_unbonding(exec_ctx *x, econ_global *g)
{
    due_entry *d;
    size_t n;
    cairn_err e = collect_due(x, g->epoch, &d, &n);
    for (size_t i = 0; !e && i < n; i++) {
        cairn_pubkey owner;
        memcpy(owner.b, d[i].key + 9, 32);
        if (cairn_sub(&g->unbonding, g->unbonding, d[i].amount))
            e = CAIRN_ERR_OVERFLOW;
        if (!e && !(e = econ_credit(x, &owner, d[i].amount)))
            e = econ_state_del(x, d[i].key, 49);
        if (!e && d[i].has_provider) {
            uint8_t ik[49] = {STATE_UNBOND_BY};
            memcpy(ik + 1, d[i].provider.b, 32);
            memcpy(ik + 33, d[i].key + 1, 8);
            memcpy(ik + 41, d[i].key + 41, 8);
            e = econ_state_del(x, ik, 49);
        }
    }
    free(d);
    return e;
}

/* ---- work, slashing, jailing, bonded stake ---- */

cairn_err econ_add_work(exec_ctx *x, const cairn_pubkey *provider,
                        uint64_t units)
{
    econ_provider p;
    econ_global g;
    cairn_err e = econ_provider_read(x->w->txn, x->s, provider, &p);
    if (e || (e = econ_global_get(x->w->txn, x->s, &g)))
        return e;
    if (econ_is_jailed(&p, g.epoch))
        return CAIRN_ERR_JAILED;
    if (!(p.flags & PROV_ACTIVE))
        return CAIRN_ERR_STAKE_LOW;
    uint64_t total = econ_work_in(&p, g.epoch) ? p.work_units : 0;
    if (cairn_add(&total, total, units))
        return CAIRN_ERR_OVERFLOW;
    p.work_epoch = g.epoch + 1; /* an epoch number, far below 2^64 - 1 */
    p.work_units = total;
    return econ_provider_put(x, provider, &p);
}

/* Sends amount of slashed stake to the treasury or burns it. */
static cairn_err dispose_slashed(exec_ctx *x, econ_global *g, uint64_t amount)
{
    cairn_totals t;
    uint64_t to_treasury;
    cairn_err e = econ_param_get(x, P_SLASH_TO_TREASURY, &to_treasury);
    if (e || (e = totals_get(x->w->txn, x->s, &t)))
        return e;
    if (to_treasury) {
        t.treasury += amount; /* bounded by the supply */
    } else {
        t.supply -= amount;
        t.burned += amount;
        g->burned_epoch += amount;
    }
    return totals_put(x->w, x->s, &t);
}

cairn_err econ_dispose_slashed(exec_ctx *x, uint64_t amount)
{
    econ_global g;
    cairn_err e = econ_global_get(x->w->txn, x->s, &g);
    if (e || (e = dispose_slashed(x, &g, amount)))
        return e;
    return econ_global_put(x, &g);
}

/* Counts a fault; jails at jail_after_faults for the rest of this epoch
 * plus jail_epochs more. */
static cairn_err count_fault(exec_ctx *x, const econ_global *g,
                             econ_provider *p)
{
    uint64_t after, epochs;
    cairn_err e = econ_param_get(x, P_JAIL_AFTER_FAULTS, &after);
    if (e || (e = econ_param_get(x, P_JAIL_EPOCHS, &epochs)))
        return e;
    if (++p->faults >= after) {
        p->jailed_until = g->epoch + 1 + epochs;
        p->faults = 0;
    }
    return CAIRN_OK;
}

/* One queue entry of a provider's, copied out before the writes. */
typedef struct queued {
    uint8_t key[49]; /* STATE_UNBOND ‖ release ‖ owner ‖ seq */
} queued;

/* Collects the unbonding entries that came from `provider`, in key order
 * of its index. *out is malloc'd (caller frees). */
static cairn_err collect_queued(exec_ctx *x, const cairn_pubkey *provider,
                                queued **out, size_t *n)
{
    uint8_t start[33] = {STATE_UNBOND_BY};
    MDB_val k = {33, start}, v;
    MDB_cursor *cur;
    size_t cap = 0;
    cairn_err e = CAIRN_OK;
    memcpy(start + 1, provider->b, 32);
    *out = NULL;
    *n = 0;
    if (mdb_cursor_open(x->w->txn, x->s->state, &cur))
        return CAIRN_ERR_DB;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    for (; !e && rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        const uint8_t *kp = k.mv_data;
        if (k.mv_size != 49 || memcmp(kp, start, 33) != 0)
            break;
        if (v.mv_size != 32) {
            e = CAIRN_ERR_DB;
            break;
        }
        if (*n == cap) {
            queued *q = realloc(*out, (cap = cap ? cap * 2 : 16) * sizeof *q);
            if (!q) {
                e = CAIRN_ERR_NOMEM;
                break;
            }
            *out = q;
        }
        uint8_t *ek = (*out)[(*n)++].key;
        ek[0] = STATE_UNBOND;
        memcpy(ek + 1, kp + 33, 8);    /* release */
        memcpy(ek + 9, v.mv_data, 32); /* owner */
        memcpy(ek + 41, kp + 41, 8);   /* seq */
    }
    mdb_cursor_close(cur);
    return e;
}

/* Slashes bps of every unbonding entry that came from `provider` and is
 * not yet released (as Cosmos slashes unbonding delegations): unbonding
 * right after a fault does not escape the slash. *cut receives the sum. */
static cairn_err slash_queue(exec_ctx *x, econ_global *g,
                             const cairn_pubkey *provider, uint32_t bps,
                             uint64_t *cut)
{
    queued *q;
    size_t n;
    cairn_err e = collect_queued(x, provider, &q, &n);
    for (size_t i = 0; !e && i < n; i++) {
        MDB_val v;
        uint8_t nv[40];
        if ((e = state_get(x->w->txn, x->s, STATE_UNBOND, q[i].key + 1, 48,
                           &v)))
            break;
        if (v.mv_size != 40) {
            e = CAIRN_ERR_DB;
            break;
        }
        memcpy(nv, v.mv_data, 40);
        uint64_t amount = cairn_le64_get(nv);
        uint64_t c = (uint64_t)((u128)amount * bps / CAIRN_BPS);
        cairn_le64_put(nv, amount - c);
        g->unbonding -= c; /* c <= amount, counted in unbonding */
        *cut += c;         /* bounded by the supply */
        if (c)
            e = state_put(x->w, x->s, STATE_UNBOND, q[i].key + 1, 48, nv, 40);
    }
    free(q);
    return e;
}

cairn_err econ_slash(exec_ctx *x, const cairn_pubkey *provider, uint32_t bps,
                     const char *reason)
{
    econ_provider p;
    econ_global g;
    uint64_t min;
    (void)reason; /* the fault's kind is the sector's business */
    if (bps > CAIRN_BPS)
        return CAIRN_ERR_BAD_ARG;
    cairn_err e = econ_provider_read(x->w->txn, x->s, provider, &p);
    if (e || (e = econ_global_get(x->w->txn, x->s, &g)) ||
        (e = econ_param_get(x, P_MIN_PROVIDER_STAKE, &min)))
        return e;
    uint64_t cut_self = (uint64_t)((u128)p.self_stake * bps / CAIRN_BPS);
    uint64_t cut_del = (uint64_t)((u128)p.del_tokens * bps / CAIRN_BPS);
    uint64_t cut_queue = 0;
    p.self_stake -= cut_self;
    p.del_tokens -= cut_del;
    g.staked -= cut_self + cut_del;
    if (p.self_stake < min)
        p.flags &= (uint8_t)~PROV_ACTIVE;
    if ((e = slash_queue(x, &g, provider, bps, &cut_queue)) ||
        (e = count_fault(x, &g, &p)) ||
        (e = dispose_slashed(x, &g, cut_self + cut_del + cut_queue)) ||
        (e = econ_provider_put(x, provider, &p)))
        return e;
    return econ_global_put(x, &g);
}

cairn_err econ_jail(exec_ctx *x, const cairn_pubkey *provider)
{
    econ_provider p;
    econ_global g;
    uint64_t epochs, until;
    cairn_err e = econ_provider_read(x->w->txn, x->s, provider, &p);
    if (e || (e = econ_global_get(x->w->txn, x->s, &g)) ||
        (e = econ_param_get(x, P_JAIL_EPOCHS, &epochs)))
        return e;
    if (cairn_add(&until, g.epoch + 1, epochs))
        until = UINT64_MAX;
    if (until > p.jailed_until)
        p.jailed_until = until;
    return econ_provider_put(x, provider, &p);
}

cairn_err econ_bonded_of(exec_ctx *x, const cairn_pubkey *who, uint64_t *stake)
{
    econ_provider p;
    MDB_cursor *cur;
    uint8_t start[33] = {STATE_DELEG};
    MDB_val k = {33, start}, v;
    *stake = 0;
    cairn_err e = econ_provider_read(x->w->txn, x->s, who, &p);
    if (e == CAIRN_OK)
        *stake = p.self_stake;
    else if (e != CAIRN_ERR_NOT_PROVIDER)
        return e;
    memcpy(start + 1, who->b, 32);
    if (mdb_cursor_open(x->w->txn, x->s->state, &cur))
        return CAIRN_ERR_DB;
    e = CAIRN_OK;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    for (; !e && rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size != 65 || memcmp(k.mv_data, start, 33) != 0)
            break;
        cairn_pubkey prov;
        econ_deleg d;
        memcpy(prov.b, (const uint8_t *)k.mv_data + 33, 32);
        if (!(e = econ_deleg_read(x->w->txn, x->s, who, &prov, &d)) &&
            !(e = econ_provider_read(x->w->txn, x->s, &prov, &p)))
            *stake += econ_shares_value(&p, d.shares);
    }
    mdb_cursor_close(cur);
    return e;
}

cairn_err econ_total_bonded(exec_ctx *x, uint64_t *stake)
{
    econ_global g;
    cairn_err e = econ_global_get(x->w->txn, x->s, &g);
    *stake = e ? 0 : g.staked;
    return e;
}

/* ---- public queries ---- */

/* Opens a read txn on the chain's store. */
cairn_err cairn_chain_provider(cairn_chain *c, const cairn_pubkey *pk,
                               cairn_provider_info *out)
{
    MDB_txn *txn;
    econ_provider p;
    econ_global g;
    cairn_err e = chain_read_begin(c, &txn);
    if (e)
        return e;
    if (!(e = econ_provider_read(txn, chain_store(c), pk, &p)) &&
        !(e = econ_global_get(txn, chain_store(c), &g))) {
        memset(out, 0, sizeof *out);
        out->sector = p.sector;
        out->active = p.flags & PROV_ACTIVE;
        out->jailed = econ_is_jailed(&p, g.epoch);
        out->commission_bps = p.commission_bps;
        out->self_stake = p.self_stake;
        out->delegated = p.del_tokens;
        out->reward = p.reward;
        out->delegator_pool = p.pool;
        out->faults = p.faults;
        out->jailed_until = p.jailed_until;
        out->registered_height = p.registered_height;
        memcpy(out->endpoint, p.endpoint, p.endpoint_len);
    }
    mdb_txn_abort(txn);
    return e;
}

cairn_err cairn_chain_delegation(cairn_chain *c, const cairn_pubkey *delegator,
                                 const cairn_pubkey *provider,
                                 cairn_delegation_info *out)
{
    MDB_txn *txn;
    econ_provider p;
    econ_deleg d;
    cairn_err e = chain_read_begin(c, &txn);
    if (e)
        return e;
    if (!(e = econ_provider_read(txn, chain_store(c), provider, &p)) &&
        !(e = econ_deleg_read(txn, chain_store(c), delegator, provider, &d))) {
        out->shares = d.shares;
        out->stake = econ_shares_value(&p, d.shares);
        out->pending = econ_deleg_owed(&p, &d);
    }
    mdb_txn_abort(txn);
    return e;
}

cairn_err cairn_chain_econ_params(cairn_chain *c, cairn_econ_param *out,
                                  size_t max, size_t *n)
{
    MDB_txn *txn;
    const econ_param_def *defs[512];
    size_t all = econ_param_list(econ_chain_registry(c), defs, 512);
    cairn_err e = chain_read_begin(c, &txn);
    *n = all;
    if (e)
        return e;
    for (size_t i = 0; !e && i < all && i < max && i < 512; i++) {
        const econ_param_def *d = defs[i];
        out[i] = (cairn_econ_param){d->id,  d->name, d->doc, 0,
                                    d->def, d->min,  d->max, d->amount};
        e = econ_param_read(txn, chain_store(c), d->id, &out[i].value);
        if (e == CAIRN_ERR_NOT_FOUND) /* a sector's, never written */
            out[i].value = d->def, e = CAIRN_OK;
    }
    mdb_txn_abort(txn);
    return e;
}

/* ---- audit ---- */

/* What a sector's record holds in escrow (0 for tags no sector owns). */
static uint64_t sector_held(const econ_registry *reg, const MDB_val *k,
                            const MDB_val *v)
{
    uint8_t tag = ((const uint8_t *)k->mv_data)[0];
    for (size_t i = 0; i < reg->n; i++) {
        const econ_sector *s = reg->sectors[i];
        if (tag >= s->tag_first && tag <= s->tag_last)
            return s->held
                       ? s->held(k->mv_data, k->mv_size, v->mv_data, v->mv_size)
                       : 0;
    }
    return 0;
}

/* Adds one state entry to the audit sums by its tag. */
static cairn_err audit_entry(const econ_registry *reg, cairn_econ_audit *a,
                             const MDB_val *k, const MDB_val *v)
{
    const uint8_t *kp = k->mv_data, *vp = v->mv_data;
    econ_provider p;
    int ov = 0;
    switch (kp[0]) {
    case STATE_ACCOUNT:
        ov = v->mv_size < 8 ||
             cairn_add(&a->balances, a->balances, cairn_le64_get(vp));
        break;
    case STATE_PROVIDER:
        if (econ_provider_decode(&p, vp, v->mv_size))
            return CAIRN_ERR_DB;
        a->providers++;
        ov = cairn_add(&a->staked, a->staked, p.self_stake) ||
             cairn_add(&a->staked, a->staked, p.del_tokens) ||
             cairn_add(&a->pools, a->pools, p.pool) ||
             cairn_add(&a->pools, a->pools, p.reward);
        break;
    case STATE_DELEG:
        a->delegations++;
        break;
    case STATE_SEQ_BOND: /* a sequencer's bond is held like an escrow */
        ov = cairn_add(&a->escrow, a->escrow,
                       econ_seq_bond_held(vp, v->mv_size));
        break;
    case STATE_PROPOSAL: /* a pending proposal's deposit is held, not spent */
        ov = cairn_add(&a->pools, a->pools, gov_deposit_held(vp, v->mv_size));
        break;
    default: /* a sector's records: what they hold in escrow */
        if (kp[0] >= ECON_SECTOR_TAG_MIN)
            ov = cairn_add(&a->escrow, a->escrow, sector_held(reg, k, v));
        break;
    case STATE_UNBOND:
        a->unbond_entries++;
        ov = (v->mv_size != 8 && v->mv_size != 40) ||
             cairn_add(&a->unbonding, a->unbonding, cairn_le64_get(vp));
        break;
    }
    return ov ? CAIRN_ERR_OVERFLOW : CAIRN_OK;
}

/* Sums the whole state in key order. */
static cairn_err audit_scan(MDB_txn *txn, const store *s,
                            const econ_registry *reg, cairn_econ_audit *a)
{
    MDB_cursor *cur;
    MDB_val k, v;
    cairn_err e = CAIRN_OK;
    if (mdb_cursor_open(txn, s->state, &cur))
        return CAIRN_ERR_DB;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    for (; !e && rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
        if (k.mv_size)
            e = audit_entry(reg, a, &k, &v);
    mdb_cursor_close(cur);
    return e;
}

/* Audits the state visible to txn (committed or in a block). */
cairn_err econ_audit_txn(MDB_txn *txn, const store *s, const econ_registry *reg,
                         cairn_econ_audit *a)
{
    cairn_totals t;
    econ_global g;
    memset(a, 0, sizeof *a);
    cairn_err e = totals_get(txn, s, &t);
    if (e || (e = econ_global_get(txn, s, &g)) ||
        (e = audit_scan(txn, s, reg, a)))
        return e;
    a->supply = t.supply;
    a->treasury = t.treasury;
    a->minted = t.minted;
    a->burned = t.burned;
    a->genesis_supply = g.genesis_supply;
    a->pools += g.stakers_pool;
    u128 lhs = (u128)a->balances + a->staked + a->unbonding + a->pools +
               a->escrow + a->treasury;
    a->ok = (u128)a->genesis_supply + a->minted - a->burned == a->supply &&
            lhs == a->supply && a->staked == g.staked &&
            a->unbonding == g.unbonding && a->escrow == g.held;
    return CAIRN_OK;
}

cairn_err cairn_chain_econ_audit(cairn_chain *c, cairn_econ_audit *out)
{
    MDB_txn *txn;
    cairn_err e = chain_read_begin(c, &txn);
    if (e)
        return e;
    e = econ_audit_txn(txn, chain_store(c), econ_chain_registry(c), out);
    mdb_txn_abort(txn);
    return e;
}
