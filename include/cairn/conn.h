/* cairn — the provider<->client transport: authenticated, encrypted framed
 * messages over TCP (wire format: docs/storage-transport.md).
 *
 * A connection starts with a handshake: each side proves its Ed25519
 * identity (cairn_keypair) by signing both sides' fresh X25519 ephemeral
 * keys, and the two directions are then encrypted with keys derived from
 * the ephemerals only (forward secrecy), each as one libsodium
 * crypto_secretstream, so that a frame that is altered, dropped, reordered
 * or replayed fails authentication.
 *
 * Every call that touches the network takes timeout_ms (> 0): the whole
 * call, however slowly the peer trickles bytes, returns by that deadline
 * with CAIRN_ERR_TIMEOUT. After any error other than CAIRN_ERR_BAD_ARG the
 * connection is unusable: later sends and receives return the first error
 * again, and the socket is shut down so the peer sees the end too.
 *
 * Threads: one thread may send while another receives on the same
 * connection; two concurrent senders (or receivers) are not allowed. */
#ifndef CAIRN_CONN_H
#define CAIRN_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/crypto.h"
#include "cairn/error.h"

/* Default bound on one received message's payload (cairn_conn_recv with
 * max == 0), and the hard bound on any payload sent or received. */
#define CAIRN_CONN_DEFAULT_MAX (16u << 20)
#define CAIRN_CONN_PAYLOAD_LIMIT (1u << 30)
/* Bytes on the wire per frame beyond its payload: u32 length, type byte,
 * secretstream tag byte and 16-byte MAC. */
#define CAIRN_CONN_FRAME_OVERHEAD 22u
/* Endpoint text the parser takes: at most this many bytes, the host at
 * most CAIRN_HOST_MAX (DNS's limits). The endpoint a provider registers on
 * chain has its own, smaller bound, CAIRN_ENDPOINT_MAX in staking.h. */
#define CAIRN_ENDPOINT_TEXT_MAX 261
#define CAIRN_HOST_MAX 253

typedef struct cairn_conn cairn_conn;

/* Parses untrusted endpoint text "host:port" or "[ipv6]:port" into host
 * (NUL-terminated, brackets removed) and port (1..65535). host is a DNS
 * name (letters, digits, '-', '.'), an IPv4 address, or within brackets an
 * IPv6 address (hex digits, ':', '.'). CAIRN_ERR_BAD_ENDPOINT on anything
 * else, including empty parts, a missing port, leading zeros, or text over
 * CAIRN_ENDPOINT_TEXT_MAX. */
CAIRN_API cairn_err cairn_endpoint_parse(const char *s,
                                         char host[CAIRN_HOST_MAX + 1],
                                         int *port) CAIRN_WUR;

/* Opens a listening TCP socket on host:port (port 0: the kernel picks a
 * free one, see cairn_listen_port). host is a numeric address or
 * "localhost". The caller owns *fd_out and closes it with close(2).
 * ADDR_IN_USE when another socket holds the port. */
CAIRN_API cairn_err cairn_listen(const char *host, int port,
                                 int *fd_out) CAIRN_WUR;
/* The local port a socket is bound to, or -1. */
CAIRN_API int cairn_listen_port(int fd);

/* Connects to host:port (a name is resolved within the same deadline) and
 * runs the handshake as the client. With expect_peer non-NULL the peer must
 * prove that identity, else CAIRN_ERR_PEER_MISMATCH (and nothing of ours
 * beyond the ephemeral key has been sent). On success the caller owns *out
 * (free with cairn_conn_close). */
CAIRN_API cairn_err cairn_conn_dial(cairn_conn **out, const char *host,
                                    int port, const cairn_keypair *me,
                                    const cairn_pubkey *expect_peer,
                                    int timeout_ms) CAIRN_WUR;
/* Waits for one connection on listen_fd and runs the handshake as the
 * server, both within timeout_ms. On success the caller owns *out. A
 * failed handshake closes that socket and returns its error (it does not
 * wait for another client); listen_fd stays open. listen_fd should be
 * non-blocking (cairn_listen's is) when several threads accept on it. */
CAIRN_API cairn_err cairn_conn_accept(cairn_conn **out, int listen_fd,
                                      const cairn_keypair *me,
                                      int timeout_ms) CAIRN_WUR;
/* The handshake alone over a connected socket fd, so that a server can
 * accept on one thread and handshake on others. Takes ownership of fd in
 * every case (closed on failure; owned by *out on success). */
CAIRN_API cairn_err cairn_conn_client(cairn_conn **out, int fd,
                                      const cairn_keypair *me,
                                      const cairn_pubkey *expect_peer,
                                      int timeout_ms) CAIRN_WUR;
CAIRN_API cairn_err cairn_conn_server(cairn_conn **out, int fd,
                                      const cairn_keypair *me,
                                      int timeout_ms) CAIRN_WUR;

/* The identity key the peer proved in the handshake. */
CAIRN_API const cairn_pubkey *cairn_conn_peer(const cairn_conn *c);

/* Sends one message: type and n bytes of payload (n <=
 * CAIRN_CONN_PAYLOAD_LIMIT). */
CAIRN_API cairn_err cairn_conn_send(cairn_conn *c, uint8_t type, const void *p,
                                    size_t n, int timeout_ms) CAIRN_WUR;
/* Receives one message. A frame whose payload would exceed max (0 means
 * CAIRN_CONN_DEFAULT_MAX) is refused from its length header, before any
 * allocation: CAIRN_ERR_TOO_LARGE. On success *p is a new malloc'd buffer
 * of *n bytes (non-NULL even when *n is 0) that the caller frees. Errors:
 * CAIRN_ERR_TIMEOUT, CAIRN_ERR_TRUNCATED (the socket ended without an
 * orderly close, mid-frame or between frames), CAIRN_ERR_BAD_MAC,
 * CAIRN_ERR_CLOSED (the peer called cairn_conn_finish), CAIRN_ERR_IO. */
CAIRN_API cairn_err cairn_conn_recv(cairn_conn *c, uint8_t *type, uint8_t **p,
                                    size_t *n, size_t max,
                                    int timeout_ms) CAIRN_WUR;
/* Ends our direction in order: sends an authenticated final frame, after
 * which the peer's recv returns CAIRN_ERR_CLOSED and our sends are refused
 * (CAIRN_ERR_CLOSED). Receiving still works. */
CAIRN_API cairn_err cairn_conn_finish(cairn_conn *c, int timeout_ms) CAIRN_WUR;
/* Closes the socket, wipes the keys and frees c. NULL is a no-op. */
CAIRN_API void cairn_conn_close(cairn_conn *c);

#endif
