/* The storage client<->provider messages (include/cairn/storage_proto.h):
 * encoders and bounded decoders. */
#include <string.h>

#include "cairn/storage_proto.h"

#define REPLACE_BODY_LEN (8 + 8 + 32 + 8)

void cairn_sp_info_encode(cairn_buf *b, const cairn_sp_info *m)
{
    cairn_put_u64(b, m->price);
    cairn_put_u64(b, m->free);
    cairn_put_u64(b, m->max_piece);
    cairn_put_u32(b, m->collateral_bps);
    cairn_put_u64(b, m->egress_price);
    cairn_put_bytes(b, m->rand_hash, 32);
}

cairn_err cairn_sp_ask_decode(const uint8_t *p, size_t n)
{
    return n == 0 ? CAIRN_OK : CAIRN_ERR_BAD_MSG;
}

cairn_err cairn_sp_info_decode(cairn_sp_info *m, const uint8_t *p, size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    m->price = cairn_get_u64(&r);
    m->free = cairn_get_u64(&r);
    m->max_piece = cairn_get_u64(&r);
    m->collateral_bps = cairn_get_u32(&r);
    m->egress_price = cairn_get_u64(&r);
    cairn_get_bytes(&r, m->rand_hash, 32);
    return cairn_reader_done(&r) ? CAIRN_ERR_BAD_MSG : CAIRN_OK;
}

void cairn_sp_store_encode(cairn_buf *b, const cairn_sp_store *m)
{
    cairn_put_u8(b, m->what);
    cairn_put_u64(b, m->client_nonce);
    if (m->what == CAIRN_SP_OPEN) {
        cairn_deal_terms_encode(b, &m->terms);
    } else {
        cairn_put_u64(b, m->deal_id);
        cairn_put_u64(b, m->collateral);
        cairn_put_bytes(b, m->root.b, 32);
        cairn_put_u64(b, m->size);
    }
    cairn_put_var(b, m->piece, m->piece_len);
}

/* Decodes the deal terms (CAIRN_DEAL_TERMS_LEN bytes) with the chain's own
 * decoder, by giving it a zero signature to read past. */
static cairn_err terms_decode(cairn_deal_terms *t, const uint8_t *p)
{
    uint8_t buf[CAIRN_DEAL_OPEN_LEN] = {0};
    cairn_deal_open o;
    memcpy(buf, p, CAIRN_DEAL_TERMS_LEN);
    if (cairn_deal_open_decode(&o, buf, sizeof buf))
        return CAIRN_ERR_BAD_MSG;
    *t = o.t;
    return CAIRN_OK;
}

/* Reads the OPEN or REPLACE body; BAD_MSG on anything wrong. */
static cairn_err store_body(cairn_sp_store *m, cairn_reader *r)
{
    if (m->what == CAIRN_SP_OPEN) {
        if (r->len - r->pos < CAIRN_DEAL_TERMS_LEN)
            return CAIRN_ERR_BAD_MSG;
        if (terms_decode(&m->terms, r->p + r->pos))
            return CAIRN_ERR_BAD_MSG;
        r->pos += CAIRN_DEAL_TERMS_LEN;
        m->root = m->terms.root;
        m->size = m->terms.size;
        return CAIRN_OK;
    }
    if (m->what != CAIRN_SP_REPLACE)
        return CAIRN_ERR_BAD_MSG;
    m->deal_id = cairn_get_u64(r);
    m->collateral = cairn_get_u64(r);
    cairn_get_bytes(r, m->root.b, 32);
    m->size = cairn_get_u64(r);
    return r->err ? CAIRN_ERR_BAD_MSG : CAIRN_OK;
}

cairn_err cairn_sp_store_decode(cairn_sp_store *m, const uint8_t *p, size_t n)
{
    cairn_reader r;
    memset(m, 0, sizeof *m);
    cairn_reader_init(&r, p, n);
    m->what = cairn_get_u8(&r);
    m->client_nonce = cairn_get_u64(&r);
    if (r.err || store_body(m, &r))
        return CAIRN_ERR_BAD_MSG;
    cairn_get_var(&r, &m->piece, &m->piece_len, CAIRN_PIECE_MAX);
    if (cairn_reader_done(&r) || m->size == 0 || m->size > CAIRN_PIECE_MAX ||
        (m->piece_len != 0 && m->piece_len != m->size))
        return CAIRN_ERR_BAD_MSG;
    if (m->piece_len == 0)
        m->piece = NULL;
    return CAIRN_OK;
}

