/* The compute provider daemon with real processes on 127.0.0.1: a
 * sequencer `cairn node` (epochs of 20 blocks), one `cairn provider
 * compute` (4 cores) and a tenant that builds its transactions with the
 * codecs of cairn/compute.h and talks to the provider through the compute
 * client (src/compute/client.h).
 *
 *   batch      an order whose workload writes a file and exits: the
 *              provider bids (max(price × cores, floor)), the tenant takes
 *              the bid, sends the manifest; STATUS shows it exited with
 *              code 0, the chain shows the report, FETCH returns the file,
 *              LOGS its output; a stranger's key gets not_lease_party, a
 *              manifest with other bytes bad_manifest.
 *   job        a verified matmul job (the provider runs --serve matmul)
 *              sent by the provider's address alone: found on chain,
 *              the claim names the node's chain id, Freivalds passes.
 *   ticket     a job paid with a ticket that always wins (the tenant's
 *              TICKET_FUND on chain): the provider redeems it on chain and
 *              the tenant's deposit pays the face value; a sender without
 *              ticket funds is refused.
 *   service    an order publishing a port (an HTTP server): the tenant's
 *              tunnel through the service port gets its answer; a stranger
 *              without the token, or with a wrong one, gets nothing; 100
 *              idle sockets held on each listener do not stop the tenant.
 *   crash      kill -9 of the provider with a long-running lease and an
 *              exited one; while it is down the tenant closes the exited
 *              lease and a whole epoch passes unreported (the chain pays
 *              nothing for it and counts a miss); restarted, the provider
 *              resumes the running workload in its work directory
 *              ("resumed", its start marker written twice), removes the
 *              closed lease's directory, and reports again (paid again).
 *   close      the tenant closes the last leases: the provider stops the
 *              workloads, removes their directories, and the chain's used
 *              capacity goes back to zero.
 *
 * Every process is stopped by PID; every wait is bounded in count and
 * time; no assertion is about how long something took. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cairn/amount.h"
#include "cairn/compute.h"
#include "cairn/compute_proto.h"
#include "cairn/http.h"
#include "cairn/staking.h"
#include "cairn/tx.h"
#include "compute/client.h"
#include "compute/manifest.h"
#include "harness.h"

#define FEE 1000
#define TEN 0  /* the tenant */
#define PROV 1 /* the provider */
#define STR 2  /* a stranger */
#define SP0 3  /* two storage providers: 3 and 4 */
#define NSP 2
#define EPOCH_BLOCKS 20
#define WAIT_S 90
#define IDLE_SOCKS 100

static h_net net;
static pid_t node_pid, prov_pid, sp_pid[NSP];
static char url[64], prov_data[300], prov_log[300];
static int prov_port, svc_port;

static uint64_t batch_id, long_id, svc_id;

/* ---- plumbing ---- */

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void key_path(char *out, size_t n, int acct)
{
    snprintf(out, n, "%s/a%d.key", net.dir, acct);
}

static int file_has(const char *path, const char *needle)
{
    static char buf[1 << 20];
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return strstr(buf, needle) != NULL;
}

static int count_in(const char *path, const char *needle)
{
    static char buf[1 << 20];
    int k = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    for (char *p = buf; (p = strstr(p, needle)); p += strlen(needle))
        k++;
    return k;
}

static void dump_log(void)
{
    static char buf[1 << 16];
    FILE *f = fopen(prov_log, "rb");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = 0;
    fprintf(stderr, "--- provider log ---\n%s---\n", buf);
}

/* GETs path from the node: the JSON reply (caller decrefs) or NULL. */
static json_t *get(const char *path)
{
    char u[512];
    cairn_http_resp r = {0};
    json_t *j = NULL;
    snprintf(u, sizeof u, "%s%s", url, path);
    if (cairn_http_request("GET", u, NULL, 0, NULL, 5000, &r) == CAIRN_OK &&
        r.status == 200)
        j = json_loadb(r.body, r.len, 0, NULL);
    free(r.body);
    return j;
}

static uint64_t jnum(const json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (json_is_integer(v))
        return (uint64_t)json_integer_value(v);
    const char *s = json_string_value(v);
    return s ? strtoull(s, NULL, 10) : 0;
}

static const char *jstr(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static uint64_t epoch_now(void)
{
    json_t *j = get("/v1/compute/params");
    assert_non_null(j);
    uint64_t e = jnum(j, "epoch");
    json_decref(j);
    return e;
}

static json_t *lease_json(uint64_t id)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/compute/lease/%llu",
             (unsigned long long)id);
    return get(path);
}

