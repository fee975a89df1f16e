/* Governance: proposals (parameter change, treasury spend) with a locked
 * deposit, stake-weighted votes, and the tally and execution at the end of
 * the voting period, driven from the ledger's end of block. Integers only;
 * open proposals are found in LMDB key order by their end height. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "core/bytes.h"
#include "econ/gov.h"
#include "econ/sector.h"
#include "econ/staking.h"
#include "ledger/view.h"

#define GOV_VERSION 1

/* A proposal record, decoded. */
typedef struct gov_rec {
    uint8_t type, status, exec_err;
    cairn_pubkey proposer;
    uint64_t deposit, held, start_height, end_height;
    uint64_t yes, no, abstain, total_bonded;
    uint16_t param_id;
    uint64_t value;  /* PARAM */
    cairn_pubkey to; /* SPEND */
    uint64_t amount;
} gov_rec;

/* ---- body codecs ---- */

void cairn_gov_propose_encode(cairn_buf *b, const cairn_gov_propose *p)
{
    cairn_put_u8(b, p->type);
    if (p->type == CAIRN_GOV_PARAM) {
        size_t n = strnlen(p->param, CAIRN_GOV_NAME_MAX + 1);
        cairn_put_var(b, p->param, (uint32_t)n);
        cairn_put_u64(b, p->value);
    } else {
        cairn_put_bytes(b, p->to.b, 32);
        cairn_put_u64(b, p->amount);
    }
}

/* Reads a PARAM payload: name (1..32 printable bytes) and value. */
static void read_param(cairn_reader *rd, cairn_gov_propose *p, int *bad)
{
    const uint8_t *s;
    uint32_t n;
    cairn_get_var(rd, &s, &n, CAIRN_GOV_NAME_MAX);
    p->value = cairn_get_u64(rd);
    if (cairn_reader_done(rd) || n == 0) {
        *bad = 1;
        return;
    }
    for (uint32_t i = 0; i < n; i++)
        if (s[i] <= ' ' || s[i] >= 0x7f)
            *bad = 1;
    memcpy(p->param, s, n);
    p->param[n] = '\0';
}

cairn_err cairn_gov_propose_decode(cairn_gov_propose *p, const uint8_t *b,
                                   size_t n)
{
    cairn_reader rd;
    int bad = 0;
    memset(p, 0, sizeof *p);
    cairn_reader_init(&rd, b, n);
    p->type = cairn_get_u8(&rd);
    if (p->type == CAIRN_GOV_PARAM) {
        read_param(&rd, p, &bad);
    } else if (p->type == CAIRN_GOV_SPEND) {
        cairn_get_bytes(&rd, p->to.b, 32);
        p->amount = cairn_get_u64(&rd);
        bad = cairn_reader_done(&rd) != CAIRN_OK;
    } else {
        bad = 1;
    }
    return bad ? CAIRN_ERR_BAD_BODY : CAIRN_OK;
}

void cairn_gov_vote_encode(cairn_buf *b, const cairn_gov_vote *v)
{
    cairn_put_u64(b, v->id);
    cairn_put_u8(b, v->choice);
}

cairn_err cairn_gov_vote_decode(cairn_gov_vote *v, const uint8_t *b, size_t n)
{
    cairn_reader rd;
    cairn_reader_init(&rd, b, n);
    v->id = cairn_get_u64(&rd);
    v->choice = cairn_get_u8(&rd);
    if (cairn_reader_done(&rd) || v->choice < CAIRN_VOTE_YES ||
        v->choice > CAIRN_VOTE_ABSTAIN)
        return CAIRN_ERR_BAD_BODY;
    return CAIRN_OK;
}

/* ---- names ---- */

const char *cairn_gov_status_name(uint8_t status)
{
    static const char *const names[] = {"open", "passed", "rejected",
                                        "no_quorum", "failed"};
    return status < 5 ? names[status] : "?";
}

