/* A sequencer whose disk fills up: the test lowers the running node's
 * file-size limit (prlimit) to the size of its store, so the next block
 * that needs more room fails to commit, as on a full disk. While it lasts,
 * /v1/status says writable:false, every submitted transaction stays in the
 * mempool and held wait=1 requests get no answer (no false "pending");
 * once the limit is lifted every transaction commits, each wait=1 client
 * gets "committed", no sender sees nonce_gap, and the node stops with 0. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "cairn/http.h"
#include "cairn/tx.h"
#include "harness.h"
#include "raw_http.h"

#define FILLERS 4 /* accounts 0..3 fill the disk */
#define HELD 4    /* accounts 4..7 wait with wait=1 */
#define MAX_TXS 4000

static h_net net;
static pid_t node_pid;
static char base[64];
static cairn_hash sent[MAX_TXS];
static int nsent;

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* {"tx": hex} of a transfer from account a with nonce; fills *h. */
static char *tx_body(int a, uint64_t nonce, cairn_hash *h)
{
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);
    assert_int_equal(
        cairn_tx_make_transfer(&b, "cairn-test", &net.acct[a], nonce, 1000,
                               &net.acct[(a + 1) % 8].pk, 1000 + a),
        CAIRN_OK);
    cairn_tx_hash(h, b.p, b.len);
    size_t cap = 2 * b.len + 16;
    char *s = malloc(cap);
    int k = snprintf(s, cap, "{\"tx\":\"");
    cairn_hex_encode(s + k, b.p, b.len);
    snprintf(s + k + 2 * b.len, cap - (size_t)k - 2 * b.len, "\"}");
    cairn_buf_free(&b);
    return s;
}

/* Submits without waiting; the status. */
static int submit(int a, uint64_t nonce)
{
    char url[128];
    cairn_http_resp r = {0};
    cairn_hash h;
    char *body = tx_body(a, nonce, &h);
    snprintf(url, sizeof url, "%s/v1/tx", base);
    int st = cairn_http_request("POST", url, body, strlen(body),
                                "application/json", 5000, &r)
                 ? -1
                 : r.status;
    if (st != 202)
        fprintf(stderr, "submit %d/%llu: %d %.*s\n", a,
                (unsigned long long)nonce, st, (int)r.len,
                r.body ? r.body : "");
    else if (nsent < MAX_TXS)
        sent[nsent++] = h;
    free(r.body);
    free(body);
    return st;
}

/* Submits with wait=1 on a raw socket; returns it, unanswered. */
static int submit_held(int a)
{
    cairn_hash h;
    char *body = tx_body(a, 0, &h), req[1600];
    int n =
        snprintf(req, sizeof req,
                 "POST /v1/tx?wait=1 HTTP/1.1\r\nContent-Length: %zu\r\n\r\n%s",
                 strlen(body), body);
    free(body);
    int fd = raw_connect(net.port, 2000);
    assert_true(fd >= 0);
    assert_int_equal(raw_send(fd, req, (size_t)n, 2000), 0);
    return fd;
}

/* GET path as JSON (caller decrefs); NULL when it did not answer 200. */
static json_t *get(const char *path)
{
    char url[256];
    cairn_http_resp r = {0};
    json_t *j = NULL;
    snprintf(url, sizeof url, "%s%s", base, path);
    if (cairn_http_request("GET", url, NULL, 0, NULL, 5000, &r) == CAIRN_OK &&
        r.status == 200)
        j = json_loadb(r.body, r.len, 0, NULL);
    free(r.body);
    return j;
}

/* /v1/status's writable, and its write_error.failures in *failures. */
static int writable(long long *failures)
{
    json_t *s = get("/v1/status");
    assert_non_null(s);
    int w = json_is_true(json_object_get(s, "writable"));
    json_t *we = json_object_get(s, "write_error");
    *failures = we ? json_integer_value(json_object_get(we, "failures")) : 0;
    json_decref(s);
    return w;
}

static void set_fsize(rlim_t soft)
{
    struct rlimit old, r;
    assert_int_equal(prlimit(node_pid, RLIMIT_FSIZE, NULL, &old), 0);
    r.rlim_cur = soft;
    r.rlim_max = old.rlim_max;
    assert_int_equal(prlimit(node_pid, RLIMIT_FSIZE, &r, NULL), 0);
}

static void disk_full_keeps_txs(void **st)
{
    char dir[400], mdb[500];
    uint64_t nonce[FILLERS] = {0};
    long long failures = 0;
    int held[HELD];
    h_net_setup(&net, 8, "1000", 200);
    h_init_chain(&net, "chain", dir, sizeof dir);
    node_pid = h_start_node(&net, dir, net.port, NULL);
    snprintf(base, sizeof base, "http://127.0.0.1:%d", net.port);
    snprintf(mdb, sizeof mdb, "%s/data.mdb", dir);
    struct stat sb;
    assert_int_equal(stat(mdb, &sb), 0);
    set_fsize((rlim_t)sb.st_size); /* "the disk is full" from here on */

    /* fill blocks until one needs more room than there is */
    for (int round = 0; round < 60 && writable(&failures); round++) {
        for (int a = 0; a < FILLERS; a++)
            for (int i = 0; i < 25; i++)
                assert_int_equal(submit(a, nonce[a]++), 202);
        sleep_ms(300);
    }
    assert_false(writable(&failures));
    for (int a = 0; a < FILLERS; a++) /* senders go on: no nonce_gap */
        assert_int_equal(submit(a, nonce[a]++), 202);
    for (int i = 0; i < HELD; i++)
        held[i] = submit_held(FILLERS + i);
    long long seen = failures;
    for (int i = 0; i < 100 && failures < seen + 3; i++) {
        sleep_ms(100);
        (void)writable(&failures);
    }
    assert_true(failures >= seen + 3); /* blocks keep failing, and ... */
    static char buf[1 << 16];
    for (int i = 0; i < HELD; i++) /* ... nobody was told anything yet */
        assert_int_equal(raw_recv(held[i], buf, 1 << 16, 10), 0);
    json_t *s = get("/v1/status");
    long long pool = json_integer_value(json_object_get(s, "mempool"));
    json_decref(s);
    fprintf(stderr, "%d txs sent, %lld in the mempool, %lld failed blocks\n",
            nsent, pool, failures);
    assert_true(pool >= HELD + FILLERS);

    set_fsize(RLIM_INFINITY); /* room again */
    for (int i = 0; i < HELD; i++) {
        raw_recv(held[i], buf, 1 << 16, 20000);
        assert_int_equal(raw_status(buf), 200);
        assert_non_null(strstr(buf, "\"status\":\"committed\""));
        close(held[i]);
    }
    for (int i = 0; i < 200; i++) {
        s = get("/v1/status");
        pool = json_integer_value(json_object_get(s, "mempool"));
        json_decref(s);
        if (pool == 0)
            break;
        sleep_ms(100);
    }
    assert_int_equal(pool, 0);
    assert_true(writable(&failures));
    for (int i = 0; i < nsent; i++) { /* every acknowledged tx is in a block */
        char path[100], hex[65];
        cairn_hex_encode(hex, sent[i].b, 32);
        snprintf(path, sizeof path, "/v1/tx/%s", hex);
        json_t *t = get(path);
        assert_non_null(t);
        json_decref(t);
    }
    assert_int_equal(h_stop(node_pid, SIGTERM), 0);
    node_pid = 0;
}

static int teardown(void **st)
{
    if (node_pid > 0)
        h_stop(node_pid, SIGKILL);
    node_pid = 0;
    h_net_cleanup(&net);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(disk_full_keeps_txs, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
