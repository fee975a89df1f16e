/* The etcd client (net/etcd.c): its answer parsers and argument checks
 * always; against a real cluster when CAIRN_ETCD_URLS names one (run by
 * tests/integration/test_etcd.sh, which starts three members with
 * tests/etcd_cluster.sh and passes their PIDs in CAIRN_ETCD_PIDS, in member
 * order). Without it the cluster tests are skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cairn/parse.h"
#include "net/etcd.h"

#define TIMEOUT_MS 2000
#define LATENCY_TXNS 500

static char prefix[64]; /* this run's keys: /cairn-test/<random>/ */

static const uint8_t *U(const char *s)
{
    return (const uint8_t *)s;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* prefix + name into out. */
static const char *K(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s%s", prefix, name);
    return out;
}

/* A handle on the cluster; skips the test when none was given. */
static cairn_etcd *cluster(uint32_t timeout_ms)
{
    const char *urls = getenv("CAIRN_ETCD_URLS");
    if (!urls || !*urls)
        skip();
    cairn_etcd *e = NULL;
    assert_int_equal(cairn_etcd_open(&e, urls, timeout_ms), CAIRN_OK);
    return e;
}

/* ---- parsers and arguments (no etcd needed) ---- */

static void parse_range(void **st)
{
    const char *a =
        "{\"header\":{\"revision\":\"7\"},\"kvs\":[{\"key\":\"Zm9v\","
        "\"create_revision\":\"2\",\"mod_revision\":\"5\",\"version\":\"3\","
        "\"value\":\"AGJhcgA=\",\"lease\":\"9223372036854775807\"},"
        "{\"key\":\"Zm9w\"}],\"count\":\"2\"}";
    cairn_etcd_kv *kvs;
    size_t n;
    int64_t rev;
    assert_int_equal(etcd_parse_range_answer(U(a), strlen(a), &kvs, &n, &rev),
                     CAIRN_OK);
    assert_int_equal(n, 2);
    assert_int_equal(rev, 7);
    assert_int_equal(kvs[0].klen, 3);
    assert_string_equal((char *)kvs[0].key, "foo");
    assert_int_equal(kvs[0].vlen, 5);
    assert_memory_equal(kvs[0].val, "\0bar\0", 5);
    assert_int_equal(kvs[0].create_rev, 2);
    assert_int_equal(kvs[0].mod_rev, 5);
    assert_int_equal(kvs[0].version, 3);
    assert_int_equal(kvs[0].lease, INT64_MAX);
    assert_int_equal(kvs[1].vlen, 0); /* value omitted: empty */
    assert_int_equal(kvs[1].val[0], 0);
    cairn_etcd_kvs_free(kvs, n);
    /* none: kvs omitted */
    a = "{\"header\":{\"revision\":\"1\"}}";
    assert_int_equal(etcd_parse_range_answer(U(a), strlen(a), &kvs, &n, &rev),
                     CAIRN_OK);
    assert_int_equal(n, 0);
    assert_null(kvs);
}

static void parse_bad(void **st)
{
    static const char *const bad[] = {
        "",
        "[]",
        "{\"kvs\":{}}",
        "{\"kvs\":[1]}",
        "{\"kvs\":[{\"key\":\"Zm9\"}]}", /* bad base64 */
        "{\"kvs\":[{\"key\":\"Zm9v\",\"version\":\"x\"}]}",
        "{\"kvs\":[{\"key\":\"Zm9v\",\"version\":\"9223372036854775808\"}]}",
        "{\"header\":{\"revision\":true}}",
        "{\"header\":[]}",
        "{\"kvs\":[{\"key\":\"Zm9v\"},{\"key\":1}]}",
        "{\"a\":1,\"a\":2}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cairn_etcd_kv *kvs = (cairn_etcd_kv *)1;
        size_t n = 9;
        int64_t rev;
        assert_int_equal(
            etcd_parse_range_answer(U(bad[i]), strlen(bad[i]), &kvs, &n, &rev),
            CAIRN_ERR_BAD_JSON);
        assert_null(kvs);
        assert_int_equal(n, 0);
    }
    static const char *const bad_txn[] = {
        "",
        "[]",
        "{\"header\":{\"revision\":true}}",
        "{\"responses\":{}}",
        "{\"responses\":[1]}",
        "{\"responses\":[{\"response_range\":[]}]}",
        "{\"responses\":[{\"response_range\":{\"kvs\":[{\"key\":\"*\"}]}}]}"};
    for (size_t i = 0; i < sizeof bad_txn / sizeof bad_txn[0]; i++) {
        cairn_etcd_txn_res r;
        assert_int_equal(
            etcd_parse_txn_answer(U(bad_txn[i]), strlen(bad_txn[i]), &r),
            CAIRN_ERR_BAD_JSON);
        assert_null(r.kvs);
    }
}

static void parse_txn(void **st)
{
    const char *a =
        "{\"header\":{\"revision\":\"12\"},\"responses\":[{\"response_range\":"
        "{\"kvs\":[{\"key\":\"YQ==\",\"value\":\"eA==\"}]}},{\"response_put\":"
        "{}},{\"response_range\":{}},{\"response_range\":{\"kvs\":[{\"key\":"
        "\"Yg==\",\"create_revision\":\"4\"}]}}]}";
    cairn_etcd_txn_res r;
    assert_int_equal(etcd_parse_txn_answer(U(a), strlen(a), &r), CAIRN_OK);
    assert_int_equal(r.succeeded, 0); /* omitted: false */
    assert_int_equal(r.rev, 12);
    assert_int_equal(r.nkvs, 2);
    assert_string_equal((char *)r.kvs[0].key, "a");
    assert_string_equal((char *)r.kvs[0].val, "x");
    assert_string_equal((char *)r.kvs[1].key, "b");
    assert_int_equal(r.kvs[1].create_rev, 4);
    cairn_etcd_txn_res_free(&r);
    assert_null(r.kvs);
    a = "{\"succeeded\":true,\"responses\":[{\"response_put\":{}}]}";
    assert_int_equal(etcd_parse_txn_answer(U(a), strlen(a), &r), CAIRN_OK);
    assert_int_equal(r.succeeded, 1);
    assert_int_equal(r.nkvs, 0);
    a = "{\"succeeded\":1}";
    assert_int_equal(etcd_parse_txn_answer(U(a), strlen(a), &r),
                     CAIRN_ERR_BAD_JSON);
}

static void parse_lease_status_error(void **st)
{
    int64_t id, ttl;
    const char *a = "{\"header\":{},\"ID\":\"7587\",\"TTL\":\"3\"}";
    assert_int_equal(etcd_parse_lease_answer(U(a), strlen(a), 0, &id, &ttl),
                     CAIRN_OK);
    assert_int_equal(id, 7587);
    assert_int_equal(ttl, 3);
    a = "{\"result\":{\"header\":{},\"ID\":\"7587\"}}"; /* gone: TTL omitted */
    assert_int_equal(etcd_parse_lease_answer(U(a), strlen(a), 1, &id, &ttl),
                     CAIRN_OK);
    assert_int_equal(ttl, 0);
    a = "{\"ID\":\"-1\",\"TTL\":\"3\"}";
    assert_int_equal(etcd_parse_lease_answer(U(a), strlen(a), 0, &id, &ttl),
                     CAIRN_ERR_BAD_JSON);

    cairn_etcd_member m = {0};
    a = "{\"header\":{\"member_id\":\"17549511984113886495\"},\"version\":"
        "\"3.4.23\",\"dbSize\":\"20480\",\"leader\":\"17549511984113886495\","
        "\"raftIndex\":\"12\",\"raftTerm\":\"2\"}";
    assert_int_equal(etcd_parse_status_answer(U(a), strlen(a), &m), CAIRN_OK);
    assert_true(m.id == 17549511984113886495ULL && m.id == m.leader);
    assert_int_equal(m.raft_term, 2);
    assert_int_equal(m.raft_index, 12);
    assert_int_equal(m.db_size, 20480);
    assert_string_equal(m.version, "3.4.23");

    char msg[64];
    int code;
    a = "{\"error\":\"etcdserver: no leader\",\"message\":\"etcdserver: no "
        "leader\",\"code\":14}";
    assert_int_equal(
        etcd_parse_error_answer(U(a), strlen(a), msg, sizeof msg, &code),
        CAIRN_OK);
    assert_string_equal(msg, "etcdserver: no leader");
    assert_int_equal(code, 14);
    a = "{\"error\":{\"grpc_code\":5,\"http_code\":404,\"message\":\"lease "
        "\\u0001gone\"}}";
    assert_int_equal(
        etcd_parse_error_answer(U(a), strlen(a), msg, sizeof msg, &code),
        CAIRN_OK);
    assert_string_equal(msg, "lease gone"); /* control bytes dropped */
    assert_int_equal(code, 5);
}

static void open_args(void **st)
{
    static const char *const bad[] = {"",
                                      "127.0.0.1:2379",
                                      "ftp://x",
                                      "http://a,",
                                      "http://a b",
                                      ("http://1,http://2,http://3,http://4,"
                                       "http://5,http://6,http://7,http://8")};
    cairn_etcd *e;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(cairn_etcd_open(&e, bad[i], 1000), CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_etcd_open(&e, "http://127.0.0.1:1", 0),
                     CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_etcd_open(&e, "http://a/,https://b:1", 1000),
                     CAIRN_OK);
    cairn_etcd_member m[3];
    size_t n;
    assert_int_equal(cairn_etcd_status(e, m, 0, &n), CAIRN_OK);
    assert_int_equal(n, 2);
    cairn_etcd_close(e);

    char end[16];
    assert_int_equal(cairn_etcd_prefix_end("/a/", end, sizeof end), CAIRN_OK);
    assert_string_equal(end, "/a0");
    assert_int_equal(cairn_etcd_prefix_end("a\xff\xff", end, sizeof end),
                     CAIRN_OK);
    assert_string_equal(end, "b");
    assert_int_equal(cairn_etcd_prefix_end("\xff", end, sizeof end),
                     CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_etcd_prefix_end("abc", end, 3), CAIRN_ERR_TOO_LARGE);
}

/* All endpoints refuse the connection: HTTP, and words naming them. */
static void all_down(void **st)
{
    cairn_etcd *e;
    assert_int_equal(
        cairn_etcd_open(&e, "http://127.0.0.1:1,http://127.0.0.1:2", 1000),
        CAIRN_OK);
    assert_int_equal(cairn_etcd_put(e, "/k", U("v"), 1, 0), CAIRN_ERR_HTTP);
    const char *why = cairn_etcd_last_error(e);
    printf("all down: %s\n", why);
    assert_non_null(strstr(why, "no etcd endpoint reachable"));
    assert_non_null(strstr(why, "127.0.0.1:1"));
    assert_non_null(strstr(why, "127.0.0.1:2"));
    cairn_etcd_member m[2];
    size_t n;
    assert_int_equal(cairn_etcd_status(e, m, 2, &n), CAIRN_OK);
    assert_int_equal(n, 2);
    assert_false(m[0].up || m[1].up);
    assert_true(m[0].error[0] && m[1].error[0]);
    cairn_etcd_close(e);
}

/* A 2 MiB value is refused before anything is sent: the endpoint does not
 * even exist, and the answer is TOO_LARGE, not HTTP. */
static void too_large(void **st)
{
    size_t big = 2u << 20;
    uint8_t *v = calloc(1, big);
    assert_non_null(v);
    cairn_etcd *e;
    assert_int_equal(cairn_etcd_open(&e, "http://127.0.0.1:1", 1000), CAIRN_OK);
    assert_int_equal(cairn_etcd_put(e, "/k", v, big, 0), CAIRN_ERR_TOO_LARGE);
    assert_non_null(strstr(cairn_etcd_last_error(e), "not sent"));
    cairn_etcd_op op = {CAIRN_ETCD_PUT, "/k", v, big, 0};
    cairn_etcd_txn_res r;
    assert_int_equal(cairn_etcd_txn(e, NULL, 0, &op, 1, NULL, 0, &r),
                     CAIRN_ERR_TOO_LARGE);
    cairn_etcd_op bad = {7, "/k", NULL, 0, 0};
    assert_int_equal(cairn_etcd_txn(e, NULL, 0, &bad, 1, NULL, 0, &r),
                     CAIRN_ERR_BAD_ARG);
    cairn_etcd_close(e);
    free(v);
}

/* A socket that takes connections (the kernel's backlog) and never
 * answers: its port in *port. */
static int silent_server(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 16), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

/* The request went out and no answer came: TIMEOUT (unknown outcome), at
 * once, without trying the next endpoint (which would refuse: HTTP). */
static void silent_endpoint(void **st)
{
    int port, fd = silent_server(&port);
    char urls[128];
    snprintf(urls, sizeof urls, "http://127.0.0.1:%d,http://127.0.0.1:1", port);
    cairn_etcd *e;
    assert_int_equal(cairn_etcd_open(&e, urls, 300), CAIRN_OK);
    double t0 = now_ms();
    assert_int_equal(cairn_etcd_put(e, "/k", U("v"), 1, 0), CAIRN_ERR_TIMEOUT);
    printf("silent endpoint (%.0f ms): %s\n", now_ms() - t0,
           cairn_etcd_last_error(e));
    assert_non_null(strstr(cairn_etcd_last_error(e), "may or may not"));
    cairn_etcd_close(e);
    close(fd);
}

/* A one-answer HTTP server: takes one connection, reads the request,
 * sends head, then body (or body_len zero bytes when body is NULL). */
typedef struct fake_srv {
    int fd;
    const char *head, *body;
    size_t body_len;
    pthread_t th;
} fake_srv;

/* Reads the request until its body (Content-Length) is in. */
static void fake_read(int c)
{
    char buf[8192];
    size_t got = 0;
    while (got < sizeof buf - 1) {
        ssize_t r = recv(c, buf + got, sizeof buf - 1 - got, 0);
        if (r <= 0)
            return;
        got += (size_t)r;
        buf[got] = 0;
        char *end = strstr(buf, "\r\n\r\n");
        char *cl = strstr(buf, "Content-Length: ");
        uint64_t len = 0;
        if (end && cl &&
            !cairn_parse_u64_n(cl + 16, strcspn(cl + 16, "\r"), 1 << 20,
                               &len) &&
            got >= (size_t)(end + 4 - buf) + len)
            return;
    }
}

static void *fake_run(void *arg)
{
    fake_srv *f = arg;
    int c = accept(f->fd, NULL, NULL);
    if (c < 0)
        return NULL;
    fake_read(c);
    send(c, f->head, strlen(f->head), MSG_NOSIGNAL);
    static char zeros[65536];
    size_t left = f->body ? strlen(f->body) : f->body_len;
    while (left) {
        size_t k = left < sizeof zeros ? left : sizeof zeros;
        const char *src = f->body ? f->body + strlen(f->body) - left : zeros;
        ssize_t w = send(c, src, k, MSG_NOSIGNAL);
        if (w <= 0)
            break;
        left -= (size_t)w;
    }
    close(c);
    return NULL;
}

/* Answers one request with head+body; the error of a range against it. */
static cairn_err fake_answer(const char *head, const char *body,
                             size_t body_len, char *why, size_t cap)
{
    int port;
    fake_srv f = {silent_server(&port), head, body, body_len, 0};
    assert_int_equal(pthread_create(&f.th, NULL, fake_run, &f), 0);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    cairn_etcd *e;
    assert_int_equal(cairn_etcd_open(&e, url, 5000), CAIRN_OK);
    cairn_etcd_kv *kvs;
    size_t n;
    int64_t rev;
    cairn_err r = cairn_etcd_range(e, "/k", NULL, 0, &kvs, &n, &rev);
    snprintf(why, cap, "%s", cairn_etcd_last_error(e));
    if (!r)
        cairn_etcd_kvs_free(kvs, n);
    cairn_etcd_close(e);
    pthread_join(f.th, NULL);
    close(f.fd);
    return r;
}

/* What comes back from something at the URL that is not a healthy etcd. */
static void odd_answers(void **st)
{
    char why[CAIRN_ETCD_ERR_MAX], head[128];
    const char *ok = "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n";
    assert_int_equal(fake_answer(ok, "not json", 0, why, sizeof why),
                     CAIRN_ERR_BAD_JSON);
    const char *h500 = "HTTP/1.1 500 Oops\r\nContent-Length: 4\r\n\r\n";
    assert_int_equal(fake_answer(h500, "oops", 0, why, sizeof why),
                     CAIRN_ERR_HTTP);
    assert_non_null(strstr(why, "HTTP 500"));
    const char *tmo = "{\"error\":\"etcdserver: request timed out\","
                      "\"message\":\"etcdserver: request timed out\","
                      "\"code\":14}";
    snprintf(head, sizeof head,
             "HTTP/1.1 503 Unavailable\r\nContent-Length: %zu\r\n\r\n",
             strlen(tmo));
    assert_int_equal(fake_answer(head, tmo, 0, why, sizeof why),
                     CAIRN_ERR_TIMEOUT);
    assert_non_null(strstr(why, "request timed out"));
    size_t big = CAIRN_ETCD_MAX_ANSWER + 1;
    snprintf(head, sizeof head,
             "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", big);
    assert_int_equal(fake_answer(head, NULL, big, why, sizeof why),
                     CAIRN_ERR_TOO_LARGE);
    printf("answer over the bound: %s\n", why);
}

/* ---- against the cluster ---- */

/* put/range round trip of values with NUL bytes, and of an empty one. */
static void put_range(void **st)
{
    cairn_etcd *e = cluster(TIMEOUT_MS);
    char k[128];
    uint8_t v[300];
    for (size_t i = 0; i < sizeof v; i++)
        v[i] = (uint8_t)(i * 7);
    v[0] = v[10] = v[299] = 0;
    assert_int_equal(cairn_etcd_put(e, K(k, sizeof k, "bin"), v, sizeof v, 0),
                     CAIRN_OK);
    cairn_etcd_kv *kvs;
    size_t n;
    int64_t rev;
    assert_int_equal(cairn_etcd_range(e, k, NULL, 0, &kvs, &n, &rev), CAIRN_OK);
    assert_int_equal(n, 1);
    assert_true(rev >= kvs[0].mod_rev && kvs[0].mod_rev > 0);
    assert_string_equal((char *)kvs[0].key, k);
    assert_int_equal(kvs[0].vlen, sizeof v);
    assert_memory_equal(kvs[0].val, v, sizeof v);
    assert_int_equal(kvs[0].version, 1);
    cairn_etcd_kvs_free(kvs, n);
    assert_int_equal(cairn_etcd_put(e, k, NULL, 0, 0), CAIRN_OK);
    assert_int_equal(cairn_etcd_range(e, k, NULL, 0, &kvs, &n, &rev), CAIRN_OK);
    assert_int_equal(n, 1);
    assert_int_equal(kvs[0].vlen, 0);
    assert_int_equal(kvs[0].version, 2);
    cairn_etcd_kvs_free(kvs, n);
    /* absent key: no kvs */
    assert_int_equal(
        cairn_etcd_range(e, K(k, sizeof k, "none"), NULL, 0, &kvs, &n, &rev),
        CAIRN_OK);
    assert_int_equal(n, 0);
    cairn_etcd_close(e);
}

/* A prefix range with a limit, in key order (put in another order). */
static void range_prefix(void **st)
{
    cairn_etcd *e = cluster(TIMEOUT_MS);
    static const int order[] = {3, 0, 4, 1, 2};
    char k[128], name[32], end[128];
    for (size_t i = 0; i < 5; i++) {
        snprintf(name, sizeof name, "list/%020d", order[i]);
        assert_int_equal(
            cairn_etcd_put(e, K(k, sizeof k, name), U(name), strlen(name), 0),
            CAIRN_OK);
    }
    assert_int_equal(cairn_etcd_put(e, K(k, sizeof k, "list0"), U("x"), 1, 0),
                     CAIRN_OK); /* just past the prefix */
    assert_int_equal(
        cairn_etcd_prefix_end(K(k, sizeof k, "list/"), end, sizeof end),
        CAIRN_OK);
    cairn_etcd_kv *kvs;
    size_t n;
    int64_t rev;
    assert_int_equal(cairn_etcd_range(e, k, end, 3, &kvs, &n, &rev), CAIRN_OK);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) {
        snprintf(name, sizeof name, "list/%020zu", i);
        assert_string_equal((char *)kvs[i].val, name);
    }
    cairn_etcd_kvs_free(kvs, n);
    assert_int_equal(cairn_etcd_range(e, k, end, 0, &kvs, &n, &rev), CAIRN_OK);
    assert_int_equal(n, 5);
    cairn_etcd_kvs_free(kvs, n);
    cairn_etcd_close(e);
}