void cairn_sp_fetch_encode(cairn_buf *b, const cairn_sp_fetch *m)
{
    cairn_put_bytes(b, m->root.b, 32);
    cairn_put_var(b, m->ticket, m->ticket_len);
}

cairn_err cairn_sp_fetch_decode(cairn_sp_fetch *m, const uint8_t *p, size_t n)
{
    cairn_reader r;
    memset(m, 0, sizeof *m);
    cairn_reader_init(&r, p, n);
    cairn_get_bytes(&r, m->root.b, 32);
    cairn_get_var(&r, &m->ticket, &m->ticket_len, CAIRN_TICKET_MAX_BYTES);
    if (cairn_reader_done(&r))
        return CAIRN_ERR_BAD_MSG;
    if (m->ticket_len == 0)
        m->ticket = NULL;
    return CAIRN_OK;
}

void cairn_sp_signed_encode(cairn_buf *b, const cairn_sig *sig)
{
    cairn_put_bytes(b, sig->b, 64);
}

cairn_err cairn_sp_signed_decode(cairn_sig *sig, const uint8_t *p, size_t n)
{
    if (n != 64)
        return CAIRN_ERR_BAD_MSG;
    memcpy(sig->b, p, 64);
    return CAIRN_OK;
}

void cairn_sp_piece_encode(cairn_buf *b, const uint8_t *p, uint32_t n)
{
    cairn_put_var(b, p, n);
}

cairn_err cairn_sp_piece_decode(const uint8_t **piece, uint32_t *n,
                                const uint8_t *p, size_t len)
{
    cairn_reader r;
    cairn_reader_init(&r, p, len);
    cairn_get_var(&r, piece, n, CAIRN_PIECE_MAX);
    if (cairn_reader_done(&r) || *n == 0) {
        *piece = NULL;
        *n = 0;
        return CAIRN_ERR_BAD_MSG;
    }
    return CAIRN_OK;
}

void cairn_sp_error_encode(cairn_buf *b, cairn_err code, const char *msg)
{
    size_t n = msg ? strlen(msg) : 0;
    char clean[CAIRN_SP_ERRMSG_MAX];
    if (n > CAIRN_SP_ERRMSG_MAX)
        n = CAIRN_SP_ERRMSG_MAX;
    for (size_t i = 0; i < n; i++) /* keep it printable on the other side */
        clean[i] = msg[i] >= ' ' && msg[i] <= '~' ? msg[i] : '?';
    cairn_put_u32(b, (uint32_t)code);
    cairn_put_var(b, clean, (uint32_t)n);
}

cairn_err cairn_sp_error_decode(cairn_sp_error *m, const uint8_t *p, size_t n)
{
    cairn_reader r;
    const uint8_t *msg;
    uint32_t len;
    cairn_reader_init(&r, p, n);
    m->code = cairn_get_u32(&r);
    cairn_get_var(&r, &msg, &len, CAIRN_SP_ERRMSG_MAX);
    m->msg[0] = '\0';
    if (cairn_reader_done(&r))
        return CAIRN_ERR_BAD_MSG;
    for (uint32_t i = 0; i < len; i++)
        if (msg[i] < ' ' || msg[i] > '~')
            return CAIRN_ERR_BAD_MSG;
    memcpy(m->msg, msg, len);
    m->msg[len] = '\0';
    return CAIRN_OK;
}

cairn_err cairn_sp_error_code(const cairn_sp_error *m)
{
    if (m->code == 0 || m->code >= (uint32_t)CAIRN__ERR_COUNT)
        return CAIRN_ERR_BAD_MSG;
    return (cairn_err)m->code;
}

uint64_t cairn_sp_egress_cost(uint64_t price, uint64_t bytes)
{
    unsigned __int128 c = (unsigned __int128)price * bytes + ((1u << 30) - 1);
    c >>= 30;
    return c > UINT64_MAX ? UINT64_MAX : (uint64_t)c;
}
