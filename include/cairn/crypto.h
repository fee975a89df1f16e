/* cairn — hashes, keys, signatures and addresses (libsodium underneath).
 *
 * Hashes are BLAKE2b-256. Keys are Ed25519. An address is the 32-byte public
 * key; its text form is "cairn1" followed by 72 lowercase hex digits: the key
 * and a 4-byte checksum, the first 4 bytes of BLAKE2b-256("cairn-addr" ‖ key).
 * Secret keys are wiped when freed. */
#ifndef CAIRN_CRYPTO_H
#define CAIRN_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"

#define CAIRN_HASH_LEN 32
#define CAIRN_PK_LEN 32
#define CAIRN_SK_LEN 64
#define CAIRN_SEED_LEN 32
#define CAIRN_SIG_LEN 64
#define CAIRN_ADDR_TEXT_LEN 78 /* "cairn1" + 72 hex, without the NUL */

typedef struct {
    uint8_t b[CAIRN_HASH_LEN];
} cairn_hash;
typedef struct {
    uint8_t b[CAIRN_PK_LEN];
} cairn_pubkey;
typedef struct {
    uint8_t b[CAIRN_SIG_LEN];
} cairn_sig;
typedef struct {
    uint8_t sk[CAIRN_SK_LEN]; /* libsodium's seed ‖ public key */
    cairn_pubkey pk;
} cairn_keypair;

/* Calls sodium_init(); safe to call many times. Aborts if libsodium cannot
 * start, since no key or hash can be trusted then. */
CAIRN_API void cairn_crypto_init(void);

CAIRN_API void cairn_hash_bytes(cairn_hash *out, const void *p, size_t n);
/* Hash of a domain tag byte followed by two 32-byte hashes. */
CAIRN_API void cairn_hash_pair(cairn_hash *out, uint8_t tag,
                               const cairn_hash *a, const cairn_hash *b);

/* Incremental hashing, for structures written field by field. */
typedef struct {
    uint8_t state[384] __attribute__((aligned(64)));
} cairn_hasher;
CAIRN_API void cairn_hasher_init(cairn_hasher *h);
CAIRN_API void cairn_hasher_update(cairn_hasher *h, const void *p, size_t n);
CAIRN_API void cairn_hasher_final(cairn_hasher *h, cairn_hash *out);

CAIRN_API void cairn_keypair_generate(cairn_keypair *kp);
CAIRN_API void cairn_keypair_from_seed(cairn_keypair *kp,
                                       const uint8_t seed[CAIRN_SEED_LEN]);
CAIRN_API void cairn_keypair_wipe(cairn_keypair *kp);
CAIRN_API void cairn_sign(cairn_sig *sig, const void *msg, size_t n,
                          const cairn_keypair *kp);
/* CAIRN_OK or CAIRN_ERR_BAD_SIG. Rejects non-canonical signatures. */
CAIRN_API cairn_err cairn_verify(const cairn_sig *sig, const void *msg,
                                 size_t n, const cairn_pubkey *pk) CAIRN_WUR;

/* Writes the text address and a NUL into out (CAIRN_ADDR_TEXT_LEN + 1). */
CAIRN_API void cairn_addr_format(char out[CAIRN_ADDR_TEXT_LEN + 1],
                                 const cairn_pubkey *pk);
/* CAIRN_ERR_BAD_ADDRESS on any malformation or checksum mismatch. */
CAIRN_API cairn_err cairn_addr_parse(cairn_pubkey *pk, const char *s) CAIRN_WUR;

/* Key files: one line, "cairn-key-v1 <64 hex of the seed>\n", mode 0600.
 * cairn_key_save refuses to overwrite an existing file. cairn_key_load
 * accepts exactly that line, with "\n", "\r\n" or no line end, and lowercase
 * hex only; anything else is BAD_KEY (docs/encoding.md, "Key files"). */
CAIRN_API cairn_err cairn_key_save(const char *path,
                                   const cairn_keypair *kp) CAIRN_WUR;
CAIRN_API cairn_err cairn_key_load(const char *path,
                                   cairn_keypair *kp) CAIRN_WUR;

#endif
