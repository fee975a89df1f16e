/* File tags, file nonces and the storage secret (client/tag.h). */
#include <sodium.h>
#include <string.h>

#include "cairn/codec.h"
#include "storage/client/tag.h"

#define SECRET_DOMAIN "cairn-storage-secret-v1"
#define NONCE_DOMAIN "cairn-file-nonce-v1"
#define TAG_DOMAIN "cairn-file-tag-v1"
#define TAG_BODY 28

void ctag_secret(uint8_t secret[CAIRN_SECRET_LEN], const cairn_keypair *kp)
{
    crypto_generichash(secret, CAIRN_SECRET_LEN, (const uint8_t *)SECRET_DOMAIN,
                       sizeof SECRET_DOMAIN - 1, kp->sk, CAIRN_SEED_LEN);
}

/* nonce = BLAKE2b-192(key = secret, NONCE_DOMAIN ‖ id). */
static void file_nonce(uint8_t nonce[CAIRN_FILE_NONCE_LEN],
                       const uint8_t id[CMETA_ID_LEN],
                       const uint8_t secret[CAIRN_SECRET_LEN])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, secret, CAIRN_SECRET_LEN,
                            CAIRN_FILE_NONCE_LEN);
    crypto_generichash_update(&st, (const uint8_t *)NONCE_DOMAIN,
                              sizeof NONCE_DOMAIN - 1);
    crypto_generichash_update(&st, id, CMETA_ID_LEN);
    crypto_generichash_final(&st, nonce, CAIRN_FILE_NONCE_LEN);
}

/* The 4-byte check of the tag's first 28 bytes. */
static void tag_check(uint8_t out[4], const uint8_t body[TAG_BODY],
                      const uint8_t secret[CAIRN_SECRET_LEN])
{
    uint8_t h[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, secret, CAIRN_SECRET_LEN, sizeof h);
    crypto_generichash_update(&st, (const uint8_t *)TAG_DOMAIN,
                              sizeof TAG_DOMAIN - 1);
    crypto_generichash_update(&st, body, TAG_BODY);
    crypto_generichash_final(&st, h, sizeof h);
    memcpy(out, h, 4);
}

static cairn_err tag_params_ok(const cairn_layout_params *p)
{
    if (cairn_layout_params_check(p) || p->n > 255 ||
        p->segment_size % 1024 != 0 || p->segment_size / 1024 > UINT16_MAX)
        return CAIRN_ERR_BAD_ARG;
    return CAIRN_OK;
}

cairn_err ctag_new(cairn_file_info *fi, cairn_hash *tag,
                   uint8_t id[CMETA_ID_LEN], const cairn_layout_params *p,
                   uint64_t size, const uint8_t secret[CAIRN_SECRET_LEN])
{
    cairn_buf b;
    cairn_err e = tag_params_ok(p);
    if (e || (e = cairn_file_info_init(fi, p, size)))
        return e;
    randombytes_buf(id, CMETA_ID_LEN);
    file_nonce(fi->nonce, id, secret);
    cairn_buf_init(&b, 32);
    cairn_put_bytes(&b, id, CMETA_ID_LEN);
    cairn_put_u8(&b, (uint8_t)p->k);
    cairn_put_u8(&b, (uint8_t)p->n);
    cairn_put_u16(&b, (uint16_t)(p->segment_size / 1024));
    cairn_put_u64(&b, size);
    if (!b.err && b.len == TAG_BODY) {
        memcpy(tag->b, b.p, TAG_BODY);
        tag_check(tag->b + TAG_BODY, tag->b, secret);
    } else {
        e = b.err ? b.err : CAIRN_ERR_BAD_ARG;
    }
    cairn_buf_free(&b);
    return e;
}

/* Reads the tag's body into fi and id (fi->nonce left zero). */
static cairn_err tag_read(cairn_file_info *fi, uint8_t id[CMETA_ID_LEN],
                          const cairn_hash *tag)
{
    cairn_reader r;
    cairn_reader_init(&r, tag->b, TAG_BODY);
    cairn_get_bytes(&r, id, CMETA_ID_LEN);
    memset(fi, 0, sizeof *fi);
    fi->p.k = cairn_get_u8(&r);
    fi->p.n = cairn_get_u8(&r);
    fi->p.segment_size = (uint32_t)cairn_get_u16(&r) * 1024u;
    fi->size = cairn_get_u64(&r);
    if (cairn_reader_done(&r) || tag_params_ok(&fi->p))
        return CAIRN_ERR_BAD_ARG;
    return CAIRN_OK;
}

cairn_err ctag_open(cairn_file_info *fi, uint8_t id[CMETA_ID_LEN],
                    const cairn_hash *tag,
                    const uint8_t secret[CAIRN_SECRET_LEN])
{
    uint8_t check[4];
    tag_check(check, tag->b, secret);
    if (sodium_memcmp(check, tag->b + TAG_BODY, 4) != 0)
        return CAIRN_ERR_BAD_ARG;
    cairn_err e = tag_read(fi, id, tag);
    if (!e)
        file_nonce(fi->nonce, id, secret);
    return e;
}

cairn_err ctag_read(cairn_file_info *fi, uint8_t id[CMETA_ID_LEN],
                    const cairn_hash *tag)
{
    return tag_read(fi, id, tag);
}

void ctag_file_key(uint8_t key[CAIRN_FILE_KEY_LEN],
                   const uint8_t id[CMETA_ID_LEN],
                   const uint8_t secret[CAIRN_SECRET_LEN])
{
    uint8_t nonce[CAIRN_FILE_NONCE_LEN];
    file_nonce(nonce, id, secret);
    cairn_file_key(key, secret, nonce);
}
