/* A storage client against a provider that serves wrong bytes, with real
 * processes on 127.0.0.1: a sequencer `cairn node` with short epochs, six
 * `cairn provider storage` daemons, and `cairn put` of a random 2.5 MiB
 * file 4-of-6 in 1 MiB segments (three segments). The provider holding
 * data piece 0 of every segment is stopped with SIGTERM, and in its place,
 * on the same 127.0.0.1 port and with the same provider key, a forked
 * evil server completes the real handshake (cairn_conn_server) and answers
 * FETCH from the provider's own piece store, but wrongly:
 *
 *   honest   the right bytes (the control: the evil server speaks the
 *            protocol well enough to be believed)
 *   random   random bytes of the right length
 *   flip     the right bytes with one byte flipped
 *   short    the right bytes less the last one
 *   long     the right bytes and 1024 more
 *   silent   the FETCH is never answered
 *   mute     the TCP connection is accepted, the handshake never answered
 *
 * Every round runs `cairn get` and checks that it exits 0, that the file's
 * SHA-256 equals the original, that the client named the provider on
 * stderr (wrong bytes: "sent bytes that do not match the piece's root"),
 * and from the evil server's own report (one byte per request, through a
 * pipe) how often it was asked. A stalled provider is asked once per get,
 * not once per segment. Every process started is stopped by PID; every
 * wait is bounded in count and time. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
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

#include "cairn/conn.h"
#include "cairn/http.h"
#include "cairn/piecestore.h"
#include "cairn/storage_proto.h"
#include "harness.h"

#define NPROV 6
#define FILE_BYTES (5u << 19) /* 2.5 MiB: three 1 MiB segments */
#define CMD_LIMIT_MS 180000   /* the most any `cairn` command may take */
#define EVIL_LIFE_S 300       /* an evil server dies by SIGALRM after this */
#define BAD_BYTES "sent bytes that do not match the piece's root"

enum evil_mode {
    EV_HONEST,
    EV_RANDOM,
    EV_FLIP,
    EV_SHORT,
    EV_LONG,
    EV_SILENT,
    EV_MUTE
};

static h_net net;
static pid_t node_pid;
static pid_t prov_pid[NPROV];
static int prov_ports[NPROV];
static pid_t evil_pid;
static int evil_idx = -1; /* the provider replaced by the evil server */
static char url[64];
static char file_id[64];
static unsigned char file_sum[crypto_hash_sha256_BYTES];
static int evil_asked; /* pieces of the file the client asks the evil one for */
static int nsegs;

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void path_of(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", net.dir, name);
}

static int prov_port(int i)
{
    return prov_ports[i];
}

/* The start of a small file as a string, into buf. */
static char *slurp(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
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

/* Lines of s that contain both a and b. */
static int count_lines(const char *s, const char *a, const char *b)
{
    int n = 0;
    while (s && *s) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        const char *pa = memmem(s, len, a, strlen(a));
        if (pa && memmem(s, len, b, strlen(b)))
            n++;
        s = e ? e + 1 : NULL;
    }
    return n;
}

/* --- the network --- */

static void key_path(char *out, size_t n, int acct)
{
    snprintf(out, n, "%s/a%d.key", net.dir, acct);
}

/* Genesis: alice (acct 0) and the providers (1..NPROV) funded, short
 * epochs, a low provider stake. */