static uint64_t nonce_of(const cairn_keypair *kp)
{
    char path[160], a[CAIRN_ADDR_TEXT_LEN + 1];
    cairn_addr_format(a, &kp->pk);
    snprintf(path, sizeof path, "/v1/account/%s", a);
    json_t *j = get(path);
    assert_non_null(j);
    uint64_t n = jnum(j, "nonce");
    json_decref(j);
    return n;
}

/* Signs and POSTs a tx, waiting for its block; returns the error name
 * ("" when committed). */
static void post(const cairn_keypair *kp, uint16_t kind, const cairn_buf *body,
                 char err[64])
{
    cairn_buf tx;
    char u[128];
    cairn_http_resp r = {0};
    cairn_buf_init(&tx, CAIRN_TX_MAX_BYTES);
    assert_int_equal(cairn_tx_make(&tx, "cairn-compute-test", kp, nonce_of(kp),
                                   FEE, kind, body->p, body->len),
                     CAIRN_OK);
    char *hex = malloc(2 * tx.len + 1);
    assert_non_null(hex);
    cairn_hex_encode(hex, tx.p, tx.len);
    json_t *o = json_pack("{s:s}", "tx", hex);
    char *s = json_dumps(o, JSON_COMPACT);
    snprintf(u, sizeof u, "%s/v1/tx?wait=1", url);
    assert_int_equal(cairn_http_request("POST", u, s, strlen(s),
                                        "application/json", 30000, &r),
                     CAIRN_OK);
    json_t *j = json_loadb(r.body, r.len, 0, NULL);
    assert_non_null(j);
    snprintf(err, 64, "%s", r.status == 200 ? "" : jstr(j, "error"));
    json_decref(j);
    json_decref(o);
    free(s);
    free(hex);
    free(r.body);
    cairn_buf_free(&tx);
}

static void post_ok(const cairn_keypair *kp, uint16_t kind, const cairn_buf *b)
{
    char err[64];
    post(kp, kind, b, err);
    if (err[0])
        print_error("tx kind 0x%02x refused: %s\n", kind, err);
    assert_string_equal(err, "");
}

/* ---- processes ---- */

static void write_genesis(void)
{
    char a[CAIRN_ADDR_TEXT_LEN + 1];
    FILE *f = fopen(net.genesis, "w");
    assert_non_null(f);
    cairn_addr_format(a, &net.seq.pk);
    fprintf(f,
            "{\"chain_id\":\"cairn-compute-test\",\"token\":{\"name\":\"Test\","
            "\"symbol\":\"TST\"},\"supply_cap\":\"1000000000\","
            "\"genesis_time_ms\":1767225600000,\"block_interval_ms\":200,"
            "\"max_block_txs\":1000,\"min_fee\":\"0.001\",\"sequencer\":"
            "\"%s\",\"economy\":{\"epoch_blocks\":%d,"
            "\"min_provider_stake\":\"10\","
            "\"compute_min_price_per_core\":\"0.01\","
            "\"compute_max_missed\":3,\"compute_grace_epochs\":3},"
            "\"allocations\":[",
            a, EPOCH_BLOCKS);
    for (int i = 0; i < net.nacct; i++) {
        cairn_addr_format(a, &net.acct[i].pk);
        fprintf(f, "%s{\"address\":\"%s\",\"amount\":\"%s\"}", i ? "," : "", a,
                "10000");
    }
    fprintf(f, "]}\n");
    fclose(f);
}

static pid_t start_provider(void)
{
    char listen[64], svc[64], key[300];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", prov_port);
    snprintf(svc, sizeof svc, "127.0.0.1:%d", svc_port);
    key_path(key, sizeof key, PROV);
    /* clang-format off */
    char *argv[] = {getenv("CAIRN_BIN"), "--node", url, "provider", "compute",
                    "--data", prov_data, "--key", key, "--cpus", "4",
                    "--memory", "1GiB", "--disk", "512MiB", "--price", "0.02",
                    "--stake", "10", "--listen", listen,
                    "--service-listen", svc, "--poll-ms", "200",
                    "--serve", "matmul", NULL};
    /* clang-format on */
    return h_spawn(argv, prov_log, prov_log);
}

