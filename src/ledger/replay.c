/* Replay: re-executes a chain's blocks from its genesis in a fresh store. */
#include <lmdb.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/chain_internal.h"

static cairn_err load_genesis(cairn_chain *src, cairn_genesis *g)
{
    MDB_txn *txn;
    MDB_val v;
    if (mdb_txn_begin(src->s.env, NULL, MDB_RDONLY, &txn))
        return CAIRN_ERR_DB;
    cairn_err e = meta_get(txn, &src->s, "genesis", &v);
    if (!e)
        e = genesis_decode(g, v.mv_data, v.mv_size);
    mdb_txn_abort(txn);
    return e;
}

cairn_err cairn_chain_replay_rules(const char *dir, const char *tmpdir,
                                   const cairn_rules *rules,
                                   cairn_hash *tip_root, uint64_t *blocks)
{
    cairn_chain *src, *dst = NULL;
    cairn_genesis g;
    cairn_err e = cairn_chain_open_rules(&src, dir, rules);
    if (e)
        return e;
    if (!(e = load_genesis(src, &g))) {
        e = cairn_chain_create_rules(tmpdir, &g, rules);
        cairn_genesis_free(&g);
    }
    if (!e)
        e = cairn_chain_open_rules(&dst, tmpdir, rules);
    if (!e && memcmp(dst->genesis_hash.b, src->genesis_hash.b, 32) != 0)
        e = CAIRN_ERR_GENESIS;
    for (uint64_t h = 1; !e && h <= src->tip.height; h++) {
        uint8_t *p;
        size_t n;
        if ((e = cairn_chain_block(src, h, &p, &n)))
            break;
        e = cairn_chain_apply_block(dst, p, n);
        free(p);
    }
    if (!e) {
        *tip_root = dst->tip.state_root;
        *blocks = dst->tip.height;
        if (memcmp(dst->tip_hash.b, src->tip_hash.b, 32) != 0)
            e = CAIRN_ERR_STATE_ROOT;
    }
    cairn_chain_close(dst);
    cairn_chain_close(src);
    return e;
}
