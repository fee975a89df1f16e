/* Canonical little-endian codec: bounded reader and limited writer. */
#include "cairn/codec.h"

#include <stdlib.h>
#include <string.h>

void cairn_reader_init(cairn_reader *r, const void *p, size_t len)
{
    r->p = p;
    r->len = len;
    r->pos = 0;
    r->err = CAIRN_OK;
}

/* Returns a pointer to the next n bytes and advances, or NULL (and marks the
 * reader failed) when fewer remain. */
static const uint8_t *take(cairn_reader *r, size_t n)
{
    if (r->err)
        return NULL;
    if (r->len - r->pos < n) {
        r->err = CAIRN_ERR_TRUNCATED;
        return NULL;
    }
    const uint8_t *q = r->p + r->pos;
    r->pos += n;
    return q;
}

static uint64_t get_le(cairn_reader *r, size_t n)
{
    const uint8_t *q = take(r, n);
    uint64_t v = 0;
    if (!q)
        return 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)q[i] << (8 * i);
    return v;
}

uint8_t cairn_get_u8(cairn_reader *r)
{
    return (uint8_t)get_le(r, 1);
}
uint16_t cairn_get_u16(cairn_reader *r)
{
    return (uint16_t)get_le(r, 2);
}
uint32_t cairn_get_u32(cairn_reader *r)
{
    return (uint32_t)get_le(r, 4);
}
uint64_t cairn_get_u64(cairn_reader *r)
{
    return get_le(r, 8);
}

void cairn_get_bytes(cairn_reader *r, void *out, size_t n)
{
    const uint8_t *q = take(r, n);
    if (q)
        memcpy(out, q, n);
    else
        memset(out, 0, n);
}

void cairn_get_var(cairn_reader *r, const uint8_t **out, uint32_t *n,
                   uint32_t max)
{
    uint32_t len = cairn_get_u32(r);
    *out = NULL;
    *n = 0;
    if (r->err)
        return;
    if (len > max) {
        r->err = CAIRN_ERR_TOO_LARGE;
        return;
    }
    const uint8_t *q = take(r, len);
    if (q) {
        *out = q;
        *n = len;
    }
}

cairn_err cairn_reader_done(const cairn_reader *r)
{
    if (r->err)
        return r->err;
    return r->pos == r->len ? CAIRN_OK : CAIRN_ERR_TRAILING;
}

void cairn_buf_init(cairn_buf *b, size_t limit)
{
    memset(b, 0, sizeof *b);
    b->limit = limit;
}

void cairn_buf_free(cairn_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

void cairn_buf_reset(cairn_buf *b)
{
    b->len = 0;
    b->err = CAIRN_OK;
}

/* Makes room for n more bytes, doubling capacity, never past the limit. */
static uint8_t *grow(cairn_buf *b, size_t n)
{
    if (b->err)
        return NULL;
    if (n > b->limit || b->len > b->limit - n) {
        b->err = CAIRN_ERR_TOO_LARGE;
        return NULL;
    }
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        if (cap > b->limit)
            cap = b->limit;
        uint8_t *p = realloc(b->p, cap);
        if (!p) {
            b->err = CAIRN_ERR_NOMEM;
            return NULL;
        }
        b->p = p;
        b->cap = cap;
    }
    uint8_t *q = b->p + b->len;
    b->len += n;
    return q;
}

static void put_le(cairn_buf *b, uint64_t v, size_t n)
{
    uint8_t *q = grow(b, n);
    if (!q)
        return;
    for (size_t i = 0; i < n; i++)
        q[i] = (uint8_t)(v >> (8 * i));
}

void cairn_put_u8(cairn_buf *b, uint8_t v)
{
    put_le(b, v, 1);
}
void cairn_put_u16(cairn_buf *b, uint16_t v)
{
    put_le(b, v, 2);
}
void cairn_put_u32(cairn_buf *b, uint32_t v)
{
    put_le(b, v, 4);
}
void cairn_put_u64(cairn_buf *b, uint64_t v)
{
    put_le(b, v, 8);
}

void cairn_put_bytes(cairn_buf *b, const void *p, size_t n)
{
    uint8_t *q = grow(b, n);
    if (q && n)
        memcpy(q, p, n);
}

void cairn_put_var(cairn_buf *b, const void *p, uint32_t n)
{
    cairn_put_u32(b, n);
    cairn_put_bytes(b, p, n);
}

void cairn_hex_encode(char *out, const void *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    const uint8_t *q = p;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[q[i] >> 4];
        out[2 * i + 1] = digits[q[i] & 15];
    }
    out[2 * n] = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

cairn_err cairn_hex_decode(void *out, size_t n, const char *s, size_t slen)
{
    uint8_t *q = out;
    if (slen != 2 * n)
        return CAIRN_ERR_BAD_ARG;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return CAIRN_ERR_BAD_ARG;
        q[i] = (uint8_t)(hi << 4 | lo);
    }
    return CAIRN_OK;
}

cairn_err cairn_hex_decode_alloc(uint8_t **out, size_t *n, const char *s,
                                 size_t max)
{
    size_t slen = strlen(s);
    *out = NULL;
    *n = 0;
    if (slen % 2)
        return CAIRN_ERR_BAD_ARG;
    if (slen / 2 > max)
        return CAIRN_ERR_TOO_LARGE;
    uint8_t *p = malloc(slen / 2 + 1);
    if (!p)
        return CAIRN_ERR_NOMEM;
    cairn_err e = cairn_hex_decode(p, slen / 2, s, slen);
    if (e) {
        free(p);
        return e;
    }
    *out = p;
    *n = slen / 2;
    return CAIRN_OK;
}