/* The plan's guarded append of block h by the leader of term T:
 * create_rev(leader) == T, create_rev(block/h) == 0, and tip == "h-1"
 * (create_rev(tip) == 0 for h == 1); then put block/h and tip = "h";
 * else get block/h, leader, tip. */
static cairn_err append(cairn_etcd *e, uint64_t h, int64_t term,
                        const uint8_t *blk, size_t n, cairn_etcd_txn_res *r)
{
    char kl[128], kb[128], kt[128], name[40], prev[24], tip[24];
    snprintf(name, sizeof name, "block/%020" PRIu64, h);
    snprintf(prev, sizeof prev, "%" PRIu64, h - 1);
    snprintf(tip, sizeof tip, "%" PRIu64, h);
    cairn_etcd_cmp c[3] = {{CAIRN_ETCD_CREATE, CAIRN_ETCD_EQUAL,
                            K(kl, sizeof kl, "leader"), term, NULL, 0},
                           {CAIRN_ETCD_CREATE, CAIRN_ETCD_EQUAL,
                            K(kb, sizeof kb, name), 0, NULL, 0},
                           {CAIRN_ETCD_VALUE, CAIRN_ETCD_EQUAL,
                            K(kt, sizeof kt, "tip"), 0, U(prev), strlen(prev)}};
    if (h == 1)
        c[2].target = CAIRN_ETCD_CREATE;
    cairn_etcd_op ok[2] = {{CAIRN_ETCD_PUT, kb, blk, n, 0},
                           {CAIRN_ETCD_PUT, kt, U(tip), strlen(tip), 0}};
    cairn_etcd_op fail[3] = {{CAIRN_ETCD_GET, kb, NULL, 0, 0},
                             {CAIRN_ETCD_GET, kl, NULL, 0, 0},
                             {CAIRN_ETCD_GET, kt, NULL, 0, 0}};
    return cairn_etcd_txn(e, c, 3, ok, 2, fail, 3, r);
}

