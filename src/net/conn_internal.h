/* The connection object and the frame I/O shared by the handshake
 * (conn_hs.c) and the message calls (conn.c). Internal to src/net. */
#ifndef CAIRN_NET_CONN_INTERNAL_H
#define CAIRN_NET_CONN_INTERNAL_H

#include <stdatomic.h>

#include "cairn/conn.h"
#include "net/frame.h"

struct cairn_conn {
    int fd;
    _Atomic int err;    /* first error; the connection is dead after it */
    int sent_final;     /* sender side: cairn_conn_finish was called */
    int recv_final;     /* receiver side: the peer's final frame came */
    cairn_pubkey peer;  /* set by the handshake */
    conn_stream tx, rx; /* one secretstream per direction */
    uint8_t *sbuf;      /* send scratch: frame ‖ plaintext */
    size_t scap;
    uint8_t *rbuf; /* receive scratch: one frame's ciphertext */
    size_t rcap;
};

/* Records e as the connection's error unless one is already recorded,
 * shuts the socket down both ways, and returns the recorded error. */
cairn_err conn_fail(cairn_conn *c, cairn_err e);

/* Seals and writes one frame of type ‖ payload with the given
 * secretstream tag. Any failure kills the connection. */
cairn_err conn_write_frame(cairn_conn *c, uint8_t type, const void *p, size_t n,
                           uint8_t tag, int64_t deadline) CAIRN_WUR;
/* Reads and opens one frame whose payload may not exceed max. On success
 * *m is a new malloc'd buffer of *mlen >= 1 bytes (type ‖ payload) that
 * the caller frees. Any failure kills the connection. */
cairn_err conn_read_frame(cairn_conn *c, uint8_t **m, size_t *mlen,
                          uint8_t *tag, size_t max, int64_t deadline) CAIRN_WUR;

/* The handshakes (conn_hs.c). They fill c->tx, c->rx and c->peer. */
cairn_err conn_handshake_client(cairn_conn *c, const cairn_keypair *me,
                                const cairn_pubkey *expect_peer,
                                int64_t deadline) CAIRN_WUR;
cairn_err conn_handshake_server(cairn_conn *c, const cairn_keypair *me,
                                int64_t deadline) CAIRN_WUR;

#endif
