/* Read-only queries of the storage sector over committed state: deals,
 * deals by client or provider, the current challenges, storage providers
 * and the storage parameters. Each opens its own read txn. */
#include <string.h>

#include "econ/staking.h"
#include "ledger/view.h"
#include "sectors/storage/storage.h"

cairn_err cairn_chain_deal(cairn_chain *c, uint64_t id, cairn_deal_info *out)
{
    MDB_txn *txn;
    cairn_err e = chain_read_begin(c, &txn);
    if (e)
        return e;
    e = deal_read(txn, chain_store(c), id, out);
    mdb_txn_abort(txn);
    return e;
}

/* Walks index `tag` ‖ who ‖ id for ids > after, calling f on each deal
 * until f returns nonzero (stop) or `scan` entries were seen. *more is 1
 * when entries remain. */
typedef int (*deal_fn)(const cairn_deal_info *d, void *arg);

static cairn_err walk_index(MDB_txn *txn, const store *s, uint8_t tag,
                            const cairn_pubkey *who, uint64_t after,
                            size_t scan, deal_fn f, void *arg, int *more)
{
    MDB_cursor *cur;
    uint8_t start[41];
    MDB_val k = {41, start}, v;
    cairn_err e = CAIRN_OK;
    *more = 0;
    if (after == UINT64_MAX)
        return CAIRN_OK;
    start[0] = tag;
    memcpy(start + 1, who->b, 32);
    cairn_be64_put(start + 33, after + 1);
    if (mdb_cursor_open(txn, s->state, &cur))
        return CAIRN_ERR_DB;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    for (size_t seen = 0; !e && rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        cairn_deal_info d;
        if (k.mv_size != 41 || memcmp(k.mv_data, start, 33) != 0)
            break;
        if (seen++ == scan) {
            *more = 1;
            break;
        }
        e = deal_read(txn, s, cairn_be64_get((const uint8_t *)k.mv_data + 33),
                      &d);
        if (!e && f(&d, arg)) {
            *more = 1;
            break;
        }
    }
    mdb_cursor_close(cur);
    return e;
}

/* Collects deals into a caller's array. */
typedef struct deal_list {
    cairn_deal_info *out;
    size_t max, n;
    /* challenges */
    cairn_challenge *ch;
    uint64_t epoch;
    cairn_hash seed;
} deal_list;

static int add_deal(const cairn_deal_info *d, void *arg)
{
    deal_list *l = arg;
    if (l->n == l->max)
        return 1;
    l->out[l->n++] = *d;
    return 0;
}

cairn_err cairn_chain_deals(cairn_chain *c, int by_provider,
                            const cairn_pubkey *who, uint64_t after,
                            cairn_deal_info *out, size_t max, size_t *n,
                            int *more)
{
    MDB_txn *txn;
    deal_list l = {.out = out, .max = max};
    cairn_err e = chain_read_begin(c, &txn);
    *n = 0;
    if (e)
        return e;
    e = walk_index(txn, chain_store(c),
                   by_provider ? STATE_DEAL_PROV : STATE_DEAL_CLIENT, who,
                   after, SIZE_MAX, add_deal, &l, more);
    mdb_txn_abort(txn);
    *n = l.n;
    return e;
}

cairn_err cairn_chain_storage_seed(cairn_chain *c, uint64_t *epoch,
                                   cairn_hash *seed)
{
    MDB_txn *txn;
    econ_global g;
    cairn_err e = chain_read_begin(c, &txn);
    if (e)
        return e;
    if (!(e = econ_global_get(txn, chain_store(c), &g)))
        e = storage_seed(txn, chain_store(c), g.start_height, seed);
    *epoch = g.epoch;
    mdb_txn_abort(txn);
    return e;
}

static int add_challenge(const cairn_deal_info *d, void *arg)
{
    deal_list *l = arg;
    if (d->state != CAIRN_DEAL_ACTIVE || l->epoch < d->start_epoch ||
        l->epoch >= d->end_epoch)
        return 0;
    if (l->n == l->max)
        return 1;
    cairn_challenge *c = &l->ch[l->n++];
    c->deal_id = d->id;
    c->epoch = l->epoch;
    c->leaf_index = cairn_storage_challenge(&l->seed, d->id, d->size);
    c->leaves = cairn_piece_leaves(d->size);
    c->size = d->size;
    c->root = d->root;
    c->proven = d->last_proven == l->epoch;
    return 0;
}

cairn_err cairn_chain_storage_challenges(cairn_chain *c,
                                         const cairn_pubkey *provider,
                                         uint64_t after, cairn_challenge *out,
                                         size_t max, size_t *n, int *more)
{
    MDB_txn *txn;
    econ_global g;
    deal_list l = {.ch = out, .max = max};
    cairn_err e = chain_read_begin(c, &txn);
    *n = 0;
    *more = 0;
    if (e)
        return e;
    if (!(e = econ_global_get(txn, chain_store(c), &g)) &&
        !(e = storage_seed(txn, chain_store(c), g.start_height, &l.seed))) {
        l.epoch = g.epoch;
        e = walk_index(txn, chain_store(c), STATE_DEAL_PROV, provider, after,
                       CAIRN_STORAGE_SCAN, add_challenge, &l, more);
    }
    mdb_txn_abort(txn);
    *n = l.n;
    return e;
}