/* Puts the leader key with a 60 s lease; its create revision: the term. */
static int64_t become_leader(cairn_etcd *e)
{
    char k[128];
    int64_t lease, rev;
    assert_int_equal(cairn_etcd_lease_grant(e, 60, &lease), CAIRN_OK);
    const char *me = "{\"id\":\"cairn1test\",\"api\":\"http://x\"}";
    assert_int_equal(
        cairn_etcd_put(e, K(k, sizeof k, "leader"), U(me), strlen(me), lease),
        CAIRN_OK);
    cairn_etcd_kv *kvs;
    size_t n;
    assert_int_equal(cairn_etcd_range(e, k, NULL, 0, &kvs, &n, &rev), CAIRN_OK);
    assert_int_equal(n, 1);
    assert_int_equal(kvs[0].lease, lease);
    int64_t term = kvs[0].create_rev;
    cairn_etcd_kvs_free(kvs, n);
    return term;
}

/* Appends block h until it is there (a try whose outcome was unknown may
 * have landed: the guard then fails with our block), every 100 ms, for at
 * most budget_ms. 1 when block h is ours; *tries counts the txns. */
static int append_until(cairn_etcd *e, uint64_t h, int64_t term,
                        const uint8_t *blk, size_t n, double budget_ms,
                        int *tries)
{
    double t0 = now_ms();
    *tries = 0;
    for (;;) {
        cairn_etcd_txn_res r;
        cairn_err err = append(e, h, term, blk, n, &r);
        ++*tries;
        int done = !err && (r.succeeded || (r.nkvs == 3 && r.kvs[0].vlen == n &&
                                            memcmp(r.kvs[0].val, blk, n) == 0));
        if (err)
            printf("  block %" PRIu64 " try %d: %s: %s\n", h, *tries,
                   cairn_strerror(err), cairn_etcd_last_error(e));
        cairn_etcd_txn_res_free(&r);
        if (done)
            return 1;
        if (now_ms() - t0 >= budget_ms)
            return 0;
        usleep(100 * 1000);
    }
}

