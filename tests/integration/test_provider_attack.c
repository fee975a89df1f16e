/* Storage providers under attack, with real processes on 127.0.0.1: a
 * sequencer `cairn node` with short epochs, six `cairn provider storage`
 * daemons, and `cairn put` of a random 2.5 MiB file 4-of-6. Then:
 *
 *   attack_while_get   (issue 8, point 19) a forked attacker holds, on
 *                      each of three providers, 8 connections that send a
 *                      malformed request every 2 s (fresh key each, dialing
 *                      again when closed), 8 that send ASK every 2 s, 10
 *                      half-handshakes, and 2 requests trickled a byte at a
 *                      time; meanwhile three `cairn get` must each bring
 *                      the file back byte-identical. (Before: 8 workers per
 *                      provider were held, and every get failed.)
 *   trickle_rss        (point 20) eight connections announce 64 MiB
 *                      frames, send 60 MiB of each and then trickle; the
 *                      provider's VmRSS (/proc/PID/status) must stay
 *                      within RSS_BOUND_MIB of what it was before.
 *                      (Before: about 480 MiB.)
 *   flood_log          (point 24) 100 held sockets and thousands of
 *                      connections that open, send junk and close, while
 *                      `cairn get` runs: the get succeeds and the
 *                      provider's log grows by at most FLOOD_LOG_LINES.
 *   second_on_same_dir (point 5) a second provider on a running one's data
 *                      dir exits non-zero saying so, and the endpoint on
 *                      chain does not move.
 *   endpoint_put_back  (point 5) a SET_ENDPOINT signed with a running
 *                      provider's key moves its endpoint away; the provider
 *                      notices, puts it back, and says so in its log.
 *
 * Every process is stopped by PID; every loop is bounded in count and
 * time; no assertion is about how long something took. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cairn/conn.h"
#include "cairn/http.h"
#include "cairn/staking.h"
#include "cairn/storage_proto.h"
#include "core/bytes.h"
#include "harness.h"
#include "net/conn_internal.h"
#include "net/node_rpc.h"

#define NPROV 6
#define NATTACKED 3
#define FILE_BYTES (5u << 19) /* 2.5 MiB: three 1 MiB segments */
#define CMD_LIMIT_MS 180000
#define ATTACK_LIFE_S 300
#define RSS_BOUND_MIB 200 /* growth of a provider's RSS under point 20 */
#define FLOOD_LOG_LINES 60

static h_net net;
static pid_t node_pid;
static pid_t prov_pid[NPROV];
static int prov_ports[NPROV];
static pid_t attacker_pid;
static char url[64];
static char file_id[64];
static unsigned char file_sum[crypto_hash_sha256_BYTES];

/* ---- processes (as in test_storage_evil.c) ---- */

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void path_of(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", net.dir, name);
}

static char *slurp(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "rb");
    buf[0] = 0;
    if (!f)
        return buf;
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static int count_lines(const char *path)
{
    int n = 0, ch;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    while ((ch = fgetc(f)) != EOF)
        n += ch == '\n';
    fclose(f);
    return n;
}

/* 1 if the file contains needle (read whole). */
static int file_has(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *b = malloc((size_t)n + 1);
    size_t got = b ? fread(b, 1, (size_t)n, f) : 0;
    fclose(f);
    if (!b)
        return 0;
    b[got] = 0;
    int yes = strstr(b, needle) != NULL;
    free(b);
    return yes;
}

static void sha256_file(const char *path, unsigned char out[32])
{
    crypto_hash_sha256_state st;
    unsigned char buf[65536];
    size_t n;
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    crypto_hash_sha256_init(&st);
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        crypto_hash_sha256_update(&st, buf, n);
    fclose(f);
    crypto_hash_sha256_final(&st, out);
}

static void key_path(char *out, size_t n, int acct)
{
    snprintf(out, n, "%s/a%d.key", net.dir, acct);
}

