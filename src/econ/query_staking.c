/* Read-only staking queries for the API: an address's pending unbonding,
 * the provider list, the staking status (epoch and parameters), and the
 * sector names. Each query runs in one LMDB read transaction over
 * committed state. */
#include <string.h>

#include "cairn/amount.h"
#include "econ/staking.h"
#include "ledger/view.h"

/* Unbond queue key: tag ‖ u64 BE release epoch ‖ [32] owner ‖ u64 BE seq. */
#define UNBOND_KEY_LEN 49
#define PROVIDER_KEY_LEN 33

static uint64_t be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Adds one queue entry of the owner to the results. */
static cairn_err note_unbond(const uint8_t *k, const MDB_val *v,
                             cairn_unbond_entry *out, size_t max, size_t *n,
                             uint64_t *total)
{
    if (v->mv_size != 8 && v->mv_size != 40) /* amount [‖ provider] */
        return CAIRN_ERR_DB;
    uint64_t amount = le64(v->mv_data);
    if (cairn_add(total, *total, amount))
        return CAIRN_ERR_OVERFLOW;
    if (*n < max)
        out[*n] = (cairn_unbond_entry){be64(k + 1), amount, be64(k + 41)};
    (*n)++;
    return CAIRN_OK;
}

cairn_err cairn_chain_unbonding(cairn_chain *c, const cairn_pubkey *owner,
                                cairn_unbond_entry *out, size_t max, size_t *n,
                                uint64_t *total)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    uint8_t start = STATE_UNBOND;
    MDB_val k = {1, &start}, v;
    uint64_t sum = 0;
    *n = 0;
    cairn_err e = chain_read_begin(c, &txn);
    if (e)
        return e;
    if (mdb_cursor_open(txn, chain_store(c)->state, &cur)) {
        mdb_txn_abort(txn);
        return CAIRN_ERR_DB;
    }
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    for (; !e && rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        const uint8_t *kp = k.mv_data;
        if (k.mv_size < 1 || kp[0] != STATE_UNBOND)
            break;
        if (k.mv_size != UNBOND_KEY_LEN)
            e = CAIRN_ERR_DB;
        else if (memcmp(kp + 9, owner->b, 32) == 0)
            e = note_unbond(kp, &v, out, max, n, &sum);
    }
    if (!e && rc != 0 && rc != MDB_NOTFOUND)
        e = CAIRN_ERR_DB;
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    if (total)
        *total = sum;
    return e;
}

/* The query view of a stored provider in `epoch`. */
static void provider_info_of(const econ_provider *p, uint64_t epoch,
                             cairn_provider_info *out)
{
    memset(out, 0, sizeof *out);
    out->sector = p->sector;
    out->active = p->flags & PROV_ACTIVE;
    out->jailed = econ_is_jailed(p, epoch);
    out->commission_bps = p->commission_bps;
    out->self_stake = p->self_stake;
    out->delegated = p->del_tokens;
    out->reward = p->reward;
    out->delegator_pool = p->pool;
    out->faults = p->faults;
    out->jailed_until = p->jailed_until;
    out->registered_height = p->registered_height;
    memcpy(out->endpoint, p->endpoint, p->endpoint_len);
}

/* Positions cur at the first provider record after `after` (or the first
 * of all); rc as mdb_cursor_get. */
static int providers_first(MDB_cursor *cur, const cairn_pubkey *after,
                           MDB_val *k, MDB_val *v)
{
    uint8_t key[PROVIDER_KEY_LEN] = {STATE_PROVIDER};
    *k = (MDB_val){1, key};
    if (after) {
        memcpy(key + 1, after->b, 32);
        k->mv_size = PROVIDER_KEY_LEN;
    }
    int rc = mdb_cursor_get(cur, k, v, MDB_SET_RANGE);
    if (rc == 0 && after && k->mv_size == PROVIDER_KEY_LEN &&
        memcmp(k->mv_data, key, PROVIDER_KEY_LEN) == 0)
        rc = mdb_cursor_get(cur, k, v, MDB_NEXT);
    return rc;
}