/* `cairn provider storage` number i (account SP0 + i). */
static pid_t start_storage(int i)
{
    char listen[64], data[300], key[300], log[300];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", h_port());
    snprintf(data, sizeof data, "%s/sp%d", net.dir, i);
    snprintf(log, sizeof log, "%s/sp%d.log", net.dir, i);
    key_path(key, sizeof key, SP0 + i);
    /* clang-format off */
    char *argv[] = {getenv("CAIRN_BIN"), "--node", url, "provider", "storage",
                    "--data", data, "--capacity", "64MiB", "--key", key,
                    "--listen", listen, "--stake", "10", "--poll-ms", "300",
                    "--egress-price", "0", NULL};
    /* clang-format on */
    return h_spawn(argv, log, log);
}

/* Waits (bounded) until n storage providers are active on chain. */
static void wait_storage(int n)
{
    int active = 0;
    for (int t = 0; t < WAIT_S * 10 && active < n; t++) {
        json_t *j = get("/v1/storage/providers"), *it;
        size_t i;
        active = 0;
        json_array_foreach(json_object_get(j, "providers"), i, it) active +=
            json_is_true(json_object_get(it, "active"));
        json_decref(j);
        if (active < n)
            sleep_ms(100);
    }
    assert_int_equal(active, n);
}

/* Waits (bounded) until the provider's capacity is on chain. */
static void wait_offer(void)
{
    char path[160], a[CAIRN_ADDR_TEXT_LEN + 1];
    cairn_addr_format(a, &net.acct[PROV].pk);
    snprintf(path, sizeof path, "/v1/compute/provider/%s", a);
    uint64_t cpus = 0;
    for (int t = 0; t < WAIT_S * 10 && cpus != 4; t++) {
        json_t *j = get(path);
        if (j)
            cpus = jnum(json_object_get(j, "capacity"), "cpus");
        json_decref(j);
        if (cpus != 4)
            sleep_ms(100);
    }
    if (cpus != 4)
        dump_log();
    assert_int_equal(cpus, 4);
}

static int setup(void **state)
{
    char data[300], key[300];
    (void)state;
    h_net_setup(&net, SP0 + NSP, "10000", 200);
    write_genesis();
    for (int i = 0; i < net.nacct; i++) {
        key_path(key, sizeof key, i);
        assert_int_equal(cairn_key_save(key, &net.acct[i]), CAIRN_OK);
    }
    snprintf(url, sizeof url, "http://127.0.0.1:%d", net.port);
    snprintf(prov_data, sizeof prov_data, "%s/prov", net.dir);
    snprintf(prov_log, sizeof prov_log, "%s/prov.log", net.dir);
    h_init_chain(&net, "chain", data, sizeof data);
    node_pid = h_start_node(&net, data, net.port, NULL);
    prov_port = h_port();
    svc_port = h_port();
    prov_pid = start_provider();
    for (int i = 0; i < NSP; i++)
        sp_pid[i] = start_storage(i);
    wait_offer();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (prov_pid > 0)
        h_stop(prov_pid, SIGTERM);
    for (int i = 0; i < NSP; i++)
        h_stop(sp_pid[i], SIGTERM);
    h_stop(node_pid, SIGTERM);
    h_net_cleanup(&net);
    return 0;
}

/* ---- orders and leases ---- */

/* The highest id among the tenant's orders. */
static uint64_t last_order(void)
{
    char path[200], a[CAIRN_ADDR_TEXT_LEN + 1];
    uint64_t id = 0, after = 0;
    cairn_addr_format(a, &net.acct[TEN].pk);
    for (int page = 0; page < 100; page++) {
        snprintf(path, sizeof path, "/v1/compute/leases?tenant=%s&after=%llu",
                 a, (unsigned long long)after);
        json_t *j = get(path), *it;
        assert_non_null(j);
        size_t i;
        json_array_foreach(json_object_get(j, "leases"), i, it) id =
            jnum(it, "id");
        int more = json_is_true(json_object_get(j, "more"));
        json_decref(j);
        if (!more)
            break;
        after = id;
    }
    return id;
}

/* Posts the order of manifest text mf; returns its id. */
static uint64_t open_order(const char *mf)
{
    cairn_manifest m;
    cairn_order o;
    char msg[256];
    cairn_buf b;
    assert_int_equal(cairn_manifest_parse(&m, (const uint8_t *)mf, strlen(mf),
                                          msg, sizeof msg),
                     CAIRN_OK);
    cairn_manifest_order(&m, &o);
    cairn_manifest_free(&m);
    o.bid_blocks = 100;
    cairn_buf_init(&b, 256);
    cairn_order_encode(&b, &o);
    post_ok(&net.acct[TEN], CAIRN_TX_ORDER_OPEN, &b);
    cairn_buf_free(&b);
    return last_order();
}

