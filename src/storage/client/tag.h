/* Internal: what makes a file's metadata recoverable from the chain and the
 * user's key (docs/storage.md, "Using storage").
 *
 *   secret     = BLAKE2b-256(key = the Ed25519 seed of the user's key,
 *                            "cairn-storage-secret-v1")
 *   file nonce = BLAKE2b-192(key = secret, "cairn-file-nonce-v1" ‖ file id)
 *   file tag   = [16] file id ‖ u8 k ‖ u8 n ‖ u16 segment_size / 1024 ‖
 *                u64 size ‖ [4] check                   (32 bytes, LE)
 *   check      = BLAKE2b-256(key = secret, "cairn-file-tag-v1" ‖ the 28
 *                bytes before it)[0..4]
 *
 * Every deal of a file carries its tag (and the piece's segment and index),
 * so the chain's list of a client's deals, read with the user's key, gives
 * back each file's cairn_file_info and each piece's deal: everything but
 * the file's name. The check tells the client's own tags from anything
 * else a deal might carry. */
#ifndef CAIRN_CLIENT_TAG_H
#define CAIRN_CLIENT_TAG_H

#include <stdint.h>

#include "cairn/layout.h"
#include "storage/client/meta.h"

/* The storage secret of a key. Wipe it after use. */
void ctag_secret(uint8_t secret[CAIRN_SECRET_LEN], const cairn_keypair *kp);

/* Makes the file info and tag of a new file of `size` bytes with a fresh
 * random id (out: id). BAD_ARG if p is out of bounds or its segment size
 * is not a multiple of 1024, or k or n exceeds 255. */
cairn_err ctag_new(cairn_file_info *fi, cairn_hash *tag,
                   uint8_t id[CMETA_ID_LEN], const cairn_layout_params *p,
                   uint64_t size, const uint8_t secret[CAIRN_SECRET_LEN]);

/* Reads a tag back: BAD_ARG when its check fails under this secret (not
 * one of ours) or its parameters are out of bounds. */
cairn_err ctag_open(cairn_file_info *fi, uint8_t id[CMETA_ID_LEN],
                    const cairn_hash *tag,
                    const uint8_t secret[CAIRN_SECRET_LEN]);

/* Reads a tag's id and parameters without the secret (a reader that was
 * given one file's key, e.g. a compute provider fetching a tenant's input):
 * nothing tells it is the tenant's own, but a wrong tag cannot decrypt.
 * fi->nonce is left zero. BAD_ARG when its parameters are out of bounds. */
cairn_err ctag_read(cairn_file_info *fi, uint8_t id[CMETA_ID_LEN],
                    const cairn_hash *tag);

/* The file key of file `id` under secret (what its segments are sealed
 * with): the capability to read that file alone. Wipe it after use. */
void ctag_file_key(uint8_t key[CAIRN_FILE_KEY_LEN],
                   const uint8_t id[CMETA_ID_LEN],
                   const uint8_t secret[CAIRN_SECRET_LEN]);

#endif
