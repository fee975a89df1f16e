/* Transaction execution: nonce, fee, and the effect of each kind. */
#include "ledger/exec.h"

#include <string.h>

#include "cairn/amount.h"
#include "ledger/kinds.h"

uint64_t cairn_account_locked(const cairn_account *a, uint64_t height)
{
    if (a->vest_total == 0 || height >= a->vest_end)
        return 0;
    if (height < a->vest_cliff || height <= a->vest_start)
        return a->vest_total;
    uint64_t vested = 0;
    /* cannot fail: height - start < end - start, so vested < vest_total */
    if (cairn_muldiv(&vested, a->vest_total, height - a->vest_start,
                     a->vest_end - a->vest_start))
        return a->vest_total;
    return a->vest_total - vested;
}

uint64_t cairn_account_spendable(const cairn_account *a, uint64_t height)
{
    uint64_t locked = cairn_account_locked(a, height);
    return a->balance > locked ? a->balance - locked : 0;
}

cairn_err exec_check_static(const cairn_params *p, const cairn_rules *r,
                            const cairn_tx *tx)
{
    if (tx->chain_id_len != strlen(p->chain_id) ||
        memcmp(tx->chain_id, p->chain_id, tx->chain_id_len) != 0)
        return CAIRN_ERR_CHAIN_ID;
    if (tx->fee < p->min_fee)
        return CAIRN_ERR_FEE_LOW;
    const tx_kind *k = kind_find(r, tx->kind);
    if (!k)
        return CAIRN_ERR_BAD_KIND;
    cairn_err e = k->check(tx);
    return !e && r && r->check ? r->check(r, tx) : e;
}

static cairn_err check_nonce(const cairn_account *a, uint64_t nonce)
{
    if (nonce < a->nonce)
        return CAIRN_ERR_NONCE_USED;
    if (nonce > a->nonce)
        return CAIRN_ERR_NONCE_GAP;
    return CAIRN_OK;
}

/* Debits amount+fee from `from` (checks only; returns the new account). */
static cairn_err debit(cairn_account *from, uint64_t amount, uint64_t fee,
                       uint64_t height)
{
    uint64_t total;
    if (cairn_add(&total, amount, fee))
        return CAIRN_ERR_OVERFLOW;
    if (from->balance < total)
        return CAIRN_ERR_FUNDS;
    if (cairn_account_spendable(from, height) < total)
        return CAIRN_ERR_LOCKED;
    from->balance -= total;
    from->nonce++;
    return CAIRN_OK;
}

static cairn_err exec_transfer(wctx *w, const store *s, const cairn_tx *tx,
                               cairn_account *from, uint64_t *fees)
{
    cairn_transfer t;
    cairn_account to;
    uint64_t nfees;
    cairn_err e = cairn_transfer_decode(&t, tx->body, tx->body_len);
    if (e || (e = debit(from, t.amount, tx->fee, w->height)))
        return e;
    if ((e = account_get(w->txn, s, &t.to, &to)))
        return e;
    if (cairn_add(&to.balance, to.balance, t.amount) ||
        cairn_add(&nfees, *fees, tx->fee))
        return CAIRN_ERR_OVERFLOW;
    /* all checks passed: now write */
    if ((e = account_put(w, s, &tx->sender, from)) ||
        (e = account_put(w, s, &t.to, &to)))
        return e;
    *fees = nfees;
    w->volume += t.amount; /* cannot overflow: bounded by the supply */
    return CAIRN_OK;
}

/* Any kind but transfer: fee and nonce, then the handler, all inside a
 * nested transaction that is dropped whole on error. */
static cairn_err exec_generic(wctx *w, const store *s, const cairn_params *p,
                              const cairn_rules *r, const cairn_tx *tx,
                              cairn_account *from, uint64_t *fees)
{
    const tx_kind *k = kind_find(r, tx->kind);
    MDB_txn *parent = w->txn, *child;
    size_t mark = w->n;
    uint64_t nfees;
    if (!k || !k->apply)
        return CAIRN_ERR_BAD_KIND;
    if (cairn_add(&nfees, *fees, tx->fee))
        return CAIRN_ERR_OVERFLOW;
    cairn_err e = debit(from, 0, tx->fee, w->height);
    if (e)
        return e;
    if (mdb_txn_begin(mdb_txn_env(parent), parent, 0, &child))
        return CAIRN_ERR_DB;
    w->txn = child;
    exec_ctx x = {w, s, p, w->height, r};
    if (!(e = account_put(w, s, &tx->sender, from)))
        e = k->apply(&x, tx);
    w->txn = parent;
    if (e || mdb_txn_commit(child)) {
        if (!e)
            e = CAIRN_ERR_DB; /* a failed commit has freed the child */
        else
            mdb_txn_abort(child);
        w->n = mark; /* forget the commitment changes too */
        return e;
    }
    *fees = nfees;
    return CAIRN_OK;
}

cairn_err exec_tx(wctx *w, const store *s, const cairn_params *p,
                  const cairn_rules *r, const cairn_tx *tx, uint64_t *fees)
{
    cairn_account from;
    cairn_err e = exec_check_static(p, r, tx);
    if (e || (e = account_get(w->txn, s, &tx->sender, &from)) ||
        (e = check_nonce(&from, tx->nonce)))
        return e;
    if (tx->kind == CAIRN_TX_TRANSFER)
        return exec_transfer(w, s, tx, &from, fees);
    return exec_generic(w, s, p, r, tx, &from, fees);
}
