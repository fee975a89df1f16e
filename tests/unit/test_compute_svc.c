/* Unit tests of the compute provider's parts that need no chain: the bid
 * price policy, FETCH's path walk (no link followed, nothing but regular
 * files), and the service port (src/compute/provider/cprov_svc.c) against
 * an echo server on a Unix socket: a good token is piped, a wrong one, a
 * malformed line or silence is closed without a byte from the workload;
 * the per-lease bound, the eviction of connections still without a token,
 * the idle timeout, a link at the socket's path, and dropping a lease's
 * connections. Waits are bounded; nothing is timed. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "compute/provider/cprov_internal.h"
#include "compute/provider/cprov_svc.h"

static char dir[64], sock_path[96], link_path[96];
static uint8_t token[CAIRN_CP_TOKEN_LEN], token2[CAIRN_CP_TOKEN_LEN];
static int echo_fd = -1;
static FILE *devnull;
static pthread_t echo_th;

/* ---- an echo "workload" on a Unix socket ---- */

static void *echo_one(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        if (write(fd, buf, (size_t)n) != n)
            break;
    close(fd);
    return NULL;
}

static void *echo_main(void *arg)
{
    (void)arg;
    for (;;) {
        int c = accept(echo_fd, NULL, NULL);
        if (c < 0)
            return NULL;
        pthread_t th;
        if (pthread_create(&th, NULL, echo_one, (void *)(intptr_t)c) == 0)
            pthread_detach(th);
        else
            close(c);
    }
}

/* token -> lease 7 at the socket; token2 -> lease 8 at a link to it. */
static int lookup(void *ctx, const uint8_t t[CAIRN_CP_TOKEN_LEN],
                  uint64_t *lease, char *sock, size_t len)
{
    (void)ctx;
    if (!sodium_memcmp(t, token, CAIRN_CP_TOKEN_LEN)) {
        *lease = 7;
        snprintf(sock, len, "%s", sock_path);
        return 0;
    }
    if (!sodium_memcmp(t, token2, CAIRN_CP_TOKEN_LEN)) {
        *lease = 8;
        snprintf(sock, len, "%s", link_path);
        return 0;
    }
    return -1;
}

