/* cairn — a storage provider's piece store on its own disk
 * (docs/storage.md, "Providers").
 *
 * One file per piece, DIR/pieces/<64 hex of the piece root>, holding a
 * 64-byte header and the piece bytes:
 *   [8]  magic "CRNPIECE"
 *   u32  version (1)        u32 reserved (0)
 *   u64  size               piece bytes after the header
 *   u64  stored_at          Unix seconds when the piece was stored
 *   [32] checksum           BLAKE2b-256 of the piece bytes
 * so that the checksum lives beside the bytes and one rename publishes both.
 *
 * Durability: cairn_piecestore_put checks that the bytes hash to the claimed
 * piece root, writes them to DIR/tmp/, fsyncs the file, renames it into
 * DIR/pieces/ and fsyncs that directory; only then does it return CAIRN_OK.
 * A crash before the rename leaves a file in DIR/tmp/ only, which the next
 * cairn_piecestore_open removes: no half-written piece is ever visible.
 * Reads re-check the checksum and refuse damaged pieces (CAIRN_ERR_CORRUPT)
 * rather than serve or prove bad bytes.
 *
 * Accounting: "used" is the sum of the piece files' sizes (headers
 * included) plus the space reserved by puts in progress; a put that would
 * take used above the capacity is refused with CAIRN_ERR_NO_SPACE.
 *
 * Threads: every call may be made from any thread at the same time. */
#ifndef CAIRN_PIECESTORE_H
#define CAIRN_PIECESTORE_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/crypto.h"
#include "cairn/error.h"
#include "cairn/merkle.h"
#include "cairn/piece.h"

#define CAIRN_PIECESTORE_HEADER 64u

typedef struct cairn_piecestore cairn_piecestore;

/* What the store knows of one piece without reading its bytes. */
typedef struct cairn_piece_stat {
    cairn_hash root;
    uint64_t size;      /* piece bytes */
    uint64_t stored_at; /* Unix seconds */
} cairn_piece_stat;

/* Opens (creating DIR, DIR/pieces and DIR/tmp as needed) the store in
 * `dir` with room for `capacity` bytes, removes leftover temporary files
 * and sums the pieces present. *cleaned (may be NULL) receives the number
 * of temporary files removed. Errors: BAD_ARG (capacity 0 or a path too
 * long), IO, NOMEM. The caller owns *out and frees it with
 * cairn_piecestore_close. */
CAIRN_API cairn_err cairn_piecestore_open(cairn_piecestore **out,
                                          const char *dir, uint64_t capacity,
                                          uint64_t *cleaned) CAIRN_WUR;
/* Frees the store; NULL is fine. The files stay. */
CAIRN_API void cairn_piecestore_close(cairn_piecestore *ps);

/* Stores `size` bytes (1..CAIRN_PIECE_MAX) as the piece `root`. BAD_PROOF if
 * the bytes do not hash to root (nothing is written), NO_SPACE over the
 * capacity, IO if the disk fails (nothing is left behind). Storing a piece
 * that is already present and intact is CAIRN_OK and changes nothing. */
CAIRN_API cairn_err cairn_piecestore_put(cairn_piecestore *ps,
                                         const cairn_hash *root,
                                         const uint8_t *bytes,
                                         size_t size) CAIRN_WUR;

/* Reads piece `root` and checks its checksum. On success *bytes is a new
 * malloc'd buffer of *size bytes that the caller frees. NOT_FOUND, CORRUPT
 * (checksum or header wrong; nothing is returned), IO, NOMEM. */
CAIRN_API cairn_err cairn_piecestore_get(cairn_piecestore *ps,
                                         const cairn_hash *root,
                                         uint8_t **bytes,
                                         size_t *size) CAIRN_WUR;

/* The header of piece `root` (no checksum check): NOT_FOUND, CORRUPT for a
 * malformed header, IO. */
CAIRN_API cairn_err cairn_piecestore_stat(cairn_piecestore *ps,
                                          const cairn_hash *root,
                                          cairn_piece_stat *st) CAIRN_WUR;

/* A storage proof for leaf `index` of piece `root` (cairn_piece_prove),
 * from the bytes on disk after their checksum is checked. NOT_FOUND,
 * CORRUPT, BAD_ARG (index past the last leaf), IO, NOMEM. */
CAIRN_API cairn_err cairn_piecestore_prove(cairn_piecestore *ps,
                                           const cairn_hash *root,
                                           uint64_t index,
                                           uint8_t leaf[CAIRN_LEAF_SIZE],
                                           cairn_merkle_proof *pf) CAIRN_WUR;

/* Removes piece `root` and gives back its space: NOT_FOUND, IO. */
CAIRN_API cairn_err cairn_piecestore_delete(cairn_piecestore *ps,
                                            const cairn_hash *root) CAIRN_WUR;

/* Bytes in use (piece files plus reservations) and the capacity. */
CAIRN_API void cairn_piecestore_usage(cairn_piecestore *ps, uint64_t *used,
                                      uint64_t *capacity);
/* Piece bytes that one more piece of `size` bytes would take on disk. */
CAIRN_API uint64_t cairn_piecestore_cost(uint64_t size);

/* Every piece in the store, in no particular order: *out is a new malloc'd
 * array of *n entries (NULL when n is 0) that the caller frees. Pieces
 * with a malformed header are left out. IO, NOMEM. */
CAIRN_API cairn_err cairn_piecestore_list(cairn_piecestore *ps,
                                          cairn_piece_stat **out,
                                          size_t *n) CAIRN_WUR;

#endif