static void write_genesis(void)
{
    char a[CAIRN_ADDR_TEXT_LEN + 1];
    FILE *f = fopen(net.genesis, "w");
    assert_non_null(f);
    cairn_addr_format(a, &net.seq.pk);
    fprintf(f,
            "{\"chain_id\":\"cairn-attack-test\",\"token\":{\"name\":\"Test\","
            "\"symbol\":\"TST\"},\"supply_cap\":\"1000000000\","
            "\"genesis_time_ms\":1767225600000,\"block_interval_ms\":250,"
            "\"max_block_txs\":1000,\"min_fee\":\"0.001\",\"sequencer\":"
            "\"%s\",\"economy\":{\"epoch_blocks\":8,"
            "\"min_provider_stake\":\"10\"},\"allocations\":[",
            a);
    for (int i = 0; i < net.nacct; i++) {
        cairn_addr_format(a, &net.acct[i].pk);
        fprintf(f, "%s{\"address\":\"%s\",\"amount\":\"%s\"}", i ? "," : "", a,
                i ? "1000" : "100000");
    }
    fprintf(f, "]}\n");
    fclose(f);
}

/* `cairn provider storage` for provider i on data dir p<dir_of>, listening
 * on port; stdout and stderr to log. */
static pid_t start_provider_on(int i, int dir_of, int port, const char *log)
{
    char listen[64], data[300], key[300];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    snprintf(data, sizeof data, "%s/p%d", net.dir, dir_of);
    key_path(key, sizeof key, i + 1);
    /* clang-format off */
    char *argv[] = {getenv("CAIRN_BIN"), "--node", url, "provider", "storage",
                    "--data", data, "--capacity", "64MiB", "--key", key,
                    "--listen", listen, "--stake", "10", "--poll-ms", "300",
                    "--egress-price", "0", NULL};
    /* clang-format on */
    return h_spawn(argv, log, log);
}

static void prov_log(char *out, size_t n, int i)
{
    snprintf(out, n, "%s/p%d.log", net.dir, i);
}

/* The provider's endpoint on chain, into ep (asks again, up to 10 times,
 * while the node does not answer; empty if it never does). */
static void chain_endpoint(int i, char *ep, size_t n)
{
    char u[256], a[CAIRN_ADDR_TEXT_LEN + 1];
    ep[0] = 0;
    cairn_addr_format(a, &net.acct[i + 1].pk);
    snprintf(u, sizeof u, "%s/v1/provider/%s", url, a);
    for (int t = 0; t < 10 && !ep[0]; t++) {
        cairn_http_resp r = {0};
        if (cairn_http_request("GET", u, NULL, 0, NULL, 5000, &r) == CAIRN_OK) {
            json_t *j = json_loadb(r.body, r.len, 0, NULL);
            const char *s = json_string_value(json_object_get(j, "endpoint"));
            snprintf(ep, n, "%s", s ? s : "");
            json_decref(j);
        }
        free(r.body);
    }
    if (!ep[0])
        print_error("the node did not say p%d's endpoint\n", i);
}

/* Waits (at most 60 s) until n storage providers are active on chain. */
static void wait_providers(int n)
{
    char u[128];
    int active = 0;
    snprintf(u, sizeof u, "%s/v1/storage/providers", url);
    for (int t = 0; t < 600 && active < n; t++) {
        cairn_http_resp r = {0};
        active = 0;
        if (cairn_http_request("GET", u, NULL, 0, NULL, 2000, &r) == CAIRN_OK) {
            json_t *j = json_loadb(r.body, r.len, 0, NULL);
            json_t *arr = json_object_get(j, "providers");
            for (size_t k = 0; k < json_array_size(arr); k++)
                active += json_is_true(
                    json_object_get(json_array_get(arr, k), "active"));
            json_decref(j);
        }
        free(r.body);
        if (active < n)
            sleep_ms(100);
    }
    if (active < n)
        print_error("%d of %d providers active; logs in %s\n", active, n,
                    net.dir);
    assert_int_equal(active, n);
}

/* `cairn ACT ...` as alice, with her store. */
static int client(const char *act, const char *a1, const char *a2,
                  const char *out, const char *err)
{
    char key[300], store[300];
    key_path(key, sizeof key, 0);
    path_of(store, sizeof store, "store");
    char *argv[24] = {getenv("CAIRN_BIN"), "--node", url, (char *)act};
    int k = 4;
    if (a1)
        argv[k++] = (char *)a1;
    if (a2)
        argv[k++] = (char *)a2;
    if (!strcmp(act, "put")) {
        char *opt[] = {"--k",       "4",    "--n",      "6",
                       "--segment", "1MiB", "--epochs", "50"};
        for (size_t i = 0; i < 8; i++)
            argv[k++] = opt[i];
    }
    argv[k++] = "--key";
    argv[k++] = key;
    argv[k++] = "--store";
    argv[k++] = store;
    argv[k] = NULL;
    return h_run(argv, out, err, CMD_LIMIT_MS);
}

