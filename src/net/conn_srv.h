/* Internal: the server's side of the transport (docs/storage-transport.md)
 * for a caller that owns the socket, such as an event loop serving many
 * connections on one thread. No socket, no clock, no allocation: the
 * caller reads bytes, feeds them, and writes what comes out.
 *
 * Handshake: while conn_srv_want(s) > 0, read exactly that many bytes and
 * pass them to conn_srv_feed; after a feed that leaves s->out_len > 0,
 * send those bytes (message 2) before anything else. The steps are the
 * hello's magic (4 bytes, so that another protocol is refused at once),
 * the rest of the hello (34), the client's stream header and its auth
 * frame's length (28), and the auth frame (its length). When want is 0 the
 * connection is open and s->peer is the identity the client proved.
 *
 * Frames: the caller reads a frame's 4-byte length (conn_frame_len, with
 * its own bound), then the ciphertext, and opens it in place with
 * conn_srv_open. A reply is built in place too: a buffer of
 * CONN_SRV_FRAME_LEN(n) bytes with the payload written at
 * CONN_SRV_PAYLOAD_AT, sealed by conn_srv_seal into a whole frame.
 *
 * The blocking server handshake (cairn_conn_server) runs on this too. */
#ifndef CAIRN_NET_CONN_SRV_H
#define CAIRN_NET_CONN_SRV_H

#include "net/frame.h"

/* Bytes of the server's message 2: hello_s, stream header, auth frame. */
#define CONN_SRV_OUT_MAX                                                       \
    (CONN_HELLO_LEN + CONN_STREAM_HEADER_LEN + CONN_LEN_BYTES + 1 +            \
     CONN_AUTH_LEN + crypto_secretstream_xchacha20poly1305_ABYTES)
/* A sealed frame of payload n: u32 length, tag byte, type, payload, MAC. */
#define CONN_SRV_FRAME_LEN(n) ((n) + CONN_LEN_BYTES + CONN_CT_OVERHEAD)
/* Where the payload of a frame to seal goes in its buffer. */
#define CONN_SRV_PAYLOAD_AT (CONN_LEN_BYTES + 2)

typedef struct conn_srv {
    int step;       /* internal: which part of the handshake comes next */
    size_t auth_ct; /* the client's auth frame's ciphertext length */
    uint8_t hello_c[CONN_HELLO_LEN], hello_s[CONN_HELLO_LEN];
    uint8_t rx_key[CONN_KEY_LEN]; /* until the client's header came */
    conn_stream tx, rx;
    cairn_pubkey peer; /* set once the handshake is done */
    uint8_t out[CONN_SRV_OUT_MAX];
    size_t out_len; /* bytes of out to send after the last feed; 0: none */
} conn_srv;

void conn_srv_init(conn_srv *s);
/* Wipes the keys and stream states. */
void conn_srv_wipe(conn_srv *s);
/* Bytes the handshake needs next; 0 once it is done. */
size_t conn_srv_want(const conn_srv *s);
/* Takes exactly conn_srv_want(s) bytes. Errors (the connection is over):
 * BAD_HELLO (not our protocol, wrong role, low-order key, malformed auth
 * frame), BAD_VERSION, BAD_SIG, BAD_MAC (the auth frame does not open);
 * BAD_ARG when n is not what was wanted. */
cairn_err conn_srv_feed(conn_srv *s, const cairn_keypair *me, const uint8_t *p,
                        size_t n) CAIRN_WUR;

/* Opens one frame's ciphertext ct (ct_len bytes, without the length) in
 * place, as the stream's next frame. On success *type is the message type
 * and *payload points into ct (at ct + 2) with *n = ct_len - 18 bytes.
 * CLOSED when it is the peer's FINAL frame (an orderly end), BAD_MAC when
 * it does not authenticate or carries another tag. */
cairn_err conn_srv_open(conn_srv *s, uint8_t *ct, size_t ct_len, uint8_t *type,
                        uint8_t **payload, size_t *n) CAIRN_WUR;
/* Seals, in place, the frame in buf (CONN_SRV_FRAME_LEN(n) bytes, the n
 * payload bytes at CONN_SRV_PAYLOAD_AT) as a MESSAGE of `type`. n must
 * not exceed CAIRN_CONN_PAYLOAD_LIMIT. */
void conn_srv_seal(conn_srv *s, uint8_t *buf, uint8_t type, size_t n);

#endif
