/* Unit tests of the transport's pure parts (src/net/frame.c) and of the
 * endpoint parser: hello, transcript, auth, key derivation, frame bounds,
 * and sealing/opening frames against tampering, reordering and replay. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/conn.h"
#include "net/frame.h"

static void hex(char *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", p[i]);
}

/* Fixed keys of the test vector in docs/storage-transport.md. */
typedef struct vec {
    cairn_keypair id_c, id_s;
    uint8_t esk_c[32], epk_c[32], esk_s[32], epk_s[32];
    uint8_t hc[CONN_HELLO_LEN], hs[CONN_HELLO_LEN];
} vec;

static void vec_init(vec *v)
{
    uint8_t seed[32];
    cairn_crypto_init();
    memset(seed, 0x01, 32);
    cairn_keypair_from_seed(&v->id_c, seed);
    memset(seed, 0x02, 32);
    cairn_keypair_from_seed(&v->id_s, seed);
    memset(v->esk_c, 0x03, 32);
    memset(v->esk_s, 0x04, 32);
    crypto_scalarmult_base(v->epk_c, v->esk_c);
    crypto_scalarmult_base(v->epk_s, v->esk_s);
    conn_hello_encode(v->hc, CONN_ROLE_CLIENT, v->epk_c);
    conn_hello_encode(v->hs, CONN_ROLE_SERVER, v->epk_s);
}

static void hello_parse_cases(void **st)
{
    vec v;
    uint8_t eph[32], b[CONN_HELLO_LEN + 1];
    vec_init(&v);
    assert_int_equal(
        conn_hello_parse(eph, v.hc, CONN_HELLO_LEN, CONN_ROLE_CLIENT),
        CAIRN_OK);
    assert_memory_equal(eph, v.epk_c, 32);
    assert_memory_equal(v.hc, "CRNC\x01\x01", 6);
    assert_int_equal(
        conn_hello_parse(eph, v.hc, CONN_HELLO_LEN, CONN_ROLE_SERVER),
        CAIRN_ERR_BAD_HELLO); /* reflected */
    assert_int_equal(conn_hello_parse(eph, v.hc, 0, CONN_ROLE_CLIENT),
                     CAIRN_ERR_TRUNCATED);
    assert_int_equal(conn_hello_parse(eph, v.hc, 4, CONN_ROLE_CLIENT),
                     CAIRN_ERR_TRUNCATED);
    assert_int_equal(conn_hello_parse(eph, v.hc, 37, CONN_ROLE_CLIENT),
                     CAIRN_ERR_TRUNCATED);
    memcpy(b, v.hc, CONN_HELLO_LEN);
    b[CONN_HELLO_LEN] = 0;
    assert_int_equal(conn_hello_parse(eph, b, sizeof b, CONN_ROLE_CLIENT),
                     CAIRN_ERR_TRAILING);
    b[0] = 'G';
    assert_int_equal(conn_hello_parse(eph, b, 1, CONN_ROLE_CLIENT),
                     CAIRN_ERR_BAD_HELLO);
    assert_int_equal(conn_hello_parse(eph, b, CONN_HELLO_LEN, CONN_ROLE_CLIENT),
                     CAIRN_ERR_BAD_HELLO);
    memcpy(b, v.hc, CONN_HELLO_LEN);
    b[4] = 2;
    assert_int_equal(conn_hello_parse(eph, b, CONN_HELLO_LEN, CONN_ROLE_CLIENT),
                     CAIRN_ERR_BAD_VERSION);
    b[4] = 1;
    b[5] = 0;
    assert_int_equal(conn_hello_parse(eph, b, CONN_HELLO_LEN, CONN_ROLE_CLIENT),
                     CAIRN_ERR_BAD_HELLO);
}

