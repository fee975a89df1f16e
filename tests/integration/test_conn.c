/* Integration tests of the provider<->client transport (cairn/conn.h) over
 * real TCP sockets on 127.0.0.1, port 0, with the server, a tampering
 * proxy and raw misbehaving peers on threads.
 *
 * No test asserts how long anything took: a deadline test asserts that the
 * call returns CAIRN_ERR_TIMEOUT. Every thread's loop is bounded in count
 * and by the deadlines of the calls it makes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cairn/conn.h"

#define T_MS 10000   /* deadline of calls that are expected to succeed */
#define SHORT_MS 300 /* deadline of calls that are expected to time out */

static cairn_keypair key_c, key_s, key_other;

static void keys_init(void)
{
    uint8_t seed[32];
    cairn_crypto_init();
    memset(seed, 0xC1, 32);
    cairn_keypair_from_seed(&key_c, seed);
    memset(seed, 0x5E, 32);
    cairn_keypair_from_seed(&key_s, seed);
    memset(seed, 0x07, 32);
    cairn_keypair_from_seed(&key_other, seed);
}

static int listen_any(int *port)
{
    int fd = -1;
    assert_int_equal(cairn_listen("127.0.0.1", 0, &fd), CAIRN_OK);
    *port = cairn_listen_port(fd);
    assert_true(*port > 0);
    return fd;
}

