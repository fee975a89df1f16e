/* The server's side of the transport as a state machine over bytes
 * (src/net/conn_srv.h): a real client (cairn_conn_client over a
 * socketpair) against the machine fed by hand, frames opened and sealed in
 * place and checked against libsodium's out-of-place results, and the
 * refusals of each handshake step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cairn/conn.h"
#include "net/conn_srv.h"

#define MS 5000

static cairn_keypair key_c, key_s;

typedef struct client_run {
    int fd;
    cairn_err err;
    cairn_conn *c;
} client_run;

static void *client_main(void *arg)
{
    client_run *r = arg;
    r->err = cairn_conn_client(&r->c, r->fd, &key_c, &key_s.pk, MS);
    return NULL;
}

static void read_n(int fd, uint8_t *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        assert_true(r > 0);
        got += (size_t)r;
    }
}

/* Runs the handshake of a real client against the machine on the other
 * end of a socketpair; *fd gets the server's end. */
static void handshake(conn_srv *s, client_run *r, int *fd)
{
    int sv[2];
    pthread_t th;
    uint8_t in[256];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    r->fd = sv[0];
    assert_int_equal(pthread_create(&th, NULL, client_main, r), 0);
    conn_srv_init(s);
    size_t want;
    while ((want = conn_srv_want(s)) > 0) {
        assert_true(want <= sizeof in);
        read_n(sv[1], in, want);
        assert_int_equal(conn_srv_feed(s, &key_s, in, want), CAIRN_OK);
        if (s->out_len)
            assert_int_equal(write(sv[1], s->out, s->out_len),
                             (ssize_t)s->out_len);
    }
    pthread_join(th, NULL);
    assert_int_equal(r->err, CAIRN_OK);
    assert_memory_equal(s->peer.b, key_c.pk.b, CAIRN_PK_LEN);
    *fd = sv[1];
}

/* Frames both ways in place, at sizes that cross SIMD block boundaries. */
static void frames_in_place(void **state)
{
    conn_srv s;
    client_run r = {0};
    int fd;
    handshake(&s, &r, &fd);
    size_t sizes[] = {0, 1, 63, 64, 65, 1000, 60001}; /* fits the pair */
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        size_t n = sizes[i];
        uint8_t *msg = malloc(n + 1), *p, type;
        size_t got;
        for (size_t k = 0; k < n; k++)
            msg[k] = (uint8_t)(k * 31 + i);
        assert_int_equal(cairn_conn_send(r.c, 0x21, msg, n, MS), CAIRN_OK);
        uint8_t hdr[4];
        read_n(fd, hdr, 4);
        size_t ct = 0;
        assert_int_equal(conn_frame_len(&ct, hdr, 2u << 20), CAIRN_OK);
        uint8_t *buf = malloc(ct);
        read_n(fd, buf, ct);
        assert_int_equal(conn_srv_open(&s, buf, ct, &type, &p, &got), CAIRN_OK);
        assert_int_equal(type, 0x21);
        assert_int_equal(got, n);
        assert_true(n == 0 || memcmp(p, msg, n) == 0);
        free(buf);
        /* the reply, sealed in place; the client reads it normally */
        uint8_t *f = malloc(CONN_SRV_FRAME_LEN(n));
        if (n)
            memcpy(f + CONN_SRV_PAYLOAD_AT, msg, n);
        conn_srv_seal(&s, f, 0x22, n);
        assert_int_equal(write(fd, f, CONN_SRV_FRAME_LEN(n)),
                         (ssize_t)CONN_SRV_FRAME_LEN(n));
        free(f);
        uint8_t t, *q;
        size_t qn;
        assert_int_equal(cairn_conn_recv(r.c, &t, &q, &qn, 2u << 20, MS),
                         CAIRN_OK);
        assert_int_equal(t, 0x22);
        assert_int_equal(qn, n);
        assert_true(n == 0 || memcmp(q, msg, n) == 0);
        free(q);
        free(msg);
    }
    /* the client's orderly end reads as CLOSED; a replayed frame fails */
    assert_int_equal(cairn_conn_finish(r.c, MS), CAIRN_OK);
    uint8_t hdr[4], buf[64], type, *p;
    size_t ct, n;
    read_n(fd, hdr, 4);
    assert_int_equal(conn_frame_len(&ct, hdr, 100), CAIRN_OK);
    read_n(fd, buf, ct);
    uint8_t copy[64];
    memcpy(copy, buf, ct);
    assert_int_equal(conn_srv_open(&s, buf, ct, &type, &p, &n),
                     CAIRN_ERR_CLOSED);
    assert_int_equal(conn_srv_open(&s, copy, ct, &type, &p, &n),
                     CAIRN_ERR_BAD_MAC);
    cairn_conn_close(r.c);
    close(fd);
    conn_srv_wipe(&s);
}