static void auth_cases(void **st)
{
    vec v;
    uint8_t a[CONN_AUTH_LEN], bad[CONN_HELLO_LEN];
    cairn_pubkey peer;
    vec_init(&v);
    conn_auth_make(a, &v.id_s, CONN_ROLE_SERVER, v.hc, v.hs);
    assert_memory_equal(a, v.id_s.pk.b, 32);
    assert_int_equal(
        conn_auth_verify(&peer, a, sizeof a, CONN_ROLE_SERVER, v.hc, v.hs),
        CAIRN_OK);
    assert_memory_equal(peer.b, v.id_s.pk.b, 32);
    /* the same signature does not pass as the other role's */
    assert_int_equal(
        conn_auth_verify(&peer, a, sizeof a, CONN_ROLE_CLIENT, v.hc, v.hs),
        CAIRN_ERR_BAD_SIG);
    /* nor for another client ephemeral (a replayed signature) */
    memcpy(bad, v.hc, sizeof bad);
    bad[20] ^= 1;
    assert_int_equal(
        conn_auth_verify(&peer, a, sizeof a, CONN_ROLE_SERVER, bad, v.hs),
        CAIRN_ERR_BAD_SIG);
    memcpy(bad, v.hs, sizeof bad);
    bad[37] ^= 0x80;
    assert_int_equal(
        conn_auth_verify(&peer, a, sizeof a, CONN_ROLE_SERVER, v.hc, bad),
        CAIRN_ERR_BAD_SIG);
    /* another identity claiming this signature */
    memcpy(a, v.id_c.pk.b, 32);
    assert_int_equal(
        conn_auth_verify(&peer, a, sizeof a, CONN_ROLE_SERVER, v.hc, v.hs),
        CAIRN_ERR_BAD_SIG);
    assert_int_equal(
        conn_auth_verify(&peer, a, sizeof a - 1, CONN_ROLE_SERVER, v.hc, v.hs),
        CAIRN_ERR_BAD_HELLO);
}

/* Pins the handshake bytes; the same values are in the docs, and were
 * checked against an independent implementation (Python's cryptography:
 * X25519, Ed25519, BLAKE2b-512 as crypto_kx does). */
static void handshake_vector(void **st)
{
    vec v;
    uint8_t t[CONN_TRANSCRIPT_LEN], a[CONN_AUTH_LEN];
    uint8_t crx[32], ctx[32], srx[32], stx[32], zero[32] = {0};
    char h[2 * CONN_TRANSCRIPT_LEN + 1];
    vec_init(&v);
    conn_transcript(t, CONN_ROLE_CLIENT, v.hc, v.hs);
    assert_memory_equal(t,
                        "cairn-conn-v1\x01"
                        "CRNC\x01\x01",
                        20);
    assert_memory_equal(t + 14 + 38, "CRNC\x01\x02", 6);
    hex(h, v.hc, CONN_HELLO_LEN);
    assert_string_equal(
        h,
        "43524e4301015dfedd3b6bd47f6fa28ee15d969d5bb0ea53774d488bdaf9df1c6e0124b3ef22");
    hex(h, v.hs, CONN_HELLO_LEN);
    assert_string_equal(
        h,
        "43524e430102ac01b2209e86354fb853237b5de0f4fab13c7fcbf433a61c019369617fecf10b");
    conn_auth_make(a, &v.id_c, CONN_ROLE_CLIENT, v.hc, v.hs);
    hex(h, a + 32, 64);
    assert_string_equal(
        h, "b9904fe6f9fa9ed16e10e82aa8e72073ccd0369a7829bbef0d09e4f45bbc5b5d"
           "3f69db527295ac331e84875006f949e8c8dad2213feb65394f87e75042e6fc05");
    conn_auth_make(a, &v.id_s, CONN_ROLE_SERVER, v.hc, v.hs);
    hex(h, a + 32, 64);
    assert_string_equal(
        h, "9cc99faedd861a2d1eb46b9572b89fbabeb370b90309c287c36d680f5e01c0c3"
           "041df4f5bfb844ccb7c09de1b2a9430c99c04d41dda4375e5826d600b1d35409");
    assert_int_equal(
        conn_derive(crx, ctx, CONN_ROLE_CLIENT, v.epk_c, v.esk_c, v.epk_s),
        CAIRN_OK);
    assert_int_equal(
        conn_derive(srx, stx, CONN_ROLE_SERVER, v.epk_s, v.esk_s, v.epk_c),
        CAIRN_OK);
    assert_memory_equal(crx, stx, 32);
    assert_memory_equal(ctx, srx, 32);
    assert_memory_not_equal(crx, ctx, 32);
    hex(h, crx, 32);
    assert_string_equal(
        h, "c1a56f66410996a08f42587e532c2deceba426a50ec3b808a42a50ca14c7d792");
    hex(h, ctx, 32);
    assert_string_equal(
        h, "6124a4810f045309a93e0a89b6e8c6e89889c73828229893cdbd1952dae00397");
    /* a low-order peer key gives an all-zero secret: refused */
    assert_int_equal(
        conn_derive(crx, ctx, CONN_ROLE_CLIENT, v.epk_c, v.esk_c, zero),
        CAIRN_ERR_BAD_HELLO);
}

