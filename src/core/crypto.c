/* Hashes, Ed25519 keys and signatures, over libsodium. */
#include "cairn/crypto.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(cairn_hasher) >= sizeof(crypto_generichash_state),
               "cairn_hasher too small for libsodium's state");

void cairn_crypto_init(void)
{
    if (sodium_init() < 0)
        abort();
}

void cairn_hash_bytes(cairn_hash *out, const void *p, size_t n)
{
    crypto_generichash(out->b, CAIRN_HASH_LEN, p, n, NULL, 0);
}

void cairn_hash_pair(cairn_hash *out, uint8_t tag, const cairn_hash *a,
                     const cairn_hash *b)
{
    uint8_t buf[1 + 2 * CAIRN_HASH_LEN];
    buf[0] = tag;
    memcpy(buf + 1, a->b, CAIRN_HASH_LEN);
    memcpy(buf + 1 + CAIRN_HASH_LEN, b->b, CAIRN_HASH_LEN);
    crypto_generichash(out->b, CAIRN_HASH_LEN, buf, sizeof buf, NULL, 0);
}

void cairn_hasher_init(cairn_hasher *h)
{
    crypto_generichash_init((crypto_generichash_state *)h->state, NULL, 0,
                            CAIRN_HASH_LEN);
}

void cairn_hasher_update(cairn_hasher *h, const void *p, size_t n)
{
    crypto_generichash_update((crypto_generichash_state *)h->state, p, n);
}

void cairn_hasher_final(cairn_hasher *h, cairn_hash *out)
{
    crypto_generichash_final((crypto_generichash_state *)h->state, out->b,
                             CAIRN_HASH_LEN);
}

void cairn_keypair_generate(cairn_keypair *kp)
{
    crypto_sign_keypair(kp->pk.b, kp->sk);
}

void cairn_keypair_from_seed(cairn_keypair *kp,
                             const uint8_t seed[CAIRN_SEED_LEN])
{
    crypto_sign_seed_keypair(kp->pk.b, kp->sk, seed);
}

void cairn_keypair_wipe(cairn_keypair *kp)
{
    sodium_memzero(kp, sizeof *kp);
}

void cairn_sign(cairn_sig *sig, const void *msg, size_t n,
                const cairn_keypair *kp)
{
    crypto_sign_detached(sig->b, NULL, msg, n, kp->sk);
}

cairn_err cairn_verify(const cairn_sig *sig, const void *msg, size_t n,
                       const cairn_pubkey *pk)
{
    return crypto_sign_verify_detached(sig->b, msg, n, pk->b) == 0
               ? CAIRN_OK
               : CAIRN_ERR_BAD_SIG;
}
