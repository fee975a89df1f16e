/* The shared provider connection server (src/provider/daemon.h, part 2)
 * in-process, over real sockets on 127.0.0.x, with a toy handler:
 *
 *   0x01 echo   -> 0x81 with the same payload
 *   0x02 gate   -> waits until the test opens the gate, then 0x82
 *   0x03 bad    -> 0xFF and the end of the connection (a malformed request)
 *   refusal     -> 0xFE: u32 code ‖ text
 *
 * It checks the limits one by one: malformed requests and frames close,
 * deadlines, a frame's buffer that grows as bytes arrive, the memory budget
 * of peers without a deal, per-key and per-IP limits, eviction of
 * strangers for a friend, half-handshakes that cannot lock out a client,
 * strangers that cannot hold every worker, and the rate-limited log. Every
 * wait is bounded; no assertion is about how long something took. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cairn/conn.h"
#include "core/bytes.h"
#include "net/conn_internal.h"
#include "provider/daemon.h"

#define MS 5000
#define T_ECHO 0x01
#define T_GATE 0x02
#define T_BAD 0x03
#define T_REFUSED 0xFE

static cairn_keypair server_key;

typedef struct world {
    pd_server *s;
    FILE *log;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    int gate_open, in_gate;
} world;

static world W;

static void toy_handle(void *ctx, const pd_request *q, pd_reply *r)
{
    world *w = ctx;
    if (q->type == T_ECHO) {
        r->type = 0x81;
        cairn_put_bytes(&r->body, q->body, q->n);
    } else if (q->type == T_GATE) {
        pthread_mutex_lock(&w->mu);
        w->in_gate++;
        pthread_cond_broadcast(&w->cond);
        while (!w->gate_open)
            pthread_cond_wait(&w->cond, &w->mu);
        w->in_gate--;
        pthread_mutex_unlock(&w->mu);
        r->type = 0x82;
    } else {
        r->type = 0xFF;
        r->close = 1;
    }
}

static void toy_refuse(void *ctx, cairn_err e, const char *why, pd_reply *r)
{
    r->type = T_REFUSED;
    cairn_put_u32(&r->body, (uint32_t)e);
    cairn_put_bytes(&r->body, why, strlen(why));
}

static void up(pd_limits lim, size_t max_request)
{
    char msg[256];
    memset(&W, 0, sizeof W);
    pthread_mutex_init(&W.mu, NULL);
    pthread_cond_init(&W.cond, NULL);
    W.log = tmpfile();
    assert_non_null(W.log);
    pd_serve_config cfg = {.listen_host = "127.0.0.1",
                           .key = server_key,
                           .max_request = max_request,
                           .max_reply = max_request,
                           .limits = lim,
                           .handle = toy_handle,
                           .refuse = toy_refuse,
                           .ctx = &W,
                           .log = W.log,
                           .who = "test"};
    assert_int_equal(pd_serve_start(&W.s, &cfg, msg, sizeof msg), CAIRN_OK);
}

static void open_gate(void)
{
    pthread_mutex_lock(&W.mu);
    W.gate_open = 1;
    pthread_cond_broadcast(&W.cond);
    pthread_mutex_unlock(&W.mu);
}

static void down(void)
{
    open_gate();
    pd_serve_stop(W.s);
    fclose(W.log);
    pthread_cond_destroy(&W.cond);
    pthread_mutex_destroy(&W.mu);
}

static int log_lines(void)
{
    int n = 0, ch;
    fflush(W.log);
    rewind(W.log);
    while ((ch = fgetc(W.log)) != EOF)
        n += ch == '\n';
    return n;
}

static void msleep(int ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* A TCP socket from 127.0.0.<host> to the server (blocking connect). */
static int raw_from(int host)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    a.sin_addr.s_addr = htonl(0x7f000000u | (uint32_t)host);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    a.sin_port = htons((uint16_t)pd_serve_port(W.s));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

/* A handshaken connection from 127.0.0.<host> with key k; NULL if the
 * handshake failed. */
static cairn_conn *dial_from(int host, const cairn_keypair *k)
{
    cairn_conn *c = NULL;
    if (cairn_conn_client(&c, raw_from(host), k, &server_key.pk, MS))
        return NULL;
    return c;
}

static cairn_keypair fresh(void)
{
    cairn_keypair k;
    cairn_keypair_generate(&k);
    return k;
}

