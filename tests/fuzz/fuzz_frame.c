/* libFuzzer target for the transport's decoders (src/net/frame.c) and the
 * endpoint parser (src/net/conn_endpoint.c).
 *
 * The first input byte picks what the rest is fed to:
 *   0  a peer's hello, parsed for either role
 *   1  hello_c (38) ‖ hello_s (38) ‖ an AUTH payload, verified for either role
 *   2  a frame length header bound ‖ a stream header (24) ‖ frames, opened
 *      one after another with a fixed key until one fails
 *   3  endpoint text
 *   first byte 0xF0 and up: the server's handshake state machine
 *      (src/net/conn_srv.c) fed the rest in the pieces it asks for, then
 *      frames opened in place once (if ever) the handshake is done
 * Every call must return OK or an error without crashing or reading past
 * the input (each piece is an exact-size heap copy), and what is accepted
 * must satisfy the invariants checked below. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/conn.h"
#include "net/conn_srv.h"
#include "net/frame.h"

#define FUZZ_MAX_PAYLOAD (1u << 16)

static uint8_t *dup(const uint8_t *p, size_t n)
{
    uint8_t *q = malloc(n ? n : 1);
    if (!q)
        abort();
    if (n)
        memcpy(q, p, n);
    return q;
}

static void fuzz_hello(const uint8_t *p, size_t n)
{
    uint8_t eph[CONN_EPH_LEN], again[CONN_HELLO_LEN];
    for (uint8_t role = CONN_ROLE_CLIENT; role <= CONN_ROLE_SERVER; role++) {
        if (conn_hello_parse(eph, p, n, role) != CAIRN_OK)
            continue;
        conn_hello_encode(again, role, eph); /* canonical: one encoding */
        if (n != CONN_HELLO_LEN || memcmp(again, p, n) != 0)
            abort();
    }
}

static void fuzz_auth(const uint8_t *p, size_t n)
{
    cairn_pubkey peer;
    if (n < 2 * CONN_HELLO_LEN)
        return;
    const uint8_t *hc = p, *hs = p + CONN_HELLO_LEN;
    uint8_t *a = dup(p + 2 * CONN_HELLO_LEN, n - 2 * CONN_HELLO_LEN);
    for (uint8_t role = CONN_ROLE_CLIENT; role <= CONN_ROLE_SERVER; role++)
        if (conn_auth_verify(&peer, a, n - 2 * CONN_HELLO_LEN, role, hc, hs) ==
                CAIRN_OK &&
            (n - 2 * CONN_HELLO_LEN != CONN_AUTH_LEN ||
             memcmp(peer.b, a, CAIRN_PK_LEN) != 0))
            abort();
    free(a);
}

/* Opens frames from p[0..n) with a fixed key, as conn_read_frame does. */
static void fuzz_stream(const uint8_t *p, size_t n)
{
    static const uint8_t key[CONN_KEY_LEN] = {
        0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
        0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
        0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42};
    conn_stream rx;
    if (n < 2 + CONN_STREAM_HEADER_LEN)
        return;
    size_t max = ((size_t)p[0] | (size_t)p[1] << 8) % FUZZ_MAX_PAYLOAD;
    p += 2;
    n -= 2;
    if (crypto_secretstream_xchacha20poly1305_init_pull(&rx, p, key) != 0)
        return;
    size_t off = CONN_STREAM_HEADER_LEN;
    for (int i = 0; i < 64 && n - off >= CONN_LEN_BYTES; i++) {
        size_t ct_len = 0;
        uint8_t tag = 0;
        if (conn_frame_len(&ct_len, p + off, max) != CAIRN_OK)
            return;
        if (ct_len < CONN_CT_OVERHEAD || ct_len - CONN_CT_OVERHEAD > max)
            abort();
        off += CONN_LEN_BYTES;
        if (n - off < ct_len)
            return; /* a truncated frame */
        uint8_t *ct = dup(p + off, ct_len);
        uint8_t *m =
            malloc(ct_len - crypto_secretstream_xchacha20poly1305_ABYTES);
        cairn_err e = conn_frame_open(&rx, m, ct, ct_len, &tag);
        free(ct);
        free(m);
        if (e != CAIRN_OK || tag == CONN_TAG_FINAL)
            return;
        off += ct_len;
    }
}

static void fuzz_endpoint(const uint8_t *p, size_t n)
{
    char *s = malloc(n + 1), host[CAIRN_HOST_MAX + 1],
         again[CAIRN_ENDPOINT_TEXT_MAX + 8];
    char host2[CAIRN_HOST_MAX + 1];
    int port = 0, port2 = 0;
    if (!s)
        abort();
    memcpy(s, p, n);
    s[n] = '\0';
    if (cairn_endpoint_parse(s, host, &port) == CAIRN_OK) {
        size_t hl = strlen(host);
        if (hl == 0 || hl > CAIRN_HOST_MAX || port < 1 || port > 65535)
            abort();
        /* what it accepted is exactly the text it was given */
        snprintf(again, sizeof again, strchr(host, ':') ? "[%s]:%d" : "%s:%d",
                 host, port);
        if (strcmp(again, s) != 0 ||
            cairn_endpoint_parse(again, host2, &port2) != CAIRN_OK ||
            strcmp(host, host2) != 0 || port != port2)
            abort();
    }
    free(s);
}

/* Feeds p[0..n) to the server's handshake in the pieces it wants (each an
 * exact-size heap copy) until it fails, runs out, or opens; then frames. */
static void fuzz_srv(const uint8_t *p, size_t n)
{
    static cairn_keypair me;
    static int have_key;
    conn_srv s;
    size_t off = 0, want;
    if (!have_key) {
        uint8_t seed[32] = {7};
        cairn_keypair_from_seed(&me, seed);
        have_key = 1;
    }
    conn_srv_init(&s);
    while ((want = conn_srv_want(&s)) > 0 && n - off >= want) {
        uint8_t *q = dup(p + off, want);
        cairn_err e = conn_srv_feed(&s, &me, q, want);
        free(q);
        off += want;
        if (e) {
            conn_srv_wipe(&s);
            return;
        }
        if (s.out_len > sizeof s.out)
            abort();
    }
    for (int i = 0; want == 0 && i < 16 && n - off >= CONN_LEN_BYTES; i++) {
        size_t ct = 0, len = 0;
        uint8_t type, *pl;
        if (conn_frame_len(&ct, p + off, FUZZ_MAX_PAYLOAD) != CAIRN_OK)
            break;
        off += CONN_LEN_BYTES;
        if (n - off < ct)
            break;
        uint8_t *q = dup(p + off, ct);
        cairn_err e = conn_srv_open(&s, q, ct, &type, &pl, &len);
        if (!e && (pl != q + 2 || len != ct - CONN_CT_OVERHEAD))
            abort();
        free(q);
        off += ct;
        if (e)
            break;
    }
    conn_srv_wipe(&s);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    cairn_crypto_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint8_t *p = dup(data + 1, size - 1);
    if (data[0] >= 0xF0) {
        fuzz_srv(p, size - 1);
        free(p);
        return 0;
    }
    switch (data[0] % 4) {
    case 0:
        fuzz_hello(p, size - 1);
        break;
    case 1:
        fuzz_auth(p, size - 1);
        break;
    case 2:
        fuzz_stream(p, size - 1);
        break;
    default:
        fuzz_endpoint(p, size - 1);
        break;
    }
    free(p);
    return 0;
}