static void guarded_append(void **st)
{
    cairn_etcd *e = cluster(TIMEOUT_MS);
    int64_t term = become_leader(e);
    cairn_etcd_txn_res r;
    uint8_t b1[] = {1, 0, 2, 0}, b1x[] = {9, 9};
    assert_int_equal(append(e, 1, term, b1, sizeof b1, &r), CAIRN_OK);
    assert_true(r.succeeded);
    assert_true(r.rev > term);
    assert_int_equal(r.nkvs, 0);
    cairn_etcd_txn_res_free(&r);
    /* block 1 again (another block): refused, the first one returned */
    assert_int_equal(append(e, 1, term, b1x, sizeof b1x, &r), CAIRN_OK);
    assert_false(r.succeeded);
    assert_int_equal(r.nkvs, 3); /* block/1, leader, tip */
    assert_int_equal(r.kvs[0].vlen, sizeof b1);
    assert_memory_equal(r.kvs[0].val, b1, sizeof b1);
    assert_int_equal(r.kvs[1].create_rev, term);
    assert_string_equal((char *)r.kvs[2].val, "1");
    cairn_etcd_txn_res_free(&r);
    /* block 2 by the right term, then by a stale one, then block 4 */
    assert_int_equal(append(e, 2, term, b1, sizeof b1, &r), CAIRN_OK);
    assert_true(r.succeeded);
    cairn_etcd_txn_res_free(&r);
    assert_int_equal(append(e, 3, term - 1, b1, sizeof b1, &r), CAIRN_OK);
    assert_false(r.succeeded);
    assert_int_equal(r.nkvs, 2); /* no block/3; leader, tip */
    assert_string_equal((char *)r.kvs[1].val, "2");
    cairn_etcd_txn_res_free(&r);
    assert_int_equal(append(e, 4, term, b1, sizeof b1, &r), CAIRN_OK);
    assert_false(r.succeeded);
    cairn_etcd_txn_res_free(&r);
    cairn_etcd_close(e);
}

