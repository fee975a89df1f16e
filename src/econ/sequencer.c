/* The sequencer set's bonds (taken at genesis) and the SEQ_EVIDENCE kind
 * that slashes a member who signed two blocks at one height
 * (include/cairn/sequencer.h). */
#include <string.h>

#include "cairn/sequencer.h"
#include "core/bytes.h"
#include "econ/econ.h"
#include "econ/staking.h"
#include "ledger/view.h"

#define BOND_LEN 24

void cairn_seq_evidence_encode(cairn_buf *b, const cairn_header *a,
                               const cairn_header *bh)
{
    cairn_header_encode(a, b);
    cairn_header_encode(bh, b);
}

cairn_err cairn_seq_evidence_decode(cairn_header *a, cairn_header *b,
                                    const uint8_t *p, size_t n)
{
    cairn_hash ha, hb;
    if (n != 2 * CAIRN_HEADER_LEN)
        return CAIRN_ERR_BAD_BODY;
    cairn_err e = cairn_header_decode(a, p, CAIRN_HEADER_LEN);
    if (e ||
        (e = cairn_header_decode(b, p + CAIRN_HEADER_LEN, CAIRN_HEADER_LEN)))
        return e;
    cairn_header_hash(&ha, a);
    cairn_header_hash(&hb, b);
    if (a->height == 0 || a->height != b->height ||
        memcmp(a->proposer.b, b->proposer.b, 32) || !memcmp(ha.b, hb.b, 32))
        return CAIRN_ERR_BAD_BODY;
    if (cairn_header_verify(a, &a->proposer) ||
        cairn_header_verify(b, &b->proposer))
        return CAIRN_ERR_BAD_SIG;
    return CAIRN_OK;
}

static void bond_encode(uint8_t v[BOND_LEN], const cairn_seq_bond *b)
{
    cairn_le64_put(v, b->bond);
    cairn_le64_put(v + 8, b->slashed);
    cairn_le64_put(v + 16, b->slashed_height);
}

static cairn_err bond_read(MDB_txn *txn, const store *s, const cairn_pubkey *pk,
                           cairn_seq_bond *b)
{
    MDB_val v;
    cairn_err e = state_get(txn, s, STATE_SEQ_BOND, pk->b, 32, &v);
    if (e)
        return e;
    if (v.mv_size != BOND_LEN)
        return CAIRN_ERR_DB;
    const uint8_t *p = v.mv_data;
    b->bond = cairn_le64_get(p);
    b->slashed = cairn_le64_get(p + 8);
    b->slashed_height = cairn_le64_get(p + 16);
    return CAIRN_OK;
}

static cairn_err bond_put(exec_ctx *x, const cairn_pubkey *pk,
                          const cairn_seq_bond *b)
{
    uint8_t v[BOND_LEN];
    bond_encode(v, b);
    return state_put(x->w, x->s, STATE_SEQ_BOND, pk->b, 32, v, sizeof v);
}

cairn_err econ_seq_genesis(exec_ctx *x)
{
    const cairn_params *p = x->p;
    cairn_err e = CAIRN_OK;
    for (uint32_t i = 0; !e && i < p->n_sequencers; i++) {
        cairn_seq_bond b = {.bond = p->sequencer_stake[i]};
        if (b.bond && !(e = econ_hold(x, &p->sequencers[i], b.bond)))
            e = bond_put(x, &p->sequencers[i], &b);
    }
    return e;
}

uint64_t econ_seq_bond_held(const uint8_t *v, size_t n)
{
    return n == BOND_LEN ? cairn_le64_get(v) : 0;
}

cairn_err econ_seq_evidence_check(const cairn_tx *tx)
{
    cairn_header a, b;
    return cairn_seq_evidence_decode(&a, &b, tx->body, tx->body_len);
}

/* Slashes the signer's whole bond. Refusals: BAD_PROPOSER (not a member),
 * NO_STAKE (no bond), DUPLICATE (already slashed). */
cairn_err econ_seq_evidence_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_header a, h;
    cairn_seq_bond b;
    cairn_err e = cairn_seq_evidence_decode(&a, &h, tx->body, tx->body_len);
    if (e)
        return e;
    if (cairn_params_sequencer_index(x->p, &a.proposer) < 0)
        return CAIRN_ERR_BAD_PROPOSER;
    e = bond_read(x->w->txn, x->s, &a.proposer, &b);
    if (e == CAIRN_ERR_NOT_FOUND)
        return CAIRN_ERR_NO_STAKE;
    if (e)
        return e;
    if (b.slashed)
        return CAIRN_ERR_DUPLICATE;
    uint64_t amount = b.bond;
    b = (cairn_seq_bond){0, amount, a.height};
    if ((e = bond_put(x, &a.proposer, &b)) ||
        (e = econ_unhold(x, NULL, amount)))
        return e;
    return econ_dispose_slashed(x, amount);
}

cairn_err cairn_chain_seq_bond(cairn_chain *c, const cairn_pubkey *pk,
                               cairn_seq_bond *out)
{
    MDB_txn *txn;
    cairn_err e = chain_read_begin(c, &txn);
    if (e)
        return e;
    e = bond_read(txn, chain_store(c), pk, out);
    mdb_txn_abort(txn);
    return e;
}
