/* Internal: per-segment encryption of the storage data path
 * (docs/storage.md). XChaCha20-Poly1305 (IETF), combined mode: the cipher
 * text is the encrypted plaintext followed by the 16-byte tag.
 *   nonce = LE64(seg) ‖ 16 zero bytes           (unique per segment; the
 *                                                key is unique per file)
 *   AD    = "cairn-segment-v1" ‖ LE64(seg) ‖ LE64(file size)
 *           ‖ LE32(segment_size)                 (36 bytes) */
#ifndef CAIRN_STORAGE_CRYPT_H
#define CAIRN_STORAGE_CRYPT_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/layout.h"

#define STORAGE_AD_LEN 36

/* Where in a file a segment sits; bound into its AD. */
typedef struct storage_seg_id {
    uint64_t seg;          /* segment index */
    uint64_t file_size;    /* plaintext bytes of the whole file */
    uint32_t segment_size; /* the file's segment size */
} storage_seg_id;

/* out (len + CAIRN_SEGMENT_TAG_LEN bytes) = the sealed segment. out may not
 * overlap plain. */
void storage_seal(uint8_t *out, const uint8_t *plain, size_t len,
                  const uint8_t key[CAIRN_FILE_KEY_LEN],
                  const storage_seg_id *id);
/* plain (clen - CAIRN_SEGMENT_TAG_LEN bytes) = the opened segment; DECRYPT
 * if it does not authenticate (plain is then zeroed), BAD_ARG if clen is
 * shorter than a tag. */
cairn_err storage_open(uint8_t *plain, const uint8_t *cipher, size_t clen,
                       const uint8_t key[CAIRN_FILE_KEY_LEN],
                       const storage_seg_id *id) CAIRN_WUR;

#endif
