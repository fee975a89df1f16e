/* The price feed (set by the oracle key, bounded per epoch) and
 * burn-and-mint service credits: buying burns credits × price base units;
 * sectors spend credits for service. Credits never move between owners. */
#include <string.h>

#include "cairn/amount.h"
#include "core/bytes.h"
#include "econ/credits.h"
#include "econ/staking.h"
#include "econ/stats.h"
#include "ledger/view.h"

#define PRICE_REC_LEN 32

/* The stored price feed. */
typedef struct price_rec {
    uint64_t price, set_height, ref_epoch, ref_price;
} price_rec;

/* ---- body codecs ---- */

void cairn_set_price_encode(cairn_buf *b, uint64_t price)
{
    cairn_put_u64(b, price);
}

cairn_err cairn_set_price_decode(uint64_t *price, const uint8_t *p, size_t n)
{
    cairn_reader rd;
    cairn_reader_init(&rd, p, n);
    *price = cairn_get_u64(&rd);
    return cairn_reader_done(&rd) ? CAIRN_ERR_BAD_BODY : CAIRN_OK;
}

void cairn_buy_credits_encode(cairn_buf *b, uint64_t credits)
{
    cairn_put_u64(b, credits);
}

cairn_err cairn_buy_credits_decode(uint64_t *credits, const uint8_t *p,
                                   size_t n)
{
    return cairn_set_price_decode(credits, p, n); /* same layout: one u64 */
}

cairn_err cairn_credits_cost(uint64_t credits, uint64_t price, uint64_t *units)
{
    return cairn_mul(units, credits, price) ? CAIRN_ERR_OVERFLOW : CAIRN_OK;
}

/* ---- state ---- */

/* Reads the price record: NO_PRICE when none was ever set. */
static cairn_err price_read(MDB_txn *txn, const store *s, price_rec *r)
{
    MDB_val v;
    cairn_err e = state_get(txn, s, STATE_ECON, "price", 5, &v);
    if (e == CAIRN_ERR_NOT_FOUND)
        return CAIRN_ERR_NO_PRICE;
    if (e)
        return e;
    if (v.mv_size != PRICE_REC_LEN)
        return CAIRN_ERR_DB;
    const uint8_t *p = v.mv_data;
    *r = (price_rec){cairn_le64_get(p), cairn_le64_get(p + 8),
                     cairn_le64_get(p + 16), cairn_le64_get(p + 24)};
    return CAIRN_OK;
}

cairn_err econ_price_get(MDB_txn *txn, const store *s, uint64_t *price)
{
    price_rec r;
    cairn_err e = price_read(txn, s, &r);
    *price = e ? 0 : r.price;
    return e == CAIRN_ERR_NO_PRICE ? CAIRN_OK : e;
}

/* Writes the price record. */
static cairn_err price_write(exec_ctx *x, const price_rec *r)
{
    uint8_t b[PRICE_REC_LEN];
    cairn_le64_put(b, r->price);
    cairn_le64_put(b + 8, r->set_height);
    cairn_le64_put(b + 16, r->ref_epoch);
    cairn_le64_put(b + 24, r->ref_price);
    return state_put(x->w, x->s, STATE_ECON, "price", 5, b, sizeof b);
}

cairn_err econ_credits_read(MDB_txn *txn, const store *s,
                            const cairn_pubkey *owner, uint64_t *credits)
{
    MDB_val v;
    cairn_err e = state_get(txn, s, STATE_CREDITS, owner->b, 32, &v);
    *credits = 0;
    if (e == CAIRN_ERR_NOT_FOUND)
        return CAIRN_OK;
    if (e)
        return e;
    if (v.mv_size != 8)
        return CAIRN_ERR_DB;
    *credits = cairn_le64_get(v.mv_data);
    return CAIRN_OK;
}

/* Writes owner's credits; a zero balance deletes the entry. */
static cairn_err credits_write(exec_ctx *x, const cairn_pubkey *owner,
                               uint64_t credits)
{
    uint8_t b[8], sk[33] = {STATE_CREDITS};
    if (credits == 0) {
        memcpy(sk + 1, owner->b, 32);
        return econ_state_del(x, sk, sizeof sk);
    }
    cairn_le64_put(b, credits);
    return state_put(x->w, x->s, STATE_CREDITS, owner->b, 32, b, 8);
}

cairn_err econ_spend_credits(exec_ctx *x, const cairn_pubkey *owner,
                             uint64_t credits)
{
    uint64_t have;
    cairn_err e = econ_credits_read(x->w->txn, x->s, owner, &have);
    if (e)
        return e;
    if (have < credits)
        return CAIRN_ERR_NO_CREDITS;
    return credits ? credits_write(x, owner, have - credits) : CAIRN_OK;
}

/* ---- set price ---- */

cairn_err econ_set_price_check(const cairn_tx *tx)
{
    uint64_t price;
    cairn_err e = cairn_set_price_decode(&price, tx->body, tx->body_len);
    if (e)
        return e;
    return price ? CAIRN_OK : CAIRN_ERR_ZERO_AMOUNT;
}

/* PRICE_JUMP when price is further from ref than ref × max_bps / 10000
 * (floor), in either direction. */
static cairn_err price_within(uint64_t ref, uint64_t price, uint64_t max_bps)
{
    uint64_t room = (uint64_t)((unsigned __int128)ref * max_bps / CAIRN_BPS);
    uint64_t diff = price > ref ? price - ref : ref - price;
    return diff <= room ? CAIRN_OK : CAIRN_ERR_PRICE_JUMP;
}

