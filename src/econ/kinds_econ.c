/* The staking transaction kinds: body codecs (public, for the CLI) and
 * their check/apply handlers. Each apply runs in a nested LMDB txn after
 * the ledger took the fee and bumped the nonce; every check comes before
 * the first write, and a failure drops the nested txn anyway. */
#include <string.h>

#include "cairn/amount.h"
#include "econ/sector.h"
#include "econ/staking.h"

/* ---- body codecs ---- */

void cairn_register_encode(cairn_buf *b, const cairn_register *r)
{
    size_t n = strnlen(r->endpoint, CAIRN_ENDPOINT_MAX + 1);
    cairn_put_u8(b, r->sector);
    cairn_put_u32(b, r->commission_bps);
    cairn_put_u64(b, r->stake);
    cairn_put_var(b, r->endpoint, (uint32_t)n);
}

cairn_err cairn_register_decode(cairn_register *r, const uint8_t *p, size_t n)
{
    cairn_reader rd;
    const uint8_t *ep;
    uint32_t en;
    cairn_reader_init(&rd, p, n);
    r->sector = cairn_get_u8(&rd);
    r->commission_bps = cairn_get_u32(&rd);
    r->stake = cairn_get_u64(&rd);
    cairn_get_var(&rd, &ep, &en, CAIRN_ENDPOINT_MAX);
    if (cairn_reader_done(&rd) || memchr(ep, 0, en))
        return CAIRN_ERR_BAD_BODY;
    memcpy(r->endpoint, ep, en);
    r->endpoint[en] = '\0';
    return CAIRN_OK;
}

void cairn_endpoint_body_encode(cairn_buf *b, const char *endpoint)
{
    size_t n = strnlen(endpoint, CAIRN_ENDPOINT_MAX + 1);
    cairn_put_var(b, endpoint, (uint32_t)n);
}

cairn_err cairn_endpoint_body_decode(char out[CAIRN_ENDPOINT_MAX + 1],
                                     const uint8_t *p, size_t n)
{
    cairn_reader rd;
    const uint8_t *ep;
    uint32_t en;
    cairn_reader_init(&rd, p, n);
    cairn_get_var(&rd, &ep, &en, CAIRN_ENDPOINT_MAX);
    if (cairn_reader_done(&rd) || en == 0 || memchr(ep, 0, en))
        return CAIRN_ERR_BAD_BODY;
    memcpy(out, ep, en);
    out[en] = '\0';
    return CAIRN_OK;
}

void cairn_amount_body_encode(cairn_buf *b, uint64_t amount)
{
    cairn_put_u64(b, amount);
}

cairn_err cairn_amount_body_decode(uint64_t *amount, const uint8_t *p, size_t n)
{
    cairn_reader rd;
    cairn_reader_init(&rd, p, n);
    *amount = cairn_get_u64(&rd);
    return cairn_reader_done(&rd) ? CAIRN_ERR_BAD_BODY : CAIRN_OK;
}

void cairn_delegate_encode(cairn_buf *b, const cairn_delegate *d)
{
    cairn_put_bytes(b, d->provider.b, 32);
    cairn_put_u64(b, d->amount);
}

cairn_err cairn_delegate_decode(cairn_delegate *d, const uint8_t *p, size_t n)
{
    cairn_reader rd;
    cairn_reader_init(&rd, p, n);
    cairn_get_bytes(&rd, d->provider.b, 32);
    d->amount = cairn_get_u64(&rd);
    return cairn_reader_done(&rd) ? CAIRN_ERR_BAD_BODY : CAIRN_OK;
}

void cairn_claim_encode(cairn_buf *b, const cairn_pubkey *provider)
{
    cairn_put_bytes(b, provider->b, 32);
}

cairn_err cairn_claim_decode(cairn_pubkey *provider, const uint8_t *p, size_t n)
{
    cairn_reader rd;
    cairn_reader_init(&rd, p, n);
    cairn_get_bytes(&rd, provider->b, 32);
    return cairn_reader_done(&rd) ? CAIRN_ERR_BAD_BODY : CAIRN_OK;
}

void cairn_commission_encode(cairn_buf *b, uint32_t bps)
{
    cairn_put_u32(b, bps);
}

cairn_err cairn_commission_decode(uint32_t *bps, const uint8_t *p, size_t n)
{
    cairn_reader rd;
    cairn_reader_init(&rd, p, n);
    *bps = cairn_get_u32(&rd);
    return cairn_reader_done(&rd) ? CAIRN_ERR_BAD_BODY : CAIRN_OK;
}

