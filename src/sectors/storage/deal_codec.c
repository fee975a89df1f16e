/* Storage deal bodies: codecs of DEAL_OPEN, DEAL_REPLACE and DEAL_END, the
 * provider's signed messages, and the permanent-storage price rules
 * (public: the CLI and the provider daemon build these). */
#include <string.h>

#include "cairn/econ_math.h"
#include "sectors/storage/storage.h"

#define OPEN_DOMAIN "cairn-deal-open-v1"
#define REPLACE_DOMAIN "cairn-deal-replace-v1"
#define MSG_MAX 512

void cairn_deal_terms_encode(cairn_buf *b, const cairn_deal_terms *t)
{
    cairn_put_bytes(b, t->provider.b, 32);
    cairn_put_bytes(b, t->root.b, 32);
    cairn_put_u64(b, t->size);
    cairn_put_bytes(b, t->file_tag.b, 32);
    cairn_put_u32(b, t->segment);
    cairn_put_u32(b, t->piece_index);
    cairn_put_u8(b, t->flags);
    cairn_put_u64(b, t->start_epoch);
    cairn_put_u64(b, t->epochs);
    cairn_put_u64(b, t->price);
    cairn_put_u64(b, t->collateral);
}

static void terms_read(cairn_reader *r, cairn_deal_terms *t)
{
    cairn_get_bytes(r, t->provider.b, 32);
    cairn_get_bytes(r, t->root.b, 32);
    t->size = cairn_get_u64(r);
    cairn_get_bytes(r, t->file_tag.b, 32);
    t->segment = cairn_get_u32(r);
    t->piece_index = cairn_get_u32(r);
    t->flags = cairn_get_u8(r);
    t->start_epoch = cairn_get_u64(r);
    t->epochs = cairn_get_u64(r);
    t->price = cairn_get_u64(r);
    t->collateral = cairn_get_u64(r);
}

void cairn_deal_open_encode(cairn_buf *b, const cairn_deal_open *o)
{
    cairn_deal_terms_encode(b, &o->t);
    cairn_put_bytes(b, o->sig.b, 64);
}

cairn_err cairn_deal_open_decode(cairn_deal_open *o, const uint8_t *p, size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    terms_read(&r, &o->t);
    cairn_get_bytes(&r, o->sig.b, 64);
    if (cairn_reader_done(&r) || (o->t.flags & ~CAIRN_DEAL_PERMANENT))
        return CAIRN_ERR_BAD_BODY;
    return CAIRN_OK;
}

void cairn_deal_replace_encode(cairn_buf *b, const cairn_deal_replace *rp)
{
    cairn_put_u64(b, rp->deal_id);
    cairn_put_bytes(b, rp->provider.b, 32);
    cairn_put_u64(b, rp->collateral);
    cairn_put_bytes(b, rp->sig.b, 64);
}

cairn_err cairn_deal_replace_decode(cairn_deal_replace *rp, const uint8_t *p,
                                    size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    rp->deal_id = cairn_get_u64(&r);
    cairn_get_bytes(&r, rp->provider.b, 32);
    rp->collateral = cairn_get_u64(&r);
    cairn_get_bytes(&r, rp->sig.b, 64);
    return cairn_reader_done(&r) ? CAIRN_ERR_BAD_BODY : CAIRN_OK;
}

void cairn_deal_end_encode(cairn_buf *b, uint64_t deal_id)
{
    cairn_put_u64(b, deal_id);
}

cairn_err cairn_deal_end_decode(uint64_t *deal_id, const uint8_t *p, size_t n)
{
    cairn_reader r;
    cairn_reader_init(&r, p, n);
    *deal_id = cairn_get_u64(&r);
    return cairn_reader_done(&r) ? CAIRN_ERR_BAD_BODY : CAIRN_OK;
}

/* ---- signed messages ---- */

/* domain ‖ u8 len ‖ chain id ‖ [32] client ‖ u64 nonce into b (a buffer
 * the caller initialised and frees). BAD_ARG for a bad chain id. */
static cairn_err msg_head(cairn_buf *b, const char *domain,
                          const char *chain_id, const cairn_pubkey *client,
                          uint64_t nonce)
{
    size_t n = strnlen(chain_id, CAIRN_CHAIN_ID_MAX + 1);
    if (n == 0 || n > CAIRN_CHAIN_ID_MAX)
        return CAIRN_ERR_BAD_ARG;
    cairn_put_bytes(b, domain, strlen(domain));
    cairn_put_u8(b, (uint8_t)n);
    cairn_put_bytes(b, chain_id, n);
    cairn_put_bytes(b, client->b, 32);
    cairn_put_u64(b, nonce);
    return CAIRN_OK;
}

