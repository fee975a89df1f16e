/* FILE_NAME: a client's sealed name record of one of its files (tag 0x55,
 * keyed by owner and file id), its body codec and its query. The chain
 * stores the blob as it comes: only the owner's client can open it
 * (docs/storage.md, "Metadata from the chain and the key"). Rules in
 * docs/storage-chain.md, "File names". */
#include <string.h>

#include "ledger/view.h"
#include "sectors/storage/storage.h"

#define NAME_KEY_LEN (32 + CAIRN_FILE_ID_LEN)

void cairn_file_name_encode(cairn_buf *b, const cairn_file_name *f)
{
    if (f->len > CAIRN_FILE_NAME_MAX || (f->len && !f->blob)) {
        if (!b->err)
            b->err = CAIRN_ERR_BAD_ARG;
        return;
    }
    cairn_put_bytes(b, f->id, CAIRN_FILE_ID_LEN);
    cairn_put_u16(b, f->len);
    if (f->len)
        cairn_put_bytes(b, f->blob, f->len);
}

cairn_err cairn_file_name_decode(cairn_file_name *f, const uint8_t *p, size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    cairn_get_bytes(&r, f->id, CAIRN_FILE_ID_LEN);
    f->len = cairn_get_u16(&r);
    f->blob = NULL;
    if (r.err || f->len > CAIRN_FILE_NAME_MAX || n - r.pos != f->len)
        return CAIRN_ERR_BAD_BODY;
    f->blob = f->len ? p + r.pos : NULL;
    return CAIRN_OK;
}

cairn_err storage_name_check(const cairn_tx *tx)
{
    cairn_file_name f;
    return cairn_file_name_decode(&f, tx->body, tx->body_len);
}

static void name_key(uint8_t out[NAME_KEY_LEN], const cairn_pubkey *owner,
                     const uint8_t id[CAIRN_FILE_ID_LEN])
{
    memcpy(out, owner->b, 32);
    memcpy(out + 32, id, CAIRN_FILE_ID_LEN);
}

cairn_err storage_name_apply(exec_ctx *x, const cairn_tx *tx)
{
    cairn_file_name f;
    uint8_t k[NAME_KEY_LEN], full[1 + NAME_KEY_LEN];
    MDB_val v;
    cairn_err e = cairn_file_name_decode(&f, tx->body, tx->body_len);
    if (e)
        return e;
    name_key(k, &tx->sender, f.id);
    if (f.len)
        return state_put(x->w, x->s, STATE_FILE_NAME, k, sizeof k, f.blob,
                         f.len);
    if ((e = state_get(x->w->txn, x->s, STATE_FILE_NAME, k, sizeof k, &v)))
        return e; /* NOT_FOUND: nothing to delete */
    full[0] = STATE_FILE_NAME;
    memcpy(full + 1, k, sizeof k);
    return state_del_raw(x->w, x->s, full, sizeof full);
}

cairn_err cairn_chain_file_names(cairn_chain *c, const cairn_pubkey *owner,
                                 const uint8_t *after, cairn_name_record *out,
                                 size_t max, size_t *n, int *more)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    uint8_t start[1 + NAME_KEY_LEN];
    MDB_val k = {sizeof start, start}, v;
    cairn_err e = chain_read_begin(c, &txn);
    *n = 0;
    *more = 0;
    if (e)
        return e;
    start[0] = STATE_FILE_NAME;
    name_key(start + 1, owner, after ? after : (const uint8_t[16]){0});
    if (mdb_cursor_open(txn, chain_store(c)->state, &cur)) {
        mdb_txn_abort(txn);
        return CAIRN_ERR_DB;
    }
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    for (; rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        const uint8_t *kp = k.mv_data;
        if (k.mv_size != sizeof start || memcmp(kp, start, 33) != 0)
            break;
        if (after && memcmp(kp + 33, after, CAIRN_FILE_ID_LEN) == 0)
            continue; /* ids strictly after `after` */
        if (v.mv_size == 0 || v.mv_size > CAIRN_FILE_NAME_MAX) {
            e = CAIRN_ERR_DB;
            break;
        }
        if (*n == max) {
            *more = 1;
            break;
        }
        memcpy(out[*n].id, kp + 33, CAIRN_FILE_ID_LEN);
        out[*n].len = (uint16_t)v.mv_size;
        memcpy(out[*n].blob, v.mv_data, v.mv_size);
        (*n)++;
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return e;
}