/* One request; returns the reply's type (0 on a transport error, *err). */
static uint8_t ask(cairn_conn *c, uint8_t type, const void *p, size_t n,
                   cairn_err *err)
{
    uint8_t t = 0, *rep = NULL;
    size_t rn = 0;
    cairn_err e = cairn_conn_send(c, type, p, n, MS);
    if (!e)
        e = cairn_conn_recv(c, &t, &rep, &rn, 0, MS);
    if (!e && t == 0x81 && (rn != n || (n && memcmp(rep, p, n) != 0)))
        t = 0; /* not an echo */
    free(rep);
    if (err)
        *err = e;
    return e ? 0 : t;
}

/* The connection ends (the peer's recv sees the socket end). */
static void ends(cairn_conn *c)
{
    uint8_t t, *p = NULL;
    size_t n;
    cairn_err e = cairn_conn_recv(c, &t, &p, &n, 0, MS);
    free(p);
    assert_true(e == CAIRN_ERR_TRUNCATED || e == CAIRN_ERR_IO);
}

/* Reads until the raw socket ends (1) or MS passes (0). */
static int raw_ends(int fd)
{
    char buf[512];
    for (int i = 0; i < MS / 50; i++) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 50) > 0) {
            ssize_t r = recv(fd, buf, sizeof buf, 0);
            if (r <= 0)
                return 1;
        }
    }
    return 0;
}

static pd_stats stats(void)
{
    pd_stats st;
    pd_serve_stats(W.s, &st);
    return st;
}

/* Waits (bounded) until the server counts `want` connections. */
static void wait_conns(int want)
{
    for (int i = 0; i < MS / 10 && stats().conns != want; i++)
        msleep(10);
    assert_int_equal(stats().conns, want);
}

/* ---- the tests ---- */

static void echo_and_pipelining(void **state)
{
    pd_limits lim = {0};
    up(lim, 4u << 20);
    cairn_keypair k = fresh();
    cairn_conn *c = dial_from(1, &k);
    assert_non_null(c);
    assert_int_equal(ask(c, T_ECHO, "hello", 5, NULL), 0x81);
    assert_int_equal(ask(c, T_ECHO, NULL, 0, NULL), 0x81);
    /* three requests on their way before the first reply is read */
    for (int i = 0; i < 3; i++)
        assert_int_equal(cairn_conn_send(c, T_ECHO, &i, sizeof i, MS),
                         CAIRN_OK);
    for (int i = 0; i < 3; i++) {
        uint8_t t, *p;
        size_t n;
        assert_int_equal(cairn_conn_recv(c, &t, &p, &n, 0, MS), CAIRN_OK);
        assert_int_equal(n, sizeof i);
        assert_memory_equal(p, &i, sizeof i);
        free(p);
    }
    /* a large request grows its buffer step by step */
    size_t big = (3u << 20) + 7;
    uint8_t *b = malloc(big);
    for (size_t i = 0; i < big; i++)
        b[i] = (uint8_t)(i * 7);
    assert_int_equal(ask(c, T_ECHO, b, big, NULL), 0x81);
    free(b);
    cairn_conn_close(c);
    wait_conns(0);
    assert_int_equal(stats().mem_used, 0);
    down();
}

/* A malformed request is answered and closes the connection; so does a
 * frame that does not authenticate, and a frame over the bound (refused
 * from its length). */
static void bad_requests_close(void **state)
{
    pd_limits lim = {0};
    up(lim, 1u << 20);
    cairn_keypair k = fresh();
    cairn_conn *c = dial_from(1, &k);
    assert_int_equal(ask(c, T_BAD, "x", 1, NULL), 0xFF);
    ends(c);
    cairn_conn_close(c);

    uint8_t junk[64];
    memset(junk, 0x5a, sizeof junk);
    cairn_le32_put(junk, sizeof junk - 4);
    c = dial_from(1, &k);
    assert_int_equal(send(c->fd, junk, sizeof junk, MSG_NOSIGNAL), sizeof junk);
    ends(c);
    cairn_conn_close(c);

    c = dial_from(1, &k);
    cairn_le32_put(junk, (2u << 20));
    assert_int_equal(send(c->fd, junk, 4, MSG_NOSIGNAL), 4);
    ends(c);
    cairn_conn_close(c);

    c = dial_from(1, &k); /* the key is not held against it */
    assert_int_equal(ask(c, T_ECHO, "ok", 2, NULL), 0x81);
    cairn_conn_close(c);
    assert_int_equal(stats().closed_bad, 3);
    down();
}