cairn_err cairn_tx_make(cairn_buf *out, const char *chain_id,
                        const cairn_keypair *kp, uint64_t nonce, uint64_t fee,
                        uint16_t kind, const uint8_t *body, size_t body_len)
{
    cairn_tx tx;
    memset(&tx, 0, sizeof tx);
    if (body_len > CAIRN_TX_BODY_MAX)
        return CAIRN_ERR_TOO_LARGE;
    cairn_err e = cairn_tx_set_chain(&tx, chain_id);
    if (e)
        return e;
    tx.nonce = nonce;
    tx.fee = fee;
    tx.kind = kind;
    tx.body = body;
    tx.body_len = (uint32_t)body_len;
    if ((e = cairn_tx_sign(&tx, kp)))
        return e;
    cairn_tx_encode(&tx, out);
    return out->err;
}

/* ---- stateless checks ---- */

cairn_err econ_register_check(const cairn_tx *tx)
{
    cairn_register r;
    cairn_err e = cairn_register_decode(&r, tx->body, tx->body_len);
    if (e)
        return e;
    if (r.sector >= CAIRN_SECTOR_SLOTS)
        return CAIRN_ERR_BAD_SECTOR;
    return r.commission_bps > CAIRN_BPS ? CAIRN_ERR_BAD_PARAM : CAIRN_OK;
}

cairn_err econ_amount_check(const cairn_tx *tx)
{
    uint64_t a;
    cairn_err e = cairn_amount_body_decode(&a, tx->body, tx->body_len);
    return e ? e : a ? CAIRN_OK : CAIRN_ERR_ZERO_AMOUNT;
}

cairn_err econ_delegate_check(const cairn_tx *tx)
{
    cairn_delegate d;
    cairn_err e = cairn_delegate_decode(&d, tx->body, tx->body_len);
    return e ? e : d.amount ? CAIRN_OK : CAIRN_ERR_ZERO_AMOUNT;
}

cairn_err econ_commission_check(const cairn_tx *tx)
{
    uint32_t bps;
    cairn_err e = cairn_commission_decode(&bps, tx->body, tx->body_len);
    return e ? e : bps > CAIRN_BPS ? CAIRN_ERR_BAD_PARAM : CAIRN_OK;
}

cairn_err econ_endpoint_check(const cairn_tx *tx)
{
    char ep[CAIRN_ENDPOINT_MAX + 1];
    return cairn_endpoint_body_decode(ep, tx->body, tx->body_len);
}

cairn_err econ_claim_check(const cairn_tx *tx)
{
    cairn_pubkey p;
    return cairn_claim_decode(&p, tx->body, tx->body_len);
}

/* ---- handlers ---- */

/* Sets or clears the active flag from the self stake and the minimum. */
static cairn_err refresh_active(exec_ctx *x, econ_provider *p)
{
    uint64_t min;
    cairn_err e = econ_param_get(x, P_MIN_PROVIDER_STAKE, &min);
    if (e)
        return e;
    if (p->self_stake >= min)
        p->flags |= PROV_ACTIVE;
    else
        p->flags &= (uint8_t)~PROV_ACTIVE;
    return CAIRN_OK;
}

cairn_err econ_register_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_register r;
    econ_provider p;
    econ_global g;
    uint64_t min, maxc;
    cairn_err e = cairn_register_decode(&r, tx->body, tx->body_len);
    if (e || (e = econ_param_get(x, P_MIN_PROVIDER_STAKE, &min)) ||
        (e = econ_param_get(x, P_MAX_COMMISSION_BPS, &maxc)) ||
        (e = econ_global_get(x->w->txn, x->s, &g)))
        return e;
    if (!econ_sector_by_id(econ_registry_of(x), r.sector))
        return CAIRN_ERR_BAD_SECTOR; /* not a sector this chain runs */
    e = econ_provider_read(x->w->txn, x->s, &tx->sender, &p);
    if (e != CAIRN_ERR_NOT_PROVIDER)
        return e ? e : CAIRN_ERR_PROVIDER_EXISTS;
    if (r.stake < min)
        return CAIRN_ERR_STAKE_LOW;
    if (r.commission_bps > maxc)
        return CAIRN_ERR_BAD_PARAM;
    if ((e = econ_debit(x, &tx->sender, r.stake)))
        return e;
    memset(&p, 0, sizeof p);
    p.sector = r.sector;
    p.flags = PROV_ACTIVE;
    p.commission_bps = r.commission_bps;
    p.self_stake = r.stake;
    p.registered_height = x->height;
    p.endpoint_len = (uint8_t)strlen(r.endpoint);
    memcpy(p.endpoint, r.endpoint, p.endpoint_len);
    g.staked += r.stake; /* bounded by the supply */
    if ((e = econ_provider_put(x, &tx->sender, &p)))
        return e;
    return econ_global_put(x, &g);
}

