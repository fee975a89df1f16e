/* Reward records: one per paid provider per epoch, in the store's index
 * table (not in the state commitment), and their queries. */
#include "econ/rewards.h"

#include <string.h>

#include "core/bytes.h"
#include "ledger/view.h"

#define REC_LEN (2 + 8 * 6)
enum { BY_EPOCH = 0x01 };

static void rec_encode(uint8_t b[REC_LEN], const cairn_reward *r)
{
    const uint64_t f[6] = {r->work_units,    r->sector_work,
                           r->reward,        r->stake_reward,
                           r->provider_part, r->delegators_part};
    b[0] = 1;
    b[1] = r->sector;
    for (int i = 0; i < 6; i++)
        cairn_le64_put(b + 2 + 8 * i, f[i]);
}

static cairn_err rec_decode(cairn_reward *r, const MDB_val *v)
{
    const uint8_t *b = v->mv_data;
    if (v->mv_size != REC_LEN || b[0] != 1)
        return CAIRN_ERR_DB;
    uint64_t *f[6] = {&r->work_units,   &r->sector_work,   &r->reward,
                      &r->stake_reward, &r->provider_part, &r->delegators_part};
    r->sector = b[1];
    for (int i = 0; i < 6; i++)
        *f[i] = cairn_le64_get(b + 2 + 8 * i);
    return CAIRN_OK;
}

/* One key per record: settlement writes an epoch's records in provider
 * key order, so they append at the end of the table (cheap); a provider's
 * history is a point lookup per epoch. */
cairn_err econ_reward_note(exec_ctx *x, uint64_t epoch, const cairn_pubkey *pk,
                           const cairn_reward *r)
{
    uint8_t k[41] = {BY_EPOCH}, v[REC_LEN];
    cairn_be64_put(k + 1, epoch);
    memcpy(k + 9, pk->b, 32);
    rec_encode(v, r);
    MDB_val a = {41, k}, val = {REC_LEN, v};
    return mdb_put(x->w->txn, x->s->index, &a, &val, 0) ? CAIRN_ERR_DB
                                                        : CAIRN_OK;
}

/* A walk over index keys that start with prefix[0..plen), from `start`. */
typedef struct walk {
    const uint8_t *prefix;
    size_t plen;
    uint8_t start[41];
    int skip_start; /* the start key itself was already returned */
    uint64_t to;    /* by provider: last epoch wanted */
    cairn_reward *out;
    size_t max, n;
    int more;
} walk;

/* Fills r's epoch and provider from its key. */
static void from_key(cairn_reward *r, const uint8_t *k)
{
    r->epoch = cairn_be64_get(k + 1);
    memcpy(r->provider.b, k + 9, 32);
}

static cairn_err walk_run(const chain_view *v, void *arg)
{
    walk *w = arg;
    MDB_cursor *cur;
    MDB_val k = {41, w->start}, val;
    cairn_err e = CAIRN_OK;
    if (mdb_cursor_open(v->txn, v->s->index, &cur))
        return CAIRN_ERR_DB;
    int rc = mdb_cursor_get(cur, &k, &val, MDB_SET_RANGE);
    for (; !e && rc == 0; rc = mdb_cursor_get(cur, &k, &val, MDB_NEXT)) {
        const uint8_t *kp = k.mv_data;
        if (k.mv_size != 41 || memcmp(kp, w->prefix, w->plen) != 0)
            break;
        if (w->skip_start && memcmp(kp, w->start, 41) == 0)
            continue;
        if (w->n == w->max) {
            w->more = 1;
            break;
        }
        if (!(e = rec_decode(&w->out[w->n], &val)))
            from_key(&w->out[w->n++], kp);
    }
    mdb_cursor_close(cur);
    return e;
}

cairn_err cairn_chain_epoch_rewards(cairn_chain *c, uint64_t epoch,
                                    const cairn_pubkey *after,
                                    cairn_reward *out, size_t max, size_t *n,
                                    int *more)
{
    walk w = {.max = max, .out = out};
    w.start[0] = BY_EPOCH;
    cairn_be64_put(w.start + 1, epoch);
    if (after) {
        memcpy(w.start + 9, after->b, 32);
        w.skip_start = 1;
    }
    w.prefix = w.start;
    w.plen = 9;
    if (max > CAIRN_REWARDS_MAX)
        return CAIRN_ERR_BAD_ARG;
    cairn_err e = chain_view_run(c, walk_run, &w);
    *n = w.n;
    *more = w.more;
    return e;
}

/* A provider's history: one point lookup per epoch of the range. */
typedef struct hist {
    const cairn_pubkey *pk;
    uint64_t from, to, next;
    cairn_reward *out;
    size_t max, n;
    int more;
} hist;

static cairn_err hist_run(const chain_view *v, void *arg)
{
    hist *h = arg;
    uint8_t k[41] = {BY_EPOCH};
    uint64_t last = h->to - h->from >= CAIRN_REWARDS_SCAN
                        ? h->from + CAIRN_REWARDS_SCAN - 1
                        : h->to;
    memcpy(k + 9, h->pk->b, 32);
    for (uint64_t ep = h->from; ep <= last; ep++) {
        MDB_val key = {41, k}, val;
        cairn_be64_put(k + 1, ep);
        int rc = mdb_get(v->txn, v->s->index, &key, &val);
        if (rc == MDB_NOTFOUND)
            continue;
        if (rc)
            return CAIRN_ERR_DB;
        if (h->n == h->max) {
            h->more = 1, h->next = ep;
            return CAIRN_OK;
        }
        cairn_err e = rec_decode(&h->out[h->n], &val);
        if (e)
            return e;
        from_key(&h->out[h->n++], k);
    }
    if (last < h->to)
        h->more = 1, h->next = last + 1;
    return CAIRN_OK;
}

cairn_err cairn_chain_provider_rewards(cairn_chain *c, const cairn_pubkey *pk,
                                       uint64_t from, uint64_t to,
                                       cairn_reward *out, size_t max, size_t *n,
                                       int *more, uint64_t *next)
{
    hist h = {.pk = pk, .from = from, .to = to, .out = out, .max = max};
    if (max > CAIRN_REWARDS_MAX || from > to)
        return CAIRN_ERR_BAD_ARG;
    cairn_err e = chain_view_run(c, hist_run, &h);
    *n = h.n;
    *more = h.more;
    *next = h.next;
    return e;
}