/* Waits (bounded) for the provider's bid on order id; returns its price. */
static uint64_t wait_bid(uint64_t id)
{
    char a[CAIRN_ADDR_TEXT_LEN + 1];
    cairn_addr_format(a, &net.acct[PROV].pk);
    for (int t = 0; t < WAIT_S * 10; t++) {
        json_t *j = lease_json(id), *bid = NULL, *it;
        size_t i;
        json_array_foreach(json_object_get(j, "bids"), i,
                           it) if (strcmp(jstr(it, "provider"), a) == 0) bid =
            it;
        uint64_t price = bid ? jnum(bid, "price_units") : 0;
        json_decref(j);
        if (price)
            return price;
        sleep_ms(100);
    }
    dump_log();
    fail_msg("no bid on order %llu", (unsigned long long)id);
    return 0;
}

static void create_lease(uint64_t id)
{
    cairn_buf b;
    cairn_buf_init(&b, 64);
    cairn_lease_create_encode(&b, id, &net.acct[PROV].pk);
    post_ok(&net.acct[TEN], CAIRN_TX_LEASE_CREATE, &b);
    cairn_buf_free(&b);
}

static void close_lease(uint64_t id)
{
    cairn_buf b;
    cairn_buf_init(&b, 64);
    cairn_lease_close_encode(&b, id);
    post_ok(&net.acct[TEN], CAIRN_TX_LEASE_CLOSE, &b);
    cairn_buf_free(&b);
}

/* Order, bid, lease and manifest: the lease id. */
static uint64_t deploy(const char *mf, uint64_t want_price)
{
    cclient c;
    uint8_t st = 0;
    uint64_t id = open_order(mf);
    assert_int_equal(wait_bid(id), want_price);
    create_lease(id);
    cclient_init(&c, url, &net.acct[TEN]);
    cairn_err e =
        cclient_manifest(&c, id, (const uint8_t *)mf, strlen(mf), &st);
    if (e)
        print_error("manifest: %s\n", c.why);
    assert_int_equal(e, CAIRN_OK);
    cclient_close(&c);
    return id;
}

/* STATUS until the workload state is `want` (bounded). */
static void wait_state(uint64_t id, uint8_t want, cairn_cp_state *out)
{
    cclient c;
    cclient_init(&c, url, &net.acct[TEN]);
    c.timeout_ms = 3000; /* each try bounded; the loop too */
    memset(out, 0, sizeof *out);
    for (int t = 0; t < WAIT_S * 10; t++) {
        if (cclient_status(&c, id, out) == CAIRN_OK && out->state == want)
            break;
        sleep_ms(100);
    }
    cclient_close(&c);
    if (out->state != want)
        dump_log();
    assert_int_equal(out->state, want);
}

/* Waits (bounded) until the chain shows work_state `want` for id. */
static void wait_chain_work(uint64_t id, const char *want)
{
    int ok = 0;
    for (int t = 0; t < WAIT_S * 10 && !ok; t++) {
        json_t *j = lease_json(id);
        ok = j && strcmp(jstr(j, "work_state"), want) == 0;
        json_decref(j);
        if (!ok)
            sleep_ms(100);
    }
    if (!ok)
        dump_log();
    assert_true(ok);
}

static const char *batch_mf =
    "{\"command\": [\"sh\", \"-c\", \"echo hello from the workload; "
    "mkdir -p out; echo result-$((6*7)) > out/result.txt; "
    "ln -s /etc/hostname link; ln -s .. up\"],"
    " \"resources\": {\"cpus\": 1, \"memory\": \"128M\", \"disk\": \"64M\","
    " \"max_epochs\": 1000}, \"max_price\": \"0.05\", \"escrow\": \"5\"}";

static const char *long_mf =
    "{\"command\": [\"sh\", \"-c\", \"echo start >> starts.txt; exec sleep "
    "100000\"],"
    " \"resources\": {\"cpus\": 1, \"memory\": \"64M\", \"disk\": \"16M\","
    " \"max_epochs\": 1000}, \"max_price\": \"0.05\", \"escrow\": \"5\"}";

/* ---- batch ---- */