cairn_err econ_stake_apply(exec_ctx *x, const cairn_tx *tx)
{
    uint64_t amount;
    econ_provider p;
    econ_global g;
    cairn_err e = cairn_amount_body_decode(&amount, tx->body, tx->body_len);
    if (e || (e = econ_provider_read(x->w->txn, x->s, &tx->sender, &p)) ||
        (e = econ_global_get(x->w->txn, x->s, &g)) ||
        (e = econ_debit(x, &tx->sender, amount)))
        return e;
    p.self_stake += amount;
    g.staked += amount;
    if ((e = refresh_active(x, &p)) ||
        (e = econ_provider_put(x, &tx->sender, &p)))
        return e;
    return econ_global_put(x, &g);
}

cairn_err econ_unbond_apply(exec_ctx *x, const cairn_tx *tx)
{
    uint64_t amount;
    econ_provider p;
    econ_global g;
    cairn_err e = cairn_amount_body_decode(&amount, tx->body, tx->body_len);
    if (e || (e = econ_provider_read(x->w->txn, x->s, &tx->sender, &p)) ||
        (e = econ_global_get(x->w->txn, x->s, &g)))
        return e;
    if (amount > p.self_stake)
        return CAIRN_ERR_UNBOND_TOO_MUCH;
    p.self_stake -= amount;
    g.staked -= amount;
    if ((e = refresh_active(x, &p)) ||
        (e = econ_queue_unbond(x, &g, &tx->sender, &tx->sender, amount)) ||
        (e = econ_provider_put(x, &tx->sender, &p)))
        return e;
    return econ_global_put(x, &g);
}

/* Pays a delegation what it is owed from the provider's pool and moves
 * its entry to the current accumulator (caller writes p and d). */
static cairn_err settle_deleg(exec_ctx *x, const cairn_pubkey *who,
                              econ_provider *p, econ_deleg *d)
{
    uint64_t owed = econ_deleg_owed(p, d);
    d->entry_rps = p->rps;
    if (!owed)
        return CAIRN_OK;
    p->pool -= owed;
    return econ_credit(x, who, owed);
}

cairn_err econ_delegate_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_delegate b;
    econ_provider p;
    econ_deleg d = {0, 0};
    econ_global g;
    uint64_t min;
    cairn_err e = cairn_delegate_decode(&b, tx->body, tx->body_len);
    if (e || (e = econ_provider_read(x->w->txn, x->s, &b.provider, &p)) ||
        (e = econ_global_get(x->w->txn, x->s, &g)) ||
        (e = econ_param_get(x, P_MIN_DELEGATION, &min)))
        return e;
    if (econ_is_jailed(&p, g.epoch) || (p.del_shares && !p.del_tokens))
        return CAIRN_ERR_JAILED;
    uint64_t shares =
        p.del_shares ? (uint64_t)((u128)b.amount * p.del_shares / p.del_tokens)
                     : b.amount;
    if (b.amount < min || shares == 0)
        return CAIRN_ERR_STAKE_LOW;
    e = econ_deleg_read(x->w->txn, x->s, &tx->sender, &b.provider, &d);
    if (e && e != CAIRN_ERR_NOT_DELEGATED)
        return e;
    if (cairn_add(&p.del_shares, p.del_shares, shares) ||
        cairn_add(&d.shares, d.shares, shares))
        return CAIRN_ERR_OVERFLOW;
    if ((e = econ_debit(x, &tx->sender, b.amount)) ||
        (e = settle_deleg(x, &tx->sender, &p, &d)))
        return e;
    p.del_tokens += b.amount;
    g.staked += b.amount;
    if ((e = econ_deleg_put(x, &tx->sender, &b.provider, &d)) ||
        (e = econ_provider_put(x, &b.provider, &p)))
        return e;
    return econ_global_put(x, &g);
}

