/* cairn — the storage client's data path (docs/storage.md, "Data path").
 *
 * A file of `size` plaintext bytes is cut into segments of segment_size
 * bytes (the last one shorter; an empty file is one empty segment). Each
 * segment is encrypted and authenticated with XChaCha20-Poly1305 under a key
 * derived per file, zero-padded to k x piece_size bytes and erasure-coded
 * (Reed-Solomon, systematic, ISA-L) into n pieces of piece_size bytes; any k
 * of them rebuild the segment. Each piece is committed to by its piece root
 * (cairn/piece.h), which deals record on chain and storage proofs answer to.
 *
 * Putting a file (piece i of every segment goes to provider i):
 *     cairn_file_info fi;
 *     cairn_file_info_init(&fi, &params, file_size);     // random nonce
 *     cairn_layout *l;
 *     cairn_layout_new(&l, &fi, secret);
 *     for (s = 0; s < cairn_layout_segments(&fi); s++) {
 *         cairn_layout_sizes(&fi, s, &sz);
 *         read sz.plain bytes of the file into plain;
 *         cairn_layout_encode(l, s, plain, sz.plain, pieces, cap, roots);
 *         piece i = pieces + i * sz.piece (sz.piece bytes), root roots[i];
 *     }
 *     cairn_layout_free(l);
 *   Keep fi (k, n, segment_size, size, nonce: none of it is secret) and the
 *   roots; the secret stays with the user.
 * Getting it back: the same fi and secret; for each segment fetch pieces,
 * drop any that fails cairn_piece_check against its recorded root, and pass
 * any k good ones to cairn_layout_decode.
 *
 * A cairn_layout is not thread-safe (it holds a scratch buffer); use one per
 * thread. All sizes below are in bytes. */
#ifndef CAIRN_LAYOUT_H
#define CAIRN_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/crypto.h"
#include "cairn/error.h"
#include "cairn/piece.h"

#define CAIRN_SECRET_LEN 32      /* the user's storage secret */
#define CAIRN_FILE_KEY_LEN 32    /* XChaCha20-Poly1305 key of one file */
#define CAIRN_FILE_NONCE_LEN 24  /* random per file upload; public */
#define CAIRN_SEGMENT_TAG_LEN 16 /* Poly1305 tag added to every segment */

#define CAIRN_SEGMENT_DEFAULT (4u << 20) /* 4 MiB */
#define CAIRN_SEGMENT_MIN 1024u          /* 1 KiB */
#define CAIRN_SEGMENT_MAX                                                      \
    (32u << 20)            /* 32 MiB: keeps k = 1 pieces                       \
                              below CAIRN_PIECE_MAX */
#define CAIRN_RS_MAX_N 255 /* GF(2^8) Cauchy code: 1 <= k < n <= 255 */

typedef struct cairn_layout_params {
    uint32_t k;            /* pieces that rebuild a segment: 1 <= k < n */
    uint32_t n;            /* pieces made per segment: n <= CAIRN_RS_MAX_N */
    uint32_t segment_size; /* CAIRN_SEGMENT_MIN..CAIRN_SEGMENT_MAX */
} cairn_layout_params;

/* Everything but the secret that is needed to decode a file again. */
typedef struct cairn_file_info {
    cairn_layout_params p;
    uint64_t size;                       /* plaintext bytes of the file */
    uint8_t nonce[CAIRN_FILE_NONCE_LEN]; /* the file key's salt */
} cairn_file_info;

/* The sizes of one segment. */
typedef struct cairn_segment_sizes {
    uint32_t plain;  /* plaintext bytes (0 only for an empty file) */
    uint32_t cipher; /* plain + CAIRN_SEGMENT_TAG_LEN */
    uint32_t piece;  /* ceil(cipher / k): bytes of each of the n pieces */
} cairn_segment_sizes;

/* CAIRN_OK if the parameters are within the bounds above, else BAD_ARG. */
CAIRN_API cairn_err
cairn_layout_params_check(const cairn_layout_params *p) CAIRN_WUR;

/* Fills fi for a new upload of `size` bytes with parameters p and a fresh
 * random nonce (never reuse a nonce with the same secret). BAD_ARG if p is
 * out of bounds. */