const char *cairn_vote_name(uint8_t choice)
{
    static const char *const names[] = {"?", "yes", "no", "abstain"};
    return choice <= CAIRN_VOTE_ABSTAIN ? names[choice] : "?";
}

uint8_t cairn_vote_parse(const char *s)
{
    for (uint8_t c = CAIRN_VOTE_YES; c <= CAIRN_VOTE_ABSTAIN; c++)
        if (strcmp(s, cairn_vote_name(c)) == 0)
            return c;
    return 0;
}

/* ---- proposal records ---- */

/* Encodes r into b (GOV_REC_LEN bytes). */
static void rec_encode(uint8_t b[GOV_REC_LEN], const gov_rec *r)
{
    const uint64_t f[8] = {r->deposit,    r->held,        r->start_height,
                           r->end_height, r->yes,         r->no,
                           r->abstain,    r->total_bonded};
    memset(b, 0, GOV_REC_LEN);
    b[0] = GOV_VERSION;
    b[1] = r->type;
    b[2] = r->status;
    b[3] = r->exec_err;
    memcpy(b + 4, r->proposer.b, 32);
    for (int i = 0; i < 8; i++)
        cairn_le64_put(b + 36 + 8 * i, f[i]);
    if (r->type == CAIRN_GOV_PARAM) {
        b[100] = (uint8_t)r->param_id;
        b[101] = (uint8_t)(r->param_id >> 8);
        cairn_le64_put(b + 102, r->value);
    } else {
        memcpy(b + 100, r->to.b, 32);
        cairn_le64_put(b + 132, r->amount);
    }
}

/* Decodes a stored record: DB when it is malformed. */
static cairn_err rec_decode(gov_rec *r, const uint8_t *b, size_t n)
{
    uint64_t *f[8] = {&r->deposit,    &r->held,        &r->start_height,
                      &r->end_height, &r->yes,         &r->no,
                      &r->abstain,    &r->total_bonded};
    if (n != GOV_REC_LEN || b[0] != GOV_VERSION)
        return CAIRN_ERR_DB;
    memset(r, 0, sizeof *r);
    r->type = b[1];
    r->status = b[2];
    r->exec_err = b[3];
    memcpy(r->proposer.b, b + 4, 32);
    for (int i = 0; i < 8; i++)
        *f[i] = cairn_le64_get(b + 36 + 8 * i);
    if (r->type == CAIRN_GOV_PARAM) {
        r->param_id = (uint16_t)(b[100] | b[101] << 8);
        r->value = cairn_le64_get(b + 102);
    } else {
        memcpy(r->to.b, b + 100, 32);
        r->amount = cairn_le64_get(b + 132);
    }
    return CAIRN_OK;
}

uint64_t gov_deposit_held(const uint8_t *rec, size_t n)
{
    gov_rec r;
    return rec_decode(&r, rec, n) ? 0 : r.held;
}

/* Reads proposal id: NO_PROPOSAL when absent. */
static cairn_err rec_read(MDB_txn *txn, const store *s, uint64_t id, gov_rec *r)
{
    uint8_t k[8];
    MDB_val v;
    cairn_be64_put(k, id);
    cairn_err e = state_get(txn, s, STATE_PROPOSAL, k, 8, &v);
    if (e == CAIRN_ERR_NOT_FOUND)
        return CAIRN_ERR_NO_PROPOSAL;
    return e ? e : rec_decode(r, v.mv_data, v.mv_size);
}

static cairn_err rec_write(exec_ctx *x, uint64_t id, const gov_rec *r)
{
    uint8_t k[8], b[GOV_REC_LEN];
    cairn_be64_put(k, id);
    rec_encode(b, r);
    return state_put(x->w, x->s, STATE_PROPOSAL, k, 8, b, sizeof b);
}

/* The end-height index key of proposal id (with its tag). */
static void end_key(uint8_t k[17], uint64_t end, uint64_t id)
{
    k[0] = STATE_GOV_END;
    cairn_be64_put(k + 1, end);
    cairn_be64_put(k + 9, id);
}

