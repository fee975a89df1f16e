/* TICKET_FUND, TICKET_REDEEM and TICKET_WITHDRAW: probabilistic
 * micropayments on chain (docs/compute-verify.md, "Lottery tickets").
 * Every check comes before the first write. */
#include <string.h>

#include "cairn/amount.h"
#include "econ/staking.h"
#include "sectors/compute/compute.h"

/* The funds of pk, zeros when it never funded. */
static cairn_err funds_or_zero(exec_ctx *x, const cairn_pubkey *pk,
                               cairn_ticket_funds *f)
{
    cairn_err e = tfunds_read(x->w->txn, x->s, pk, f);
    if (e == CAIRN_ERR_NOT_FOUND) {
        memset(f, 0, sizeof *f);
        e = CAIRN_OK;
    }
    return e;
}

/* Takes `amount` (<= deposit + reserve) from f: the deposit first, then
 * the reserve. */
static void take(cairn_ticket_funds *f, uint64_t amount)
{
    uint64_t d = amount < f->deposit ? amount : f->deposit;
    f->deposit -= d;
    f->reserve -= amount - d;
}

/* ---- TICKET_FUND ---- */

cairn_err ticket_fund_check(const cairn_tx *tx)
{
    uint64_t d, r, sum;
    cairn_err e = cairn_ticket_fund_decode(&d, &r, tx->body, tx->body_len);
    return e ? e : cairn_add(&sum, d, r) ? CAIRN_ERR_OVERFLOW : CAIRN_OK;
}

cairn_err ticket_fund_apply(exec_ctx *x, const cairn_tx *tx)
{
    uint64_t d, r, sum;
    cairn_ticket_funds f;
    cairn_err e = cairn_ticket_fund_decode(&d, &r, tx->body, tx->body_len);
    if (e || (e = funds_or_zero(x, &tx->sender, &f)))
        return e;
    if (cairn_add(&sum, d, r) || cairn_add(&f.deposit, f.deposit, d) ||
        cairn_add(&f.reserve, f.reserve, r))
        return CAIRN_ERR_OVERFLOW;
    if ((e = econ_hold(x, &tx->sender, sum)))
        return e;
    return tfunds_put(x, &tx->sender, &f);
}

/* ---- TICKET_REDEEM ---- */

cairn_err ticket_redeem_check(const cairn_tx *tx)
{
    cairn_ticket t;
    uint8_t rand[CAIRN_TICKET_RAND_LEN];
    cairn_err e = cairn_ticket_redeem_decode(&t, rand, tx->body, tx->body_len);
    if (e)
        return e;
    if (memcmp(t.recipient.b, tx->sender.b, 32) != 0)
        return CAIRN_ERR_NOT_LEASE_PARTY; /* only the recipient redeems */
    if (memcmp(t.sender.b, t.recipient.b, 32) == 0)
        return CAIRN_ERR_SELF_TRANSFER;
    return t.face_value ? CAIRN_OK : CAIRN_ERR_ZERO_AMOUNT;
}

/* The ticket's own checks: chain, signature, commitment, win, height,
 * not redeemed before. */
static cairn_err ticket_ok(exec_ctx *x, const cairn_ticket *t,
                           const uint8_t rand[CAIRN_TICKET_RAND_LEN],
                           cairn_hash *id)
{
    int used;
    cairn_err e;
    if ((e = cairn_ticket_verify(t, x->p->chain_id)) ||
        (e = cairn_ticket_rand_check(t, rand)))
        return e;
    if (!cairn_ticket_wins(t, rand))
        return CAIRN_ERR_TICKET_LOST;
    if (x->height > t->expiration)
        return CAIRN_ERR_TICKET_EXPIRED;
    cairn_ticket_id(id, t);
    if ((e = tused_get(x->w->txn, x->s, id, &used)))
        return e;
    return used ? CAIRN_ERR_DUPLICATE : CAIRN_OK;
}

cairn_err ticket_redeem_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_ticket t;
    cairn_ticket_funds f;
    cairn_hash id;
    uint8_t rand[CAIRN_TICKET_RAND_LEN];
    cairn_err e;
    if ((e = ticket_redeem_check(tx)) ||
        (e = cairn_ticket_redeem_decode(&t, rand, tx->body, tx->body_len)) ||
        (e = ticket_ok(x, &t, rand, &id)))
        return e;
    if ((e = tfunds_read(x->w->txn, x->s, &t.sender, &f)))
        return e == CAIRN_ERR_NOT_FOUND ? CAIRN_ERR_FUNDS : e;
    /* refused outright beyond deposit + reserve: never paid from nothing */
    if (f.deposit < t.face_value && f.reserve < t.face_value - f.deposit)
        return CAIRN_ERR_FUNDS;
    take(&f, t.face_value);
    if ((e = tfunds_put(x, &t.sender, &f)) || (e = tused_put(x, &id)) ||
        (e = econ_pay_fee(x, t.face_value, &t.recipient)))
        return e;
    return econ_unhold(x, NULL, t.face_value);
}

/* ---- TICKET_WITHDRAW ---- */

cairn_err ticket_withdraw_check(const cairn_tx *tx)
{
    uint64_t amount;
    return cairn_ticket_withdraw_decode(&amount, tx->body, tx->body_len);
}

cairn_err ticket_withdraw_apply(exec_ctx *x, const cairn_tx *tx)
{
    uint64_t amount, unlock, pay;
    cairn_ticket_funds f;
    cairn_err e = cairn_ticket_withdraw_decode(&amount, tx->body, tx->body_len);
    if (e || (e = tfunds_read(x->w->txn, x->s, &tx->sender, &f)))
        return e == CAIRN_ERR_NOT_FOUND ? CAIRN_ERR_FUNDS : e;
    if (f.pending == 0) { /* the request: starts the unlock period */
        if (f.deposit < amount && f.reserve < amount - f.deposit)
            return CAIRN_ERR_FUNDS;
        if ((e = econ_param_get(x, P_COMPUTE_TICKET_UNLOCK, &unlock)))
            return e;
        if (cairn_add(&f.unlock_height, x->height, unlock))
            return CAIRN_ERR_OVERFLOW;
        f.pending = amount;
        return tfunds_put(x, &tx->sender, &f);
    }
    if (amount != f.pending)
        return CAIRN_ERR_BAD_ARG; /* one request at a time, as asked */
    if (x->height < f.unlock_height)
        return CAIRN_ERR_TICKET_LOCKED;
    /* what redemptions left of it since the request */
    pay = f.deposit < amount && f.reserve < amount - f.deposit
              ? f.deposit + f.reserve
              : amount;
    take(&f, pay);
    f.pending = 0;
    f.unlock_height = 0;
    if ((e = tfunds_put(x, &tx->sender, &f)))
        return e;
    return pay ? econ_unhold(x, &tx->sender, pay) : CAIRN_OK;
}
