/* Integration test harness (see harness.h). Included by each test. */
#include "harness.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cairn/chain.h"
#include "cairn/http.h"

#define DIE(...)                                                               \
    do {                                                                       \
        fprintf(stderr, "harness: " __VA_ARGS__);                              \
        fputc('\n', stderr);                                                   \
        exit(1);                                                               \
    } while (0)

static const char *bin(void)
{
    const char *b = getenv("CAIRN_BIN");
    if (!b)
        DIE("CAIRN_BIN is not set (run through ctest)");
    return b;
}

static void write_genesis(h_net *net, const char *tokens, uint32_t block_ms)
{
    char a[CAIRN_ADDR_TEXT_LEN + 1];
    FILE *f = fopen(net->genesis, "w");
    if (!f)
        DIE("cannot write %s", net->genesis);
    cairn_addr_format(a, &net->seq.pk);
    fprintf(
        f,
        "{\"chain_id\":\"cairn-test\",\"token\":{\"name\":\"Test\",\"symbol\":\"TST\"},"
        "\"supply_cap\":\"1000000000\",\"genesis_time_ms\":1767225600000,"
        "\"block_interval_ms\":%u,\"max_block_txs\":5000,\"min_fee\":\"0.001\","
        "\"sequencer\":\"%s\",\"allocations\":[",
        block_ms, a);
    for (int i = 0; i < net->nacct; i++) {
        cairn_addr_format(a, &net->acct[i].pk);
        fprintf(f, "%s{\"address\":\"%s\",\"amount\":\"%s\"}", i ? "," : "", a,
                tokens);
    }
    fprintf(f, "]}\n");
    fclose(f);
}

void h_net_setup(h_net *net, int nacct, const char *tokens, uint32_t block_ms)
{
    uint8_t seed[32];
    memset(net, 0, sizeof *net);
    cairn_crypto_init();
    snprintf(net->dir, sizeof net->dir, "/tmp/cairn-it-XXXXXX");
    if (!mkdtemp(net->dir))
        DIE("mkdtemp: %s", strerror(errno));
    snprintf(net->genesis, sizeof net->genesis, "%s/genesis.json", net->dir);
    snprintf(net->seq_key, sizeof net->seq_key, "%s/seq.key", net->dir);
    memset(seed, 0xEE, sizeof seed);
    cairn_keypair_from_seed(&net->seq, seed);
    if (cairn_key_save(net->seq_key, &net->seq))
        DIE("cannot save key");
    net->nacct = nacct;
    for (int i = 0; i < nacct; i++) {
        memset(seed, i + 1, sizeof seed);
        cairn_keypair_from_seed(&net->acct[i], seed);
    }
    write_genesis(net, tokens, block_ms);
    net->port = h_port();
}

void (*h_child_setup)(void);