/* ---- propose ---- */

/* Bounds check of a PARAM proposal: BAD_PARAM for an undeclared name or
 * a value outside the parameter's bounds. */
static cairn_err param_ok(const econ_registry *reg, const cairn_gov_propose *p,
                          const econ_param_def **d)
{
    *d = econ_param_find_name(reg, p->param);
    if (!*d || p->value < (*d)->min || p->value > (*d)->max)
        return CAIRN_ERR_BAD_PARAM;
    return CAIRN_OK;
}

cairn_err gov_propose_check(const cairn_tx *tx)
{
    cairn_gov_propose p;
    cairn_err e = cairn_gov_propose_decode(&p, tx->body, tx->body_len);
    if (e)
        return e;
    if (p.type == CAIRN_GOV_PARAM)
        return CAIRN_OK; /* the name: gov_propose_check_rules */
    return p.amount ? CAIRN_OK : CAIRN_ERR_ZERO_AMOUNT;
}

cairn_err gov_propose_check_rules(const econ_registry *reg, const cairn_tx *tx)
{
    cairn_gov_propose p;
    const econ_param_def *d;
    cairn_err e = cairn_gov_propose_decode(&p, tx->body, tx->body_len);
    if (e || p.type != CAIRN_GOV_PARAM)
        return e;
    return param_ok(reg, &p, &d);
}

/* Allocates the next proposal id (ids start at 1). */
static cairn_err next_id(exec_ctx *x, uint64_t *id)
{
    MDB_val v;
    uint8_t b[8];
    cairn_err e = state_get(x->w->txn, x->s, STATE_ECON, "gov", 3, &v);
    if (e == CAIRN_ERR_NOT_FOUND)
        *id = 1;
    else if (e || v.mv_size != 8)
        return e ? e : CAIRN_ERR_DB;
    else
        *id = cairn_le64_get(v.mv_data);
    cairn_le64_put(b, *id + 1);
    return state_put(x->w, x->s, STATE_ECON, "gov", 3, b, 8);
}

/* Fills the payload of r from the body; checks it against state. */
static cairn_err fill_payload(exec_ctx *x, const cairn_gov_propose *p,
                              gov_rec *r)
{
    const econ_param_def *d;
    cairn_totals t;
    cairn_err e;
    r->type = p->type;
    if (p->type == CAIRN_GOV_PARAM) {
        if ((e = param_ok(econ_registry_of(x), p, &d)))
            return e;
        r->param_id = d->id;
        r->value = p->value;
        return CAIRN_OK;
    }
    if ((e = totals_get(x->w->txn, x->s, &t)))
        return e;
    if (p->amount > t.treasury)
        return CAIRN_ERR_TREASURY;
    r->to = p->to;
    r->amount = p->amount;
    return CAIRN_OK;
}

cairn_err gov_propose_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_gov_propose p;
    gov_rec r;
    uint64_t blocks, id;
    uint8_t k[17], one = 1;
    memset(&r, 0, sizeof r);
    cairn_err e = cairn_gov_propose_decode(&p, tx->body, tx->body_len);
    if (e || (e = fill_payload(x, &p, &r)) ||
        (e = econ_param_get(x, P_GOV_DEPOSIT, &r.deposit)) ||
        (e = econ_param_get(x, P_GOV_VOTING_BLOCKS, &blocks)))
        return e;
    if (cairn_add(&r.end_height, x->height, blocks))
        return CAIRN_ERR_OVERFLOW;
    r.proposer = tx->sender;
    r.held = r.deposit;
    r.start_height = x->height;
    r.status = CAIRN_GOV_OPEN;
    if ((e = econ_debit(x, &tx->sender, r.deposit)) || (e = next_id(x, &id)) ||
        (e = rec_write(x, id, &r)))
        return e;
    end_key(k, r.end_height, id);
    return state_put(x->w, x->s, k[0], k + 1, 16, &one, 1);
}