static void write_genesis(void)
{
    char a[CAIRN_ADDR_TEXT_LEN + 1];
    FILE *f = fopen(net.genesis, "w");
    assert_non_null(f);
    cairn_addr_format(a, &net.seq.pk);
    fprintf(f,
            "{\"chain_id\":\"cairn-evil-test\",\"token\":{\"name\":\"Test\","
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

static void start_provider(int i)
{
    char listen[64], data[300], key[300], log[300];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", prov_port(i));
    snprintf(data, sizeof data, "%s/p%d", net.dir, i);
    snprintf(log, sizeof log, "%s/p%d.log", net.dir, i);
    key_path(key, sizeof key, i + 1);
    /* clang-format off */
    char *argv[] = {getenv("CAIRN_BIN"), "--node", url, "provider", "storage",
                    "--data", data, "--capacity", "64MiB", "--key", key,
                    "--listen", listen, "--stake", "10", "--poll-ms", "300",
                    "--egress-price", "0", NULL};
    /* clang-format on */
    prov_pid[i] = h_spawn(argv, log, log);
}

/* Waits (at most 60 s) until n storage providers are active on chain. */
static void wait_providers(int n)
{
    char u[128];
    int active = 0;
    snprintf(u, sizeof u, "%s/v1/storage/providers", url);
    int gone = 0;
    for (int t = 0; t < 600 && active < n && !gone; t++) {
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
        for (int i = 0; i < NPROV; i++)
            if (prov_pid[i] > 0 &&
                waitpid(prov_pid[i], NULL, WNOHANG) == prov_pid[i]) {
                prov_pid[i] = 0;
                print_error("provider p%d exited; see %s/p%d.log\n", i, net.dir,
                            i);
                gone = 1;
            }
        if (active < n && !gone)
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
    if (!strcmp(act, "status"))
        argv[k++] = "--json";
    argv[k++] = "--key";
    argv[k++] = key;
    argv[k++] = "--store";
    argv[k++] = store;
    argv[k] = NULL;
    return h_run(argv, out, err, CMD_LIMIT_MS);
}

/* From `cairn status --json`: the provider of data piece 0 of segment 0,
 * the number of segments, and how many pieces the client will ask that
 * provider for in a get (its pieces with index < k: the first round). */
static void find_victim(void)
{
    char out[300], ep[64];
    path_of(out, sizeof out, "status.json");
    assert_int_equal(client("status", file_id, NULL, out, NULL), 0);
    json_t *j = json_load_file(out, 0, NULL);
    assert_non_null(j);
    int k = (int)json_integer_value(json_object_get(j, "k"));
    json_t *segs = json_object_get(j, "segments");
    nsegs = (int)json_array_size(segs);
    json_t *p0 =
        json_array_get(json_object_get(json_array_get(segs, 0), "pieces"), 0);
    assert_int_equal(json_integer_value(json_object_get(p0, "index")), 0);
    snprintf(ep, sizeof ep, "%s",
             json_string_value(json_object_get(p0, "endpoint")));
    for (int i = 0; i < NPROV; i++) {
        char want[64];
        snprintf(want, sizeof want, "127.0.0.1:%d", prov_port(i));
        if (!strcmp(want, ep))
            evil_idx = i;
    }
    evil_asked = 0;
    for (size_t s = 0; s < json_array_size(segs); s++) {
        json_t *ps = json_object_get(json_array_get(segs, s), "pieces");
        for (size_t q = 0; q < json_array_size(ps); q++) {
            json_t *p = json_array_get(ps, q);
            const char *pe = json_string_value(json_object_get(p, "endpoint"));
            evil_asked += pe && !strcmp(pe, ep) &&
                          json_integer_value(json_object_get(p, "index")) < k;
        }
    }
    json_decref(j);
    assert_true(evil_idx >= 0);
    assert_int_equal(nsegs, 3);
    assert_int_equal(evil_asked, nsegs);
}

static int setup(void **state)
{
    static char text[4096];
    char data[300], file[300], out[300], err[300], key[300];
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
        start_provider(i);
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
    find_victim();

    /* The victim leaves; its piece store stays behind for the evil one. */
    int st = h_stop(prov_pid[evil_idx], SIGTERM);
    prov_pid[evil_idx] = 0;
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    return 0;
}

/* Stops every process still running, by PID, and removes the temp dir.
 * Runs from teardown and again at exit (a failed setup skips teardown). */
static void stop_all(void)
{
    if (evil_pid > 0)
        h_stop(evil_pid, SIGKILL);
    evil_pid = 0;
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

/* --- the evil server (a forked child) --- */

typedef struct evil {
    int mode;
    int listen_fd;
    int report_fd; /* one byte per request it saw */
    cairn_piecestore *ps;
    const cairn_keypair *key;
} evil;

/* 'G' good piece sent, 'B' bad piece sent, 'S' FETCH left unanswered,
 * 'M' connection held mute, 'x' a reply that could not be sent. */
static void report(const evil *ev, char what)
{
    if (write(ev->report_fd, &what, 1) != 1)
        _exit(3);
}

static void reply_error(const evil *ev, cairn_conn *c, cairn_err code)
{
    cairn_buf b;
    cairn_buf_init(&b, 512);
    cairn_sp_error_encode(&b, code, "evil");
    if (cairn_conn_send(c, CAIRN_SP_ERROR, b.p, b.len, 5000) != CAIRN_OK)
        report(ev, 'x');
    cairn_buf_free(&b);
}

/* The piece from the store, spoiled as the mode says. */
static void reply_piece(const evil *ev, cairn_conn *c, const cairn_hash *root)
{
    uint8_t *p = NULL;
    size_t n = 0;
    if (cairn_piecestore_get(ev->ps, root, &p, &n) != CAIRN_OK) {
        reply_error(ev, c, CAIRN_ERR_NOT_FOUND);
        return;
    }
    uint8_t *q = realloc(p, n + 1024);
    if (!q)
        _exit(4);
    p = q;
    switch (ev->mode) {
    case EV_RANDOM:
        randombytes_buf(p, n);
        break;
    case EV_FLIP:
        p[randombytes_uniform((uint32_t)n)] ^= 0x20;
        break;
    case EV_SHORT:
        n -= 1;
        break;
    case EV_LONG:
        randombytes_buf(p + n, 1024);
        n += 1024;
        break;
    default:
        break;
    }
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_SP_MSG_MAX);
    cairn_sp_piece_encode(&b, p, (uint32_t)n);
    cairn_err e = cairn_conn_send(c, CAIRN_SP_PIECE, b.p, b.len, 30000);
    cairn_buf_free(&b);
    free(p);
    report(ev, e ? 'x' : ev->mode == EV_HONEST ? 'G' : 'B');
}

/* Serves one client until it goes away (or 60 s of quiet). */
static void serve(const evil *ev, cairn_conn *c)
{
    for (int r = 0; r < 1000; r++) {
        uint8_t t, *p = NULL;
        size_t n;
        cairn_sp_fetch m;
        if (cairn_conn_recv(c, &t, &p, &n, 0, 60000) != CAIRN_OK)
            return;
        cairn_err e = t == CAIRN_SP_FETCH ? cairn_sp_fetch_decode(&m, p, n)
                                          : CAIRN_ERR_BAD_MSG;
        free(p);
        if (e)
            reply_error(ev, c, e);
        else if (ev->mode == EV_SILENT)
            report(ev, 'S'); /* and never answer */
        else
            reply_piece(ev, c, &m.root);
    }
}

/* Holds an accepted socket without a word until the peer closes it. */
static void mute(const evil *ev, int fd)
{
    char buf[256];
    report(ev, 'M');
    for (int i = 0; i < 600; i++) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 100) > 0 && read(fd, buf, sizeof buf) <= 0)
            break;
    }
    close(fd);
}

