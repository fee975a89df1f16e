/* Key derivation and segment sealing of the storage data path (crypt.h and
 * docs/storage.md), over libsodium. */
#include "storage/crypt.h"

#include <sodium.h>
#include <string.h>

#define FILE_KEY_TAG "cairn-file-key"     /* 14 bytes */
#define SEGMENT_AD_TAG "cairn-segment-v1" /* 16 bytes */

_Static_assert(CAIRN_SEGMENT_TAG_LEN ==
                   crypto_aead_xchacha20poly1305_ietf_ABYTES,
               "tag length");
_Static_assert(CAIRN_FILE_NONCE_LEN ==
                   crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
               "nonce length");

void cairn_file_key(uint8_t key[CAIRN_FILE_KEY_LEN],
                    const uint8_t secret[CAIRN_SECRET_LEN],
                    const uint8_t nonce[CAIRN_FILE_NONCE_LEN])
{
    uint8_t msg[sizeof FILE_KEY_TAG - 1 + CAIRN_FILE_NONCE_LEN];
    memcpy(msg, FILE_KEY_TAG, sizeof FILE_KEY_TAG - 1);
    memcpy(msg + sizeof FILE_KEY_TAG - 1, nonce, CAIRN_FILE_NONCE_LEN);
    crypto_generichash(key, CAIRN_FILE_KEY_LEN, msg, sizeof msg, secret,
                       CAIRN_SECRET_LEN);
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void seg_nonce(uint8_t nonce[CAIRN_FILE_NONCE_LEN], uint64_t seg)
{
    memset(nonce, 0, CAIRN_FILE_NONCE_LEN);
    put_le(nonce, seg, 8);
}

static void seg_ad(uint8_t ad[STORAGE_AD_LEN], const storage_seg_id *id)
{
    memcpy(ad, SEGMENT_AD_TAG, 16);
    put_le(ad + 16, id->seg, 8);
    put_le(ad + 24, id->file_size, 8);
    put_le(ad + 32, id->segment_size, 4);
}

void storage_seal(uint8_t *out, const uint8_t *plain, size_t len,
                  const uint8_t key[CAIRN_FILE_KEY_LEN],
                  const storage_seg_id *id)
{
    uint8_t nonce[CAIRN_FILE_NONCE_LEN], ad[STORAGE_AD_LEN];
    seg_nonce(nonce, id->seg);
    seg_ad(ad, id);
    crypto_aead_xchacha20poly1305_ietf_encrypt(out, NULL, plain, len, ad,
                                               sizeof ad, NULL, nonce, key);
}

cairn_err storage_open(uint8_t *plain, const uint8_t *cipher, size_t clen,
                       const uint8_t key[CAIRN_FILE_KEY_LEN],
                       const storage_seg_id *id)
{
    uint8_t nonce[CAIRN_FILE_NONCE_LEN], ad[STORAGE_AD_LEN];
    if (clen < CAIRN_SEGMENT_TAG_LEN)
        return CAIRN_ERR_BAD_ARG;
    seg_nonce(nonce, id->seg);
    seg_ad(ad, id);
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            plain, NULL, NULL, cipher, clen, ad, sizeof ad, nonce, key) != 0) {
        if (clen > CAIRN_SEGMENT_TAG_LEN)
            sodium_memzero(plain, clen - CAIRN_SEGMENT_TAG_LEN);
        return CAIRN_ERR_DECRYPT;
    }
    return CAIRN_OK;
}