/* ---- vote ---- */

cairn_err gov_vote_check(const cairn_tx *tx)
{
    cairn_gov_vote v;
    return cairn_gov_vote_decode(&v, tx->body, tx->body_len);
}

/* The vote key (without tag) of voter on proposal id. */
static void vote_key(uint8_t k[40], uint64_t id, const cairn_pubkey *voter)
{
    cairn_be64_put(k, id);
    memcpy(k + 8, voter->b, 32);
}

/* Adds weight to the tally of choice. */
static cairn_err tally_add(gov_rec *r, uint8_t choice, uint64_t weight)
{
    uint64_t *t = choice == CAIRN_VOTE_YES  ? &r->yes
                  : choice == CAIRN_VOTE_NO ? &r->no
                                            : &r->abstain;
    return cairn_add(t, *t, weight) ? CAIRN_ERR_OVERFLOW : CAIRN_OK;
}

cairn_err gov_vote_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_gov_vote v;
    gov_rec r;
    uint64_t weight;
    uint8_t k[40], val[9];
    MDB_val old;
    cairn_err e = cairn_gov_vote_decode(&v, tx->body, tx->body_len);
    if (e || (e = rec_read(x->w->txn, x->s, v.id, &r)))
        return e;
    if (r.status != CAIRN_GOV_OPEN || x->height > r.end_height)
        return CAIRN_ERR_VOTING_CLOSED;
    vote_key(k, v.id, &tx->sender);
    e = state_get(x->w->txn, x->s, STATE_VOTE, k, 40, &old);
    if (e != CAIRN_ERR_NOT_FOUND)
        return e ? e : CAIRN_ERR_ALREADY_VOTED;
    if ((e = econ_bonded_of(x, &tx->sender, &weight)))
        return e;
    if (weight == 0)
        return CAIRN_ERR_NO_STAKE;
    if ((e = tally_add(&r, v.choice, weight)))
        return e;
    val[0] = v.choice;
    cairn_le64_put(val + 1, weight);
    if ((e = state_put(x->w, x->s, STATE_VOTE, k, 40, val, 9)))
        return e;
    return rec_write(x, v.id, &r);
}

/* ---- tally and execution ---- */

/* Burns a forfeited deposit: totals and the epoch's burn statistic. */
static cairn_err burn_deposit(exec_ctx *x, uint64_t amount)
{
    cairn_totals t;
    econ_global g;
    cairn_err e = totals_get(x->w->txn, x->s, &t);
    if (e || (e = econ_global_get(x->w->txn, x->s, &g)))
        return e;
    if (t.supply < amount)
        return CAIRN_ERR_OVERFLOW;
    t.supply -= amount;
    t.burned += amount; /* bounded by the supply */
    g.burned_epoch += amount;
    if ((e = totals_put(x->w, x->s, &t)))
        return e;
    return econ_global_put(x, &g);
}

/* Pays a treasury spend: TREASURY (nothing changed) when it holds less. */
static cairn_err exec_spend(exec_ctx *x, const gov_rec *r)
{
    cairn_totals t;
    cairn_err e = totals_get(x->w->txn, x->s, &t);
    if (e)
        return e;
    if (t.treasury < r->amount)
        return CAIRN_ERR_TREASURY;
    t.treasury -= r->amount;
    if ((e = econ_credit(x, &r->to, r->amount)))
        return e;
    return totals_put(x->w, x->s, &t);
}

/* Executes a passed proposal. Errors other than a refusal (BAD_PARAM,
 * TREASURY) are store failures and abort the block. */
static cairn_err execute(exec_ctx *x, gov_rec *r)
{
    cairn_err e = r->type == CAIRN_GOV_PARAM
                      ? econ_param_set(x, r->param_id, r->value)
                      : exec_spend(x, r);
    if (e == CAIRN_ERR_BAD_PARAM || e == CAIRN_ERR_TREASURY) {
        r->status = CAIRN_GOV_FAILED;
        r->exec_err = (uint8_t)e;
        return CAIRN_OK;
    }
    r->status = e ? r->status : CAIRN_GOV_PASSED;
    return e;
}