/* In place and out of place give the same bytes. */
static void same_as_out_of_place(void **state)
{
    uint8_t key[CONN_KEY_LEN], hdr[CONN_STREAM_HEADER_LEN];
    conn_stream a, b, pa, pb;
    size_t n = 70001;
    uint8_t *m = malloc(n + 1), *f1 = malloc(CONN_SRV_FRAME_LEN(n)),
            *f2 = malloc(CONN_SRV_FRAME_LEN(n)), *out = malloc(n + 1);
    conn_srv s;
    randombytes_buf(key, sizeof key);
    randombytes_buf(m + 1, n);
    m[0] = 0x33;
    crypto_secretstream_xchacha20poly1305_init_push(&a, hdr, key);
    b = a;
    assert_int_equal(conn_frame_seal(&a, f1, m, n + 1, CONN_TAG_MESSAGE),
                     CONN_SRV_FRAME_LEN(n));
    conn_srv_init(&s);
    s.tx = b;
    memcpy(f2 + CONN_SRV_PAYLOAD_AT, m + 1, n);
    conn_srv_seal(&s, f2, 0x33, n);
    assert_memory_equal(f1, f2, CONN_SRV_FRAME_LEN(n));
    crypto_secretstream_xchacha20poly1305_init_pull(&pa, hdr, key);
    pb = pa;
    uint8_t tag;
    assert_int_equal(conn_frame_open(&pa, out, f1 + 4, n + 18, &tag), CAIRN_OK);
    s.rx = pb;
    s.step = 4; /* open */
    uint8_t type, *p;
    size_t got;
    assert_int_equal(conn_srv_open(&s, f2 + 4, n + 18, &type, &p, &got),
                     CAIRN_OK);
    assert_int_equal(type, out[0]);
    assert_int_equal(got, n);
    assert_memory_equal(p, out + 1, n);
    free(m);
    free(f1);
    free(f2);
    free(out);
}

/* Each step refuses what is not the protocol; the wrong count is a bug. */
static void refusals(void **state)
{
    conn_srv s;
    uint8_t hello[CONN_HELLO_LEN], eph[CONN_EPH_LEN] = {9};
    conn_srv_init(&s);
    assert_int_equal(conn_srv_feed(&s, &key_s, (const uint8_t *)"GET ", 4),
                     CAIRN_ERR_BAD_HELLO);
    conn_srv_init(&s);
    assert_int_equal(conn_srv_feed(&s, &key_s, (const uint8_t *)"CRN", 3),
                     CAIRN_ERR_BAD_ARG);
    conn_hello_encode(hello, CONN_ROLE_SERVER, eph); /* a reflected hello */
    conn_srv_init(&s);
    assert_int_equal(conn_srv_feed(&s, &key_s, hello, 4), CAIRN_OK);
    assert_int_equal(conn_srv_feed(&s, &key_s, hello + 4, CONN_HELLO_LEN - 4),
                     CAIRN_ERR_BAD_HELLO);
    conn_hello_encode(hello, CONN_ROLE_CLIENT, eph);
    hello[4] = 2;
    conn_srv_init(&s);
    assert_int_equal(conn_srv_feed(&s, &key_s, hello, 4), CAIRN_OK);
    assert_int_equal(conn_srv_feed(&s, &key_s, hello + 4, CONN_HELLO_LEN - 4),
                     CAIRN_ERR_BAD_VERSION);
    /* a good hello, then an auth frame announced over its bound */
    uint8_t epk[CONN_EPH_LEN], esk[CONN_EPH_LEN], in[28] = {0};
    crypto_kx_keypair(epk, esk);
    conn_hello_encode(hello, CONN_ROLE_CLIENT, epk);
    conn_srv_init(&s);
    assert_int_equal(conn_srv_feed(&s, &key_s, hello, 4), CAIRN_OK);
    assert_int_equal(conn_srv_feed(&s, &key_s, hello + 4, CONN_HELLO_LEN - 4),
                     CAIRN_OK);
    assert_true(s.out_len > CONN_HELLO_LEN);
    assert_int_equal(conn_srv_want(&s), 28);
    in[24] = 200;
    assert_int_equal(conn_srv_feed(&s, &key_s, in, 28), CAIRN_ERR_BAD_HELLO);
    conn_srv_wipe(&s);
}

int main(void)
{
    uint8_t seed[32];
    cairn_crypto_init();
    memset(seed, 0xC1, 32);
    cairn_keypair_from_seed(&key_c, seed);
    memset(seed, 0x5E, 32);
    cairn_keypair_from_seed(&key_s, seed);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(frames_in_place),
        cmocka_unit_test(same_as_out_of_place),
        cmocka_unit_test(refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