static void test_batch(void **state)
{
    (void)state;
    cairn_cp_state st;
    cclient c;
    uint8_t *b;
    size_t n;
    uint64_t next;
    int ended;
    char out[300];
    /* 0.02 × 1 core is above the floor 0.01 × 1 */
    batch_id = deploy(batch_mf, 20000);
    wait_state(batch_id, CAIRN_WORK_EXITED, &st);
    assert_int_equal(st.exit_code, 0);
    assert_true(st.flags & CAIRN_CP_HAS_MANIFEST);
    assert_true(st.ended >= st.started && st.started > 0);
    assert_string_equal(st.endpoint, "");
    wait_chain_work(batch_id, "exited");

    cclient_init(&c, url, &net.acct[TEN]);
    snprintf(out, sizeof out, "%s/result.txt", net.dir);
    uint64_t size = 0;
    assert_int_equal(cclient_fetch(&c, batch_id, "out/result.txt", out, &size),
                     CAIRN_OK);
    assert_int_equal(size, 10);
    assert_true(file_has(out, "result-42\n"));
    /* no such file; a path out of the work dir is refused by the client
     * and the provider alike */
    assert_int_equal(cclient_fetch(&c, batch_id, "out/none", out, NULL),
                     CAIRN_ERR_NOT_FOUND);
    assert_int_equal(cclient_fetch(&c, batch_id, "../state", out, NULL),
                     CAIRN_ERR_BAD_ARG);
    /* links the workload made are not followed, in or out of its dir */
    assert_int_equal(cclient_fetch(&c, batch_id, "link", out, NULL),
                     CAIRN_ERR_BAD_ARG);
    assert_int_equal(cclient_fetch(&c, batch_id, "up/state", out, NULL),
                     CAIRN_ERR_BAD_ARG);
    assert_int_equal(cclient_fetch(&c, batch_id, "out", out, NULL),
                     CAIRN_ERR_BAD_ARG);
    assert_int_equal(cclient_logs(&c, batch_id, 0, 4096, &b, &n, &next, &ended),
                     CAIRN_OK);
    assert_true(ended);
    assert_int_equal(next, n);
    assert_non_null(memmem(b, n, "hello from the workload", 23));
    free(b);
    /* a manifest with other bytes than the order's hash */
    const char *other = "{\"command\": [\"true\"], \"resources\": {\"cpus\": 1,"
                        " \"memory\": \"128M\", \"disk\": \"64M\","
                        " \"max_epochs\": 1000}, \"max_price\": \"0.05\"}";
    assert_int_equal(cclient_manifest(&c, batch_id, (const uint8_t *)other,
                                      strlen(other), NULL),
                     CAIRN_ERR_BAD_MANIFEST);
    cclient_close(&c);

    /* a stranger's key may not use the lease */
    cclient_init(&c, url, &net.acct[STR]);
    assert_int_equal(cclient_status(&c, batch_id, &st),
                     CAIRN_ERR_NOT_LEASE_PARTY);
    assert_int_equal(cclient_fetch(&c, batch_id, "out/result.txt", out, NULL),
                     CAIRN_ERR_NOT_LEASE_PARTY);
    assert_int_equal(cclient_manifest(&c, batch_id, (const uint8_t *)batch_mf,
                                      strlen(batch_mf), NULL),
                     CAIRN_ERR_NOT_LEASE_PARTY);
    cclient_close(&c);
}

/* ---- service ---- */

