/* Internal: the piece store's state and file helpers, shared by
 * piecestore.c (open, put, accounting) and piecestore_read.c (get, stat,
 * prove, delete, list). */
#ifndef CAIRN_PIECESTORE_INTERNAL_H
#define CAIRN_PIECESTORE_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include "cairn/piecestore.h"

#define PS_PATH_MAX 4096
#define PS_DIR_MAX (PS_PATH_MAX - 128) /* room for "/" + 64 hex + ".XXXXXX" */
#define PS_MAGIC "CRNPIECE"
#define PS_VERSION 1u
#define PS_HASH_CHUNK (64u << 10) /* put hashes root and checksum per chunk */

struct cairn_piecestore {
    char dir[PS_DIR_MAX];    /* the store's directory */
    char pieces[PS_DIR_MAX]; /* DIR/pieces */
    char tmp[PS_DIR_MAX];    /* DIR/tmp */
    uint64_t capacity;
    pthread_mutex_t lock; /* guards used and reserved */
    uint64_t used;        /* bytes of piece files present */
    uint64_t reserved;    /* bytes promised to puts in progress */
};

/* A decoded piece file header. */
typedef struct ps_header {
    uint64_t size;
    uint64_t stored_at;
    cairn_hash checksum;
} ps_header;

/* Writes DIR/pieces/<hex root> into out (PS_PATH_MAX). */
void ps_piece_path(const cairn_piecestore *ps, const cairn_hash *root,
                   char out[PS_PATH_MAX]);
/* Encodes / decodes the 64-byte header. ps_header_decode returns CORRUPT
 * for a wrong magic, version or a size over CAIRN_PIECE_MAX or 0. */
void ps_header_encode(uint8_t out[CAIRN_PIECESTORE_HEADER], const ps_header *h);
cairn_err ps_header_decode(ps_header *h,
                           const uint8_t in[CAIRN_PIECESTORE_HEADER]);
/* Reads the header of the open piece file fd and checks it against the
 * file's length (CORRUPT if they disagree). IO on a read error. */
cairn_err ps_read_header(int fd, ps_header *h);
/* Reads exactly n bytes at offset off (IO, or CORRUPT if the file is
 * shorter). */
cairn_err ps_pread_all(int fd, void *p, size_t n, uint64_t off);
/* fsyncs a directory. */
cairn_err ps_sync_dir(const char *path);
/* 1 if name is exactly 64 lowercase hex digits (a piece file's name). */
int ps_is_piece_name(const char *name);

#endif