/* `cairn get` of the file; 1 if it exited 0 with the original bytes. */
static int get_ok(const char *name)
{
    static char text[1 << 16];
    char out[300], err[300];
    unsigned char sum[32];
    snprintf(out, sizeof out, "%s/get-%s.bin", net.dir, name);
    snprintf(err, sizeof err, "%s/get-%s.err", net.dir, name);
    int rc = client("get", file_id, out, NULL, err);
    int same = 0;
    if (rc == 0) {
        sha256_file(out, sum);
        same = !memcmp(sum, file_sum, sizeof sum);
    }
    if (rc != 0 || !same)
        print_error("get %s exited %d (same %d): %s\n", name, rc, same,
                    slurp(err, text, sizeof text));
    return rc == 0 && same;
}

static int setup(void **state)
{
    static char text[4096];
    char data[300], file[300], out[300], err[300], key[300], log[300];
    h_net_setup(&net, NPROV + 1, "1000", 250);
    write_genesis();
    for (int i = 0; i <= NPROV; i++) {
        key_path(key, sizeof key, i);
        assert_int_equal(cairn_key_save(key, &net.acct[i]), CAIRN_OK);
    }
    snprintf(url, sizeof url, "http://127.0.0.1:%d", net.port);
    h_init_chain(&net, "chain", data, sizeof data);
    node_pid = h_start_node(&net, data, net.port, NULL);
    for (int i = 0; i < NPROV; i++) {
        prov_ports[i] = h_port();
        prov_log(log, sizeof log, i);
        prov_pid[i] = start_provider_on(i, i, prov_ports[i], log);
    }
    wait_providers(NPROV);
    path_of(file, sizeof file, "file.bin");
    FILE *f = fopen(file, "wb");
    assert_non_null(f);
    uint8_t *buf = malloc(FILE_BYTES);
    assert_non_null(buf);
    randombytes_buf(buf, FILE_BYTES);
    assert_int_equal(fwrite(buf, 1, FILE_BYTES, f), FILE_BYTES);
    fclose(f);
    free(buf);
    sha256_file(file, file_sum);
    path_of(out, sizeof out, "put.out");
    path_of(err, sizeof err, "put.err");
    int rc = client("put", file, NULL, out, err);
    if (rc != 0)
        print_error("put failed (%d): %s\n", rc, slurp(err, text, sizeof text));
    assert_int_equal(rc, 0);
    slurp(out, text, sizeof text);
    text[strcspn(text, "\n")] = 0;
    assert_int_equal(strlen(text), 32);
    memcpy(file_id, text, 33);
    assert_true(get_ok("before"));
    return 0;
}

static void stop_all(void)
{
    if (attacker_pid > 0)
        h_stop(attacker_pid, SIGKILL);
    attacker_pid = 0;
    for (int i = 0; i < NPROV; i++)
        if (prov_pid[i] > 0)
            h_stop(prov_pid[i], SIGTERM);
    memset(prov_pid, 0, sizeof prov_pid);
    if (node_pid > 0)
        h_stop(node_pid, SIGTERM);
    node_pid = 0;
    h_net_cleanup(&net);
    net.dir[0] = 0;
}

static int teardown(void **state)
{
    stop_all();
    return 0;
}

/* ---- the attacker (a forked child with threads) ---- */

typedef struct tally {
    _Atomic long dials, dial_fails, malformed, closed, asks, half_open,
        trickles, flood;
} tally;

static tally *T; /* shared with the child (MAP_SHARED) */
static volatile sig_atomic_t attack_stop;

static void on_term(int sig)
{
    (void)sig;
    attack_stop = 1;
}

static void nap(int ms)
{
    for (int t = 0; t < ms && !attack_stop; t += 50)
        sleep_ms(50);
}

