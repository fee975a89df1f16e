/* The node's HTTP API against what strangers send, on a real `cairn node`
 * process: every answer is JSON (bad methods, malformed requests, bad
 * chunk sizes, oversized heads and bodies, duplicate JSON keys, numbers out
 * of range); with few file descriptors, hundreds of idle and slowloris
 * connections neither take /v1/status down nor flood the log; SIGTERM
 * answers every held wait=1 request with a 503; a follower of a dead
 * upstream says so in its log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cairn/http.h"
#include "cairn/tx.h"
#include "harness.h"
#include "raw_http.h"

#define BUF (64u << 10)

static h_net net;
static pid_t node_pid;
static int inherit_fds; /* descriptors the next node starts with, used */

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* In the node's child: 128 descriptors at most, hard limit too, so the
 * node cannot raise it; optionally 100 of them already taken. */
static void low_fd_limit(void)
{
    struct rlimit r = {128, 128};
    for (int i = 0; i < inherit_fds; i++) {
        int fd = open("/dev/null", O_RDONLY);
        if (fd < 0 || dup2(fd, 10 + i) < 0)
            _exit(126);
        if (fd != 10 + i)
            close(fd);
    }
    if (setrlimit(RLIMIT_NOFILE, &r))
        _exit(126);
}

static void start(uint32_t block_ms, void (*setup)(void))
{
    char dir[400];
    h_net_setup(&net, 8, "1000", block_ms);
    h_init_chain(&net, "chain", dir, sizeof dir);
    h_child_setup = setup;
    node_pid = h_start_node(&net, dir, net.port, NULL);
    h_child_setup = NULL;
}

static int teardown(void **st)
{
    if (node_pid > 0)
        h_stop(node_pid, SIGKILL);
    node_pid = 0;
    h_net_cleanup(&net);
    return 0;
}

/* Sends req on a new connection; checks the status and, when err is set,
 * that the body is a JSON error with that name. */
static void expect(const char *req, size_t len, int status, const char *err)
{
    static char buf[BUF];
    int got = raw_exchange(net.port, req, len, buf, BUF);
    if (got != status)
        fprintf(stderr, "request %.60s... answered:\n%.400s\n", req, buf);
    assert_int_equal(got, status);
    json_t *j = raw_json(buf);
    assert_non_null(j); /* JSON, with Content-Type: application/json */
    if (err)
        assert_string_equal(json_string_value(json_object_get(j, "error")),
                            err);
    json_decref(j);
}

#define EXPECT(req, status, err) expect(req, sizeof(req) - 1, status, err)

static void every_answer_is_json(void **st)
{
    start(1000, NULL);
    EXPECT("DELETE /v1/status HTTP/1.1\r\nConnection: close\r\n\r\n", 405,
           "bad_argument");
    EXPECT("PUT /v1/tx HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 405,
           "bad_argument");
    EXPECT("BREW /v1/status HTTP/1.1\r\n\r\n", 405, "bad_argument");
    EXPECT("GARBAGE\r\n\r\n", 400, "bad_argument");
    EXPECT("GET /v1/status HTTP/2.0\r\n\r\n", 505, "bad_argument");
    EXPECT("GET http://x/v1/status HTTP/1.1\r\n\r\n", 400, "bad_argument");
    EXPECT("GET /v1/status HTTP/1.1\r\nno colon here\r\n\r\n", 400,
           "bad_argument");
    EXPECT("GET /v1/status HTTP/1.1\r\nExpect: tea\r\n\r\n", 417,
           "bad_argument");
    EXPECT("POST /v1/tx HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501,
           "bad_argument");
    /* chunk sizes: not hex is malformed (400), too big is too large (413) */
    EXPECT("POST /v1/tx HTTP/1.1\r\nTransfer-Encoding: "
           "chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
           400, "bad_argument");
    EXPECT("POST /v1/tx HTTP/1.1\r\nTransfer-Encoding: "
           "chunked\r\n\r\n-1\r\nabc\r\n0\r\n\r\n",
           400, "bad_argument");
    EXPECT("POST /v1/tx HTTP/1.1\r\nTransfer-Encoding: "
           "chunked\r\n\r\n200000\r\nabc",
           413, "too_large");
    EXPECT("POST /v1/tx HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n", 413,
           "too_large");
    EXPECT(
        "POST /v1/tx HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\n",
        413, "too_large");
    EXPECT("POST /v1/tx HTTP/1.1\r\nContent-Length: 12abc\r\n\r\n", 400,
           "bad_argument");
    EXPECT("POST /v1/tx HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: "
           "chunked\r\n\r\n",
           400, "bad_argument");
    /* a chunked body that is framed right reaches the handler */
    EXPECT("POST /v1/tx HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
           "5\r\n{\"tx\"\r\n6\r\n:\"zz\"}\r\n0\r\n\r\n",
           400, "bad_json");
    /* a key given twice */
    EXPECT("POST /v1/tx HTTP/1.1\r\nContent-Length: "
           "21\r\n\r\n{\"tx\":\"00\",\"tx\":\"00\"}",
           400, "bad_json");
    /* numbers out of range are refused, not wrapped */
    EXPECT("GET /v1/metrics?from=18446744073709551615 HTTP/1.1\r\n\r\n", 400,
           "bad_argument");
    EXPECT("GET /v1/metrics?from=18446744073709551616 HTTP/1.1\r\n\r\n", 400,
           "bad_argument");
    EXPECT("GET /v1/blocks?from=99999999999999999999 HTTP/1.1\r\n\r\n", 400,
           "bad_argument");
    EXPECT("GET /v1/proposal/-1 HTTP/1.1\r\n\r\n", 400, "bad_argument");
    EXPECT("GET /v1/nope HTTP/1.1\r\n\r\n", 404, "not_found");

    static char big[32u << 10], buf[BUF];
    int k = snprintf(big, 64, "GET /v1/status HTTP/1.1\r\nX: ");
    memset(big + k, 'a', 20000);
    memcpy(big + k + 20000, "\r\n\r\n", 4);
    expect(big, (size_t)k + 20004, 431, "too_large");

    /* the largest number a JSON reader keeps exactly is echoed exactly */
    EXPECT("GET /v1/metrics?from=9007199254740991 HTTP/1.1\r\n\r\n", 200, NULL);
    assert_int_equal(
        raw_exchange(net.port,
                     "GET /v1/metrics?from=9007199254740991 HTTP/1.1\r\n\r\n",
                     50, buf, BUF),
        200);
    json_t *j = raw_json(buf);
    assert_true(json_integer_value(json_object_get(j, "from")) ==
                9007199254740991LL);
    json_decref(j);

    /* HEAD: the status and headers of the answer, no body */
    static const char head[] =
        "HEAD /v1/status HTTP/1.1\r\nConnection: close\r\n\r\n";
    assert_int_equal(raw_exchange(net.port, head, sizeof head - 1, buf, BUF),
                     405);
    assert_null(strstr(buf, "\r\n\r\n{"));
    assert_non_null(strstr(buf, "Content-Type: application/json\r\n"));
    assert_int_equal(h_stop(node_pid, SIGTERM), 0);
    node_pid = 0;
}