/* The height after the tip ("tip" absent: 1). */
static uint64_t next_height(cairn_etcd *e)
{
    char k[128];
    cairn_etcd_kv *kvs;
    size_t n;
    int64_t rev;
    uint64_t tip = 0;
    assert_int_equal(
        cairn_etcd_range(e, K(k, sizeof k, "tip"), NULL, 0, &kvs, &n, &rev),
        CAIRN_OK);
    if (n)
        assert_int_equal(cairn_parse_u64((char *)kvs[0].val, &tip), CAIRN_OK);
    cairn_etcd_kvs_free(kvs, n);
    return tip + 1;
}

/* Polls (every 100 ms, at most 5 s) until key k is gone; 1 if it went. */
static int wait_gone(cairn_etcd *e, const char *k)
{
    for (int i = 0; i < 50; i++) {
        cairn_etcd_kv *kvs;
        size_t n;
        int64_t rev;
        assert_int_equal(cairn_etcd_range(e, k, NULL, 0, &kvs, &n, &rev),
                         CAIRN_OK);
        cairn_etcd_kvs_free(kvs, n);
        if (n == 0)
            return 1;
        usleep(100 * 1000);
    }
    return 0;
}

/* A TTL-1 lease: kept alive while its key stays, then left to expire;
 * another revoked at once. */