static cairn_conn *attack_dial(int port)
{
    cairn_keypair k;
    cairn_conn *c = NULL;
    cairn_keypair_generate(&k); /* a fresh key: no deal, no history */
    if (cairn_conn_dial(&c, "127.0.0.1", port, &k, NULL, 3000) != CAIRN_OK) {
        T->dial_fails++;
        return NULL;
    }
    T->dials++;
    return c;
}

/* A TCP connection to 127.0.0.1:port within 2 s, or -1. */
static int raw_connect(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 &&
        errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    struct pollfd p = {fd, POLLOUT, 0};
    int err = 0;
    socklen_t el = sizeof err;
    if (poll(&p, 1, 2000) != 1 ||
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* One malformed request every 2 s on a connection, dialing again when the
 * provider closes it. */
static void *malformed_loop(void *arg)
{
    int port = (int)(intptr_t)arg;
    while (!attack_stop) {
        cairn_conn *c = attack_dial(port);
        if (!c) {
            nap(200);
            continue;
        }
        while (!attack_stop) {
            uint8_t t, *p = NULL;
            size_t n;
            if (cairn_conn_send(c, 0x44, "junk", 4, 3000) != CAIRN_OK)
                break;
            T->malformed++;
            if (cairn_conn_recv(c, &t, &p, &n, 0, 3000) != CAIRN_OK)
                break;
            free(p);
            nap(2000);
        }
        T->closed++;
        cairn_conn_close(c);
    }
    return NULL;
}

/* A valid ASK every 2 s: a stranger that holds a connection politely. */
static void *ask_loop(void *arg)
{
    int port = (int)(intptr_t)arg;
    while (!attack_stop) {
        cairn_conn *c = attack_dial(port);
        if (!c) {
            nap(200);
            continue;
        }
        while (!attack_stop) {
            uint8_t t, *p = NULL;
            size_t n;
            if (cairn_conn_send(c, CAIRN_SP_ASK, NULL, 0, 3000) ||
                cairn_conn_recv(c, &t, &p, &n, 0, 3000))
                break;
            free(p);
            T->asks++;
            nap(2000);
        }
        cairn_conn_close(c);
    }
    return NULL;
}

/* A STORE announced at 64 MiB and sent one byte every 500 ms. */
static void *trickle_loop(void *arg)
{
    int port = (int)(intptr_t)arg;
    while (!attack_stop) {
        cairn_conn *c = attack_dial(port);
        if (!c) {
            nap(200);
            continue;
        }
        uint8_t h[4];
        cairn_le32_put(h, CAIRN_SP_MSG_MAX + 18);
        int ok = send(c->fd, h, 4, MSG_NOSIGNAL) == 4;
        T->trickles++;
        while (ok && !attack_stop) {
            nap(500);
            ok = send(c->fd, "z", 1, MSG_NOSIGNAL) == 1;
        }
        cairn_conn_close(c);
    }
    return NULL;
}

#define HALF 10 /* half-handshakes per provider */

/* HALF sockets per port that send the magic and nothing more, opened
 * again whenever the provider closes one. */
static void *half_loop(void *arg)
{
    int port = (int)(intptr_t)arg, fd[HALF];
    for (int i = 0; i < HALF; i++)
        fd[i] = -1;
    while (!attack_stop) {
        for (int i = 0; i < HALF; i++) {
            if (fd[i] >= 0) {
                char b[64];
                ssize_t r = recv(fd[i], b, sizeof b, MSG_DONTWAIT);
                if (r == 0 || (r < 0 && errno != EAGAIN)) {
                    close(fd[i]);
                    fd[i] = -1;
                }
            }
            if (fd[i] < 0 && (fd[i] = raw_connect(port)) >= 0) {
                (void)!send(fd[i], "CRNC", 4, MSG_NOSIGNAL);
                T->half_open++;
            }
        }
        nap(100);
    }
    for (int i = 0; i < HALF; i++)
        if (fd[i] >= 0)
            close(fd[i]);
    return NULL;
}

/* Connections that open, send junk and close, as fast as they go. */
static void *flood_loop(void *arg)
{
    int port = (int)(intptr_t)arg;
    while (!attack_stop) {
        int fd = raw_connect(port);
        if (fd >= 0) {
            (void)!send(fd, "GET / HTTP/1.0\r\n\r\n", 18, MSG_NOSIGNAL);
            close(fd);
            T->flood++;
        } else {
            nap(10);
        }
    }
    return NULL;
}

/* 100 sockets that never say a word, opened again when closed. */
static void *hold_loop(void *arg)
{
    int port = (int)(intptr_t)arg, fd[100];
    for (int i = 0; i < 100; i++)
        fd[i] = -1;
    while (!attack_stop) {
        for (int i = 0; i < 100; i++) {
            if (fd[i] >= 0) {
                char b[64];
                ssize_t r = recv(fd[i], b, sizeof b, MSG_DONTWAIT);
                if (r == 0 || (r < 0 && errno != EAGAIN)) {
                    close(fd[i]);
                    fd[i] = -1;
                }
            }
            if (fd[i] < 0)
                fd[i] = raw_connect(port);
        }
        nap(100);
    }
    for (int i = 0; i < 100; i++)
        if (fd[i] >= 0)
            close(fd[i]);
    return NULL;
}

typedef struct plan {
    void *(*fn)(void *);
    int per_port;
} plan;

/* Forks the attacker: for each of the ports, per_port threads of each
 * plan; it runs until SIGTERM (or ATTACK_LIFE_S). */
static void start_attacker(const int *ports, int nports, const plan *plans,
                           int nplans)
{
    memset(T, 0, sizeof *T);
    attacker_pid = fork();
    assert_true(attacker_pid >= 0);
    if (attacker_pid > 0)
        return;
    struct sigaction sa = {.sa_handler = on_term};
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    alarm(ATTACK_LIFE_S);
    pthread_t th[512];
    int n = 0;
    for (int p = 0; p < nports; p++)
        for (int k = 0; k < nplans; k++)
            for (int i = 0; i < plans[k].per_port && n < 512; i++)
                if (pthread_create(&th[n], NULL, plans[k].fn,
                                   (void *)(intptr_t)ports[p]) == 0)
                    n++;
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    _exit(0);
}

static void stop_attacker(void)
{
    h_stop(attacker_pid, SIGTERM);
    attacker_pid = 0;
}

/* Waits (at most 20 s) until the tally's field reaches want. */
static void wait_tally(_Atomic long *field, long want)
{
    for (int i = 0; i < 200 && *field < want; i++)
        sleep_ms(100);
}

/* Every provider still runs (else: which one ended, and how). */
static void all_alive(void)
{
    for (int i = 0; i < NPROV; i++) {
        int st = 0;
        if (prov_pid[i] > 0 &&
            waitpid(prov_pid[i], &st, WNOHANG) == prov_pid[i]) {
            prov_pid[i] = 0;
            print_error("provider p%d ended (%s %d); see %s/p%d.log\n", i,
                        WIFEXITED(st) ? "exit" : "signal",
                        WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), net.dir,
                        i);
            fail();
        }
    }
}

/* ---- point 19 ---- */

static void attack_while_get(void **state)
{
    all_alive();
    int ports[NATTACKED];
    char log[300];
    int lines_before[NATTACKED];
    for (int i = 0; i < NATTACKED; i++) {
        ports[i] = prov_ports[i];
        prov_log(log, sizeof log, i);
        lines_before[i] = count_lines(log);
    }
    plan plans[] = {
        {malformed_loop, 8}, {ask_loop, 8}, {trickle_loop, 2}, {half_loop, 1}};
    start_attacker(ports, NATTACKED, plans, 4);
    /* the attack is in place: every thread has dialed, the sockets hold */
    wait_tally(&T->malformed, 8 * NATTACKED);
    wait_tally(&T->half_open, HALF * NATTACKED);
    wait_tally(&T->asks, 8 * NATTACKED);
    for (int round = 0; round < 3; round++) {
        char name[16];
        snprintf(name, sizeof name, "attack%d", round);
        assert_true(get_ok(name));
        sleep_ms(1000); /* the attackers' next round */
    }
    wait_tally(&T->closed, 8 * NATTACKED);
    long malformed = T->malformed, closed = T->closed, asks = T->asks;
    long half = T->half_open, dials = T->dials;
    stop_attacker();
    print_message("attack: %ld dials, %ld malformed requests, %ld closed by "
                  "the provider, %ld ASKs, %ld half-handshakes opened\n",
                  dials, malformed, closed, asks, half);
    assert_true(malformed >= 8 * NATTACKED);
    assert_true(closed >= 8 * NATTACKED); /* malformed requests end conns */
    for (int i = 0; i < NATTACKED; i++) {
        prov_log(log, sizeof log, i);
        int added = count_lines(log) - lines_before[i];
        print_message("p%d: %d log lines during the attack\n", i, added);
        assert_true(added < 200);
    }
}

/* ---- point 20 ---- */

static long rss_kib(pid_t pid)
{
    char path[64], line[256];
    long kib = -1;
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

#define TRICKLERS 8
#define TRICKLE_SEND (60u << 20)

static _Atomic int trickle_done;
static _Atomic long trickle_sent[TRICKLERS];

/* Announces a 64 MiB STORE, sends 60 MiB of it as fast as the provider
 * reads, then one byte every 200 ms until trickle_done. */
static void *big_trickler(void *arg)
{
    int idx = (int)(intptr_t)arg;
    static uint8_t junk[1 << 16];
    cairn_keypair k;
    cairn_conn *c = NULL;
    cairn_keypair_generate(&k);
    if (cairn_conn_dial(&c, "127.0.0.1", prov_ports[3], &k, NULL, 5000))
        return NULL;
    uint8_t h[4];
    cairn_le32_put(h, CAIRN_SP_MSG_MAX + 18);
    int ok = send(c->fd, h, 4, MSG_NOSIGNAL) == 4;
    size_t sent = 0;
    while (ok && sent < TRICKLE_SEND && !trickle_done) {
        struct pollfd p = {c->fd, POLLOUT, 0};
        if (poll(&p, 1, 200) < 0)
            break;
        ssize_t w = send(c->fd, junk, sizeof junk, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0 && errno != EAGAIN)
            ok = 0;
        sent += w > 0 ? (size_t)w : 0;
        trickle_sent[idx] = (long)sent;
    }
    while (ok && !trickle_done) {
        sleep_ms(200);
        ok = send(c->fd, "z", 1, MSG_NOSIGNAL) == 1;
    }
    cairn_conn_close(c);
    return NULL;
}

static void trickle_rss(void **state)
{
    all_alive();
    pthread_t th[TRICKLERS];
    long base = rss_kib(prov_pid[3]), peak = base;
    assert_true(base > 0);
    trickle_done = 0;
    for (int i = 0; i < TRICKLERS; i++)
        assert_int_equal(
            pthread_create(&th[i], NULL, big_trickler, (void *)(intptr_t)i), 0);
    for (int t = 0; t < 120; t++) { /* 12 s of samples */
        long r = rss_kib(prov_pid[3]);
        if (r > peak)
            peak = r;
        sleep_ms(100);
    }
    trickle_done = 1;
    for (int i = 0; i < TRICKLERS; i++)
        pthread_join(th[i], NULL);
    long total = 0;
    for (int i = 0; i < TRICKLERS; i++)
        total += trickle_sent[i];
    print_message("trickle: %ld MiB sent in all; provider RSS %ld MiB before, "
                  "%ld MiB at most (bound: +%d MiB)\n",
                  total >> 20, base >> 10, peak >> 10, RSS_BOUND_MIB);
    assert_true(total > (long)(2 * TRICKLE_SEND) / 2); /* the attack was real */
    assert_true(peak - base < RSS_BOUND_MIB * 1024L);
    assert_true(waitpid(prov_pid[3], NULL, WNOHANG) == 0); /* still up */
}

/* ---- point 24 ---- */

static void flood_log(void **state)
{
    all_alive();
    char log[300];
    int port = prov_ports[4];
    prov_log(log, sizeof log, 4);
    int before = count_lines(log);
    plan plans[] = {{hold_loop, 1}, {flood_loop, 2}};
    start_attacker(&port, 1, plans, 2);
    wait_tally(&T->flood, 1000);
    int got = get_ok("flood");
    wait_tally(&T->flood, 3000);
    long flood = T->flood;
    stop_attacker();
    int added = count_lines(log) - before;
    print_message("flood: %ld connections; %d log lines (bound %d)\n", flood,
                  added, FLOOD_LOG_LINES);
    assert_true(flood >= 1000);
    assert_true(added <= FLOOD_LOG_LINES);
    assert_true(got);
}

/* ---- point 5 ---- */

static void second_on_same_dir(void **state)
{
    all_alive();
    static char text[1 << 14];
    char log[300], before[CAIRN_ENDPOINT_MAX + 1],
        after[CAIRN_ENDPOINT_MAX + 1];
    chain_endpoint(0, before, sizeof before);
    path_of(log, sizeof log, "second.log");
    pid_t pid = start_provider_on(0, 0, h_port(), log);
    int st = 0, done = 0;
    for (int i = 0; i < 300 && !done; i++) {
        done = waitpid(pid, &st, WNOHANG) == pid;
        if (!done)
            sleep_ms(100);
    }
    if (!done)
        h_stop(pid, SIGKILL);
    slurp(log, text, sizeof text);
    print_message("second provider said: %s", text);
    assert_true(done);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) != 0);
    assert_non_null(strstr(text, "another provider is already running on "
                                 "the data dir"));
    chain_endpoint(0, after, sizeof after);
    assert_string_equal(before, after);
    assert_true(waitpid(prov_pid[0], NULL, WNOHANG) == 0); /* still up */
}