/* The handshake, an idle connection and a request each have a deadline. */
static void deadlines(void **state)
{
    pd_limits lim = {.handshake_ms = 300, .idle_ms = 300, .request_ms = 300};
    up(lim, 1u << 20);
    int fd = raw_from(1); /* says nothing */
    assert_true(raw_ends(fd));
    close(fd);
    cairn_keypair k = fresh();
    cairn_conn *c = dial_from(1, &k);
    assert_int_equal(ask(c, T_ECHO, "a", 1, NULL), 0x81);
    ends(c); /* idle */
    cairn_conn_close(c);
    c = dial_from(1, &k);
    uint8_t part[100] = {0};
    cairn_le32_put(part, 50000); /* announces 50 kB, sends 96 bytes */
    assert_int_equal(send(c->fd, part, sizeof part, MSG_NOSIGNAL), sizeof part);
    ends(c);
    cairn_conn_close(c);
    assert_int_equal(stats().timed_out, 3);
    down();
}

/* Writes the u32 length of a frame of `payload` bytes to fd. */
static void announce(int fd, uint32_t payload)
{
    uint8_t h[4];
    cairn_le32_put(h, payload + 18);
    assert_int_equal(send(fd, h, 4, MSG_NOSIGNAL), 4);
}

/* Eight strangers announce 4 MiB frames and send 10 kB each: the server
 * holds buffers for what arrived, not for what was announced. */
static void buffers_grow_as_bytes_arrive(void **state)
{
    pd_limits lim = {0};
    uint8_t chunk[10000];
    cairn_conn *c[8];
    memset(chunk, 1, sizeof chunk);
    up(lim, 4u << 20);
    for (int i = 0; i < 8; i++) {
        cairn_keypair k = fresh();
        c[i] = dial_from(1 + i, &k);
        assert_non_null(c[i]);
        announce(c[i]->fd, 4u << 20);
        assert_int_equal(send(c[i]->fd, chunk, sizeof chunk, MSG_NOSIGNAL),
                         sizeof chunk);
    }
    size_t used = 0;
    for (int i = 0; i < 3000 && used < 8 * sizeof chunk; i++) {
        msleep(10);
        used = stats().mem_used;
    }
    assert_true(used >= 8 * sizeof chunk);
    assert_true(used <= 8 * 65536);
    for (int i = 0; i < 8; i++)
        cairn_conn_close(c[i]);
    wait_conns(0);
    assert_int_equal(stats().mem_used, 0);
    down();
}

/* Sends n bytes of junk on fd; the count sent before the peer closed. */
static size_t push_junk(int fd, size_t n)
{
    static uint8_t junk[1 << 16];
    size_t sent = 0;
    while (sent < n) {
        struct pollfd p = {fd, POLLOUT, 0};
        if (poll(&p, 1, MS) <= 0)
            break;
        size_t k = n - sent < sizeof junk ? n - sent : sizeof junk;
        ssize_t w = send(fd, junk, k, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0 && errno != EAGAIN)
            break;
        sent += w > 0 ? (size_t)w : 0;
    }
    return sent;
}

/* Strangers share a small budget: past it their connections are closed;
 * a friend still gets a large request through. */
static void strangers_budget(void **state)
{
    pd_limits lim = {.mem_total = 8u << 20, .mem_strangers = 1u << 20};
    up(lim, 4u << 20);
    cairn_conn *c[3];
    for (int i = 0; i < 3; i++) {
        cairn_keypair k = fresh();
        c[i] = dial_from(1 + i, &k);
        announce(c[i]->fd, 3u << 20);
        push_junk(c[i]->fd, 700000); /* two of these fill the budget */
    }
    for (int i = 0; i < 3000 && stats().mem_refused < 1; i++)
        msleep(10);
    assert_true(stats().mem_refused >= 1);
    assert_true(stats().mem_strangers <= (1u << 20));
    for (int i = 0; i < 3; i++)
        cairn_conn_close(c[i]);
    cairn_keypair f = fresh();
    assert_int_equal(pd_serve_set_friends(W.s, &f.pk, 1), CAIRN_OK);
    cairn_conn *fc = dial_from(9, &f);
    size_t big = 3u << 20;
    uint8_t *b = calloc(1, big);
    assert_int_equal(ask(fc, T_ECHO, b, big, NULL), 0x81);
    free(b);
    cairn_conn_close(fc);
    down();
}