static void leases(void **st)
{
    cairn_etcd *e = cluster(TIMEOUT_MS);
    char k1[128], k2[128];
    int64_t l1, l2, ttl;
    assert_int_equal(cairn_etcd_lease_grant(e, 1, &l1), CAIRN_OK);
    assert_int_equal(cairn_etcd_lease_grant(e, 30, &l2), CAIRN_OK);
    assert_true(l1 > 0 && l2 > 0 && l1 != l2);
    assert_int_equal(
        cairn_etcd_put(e, K(k1, sizeof k1, "lease1"), U("a"), 1, l1), CAIRN_OK);
    assert_int_equal(
        cairn_etcd_put(e, K(k2, sizeof k2, "lease2"), U("b"), 1, l2), CAIRN_OK);
    /* kept alive for ~3 s, longer than its TTL (etcd's minimum is 2 s) */
    for (int i = 0; i < 10; i++) {
        assert_int_equal(cairn_etcd_lease_keepalive(e, l1, &ttl), CAIRN_OK);
        assert_true(ttl >= 1);
        usleep(300 * 1000);
    }
    cairn_etcd_kv *kvs;
    size_t n;
    int64_t rev;
    assert_int_equal(cairn_etcd_range(e, k1, NULL, 0, &kvs, &n, &rev),
                     CAIRN_OK);
    assert_int_equal(n, 1);
    cairn_etcd_kvs_free(kvs, n);
    /* revoke: the key goes at once, a second revoke is fine */
    assert_int_equal(cairn_etcd_lease_revoke(e, l2), CAIRN_OK);
    assert_int_equal(cairn_etcd_range(e, k2, NULL, 0, &kvs, &n, &rev),
                     CAIRN_OK);
    assert_int_equal(n, 0);
    assert_int_equal(cairn_etcd_lease_revoke(e, l2), CAIRN_OK);
    assert_int_equal(cairn_etcd_lease_keepalive(e, l2, &ttl), CAIRN_OK);
    assert_int_equal(ttl, 0);
    /* left alone, l1 expires and takes its key */
    assert_true(wait_gone(e, k1));
    assert_int_equal(cairn_etcd_lease_keepalive(e, l1, &ttl), CAIRN_OK);
    assert_int_equal(ttl, 0);
    /* a put with a lease that is gone: etcd's error, kept */
    assert_int_equal(cairn_etcd_put(e, k1, U("a"), 1, l1), CAIRN_ERR_HTTP);
    printf("put with a dead lease: %s\n", cairn_etcd_last_error(e));
    assert_non_null(strstr(cairn_etcd_last_error(e), "lease not found"));
    cairn_etcd_close(e);
}

