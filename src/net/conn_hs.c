/* The handshake (docs/storage-transport.md, "Handshake"):
 *
 *   1. client -> server: hello_c
 *   2. server -> client: hello_s ‖ header_s ‖ frame(AUTH: id_s ‖ sig_s)
 *   3. client -> server: header_c ‖ frame(AUTH: id_c ‖ sig_c)
 *
 * Keys come from crypto_kx over the ephemerals in the hellos; each side's
 * identity and signature travel inside the first encrypted frame of its
 * direction, so that they are bound to the session key (no identity
 * misbinding) and hidden from passive observers. The client checks the
 * server's identity before revealing its own. */
#include <stdlib.h>
#include <string.h>

#include "net/conn_internal.h"
#include "net/conn_io.h"
#include "net/conn_srv.h"

#define AUTH_MLEN (1 + CONN_AUTH_LEN) /* type ‖ auth payload */
#define AUTH_FRAME_LEN                                                         \
    (CONN_LEN_BYTES + AUTH_MLEN + crypto_secretstream_xchacha20poly1305_ABYTES)

/* Reads a hello from want_role, its magic first so that a peer speaking
 * another protocol is refused at once (not at the deadline). */
static cairn_err read_hello(cairn_conn *c, uint8_t hello[CONN_HELLO_LEN],
                            uint8_t eph[CONN_EPH_LEN], uint8_t want_role,
                            int64_t deadline)
{
    cairn_err e = conn_read_full(c->fd, hello, CONN_MAGIC_LEN, deadline);
    if (!e && conn_hello_parse(eph, hello, CONN_MAGIC_LEN, want_role) ==
                  CAIRN_ERR_BAD_HELLO)
        e = CAIRN_ERR_BAD_HELLO;
    if (!e)
        e = conn_read_full(c->fd, hello + CONN_MAGIC_LEN,
                           CONN_HELLO_LEN - CONN_MAGIC_LEN, deadline);
    if (!e)
        e = conn_hello_parse(eph, hello, CONN_HELLO_LEN, want_role);
    return e;
}

/* Writes prefix ‖ stream header ‖ AUTH frame, starting c->tx with key. */
static cairn_err send_auth(cairn_conn *c, const cairn_keypair *me, uint8_t role,
                           const uint8_t *hello_c, const uint8_t *hello_s,
                           const uint8_t *key, const uint8_t *prefix,
                           size_t plen, int64_t deadline)
{
    uint8_t out[CONN_HELLO_LEN + CONN_STREAM_HEADER_LEN + AUTH_FRAME_LEN];
    uint8_t m[AUTH_MLEN];
    if (plen)
        memcpy(out, prefix, plen);
    crypto_secretstream_xchacha20poly1305_init_push(&c->tx, out + plen, key);
    m[0] = CONN_TYPE_AUTH;
    conn_auth_make(m + 1, me, role, hello_c, hello_s);
    size_t n = plen + CONN_STREAM_HEADER_LEN;
    n += conn_frame_seal(&c->tx, out + n, m, sizeof m, CONN_TAG_MESSAGE);
    return conn_write_full(c->fd, out, n, deadline);
}

/* Reads the peer's stream header and AUTH frame; sets c->peer. */
static cairn_err read_auth(cairn_conn *c, uint8_t signer_role,
                           const uint8_t *hello_c, const uint8_t *hello_s,
                           const uint8_t *key, int64_t deadline)
{
    uint8_t hdr[CONN_STREAM_HEADER_LEN], *m = NULL, tag = 0;
    size_t mlen = 0;
    cairn_err e = conn_read_full(c->fd, hdr, sizeof hdr, deadline);
    if (e)
        return e;
    if (crypto_secretstream_xchacha20poly1305_init_pull(&c->rx, hdr, key))
        return CAIRN_ERR_BAD_HELLO;
    e = conn_read_frame(c, &m, &mlen, &tag, CONN_AUTH_LEN, deadline);
    if (e == CAIRN_ERR_TOO_LARGE)
        return CAIRN_ERR_BAD_HELLO;
    if (e)
        return e;
    if (tag != CONN_TAG_MESSAGE || mlen != AUTH_MLEN || m[0] != CONN_TYPE_AUTH)
        e = CAIRN_ERR_BAD_HELLO;
    else
        e = conn_auth_verify(&c->peer, m + 1, mlen - 1, signer_role, hello_c,
                             hello_s);
    free(m);
    return e;
}

cairn_err conn_handshake_client(cairn_conn *c, const cairn_keypair *me,
                                const cairn_pubkey *expect_peer,
                                int64_t deadline)
{
    uint8_t epk[CONN_EPH_LEN], esk[CONN_EPH_LEN], peer_eph[CONN_EPH_LEN];
    uint8_t rx[CONN_KEY_LEN], tx[CONN_KEY_LEN];
    uint8_t hc[CONN_HELLO_LEN], hs[CONN_HELLO_LEN];
    crypto_kx_keypair(epk, esk);
    conn_hello_encode(hc, CONN_ROLE_CLIENT, epk);
    cairn_err e = conn_write_full(c->fd, hc, sizeof hc, deadline);
    if (!e)
        e = read_hello(c, hs, peer_eph, CONN_ROLE_SERVER, deadline);
    if (!e)
        e = conn_derive(rx, tx, CONN_ROLE_CLIENT, epk, esk, peer_eph);
    sodium_memzero(esk, sizeof esk);
    if (!e)
        e = read_auth(c, CONN_ROLE_SERVER, hc, hs, rx, deadline);
    if (!e && expect_peer &&
        sodium_memcmp(expect_peer->b, c->peer.b, CAIRN_PK_LEN) != 0)
        e = CAIRN_ERR_PEER_MISMATCH;
    if (!e)
        e = send_auth(c, me, CONN_ROLE_CLIENT, hc, hs, tx, NULL, 0, deadline);
    sodium_memzero(rx, sizeof rx);
    sodium_memzero(tx, sizeof tx);
    return e ? conn_fail(c, e) : CAIRN_OK;
}

/* The server's side runs on the state machine an event loop uses too
 * (conn_srv.h), here with blocking reads and writes under one deadline. */
cairn_err conn_handshake_server(cairn_conn *c, const cairn_keypair *me,
                                int64_t deadline)
{
    conn_srv s;
    uint8_t in[CONN_STREAM_HEADER_LEN + CONN_LEN_BYTES + AUTH_MLEN +
               crypto_secretstream_xchacha20poly1305_ABYTES];
    cairn_err e = CAIRN_OK;
    size_t want;
    conn_srv_init(&s);
    while (!e && (want = conn_srv_want(&s)) > 0) {
        e = want <= sizeof in ? conn_read_full(c->fd, in, want, deadline)
                              : CAIRN_ERR_BAD_HELLO;
        if (!e)
            e = conn_srv_feed(&s, me, in, want);
        if (!e && s.out_len)
            e = conn_write_full(c->fd, s.out, s.out_len, deadline);
    }
    if (!e) {
        c->tx = s.tx;
        c->rx = s.rx;
        c->peer = s.peer;
    }
    conn_srv_wipe(&s);
    return e ? conn_fail(c, e) : CAIRN_OK;
}
