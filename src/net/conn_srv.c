/* The server's side of the transport as a state machine over bytes
 * (conn_srv.h): the handshake of docs/storage-transport.md, fed by the
 * caller, and frames opened and sealed in the caller's buffers.
 *
 * In place: libsodium's secretstream pull authenticates the whole
 * ciphertext before it decrypts, and decrypts with a stream cipher XOR
 * from c (ct + 1) into m; with m == c that XOR is in place. Push writes the
 * tag byte at out[0] and XORs m into out + 1, also in place when m is
 * out + 1. tests/unit/test_conn_srv.c checks both against the
 * out-of-place results, so a libsodium that behaved otherwise would fail
 * there and not in the field. */
#include <string.h>

#include "cairn/conn.h"
#include "net/conn_srv.h"

enum { STEP_MAGIC, STEP_HELLO, STEP_AUTH_HDR, STEP_AUTH, STEP_OPEN };

#define AUTH_MLEN (1 + CONN_AUTH_LEN) /* type ‖ auth payload */

void conn_srv_init(conn_srv *s)
{
    memset(s, 0, sizeof *s);
    s->step = STEP_MAGIC;
}

void conn_srv_wipe(conn_srv *s)
{
    sodium_memzero(s, sizeof *s);
}

size_t conn_srv_want(const conn_srv *s)
{
    switch (s->step) {
    case STEP_MAGIC:
        return CONN_MAGIC_LEN;
    case STEP_HELLO:
        return CONN_HELLO_LEN - CONN_MAGIC_LEN;
    case STEP_AUTH_HDR:
        return CONN_STREAM_HEADER_LEN + CONN_LEN_BYTES;
    case STEP_AUTH:
        return s->auth_ct;
    default:
        return 0;
    }
}

/* The client's hello is whole: keys, and our message 2 into s->out. */
static cairn_err answer_hello(conn_srv *s, const cairn_keypair *me)
{
    uint8_t eph[CONN_EPH_LEN], epk[CONN_EPH_LEN], esk[CONN_EPH_LEN];
    uint8_t tx[CONN_KEY_LEN], m[AUTH_MLEN];
    cairn_err e =
        conn_hello_parse(eph, s->hello_c, CONN_HELLO_LEN, CONN_ROLE_CLIENT);
    if (e)
        return e;
    crypto_kx_keypair(epk, esk);
    conn_hello_encode(s->hello_s, CONN_ROLE_SERVER, epk);
    e = conn_derive(s->rx_key, tx, CONN_ROLE_SERVER, epk, esk, eph);
    sodium_memzero(esk, sizeof esk);
    if (e)
        return e;
    memcpy(s->out, s->hello_s, CONN_HELLO_LEN);
    size_t n = CONN_HELLO_LEN;
    crypto_secretstream_xchacha20poly1305_init_push(&s->tx, s->out + n, tx);
    sodium_memzero(tx, sizeof tx);
    n += CONN_STREAM_HEADER_LEN;
    m[0] = CONN_TYPE_AUTH;
    conn_auth_make(m + 1, me, CONN_ROLE_SERVER, s->hello_c, s->hello_s);
    n += conn_frame_seal(&s->tx, s->out + n, m, sizeof m, CONN_TAG_MESSAGE);
    s->out_len = n;
    s->step = STEP_AUTH_HDR;
    return CAIRN_OK;
}

/* The client's stream header and the length of its auth frame. */
static cairn_err take_auth_header(conn_srv *s, const uint8_t *p)
{
    if (crypto_secretstream_xchacha20poly1305_init_pull(&s->rx, p, s->rx_key) !=
        0)
        return CAIRN_ERR_BAD_HELLO;
    sodium_memzero(s->rx_key, sizeof s->rx_key);
    cairn_err e =
        conn_frame_len(&s->auth_ct, p + CONN_STREAM_HEADER_LEN, CONN_AUTH_LEN);
    if (e == CAIRN_ERR_TOO_LARGE)
        return CAIRN_ERR_BAD_HELLO;
    if (e)
        return e;
    s->step = STEP_AUTH;
    return CAIRN_OK;
}

/* The client's auth frame: who it is, proven over both hellos. */
static cairn_err take_auth(conn_srv *s, const uint8_t *p, size_t n)
{
    uint8_t m[CONN_AUTH_LEN + 1], tag = 0;
    size_t mlen = n - crypto_secretstream_xchacha20poly1305_ABYTES;
    cairn_err e = conn_frame_open(&s->rx, m, p, n, &tag);
    if (e)
        return e;
    if (tag != CONN_TAG_MESSAGE || mlen != AUTH_MLEN || m[0] != CONN_TYPE_AUTH)
        return CAIRN_ERR_BAD_HELLO;
    e = conn_auth_verify(&s->peer, m + 1, mlen - 1, CONN_ROLE_CLIENT,
                         s->hello_c, s->hello_s);
    if (!e)
        s->step = STEP_OPEN;
    return e;
}

cairn_err conn_srv_feed(conn_srv *s, const cairn_keypair *me, const uint8_t *p,
                        size_t n)
{
    s->out_len = 0;
    if (n != conn_srv_want(s) || n == 0)
        return CAIRN_ERR_BAD_ARG;
    switch (s->step) {
    case STEP_MAGIC:
        memcpy(s->hello_c, p, n);
        if (memcmp(p, CONN_MAGIC, CONN_MAGIC_LEN) != 0)
            return CAIRN_ERR_BAD_HELLO;
        s->step = STEP_HELLO;
        return CAIRN_OK;
    case STEP_HELLO:
        memcpy(s->hello_c + CONN_MAGIC_LEN, p, n);
        return answer_hello(s, me);
    case STEP_AUTH_HDR:
        return take_auth_header(s, p);
    default:
        return take_auth(s, p, n);
    }
}

cairn_err conn_srv_open(conn_srv *s, uint8_t *ct, size_t ct_len, uint8_t *type,
                        uint8_t **payload, size_t *n)
{
    uint8_t tag = 0;
    if (s->step != STEP_OPEN || ct_len < CONN_CT_OVERHEAD)
        return CAIRN_ERR_BAD_MAC;
    /* m = ct + 1 = the ciphertext proper: decrypted in place */
    if (crypto_secretstream_xchacha20poly1305_pull(&s->rx, ct + 1, NULL, &tag,
                                                   ct, ct_len, NULL, 0) != 0)
        return CAIRN_ERR_BAD_MAC;
    if (tag == CONN_TAG_FINAL)
        return CAIRN_ERR_CLOSED;
    if (tag != CONN_TAG_MESSAGE)
        return CAIRN_ERR_BAD_MAC;
    *type = ct[1];
    *payload = ct + 2;
    *n = ct_len - CONN_CT_OVERHEAD;
    return CAIRN_OK;
}

void conn_srv_seal(conn_srv *s, uint8_t *buf, uint8_t type, size_t n)
{
    size_t mlen = n + 1;
    uint32_t len =
        (uint32_t)(mlen + crypto_secretstream_xchacha20poly1305_ABYTES);
    buf[0] = (uint8_t)len;
    buf[1] = (uint8_t)(len >> 8);
    buf[2] = (uint8_t)(len >> 16);
    buf[3] = (uint8_t)(len >> 24);
    buf[CONN_LEN_BYTES + 1] = type;
    /* m = buf + 5 (type ‖ payload) is where push writes its ciphertext */
    crypto_secretstream_xchacha20poly1305_push(&s->tx, buf + CONN_LEN_BYTES,
                                               NULL, buf + CONN_LEN_BYTES + 1,
                                               mlen, NULL, 0, CONN_TAG_MESSAGE);
}