static void frame_len_bounds(void **st)
{
    size_t n = 0;
    uint8_t h[4] = {18, 0, 0, 0};
    assert_int_equal(conn_frame_len(&n, h, 0), CAIRN_OK);
    assert_int_equal(n, 18);
    h[0] = 17;
    assert_int_equal(conn_frame_len(&n, h, 100), CAIRN_ERR_BAD_MAC);
    memset(h, 0, 4);
    assert_int_equal(conn_frame_len(&n, h, 100), CAIRN_ERR_BAD_MAC);
    /* 0x00010012 = 65554 = 65536 + 18: little-endian, exactly at the bound */
    h[0] = 0x12;
    h[1] = 0x00;
    h[2] = 0x01;
    h[3] = 0x00;
    assert_int_equal(conn_frame_len(&n, h, 65536), CAIRN_OK);
    assert_int_equal(n, 65554);
    assert_int_equal(conn_frame_len(&n, h, 65535), CAIRN_ERR_TOO_LARGE);
    memset(h, 0xff, 4);
    assert_int_equal(conn_frame_len(&n, h, CAIRN_CONN_DEFAULT_MAX),
                     CAIRN_ERR_TOO_LARGE);
    assert_int_equal(conn_frame_len(&n, h, CAIRN_CONN_PAYLOAD_LIMIT),
                     CAIRN_ERR_TOO_LARGE);
}

/* A pair of streams with a fixed key and three sealed frames. */
typedef struct streams {
    conn_stream tx, rx;
    uint8_t f[3][64];
    size_t n[3];
} streams;

static void streams_init(streams *s)
{
    uint8_t key[32], hdr[CONN_STREAM_HEADER_LEN];
    cairn_crypto_init();
    memset(key, 0x42, sizeof key);
    crypto_secretstream_xchacha20poly1305_init_push(&s->tx, hdr, key);
    assert_int_equal(
        crypto_secretstream_xchacha20poly1305_init_pull(&s->rx, hdr, key), 0);
    for (int i = 0; i < 3; i++) {
        uint8_t m[8] = {(uint8_t)(0x10 + i), 'f', 'r', 'a', 'm', 'e',
                        (uint8_t)('0' + i),  0};
        s->n[i] = conn_frame_seal(&s->tx, s->f[i], m, sizeof m,
                                  i == 2 ? CONN_TAG_FINAL : CONN_TAG_MESSAGE);
        assert_int_equal(s->n[i], 4 + 8 + 17);
    }
}

static cairn_err open_frame(streams *s, int i, uint8_t *tag, uint8_t m[8])
{
    size_t ct = 0;
    cairn_err e = conn_frame_len(&ct, s->f[i], 7);
    if (e)
        return e;
    assert_int_equal(ct, s->n[i] - 4);
    return conn_frame_open(&s->rx, m, s->f[i] + 4, ct, tag);
}

static void frame_roundtrip(void **st)
{
    streams s;
    uint8_t m[8], tag = 0xff;
    streams_init(&s);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(open_frame(&s, i, &tag, m), CAIRN_OK);
        assert_int_equal(m[0], 0x10 + i);
        assert_int_equal(m[6], '0' + i);
        assert_int_equal(tag, i == 2 ? CONN_TAG_FINAL : CONN_TAG_MESSAGE);
    }
    /* payload over the reader's bound */
    assert_int_equal(conn_frame_len(&(size_t){0}, s.f[0], 6),
                     CAIRN_ERR_TOO_LARGE);
}

static void frame_tamper(void **st)
{
    uint8_t m[8], tag;
    for (size_t pos = 4; pos < 4 + 25; pos += 3) {
        streams s;
        streams_init(&s);
        s.f[0][pos] ^= 0x01;
        assert_int_equal(open_frame(&s, 0, &tag, m), CAIRN_ERR_BAD_MAC);
    }
    streams s;
    streams_init(&s);
    assert_int_equal(conn_frame_open(&s.rx, m, s.f[0] + 4, s.n[0] - 5, &tag),
                     CAIRN_ERR_BAD_MAC);
    assert_int_equal(conn_frame_open(&s.rx, m, s.f[0] + 4, 17, &tag),
                     CAIRN_ERR_BAD_MAC);
}

