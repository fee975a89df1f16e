/* Transaction envelope: decode, encode, sign, verify. */
#include "cairn/tx.h"

#include <string.h>

static int chain_id_ok(const char *s, size_t n)
{
    if (n == 0 || n > CAIRN_CHAIN_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x21 || s[i] > 0x7e)
            return 0;
    return 1;
}

cairn_err cairn_tx_decode(cairn_tx *tx, const uint8_t *p, size_t n)
{
    cairn_reader r;
    if (n > CAIRN_TX_MAX_BYTES)
        return CAIRN_ERR_TOO_LARGE;
    memset(tx, 0, sizeof *tx);
    cairn_reader_init(&r, p, n);
    uint8_t magic = cairn_get_u8(&r);
    if (!r.err && magic != CAIRN_TX_MAGIC)
        return CAIRN_ERR_BAD_VERSION;
    tx->chain_id_len = cairn_get_u8(&r);
    if (!r.err && tx->chain_id_len > CAIRN_CHAIN_ID_MAX)
        return CAIRN_ERR_TOO_LARGE;
    cairn_get_bytes(&r, tx->chain_id, tx->chain_id_len);
    cairn_get_bytes(&r, tx->sender.b, CAIRN_PK_LEN);
    tx->nonce = cairn_get_u64(&r);
    tx->fee = cairn_get_u64(&r);
    tx->kind = cairn_get_u16(&r);
    cairn_get_var(&r, &tx->body, &tx->body_len, CAIRN_TX_BODY_MAX);
    cairn_get_bytes(&r, tx->sig.b, CAIRN_SIG_LEN);
    cairn_err e = cairn_reader_done(&r);
    if (e)
        return e;
    if (!chain_id_ok(tx->chain_id, tx->chain_id_len))
        return CAIRN_ERR_CHAIN_ID;
    return CAIRN_OK;
}

/* Everything but the signature: the signed message. */
static void encode_unsigned(const cairn_tx *tx, cairn_buf *b)
{
    cairn_put_u8(b, CAIRN_TX_MAGIC);
    cairn_put_u8(b, tx->chain_id_len);
    cairn_put_bytes(b, tx->chain_id, tx->chain_id_len);
    cairn_put_bytes(b, tx->sender.b, CAIRN_PK_LEN);
    cairn_put_u64(b, tx->nonce);
    cairn_put_u64(b, tx->fee);
    cairn_put_u16(b, tx->kind);
    cairn_put_var(b, tx->body, tx->body_len);
}

void cairn_tx_encode(const cairn_tx *tx, cairn_buf *b)
{
    encode_unsigned(tx, b);
    cairn_put_bytes(b, tx->sig.b, CAIRN_SIG_LEN);
}

cairn_err cairn_tx_sign(cairn_tx *tx, const cairn_keypair *kp)
{
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);
    tx->sender = kp->pk;
    encode_unsigned(tx, &b);
    cairn_err e = b.err;
    if (!e)
        cairn_sign(&tx->sig, b.p, b.len, kp);
    cairn_buf_free(&b);
    return e;
}

cairn_err cairn_tx_verify(const cairn_tx *tx, const uint8_t *p, size_t n)
{
    if (n < CAIRN_SIG_LEN)
        return CAIRN_ERR_TRUNCATED;
    return cairn_verify(&tx->sig, p, n - CAIRN_SIG_LEN, &tx->sender);
}

void cairn_tx_hash(cairn_hash *out, const uint8_t *p, size_t n)
{
    cairn_hash_bytes(out, p, n);
}

cairn_err cairn_tx_set_chain(cairn_tx *tx, const char *id)
{
    size_t n = strlen(id);
    if (!chain_id_ok(id, n))
        return CAIRN_ERR_BAD_ARG;
    memcpy(tx->chain_id, id, n + 1);
    tx->chain_id_len = (uint8_t)n;
    return CAIRN_OK;
}

void cairn_transfer_encode(uint8_t out[40], const cairn_transfer *t)
{
    memcpy(out, t->to.b, 32);
    for (int i = 0; i < 8; i++)
        out[32 + i] = (uint8_t)(t->amount >> (8 * i));
}

cairn_err cairn_transfer_decode(cairn_transfer *t, const uint8_t *p, size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    cairn_get_bytes(&r, t->to.b, 32);
    t->amount = cairn_get_u64(&r);
    return cairn_reader_done(&r) ? CAIRN_ERR_BAD_BODY : CAIRN_OK;
}

cairn_err cairn_tx_make_transfer(cairn_buf *out, const char *chain_id,
                                 const cairn_keypair *kp, uint64_t nonce,
                                 uint64_t fee, const cairn_pubkey *to,
                                 uint64_t amount)
{
    cairn_tx tx;
    uint8_t body[40];
    cairn_transfer t = {.to = *to, .amount = amount};
    memset(&tx, 0, sizeof tx);
    cairn_err e = cairn_tx_set_chain(&tx, chain_id);
    if (e)
        return e;
    cairn_transfer_encode(body, &t);
    tx.nonce = nonce;
    tx.fee = fee;
    tx.kind = CAIRN_TX_TRANSFER;
    tx.body = body;
    tx.body_len = sizeof body;
    if ((e = cairn_tx_sign(&tx, kp)))
        return e;
    cairn_tx_encode(&tx, out);
    return out->err;
}