/* Signs SET_ENDPOINT to `ep` with provider i's key; retries a nonce race
 * with the provider's own transactions. */
static void set_endpoint(int i, const char *ep)
{
    cairn_err e = CAIRN_ERR_HTTP;
    for (int t = 0; t < 10 && e; t++) {
        snode_ctx ctx;
        snode_err why;
        uint64_t nonce;
        cairn_buf b;
        cairn_buf_init(&b, 160);
        cairn_endpoint_body_encode(&b, ep);
        e = snode_status(url, &ctx, &why);
        if (!e)
            e = snode_next_nonce(url, &net.acct[i + 1].pk, &nonce, &why);
        if (!e)
            e = snode_send(url, &ctx, &net.acct[i + 1], nonce,
                           CAIRN_TX_SET_ENDPOINT, b.p, b.len, 1, NULL, &why);
        cairn_buf_free(&b);
        if (e)
            sleep_ms(300);
    }
    assert_int_equal(e, CAIRN_OK);
}

static void endpoint_put_back(void **state)
{
    all_alive();
    char log[300], mine[CAIRN_ENDPOINT_MAX + 1], now[CAIRN_ENDPOINT_MAX + 1];
    snprintf(mine, sizeof mine, "127.0.0.1:%d", prov_ports[1]);
    chain_endpoint(1, now, sizeof now);
    assert_string_equal(now, mine);
    set_endpoint(1, "127.0.0.1:9");
    int back = 0;
    for (int t = 0; t < 300 && !back; t++) {
        chain_endpoint(1, now, sizeof now);
        back = strcmp(now, mine) == 0;
        if (!back)
            sleep_ms(100);
    }
    assert_true(back);
    prov_log(log, sizeof log, 1);
    assert_true(file_has(log, "someone else moved the registered endpoint"));
    assert_true(get_ok("after-move"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(attack_while_get),
        cmocka_unit_test(trickle_rss),
        cmocka_unit_test(flood_log),
        cmocka_unit_test(second_on_same_dir),
        cmocka_unit_test(endpoint_put_back),
    };
    T = mmap(NULL, sizeof *T, PROT_READ | PROT_WRITE,
             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (T == MAP_FAILED)
        return 1;
    signal(SIGPIPE, SIG_IGN);
#ifdef __SANITIZE_ADDRESS__
    /* ASan keeps freed memory in a quarantine (256 MiB) that RSS would
     * count: the processes this test starts free at once, as in a plain
     * build, so that trickle_rss measures what the provider holds. */
    char opts[512];
    const char *old = getenv("ASAN_OPTIONS");
    snprintf(opts, sizeof opts, "%s%squarantine_size_mb=0", old ? old : "",
             old && *old ? ":" : "");
    setenv("ASAN_OPTIONS", opts, 1);
#endif
    atexit(stop_all);
    return cmocka_run_group_tests(tests, setup, teardown);
}