/* A plain blocking TCP connection to 127.0.0.1:port. */
static int raw_connect(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

static void msleep(int ms)
{
    struct timespec t = {.tv_sec = ms / 1000,
                         .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* ---- a server on a thread ---------------------------------------------- */

enum { SRV_ECHO, SRV_RECV_ALL, SRV_HOLD };

typedef struct server {
    int lfd, port, mode;
    size_t max; /* recv bound (0: default) */
    pthread_t th;
    cairn_err accept_err; /* of cairn_conn_accept */
    cairn_err err;        /* the error that ended the session */
    int nrecv;            /* messages received before it */
    cairn_pubkey peer;
} server;

/* Echo: answers each message with type + 1 and the same payload; on the
 * client's orderly end, sends "bye" and ends its own direction. */
static cairn_err serve_echo(server *s, cairn_conn *c)
{
    for (int i = 0; i < 100000; i++) {
        uint8_t type = 0, *p = NULL;
        size_t n = 0;
        cairn_err e = cairn_conn_recv(c, &type, &p, &n, s->max, T_MS);
        if (e == CAIRN_ERR_CLOSED) {
            e = cairn_conn_send(c, 0x7f, "bye", 3, T_MS);
            return e ? e : cairn_conn_finish(c, T_MS);
        }
        if (e)
            return e;
        s->nrecv++;
        e = cairn_conn_send(c, (uint8_t)(type + 1), p, n, T_MS);
        free(p);
        if (e)
            return e;
    }
    return CAIRN_ERR_BAD_ARG;
}

/* Receives until an error; checks each payload is "msg <i>". */
static cairn_err serve_recv_all(server *s, cairn_conn *c, int timeout_ms)
{
    for (int i = 0; i < 100000; i++) {
        uint8_t type = 0, *p = NULL;
        size_t n = 0;
        char want[32];
        cairn_err e = cairn_conn_recv(c, &type, &p, &n, s->max, timeout_ms);
        if (e)
            return e;
        snprintf(want, sizeof want, "msg %d", i);
        int ok = type == 1 && (n == strlen(want) || n > 100) &&
                 (n > 100 || memcmp(p, want, n) == 0);
        free(p);
        if (!ok)
            return CAIRN_ERR_BAD_BODY;
        s->nrecv++;
    }
    return CAIRN_ERR_BAD_ARG;
}

static void *server_main(void *arg)
{
    server *s = arg;
    cairn_conn *c = NULL;
    s->accept_err = cairn_conn_accept(&c, s->lfd, &key_s, T_MS);
    if (s->accept_err)
        return NULL;
    s->peer = *cairn_conn_peer(c);
    if (s->mode == SRV_ECHO)
        s->err = serve_echo(s, c);
    else if (s->mode == SRV_RECV_ALL)
        s->err = serve_recv_all(s, c, T_MS);
    else
        s->err = serve_recv_all(s, c, SHORT_MS); /* a silent peer: times out */
    /* after an error every later call fails the same way */
    if (s->err && s->err != CAIRN_ERR_CLOSED) {
        uint8_t t, *p = NULL;
        size_t n;
        if (cairn_conn_recv(c, &t, &p, &n, 0, T_MS) != s->err ||
            cairn_conn_send(c, 1, "x", 1, T_MS) != s->err)
            s->err = CAIRN_ERR_DUPLICATE; /* not sticky: fails the test */
    }
    cairn_conn_close(c);
    return NULL;
}

static void server_start(server *s, int mode, size_t max)
{
    memset(s, 0, sizeof *s);
    s->mode = mode;
    s->max = max;
    s->lfd = listen_any(&s->port);
    assert_int_equal(pthread_create(&s->th, NULL, server_main, s), 0);
}

static void server_join(server *s)
{
    pthread_join(s->th, NULL);
    close(s->lfd);
}

/* ---- a proxy that tampers with the client->server stream --------------- */

enum { P_NONE, P_FLIP, P_FLIP_HELLO, P_DROP, P_REPLAY, P_TRUNCATE, P_OVERSIZE };

typedef struct proxy {
    int lfd, port, up_port;
    int op, frame, after; /* data frame index to act on; replay after */
    pthread_t th;
    uint8_t in[1 << 16]; /* client->server bytes not yet forwarded */
    size_t in_len;
    int unit; /* units seen: 0 hello, 1 auth, 2.. data frames */
    uint8_t saved[256];
    size_t saved_len;
    uint8_t log[1 << 16]; /* everything forwarded client->server */
    size_t log_len;
    int swallow; /* drop everything from now on */
} proxy;

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static int send_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n) {
        ssize_t r = send(fd, b, n, MSG_NOSIGNAL);
        if (r <= 0)
            return -1;
        b += r;
        n -= (size_t)r;
    }
    return 0;
}

static void fwd(proxy *x, int up, const uint8_t *p, size_t n)
{
    if (x->log_len + n <= sizeof x->log) {
        memcpy(x->log + x->log_len, p, n);
        x->log_len += n;
    }
    (void)send_all(up, p, n);
}

/* Length of the next complete unit in x->in, or 0 if more bytes are due. */
static size_t unit_len(const proxy *x)
{
    if (x->unit == 0)
        return x->in_len >= 38 ? 38 : 0;
    size_t off = x->unit == 1 ? 24 : 0;
    if (x->in_len < off + 4)
        return 0;
    size_t n = off + 4 + le32(x->in + off);
    return x->in_len >= n ? n : 0;
}

/* Forwards (or alters) one unit; returns 1 to cut both connections. */
static int on_unit(proxy *x, int up, uint8_t *p, size_t n)
{
    int f = x->unit - 2;
    static const uint8_t huge[4] = {0xff, 0xff, 0xff, 0xff};
    if (x->op == P_FLIP_HELLO && x->unit == 0)
        p[10] ^= 0x01;
    if (f != x->frame && !(x->op == P_REPLAY && f == x->after)) {
        fwd(x, up, p, n);
        return 0;
    }
    switch (x->op) {
    case P_FLIP:
        p[n / 2] ^= 0x01;
        break;
    case P_DROP:
        return 0;
    case P_REPLAY:
        if (f == x->frame && n <= sizeof x->saved) {
            memcpy(x->saved, p, n);
            x->saved_len = n;
        }
        fwd(x, up, p, n);
        if (f == x->after)
            fwd(x, up, x->saved, x->saved_len);
        return 0;
    case P_TRUNCATE:
        fwd(x, up, p, n / 2);
        return 1;
    case P_OVERSIZE:
        fwd(x, up, huge, sizeof huge);
        x->swallow = 1;
        return 0;
    }
    fwd(x, up, p, n);
    return 0;
}

/* Splits the pending client->server bytes into units; 1 to cut. */
static int on_client_bytes(proxy *x, int up)
{
    size_t n;
    while (!x->swallow && (n = unit_len(x)) > 0) {
        int cut = on_unit(x, up, x->in, n);
        x->unit++;
        memmove(x->in, x->in + n, x->in_len - n);
        x->in_len -= n;
        if (cut)
            return 1;
    }
    if (x->swallow)
        x->in_len = 0;
    return 0;
}

static void proxy_pump(proxy *x, int cfd, int up)
{
    int c_eof = 0, s_eof = 0;
    uint8_t buf[1 << 16];
    for (int i = 0; i < 1000 && !(c_eof && s_eof); i++) { /* ~100 ms each */
        struct pollfd p[2] = {{.fd = c_eof ? -1 : cfd, .events = POLLIN},
                              {.fd = s_eof ? -1 : up, .events = POLLIN}};
        if (poll(p, 2, 100) <= 0)
            continue;
        if (p[0].revents) {
            size_t room = sizeof x->in - x->in_len;
            ssize_t r = room ? recv(cfd, x->in + x->in_len, room, 0) : -1;
            if (r <= 0) {
                c_eof = 1;
                shutdown(up, SHUT_WR);
            } else {
                x->in_len += (size_t)r;
                if (on_client_bytes(x, up))
                    return;
            }
        }
        if (p[1].revents) {
            ssize_t r = recv(up, buf, sizeof buf, 0);
            if (r <= 0 || send_all(cfd, buf, (size_t)r)) {
                s_eof = 1;
                shutdown(cfd, SHUT_WR);
            }
        }
    }
}

static void *proxy_main(void *arg)
{
    proxy *x = arg;
    struct pollfd p = {.fd = x->lfd, .events = POLLIN};
    if (poll(&p, 1, T_MS) != 1)
        return NULL;
    int cfd = accept(x->lfd, NULL, NULL);
    if (cfd < 0)
        return NULL;
    int up = raw_connect(x->up_port);
    proxy_pump(x, cfd, up);
    close(cfd);
    close(up);
    return NULL;
}

static proxy *proxy_start(int up_port, int op, int frame, int after)
{
    proxy *x = calloc(1, sizeof *x);
    assert_non_null(x);
    x->up_port = up_port;
    x->op = op;
    x->frame = op == P_NONE || op == P_FLIP_HELLO ? -100 : frame;
    x->after = after;
    x->lfd = listen_any(&x->port);
    assert_int_equal(pthread_create(&x->th, NULL, proxy_main, x), 0);
    return x;
}

static void proxy_join(proxy *x)
{
    pthread_join(x->th, NULL);
    close(x->lfd);
    free(x);
}

/* Dials port, sends "msg 0".."msg <n-1>" (type 1), then ends in order if
 * finish; send errors after a tampered frame are expected and ignored. */
static void client_send_msgs(int port, int n, int finish)
{
    cairn_conn *c = NULL;
    assert_int_equal(
        cairn_conn_dial(&c, "127.0.0.1", port, &key_c, &key_s.pk, T_MS),
        CAIRN_OK);
    for (int i = 0; i < n; i++) {
        char m[32];
        int len = snprintf(m, sizeof m, "msg %d", i);
        if (cairn_conn_send(c, 1, m, (size_t)len, T_MS))
            break;
    }
    if (finish && cairn_conn_finish(c, T_MS) != CAIRN_OK)
        fprintf(stderr, "  (finish failed, as the proxy cut the stream)\n");
    /* wait for the server's end (or its error) before closing */
    uint8_t t, *p = NULL;
    size_t len;
    for (int i = 0;
         i < 10 && cairn_conn_recv(c, &t, &p, &len, 0, T_MS) == CAIRN_OK; i++)
        free(p);
    cairn_conn_close(c);
}

/* ---- tests ------------------------------------------------------------- */

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

static void roundtrip_many(void **st)
{
    static const size_t sizes[] = {
        0,    1,     2,     17,        100,           1000,
        4095, 65536, 65537, (1 << 20), (1 << 20) + 3, 3u << 20};
    const int nsizes = (int)(sizeof sizes / sizeof *sizes);
    server s;
    cairn_conn *c = NULL;
    uint8_t *buf = malloc(3u << 20);
    assert_non_null(buf);
    server_start(&s, SRV_ECHO, 0);
    assert_int_equal(
        cairn_conn_dial(&c, "127.0.0.1", s.port, &key_c, &key_s.pk, T_MS),
        CAIRN_OK);
    assert_memory_equal(cairn_conn_peer(c)->b, key_s.pk.b, 32);
    for (int i = 0; i < 240; i++) {
        size_t n = sizes[i % nsizes], rn = 0;
        uint8_t type = 0, *p = NULL;
        if (i >= 2 * nsizes && n > 100000)
            n = (size_t)i * 37; /* after two full rounds, keep it quick */
        fill(buf, n, (uint32_t)i);
        assert_int_equal(cairn_conn_send(c, (uint8_t)i, buf, n, T_MS),
                         CAIRN_OK);
        assert_int_equal(cairn_conn_recv(c, &type, &p, &rn, 4u << 20, T_MS),
                         CAIRN_OK);
        assert_int_equal(type, (uint8_t)(i + 1));
        assert_int_equal(rn, n);
        assert_non_null(p);
        assert_memory_equal(p, buf, n);
        free(p);
    }
    /* our orderly end: the server answers "bye" and ends its own */
    assert_int_equal(cairn_conn_finish(c, T_MS), CAIRN_OK);
    assert_int_equal(cairn_conn_send(c, 1, "late", 4, T_MS), CAIRN_ERR_CLOSED);
    uint8_t type = 0, *p = NULL;
    size_t n = 0;
    assert_int_equal(cairn_conn_recv(c, &type, &p, &n, 0, T_MS), CAIRN_OK);
    assert_int_equal(type, 0x7f);
    assert_int_equal(n, 3);
    free(p);
    assert_int_equal(cairn_conn_recv(c, &type, &p, &n, 0, T_MS),
                     CAIRN_ERR_CLOSED);
    assert_int_equal(cairn_conn_recv(c, &type, &p, &n, 0, T_MS),
                     CAIRN_ERR_CLOSED);
    cairn_conn_close(c);
    server_join(&s);
    assert_int_equal(s.accept_err, CAIRN_OK);
    assert_int_equal(s.err, CAIRN_OK);
    assert_int_equal(s.nrecv, 240);
    assert_memory_equal(s.peer.b, key_c.pk.b, 32);
    free(buf);
}

static void dial_by_name_any_peer(void **st)
{
    server s;
    cairn_conn *c = NULL;
    server_start(&s, SRV_RECV_ALL, 0);
    /* a name goes through the resolver thread; NULL accepts any peer */
    assert_int_equal(
        cairn_conn_dial(&c, "localhost", s.port, &key_c, NULL, T_MS), CAIRN_OK);
    assert_memory_equal(cairn_conn_peer(c)->b, key_s.pk.b, 32);
    assert_int_equal(cairn_conn_send(c, 1, "msg 0", 5, T_MS), CAIRN_OK);
    assert_int_equal(cairn_conn_finish(c, T_MS), CAIRN_OK);
    cairn_conn_close(c);
    server_join(&s);
    assert_int_equal(s.nrecv, 1);
    assert_int_equal(s.err, CAIRN_ERR_CLOSED);
}

static void peer_mismatch(void **st)
{
    server s;
    cairn_conn *c = (cairn_conn *)&s; /* must stay untouched on failure */
    server_start(&s, SRV_RECV_ALL, 0);
    assert_int_equal(
        cairn_conn_dial(&c, "127.0.0.1", s.port, &key_c, &key_other.pk, T_MS),
        CAIRN_ERR_PEER_MISMATCH);
    assert_ptr_equal(c, (cairn_conn *)&s);
    server_join(&s);
    /* the client left before proving itself: the server has no session */
    assert_int_equal(s.accept_err, CAIRN_ERR_TRUNCATED);
}

static void tampered_ciphertext(void **st)
{
    server s;
    server_start(&s, SRV_RECV_ALL, 0);
    proxy *x = proxy_start(s.port, P_FLIP, 1, 0);
    client_send_msgs(x->port, 5, 1);
    proxy_join(x);
    server_join(&s);
    assert_int_equal(s.accept_err, CAIRN_OK);
    assert_int_equal(s.nrecv, 1);
    assert_int_equal(s.err, CAIRN_ERR_BAD_MAC);
}

static void tampered_hello(void **st)
{
    /* a swapped ephemeral gives the two sides different keys: the client
     * cannot open the server's AUTH frame */
    server s;
    cairn_conn *c = NULL;
    server_start(&s, SRV_RECV_ALL, 0);
    proxy *x = proxy_start(s.port, P_FLIP_HELLO, 0, 0);
    assert_int_equal(
        cairn_conn_dial(&c, "127.0.0.1", x->port, &key_c, &key_s.pk, T_MS),
        CAIRN_ERR_BAD_MAC);
    proxy_join(x);
    server_join(&s);
    assert_int_not_equal(s.accept_err, CAIRN_OK);
}

static void replayed_dropped_frames(void **st)
{
    server s;
    server_start(&s, SRV_RECV_ALL, 0);
    proxy *x = proxy_start(s.port, P_REPLAY, 1, 2); /* 0 1 2 1 3 ... */
    client_send_msgs(x->port, 5, 1);
    proxy_join(x);
    server_join(&s);
    assert_int_equal(s.nrecv, 3);
    assert_int_equal(s.err, CAIRN_ERR_BAD_MAC);

    server_start(&s, SRV_RECV_ALL, 0);
    x = proxy_start(s.port, P_DROP, 1, 0); /* 0 2 3 ... */
    client_send_msgs(x->port, 5, 1);
    proxy_join(x);
    server_join(&s);
    assert_int_equal(s.nrecv, 1);
    assert_int_equal(s.err, CAIRN_ERR_BAD_MAC);
}

static void replayed_session(void **st)
{
    /* record a whole client session, then play it to the server again */
    server s;
    server_start(&s, SRV_RECV_ALL, 0);
    proxy *x = proxy_start(s.port, P_NONE, 0, 0);
    client_send_msgs(x->port, 3, 1);
    pthread_join(x->th, NULL);
    server_join(&s);
    assert_int_equal(s.nrecv, 3);
    assert_int_equal(s.err, CAIRN_ERR_CLOSED);
    assert_true(x->log_len > 38);

    int port, lfd = listen_any(&port);
    int fd = raw_connect(port);
    assert_int_equal(send_all(fd, x->log, x->log_len), 0);
    cairn_conn *c = NULL;
    /* new server ephemeral, new keys: the old AUTH frame does not open */
    assert_int_equal(cairn_conn_accept(&c, lfd, &key_s, T_MS),
                     CAIRN_ERR_BAD_MAC);
    close(fd);
    close(lfd);
    close(x->lfd);
    free(x);
}

static void oversized_frame(void **st)
{
    /* a header claiming 4 GiB: refused from the header alone (the server
     * would otherwise wait for the body and time out, not say too_large) */
    server s;
    server_start(&s, SRV_RECV_ALL, 0);
    proxy *x = proxy_start(s.port, P_OVERSIZE, 1, 0);
    client_send_msgs(x->port, 3, 0);
    proxy_join(x);
    server_join(&s);
    assert_int_equal(s.nrecv, 1);
    assert_int_equal(s.err, CAIRN_ERR_TOO_LARGE);

    /* a real frame one byte over the receiver's own bound */
    server_start(&s, SRV_RECV_ALL, 200);
    cairn_conn *c = NULL;
    uint8_t big[201];
    memset(big, 'z', sizeof big);
    assert_int_equal(
        cairn_conn_dial(&c, "127.0.0.1", s.port, &key_c, &key_s.pk, T_MS),
        CAIRN_OK);
    assert_int_equal(cairn_conn_send(c, 1, "msg 0", 5, T_MS), CAIRN_OK);
    assert_int_equal(cairn_conn_send(c, 1, big, 200, T_MS), CAIRN_OK);
    assert_int_equal(cairn_conn_send(c, 1, big, 201, T_MS), CAIRN_OK);
    server_join(&s);
    cairn_conn_close(c);
    assert_int_equal(s.nrecv, 2);
    assert_int_equal(s.err, CAIRN_ERR_TOO_LARGE);
}

static void truncated_stream(void **st)
{
    /* the peer's socket ends in the middle of frame 1 */
    server s;
    server_start(&s, SRV_RECV_ALL, 0);
    proxy *x = proxy_start(s.port, P_TRUNCATE, 1, 0);
    client_send_msgs(x->port, 3, 0);
    proxy_join(x);
    server_join(&s);
    assert_int_equal(s.nrecv, 1);
    assert_int_equal(s.err, CAIRN_ERR_TRUNCATED);

    /* ... or between frames, without the authenticated final frame */
    server_start(&s, SRV_RECV_ALL, 0);
    cairn_conn *c = NULL;
    assert_int_equal(
        cairn_conn_dial(&c, "127.0.0.1", s.port, &key_c, &key_s.pk, T_MS),
        CAIRN_OK);
    assert_int_equal(cairn_conn_send(c, 1, "msg 0", 5, T_MS), CAIRN_OK);
    cairn_conn_close(c);
    server_join(&s);
    assert_int_equal(s.nrecv, 1);
    assert_int_equal(s.err, CAIRN_ERR_TRUNCATED);
}

static void silent_peers_time_out(void **st)
{
    cairn_conn *c = NULL;
    int port, lfd = listen_any(&port);
    /* connects and sends nothing: accept returns at its deadline */
    int fd = raw_connect(port);
    assert_int_equal(cairn_conn_accept(&c, lfd, &key_s, SHORT_MS),
                     CAIRN_ERR_TIMEOUT);
    assert_null(c);
    /* nobody connects at all */
    assert_int_equal(cairn_conn_accept(&c, lfd, &key_s, SHORT_MS),
                     CAIRN_ERR_TIMEOUT);
    /* a listener that never answers: the dialer's handshake times out */
    assert_int_equal(
        cairn_conn_dial(&c, "127.0.0.1", port, &key_c, NULL, SHORT_MS),
        CAIRN_ERR_TIMEOUT);
    close(fd);
    close(lfd);

    /* a session whose peer goes quiet: recv returns at its deadline */
    server s;
    server_start(&s, SRV_HOLD, 0);
    assert_int_equal(
        cairn_conn_dial(&c, "127.0.0.1", s.port, &key_c, &key_s.pk, T_MS),
        CAIRN_OK);
    assert_int_equal(cairn_conn_send(c, 1, "msg 0", 5, T_MS), CAIRN_OK);
    server_join(&s); /* the server gave up on us: it was not waiting on us */
    cairn_conn_close(c);
    assert_int_equal(s.nrecv, 1);
    assert_int_equal(s.err, CAIRN_ERR_TIMEOUT);
}

typedef struct trickle {
    int port;
    atomic_int stop;
} trickle;

/* Sends a valid-looking hello one byte every 40 ms (at most 38 bytes). */
static void *trickle_main(void *arg)
{
    trickle *t = arg;
    uint8_t hello[38] = {'C', 'R', 'N', 'C', 1, 1};
    int fd = raw_connect(t->port);
    for (int i = 0; i < 38 && !atomic_load(&t->stop); i++) {
        if (send(fd, hello + i, 1, MSG_NOSIGNAL) != 1)
            break;
        msleep(40);
    }
    close(fd);
    return NULL;
}

static void trickling_peer_times_out(void **st)
{
    cairn_conn *c = NULL;
    trickle t = {0};
    pthread_t th;
    int lfd = listen_any(&t.port);
    assert_int_equal(pthread_create(&th, NULL, trickle_main, &t), 0);
    assert_int_equal(cairn_conn_accept(&c, lfd, &key_s, SHORT_MS),
                     CAIRN_ERR_TIMEOUT);
    atomic_store(&t.stop, 1);
    pthread_join(th, NULL);
    close(lfd);
}

/* Accepts one raw connection, writes `reply`, waits for the peer to go. */
typedef struct raw_server {
    int lfd, port;
    const char *reply;
    size_t len;
    pthread_t th;
} raw_server;

static void *raw_server_main(void *arg)
{
    raw_server *r = arg;
    struct pollfd p = {.fd = r->lfd, .events = POLLIN};
    if (poll(&p, 1, T_MS) != 1)
        return NULL;
    int fd = accept(r->lfd, NULL, NULL);
    if (fd < 0)
        return NULL;
    (void)send_all(fd, r->reply, r->len);
    struct pollfd q = {.fd = fd, .events = POLLIN};
    char buf[256];
    for (int i = 0; i < 100 && poll(&q, 1, 100) >= 0; i++)
        if (q.revents && recv(fd, buf, sizeof buf, 0) <= 0)
            break;
    close(fd);
    return NULL;
}

static cairn_err accept_raw_hello(const void *hello, size_t n)
{
    cairn_conn *c = NULL;
    int port, lfd = listen_any(&port);
    int fd = raw_connect(port);
    assert_int_equal(send_all(fd, hello, n), 0);
    shutdown(fd, SHUT_WR); /* nothing more will come */
    cairn_err e = cairn_conn_accept(&c, lfd, &key_s, T_MS);
    assert_null(c);
    close(fd);
    close(lfd);
    return e;
}

static void garbage_hellos(void **st)
{
    static const char http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    uint8_t h[38] = {'C', 'R', 'N', 'C', 9, 1};
    assert_int_equal(accept_raw_hello(http, sizeof http - 1),
                     CAIRN_ERR_BAD_HELLO);
    assert_int_equal(accept_raw_hello(h, sizeof h), CAIRN_ERR_BAD_VERSION);
    h[4] = 1;
    h[5] = 2; /* claims to be a server */
    assert_int_equal(accept_raw_hello(h, sizeof h), CAIRN_ERR_BAD_HELLO);
    h[5] = 1; /* all-zero ephemeral: a low-order point */
    assert_int_equal(accept_raw_hello(h, sizeof h), CAIRN_ERR_BAD_HELLO);
    assert_int_equal(accept_raw_hello(h, 20), CAIRN_ERR_TRUNCATED);

    /* the dialer meets something that is not a cairn peer */
    raw_server r = {.reply = "HTTP/1.1 400 Bad Request\r\n\r\n"};
    r.len = strlen(r.reply);
    r.lfd = listen_any(&r.port);
    assert_int_equal(pthread_create(&r.th, NULL, raw_server_main, &r), 0);
    cairn_conn *c = NULL;
    assert_int_equal(
        cairn_conn_dial(&c, "127.0.0.1", r.port, &key_c, NULL, T_MS),
        CAIRN_ERR_BAD_HELLO);
    pthread_join(r.th, NULL);
    close(r.lfd);
}

static void dial_errors(void **st)
{
    cairn_conn *c = NULL;
    int port, lfd = listen_any(&port);
    close(lfd); /* nothing listens there now */
    assert_int_equal(cairn_conn_dial(&c, "127.0.0.1", port, &key_c, NULL, T_MS),
                     CAIRN_ERR_IO);
    assert_int_equal(cairn_conn_dial(&c, "127.0.0.1", 0, &key_c, NULL, T_MS),
                     CAIRN_ERR_BAD_ENDPOINT);
    assert_int_equal(
        cairn_conn_dial(&c, "127.0.0.1", 70000, &key_c, NULL, T_MS),
        CAIRN_ERR_BAD_ENDPOINT);
    assert_int_equal(cairn_conn_dial(&c, "127.0.0.1", port, &key_c, NULL, 0),
                     CAIRN_ERR_BAD_ARG);
    assert_null(c);
}

int main(void)
{
    keys_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(roundtrip_many),
        cmocka_unit_test(dial_by_name_any_peer),
        cmocka_unit_test(peer_mismatch),
        cmocka_unit_test(tampered_ciphertext),
        cmocka_unit_test(tampered_hello),
        cmocka_unit_test(replayed_dropped_frames),
        cmocka_unit_test(replayed_session),
        cmocka_unit_test(oversized_frame),
        cmocka_unit_test(truncated_stream),
        cmocka_unit_test(silent_peers_time_out),
        cmocka_unit_test(trickling_peer_times_out),
        cmocka_unit_test(garbage_hellos),
        cmocka_unit_test(dial_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