static void frame_reorder_replay_drop(void **st)
{
    uint8_t m[8], tag;
    streams s;
    streams_init(&s); /* reordered: frame 1 first */
    assert_int_equal(open_frame(&s, 1, &tag, m), CAIRN_ERR_BAD_MAC);
    streams_init(&s); /* replayed: frame 0 twice */
    assert_int_equal(open_frame(&s, 0, &tag, m), CAIRN_OK);
    assert_int_equal(open_frame(&s, 0, &tag, m), CAIRN_ERR_BAD_MAC);
    streams_init(&s); /* dropped: frame 1 missing */
    assert_int_equal(open_frame(&s, 0, &tag, m), CAIRN_OK);
    assert_int_equal(open_frame(&s, 2, &tag, m), CAIRN_ERR_BAD_MAC);
}

static void endpoints(void **st)
{
    char host[CAIRN_HOST_MAX + 1];
    int port = 0;
    assert_int_equal(cairn_endpoint_parse("127.0.0.1:7000", host, &port),
                     CAIRN_OK);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 7000);
    assert_int_equal(
        cairn_endpoint_parse("node-1.example.org:65535", host, &port),
        CAIRN_OK);
    assert_string_equal(host, "node-1.example.org");
    assert_int_equal(port, 65535);
    assert_int_equal(cairn_endpoint_parse("[::1]:1", host, &port), CAIRN_OK);
    assert_string_equal(host, "::1");
    assert_int_equal(port, 1);
    assert_int_equal(cairn_endpoint_parse("[2001:db8::7]:443", host, &port),
                     CAIRN_OK);
    assert_string_equal(host, "2001:db8::7");
    const char *bad[] = {"",
                         ":",
                         "host",
                         "host:",
                         ":80",
                         "host:0",
                         "host:65536",
                         "host:080",
                         "host:+80",
                         "host:80x",
                         "host:8 0",
                         "host:99999999999",
                         "ho st:80",
                         "a..b:80",
                         ".a:80",
                         "a.:80",
                         "-a:80",
                         "a-:80",
                         "a_b:80",
                         "::1:80",
                         "[::1]",
                         "[::1]80",
                         "[]:80",
                         "[::g]:80",
                         "[1.2.3.4]:80",
                         "host:80:81",
                         "h\x01:80",
                         "[::1]:80]",
                         "[::1%eth0]:80"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (cairn_endpoint_parse(bad[i], host, &port) != CAIRN_ERR_BAD_ENDPOINT)
            fail_msg("accepted endpoint '%s'", bad[i]);
    char longest[CAIRN_ENDPOINT_TEXT_MAX + 2];
    memset(longest, 'a', sizeof longest);
    for (int i = 63; i < CAIRN_HOST_MAX; i += 64)
        longest[i] = '.';
    memcpy(longest + CAIRN_HOST_MAX, ":65535", 7); /* 253 + 6 bytes: ok */
    assert_int_equal(cairn_endpoint_parse(longest, host, &port), CAIRN_OK);
    longest[CAIRN_HOST_MAX] = 'a'; /* host of 254 */
    memcpy(longest + CAIRN_HOST_MAX + 1, ":65535", 7);
    assert_int_equal(cairn_endpoint_parse(longest, host, &port),
                     CAIRN_ERR_BAD_ENDPOINT);
    memset(longest, 'a', sizeof longest - 1); /* over the text bound */
    longest[sizeof longest - 1] = '\0';
    assert_int_equal(cairn_endpoint_parse(longest, host, &port),
                     CAIRN_ERR_BAD_ENDPOINT);
    char label64[80];
    memset(label64, 'b', 64);
    memcpy(label64 + 64, ":80", 4);
    assert_int_equal(cairn_endpoint_parse(label64, host, &port),
                     CAIRN_ERR_BAD_ENDPOINT);
    assert_int_equal(cairn_endpoint_parse(NULL, host, &port),
                     CAIRN_ERR_BAD_ENDPOINT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hello_parse_cases),
        cmocka_unit_test(auth_cases),
        cmocka_unit_test(handshake_vector),
        cmocka_unit_test(frame_len_bounds),
        cmocka_unit_test(frame_roundtrip),
        cmocka_unit_test(frame_tamper),
        cmocka_unit_test(frame_reorder_replay_drop),
        cmocka_unit_test(endpoints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