/* When the last share leaves, whatever rounding left in the delegated
 * pool (tokens and rewards) goes to the treasury. */
static cairn_err sweep_empty_pool(exec_ctx *x, econ_global *g, econ_provider *p)
{
    cairn_totals t;
    if (p->del_shares || (!p->del_tokens && !p->pool))
        return CAIRN_OK;
    cairn_err e = totals_get(x->w->txn, x->s, &t);
    if (e)
        return e;
    g->staked -= p->del_tokens;
    t.treasury += p->del_tokens + p->pool;
    p->del_tokens = 0;
    p->pool = 0;
    return totals_put(x->w, x->s, &t);
}

cairn_err econ_undelegate_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_delegate b;
    econ_provider p;
    econ_deleg d;
    econ_global g;
    cairn_err e = cairn_delegate_decode(&b, tx->body, tx->body_len);
    if (e || (e = econ_provider_read(x->w->txn, x->s, &b.provider, &p)) ||
        (e = econ_deleg_read(x->w->txn, x->s, &tx->sender, &b.provider, &d)) ||
        (e = econ_global_get(x->w->txn, x->s, &g)))
        return e;
    uint64_t value = econ_shares_value(&p, d.shares);
    if (b.amount > value)
        return CAIRN_ERR_UNBOND_TOO_MUCH;
    /* shares burned: all of them for the full value, else the ceiling */
    uint64_t burn =
        b.amount == value
            ? d.shares
            : (uint64_t)(((u128)b.amount * p.del_shares + p.del_tokens - 1) /
                         p.del_tokens);
    if ((e = settle_deleg(x, &tx->sender, &p, &d)))
        return e;
    d.shares -= burn;
    p.del_shares -= burn;
    p.del_tokens -= b.amount;
    g.staked -= b.amount;
    if ((e = sweep_empty_pool(x, &g, &p)) ||
        (e = econ_queue_unbond(x, &g, &tx->sender, &b.provider, b.amount)) ||
        (e = econ_deleg_put(x, &tx->sender, &b.provider, &d)) ||
        (e = econ_provider_put(x, &b.provider, &p)))
        return e;
    return econ_global_put(x, &g);
}

cairn_err econ_commission_apply(exec_ctx *x, const cairn_tx *tx)
{
    uint32_t bps;
    uint64_t maxc;
    econ_provider p;
    cairn_err e = cairn_commission_decode(&bps, tx->body, tx->body_len);
    if (e || (e = econ_provider_read(x->w->txn, x->s, &tx->sender, &p)) ||
        (e = econ_param_get(x, P_MAX_COMMISSION_BPS, &maxc)))
        return e;
    if (bps > maxc)
        return CAIRN_ERR_BAD_PARAM;
    p.commission_bps = bps;
    return econ_provider_put(x, &tx->sender, &p);
}

cairn_err econ_endpoint_apply(exec_ctx *x, const cairn_tx *tx)
{
    char ep[CAIRN_ENDPOINT_MAX + 1];
    econ_provider p;
    cairn_err e = cairn_endpoint_body_decode(ep, tx->body, tx->body_len);
    if (e || (e = econ_provider_read(x->w->txn, x->s, &tx->sender, &p)))
        return e;
    p.endpoint_len = (uint8_t)strlen(ep);
    memcpy(p.endpoint, ep, p.endpoint_len);
    return econ_provider_put(x, &tx->sender, &p);
}

cairn_err econ_claim_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_pubkey prov;
    econ_provider p;
    econ_deleg d;
    uint64_t own = 0;
    cairn_err e = cairn_claim_decode(&prov, tx->body, tx->body_len);
    if (e || (e = econ_provider_read(x->w->txn, x->s, &prov, &p)))
        return e;
    int self = memcmp(prov.b, tx->sender.b, 32) == 0;
    e = econ_deleg_read(x->w->txn, x->s, &tx->sender, &prov, &d);
    if (e && (e != CAIRN_ERR_NOT_DELEGATED || !self))
        return e;
    if (self) {
        own = p.reward;
        p.reward = 0;
    }
    if (!e && ((e = settle_deleg(x, &tx->sender, &p, &d)) ||
               (e = econ_deleg_put(x, &tx->sender, &prov, &d))))
        return e;
    if ((own && (e = econ_credit(x, &tx->sender, own))))
        return e;
    return econ_provider_put(x, &prov, &p);
}