/* Decides r's outcome from its tallies against total bonded stake:
 * NO_QUORUM, REJECTED, or PASSED (execution still to come). */
static cairn_err decide(exec_ctx *x, gov_rec *r)
{
    uint64_t quorum, threshold;
    cairn_err e = econ_total_bonded(x, &r->total_bonded);
    if (e || (e = econ_param_get(x, P_GOV_QUORUM_BPS, &quorum)) ||
        (e = econ_param_get(x, P_GOV_THRESHOLD_BPS, &threshold)))
        return e;
    unsigned __int128 votes = (unsigned __int128)r->yes + r->no + r->abstain;
    unsigned __int128 yes_no = (unsigned __int128)r->yes + r->no;
    if (votes == 0 ||
        votes * CAIRN_BPS < (unsigned __int128)quorum * r->total_bonded)
        r->status = CAIRN_GOV_NO_QUORUM;
    else if (r->yes == 0 ||
             (unsigned __int128)r->yes * CAIRN_BPS < threshold * yes_no)
        r->status = CAIRN_GOV_REJECTED;
    else
        r->status = CAIRN_GOV_PASSED;
    return CAIRN_OK;
}

/* Tallies proposal id, settles its deposit, executes it if it passed. */
static cairn_err close_one(exec_ctx *x, uint64_t id)
{
    gov_rec r;
    cairn_err e = rec_read(x->w->txn, x->s, id, &r);
    if (e || r.status != CAIRN_GOV_OPEN || (e = decide(x, &r)))
        return e;
    uint64_t held = r.held;
    r.held = 0;
    if (r.status == CAIRN_GOV_NO_QUORUM)
        e = burn_deposit(x, held);
    else
        e = econ_credit(x, &r.proposer, held);
    if (!e && r.status == CAIRN_GOV_PASSED)
        e = execute(x, &r);
    return e ? e : rec_write(x, id, &r);
}

/* A growing list filled by a state scan. */
typedef struct id_list {
    uint64_t *v;
    size_t n, cap;
    uint64_t height;
} id_list;

static cairn_err visit_ending(void *arg, const uint8_t *kp, size_t klen,
                              const uint8_t *vp, size_t vlen)
{
    id_list *l = arg;
    (void)vp;
    (void)vlen;
    if (klen != 17 || cairn_be64_get(kp + 1) > l->height)
        return STATE_SCAN_STOP;
    cairn_err e = grow_array((void **)&l->v, &l->cap, l->n, sizeof *l->v, 16);
    if (!e)
        l->v[l->n++] = cairn_be64_get(kp + 9);
    return e;
}

/* Collects the ids of proposals ending at or before height, in key order
 * (end height, then id); *ids malloc'd, the caller frees it. */
static cairn_err collect_ending(exec_ctx *x, uint64_t height, uint64_t **ids,
                                size_t *n)
{
    id_list l = {NULL, 0, 0, height};
    cairn_err e = state_scan(x->w->txn, x->s, STATE_GOV_END, visit_ending, &l);
    *ids = l.v;
    *n = l.n;
    return e;
}

/* Closes one proposal and drops its index entry. */
static cairn_err end_one(exec_ctx *x, uint64_t id)
{
    uint8_t k[17];
    gov_rec r;
    cairn_err e = rec_read(x->w->txn, x->s, id, &r);
    if (e || (e = close_one(x, id)))
        return e;
    end_key(k, r.end_height, id);
    return econ_state_del(x, k, sizeof k);
}

cairn_err gov_end_block(exec_ctx *x)
{
    uint64_t *ids;
    size_t n;
    cairn_err e = collect_ending(x, x->height, &ids, &n);
    for (size_t i = 0; !e && i < n; i++)
        e = end_one(x, ids[i]);
    free(ids);
    return e;
}

