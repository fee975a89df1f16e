/* cairn — canonical binary codec.
 *
 * Integers are little-endian and fixed width. Variable-length byte strings
 * are a u32 length followed by the bytes, and every reader call takes the
 * bound that length may not exceed. A reader that fails once stays failed
 * (like an LMDB transaction after an error): later reads return zeros and
 * the first error is kept, so a decoder can read a whole structure and check
 * `r->err` once at the end. */
#ifndef CAIRN_CODEC_H
#define CAIRN_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"

typedef struct cairn_reader {
    const uint8_t *p;
    size_t len;
    size_t pos;
    cairn_err err;
} cairn_reader;

CAIRN_API void cairn_reader_init(cairn_reader *r, const void *p, size_t len);
CAIRN_API uint8_t cairn_get_u8(cairn_reader *r);
CAIRN_API uint16_t cairn_get_u16(cairn_reader *r);
CAIRN_API uint32_t cairn_get_u32(cairn_reader *r);
CAIRN_API uint64_t cairn_get_u64(cairn_reader *r);
/* Copies exactly n bytes into out (zeros on failure). */
CAIRN_API void cairn_get_bytes(cairn_reader *r, void *out, size_t n);
/* Reads a u32 length then that many bytes; fails with CAIRN_ERR_TOO_LARGE
 * when the length exceeds max. *out points into the reader's buffer (not a
 * copy): it lives as long as that buffer. */
CAIRN_API void cairn_get_var(cairn_reader *r, const uint8_t **out, uint32_t *n,
                             uint32_t max);
/* CAIRN_OK when no error happened and every byte was read; else the first
 * error, or CAIRN_ERR_TRAILING. */
CAIRN_API cairn_err cairn_reader_done(const cairn_reader *r) CAIRN_WUR;

/* A growable output buffer with a hard limit. It owns `p` (free with
 * cairn_buf_free). After an error (NOMEM, TOO_LARGE) further writes are
 * ignored and `err` keeps the first error. */
typedef struct cairn_buf {
    uint8_t *p;
    size_t len;
    size_t cap;
    size_t limit;
    cairn_err err;
} cairn_buf;

CAIRN_API void cairn_buf_init(cairn_buf *b, size_t limit);
CAIRN_API void cairn_buf_free(cairn_buf *b);
CAIRN_API void cairn_buf_reset(cairn_buf *b);
CAIRN_API void cairn_put_u8(cairn_buf *b, uint8_t v);
CAIRN_API void cairn_put_u16(cairn_buf *b, uint16_t v);
CAIRN_API void cairn_put_u32(cairn_buf *b, uint32_t v);
CAIRN_API void cairn_put_u64(cairn_buf *b, uint64_t v);
CAIRN_API void cairn_put_bytes(cairn_buf *b, const void *p, size_t n);
CAIRN_API void cairn_put_var(cairn_buf *b, const void *p, uint32_t n);

/* Hex helpers. cairn_hex_encode writes 2n chars and a NUL into out (size
 * >= 2n+1). cairn_hex_decode needs exactly 2n hex chars in s (length slen). */
CAIRN_API void cairn_hex_encode(char *out, const void *p, size_t n);
CAIRN_API cairn_err cairn_hex_decode(void *out, size_t n, const char *s,
                                     size_t slen) CAIRN_WUR;
/* Decodes a hex string of any even length up to max bytes into a new
 * malloc'd buffer that the caller frees. */
CAIRN_API cairn_err cairn_hex_decode_alloc(uint8_t **out, size_t *n,
                                           const char *s, size_t max) CAIRN_WUR;

#endif