/* The open message into b (caller initialises and frees b). */
static cairn_err open_msg(cairn_buf *b, const char *chain_id,
                          const cairn_pubkey *client, uint64_t nonce,
                          const cairn_deal_terms *t)
{
    cairn_err e = msg_head(b, OPEN_DOMAIN, chain_id, client, nonce);
    if (!e)
        cairn_deal_terms_encode(b, t);
    return e ? e : b->err;
}

/* The replace message into b (caller initialises and frees b). */
static cairn_err replace_msg(cairn_buf *b, const char *chain_id,
                             const cairn_pubkey *client, uint64_t nonce,
                             const cairn_deal_replace *rp,
                             const cairn_replace_ctx *d)
{
    cairn_err e = msg_head(b, REPLACE_DOMAIN, chain_id, client, nonce);
    if (e)
        return e;
    cairn_put_u64(b, rp->deal_id);
    cairn_put_bytes(b, rp->provider.b, 32);
    cairn_put_bytes(b, d->root.b, 32);
    cairn_put_u64(b, d->size);
    cairn_put_u8(b, d->flags);
    cairn_put_u64(b, d->end_epoch);
    cairn_put_u64(b, d->price);
    cairn_put_u64(b, rp->collateral);
    return b->err;
}

cairn_err cairn_deal_open_sign(cairn_sig *sig, const char *chain_id,
                               const cairn_pubkey *client,
                               uint64_t client_nonce, const cairn_deal_terms *t,
                               const cairn_keypair *provider)
{
    cairn_buf b;
    cairn_buf_init(&b, MSG_MAX);
    cairn_err e = open_msg(&b, chain_id, client, client_nonce, t);
    if (!e)
        cairn_sign(sig, b.p, b.len, provider);
    cairn_buf_free(&b);
    return e;
}

cairn_err cairn_deal_open_verify(const cairn_deal_open *o, const char *chain_id,
                                 const cairn_pubkey *client,
                                 uint64_t client_nonce)
{
    cairn_buf b;
    cairn_buf_init(&b, MSG_MAX);
    cairn_err e = open_msg(&b, chain_id, client, client_nonce, &o->t);
    if (!e)
        e = cairn_verify(&o->sig, b.p, b.len, &o->t.provider);
    cairn_buf_free(&b);
    return e;
}

cairn_err cairn_deal_replace_sign(cairn_sig *sig, const char *chain_id,
                                  const cairn_pubkey *client,
                                  uint64_t client_nonce,
                                  const cairn_deal_replace *rp,
                                  const cairn_replace_ctx *d,
                                  const cairn_keypair *provider)
{
    cairn_buf b;
    cairn_buf_init(&b, MSG_MAX);
    cairn_err e = replace_msg(&b, chain_id, client, client_nonce, rp, d);
    if (!e)
        cairn_sign(sig, b.p, b.len, provider);
    cairn_buf_free(&b);
    return e;
}

cairn_err cairn_deal_replace_verify(const cairn_deal_replace *rp,
                                    const char *chain_id,
                                    const cairn_pubkey *client,
                                    uint64_t client_nonce,
                                    const cairn_replace_ctx *d)
{
    cairn_buf b;
    cairn_buf_init(&b, MSG_MAX);
    cairn_err e = replace_msg(&b, chain_id, client, client_nonce, rp, d);
    if (!e)
        e = cairn_verify(&rp->sig, b.p, b.len, &rp->provider);
    cairn_buf_free(&b);
    return e;
}

/* ---- pure rules ---- */

uint64_t cairn_storage_units(uint64_t size)
{
    return size / CAIRN_MIB + (size % CAIRN_MIB != 0);
}

cairn_err cairn_storage_collateral(uint64_t *out, uint64_t total, uint64_t bps)
{
    unsigned __int128 x =
        ((unsigned __int128)total * bps + (CAIRN_BPS - 1)) / CAIRN_BPS;
    if (x > UINT64_MAX)
        return CAIRN_ERR_OVERFLOW;
    *out = (uint64_t)x;
    return CAIRN_OK;
}

cairn_err cairn_storage_perm_price(uint64_t *price, uint64_t size,
                                   uint64_t cost_per_mib, uint64_t decline_bps)
{
    if (decline_bps == 0 || decline_bps > CAIRN_BPS)
        return CAIRN_ERR_BAD_ARG;
    unsigned __int128 num = (unsigned __int128)cairn_storage_units(size) *
                            cost_per_mib * CAIRN_BPS; /* < 2^128 */
    unsigned __int128 q = (num + decline_bps - 1) / decline_bps;
    if (q > UINT64_MAX)
        return CAIRN_ERR_OVERFLOW;
    *price = (uint64_t)q;
    return CAIRN_OK;
}

uint64_t cairn_storage_perm_payout(uint64_t endowment, uint64_t decline_bps)
{
    uint64_t pay =
        (uint64_t)((unsigned __int128)endowment * decline_bps / CAIRN_BPS);
    if (pay == 0 && endowment > 0)
        pay = 1;
    return pay < endowment ? pay : endowment;
}