CAIRN_API cairn_err cairn_file_info_init(cairn_file_info *fi,
                                         const cairn_layout_params *p,
                                         uint64_t size) CAIRN_WUR;

/* Number of segments: max(1, ceil(size / segment_size)). fi->p must be
 * valid (0 if not). */
CAIRN_API uint64_t cairn_layout_segments(const cairn_file_info *fi);

/* The sizes of segment `seg`. BAD_ARG if fi->p is out of bounds or seg is
 * not below cairn_layout_segments(fi). */
CAIRN_API cairn_err cairn_layout_sizes(const cairn_file_info *fi, uint64_t seg,
                                       cairn_segment_sizes *out) CAIRN_WUR;

/* file key = BLAKE2b-256 keyed with `secret`, over
 * "cairn-file-key" ‖ nonce (docs/storage.md). Wipe it after use. */
CAIRN_API void cairn_file_key(uint8_t key[CAIRN_FILE_KEY_LEN],
                              const uint8_t secret[CAIRN_SECRET_LEN],
                              const uint8_t nonce[CAIRN_FILE_NONCE_LEN]);

/* The encoder/decoder of one file: its info, its key and Reed-Solomon
 * tables, and a scratch buffer of k x (full segment's piece size) bytes. */
typedef struct cairn_layout cairn_layout;

/* Allocates *out for the file fi (copied) under `secret` (not kept; the
 * derived key is). BAD_ARG if fi->p is out of bounds, NOMEM. The caller owns
 * *out and frees it with cairn_layout_free. */
CAIRN_API cairn_err
cairn_layout_new(cairn_layout **out, const cairn_file_info *fi,
                 const uint8_t secret[CAIRN_SECRET_LEN]) CAIRN_WUR;
/* Wipes the key and frees everything; NULL is fine. */
CAIRN_API void cairn_layout_free(cairn_layout *l);
/* The file info the layout was made with. */
CAIRN_API const cairn_file_info *cairn_layout_info(const cairn_layout *l);

/* Encrypts and erasure-codes segment `seg`, whose plaintext is `plain` of
 * exactly sizes.plain bytes. Writes the n pieces back to back into the
 * caller's `pieces` (piece i at pieces + i * sizes.piece; pieces_cap >=
 * n * sizes.piece; it must not overlap plain) and their roots into the
 * caller's roots[0..n-1]. BAD_ARG for a wrong segment, length or capacity. */
CAIRN_API cairn_err cairn_layout_encode(cairn_layout *l, uint64_t seg,
                                        const uint8_t *plain, size_t plain_len,
                                        uint8_t *pieces, size_t pieces_cap,
                                        cairn_hash *roots) CAIRN_WUR;

/* One fetched piece of a segment; the bytes are the caller's and are
 * sizes.piece long. */
typedef struct cairn_piece_in {
    uint32_t index;       /* which of the segment's n pieces: 0..n-1 */
    const uint8_t *bytes; /* sizes.piece bytes */
} cairn_piece_in;

/* Rebuilds and decrypts segment `seg` from `count` pieces in[] (any order;
 * the first k distinct indices in ascending order are used, data pieces
 * first) into the caller's `plain` (plain_cap >= sizes.plain; exactly
 * sizes.plain bytes are written). FEW_PIECES if fewer than k distinct
 * pieces are given; BAD_ARG for an index >= n, a repeated index, a wrong
 * segment or capacity; DECRYPT if the rebuilt segment does not
 * authenticate (a wrong piece, or a wrong key, nonce, size or segment) —
 * pieces checked with cairn_piece_check first cannot cause it. */
CAIRN_API cairn_err cairn_layout_decode(cairn_layout *l, uint64_t seg,
                                        const cairn_piece_in *in, size_t count,
                                        uint8_t *plain,
                                        size_t plain_cap) CAIRN_WUR;

/* Repair: rebuilds piece `want` (0..n-1) of segment `seg` from any k
 * distinct pieces in[] into the caller's `out` (sizes.piece bytes), without
 * decrypting. Errors as cairn_layout_decode, but never DECRYPT: check the
 * result against its recorded root. */
CAIRN_API cairn_err cairn_layout_repair(cairn_layout *l, uint64_t seg,
                                        const cairn_piece_in *in, size_t count,
                                        uint32_t want, uint8_t *out) CAIRN_WUR;

#endif
