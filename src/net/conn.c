/* Framed, encrypted messages over an established connection: frame I/O
 * (conn_internal.h) and cairn_conn_send / recv / finish (cairn/conn.h).
 *
 * A frame is u32 LE ciphertext length ‖ secretstream(type ‖ payload). The
 * length is checked against the caller's bound before anything is
 * allocated or read beyond it. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net/conn_internal.h"
#include "net/conn_io.h"

/* Scratch buffers above this size are freed after use, so that one large
 * message does not pin its memory for the connection's lifetime. */
#define CONN_SCRATCH_KEEP (4u << 20)

cairn_err conn_fail(cairn_conn *c, cairn_err e)
{
    int none = CAIRN_OK;
    if (atomic_compare_exchange_strong(&c->err, &none, (int)e))
        shutdown(c->fd, SHUT_RDWR);
    return (cairn_err)atomic_load(&c->err);
}

/* Grows *buf to at least need bytes (contents not kept). */
static cairn_err scratch(uint8_t **buf, size_t *cap, size_t need)
{
    if (*cap >= need)
        return CAIRN_OK;
    free(*buf);
    *buf = malloc(need);
    *cap = *buf ? need : 0;
    return *buf ? CAIRN_OK : CAIRN_ERR_NOMEM;
}

static void scratch_trim(uint8_t **buf, size_t *cap)
{
    if (*cap > CONN_SCRATCH_KEEP) {
        free(*buf);
        *buf = NULL;
        *cap = 0;
    }
}

cairn_err conn_write_frame(cairn_conn *c, uint8_t type, const void *p, size_t n,
                           uint8_t tag, int64_t deadline)
{
    size_t mlen = n + 1;
    size_t flen =
        CONN_LEN_BYTES + mlen + crypto_secretstream_xchacha20poly1305_ABYTES;
    /* layout: [frame: flen][plaintext: mlen], so that they never overlap */
    if (scratch(&c->sbuf, &c->scap, flen + mlen))
        return conn_fail(c, CAIRN_ERR_NOMEM);
    uint8_t *m = c->sbuf + flen;
    m[0] = type;
    if (n)
        memcpy(m + 1, p, n);
    size_t len = conn_frame_seal(&c->tx, c->sbuf, m, mlen, tag);
    cairn_err e = conn_write_full(c->fd, c->sbuf, len, deadline);
    scratch_trim(&c->sbuf, &c->scap);
    return e ? conn_fail(c, e) : CAIRN_OK;
}

cairn_err conn_read_frame(cairn_conn *c, uint8_t **m, size_t *mlen,
                          uint8_t *tag, size_t max, int64_t deadline)
{
    uint8_t hdr[CONN_LEN_BYTES];
    size_t ct_len = 0;
    cairn_err e = conn_read_full(c->fd, hdr, sizeof hdr, deadline);
    if (!e)
        e = conn_frame_len(&ct_len, hdr, max);
    if (!e)
        e = scratch(&c->rbuf, &c->rcap, ct_len);
    if (!e)
        e = conn_read_full(c->fd, c->rbuf, ct_len, deadline);
    if (e)
        return conn_fail(c, e);
    size_t len = ct_len - crypto_secretstream_xchacha20poly1305_ABYTES;
    uint8_t *out = malloc(len);
    if (!out)
        return conn_fail(c, CAIRN_ERR_NOMEM);
    e = conn_frame_open(&c->rx, out, c->rbuf, ct_len, tag);
    scratch_trim(&c->rbuf, &c->rcap);
    if (e) {
        free(out);
        return conn_fail(c, e);
    }
    *m = out;
    *mlen = len;
    return CAIRN_OK;
}

const cairn_pubkey *cairn_conn_peer(const cairn_conn *c)
{
    return &c->peer;
}

cairn_err cairn_conn_send(cairn_conn *c, uint8_t type, const void *p, size_t n,
                          int timeout_ms)
{
    if (!c || (n && !p) || n > CAIRN_CONN_PAYLOAD_LIMIT || timeout_ms <= 0)
        return CAIRN_ERR_BAD_ARG;
    cairn_err e = (cairn_err)atomic_load(&c->err);
    if (e)
        return e;
    if (c->sent_final)
        return CAIRN_ERR_CLOSED;
    return conn_write_frame(c, type, p, n, CONN_TAG_MESSAGE,
                            conn_deadline(timeout_ms));
}

cairn_err cairn_conn_finish(cairn_conn *c, int timeout_ms)
{
    if (!c || timeout_ms <= 0)
        return CAIRN_ERR_BAD_ARG;
    cairn_err e = (cairn_err)atomic_load(&c->err);
    if (e)
        return e;
    if (c->sent_final)
        return CAIRN_ERR_CLOSED;
    c->sent_final = 1;
    e = conn_write_frame(c, CONN_TYPE_AUTH, NULL, 0, CONN_TAG_FINAL,
                         conn_deadline(timeout_ms));
    if (!e)
        shutdown(c->fd, SHUT_WR);
    return e;
}

cairn_err cairn_conn_recv(cairn_conn *c, uint8_t *type, uint8_t **p, size_t *n,
                          size_t max, int timeout_ms)
{
    uint8_t *m = NULL, tag = 0;
    size_t len = 0;
    if (!c || !type || !p || !n || timeout_ms <= 0 ||
        max > CAIRN_CONN_PAYLOAD_LIMIT)
        return CAIRN_ERR_BAD_ARG;
    cairn_err e = (cairn_err)atomic_load(&c->err);
    if (e)
        return e;
    if (c->recv_final)
        return CAIRN_ERR_CLOSED;
    e = conn_read_frame(c, &m, &len, &tag, max ? max : CAIRN_CONN_DEFAULT_MAX,
                        conn_deadline(timeout_ms));
    if (e)
        return e;
    if (tag == CONN_TAG_FINAL) {
        /* the peer's orderly end: our direction stays open */
        free(m);
        c->recv_final = 1;
        return CAIRN_ERR_CLOSED;
    }
    if (tag != CONN_TAG_MESSAGE) { /* a tag this version never sends */
        free(m);
        return conn_fail(c, CAIRN_ERR_BAD_MAC);
    }
    *type = m[0];
    memmove(m, m + 1, len - 1);
    *p = m;
    *n = len - 1;
    return CAIRN_OK;
}
