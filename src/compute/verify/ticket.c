/* Lottery tickets: the canonical encoding and the sender's signature
 * (include/cairn/ticket.h, docs/compute-verify.md "Lottery tickets"). */
#include "cairn/ticket.h"

#include <string.h>

#include "chain_id.h"

#define TICKET_DOMAIN "cairn-ticket-v1"

cairn_err cairn_ticket_set_chain(cairn_ticket *t, const char *chain_id)
{
    return cv_set_chain(t->chain_id, &t->chain_id_len, chain_id);
}

/* Every field but the signature. */
static void put_fields(cairn_buf *b, const cairn_ticket *t)
{
    cairn_put_u8(b, CAIRN_TICKET_MAGIC);
    cairn_put_u8(b, t->chain_id_len);
    cairn_put_bytes(b, t->chain_id, t->chain_id_len);
    cairn_put_bytes(b, t->sender.b, sizeof t->sender.b);
    cairn_put_bytes(b, t->recipient.b, sizeof t->recipient.b);
    cairn_put_u64(b, t->face_value);
    cairn_put_u64(b, t->win_prob);
    cairn_put_u64(b, t->nonce);
    cairn_put_u64(b, t->expiration);
    cairn_put_bytes(b, t->rand_hash.b, sizeof t->rand_hash.b);
}

void cairn_ticket_encode(cairn_buf *b, const cairn_ticket *t)
{
    put_fields(b, t);
    cairn_put_bytes(b, t->sig.b, sizeof t->sig.b);
}

cairn_err cairn_ticket_decode(cairn_ticket *t, const uint8_t *p, size_t n)
{
    cairn_reader r;
    memset(t, 0, sizeof *t);
    cairn_reader_init(&r, p, n);
    if (cairn_get_u8(&r) != CAIRN_TICKET_MAGIC && !r.err)
        return CAIRN_ERR_BAD_VERSION;
    t->chain_id_len = cairn_get_u8(&r);
    if (!r.err && t->chain_id_len > CAIRN_CHAIN_ID_MAX)
        return CAIRN_ERR_TOO_LARGE;
    cairn_get_bytes(&r, t->chain_id, t->chain_id_len);
    cairn_get_bytes(&r, t->sender.b, sizeof t->sender.b);
    cairn_get_bytes(&r, t->recipient.b, sizeof t->recipient.b);
    t->face_value = cairn_get_u64(&r);
    t->win_prob = cairn_get_u64(&r);
    t->nonce = cairn_get_u64(&r);
    t->expiration = cairn_get_u64(&r);
    cairn_get_bytes(&r, t->rand_hash.b, sizeof t->rand_hash.b);
    cairn_get_bytes(&r, t->sig.b, sizeof t->sig.b);
    cairn_err e = cairn_reader_done(&r);
    if (e)
        return e;
    if (!cv_chain_id_ok(t->chain_id, t->chain_id_len))
        return CAIRN_ERR_CHAIN_ID;
    return CAIRN_OK;
}

/* The signed message, domain first, into b (the caller initialises and
 * frees it). */
static cairn_err signed_msg(cairn_buf *b, const cairn_ticket *t)
{
    if (!cv_chain_id_ok(t->chain_id, t->chain_id_len))
        return CAIRN_ERR_BAD_ARG;
    cairn_put_bytes(b, TICKET_DOMAIN, sizeof TICKET_DOMAIN - 1);
    put_fields(b, t);
    return b->err;
}

cairn_err cairn_ticket_sign(cairn_ticket *t, const cairn_keypair *kp)
{
    cairn_buf b;
    t->sender = kp->pk;
    cairn_buf_init(&b, CAIRN_TICKET_MAX_BYTES + sizeof TICKET_DOMAIN);
    cairn_err e = signed_msg(&b, t);
    if (!e)
        cairn_sign(&t->sig, b.p, b.len, kp);
    cairn_buf_free(&b);
    return e;
}

cairn_err cairn_ticket_verify(const cairn_ticket *t, const char *chain_id)
{
    if (cv_same_chain(t->chain_id, t->chain_id_len, chain_id))
        return CAIRN_ERR_CHAIN_ID;
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_TICKET_MAX_BYTES + sizeof TICKET_DOMAIN);
    cairn_err e = signed_msg(&b, t);
    if (e)
        e = CAIRN_ERR_CHAIN_ID;
    else
        e = cairn_verify(&t->sig, b.p, b.len, &t->sender);
    cairn_buf_free(&b);
    return e;
}

void cairn_ticket_id(cairn_hash *out, const cairn_ticket *t)
{
    cairn_hasher h;
    uint8_t u64s[32];
    uint64_t v[4] = {t->face_value, t->win_prob, t->nonce, t->expiration};
    for (int i = 0; i < 32; i++)
        u64s[i] = (uint8_t)(v[i / 8] >> (8 * (i % 8)));
    uint8_t head[2] = {CAIRN_TICKET_MAGIC, t->chain_id_len};
    cairn_hasher_init(&h);
    cairn_hasher_update(&h, TICKET_DOMAIN, sizeof TICKET_DOMAIN - 1);
    cairn_hasher_update(&h, head, 2);
    cairn_hasher_update(&h, t->chain_id, t->chain_id_len);
    cairn_hasher_update(&h, t->sender.b, sizeof t->sender.b);
    cairn_hasher_update(&h, t->recipient.b, sizeof t->recipient.b);
    cairn_hasher_update(&h, u64s, sizeof u64s);
    cairn_hasher_update(&h, t->rand_hash.b, sizeof t->rand_hash.b);
    cairn_hasher_final(&h, out);
}
