/* The transport's pure parts (docs/storage-transport.md): hello encoding
 * and parsing, the signed handshake transcript, session key derivation,
 * and sealing/opening one frame. Functions over byte buffers only, with no
 * socket, so that every decoder of untrusted bytes can be fuzzed
 * (tests/fuzz/fuzz_frame.c). Internal to src/net. */
#ifndef CAIRN_NET_FRAME_H
#define CAIRN_NET_FRAME_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/crypto.h"
#include "cairn/error.h"

#define CONN_MAGIC "CRNC"
#define CONN_MAGIC_LEN 4
#define CONN_VERSION 1
#define CONN_ROLE_CLIENT 1
#define CONN_ROLE_SERVER 2
#define CONN_DOMAIN "cairn-conn-v1"
#define CONN_DOMAIN_LEN 13
#define CONN_EPH_LEN 32 /* X25519 public key */
/* hello: magic ‖ version ‖ role ‖ ephemeral */
#define CONN_HELLO_LEN (CONN_MAGIC_LEN + 2 + CONN_EPH_LEN)
/* auth payload: identity public key ‖ signature */
#define CONN_AUTH_LEN (CAIRN_PK_LEN + CAIRN_SIG_LEN)
/* transcript signed by each side: domain ‖ signer role ‖ hello_c ‖ hello_s */
#define CONN_TRANSCRIPT_LEN (CONN_DOMAIN_LEN + 1 + 2 * CONN_HELLO_LEN)
#define CONN_STREAM_HEADER_LEN crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define CONN_KEY_LEN crypto_secretstream_xchacha20poly1305_KEYBYTES
#define CONN_LEN_BYTES 4
/* ciphertext = secretstream(type ‖ payload): payload + 1 + ABYTES (17) */
#define CONN_CT_OVERHEAD (1 + crypto_secretstream_xchacha20poly1305_ABYTES)
#define CONN_TYPE_AUTH 0x00 /* the first frame of each direction */
#define CONN_TAG_MESSAGE crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
#define CONN_TAG_FINAL crypto_secretstream_xchacha20poly1305_TAG_FINAL

typedef crypto_secretstream_xchacha20poly1305_state conn_stream;

/* Writes the CONN_HELLO_LEN bytes of a hello. */
void conn_hello_encode(uint8_t out[CONN_HELLO_LEN], uint8_t role,
                       const uint8_t eph[CONN_EPH_LEN]);
/* Parses a peer's hello of n bytes, which must come from want_role.
 * CAIRN_ERR_TRUNCATED / CAIRN_ERR_TRAILING on a wrong length,
 * CAIRN_ERR_BAD_HELLO on a wrong magic or role, CAIRN_ERR_BAD_VERSION on
 * another version. Copies the ephemeral key into eph only on success. */
cairn_err conn_hello_parse(uint8_t eph[CONN_EPH_LEN], const uint8_t *p,
                           size_t n, uint8_t want_role) CAIRN_WUR;

/* The bytes the side with signer_role signs. */
void conn_transcript(uint8_t out[CONN_TRANSCRIPT_LEN], uint8_t signer_role,
                     const uint8_t hello_c[CONN_HELLO_LEN],
                     const uint8_t hello_s[CONN_HELLO_LEN]);
/* Writes the auth payload of `me` acting as role. */
void conn_auth_make(uint8_t out[CONN_AUTH_LEN], const cairn_keypair *me,
                    uint8_t role, const uint8_t hello_c[CONN_HELLO_LEN],
                    const uint8_t hello_s[CONN_HELLO_LEN]);
/* Checks an auth payload of n bytes from the side with signer_role.
 * CAIRN_ERR_BAD_HELLO on a wrong length, CAIRN_ERR_BAD_SIG when the
 * signature does not verify. Sets *peer only on success. */
cairn_err conn_auth_verify(cairn_pubkey *peer, const uint8_t *p, size_t n,
                           uint8_t signer_role,
                           const uint8_t hello_c[CONN_HELLO_LEN],
                           const uint8_t hello_s[CONN_HELLO_LEN]) CAIRN_WUR;

/* crypto_kx session keys for `role` from our ephemeral keypair and the
 * peer's ephemeral public key. CAIRN_ERR_BAD_HELLO when the peer's key is
 * a low-order point (the shared secret would be all zeros). */
cairn_err conn_derive(uint8_t rx[CONN_KEY_LEN], uint8_t tx[CONN_KEY_LEN],
                      uint8_t role, const uint8_t eph_pk[CONN_EPH_LEN],
                      const uint8_t eph_sk[CONN_EPH_LEN],
                      const uint8_t peer_eph[CONN_EPH_LEN]) CAIRN_WUR;

/* Parses a frame's 4-byte length header into *ct_len. CAIRN_ERR_TOO_LARGE
 * when the payload would exceed max_payload, CAIRN_ERR_BAD_MAC when the
 * length is below CONN_CT_OVERHEAD (no frame that short can be
 * authentic). */
cairn_err conn_frame_len(size_t *ct_len, const uint8_t hdr[CONN_LEN_BYTES],
                         size_t max_payload) CAIRN_WUR;
/* Seals plaintext m (type ‖ payload, mlen >= 1) as one frame into out,
 * which holds CONN_LEN_BYTES + mlen + ABYTES bytes and must not overlap m.
 * Returns the frame's size. mlen + CONN_CT_OVERHEAD must fit a u32. */
size_t conn_frame_seal(conn_stream *tx, uint8_t *out, const uint8_t *m,
                       size_t mlen, uint8_t tag);
/* Opens the ct_len bytes of ciphertext ct (the frame without its length
 * header) into m, which holds ct_len - ABYTES bytes (type ‖ payload), and
 * sets *tag. CAIRN_ERR_BAD_MAC when ct_len is too short or the frame does
 * not authenticate as the stream's next frame. */
cairn_err conn_frame_open(conn_stream *rx, uint8_t *m, const uint8_t *ct,
                          size_t ct_len, uint8_t *tag) CAIRN_WUR;

#endif