/* A TCP connection to 127.0.0.1:port, or -1. */
static int tcp_to(int port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* Reads what fd sends until it closes or limit_ms passes (bounded); the
 * bytes go to buf (NUL-terminated); returns their count. */
static size_t read_all(int fd, char *buf, size_t size, int limit_ms)
{
    size_t got = 0;
    for (int t = 0; t < limit_ms / 100 && got < size - 1; t++) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t n = read(fd, buf + got, size - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    buf[got] = 0;
    return got;
}

static const char http_get[] = "GET /index.html HTTP/1.0\r\n\r\n";

/* The tenant's GET through its tunnel: 1 when the page came back. */
static int tenant_get(const cairn_cp_state *st)
{
    char why[256], buf[4096];
    int fd;
    if (cclient_tunnel(st, 5000, &fd, why, sizeof why)) {
        print_error("tunnel: %s\n", why);
        return 0;
    }
    int ok = write(fd, http_get, sizeof http_get - 1) ==
                 (ssize_t)(sizeof http_get - 1) &&
             read_all(fd, buf, sizeof buf, 10000) > 0 &&
             strstr(buf, "hello tenant") != NULL;
    close(fd);
    return ok;
}

/* A stranger that connects to the service port and sends `first`: the
 * bytes it gets back (none expected). */
static size_t stranger_gets(const char *first, size_t n)
{
    char buf[4096];
    int fd = tcp_to(svc_port);
    assert_true(fd >= 0);
    if (n && write(fd, first, n) != (ssize_t)n) {
        close(fd);
        return 0; /* closed on us already: nothing came */
    }
    if (n)
        (void)!write(fd, http_get, sizeof http_get - 1);
    size_t got = read_all(fd, buf, sizeof buf, 15000);
    close(fd);
    return got;
}

/* A matmul job (--serve matmul) by the provider's address alone: the
 * client finds its endpoint on chain, the claim carries the node's chain
 * id and the provider's key, and the product passes Freivalds' check. */
static void test_job(void **state)
{
    (void)state;
    char addr[CAIRN_ADDR_TEXT_LEN + 1], dir[300], out[320];
    cairn_addr_format(addr, &net.acct[PROV].pk);
    snprintf(dir, sizeof dir, "%s/job", net.dir);
    snprintf(out, sizeof out, "%s/job.out", net.dir);
    /* clang-format off */
    char *argv[] = {getenv("CAIRN_BIN"), "--node", url, "compute", "job",
                    "matmul", "--provider-addr", addr, "--random", "8x8x8",
                    "--chain-id", "cairn-compute-test", "--out", dir, NULL};
    /* clang-format on */
    int rc = h_run(argv, out, out, 60000);
    if (rc != 0 || !file_has(out, "verdict     ok"))
        dump_log();
    assert_int_equal(rc, 0);
    assert_true(file_has(out, "chain       cairn-compute-test"));
    assert_true(file_has(out, addr));
}

/* The tenant's ticket deposit in base units. */
static uint64_t ticket_deposit(void)
{
    char a[CAIRN_ADDR_TEXT_LEN + 1], path[160];
    uint64_t units = 0;
    cairn_addr_format(a, &net.acct[TEN].pk);
    snprintf(path, sizeof path, "/v1/compute/tickets/%s", a);
    json_t *j = get(path);
    assert_int_equal(cairn_amount_parse(&units, jstr(j, "deposit")), CAIRN_OK);
    json_decref(j);
    return units;
}

/* A job paid with a ticket that always wins (the tenant funded its
 * tickets on chain): the provider stores it and redeems it on chain, the
 * tenant's deposit pays its face value. */
static void test_job_ticket(void **state)
{
    (void)state;
    char addr[CAIRN_ADDR_TEXT_LEN + 1], dir[300], out[320], key[300];
    cairn_buf b;
    cairn_buf_init(&b, 64);
    cairn_ticket_fund_encode(&b, 5000000, 1000000);
    post_ok(&net.acct[TEN], CAIRN_TX_TICKET_FUND, &b);
    cairn_buf_free(&b);
    assert_int_equal(ticket_deposit(), 5000000);
    cairn_addr_format(addr, &net.acct[PROV].pk);
    snprintf(dir, sizeof dir, "%s/jobt", net.dir);
    snprintf(out, sizeof out, "%s/jobt.out", net.dir);
    key_path(key, sizeof key, TEN);
    /* clang-format off */
    char *argv[] = {getenv("CAIRN_BIN"), "--node", url, "compute", "job",
                    "matmul", "--provider-addr", addr, "--random", "4x4x4",
                    "--key", key, "--ticket-face", "0.5", "--out", dir, NULL};
    /* clang-format on */
    int rc = h_run(argv, out, out, 60000);
    if (rc != 0)
        dump_log();
    assert_int_equal(rc, 0);
    /* a sender without ticket funds on chain is refused */
    char skey[300], sout[320];
    key_path(skey, sizeof skey, STR);
    snprintf(sout, sizeof sout, "%s/jobs.out", net.dir);
    argv[11] = skey;
    assert_int_equal(h_run(argv, sout, sout, 60000), 1);
    assert_true(file_has(sout, "no ticket funds"));
    uint64_t d = 5000000;
    for (int t = 0; t < WAIT_S * 10 && d == 5000000; t++) {
        sleep_ms(100);
        d = ticket_deposit();
    }
    if (d != 4500000)
        dump_log();
    assert_int_equal(d, 4500000);
    assert_true(file_has(prov_log, "ticket redeemed: 500000 base units"));
}

static void test_service(void **state)
{
    (void)state;
    char mf[1024], line[CAIRN_CP_TOKEN_LINE];
    uint8_t wrong[CAIRN_CP_TOKEN_LEN];
    cairn_cp_state st;
    int port = h_port();
    if (access("/usr/bin/python3", X_OK) != 0) {
        print_message("no /usr/bin/python3 for the sample HTTP server\n");
        skip();
    }
    snprintf(mf, sizeof mf,
             "{\"command\": [\"python3\", \"-m\", \"http.server\", \"%d\","
             " \"--bind\", \"127.0.0.1\"],"
             " \"files\": [{\"path\": \"index.html\", \"content\": \"hello "
             "tenant\"}],"
             " \"resources\": {\"cpus\": 1, \"memory\": \"512M\", \"disk\": "
             "\"16M\", \"max_epochs\": 1000},"
             " \"port\": %d, \"max_price\": \"0.05\", \"escrow\": \"5\"}",
             port, port);
    svc_id = deploy(mf, 20000);
    wait_state(svc_id, CAIRN_WORK_RUNNING, &st);
    assert_true(st.endpoint[0] != 0);
    int ok = 0;
    for (int t = 0; t < 100 && !ok; t++) { /* until the server is up */
        ok = tenant_get(&st);
        if (!ok)
            sleep_ms(200);
    }
    if (!ok)
        dump_log();
    assert_true(ok);

    /* strangers: no token, a wrong token, silence */
    assert_int_equal(stranger_gets(http_get, sizeof http_get - 1), 0);
    randombytes_buf(wrong, sizeof wrong);
    cairn_cp_token_line(line, wrong);
    assert_int_equal(stranger_gets(line, sizeof line), 0);
    assert_int_equal(stranger_gets(NULL, 0), 0);

    /* idle sockets held on both listeners: the tenant is still served */
    int fds[2 * IDLE_SOCKS], nfd = 0;
    for (int i = 0; i < IDLE_SOCKS; i++) {
        int a = tcp_to(svc_port), b = tcp_to(prov_port);
        if (a >= 0)
            fds[nfd++] = a;
        if (b >= 0)
            fds[nfd++] = b;
    }
    cclient c;
    cairn_cp_state st2;
    cclient_init(&c, url, &net.acct[TEN]);
    cairn_err e = cclient_status(&c, svc_id, &st2);
    if (e)
        print_error("status with idle sockets held: %s\n", c.why);
    assert_int_equal(e, CAIRN_OK);
    cclient_close(&c);
    assert_true(tenant_get(&st2));
    for (int i = 0; i < nfd; i++)
        close(fds[i]);
}

/* ---- storage input ---- */

static void test_storage_input(void **state)
{
    (void)state;
    char path[300], out[300], err[300], store[300], key[300], id[64] = "";
    char mf[1024];
    cairn_cp_state st;
    cclient c;
    static uint8_t data[300000], back[300000];
    wait_storage(NSP);
    randombytes_buf(data, sizeof data);
    snprintf(path, sizeof path, "%s/input.bin", net.dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, sizeof data, f), sizeof data);
    fclose(f);
    snprintf(out, sizeof out, "%s/put.out", net.dir);
    snprintf(err, sizeof err, "%s/put.err", net.dir);
    snprintf(store, sizeof store, "%s/store", net.dir);
    key_path(key, sizeof key, TEN);
    /* clang-format off */
    char *argv[] = {getenv("CAIRN_BIN"), "--node", url, "put", path,
                    "--k", "1", "--n", "2", "--epochs", "50", "--key", key,
                    "--store", store, NULL};
    /* clang-format on */
    int rc = h_run(argv, out, err, 120000);
    f = fopen(out, "rb");
    assert_non_null(f);
    assert_non_null(fgets(id, sizeof id, f));
    fclose(f);
    id[strcspn(id, "\n")] = 0;
    if (rc != 0 || strlen(id) != 32)
        print_error("put exited %d, printed \"%s\"\n", rc, id);
    assert_int_equal(rc, 0);
    assert_int_equal(strlen(id), 32);

    snprintf(mf, sizeof mf,
             "{\"command\": [\"sh\", \"-c\", \"cp in/data.bin copy.bin\"],"
             " \"files\": [{\"path\": \"in/data.bin\", \"storage\": \"%s\"}],"
             " \"resources\": {\"cpus\": 1, \"memory\": \"64M\", \"disk\": "
             "\"16M\", \"max_epochs\": 1000},"
             " \"max_price\": \"0.05\", \"escrow\": \"5\"}",
             id);
    uint64_t lease = deploy(mf, 20000);
    wait_state(lease, CAIRN_WORK_EXITED, &st);
    if (st.exit_code != 0)
        print_error("note: %s\n", st.note);
    assert_int_equal(st.exit_code, 0);
    cclient_init(&c, url, &net.acct[TEN]);
    snprintf(out, sizeof out, "%s/copy.bin", net.dir);
    uint64_t size = 0;
    assert_int_equal(cclient_fetch(&c, lease, "copy.bin", out, &size),
                     CAIRN_OK);
    cclient_close(&c);
    assert_int_equal(size, sizeof data);
    f = fopen(out, "rb");
    assert_non_null(f);
    assert_int_equal(fread(back, 1, sizeof back, f), sizeof back);
    fclose(f);
    assert_memory_equal(back, data, sizeof data);
    close_lease(lease);
}

/* ---- crash ---- */

static void lease_dir(char *out, size_t n, uint64_t id, const char *name)
{
    snprintf(out, n, "%s/leases/%llu%s%s", prov_data, (unsigned long long)id,
             name ? "/" : "", name ? name : "");
}

/* Waits (bounded) until the current epoch is at least e. */
static void wait_epoch(uint64_t e)
{
    for (int t = 0; t < WAIT_S * 10 && epoch_now() < e; t++)
        sleep_ms(100);
    assert_true(epoch_now() >= e);
}

static void test_crash(void **state)
{
    (void)state;
    cairn_cp_state st;
    char starts[400], dir[400];
    long_id = deploy(long_mf, 20000);
    wait_state(long_id, CAIRN_WORK_RUNNING, &st);
    wait_chain_work(long_id, "running");
    lease_dir(starts, sizeof starts, long_id, "work/starts.txt");
    for (int t = 0; t < 100 && count_in(starts, "start") < 1; t++)
        sleep_ms(100);
    assert_int_equal(count_in(starts, "start"), 1);

    /* kill -9, then: one epoch passes with nobody to report */
    h_stop(prov_pid, SIGKILL);
    prov_pid = -1;
    close_lease(batch_id); /* closed while the provider is down */
    uint64_t e0 = epoch_now();
    wait_epoch(e0 + 1); /* epoch e0+1 runs without a report */
    json_t *j = lease_json(long_id);
    uint64_t paid0 = jnum(j, "paid_units");
    json_decref(j);
    wait_epoch(e0 + 2);
    j = lease_json(long_id);
    assert_string_equal(jstr(j, "state"), "active");
    assert_int_equal(jnum(j, "paid_units"), paid0); /* not paid for e0+1 */
    assert_true(jnum(j, "missed") >= 1);
    json_decref(j);

    /* restart: the running lease resumes, the closed one is cleaned */
    prov_pid = start_provider();
    wait_state(long_id, CAIRN_WORK_RUNNING, &st);
    for (int t = 0; t < 100 && count_in(starts, "start") < 2; t++)
        sleep_ms(100);
    assert_int_equal(count_in(starts, "start"), 2); /* same work dir */
    assert_true(st.flags & CAIRN_CP_RESUMED);
    lease_dir(dir, sizeof dir, long_id, "log");
    assert_true(file_has(dir, "resumed"));
    lease_dir(dir, sizeof dir, batch_id, NULL);
    struct stat sb;
    int gone = 0;
    for (int t = 0; t < WAIT_S * 10 && !gone; t++) {
        gone = stat(dir, &sb) != 0 && errno == ENOENT;
        if (!gone)
            sleep_ms(100);
    }
    assert_true(gone);
    /* reported again: the next settled epoch pays */
    uint64_t e1 = epoch_now();
    wait_epoch(e1 + 2);
    j = lease_json(long_id);
    assert_true(jnum(j, "paid_units") > paid0);
    assert_int_equal(jnum(j, "missed"), 0);
    json_decref(j);
}

/* ---- close ---- */

static void test_close(void **state)
{
    (void)state;
    char dir[400], path[160], a[CAIRN_ADDR_TEXT_LEN + 1];
    struct stat sb;
    if (svc_id)
        close_lease(svc_id);
    close_lease(long_id);
    lease_dir(dir, sizeof dir, long_id, NULL);
    int gone = 0;
    for (int t = 0; t < WAIT_S * 10 && !gone; t++) {
        gone = stat(dir, &sb) != 0 && errno == ENOENT;
        if (!gone)
            sleep_ms(100);
    }
    if (!gone)
        dump_log();
    assert_true(gone);
    cairn_addr_format(a, &net.acct[PROV].pk);
    snprintf(path, sizeof path, "/v1/compute/provider/%s", a);
    json_t *j = get(path);
    assert_non_null(j);
    assert_int_equal(jnum(json_object_get(j, "used"), "cpus"), 0);
    json_decref(j);
    assert_true(file_has(prov_log, "removed"));
    if (getenv("CT_DUMP"))
        dump_log();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch),         cmocka_unit_test(test_job),
        cmocka_unit_test(test_job_ticket),    cmocka_unit_test(test_service),
        cmocka_unit_test(test_storage_input), cmocka_unit_test(test_crash),
        cmocka_unit_test(test_close),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