/* Opens n sockets to the node (or as many as connect). */
static int open_many(int *fds, int n)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        if ((fds[k] = raw_connect_from(0x7f000002, net.port, 2000)) >= 0)
            k++;
    return k;
}

/* Counts lines of the node's log; its size in *bytes. */
static int log_lines(long *bytes)
{
    char path[400], line[1024];
    int n = 0;
    snprintf(path, sizeof path, "%s/node-%d.log", net.dir, net.port);
    FILE *f = fopen(path, "r");
    struct stat sb;
    *bytes = stat(path, &sb) == 0 ? (long)sb.st_size : -1;
    while (f && fgets(line, sizeof line, f))
        n++;
    if (f)
        fclose(f);
    return n;
}

/* 300 idle connections and 100 that send a header line a second and never
 * finish, against a node limited to 128 descriptors: /v1/status answers
 * every time, the slow ones get a 408 JSON answer after the request
 * deadline (10 s), and the log stays a few lines. */
static void flood(int fds_taken)
{
    enum { IDLE = 300, SLOW = 100 };
    static int idle[IDLE], slow[SLOW];
    struct rlimit r;
    static char buf[BUF];
    char url[128];
    getrlimit(RLIMIT_NOFILE, &r);
    r.rlim_cur = r.rlim_max; /* this process holds all those sockets */
    setrlimit(RLIMIT_NOFILE, &r);
    inherit_fds = fds_taken;
    start(1000, low_fd_limit);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/status", net.port);
    int ni = open_many(idle, IDLE), ns = open_many(slow, SLOW), ok = 0,
        tries = 0;
    assert_true(ni > 0 && ns > 0);
    for (int i = 0; i < ns; i++)
        (void)raw_send(slow[i], "GET /v1/status HTTP/1.1\r\n", 25, 100);
    long long end = raw_now_ms() + 12000;
    while (raw_now_ms() < end) {
        for (int i = 0; i < ns; i++)
            (void)raw_send(slow[i], "X-Slow: 1\r\n", 11, 10);
        tries++;
        if (h_get_int(url, "height") >= 0)
            ok++;
        else
            fprintf(stderr, "try %d: /v1/status did not answer\n", tries);
        sleep_ms(1000);
    }
    assert_int_equal(ok, tries); /* the API never went down */
    int timed_out = 0;
    for (int i = 0; i < ns; i++) {
        if (raw_recv(slow[i], buf, BUF, 100) > 0 && raw_status(buf) == 408) {
            json_t *j = raw_json(buf);
            assert_non_null(j);
            assert_string_equal(json_string_value(json_object_get(j, "error")),
                                "timeout");
            json_decref(j);
            timed_out++;
        }
        close(slow[i]);
    }
    for (int i = 0; i < ni; i++)
        close(idle[i]);
    long bytes;
    int lines = log_lines(&bytes);
    fprintf(
        stderr,
        "fds taken %d: %d/%d status ok, %d slow ones got 408, log %d lines, "
        "%ld bytes\n",
        fds_taken, ok, tries, timed_out, lines, bytes);
    assert_true(timed_out > 0);
    assert_true(lines <= 20 && bytes <= 8192);
    assert_int_equal(h_stop(node_pid, SIGTERM), 0);
    node_pid = 0;
}