static void evil_main(const evil *ev)
{
    alarm(EVIL_LIFE_S);
    for (int i = 0; i < 600; i++) {
        struct pollfd p = {ev->listen_fd, POLLIN, 0};
        if (poll(&p, 1, 500) <= 0)
            continue;
        int fd = accept4(ev->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        if (ev->mode == EV_MUTE) {
            mute(ev, fd);
            continue;
        }
        cairn_conn *c = NULL;
        if (cairn_conn_server(&c, fd, ev->key, 5000) != CAIRN_OK)
            continue;
        serve(ev, c);
        cairn_conn_close(c);
    }
    _exit(0);
}

/* Starts the evil server in the victim's place (same port, same key, its
 * piece store); *report_fd gets the read end of its report pipe. */
static void start_evil(int mode, int *report_fd)
{
    char dir[300];
    int pfd[2], lfd = -1;
    evil ev = {.mode = mode, .key = &net.acct[evil_idx + 1]};
    snprintf(dir, sizeof dir, "%s/p%d", net.dir, evil_idx);
    assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
    for (int i = 0; i < 100 && lfd < 0; i++)
        if (cairn_listen("127.0.0.1", prov_port(evil_idx), &lfd) != CAIRN_OK)
            sleep_ms(100); /* the last one's socket may still be closing */
    assert_true(lfd >= 0);
    assert_int_equal(cairn_piecestore_open(&ev.ps, dir, 1ull << 30, NULL),
                     CAIRN_OK);
    ev.listen_fd = lfd;
    ev.report_fd = pfd[1];
    evil_pid = fork();
    assert_true(evil_pid >= 0);
    if (evil_pid == 0)
        evil_main(&ev);
    cairn_piecestore_close(ev.ps);
    close(lfd);
    close(pfd[1]);
    *report_fd = pfd[0];
}

/* --- rounds --- */

typedef struct rres {
    int rc;            /* `cairn get`'s exit code */
    int same;          /* the file's SHA-256 equals the original's */
    char err[1 << 16]; /* the start of its stderr */
    char seen[256];    /* what the evil server reported */
    char endpoint[64];
} rres;

/* Runs `cairn get` against the evil server in `mode`, then stops it. */
static void run_round(int mode, const char *name, rres *r)
{
    char out[300], err[300];
    unsigned char sum[32];
    int rfd;
    memset(r, 0, sizeof *r);
    snprintf(r->endpoint, sizeof r->endpoint, "127.0.0.1:%d",
             prov_port(evil_idx));
    snprintf(out, sizeof out, "%s/get-%s.bin", net.dir, name);
    snprintf(err, sizeof err, "%s/get-%s.err", net.dir, name);
    start_evil(mode, &rfd);
    r->rc = client("get", file_id, out, NULL, err);
    h_stop(evil_pid, SIGTERM);
    evil_pid = 0;
    ssize_t n = read(rfd, r->seen, sizeof r->seen - 1); /* writer is gone */
    r->seen[n > 0 ? n : 0] = 0;
    close(rfd);
    slurp(err, r->err, sizeof r->err);
    if (r->rc == 0) {
        sha256_file(out, sum);
        r->same = !memcmp(sum, file_sum, sizeof sum);
    }
    if (r->rc != 0 || !r->same)
        print_error("round %s: get exited %d, stderr:\n%s\n", name, r->rc,
                    r->err);
}

static int seen(const rres *r, char c)
{
    int n = 0;
    for (const char *s = r->seen; *s; s++)
        n += *s == c;
    return n;
}

/* A round where the evil server answers every FETCH with wrong bytes: the
 * file comes back whole, and every wrong piece is named on stderr. */
static void wrong_bytes(int mode, const char *name)
{
    static rres r;
    run_round(mode, name, &r);
    assert_int_equal(r.rc, 0);
    assert_true(r.same);
    assert_int_equal(seen(&r, 'B'), evil_asked);
    assert_int_equal((int)strlen(r.seen), evil_asked);
    assert_int_equal(count_lines(r.err, r.endpoint, BAD_BYTES), evil_asked);
    assert_int_equal(count_lines(r.err, "skipped", ""), evil_asked);
}

/* The control: the evil server with the right bytes is believed. Without
 * it the other rounds could pass because the handshake failed. */
static void test_honest(void **state)
{
    static rres r;
    run_round(EV_HONEST, "honest", &r);
    assert_int_equal(r.rc, 0);
    assert_true(r.same);
    assert_int_equal(seen(&r, 'G'), evil_asked);
    assert_int_equal(count_lines(r.err, "skipped", ""), 0);
}

static void test_random(void **state)
{
    wrong_bytes(EV_RANDOM, "random");
}
static void test_flip(void **state)
{
    wrong_bytes(EV_FLIP, "flip");
}
static void test_short(void **state)
{
    wrong_bytes(EV_SHORT, "short");
}
static void test_long(void **state)
{
    wrong_bytes(EV_LONG, "long");
}

/* A provider that takes the FETCH and never answers is given up on after
 * the client's request deadline, once: it is not asked again for the next
 * segments, and every segment is still rebuilt from the other providers. */
static void test_silent(void **state)
{
    static rres r;
    run_round(EV_SILENT, "silent", &r);
    assert_int_equal(r.rc, 0);
    assert_true(r.same);
    assert_string_equal(r.seen, "S");
    assert_int_equal(count_lines(r.err, r.endpoint, "skipped"), evil_asked);
    assert_int_equal(count_lines(r.err, r.endpoint, "did not answer"),
                     evil_asked);
}

/* A provider that accepts the connection and never does the handshake:
 * the dial's deadline gives up on it, once. */
static void test_mute(void **state)
{
    static rres r;
    run_round(EV_MUTE, "mute", &r);
    assert_int_equal(r.rc, 0);
    assert_true(r.same);
    assert_string_equal(r.seen, "M");
    assert_int_equal(count_lines(r.err, r.endpoint, "cannot reach"),
                     evil_asked);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_honest), cmocka_unit_test(test_random),
        cmocka_unit_test(test_flip),   cmocka_unit_test(test_short),
        cmocka_unit_test(test_long),   cmocka_unit_test(test_silent),
        cmocka_unit_test(test_mute),
    };
    atexit(stop_all);
    return cmocka_run_group_tests(tests, setup, teardown);
}
