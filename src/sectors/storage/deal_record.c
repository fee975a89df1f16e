/* Deal records and their indexes in state (layout in storage.h). */
#include <string.h>

#include "cairn/amount.h"
#include "sectors/storage/storage.h"

void deal_encode(uint8_t out[DEAL_REC_LEN], const cairn_deal_info *d)
{
    cairn_buf b;
    cairn_buf_init(&b, DEAL_REC_LEN);
    cairn_put_u8(&b, 1);
    cairn_put_u8(&b, d->state);
    cairn_put_u8(&b, d->flags);
    cairn_put_u8(&b, d->end_reason);
    cairn_put_bytes(&b, d->client.b, 32);
    cairn_put_bytes(&b, d->provider.b, 32);
    cairn_put_bytes(&b, d->root.b, 32);
    cairn_put_bytes(&b, d->file_tag.b, 32);
    cairn_put_u64(&b, d->size);
    cairn_put_u32(&b, d->segment);
    cairn_put_u32(&b, d->piece_index);
    const uint64_t f[] = {d->start_epoch, d->end_epoch, d->price, d->escrow,
                          d->collateral};
    for (size_t i = 0; i < 5; i++)
        cairn_put_u64(&b, f[i]);
    cairn_put_u32(&b, d->faults);
    cairn_put_u32(&b, d->total_faults);
    cairn_put_u64(&b, d->last_proven);
    cairn_put_u64(&b, d->paid);
    cairn_put_u64(&b, d->slashed);
    cairn_put_u64(&b, d->opened_height);
    memset(out, 0, DEAL_REC_LEN);
    if (!b.err) /* cannot fail: the buffer is exactly large enough */
        memcpy(out, b.p, DEAL_REC_LEN);
    cairn_buf_free(&b);
}

cairn_err deal_decode(cairn_deal_info *d, const uint8_t *p, size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    uint8_t version = cairn_get_u8(&r);
    d->state = cairn_get_u8(&r);
    d->flags = cairn_get_u8(&r);
    d->end_reason = cairn_get_u8(&r);
    cairn_get_bytes(&r, d->client.b, 32);
    cairn_get_bytes(&r, d->provider.b, 32);
    cairn_get_bytes(&r, d->root.b, 32);
    cairn_get_bytes(&r, d->file_tag.b, 32);
    d->size = cairn_get_u64(&r);
    d->segment = cairn_get_u32(&r);
    d->piece_index = cairn_get_u32(&r);
    uint64_t *f[] = {&d->start_epoch, &d->end_epoch, &d->price, &d->escrow,
                     &d->collateral};
    for (size_t i = 0; i < 5; i++)
        *f[i] = cairn_get_u64(&r);
    d->faults = cairn_get_u32(&r);
    d->total_faults = cairn_get_u32(&r);
    d->last_proven = cairn_get_u64(&r);
    d->paid = cairn_get_u64(&r);
    d->slashed = cairn_get_u64(&r);
    d->opened_height = cairn_get_u64(&r);
    if (cairn_reader_done(&r) || version != 1 || d->state < CAIRN_DEAL_ACTIVE ||
        d->state > CAIRN_DEAL_FAILED || d->size == 0 ||
        d->size > CAIRN_PIECE_MAX)
        return CAIRN_ERR_DB;
    return CAIRN_OK;
}

uint64_t storage_deal_held(const uint8_t *rec, size_t n)
{
    cairn_deal_info d;
    uint64_t sum;
    if (deal_decode(&d, rec, n))
        return 0;
    if (cairn_add(&sum, d.escrow, d.collateral))
        return UINT64_MAX; /* cannot be: the audit then fails loudly */
    return sum;
}

cairn_err deal_read(MDB_txn *txn, const store *s, uint64_t id,
                    cairn_deal_info *d)
{
    uint8_t k[8];
    MDB_val v;
    cairn_be64_put(k, id);
    cairn_err e = state_get(txn, s, STATE_DEAL, k, 8, &v);
    if (e)
        return e == CAIRN_ERR_NOT_FOUND ? CAIRN_ERR_NO_DEAL : e;
    d->id = id;
    return deal_decode(d, v.mv_data, v.mv_size);
}

static const uint8_t one = 1;

/* Writes (put) or deletes (!put) one index entry tag ‖ [32] who ‖ id (who
 * NULL: tag ‖ id). */
static cairn_err index_set(exec_ctx *x, uint8_t tag, const cairn_pubkey *who,
                           uint64_t id, int put)
{
    uint8_t k[1 + 32 + 8];
    size_t n = 0;
    k[n++] = tag;
    if (who) {
        memcpy(k + n, who->b, 32);
        n += 32;
    }
    cairn_be64_put(k + n, id);
    n += 8;
    if (put)
        return state_put(x->w, x->s, tag, k + 1, n - 1, &one, 1);
    return state_del_raw(x->w, x->s, k, n);
}

cairn_err deal_write(exec_ctx *x, const cairn_deal_info *d)
{
    uint8_t k[8], v[DEAL_REC_LEN];
    cairn_be64_put(k, d->id);
    deal_encode(v, d);
    cairn_err e = state_put(x->w, x->s, STATE_DEAL, k, 8, v, sizeof v);
    if (e)
        return e;
    return index_set(x, STATE_DEAL_ACTIVE, NULL, d->id,
                     d->state == CAIRN_DEAL_ACTIVE);
}

cairn_err deal_create(exec_ctx *x, cairn_deal_info *d)
{
    MDB_val v;
    uint8_t nb[8];
    uint64_t next = 1;
    cairn_err e = state_get(x->w->txn, x->s, STATE_STORAGE, "next", 4, &v);
    if (e == CAIRN_OK && v.mv_size == 8) {
        const uint8_t *p = v.mv_data;
        next = 0;
        for (int i = 7; i >= 0; i--)
            next = next << 8 | p[i];
    } else if (e != CAIRN_ERR_NOT_FOUND) {
        return e ? e : CAIRN_ERR_DB;
    }
    if (next == UINT64_MAX)
        return CAIRN_ERR_OVERFLOW;
    d->id = next++;
    for (int i = 0; i < 8; i++)
        nb[i] = (uint8_t)(next >> (8 * i));
    if ((e = state_put(x->w, x->s, STATE_STORAGE, "next", 4, nb, 8)) ||
        (e = deal_write(x, d)) ||
        (e = index_set(x, STATE_DEAL_CLIENT, &d->client, d->id, 1)))
        return e;
    return index_set(x, STATE_DEAL_PROV, &d->provider, d->id, 1);
}

cairn_err deal_index_move(exec_ctx *x, const cairn_deal_info *d,
                          const cairn_pubkey *new_provider)
{
    cairn_err e = index_set(x, STATE_DEAL_PROV, &d->provider, d->id, 0);
    return e ? e : index_set(x, STATE_DEAL_PROV, new_provider, d->id, 1);
}