/* Walk state for cairn_chain_providers. */
typedef struct prov_walk {
    MDB_txn *txn;
    const store *s;
    uint64_t epoch;
    unsigned sector;
    cairn_provider_entry *out;
    size_t max, n, seen;
    int more;
} prov_walk;

/* Looks at one provider record; returns 1 to stop. A match that does not
 * fit the page stops the walk with more = 1 and *next left before it, so
 * the next page starts with it; so does the end of the scan budget. */
static int prov_visit(prov_walk *w, const MDB_val *k, cairn_pubkey *next,
                      cairn_err *e)
{
    econ_provider p;
    cairn_pubkey pk;
    memcpy(pk.b, (const uint8_t *)k->mv_data + 1, 32);
    if ((*e = econ_provider_read(w->txn, w->s, &pk, &p)))
        return 1;
    int match = w->sector >= CAIRN_SECTOR_SLOTS || p.sector == w->sector;
    if (match && w->n == w->max)
        return w->more = 1;
    if (w->seen == CAIRN_PROVIDERS_SCAN)
        return w->more = 1;
    w->seen++;
    *next = pk;
    if (match) {
        w->out[w->n].address = pk;
        provider_info_of(&p, w->epoch, &w->out[w->n++].info);
    }
    return 0;
}

/* 1 when k is a provider record key. */
static int is_provider_key(const MDB_val *k)
{
    return k->mv_size == PROVIDER_KEY_LEN &&
           ((const uint8_t *)k->mv_data)[0] == STATE_PROVIDER;
}

cairn_err cairn_chain_providers(cairn_chain *c, unsigned sector,
                                const cairn_pubkey *after,
                                cairn_provider_entry *out, size_t max,
                                size_t *n, cairn_pubkey *next, int *more)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    MDB_val k, v;
    econ_global g;
    cairn_err e = chain_read_begin(c, &txn);
    *n = 0;
    *more = 0;
    memset(next, 0, sizeof *next);
    if (e)
        return e;
    if ((e = econ_global_get(txn, chain_store(c), &g)) || max == 0 ||
        mdb_cursor_open(txn, chain_store(c)->state, &cur)) {
        mdb_txn_abort(txn);
        return e ? e : max ? CAIRN_ERR_DB : CAIRN_OK;
    }
    prov_walk w = {txn, chain_store(c), g.epoch, sector, out, max, 0, 0, 0};
    int rc = providers_first(cur, after, &k, &v);
    while (rc == 0 && is_provider_key(&k) && !prov_visit(&w, &k, next, &e))
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    if (!e && rc != 0 && rc != MDB_NOTFOUND)
        e = CAIRN_ERR_DB;
    *more = !e && w.more;
    *n = w.n;
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return e;
}

cairn_err cairn_chain_staking_status(cairn_chain *c, cairn_staking_status *out)
{
    MDB_txn *txn;
    econ_global g;
    cairn_err e = chain_read_begin(c, &txn);
    memset(out, 0, sizeof *out);
    if (e)
        return e;
    if (!(e = econ_global_get(txn, chain_store(c), &g)) &&
        !(e = econ_param_read(txn, chain_store(c), P_EPOCH_BLOCKS,
                              &out->epoch_blocks)) &&
        !(e = econ_param_read(txn, chain_store(c), P_UNBONDING_EPOCHS,
                              &out->unbonding_epochs)) &&
        !(e = econ_param_read(txn, chain_store(c), P_MIN_PROVIDER_STAKE,
                              &out->min_provider_stake)) &&
        !(e = econ_param_read(txn, chain_store(c), P_MIN_DELEGATION,
                              &out->min_delegation)))
        e = econ_param_read(txn, chain_store(c), P_MAX_COMMISSION_BPS,
                            &out->max_commission_bps);
    out->epoch = g.epoch;
    out->epoch_start_height = g.start_height;
    out->staked = g.staked;
    out->unbonding = g.unbonding;
    mdb_txn_abort(txn);
    return e;
}