/* An unreachable first endpoint is skipped, and stays skipped. */
static void skip_unreachable(void **st)
{
    const char *urls = getenv("CAIRN_ETCD_URLS");
    if (!urls || !*urls)
        skip();
    char list[1024];
    snprintf(list, sizeof list, "http://127.0.0.1:1,%s", urls);
    cairn_etcd *e;
    assert_int_equal(cairn_etcd_open(&e, list, TIMEOUT_MS), CAIRN_OK);
    char k[128];
    for (int i = 0; i < 3; i++)
        assert_int_equal(
            cairn_etcd_put(e, K(k, sizeof k, "skip"), U("v"), 1, 0), CAIRN_OK);
    cairn_etcd_member m[8];
    size_t n;
    assert_int_equal(cairn_etcd_status(e, m, 8, &n), CAIRN_OK);
    assert_false(m[0].up);
    printf("unreachable endpoint: %s\n", m[0].error);
    assert_true(m[0].error[0]);
    cairn_etcd_close(e);
}

/* Every member up, all agreeing on one leader that is one of them. */
static void status(void **st)
{
    cairn_etcd *e = cluster(TIMEOUT_MS);
    cairn_etcd_member m[CAIRN_ETCD_MAX_ENDPOINTS];
    size_t n, leaders = 0;
    assert_int_equal(cairn_etcd_status(e, m, CAIRN_ETCD_MAX_ENDPOINTS, &n),
                     CAIRN_OK);
    assert_true(n >= 1);
    for (size_t i = 0; i < n; i++) {
        printf("etcd %s up=%d id=%" PRIx64 " leader=%" PRIx64 " term=%" PRIu64
               " index=%" PRIu64 " db=%" PRId64 " v%s\n",
               m[i].url, m[i].up, m[i].id, m[i].leader, m[i].raft_term,
               m[i].raft_index, m[i].db_size, m[i].version);
        assert_true(m[i].up);
        assert_int_equal(m[i].leader, m[0].leader);
        assert_true(m[i].raft_term > 0 && m[i].db_size > 0);
        leaders += m[i].id == m[i].leader;
    }
    assert_int_equal(leaders, 1);
    cairn_etcd_close(e);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median and p99 of LATENCY_TXNS sequential guarded appends (printed, not
 * asserted). */
static void latency(void **st)
{
    cairn_etcd *e = cluster(TIMEOUT_MS);
    int64_t term = become_leader(e);
    uint64_t h = next_height(e);
    uint8_t blk[512];
    randombytes_buf(blk, sizeof blk);
    static double ms[LATENCY_TXNS];
    int tries, retried = 0;
    for (size_t i = 0; i < LATENCY_TXNS; i++, h++) {
        double t0 = now_ms();
        assert_true(append_until(e, h, term, blk, sizeof blk, 10000, &tries));
        ms[i] = now_ms() - t0;
        retried += tries > 1;
    }
    qsort(ms, LATENCY_TXNS, sizeof ms[0], cmp_double);
    printf("guarded append of a %zu-byte block, %d sequential txns: median "
           "%.2f ms, p99 %.2f ms, max %.2f ms (%d retried)\n",
           sizeof blk, LATENCY_TXNS, ms[LATENCY_TXNS / 2],
           ms[LATENCY_TXNS * 99 / 100], ms[LATENCY_TXNS - 1], retried);
    cairn_etcd_close(e);
}

/* The PID of member i from CAIRN_ETCD_PIDS ("p0,p1,p2"); 0 if none. */
static long member_pid(size_t i)
{
    const char *s = getenv("CAIRN_ETCD_PIDS");
    for (size_t k = 0; s && k < i; k++) {
        s = strchr(s, ',');
        s = s ? s + 1 : NULL;
    }
    uint64_t pid = 0;
    if (!s || cairn_parse_u64_n(s, strcspn(s, ","), 1u << 22, &pid))
        return 0;
    return (long)pid;
}

/* The raft leader killed (SIGKILL): a guarded append succeeds again
 * within 10 s of retries. Last: the cluster stays one member short. */
static void leader_killed(void **st)
{
    cairn_etcd *e = cluster(1000);
    if (!getenv("CAIRN_ETCD_PIDS"))
        skip();
    int64_t term = become_leader(e);
    uint64_t h = next_height(e);
    cairn_etcd_member m[CAIRN_ETCD_MAX_ENDPOINTS];
    size_t n, lead = SIZE_MAX;
    assert_int_equal(cairn_etcd_status(e, m, CAIRN_ETCD_MAX_ENDPOINTS, &n),
                     CAIRN_OK);
    for (size_t i = 0; i < n; i++)
        if (m[i].up && m[i].id == m[i].leader)
            lead = i;
    assert_true(lead < n && n >= 3);
    long pid = member_pid(lead);
    assert_true(pid > 1);
    printf("killing the raft leader m%zu (pid %ld)\n", lead, pid);
    assert_int_equal(kill((pid_t)pid, SIGKILL), 0);
    uint8_t blk[64];
    randombytes_buf(blk, sizeof blk);
    double t0 = now_ms();
    int tries, done = append_until(e, h, term, blk, sizeof blk, 10000, &tries);
    printf("append after the leader's death: %s after %d tries, %.0f ms\n",
           done ? "done" : "NOT done", tries, now_ms() - t0);
    assert_true(done);
    assert_int_equal(cairn_etcd_status(e, m, CAIRN_ETCD_MAX_ENDPOINTS, &n),
                     CAIRN_OK);
    assert_false(m[lead].up);
    cairn_etcd_close(e);
}

int main(void)
{
    uint8_t r[8];
    if (sodium_init() < 0)
        return 1;
    randombytes_buf(r, sizeof r);
    snprintf(prefix, sizeof prefix, "/cairn-test/%02x%02x%02x%02x%02x%02x/",
             r[0], r[1], r[2], r[3], r[4], r[5]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_range),
        cmocka_unit_test(parse_bad),
        cmocka_unit_test(parse_txn),
        cmocka_unit_test(parse_lease_status_error),
        cmocka_unit_test(open_args),
        cmocka_unit_test(all_down),
        cmocka_unit_test(too_large),
        cmocka_unit_test(silent_endpoint),
        cmocka_unit_test(odd_answers),
        cmocka_unit_test(put_range),
        cmocka_unit_test(range_prefix),
        cmocka_unit_test(guarded_append),
        cmocka_unit_test(leases),
        cmocka_unit_test(skip_unreachable),
        cmocka_unit_test(status),
        cmocka_unit_test(latency),
        cmocka_unit_test(leader_killed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