/* ---- queries ---- */

/* Fills a public description of record r. */
static void rec_info(const econ_registry *reg, cairn_gov_info *o, uint64_t id,
                     const gov_rec *r)
{
    const econ_param_def *d = econ_param_find(reg, r->param_id);
    memset(o, 0, sizeof *o);
    *o = (cairn_gov_info){.id = id,
                          .type = r->type,
                          .status = r->status,
                          .proposer = r->proposer,
                          .deposit = r->deposit,
                          .deposit_held = r->held != 0,
                          .start_height = r->start_height,
                          .end_height = r->end_height,
                          .yes = r->yes,
                          .no = r->no,
                          .abstain = r->abstain,
                          .total_bonded = r->total_bonded,
                          .exec_err = (cairn_err)r->exec_err};
    if (r->type == CAIRN_GOV_PARAM) {
        o->param_id = r->param_id;
        o->value = r->value;
        if (d)
            snprintf(o->param, sizeof o->param, "%s", d->name);
    } else {
        o->to = r->to;
        o->amount = r->amount;
    }
}

cairn_err cairn_chain_gov_proposal(cairn_chain *c, uint64_t id,
                                   cairn_gov_info *out)
{
    MDB_txn *txn;
    gov_rec r;
    if (chain_read_begin(c, &txn))
        return CAIRN_ERR_DB;
    cairn_err e = rec_read(txn, chain_store(c), id, &r);
    if (!e)
        rec_info(econ_chain_registry(c), out, id, &r);
    mdb_txn_abort(txn);
    return e;
}

/* Walks proposals after after_id in key order into out. */
static cairn_err list_txn(MDB_txn *txn, const store *s,
                          const econ_registry *reg, uint64_t after_id,
                          cairn_gov_info *out, size_t max, size_t *n)
{
    MDB_cursor *cur;
    uint8_t start[9] = {STATE_PROPOSAL};
    MDB_val k = {9, start}, v;
    gov_rec r;
    cairn_err e = CAIRN_OK;
    *n = 0;
    if (after_id == UINT64_MAX || max == 0)
        return CAIRN_OK;
    cairn_be64_put(start + 1, after_id + 1);
    if (mdb_cursor_open(txn, s->state, &cur))
        return CAIRN_ERR_DB;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    for (; !e && rc == 0 && *n < max;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        const uint8_t *kp = k.mv_data;
        if (k.mv_size != 9 || kp[0] != STATE_PROPOSAL)
            break;
        if (!(e = rec_decode(&r, v.mv_data, v.mv_size)))
            rec_info(reg, &out[(*n)++], cairn_be64_get(kp + 1), &r);
    }
    mdb_cursor_close(cur);
    return e;
}

cairn_err cairn_chain_gov_proposals(cairn_chain *c, uint64_t after_id,
                                    cairn_gov_info *out, size_t max, size_t *n)
{
    MDB_txn *txn;
    if (chain_read_begin(c, &txn))
        return CAIRN_ERR_DB;
    cairn_err e = list_txn(txn, chain_store(c), econ_chain_registry(c),
                           after_id, out, max, n);
    mdb_txn_abort(txn);
    return e;
}

cairn_err cairn_chain_gov_vote(cairn_chain *c, uint64_t id,
                               const cairn_pubkey *voter, uint8_t *choice,
                               uint64_t *weight)
{
    MDB_txn *txn;
    MDB_val v;
    uint8_t k[40];
    vote_key(k, id, voter);
    if (chain_read_begin(c, &txn))
        return CAIRN_ERR_DB;
    cairn_err e = state_get(txn, chain_store(c), STATE_VOTE, k, 40, &v);
    if (!e && v.mv_size != 9)
        e = CAIRN_ERR_DB;
    if (!e) {
        *choice = ((const uint8_t *)v.mv_data)[0];
        *weight = cairn_le64_get((const uint8_t *)v.mv_data + 1);
    }
    mdb_txn_abort(txn);
    return e;
}