/* NOT_ORACLE unless the sender is the price-feed key. */
static cairn_err check_oracle(exec_ctx *x, const cairn_pubkey *sender)
{
    cairn_pubkey o;
    cairn_err e = econ_oracle_get(x, &o);
    if (e == CAIRN_ERR_NOT_FOUND)
        return CAIRN_ERR_NOT_ORACLE;
    if (e)
        return e;
    return memcmp(o.b, sender->b, 32) ? CAIRN_ERR_NOT_ORACLE : CAIRN_OK;
}

cairn_err econ_set_price_apply(exec_ctx *x, const cairn_tx *tx)
{
    uint64_t price, max_bps;
    price_rec r;
    econ_global g;
    cairn_err e = cairn_set_price_decode(&price, tx->body, tx->body_len);
    if (e || (e = check_oracle(x, &tx->sender)) ||
        (e = econ_global_get(x->w->txn, x->s, &g)) ||
        (e = econ_param_get(x, P_MAX_PRICE_CHANGE_BPS, &max_bps)))
        return e;
    e = price_read(x->w->txn, x->s, &r);
    if (e == CAIRN_ERR_NO_PRICE) { /* the first price is free */
        r = (price_rec){price, x->height, g.epoch, price};
        return price_write(x, &r);
    }
    if (e)
        return e;
    if (r.ref_epoch != g.epoch) { /* first change this epoch */
        r.ref_epoch = g.epoch;
        r.ref_price = r.price;
    }
    if ((e = price_within(r.ref_price, price, max_bps)))
        return e;
    r.price = price;
    r.set_height = x->height;
    return price_write(x, &r);
}

/* ---- buy credits ---- */

cairn_err econ_buy_credits_check(const cairn_tx *tx)
{
    return econ_set_price_check(tx); /* one u64, positive */
}

/* Burns `units` already debited from a balance: totals and the epoch's
 * burn statistic. */
static cairn_err burn_units(exec_ctx *x, uint64_t units)
{
    cairn_totals t;
    econ_global g;
    cairn_err e = totals_get(x->w->txn, x->s, &t);
    if (e || (e = econ_global_get(x->w->txn, x->s, &g)))
        return e;
    if (t.supply < units || cairn_add(&t.burned, t.burned, units) ||
        cairn_add(&g.burned_epoch, g.burned_epoch, units))
        return CAIRN_ERR_OVERFLOW;
    t.supply -= units;
    if ((e = totals_put(x->w, x->s, &t)))
        return e;
    return econ_global_put(x, &g);
}

cairn_err econ_buy_credits_apply(exec_ctx *x, const cairn_tx *tx)
{
    uint64_t credits, cost, have;
    price_rec r;
    cairn_err e = cairn_buy_credits_decode(&credits, tx->body, tx->body_len);
    if (e || (e = price_read(x->w->txn, x->s, &r)) ||
        (e = cairn_credits_cost(credits, r.price, &cost)) ||
        (e = econ_credits_read(x->w->txn, x->s, &tx->sender, &have)))
        return e;
    if (cairn_add(&have, have, credits))
        return CAIRN_ERR_OVERFLOW;
    if ((e = econ_debit(x, &tx->sender, cost)) || (e = burn_units(x, cost)) ||
        (e = credits_write(x, &tx->sender, have)))
        return e;
    return econ_note_credits(x, credits);
}

/* ---- queries ---- */

cairn_err cairn_chain_credits(cairn_chain *c, const cairn_pubkey *owner,
                              uint64_t *credits)
{
    MDB_txn *txn;
    if (chain_read_begin(c, &txn))
        return CAIRN_ERR_DB;
    cairn_err e = econ_credits_read(txn, chain_store(c), owner, credits);
    mdb_txn_abort(txn);
    return e;
}

/* Fills the oracle part of out. */
static cairn_err oracle_info(MDB_txn *txn, const store *s,
                             cairn_price_info *out)
{
    MDB_val v;
    cairn_err e = state_get(txn, s, STATE_ECON, "oracle", 6, &v);
    if (e == CAIRN_ERR_NOT_FOUND)
        return CAIRN_OK;
    if (e || v.mv_size != 32)
        return e ? e : CAIRN_ERR_DB;
    out->has_oracle = 1;
    memcpy(out->oracle.b, v.mv_data, 32);
    return CAIRN_OK;
}

/* Reads everything cairn_chain_price reports through txn. */
static cairn_err price_info(MDB_txn *txn, const store *s, cairn_price_info *out)
{
    price_rec r;
    econ_global g;
    memset(out, 0, sizeof *out);
    cairn_err e = econ_global_get(txn, s, &g);
    if (e ||
        (e = econ_param_read(txn, s, P_MAX_PRICE_CHANGE_BPS,
                             &out->max_change_bps)) ||
        (e = oracle_info(txn, s, out)))
        return e;
    out->epoch = g.epoch;
    e = price_read(txn, s, &r);
    if (e == CAIRN_ERR_NO_PRICE)
        return CAIRN_OK;
    if (e)
        return e;
    out->has_price = 1;
    out->price = r.price;
    out->set_height = r.set_height;
    out->epoch_start_price = r.ref_epoch == g.epoch ? r.ref_price : r.price;
    return CAIRN_OK;
}

cairn_err cairn_chain_price(cairn_chain *c, cairn_price_info *out)
{
    MDB_txn *txn;
    if (chain_read_begin(c, &txn))
        return CAIRN_ERR_DB;
    cairn_err e = price_info(txn, chain_store(c), out);
    mdb_txn_abort(txn);
    return e;
}