/* Reads a refusal: its code. */
static cairn_err refused(cairn_conn *c)
{
    uint8_t t = 0, *p = NULL;
    size_t n = 0;
    cairn_err e = cairn_conn_send(c, T_ECHO, "x", 1, MS);
    if (!e)
        e = cairn_conn_recv(c, &t, &p, &n, 0, MS);
    if (!e)
        e = t == T_REFUSED && n >= 4 ? (cairn_err)cairn_le32_get(p)
                                     : CAIRN_ERR_BAD_MSG;
    free(p);
    return e;
}

/* Per key and per address, strangers are bounded; a friend is not held
 * to the address's bound. */
static void per_key_and_per_ip(void **state)
{
    pd_limits lim = {.per_key = 2, .per_ip = 3};
    up(lim, 1u << 20);
    cairn_keypair k = fresh(), f = fresh();
    cairn_conn *a = dial_from(1, &k), *b = dial_from(1, &k);
    assert_int_equal(ask(a, T_ECHO, "a", 1, NULL), 0x81);
    assert_int_equal(ask(b, T_ECHO, "b", 1, NULL), 0x81);
    cairn_conn *third = dial_from(1, &k);
    assert_int_equal(refused(third), CAIRN_ERR_BUSY);
    cairn_conn_close(third);
    cairn_keypair k2 = fresh(), k3 = fresh();
    cairn_conn *d = dial_from(1, &k2);
    assert_int_equal(ask(d, T_ECHO, "d", 1, NULL), 0x81);
    cairn_conn *e = dial_from(1, &k3); /* the 4th stranger from .1 */
    assert_int_equal(refused(e), CAIRN_ERR_BUSY);
    cairn_conn_close(e);
    e = dial_from(2, &k3); /* from another address it is fine */
    assert_int_equal(ask(e, T_ECHO, "e", 1, NULL), 0x81);
    assert_int_equal(pd_serve_set_friends(W.s, &f.pk, 1), CAIRN_OK);
    cairn_conn *fr = dial_from(1, &f);
    assert_int_equal(ask(fr, T_ECHO, "f", 1, NULL), 0x81);
    assert_int_equal(stats().refused, 2);
    cairn_conn *all[] = {a, b, d, e, fr};
    for (size_t i = 0; i < 5; i++)
        cairn_conn_close(all[i]);
    down();
}

/* A full server closes an idle stranger for a friend; when only friends
 * are left, a newcomer is refused at the door. */
static void friends_evict_strangers(void **state)
{
    pd_limits lim = {.max_conns = 4};
    cairn_conn *s[4], *fc[4];
    cairn_keypair f = fresh();
    up(lim, 1u << 20);
    for (int i = 0; i < 4; i++) {
        cairn_keypair k = fresh();
        s[i] = dial_from(1 + i, &k);
        assert_int_equal(ask(s[i], T_ECHO, "s", 1, NULL), 0x81);
    }
    assert_int_equal(pd_serve_set_friends(W.s, &f.pk, 1), CAIRN_OK);
    for (int i = 0; i < 4; i++) {
        fc[i] = dial_from(10, &f);
        assert_non_null(fc[i]);
        assert_int_equal(ask(fc[i], T_ECHO, "f", 1, NULL), 0x81);
    }
    for (int i = 0; i < 4; i++) {
        ends(s[i]);
        cairn_conn_close(s[i]);
    }
    assert_int_equal(stats().evicted, 4);
    cairn_keypair k = fresh();
    assert_null(dial_from(20, &k));
    assert_true(stats().refused >= 1);
    for (int i = 0; i < 4; i++)
        assert_int_equal(ask(fc[i], T_ECHO, "f", 1, NULL), 0x81);
    for (int i = 0; i < 4; i++)
        cairn_conn_close(fc[i]);
    down();
}

/* Half-handshakes from one address and from many cannot keep a client
 * out: the oldest is closed to make room for the newest. */