static void flood_at_cap(void **st)
{
    flood(0);
}

static void flood_out_of_fds(void **st)
{
    flood(100); /* the cap (64) is never reached: accept() fails first */
}

/* Submits a transfer of account a with wait=1 on its own socket. */
static int submit_held(int a)
{
    cairn_buf b;
    char body[1024], req[1400];
    cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);
    assert_int_equal(cairn_tx_make_transfer(&b, "cairn-test", &net.acct[a], 0,
                                            1000, &net.acct[(a + 1) % 8].pk,
                                            1000),
                     CAIRN_OK);
    int k = snprintf(body, sizeof body, "{\"tx\":\"");
    cairn_hex_encode(body + k, b.p, b.len);
    k += 2 * (int)b.len;
    k += snprintf(body + k, sizeof body - (size_t)k, "\"}");
    int n = snprintf(
        req, sizeof req,
        "POST /v1/tx?wait=1 HTTP/1.1\r\nContent-Length: %d\r\n\r\n%s", k, body);
    cairn_buf_free(&b);
    int fd = raw_connect(net.port, 2000);
    assert_true(fd >= 0);
    assert_int_equal(raw_send(fd, req, (size_t)n, 2000), 0);
    return fd;
}

/* Held wait=1 requests (no block for a minute) each get a 503 JSON answer
 * when the node is stopped with SIGTERM, and the node exits 0. */
static void sigterm_answers_held(void **st)
{
    enum { HELD = 8 };
    int fds[HELD];
    static char buf[BUF];
    char url[128];
    start(60000, NULL);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/status", net.port);
    for (int i = 0; i < HELD; i++)
        fds[i] = submit_held(i);
    for (int i = 0; i < 200 && h_get_int(url, "mempool") != HELD; i++)
        sleep_ms(50);
    assert_int_equal(h_get_int(url, "mempool"), HELD);
    kill(node_pid, SIGTERM);
    for (int i = 0; i < HELD; i++) {
        raw_recv(fds[i], buf, BUF, 10000);
        assert_int_equal(raw_status(buf), 503);
        json_t *j = raw_json(buf);
        assert_non_null(j);
        assert_string_equal(json_string_value(json_object_get(j, "error")),
                            "io");
        assert_non_null(strstr(buf, "Connection: close\r\n"));
        json_decref(j);
        close(fds[i]);
    }
    int status = h_stop(node_pid, SIGTERM);
    node_pid = 0;
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A follower pointed at a port where nothing listens says so in its log
 * (once, then rate-limited) and in /v1/status. */
static void follower_logs_dead_upstream(void **st)
{
    char dir[400], dead[64], path[400], line[1024], url[128];
    h_net_setup(&net, 1, "1000", 1000);
    h_init_chain(&net, "follower", dir, sizeof dir);
    /* 127.0.0.3: no test listens there, whatever port it picks */
    snprintf(dead, sizeof dead, "http://127.0.0.3:%d", h_port());
    node_pid = h_start_node(&net, dir, net.port, dead);
    snprintf(path, sizeof path, "%s/node-%d.log", net.dir, net.port);
    int found = 0;
    for (int i = 0; i < 100 && !found; i++) {
        FILE *f = fopen(path, "r");
        while (f && fgets(line, sizeof line, f))
            found += strstr(line, "WARN cannot fetch blocks from") &&
                     strstr(line, dead);
        if (f)
            fclose(f);
        if (!found)
            sleep_ms(100);
    }
    assert_int_equal(found, 1);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/status", net.port);
    cairn_http_resp r = {0};
    assert_int_equal(cairn_http_request("GET", url, NULL, 0, NULL, 2000, &r),
                     CAIRN_OK);
    assert_non_null(strstr(r.body, "\"follow_error\":\"upstream unreachable"));
    free(r.body);
    assert_int_equal(h_stop(node_pid, SIGTERM), 0);
    node_pid = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(every_answer_is_json, teardown),
        cmocka_unit_test_teardown(flood_at_cap, teardown),
        cmocka_unit_test_teardown(flood_out_of_fds, teardown),
        cmocka_unit_test_teardown(sigterm_answers_held, teardown),
        cmocka_unit_test_teardown(follower_logs_dead_upstream, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
