/* Block header and block codec, signing and the transaction root. */
#include "cairn/block.h"

#include <stdlib.h>
#include <string.h>

#include "cairn/merkle.h"
#include "cairn/tx.h"

static void encode_unsigned(const cairn_header *h, cairn_buf *b)
{
    cairn_put_u8(b, CAIRN_BLOCK_MAGIC);
    cairn_put_u64(b, h->height);
    cairn_put_bytes(b, h->prev.b, 32);
    cairn_put_u64(b, h->time_ms);
    cairn_put_bytes(b, h->tx_root.b, 32);
    cairn_put_bytes(b, h->state_root.b, 32);
    cairn_put_bytes(b, h->proposer.b, 32);
    cairn_put_u64(b, h->term);
    cairn_put_u32(b, h->tx_count);
}

void cairn_header_encode(const cairn_header *h, cairn_buf *b)
{
    encode_unsigned(h, b);
    cairn_put_bytes(b, h->sig.b, 64);
}

static cairn_err read_header(cairn_header *h, cairn_reader *r)
{
    uint8_t magic = cairn_get_u8(r);
    if (!r->err && magic != CAIRN_BLOCK_MAGIC)
        return CAIRN_ERR_BAD_VERSION;
    h->height = cairn_get_u64(r);
    cairn_get_bytes(r, h->prev.b, 32);
    h->time_ms = cairn_get_u64(r);
    cairn_get_bytes(r, h->tx_root.b, 32);
    cairn_get_bytes(r, h->state_root.b, 32);
    cairn_get_bytes(r, h->proposer.b, 32);
    h->term = cairn_get_u64(r);
    h->tx_count = cairn_get_u32(r);
    cairn_get_bytes(r, h->sig.b, 64);
    if (!r->err && h->tx_count > CAIRN_BLOCK_MAX_TXS)
        return CAIRN_ERR_TOO_LARGE;
    return r->err;
}

cairn_err cairn_header_decode(cairn_header *h, const uint8_t *p, size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    cairn_err e = read_header(h, &r);
    return e ? e : cairn_reader_done(&r);
}

/* Runs f over the unsigned header bytes (fixed size, on the stack). */
static void unsigned_bytes(const cairn_header *h, uint8_t *out)
{
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_HEADER_LEN);
    encode_unsigned(h, &b);
    memcpy(out, b.p, CAIRN_HEADER_LEN - 64);
    cairn_buf_free(&b);
}

void cairn_header_hash(cairn_hash *out, const cairn_header *h)
{
    uint8_t m[CAIRN_HEADER_LEN - 64];
    unsigned_bytes(h, m);
    cairn_hash_bytes(out, m, sizeof m);
}

void cairn_header_sign(cairn_header *h, const cairn_keypair *kp)
{
    uint8_t m[CAIRN_HEADER_LEN - 64];
    h->proposer = kp->pk;
    unsigned_bytes(h, m);
    cairn_sign(&h->sig, m, sizeof m, kp);
}

cairn_err cairn_header_verify(const cairn_header *h, const cairn_pubkey *pk)
{
    uint8_t m[CAIRN_HEADER_LEN - 64];
    if (memcmp(h->proposer.b, pk->b, 32) != 0)
        return CAIRN_ERR_BAD_PROPOSER;
    unsigned_bytes(h, m);
    return cairn_verify(&h->sig, m, sizeof m, pk) ? CAIRN_ERR_BAD_PROPOSER
                                                  : CAIRN_OK;
}

cairn_err cairn_block_decode(cairn_block *blk, const uint8_t *p, size_t n)
{
    cairn_reader r;
    memset(blk, 0, sizeof *blk);
    if (n > CAIRN_BLOCK_MAX_BYTES)
        return CAIRN_ERR_TOO_LARGE;
    cairn_reader_init(&r, p, n);
    cairn_err e = read_header(&blk->h, &r);
    if (e)
        return e;
    if (blk->h.tx_count) {
        /* each tx takes at least 4 bytes: bound the allocation by input */
        if ((size_t)blk->h.tx_count * 4 > n - r.pos)
            return CAIRN_ERR_TRUNCATED;
        blk->txs = calloc(blk->h.tx_count, sizeof *blk->txs);
        if (!blk->txs)
            return CAIRN_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < blk->h.tx_count && !r.err; i++)
        cairn_get_var(&r, &blk->txs[i].p, &blk->txs[i].n, CAIRN_TX_MAX_BYTES);
    if ((e = cairn_reader_done(&r)))
        cairn_block_free(blk);
    return e;
}

void cairn_block_free(cairn_block *blk)
{
    free(blk->txs);
    blk->txs = NULL;
}

cairn_err cairn_block_tx_root(cairn_hash *out, const cairn_block_tx *txs,
                              uint32_t count)
{
    cairn_hash *leaves = NULL;
    if (count) {
        leaves = malloc(sizeof *leaves * count);
        if (!leaves)
            return CAIRN_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < count; i++) {
        cairn_hash h;
        cairn_tx_hash(&h, txs[i].p, txs[i].n);
        cairn_merkle_leaf(&leaves[i], h.b, 32);
    }
    cairn_merkle_root(out, leaves, count);
    free(leaves);
    return CAIRN_OK;
}
