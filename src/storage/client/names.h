/* Internal: a client's file names on chain (docs/storage.md, "Metadata from
 * the chain and the key"). Each file id of the key may have one name record
 * (FILE_NAME, docs/storage-chain.md): a compact JSON object such as
 * {"name":"photos.tar","created":1764763200}, sealed so that the chain and
 * the providers see only the id and the (padded) size:
 *
 *   name key = BLAKE2b-256(key = storage secret, "cairn-name-key-v1")
 *   blob     = [24] random nonce ‖ XChaCha20-Poly1305(name key, nonce,
 *              plaintext, AD = "cairn-name-v1" ‖ [32] owner ‖ [16] id)
 *
 * The plaintext is the JSON text, padded with spaces to a multiple of 64
 * bytes, at most SNAMES_PLAIN_MAX. The blob is bound to its owner and id:
 * moved to another id or account it does not open. */
#ifndef CAIRN_CLIENT_NAMES_H
#define CAIRN_CLIENT_NAMES_H

#include <jansson.h>

#include "storage/client/client.h"

#define SNAMES_PLAIN_MAX 960 /* bytes of JSON one record holds */
#define SNAMES_PAD 64        /* the plaintext is padded to a multiple */
#define SNAMES_NONCE_LEN 24
#define SNAMES_TAG_LEN 16
#define SNAMES_BLOB_MAX (SNAMES_NONCE_LEN + SNAMES_PLAIN_MAX + SNAMES_TAG_LEN)

/* Seals json (a JSON object text, <= 960 bytes) and sends FILE_NAME for id;
 * returns once the transaction is in a block. BAD_ARG when json is not a
 * JSON object, TOO_LARGE when its compact form exceeds 960 bytes (c->why
 * says which). */
cairn_err sclient_name_set(sclient *c, const uint8_t id[CMETA_ID_LEN],
                           const char *json);
/* Deletes the record of id (OK when there is none). Waits for the block. */
cairn_err sclient_name_del(sclient *c, const uint8_t id[CMETA_ID_LEN]);
/* Calls cb for every record of c's key that opens under c's secret (others
 * skipped), in id order; obj is borrowed for the call. cb returns non-zero
 * to stop. */
cairn_err sclient_names(sclient *c,
                        int (*cb)(void *arg, const uint8_t id[CMETA_ID_LEN],
                                  json_t *obj),
                        void *arg);

/* Copies name into out (cap bytes with the NUL), cut short when needed at
 * a UTF-8 character boundary (the client's store keeps CMETA_NAME_MAX
 * bytes of a name; its record on chain may hold a longer one). */
void snames_name_copy(char *out, size_t cap, const char *name);

/* ---- the sealing alone (no node; tests and tools) ---- */

/* The name key of a storage secret. Wipe it after use. */
void snames_key(uint8_t key[32], const uint8_t secret[CAIRN_SECRET_LEN]);
/* Seals plain[0..n) (n <= SNAMES_PLAIN_MAX) for owner and id into blob;
 * *blen gets its length (SNAMES_NONCE_LEN + n + SNAMES_TAG_LEN). */
cairn_err snames_seal(uint8_t blob[SNAMES_BLOB_MAX], size_t *blen,
                      const uint8_t key[32], const cairn_pubkey *owner,
                      const uint8_t id[CMETA_ID_LEN], const uint8_t *plain,
                      size_t n);
/* Opens a blob into a new JSON object (*obj, the caller releases it):
 * BAD_SIG when it does not open under key for owner and id, BAD_JSON when
 * the plaintext is not a JSON object. */
cairn_err snames_open(json_t **obj, const uint8_t key[32],
                      const cairn_pubkey *owner, const uint8_t id[CMETA_ID_LEN],
                      const uint8_t *blob, size_t blen);
/* The padded compact text of a JSON object into out (*n bytes, no NUL):
 * BAD_ARG when json is not an object, TOO_LARGE past SNAMES_PLAIN_MAX. */
cairn_err snames_plain(uint8_t out[SNAMES_PLAIN_MAX], size_t *n,
                       const char *json);

#endif