static int group_setup(void **state)
{
    (void)state;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    signal(SIGPIPE, SIG_IGN);
    devnull = fopen("/dev/null", "w");
    snprintf(dir, sizeof dir, "/tmp/cairn-svc-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(sock_path, sizeof sock_path, "%s/port.sock", dir);
    snprintf(link_path, sizeof link_path, "%s/link.sock", dir);
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock_path);
    echo_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_int_equal(bind(echo_fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(echo_fd, 64), 0);
    assert_int_equal(symlink(sock_path, link_path), 0);
    assert_int_equal(pthread_create(&echo_th, NULL, echo_main, NULL), 0);
    randombytes_buf(token, sizeof token);
    randombytes_buf(token2, sizeof token2);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    shutdown(echo_fd, SHUT_RDWR);
    close(echo_fd);
    pthread_join(echo_th, NULL);
    fclose(devnull);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- clients ---- */

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int tcp_to(int port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

/* Reads until n bytes came, the peer closed, or 10 s passed (bounded).
 * Returns the bytes read; *closed 1 when the peer closed. */
static size_t read_some(int fd, char *buf, size_t n, int *closed)
{
    size_t got = 0;
    *closed = 0;
    for (int t = 0; t < 100 && got < n; t++) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t k = read(fd, buf + got, n - got);
        if (k <= 0) {
            *closed = 1;
            break;
        }
        got += (size_t)k;
    }
    return got;
}

/* A connection that presented token t and echoes "ping": its fd. */
static int piped(int port, const uint8_t *t)
{
    char line[CAIRN_CP_TOKEN_LINE], buf[8];
    int closed;
    int fd = tcp_to(port);
    cairn_cp_token_line(line, t);
    assert_int_equal(write(fd, line, sizeof line), (ssize_t)sizeof line);
    assert_int_equal(write(fd, "ping", 4), 4);
    assert_int_equal(read_some(fd, buf, 4, &closed), 4);
    assert_memory_equal(buf, "ping", 4);
    return fd;
}

/* Sends what, then expects the connection closed without a byte. */
static void refused(int port, const void *what, size_t n)
{
    char buf[64];
    int closed;
    int fd = tcp_to(port);
    if (n && write(fd, what, n) != (ssize_t)n) {
        close(fd);
        return; /* closed already */
    }
    (void)!write(fd, "ping", 4);
    assert_int_equal(read_some(fd, buf, sizeof buf, &closed), 0);
    assert_true(closed);
    close(fd);
}

static csvc *start(int max_pending, int per_lease, int token_ms, int idle_ms)
{
    csvc *s;
    char msg[256];
    csvc_config cfg = {.host = "127.0.0.1",
                       .max_pending = max_pending,
                       .per_lease = per_lease,
                       .token_ms = token_ms,
                       .idle_ms = idle_ms,
                       .lookup = lookup,
                       .who = "test"};
    cfg.log = devnull;
    assert_int_equal(csvc_start(&s, &cfg, msg, sizeof msg), CAIRN_OK);
    return s;
}

/* ---- tests ---- */

static void test_tokens(void **state)
{
    (void)state;
    char line[CAIRN_CP_TOKEN_LINE];
    uint8_t wrong[CAIRN_CP_TOKEN_LEN];
    csvc_stats st;
    csvc *s = start(0, 0, 300, 0);
    int port = csvc_port(s);
    close(piped(port, token));
    randombytes_buf(wrong, sizeof wrong);
    cairn_cp_token_line(line, wrong);
    refused(port, line, sizeof line);            /* unknown token */
    refused(port, "GET / HTTP/1.0\r\n\r\n", 18); /* no token line */
    refused(port, "ABCDEF\n", 7);                /* short line */
    refused(port, NULL, 0);                      /* silence */
    cairn_cp_token_line(line, token2);           /* a link at the */
    refused(port, line, sizeof line);            /* socket's path */
    csvc_stats_get(s, &st);
    assert_true(st.bad_token >= 3);
    assert_true(st.timed_out >= 1);
    assert_int_equal(st.piped, 1);
    csvc_stop(s);
}

static void test_bounds(void **state)
{
    (void)state;
    char buf[8], line[CAIRN_CP_TOKEN_LINE];
    int idle[12], closed;
    csvc_stats st;
    csvc *s = start(4, 2, 5000, 0);
    int port = csvc_port(s);
    /* twelve silent connections: the oldest are closed to make room */
    for (int i = 0; i < 12; i++)
        idle[i] = tcp_to(port);
    int a = piped(port, token), b = piped(port, token);
    /* a third connection of the same lease is refused; a and b still work */
    cairn_cp_token_line(line, token);
    refused(port, line, sizeof line);
    assert_int_equal(write(a, "pong", 4), 4);
    assert_int_equal(read_some(a, buf, 4, &closed), 4);
    csvc_stats_get(s, &st);
    assert_true(st.evicted >= 8);
    assert_true(st.pending <= 4);
    /* dropping the lease closes its connections */
    csvc_drop_lease(s, 7);
    assert_int_equal(read_some(a, buf, sizeof buf, &closed), 0);
    assert_true(closed);
    assert_int_equal(read_some(b, buf, sizeof buf, &closed), 0);
    assert_true(closed);
    close(a);
    close(b);
    for (int i = 0; i < 12; i++)
        close(idle[i]);
    csvc_stop(s);
}

static void test_idle(void **state)
{
    (void)state;
    char buf[8];
    int closed;
    csvc_stats st;
    csvc *s = start(0, 0, 5000, 300);
    int fd = piped(csvc_port(s), token);
    /* quiet past the idle timeout: closed (bounded wait) */
    for (int t = 0; t < 100; t++) {
        csvc_stats_get(s, &st);
        if (st.timed_out)
            break;
        sleep_ms(100);
    }
    assert_int_equal(read_some(fd, buf, sizeof buf, &closed), 0);
    assert_true(closed);
    close(fd);
    csvc_stop(s);
}

#define BULK (4u << 20)

static void *bulk_writer(void *arg)
{
    int fd = *(int *)arg;
    uint8_t *b = malloc(BULK);
    for (size_t i = 0; b && i < BULK; i++)
        b[i] = (uint8_t)(i * 7 + i / 4096);
    for (size_t off = 0; b && off < BULK;) {
        ssize_t w = write(fd, b + off, BULK - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    free(b);
    return NULL;
}

/* 4 MiB both ways through the port while the reader is slower than the
 * writer: every byte back, in order (the buffers fill and drain). */
static void test_bulk(void **state)
{
    (void)state;
    pthread_t th;
    int closed;
    csvc *s = start(0, 0, 5000, 0);
    int fd = piped(csvc_port(s), token);
    uint8_t *got = malloc(BULK);
    assert_non_null(got);
    assert_int_equal(pthread_create(&th, NULL, bulk_writer, &fd), 0);
    size_t n = 0;
    for (int t = 0; t < 600 && n < BULK; t++) {
        size_t k = read_some(fd, (char *)got + n,
                             BULK - n < 65536 ? BULK - n : 65536, &closed);
        n += k;
        if (closed)
            break;
    }
    pthread_join(th, NULL);
    assert_int_equal(n, BULK);
    for (size_t i = 0; i < BULK; i++)
        if (got[i] != (uint8_t)(i * 7 + i / 4096))
            fail_msg("byte %zu differs", i);
    free(got);
    close(fd);
    csvc_stop(s);
}

static void test_bid_price(void **state)
{
    (void)state;
    assert_int_equal(cprov_bid_price(20000, 10000, 2, 100000), 40000);
    assert_int_equal(cprov_bid_price(5000, 10000, 2, 100000), 20000);
    assert_int_equal(cprov_bid_price(20000, 10000, 2, 39999), 0);
    assert_int_equal(cprov_bid_price(20000, 10000, 2, 40000), 40000);
    assert_int_equal(cprov_bid_price(0, 0, 4, 10), 1);
    assert_int_equal(cprov_bid_price(UINT64_MAX / 2, 0, 3, UINT64_MAX), 0);
}

static void test_open_beneath(void **state)
{
    (void)state;
    char top[128], p[256];
    int fd;
    snprintf(top, sizeof top, "%s/work", dir);
    assert_int_equal(mkdir(top, 0700), 0);
    snprintf(p, sizeof p, "%s/a", top);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/a/f.txt", top);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs("x", f);
    fclose(f);
    snprintf(p, sizeof p, "%s/lnk", top);
    assert_int_equal(symlink("/etc/hostname", p), 0);
    snprintf(p, sizeof p, "%s/up", top);
    assert_int_equal(symlink("..", p), 0);
    snprintf(p, sizeof p, "%s/fifo", top);
    assert_int_equal(mkfifo(p, 0600), 0);

    assert_int_equal(cprov_open_beneath(top, "a/f.txt", &fd), CAIRN_OK);
    close(fd);
    assert_int_equal(cprov_open_beneath(top, "a/none", &fd),
                     CAIRN_ERR_NOT_FOUND);
    assert_int_equal(cprov_open_beneath(top, "lnk", &fd), CAIRN_ERR_BAD_ARG);
    assert_int_equal(cprov_open_beneath(top, "up/work/a/f.txt", &fd),
                     CAIRN_ERR_BAD_ARG);
    assert_int_equal(cprov_open_beneath(top, "a", &fd), CAIRN_ERR_BAD_ARG);
    assert_int_equal(cprov_open_beneath(top, "fifo", &fd), CAIRN_ERR_BAD_ARG);
    assert_int_equal(cprov_open_beneath(top, "../work/a/f.txt", &fd),
                     CAIRN_ERR_BAD_ARG);
    assert_int_equal(cprov_open_beneath(top, "/etc/hostname", &fd),
                     CAIRN_ERR_BAD_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokens),    cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_idle),      cmocka_unit_test(test_bulk),
        cmocka_unit_test(test_bid_price), cmocka_unit_test(test_open_beneath),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
