/* libFuzzer target for the storage client<->provider messages
 * (sectors/storage/proto.c, include/cairn/storage_proto.h).
 *
 * The first byte is the message type the bytes after it are decoded as
 * (what the provider or client does with a frame of that type). Any input
 * must decode to OK or BAD_MSG without crashing or reading past the input.
 * When it decodes, the encoding is canonical: encoding the decoded message
 * gives back exactly the input bytes, and a borrowed piece or ticket lies
 * inside the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/storage_proto.h"

/* Aborts unless b holds exactly p[0..n). */
static void same(const cairn_buf *b, const uint8_t *p, size_t n)
{
    if (b->err || b->len != n || (n && memcmp(b->p, p, n) != 0))
        abort();
}

static void inside(const uint8_t *x, size_t xn, const uint8_t *p, size_t n)
{
    if (xn && (x < p || x + xn > p + n))
        abort();
}

/* Decodes p as message `type`; re-encodes into b when it decodes. */
static cairn_err round_trip(uint8_t type, const uint8_t *p, size_t n,
                            cairn_buf *b)
{
    cairn_err e = CAIRN_ERR_BAD_MSG;
    if (type == CAIRN_SP_ASK) {
        e = cairn_sp_ask_decode(p, n);
    } else if (type == CAIRN_SP_INFO) {
        cairn_sp_info m;
        if (!(e = cairn_sp_info_decode(&m, p, n)))
            cairn_sp_info_encode(b, &m);
    } else if (type == CAIRN_SP_STORE) {
        cairn_sp_store m;
        if (!(e = cairn_sp_store_decode(&m, p, n))) {
            inside(m.piece, m.piece_len, p, n);
            if (m.piece_len && m.piece_len != m.size)
                abort();
            cairn_sp_store_encode(b, &m);
        }
    } else if (type == CAIRN_SP_FETCH) {
        cairn_sp_fetch m;
        if (!(e = cairn_sp_fetch_decode(&m, p, n))) {
            inside(m.ticket, m.ticket_len, p, n);
            if (m.ticket_len > CAIRN_TICKET_MAX_BYTES ||
                (m.ticket_len == 0) != (m.ticket == NULL))
                abort();
            cairn_sp_fetch_encode(b, &m);
        }
    } else if (type == CAIRN_SP_SIGNED) {
        cairn_sig s;
        if (!(e = cairn_sp_signed_decode(&s, p, n)))
            cairn_sp_signed_encode(b, &s);
    } else if (type == CAIRN_SP_PIECE) {
        const uint8_t *piece;
        uint32_t len;
        if (!(e = cairn_sp_piece_decode(&piece, &len, p, n))) {
            inside(piece, len, p, n);
            cairn_sp_piece_encode(b, piece, len);
        }
    } else {
        cairn_sp_error m;
        if (!(e = cairn_sp_error_decode(&m, p, n))) {
            if (strlen(m.msg) > CAIRN_SP_ERRMSG_MAX)
                abort();
            (void)cairn_sp_error_code(&m);
            cairn_sp_error_encode(b, (cairn_err)m.code, m.msg);
        }
    }
    return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t n = size - 1;
    /* an exact-size heap copy, so that ASan catches any overread */
    uint8_t *p = malloc(n ? n : 1);
    if (!p)
        return 0;
    memcpy(p, data + 1, n);
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_SP_MSG_MAX);
    cairn_err e = round_trip(data[0], p, n, &b);
    if (e == CAIRN_OK && data[0] != CAIRN_SP_ASK)
        same(&b, p, n);
    if (e != CAIRN_OK && e != CAIRN_ERR_BAD_MSG)
        abort();
    cairn_buf_free(&b);
    free(p);
    return 0;
}