pid_t h_spawn(char *const argv[], const char *out, const char *err)
{
    pid_t pid = fork();
    if (pid < 0)
        DIE("fork: %s", strerror(errno));
    if (pid == 0) {
        if (out && !freopen(out, "a", stdout))
            _exit(127);
        if (err && !freopen(err, "a", stderr))
            _exit(127);
        if (h_child_setup)
            h_child_setup();
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

int h_run(char *const argv[], const char *out, const char *err, int limit_ms)
{
    int st;
    pid_t pid = h_spawn(argv, out, err);
    for (int i = 0; i < limit_ms / 20; i++) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        usleep(20000);
    }
    h_stop(pid, SIGKILL);
    return -1;
}

/* fork+exec argv with stderr appended to log; returns the pid. */
static pid_t spawn(char *const argv[], const char *log)
{
    return h_spawn(argv, NULL, log);
}

void h_init_chain(const h_net *net, const char *name, char *datadir, size_t len)
{
    int st;
    snprintf(datadir, len, "%s/%s", net->dir, name);
    char *argv[] = {(char *)bin(), "init",  "--genesis", (char *)net->genesis,
                    "--data",      datadir, NULL};
    pid_t pid = spawn(argv, NULL);
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        DIE("cairn init failed for %s", datadir);
}

/* Copies a (short) log file to stderr. */
static void print_log(const char *path)
{
    char buf[4096];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = '\0';
    fprintf(stderr, "--- %s ---\n%s---\n", path, buf);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

pid_t h_start_node(const h_net *net, const char *datadir, int port,
                   const char *follow_url)
{
    char listen[64], url[128], log[400];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    snprintf(log, sizeof log, "%s/node-%d.log", net->dir, port);
    char *argv[12] = {(char *)bin(), "node", "--data", (char *)datadir,
                      "--listen",    listen, "--quiet"};
    int k = 7;
    if (follow_url) {
        argv[k++] = "--follow";
        argv[k++] = (char *)follow_url;
    } else {
        argv[k++] = "--key";
        argv[k++] = (char *)net->seq_key;
    }
    argv[k] = NULL;
    pid_t pid = spawn(argv, log);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/status", port);
    for (int i = 0; i < 400; i++) {
        if (h_get_int(url, "height") >= 0)
            return pid;
        if (waitpid(pid, NULL, WNOHANG) == pid) {
            print_log(log);
            DIE("node exited at start; see %s", log);
        }
        sleep_ms(50);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    DIE("node did not answer on port %d in 20 s; see %s", port, log);
}

int h_stop(pid_t pid, int sig)
{
    int st = 0;
    kill(pid, sig);
    for (int i = 0; i < 1500; i++) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            return st;
        sleep_ms(10);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return st;
}

long long h_get_int(const char *url, const char *field)
{
    cairn_http_resp r = {0};
    long long v = -1;
    if (cairn_http_request("GET", url, NULL, 0, NULL, 2000, &r) == CAIRN_OK &&
        r.status == 200) {
        json_t *j = json_loadb(r.body, r.len, 0, NULL);
        json_t *f = j ? json_object_get(j, field) : NULL;
        if (json_is_integer(f))
            v = json_integer_value(f);
        json_decref(j);
    }
    free(r.body);
    return v;
}

/* The first port of the kernel's ephemeral range (32768 by default). */
static int ephemeral_low(void)
{
    int lo = 32768, hi;
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
    if (f && fscanf(f, "%d %d", &lo, &hi) != 2)
        lo = 32768;
    if (f)
        fclose(f);
    return lo > 20200 && lo <= 65535 ? lo : 32768;
}

/* 1 if 127.0.0.1:port can be bound now. */
static int port_free(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
    int ok = fd >= 0 &&
             setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
             bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

int h_port(void)
{
    /* A port free now, below the ephemeral range: there no client socket
     * (ours polling a node that is still starting, or another test's) can
     * be given it, and a connect to it can never connect to itself. The
     * generator's state lives across calls and the ports handed out are
     * remembered, so that calls made before anything binds (several
     * providers) get distinct ports. */
    static unsigned x;
    static int given[256], ngiven;
    int lo = ephemeral_low();
    if (!x)
        x = (((unsigned)getpid() * 7919u) ^ ((unsigned)time(NULL) * 104729u)) |
            1u;
    for (int i = 0; i < 1000; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5; /* xorshift32 */
        int port = 20000 + (int)(x % (unsigned)(lo - 20100)), dup = 0;
        for (int k = 0; k < (ngiven < 256 ? ngiven : 256) && !dup; k++)
            dup = given[k] == port;
        if (dup || !port_free(port))
            continue;
        given[ngiven++ % 256] = port;
        return port;
    }
    return 20000 + (int)(x % 10000u);
}

void h_net_cleanup(h_net *net)
{
    char cmd[300];
    if (!net->dir[0] || getenv("CAIRN_KEEP_TMP"))
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", net->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "harness: could not remove %s\n", net->dir);
}
