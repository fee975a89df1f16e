/* Ticket funds records (tag 0x69, keyed by the ticket sender) and
 * redeemed-ticket records (tag 0x6A, keyed by the ticket id; kept for
 * good), with their read-only queries. */
#include <string.h>

#include "ledger/view.h"
#include "sectors/compute/compute.h"

void tfunds_encode(uint8_t out[TFUNDS_REC_LEN], const cairn_ticket_funds *f)
{
    cairn_le64_put(out, f->deposit);
    cairn_le64_put(out + 8, f->reserve);
    cairn_le64_put(out + 16, f->pending);
    cairn_le64_put(out + 24, f->unlock_height);
}

cairn_err tfunds_decode(cairn_ticket_funds *f, const uint8_t *p, size_t n)
{
    if (n != TFUNDS_REC_LEN)
        return CAIRN_ERR_DB;
    f->deposit = cairn_le64_get(p);
    f->reserve = cairn_le64_get(p + 8);
    f->pending = cairn_le64_get(p + 16);
    f->unlock_height = cairn_le64_get(p + 24);
    return CAIRN_OK;
}

cairn_err tfunds_read(MDB_txn *txn, const store *s, const cairn_pubkey *pk,
                      cairn_ticket_funds *f)
{
    MDB_val v;
    cairn_err e = state_get(txn, s, STATE_TICKET_FUNDS, pk->b, 32, &v);
    return e ? e : tfunds_decode(f, v.mv_data, v.mv_size);
}

cairn_err tfunds_put(exec_ctx *x, const cairn_pubkey *pk,
                     const cairn_ticket_funds *f)
{
    uint8_t v[TFUNDS_REC_LEN];
    tfunds_encode(v, f);
    return state_put(x->w, x->s, STATE_TICKET_FUNDS, pk->b, 32, v, sizeof v);
}

uint64_t tfunds_held(const uint8_t *rec, size_t n)
{
    cairn_ticket_funds f;
    if (tfunds_decode(&f, rec, n) || f.deposit > UINT64_MAX - f.reserve)
        return UINT64_MAX;
    return f.deposit + f.reserve;
}

cairn_err tused_get(MDB_txn *txn, const store *s, const cairn_hash *id,
                    int *used)
{
    MDB_val v;
    cairn_err e = state_get(txn, s, STATE_TICKET_USED, id->b, 32, &v);
    *used = e == CAIRN_OK;
    return e == CAIRN_ERR_NOT_FOUND ? CAIRN_OK : e;
}

cairn_err tused_put(exec_ctx *x, const cairn_hash *id)
{
    uint8_t v[8];
    cairn_le64_put(v, x->height);
    return state_put(x->w, x->s, STATE_TICKET_USED, id->b, 32, v, sizeof v);
}

cairn_err cairn_chain_ticket_funds(cairn_chain *c, const cairn_pubkey *sender,
                                   cairn_ticket_funds *out)
{
    MDB_txn *txn;
    cairn_err e = chain_read_begin(c, &txn);
    if (e)
        return e;
    e = tfunds_read(txn, chain_store(c), sender, out);
    mdb_txn_abort(txn);
    return e;
}

cairn_err cairn_chain_ticket_redeemed(cairn_chain *c, const cairn_hash *id,
                                      int *redeemed)
{
    MDB_txn *txn;
    cairn_err e = chain_read_begin(c, &txn);
    if (e)
        return e;
    e = tused_get(txn, chain_store(c), id, redeemed);
    mdb_txn_abort(txn);
    return e;
}