static void half_handshakes(void **state)
{
    pd_limits lim = {.per_ip_handshakes = 3, .max_handshakes = 6};
    int fds[24];
    up(lim, 1u << 20);
    for (int i = 0; i < 24; i++) {
        fds[i] = raw_from(1 + i % 4);
        assert_int_equal(send(fds[i], "CRNC", 4, MSG_NOSIGNAL), 4);
    }
    cairn_keypair k = fresh();
    for (int round = 0; round < 3; round++) {
        cairn_conn *c = dial_from(1, &k);
        assert_non_null(c);
        assert_int_equal(ask(c, T_ECHO, "in", 2, NULL), 0x81);
        cairn_conn_close(c);
    }
    assert_true(stats().evicted >= 18);
    for (int i = 0; i < 24; i++)
        close(fds[i]);
    down();
}

/* Strangers never hold every worker: with two workers and one stranger
 * stuck in the handler, a friend is still served, and a second stranger
 * waits. */
static void friends_get_a_worker(void **state)
{
    pd_limits lim = {.workers = 2};
    cairn_keypair f = fresh();
    cairn_conn *s[3];
    up(lim, 1u << 20);
    for (int i = 0; i < 3; i++) {
        cairn_keypair k = fresh();
        s[i] = dial_from(1 + i, &k);
        assert_int_equal(cairn_conn_send(s[i], T_GATE, NULL, 0, MS), CAIRN_OK);
    }
    pthread_mutex_lock(&W.mu);
    for (int i = 0; i < 3000 && W.in_gate < 1; i++) {
        pthread_mutex_unlock(&W.mu);
        msleep(10);
        pthread_mutex_lock(&W.mu);
    }
    pthread_mutex_unlock(&W.mu);
    assert_int_equal(pd_serve_set_friends(W.s, &f.pk, 1), CAIRN_OK);
    cairn_conn *fc = dial_from(9, &f);
    assert_int_equal(ask(fc, T_ECHO, "f", 1, NULL), 0x81);
    pthread_mutex_lock(&W.mu);
    assert_int_equal(W.in_gate, 1); /* the others wait in the queue */
    pthread_mutex_unlock(&W.mu);
    open_gate();
    for (int i = 0; i < 3; i++) {
        uint8_t t, *p;
        size_t n;
        assert_int_equal(cairn_conn_recv(s[i], &t, &p, &n, 0, MS), CAIRN_OK);
        assert_int_equal(t, 0x82);
        free(p);
        cairn_conn_close(s[i]);
    }
    cairn_conn_close(fc);
    down();
}

/* A flood of bad peers writes a few log lines, not one per peer. */
static void log_is_rate_limited(void **state)
{
    pd_limits lim = {.handshake_ms = 200};
    up(lim, 1u << 20);
    for (int i = 0; i < 300; i++) {
        int fd = raw_from(1 + i % 8);
        assert_int_equal(send(fd, "HTTP", 4, MSG_NOSIGNAL), 4);
        close(fd);
    }
    for (int i = 0; i < 100; i++) {
        cairn_keypair k = fresh();
        cairn_conn *c = dial_from(1, &k);
        (void)ask(c, T_BAD, "x", 1, NULL);
        cairn_conn_close(c);
    }
    /* until every flood connection is gone (bounded: 30 s); a raw one that
     * closes before the server reads it may end as a plain close, so only
     * the 100 bad requests are sure to count as closed_bad */
    for (int i = 0; i < 3000 && (stats().closed_bad < 100 || stats().conns > 0);
         i++)
        msleep(10);
    assert_true(stats().closed_bad >= 100);
    assert_true(log_lines() <= 12);
    down();
}

int main(void)
{
    uint8_t seed[32];
    cairn_crypto_init();
    memset(seed, 0x42, sizeof seed);
    cairn_keypair_from_seed(&server_key, seed);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(echo_and_pipelining),
        cmocka_unit_test(bad_requests_close),
        cmocka_unit_test(deadlines),
        cmocka_unit_test(buffers_grow_as_bytes_arrive),
        cmocka_unit_test(strangers_budget),
        cmocka_unit_test(per_key_and_per_ip),
        cmocka_unit_test(friends_evict_strangers),
        cmocka_unit_test(half_handshakes),
        cmocka_unit_test(friends_get_a_worker),
        cmocka_unit_test(log_is_rate_limited),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
