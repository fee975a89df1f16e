/* The transport's pure parts: hello, transcript, key derivation, frame
 * seal/open over byte buffers (see frame.h and docs/storage-transport.md). */
#include <string.h>

#include "net/frame.h"

void conn_hello_encode(uint8_t out[CONN_HELLO_LEN], uint8_t role,
                       const uint8_t eph[CONN_EPH_LEN])
{
    memcpy(out, CONN_MAGIC, CONN_MAGIC_LEN);
    out[CONN_MAGIC_LEN] = CONN_VERSION;
    out[CONN_MAGIC_LEN + 1] = role;
    memcpy(out + CONN_MAGIC_LEN + 2, eph, CONN_EPH_LEN);
}

cairn_err conn_hello_parse(uint8_t eph[CONN_EPH_LEN], const uint8_t *p,
                           size_t n, uint8_t want_role)
{
    /* The magic is checked on what arrived, so that a peer speaking another
     * protocol reads as a bad hello rather than as a short one. */
    size_t m = n < CONN_MAGIC_LEN ? n : CONN_MAGIC_LEN;
    if (n == 0)
        return CAIRN_ERR_TRUNCATED;
    if (memcmp(p, CONN_MAGIC, m) != 0)
        return CAIRN_ERR_BAD_HELLO;
    if (n < CONN_HELLO_LEN)
        return CAIRN_ERR_TRUNCATED;
    if (n > CONN_HELLO_LEN)
        return CAIRN_ERR_TRAILING;
    if (p[CONN_MAGIC_LEN] != CONN_VERSION)
        return CAIRN_ERR_BAD_VERSION;
    if (p[CONN_MAGIC_LEN + 1] != want_role)
        return CAIRN_ERR_BAD_HELLO;
    memcpy(eph, p + CONN_MAGIC_LEN + 2, CONN_EPH_LEN);
    return CAIRN_OK;
}

void conn_transcript(uint8_t out[CONN_TRANSCRIPT_LEN], uint8_t signer_role,
                     const uint8_t hello_c[CONN_HELLO_LEN],
                     const uint8_t hello_s[CONN_HELLO_LEN])
{
    memcpy(out, CONN_DOMAIN, CONN_DOMAIN_LEN);
    out[CONN_DOMAIN_LEN] = signer_role;
    memcpy(out + CONN_DOMAIN_LEN + 1, hello_c, CONN_HELLO_LEN);
    memcpy(out + CONN_DOMAIN_LEN + 1 + CONN_HELLO_LEN, hello_s, CONN_HELLO_LEN);
}

void conn_auth_make(uint8_t out[CONN_AUTH_LEN], const cairn_keypair *me,
                    uint8_t role, const uint8_t hello_c[CONN_HELLO_LEN],
                    const uint8_t hello_s[CONN_HELLO_LEN])
{
    uint8_t t[CONN_TRANSCRIPT_LEN];
    cairn_sig sig;
    conn_transcript(t, role, hello_c, hello_s);
    cairn_sign(&sig, t, sizeof t, me);
    memcpy(out, me->pk.b, CAIRN_PK_LEN);
    memcpy(out + CAIRN_PK_LEN, sig.b, CAIRN_SIG_LEN);
}

cairn_err conn_auth_verify(cairn_pubkey *peer, const uint8_t *p, size_t n,
                           uint8_t signer_role,
                           const uint8_t hello_c[CONN_HELLO_LEN],
                           const uint8_t hello_s[CONN_HELLO_LEN])
{
    uint8_t t[CONN_TRANSCRIPT_LEN];
    cairn_pubkey pk;
    cairn_sig sig;
    if (n != CONN_AUTH_LEN)
        return CAIRN_ERR_BAD_HELLO;
    memcpy(pk.b, p, CAIRN_PK_LEN);
    memcpy(sig.b, p + CAIRN_PK_LEN, CAIRN_SIG_LEN);
    conn_transcript(t, signer_role, hello_c, hello_s);
    if (cairn_verify(&sig, t, sizeof t, &pk) != CAIRN_OK)
        return CAIRN_ERR_BAD_SIG;
    *peer = pk;
    return CAIRN_OK;
}

cairn_err conn_derive(uint8_t rx[CONN_KEY_LEN], uint8_t tx[CONN_KEY_LEN],
                      uint8_t role, const uint8_t eph_pk[CONN_EPH_LEN],
                      const uint8_t eph_sk[CONN_EPH_LEN],
                      const uint8_t peer_eph[CONN_EPH_LEN])
{
    int rc =
        role == CONN_ROLE_CLIENT
            ? crypto_kx_client_session_keys(rx, tx, eph_pk, eph_sk, peer_eph)
            : crypto_kx_server_session_keys(rx, tx, eph_pk, eph_sk, peer_eph);
    return rc == 0 ? CAIRN_OK : CAIRN_ERR_BAD_HELLO;
}

cairn_err conn_frame_len(size_t *ct_len, const uint8_t hdr[CONN_LEN_BYTES],
                         size_t max_payload)
{
    uint32_t len = (uint32_t)hdr[0] | (uint32_t)hdr[1] << 8 |
                   (uint32_t)hdr[2] << 16 | (uint32_t)hdr[3] << 24;
    if (len < CONN_CT_OVERHEAD)
        return CAIRN_ERR_BAD_MAC;
    if (len - CONN_CT_OVERHEAD > max_payload)
        return CAIRN_ERR_TOO_LARGE;
    *ct_len = len;
    return CAIRN_OK;
}

size_t conn_frame_seal(conn_stream *tx, uint8_t *out, const uint8_t *m,
                       size_t mlen, uint8_t tag)
{
    size_t ct_len = mlen + crypto_secretstream_xchacha20poly1305_ABYTES;
    uint32_t len = (uint32_t)ct_len;
    out[0] = (uint8_t)len;
    out[1] = (uint8_t)(len >> 8);
    out[2] = (uint8_t)(len >> 16);
    out[3] = (uint8_t)(len >> 24);
    crypto_secretstream_xchacha20poly1305_push(tx, out + CONN_LEN_BYTES, NULL,
                                               m, mlen, NULL, 0, tag);
    return CONN_LEN_BYTES + ct_len;
}

cairn_err conn_frame_open(conn_stream *rx, uint8_t *m, const uint8_t *ct,
                          size_t ct_len, uint8_t *tag)
{
    if (ct_len < CONN_CT_OVERHEAD)
        return CAIRN_ERR_BAD_MAC;
    if (crypto_secretstream_xchacha20poly1305_pull(rx, m, NULL, tag, ct, ct_len,
                                                   NULL, 0) != 0)
        return CAIRN_ERR_BAD_MAC;
    return CAIRN_OK;
}
