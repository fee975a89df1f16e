/* Epoch seeds and block times read from the block store, for the sectors'
 * consensus rules (ledger/view.h). */
#include "cairn/block.h"
#include "ledger/view.h"

/* Decodes the header of stored block h into *h. */
static cairn_err header_at(MDB_txn *txn, const store *s, uint64_t height,
                           cairn_header *h)
{
    uint8_t hk[8];
    height_key(hk, height);
    MDB_val k = {8, hk}, v;
    int rc = mdb_get(txn, s->blocks, &k, &v);
    if (rc)
        return rc == MDB_NOTFOUND ? CAIRN_ERR_NOT_FOUND : CAIRN_ERR_DB;
    if (v.mv_size < CAIRN_HEADER_LEN ||
        cairn_header_decode(h, v.mv_data, CAIRN_HEADER_LEN))
        return CAIRN_ERR_DB;
    return CAIRN_OK;
}

cairn_err chain_epoch_seed(MDB_txn *txn, const store *s, uint64_t start_height,
                           cairn_hash *seed)
{
    cairn_header h;
    if (start_height == 0)
        return CAIRN_ERR_DB; /* epochs start at height 1 */
    cairn_err e = header_at(txn, s, start_height - 1, &h);
    if (!e)
        cairn_header_hash(seed, &h);
    return e;
}

cairn_err chain_block_time(MDB_txn *txn, const store *s, uint64_t height,
                           uint64_t *time_ms)
{
    cairn_header h;
    cairn_err e = header_at(txn, s, height, &h);
    if (!e)
        *time_ms = h.time_ms;
    return e;
}
