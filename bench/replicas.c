/* bench/replicas: sequencer replicas on etcd (issue 13) against a single
 * sequencer, measured in one run on this machine with real processes:
 *
 * (a) transfers committed per second. The same pre-signed transfers
 *     (SENDERS senders x PER_SENDER nonces, posted without waiting over
 *     CONNS keep-alive connections) go once to a single sequencer
 *     (`cairn node --key`, no --replica) and once to three replicas
 *     (`cairn node --replica` on a 3-member etcd cluster), the load spread
 *     over all three (a sender always posts to the same one; standbys
 *     forward to the leader). The rate is the transfers committed divided
 *     by the time from the first post until the leader's chain holds them
 *     all (the recipient's balance counts them). Both networks use one
 *     genesis (blocks every BLOCK_MS).
 * (b) failover: kill -9 of the leading replica, FAILOVERS times: the time
 *     from the kill to the time_ms of the first block of the next term
 *     (the new leader's clock, the same machine's; the term is read from
 *     the block header), against the lease TTL; median and max. The
 *     killed replica is restarted on its data dir each time.
 *
 * Needs etcd (scripts/install-deps.sh) and the cairn binary: $CAIRN_BIN,
 * else `cairn` next to this program (the build directory). Prints figures
 * and ratios; asserts nothing about speed. About a minute in all. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cairn/codec.h"
#include "cairn/crypto.h"
#include "cairn/http.h"
#include "cairn/parse.h"
#include "cairn/tx.h"

#define SENDERS 48
#define PER_SENDER 250
#define NTX (SENDERS * PER_SENDER)
#define CONNS 12
#define BLOCK_MS 200
#define TTL_S 2
#define FAILOVERS 5
#define LOAD_LIMIT_MS 15000
#define GAP_RETRIES 500
#define CHAIN_ID "bench-replicas"
#define MAX_PROCS 16

static char dir[] = "/tmp/cairn-bench-replicas-XXXXXX";
static char cairn_bin[4096];
static pid_t procs[MAX_PROCS];
static int base_port;
static cairn_keypair seq[3], senders[SENDERS], dest;
static char *bodies[NTX]; /* {"tx":"hex"} of sender s, nonce k: s*PER+k */
static size_t body_len[NTX];

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void nap_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static void stop_all(void)
{
    for (int i = 0; i < MAX_PROCS; i++)
        if (procs[i] > 0)
            kill(procs[i], SIGKILL);
    for (int i = 0; i < MAX_PROCS; i++)
        if (procs[i] > 0)
            waitpid(procs[i], NULL, 0);
    memset(procs, 0, sizeof procs);
}

static void cleanup(void)
{
    char cmd[128];
    stop_all();
    if (getenv("CAIRN_KEEP_TMP")) {
        fprintf(stderr, "kept %s\n", dir);
        return;
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench: could not remove %s\n", dir);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "bench: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (logs in %s with CAIRN_KEEP_TMP=1)\n", dir);
    exit(1);
}

/* Runs argv in the background as process slot `slot`, its output in
 * dir/log; returns its pid. */
static pid_t spawn(int slot, char *const argv[], const char *log)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, log);
    pid_t p = fork();
    if (p < 0)
        die("fork: %s", strerror(errno));
    if (p == 0) {
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    procs[slot] = p;
    return p;
}

/* Runs argv and waits; 0 when it exited 0. */
static int run(char *const argv[])
{
    pid_t p = fork();
    if (p == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0)
            dup2(fd, 1);
        execvp(argv[0], argv);
        _exit(127);
    }
    int st = 0;
    return p > 0 && waitpid(p, &st, 0) == p && WIFEXITED(st) &&
                   WEXITSTATUS(st) == 0
               ? 0
               : -1;
}

static int port_free(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, SOCK_STREAM, 0), ok;
    if (fd < 0)
        return 0;
    ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

/* GET or POST url, JSON answer (new ref) or NULL. */
static json_t *http_json(const char *method, const char *url, const char *body,
                         int timeout_ms)
{
    cairn_http_resp r = {0};
    json_t *j = NULL;
    if (cairn_http_request(method, url, body, body ? strlen(body) : 0,
                           "application/json", timeout_ms, &r) == CAIRN_OK &&
        r.status == 200)
        j = json_loads(r.body, 0, NULL);
    free(r.body);
    return j;
}

static uint64_t jnum(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    uint64_t n = 0;
    if (json_is_integer(v))
        return (uint64_t)json_integer_value(v);
    if (json_is_string(v) && cairn_parse_u64(json_string_value(v), &n))
        return 0;
    return n;
}

static int node_port(int i)
{
    return base_port + 5 + i;
}

static json_t *status_of(int i, int timeout_ms)
{
    char url[96];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/status", node_port(i));
    return http_json("GET", url, NULL, timeout_ms);
}

/* ---- setup: keys, genesis, transactions ---- */

static void write_genesis(const char *path)
{
    char a[CAIRN_ADDR_TEXT_LEN + 1];
    FILE *f = fopen(path, "w");
    if (!f)
        die("cannot write %s", path);
    fprintf(f,
            "{\"chain_id\":\"" CHAIN_ID "\",\"token\":{\"name\":\"Bench\","
            "\"symbol\":\"BN\"},\"supply_cap\":\"1000000000\","
            "\"min_fee\":\"0.001\",\"genesis_time_ms\":0,"
            "\"block_interval_ms\":%d,\"max_block_txs\":20000,"
            "\"sequencers\":[",
            BLOCK_MS);
    for (int i = 0; i < 3; i++) {
        cairn_addr_format(a, &seq[i].pk);
        fprintf(f, "%s{\"address\":\"%s\",\"stake\":\"1000\"}", i ? "," : "",
                a);
    }
    fprintf(f, "],\"allocations\":[");
    for (int i = 0; i < 3; i++) {
        cairn_addr_format(a, &seq[i].pk);
        fprintf(f, "{\"address\":\"%s\",\"amount\":\"2000\"},", a);
    }
    for (int i = 0; i < SENDERS; i++) {
        cairn_addr_format(a, &senders[i].pk);
        fprintf(f, "%s{\"address\":\"%s\",\"amount\":\"1000\"}", i ? "," : "",
                a);
    }
    fprintf(f, "]}\n");
    fclose(f);
}

/* Signs every sender's transfers with nonces from..from + PER_SENDER - 1
 * (the bodies of an earlier call are freed). */
static void make_txs(uint64_t from)
{
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);
    for (int s = 0; s < SENDERS; s++)
        for (int k = 0; k < PER_SENDER; k++) {
            cairn_buf_reset(&b);
            if (cairn_tx_make_transfer(&b, CHAIN_ID, &senders[s],
                                       from + (uint64_t)k, 1000, &dest.pk, 1))
                die("%s", "cannot sign a transfer");
            size_t cap = 2 * b.len + 16;
            char *p = malloc(cap);
            if (!p)
                die("%s", "out of memory");
            memcpy(p, "{\"tx\":\"", 7);
            cairn_hex_encode(p + 7, b.p, b.len);
            memcpy(p + 7 + 2 * b.len, "\"}", 3);
            free(bodies[s * PER_SENDER + k]);
            bodies[s * PER_SENDER + k] = p;
            body_len[s * PER_SENDER + k] = 7 + 2 * b.len + 2;
        }
    cairn_buf_free(&b);
}

/* ---- load: keep-alive posters ---- */

typedef struct poster {
    int id, port;
    int posted, refused, gap_retries;
    char first_error[200];
} poster;

static int connect_port(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    struct timeval tv = {10, 0};
    if (fd < 0)
        return -1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&a, sizeof a)) {
        close(fd);
        return -1;
    }
    return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* One POST /v1/tx on fd; the HTTP status (0: the connection failed), the
 * start of the body in err. */
static int post_tx(int fd, const char *body, size_t len, char *err,
                   size_t errlen)
{
    char hdr[192], buf[8192];
    int hl = snprintf(hdr, sizeof hdr,
                      "POST /v1/tx HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      "Content-Type: application/json\r\n"
                      "Content-Length: %zu\r\n\r\n",
                      len);
    if (write_all(fd, hdr, (size_t)hl) || write_all(fd, body, len))
        return 0;
    size_t got = 0;
    char *end = NULL;
    while (!end) {
        if (got + 1 >= sizeof buf)
            return 0;
        ssize_t r = read(fd, buf + got, sizeof buf - 1 - got);
        if (r <= 0)
            return 0;
        got += (size_t)r;
        buf[got] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    uint64_t clen = 0, status = 0;
    const char *cl = strcasestr(buf, "\r\nContent-Length:");
    if (cl) {
        cl += 17;
        while (*cl == ' ')
            cl++;
        if (cairn_parse_u64_n(cl, strcspn(cl, "\r"), sizeof buf, &clen))
            return 0;
    }
    if (strncmp(buf, "HTTP/1.1 ", 9) ||
        cairn_parse_u64_n(buf + 9, 3, 999, &status))
        return 0;
    size_t have = got - (size_t)(end + 4 - buf);
    while (have < clen) {
        size_t at = got;
        if (got + 1 >= sizeof buf)
            return 0;
        ssize_t r = read(fd, buf + at, sizeof buf - 1 - at);
        if (r <= 0)
            return 0;
        got += (size_t)r;
        have += (size_t)r;
    }
    buf[got] = '\0';
    snprintf(err, errlen, "%s", end + 4);
    return (int)status;
}

/* Poster j sends the transfers of senders s = j, j + CONNS, ... in nonce
 * order, round by round, to its port. */
static void *poster_main(void *arg)
{
    poster *p = arg;
    char err[120];
    int fd = connect_port(p->port);
    for (int k = 0; k < PER_SENDER && fd >= 0; k++)
        for (int s = p->id; s < SENDERS; s += CONNS) {
            int i = s * PER_SENDER + k;
            int st = post_tx(fd, bodies[i], body_len[i], err, sizeof err);
            if (st == 0) { /* reconnect once */
                close(fd);
                fd = connect_port(p->port);
                if (fd < 0)
                    break;
                st = post_tx(fd, bodies[i], body_len[i], err, sizeof err);
            }
            /* a wallet sends a transfer the node found ahead of the
             * sender's nonce again, a moment later */
            for (int t = 0;
                 t < GAP_RETRIES && st == 400 && strstr(err, "\"nonce_gap\"");
                 t++) {
                p->gap_retries++;
                nap_ms(2);
                st = post_tx(fd, bodies[i], body_len[i], err, sizeof err);
            }
            if (st == 202 || st == 200) {
                p->posted++;
            } else {
                if (!p->refused++)
                    snprintf(p->first_error, sizeof p->first_error,
                             "HTTP %d: %s", st, err);
            }
        }
    if (fd >= 0)
        close(fd);
    return NULL;
}

/* The recipient's balance in base units at node i (= transfers
 * committed there); 0 when it does not answer. */
static uint64_t committed_at(int i)
{
    char url[160], a[CAIRN_ADDR_TEXT_LEN + 1];
    cairn_addr_format(a, &dest.pk);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/account/%s", node_port(i),
             a);
    json_t *j = http_json("GET", url, NULL, 2000);
    uint64_t v = j ? jnum(j, "balance_units") : 0;
    json_decref(j);
    return v;
}

/* Posts every transfer (poster j to nodes[j % nn]) and waits until node
 * `leader` has them all committed (its recipient balance is base + NTX);
 * transfers committed per second. */
static double load(const int *nodes, int nn, int leader, uint64_t base,
                   const char *what)
{
    pthread_t th[CONNS];
    poster ps[CONNS];
    uint64_t c = 0;
    double t0 = now(), t1 = t0;
    for (int j = 0; j < CONNS; j++) {
        ps[j] = (poster){.id = j, .port = node_port(nodes[j % nn])};
        pthread_create(&th[j], NULL, poster_main, &ps[j]);
    }
    double posted_at = 0;
    int joined = 0;
    while ((now() - t0) * 1000 < LOAD_LIMIT_MS) {
        nap_ms(50);
        if (!joined && (joined = 1)) {
            for (int j = 0; j < CONNS; j++)
                pthread_join(th[j], NULL);
            posted_at = now();
        }
        c = committed_at(leader);
        c = c > base ? c - base : 0;
        t1 = now();
        if (c >= NTX)
            break;
    }
    int posted = 0, refused = 0, gaps = 0;
    for (int j = 0; j < CONNS; j++) {
        posted += ps[j].posted;
        refused += ps[j].refused;
        gaps += ps[j].gap_retries;
        if (ps[j].refused)
            fprintf(stderr, "bench: %s: poster %d refused %d, first: %s\n",
                    what, j, ps[j].refused, ps[j].first_error);
    }
    if (c < NTX)
        printf("  (%s: only %llu of %d transfers committed after %d s; %d "
               "posted, %d refused)\n",
               what, (unsigned long long)c, NTX, LOAD_LIMIT_MS / 1000, posted,
               refused);
    printf("  %-34s posted in %5.2f s, committed in %5.2f s; %d posts "
           "resent after nonce_gap\n",
           what, posted_at - t0, t1 - t0, gaps);
    return (double)c / (t1 - t0);
}

/* ---- the networks ---- */

static void init_data(const char *name)
{
    char data[256], gen[256];
    snprintf(data, sizeof data, "%s/%s", dir, name);
    snprintf(gen, sizeof gen, "%s/genesis.json", dir);
    char *argv[] = {cairn_bin, "init", "--genesis", gen, "--data", data, NULL};
    if (run(argv))
        die("cairn init --data %s failed", data);
}

static void wait_status(int i, const char *what)
{
    for (int t = 0; t < 200; t++) {
        json_t *j = status_of(i, 500);
        json_decref(j);
        if (j)
            return;
        nap_ms(100);
    }
    die("%s did not answer /v1/status in 20 s", what);
}

static char etcd_urls[512], etcd_cluster[512];

static void start_etcd(int i)
{
    char name[8], data[256], curl[64], purl[64];
    snprintf(name, sizeof name, "m%d", i);
    snprintf(data, sizeof data, "%s/etcd/m%d", dir, i);
    snprintf(curl, sizeof curl, "http://127.0.0.1:%d", base_port + 10 * i);
    snprintf(purl, sizeof purl, "http://127.0.0.1:%d", base_port + 10 * i + 1);
    char *argv[] = {"etcd",        "--name",
                    name,          "--data-dir",
                    data,          "--listen-client-urls",
                    curl,          "--advertise-client-urls",
                    curl,          "--listen-peer-urls",
                    purl,          "--initial-advertise-peer-urls",
                    purl,          "--initial-cluster",
                    etcd_cluster,  "--initial-cluster-token",
                    "cairn-bench", "--initial-cluster-state",
                    "new",         "--heartbeat-interval",
                    "100",         "--election-timeout",
                    "1000",        "--logger",
                    "zap",         "--log-outputs",
                    "stderr",      NULL};
    char log[16];
    snprintf(log, sizeof log, "etcd-m%d.log", i);
    spawn(8 + i, argv, log);
}

static void wait_etcd(int i)
{
    char url[96];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v3/maintenance/status",
             base_port + 10 * i);
    for (int t = 0; t < 200; t++) {
        json_t *j = http_json("POST", url, "{}", 500);
        json_decref(j);
        if (j)
            return;
        nap_ms(100);
    }
    die("etcd member m%d did not answer in 20 s", i);
}

static pid_t start_replica(int i)
{
    char data[256], key[256], listen[32], ttl[8], log[16];
    snprintf(data, sizeof data, "%s/r%d", dir, i);
    snprintf(key, sizeof key, "%s/s%d.key", dir, i);
    snprintf(listen, sizeof listen, "127.0.0.1:%d", node_port(i));
    snprintf(ttl, sizeof ttl, "%d", TTL_S);
    snprintf(log, sizeof log, "r%d.log", i);
    char *argv[] = {cairn_bin, "node",      "--data", data,      "--key",
                    key,       "--replica", "--etcd", etcd_urls, "--lease-ttl",
                    ttl,       "--listen",  listen,   "--quiet", NULL};
    return spawn(i, argv, log);
}

/* The replica that leads with the highest term (-1: none); its term and
 * height. */
static int find_leader(int skip, uint64_t *term, uint64_t *height)
{
    int who = -1;
    *term = 0;
    for (int i = 0; i < 3; i++) {
        if (i == skip)
            continue;
        json_t *j = status_of(i, 300);
        json_t *r = j ? json_object_get(j, "replica") : NULL;
        const char *role = json_string_value(json_object_get(r, "role"));
        if (role && !strcmp(role, "leader") && jnum(r, "term") > *term) {
            who = i;
            *term = jnum(r, "term");
            *height = jnum(j, "height");
        }
        json_decref(j);
    }
    return who;
}

/* find_leader every step_ms, at most 200 times; -1 when none leads. */
static int wait_leader(int step_ms, uint64_t *term, uint64_t *height)
{
    int leader = -1;
    for (int t = 0; t < 200 && leader < 0; t++) {
        leader = find_leader(-1, term, height);
        if (leader < 0)
            nap_ms(step_ms);
    }
    return leader;
}

/* The term in the header of block h at node i (0: unknown; the term
 * follows magic, height, prev, time, tx root, state root and proposer),
 * and its time_ms. */
static uint64_t block_term(int i, uint64_t h, uint64_t *time_ms)
{
    char url[96];
    uint8_t raw[160];
    uint64_t t = 0;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/block/%llu", node_port(i),
             (unsigned long long)h);
    json_t *j = http_json("GET", url, NULL, 500);
    const char *hex = j ? json_string_value(json_object_get(j, "raw")) : NULL;
    if (hex && strlen(hex) >= 2 * sizeof raw &&
        !cairn_hex_decode(raw, sizeof raw, hex, 2 * sizeof raw))
        for (int b = 7; b >= 0; b--)
            t = t << 8 | raw[1 + 8 + 32 + 8 + 32 + 32 + 32 + b];
    if (time_ms)
        *time_ms = j ? jnum(j, "time_ms") : 0;
    json_decref(j);
    return t;
}

/* The time_ms of the first block of `term` at node i, looking down from
 * block h (0 when h is not of that term). */
static uint64_t first_of_term(int i, uint64_t h, uint64_t term)
{
    uint64_t first = 0, tm = 0;
    while (h > 0 && block_term(i, h, &tm) == term) {
        first = tm;
        h--;
    }
    return first;
}

static uint64_t wall_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void find_cairn(const char *argv0)
{
    const char *env = getenv("CAIRN_BIN");
    if (env) {
        snprintf(cairn_bin, sizeof cairn_bin, "%s", env);
        return;
    }
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        snprintf(self, sizeof self, "%s", argv0);
    else
        self[n] = '\0';
    snprintf(cairn_bin, sizeof cairn_bin, "%s/cairn", dirname(self));
}

int main(int argc, char **argv)
{
    (void)argc;
    char path[256];
    cairn_crypto_init();
    find_cairn(argv[0]);
    if (access(cairn_bin, X_OK))
        die("no cairn binary at %s (set CAIRN_BIN)", cairn_bin);
    if (system("command -v etcd >/dev/null 2>&1") != 0) {
        fprintf(stderr, "bench: etcd is not installed; run "
                        "scripts/install-deps.sh (apt-get install "
                        "etcd-server)\n");
        return 1;
    }
    if (!mkdtemp(dir))
        return 1;
    atexit(cleanup);
    signal(SIGPIPE, SIG_IGN);
    for (int tries = 0;; tries++) {
        base_port = 20000 + (int)randombytes_uniform(1200) * 10;
        int ok = 1;
        for (int p = 0; p < 30 && ok; p++)
            ok = port_free(base_port + p);
        if (ok)
            break;
        if (tries == 20)
            die("%s", "no free ports");
    }
    for (int i = 0; i < 3; i++) {
        cairn_keypair_generate(&seq[i]);
        snprintf(path, sizeof path, "%s/s%d.key", dir, i);
        if (cairn_key_save(path, &seq[i]))
            die("cannot write %s", path);
    }
    for (int i = 0; i < SENDERS; i++)
        cairn_keypair_generate(&senders[i]);
    cairn_keypair_generate(&dest);
    snprintf(path, sizeof path, "%s/genesis.json", dir);
    write_genesis(path);
    make_txs(0);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    printf("bench_replicas: %d transfers (%d senders x %d), %d keep-alive "
           "connections, blocks every %d ms, %ld cores\n",
           NTX, SENDERS, PER_SENDER, CONNS, BLOCK_MS, cores);

    /* (a) single sequencer, node slot 3 */
    init_data("single");
    {
        char data[256], key[256], listen[32];
        snprintf(data, sizeof data, "%s/single", dir);
        snprintf(key, sizeof key, "%s/s0.key", dir);
        snprintf(listen, sizeof listen, "127.0.0.1:%d", node_port(3));
        char *a[] = {cairn_bin, "node",     "--data", data,      "--key",
                     key,       "--listen", listen,   "--quiet", NULL};
        spawn(3, a, "single.log");
        wait_status(3, "the single sequencer");
    }
    int one[] = {3};
    double single = load(one, 1, 3, 0, "single sequencer");
    kill(procs[3], SIGTERM);
    waitpid(procs[3], NULL, 0);
    procs[3] = 0;

    /* the replicas */
    etcd_urls[0] = etcd_cluster[0] = '\0';
    for (int i = 0; i < 3; i++) {
        size_t u = strlen(etcd_urls), c = strlen(etcd_cluster);
        snprintf(etcd_urls + u, sizeof etcd_urls - u, "%shttp://127.0.0.1:%d",
                 i ? "," : "", base_port + 10 * i);
        snprintf(etcd_cluster + c, sizeof etcd_cluster - c,
                 "%sm%d=http://127.0.0.1:%d", i ? "," : "", i,
                 base_port + 10 * i + 1);
    }
    for (int i = 0; i < 3; i++)
        start_etcd(i);
    for (int i = 0; i < 3; i++)
        wait_etcd(i);
    for (int i = 0; i < 3; i++) {
        char name[8];
        snprintf(name, sizeof name, "r%d", i);
        init_data(name);
        start_replica(i);
    }
    for (int i = 0; i < 3; i++)
        wait_status(i, "a replica");
    uint64_t term = 0, height = 0;
    int leader = wait_leader(100, &term, &height);
    if (leader < 0)
        die("%s", "no replica leads after 20 s");
    int all[] = {0, 1, 2};
    double lonly =
        load(&leader, 1, leader, 0, "3 replicas, load on the leader");
    make_txs(PER_SENDER);
    double reps = load(all, 3, leader, NTX, "3 replicas, load on all three");
    printf("transfers committed/s, single sequencer:            %8.0f /s\n",
           single);
    printf("transfers committed/s, 3 replicas, leader only:     %8.0f /s  "
           "(ratio to single %.2f)\n",
           lonly, lonly / single);
    printf("transfers committed/s, 3 replicas, spread (fwd):    %8.0f /s\n",
           reps);
    printf("ratio replicas spread / single (goal >= 0.7):       %8.2f\n",
           reps / single);
    fflush(stdout);

    /* (b) failover */
    double fo[FAILOVERS];
    int done = 0;
    for (int f = 0; f < FAILOVERS; f++) {
        leader = wait_leader(50, &term, &height);
        if (leader < 0)
            die("%s", "no leader before a kill");
        nap_ms(300 + (int)randombytes_uniform(700));
        kill(procs[leader], SIGKILL);
        double t0 = now();
        uint64_t killed_ms = wall_ms();
        waitpid(procs[leader], NULL, 0);
        procs[leader] = 0;
        int nl = -1;
        uint64_t nt = 0, nh = 0;
        while (now() - t0 < 20) {
            nl = find_leader(leader, &nt, &nh);
            if (nl >= 0 && nt > term && block_term(nl, nh, NULL) == nt)
                break;
            nl = -1;
            nap_ms(20);
        }
        start_replica(leader);
        /* the new term's first block carries its leader's clock */
        uint64_t first = nl >= 0 ? first_of_term(nl, nh, nt) : 0;
        if (first < killed_ms) {
            printf("  failover %d: no new leader within 20 s\n", f + 1);
            continue;
        }
        fo[done++] = (double)(first - killed_ms) / 1000.0;
        wait_status(leader, "a restarted replica");
    }
    if (!done)
        die("%s", "no failover completed");
    printf("failover after kill -9 of the leader (ms):    ");
    for (int i = 0; i < done; i++)
        printf(" %.0f", fo[i] * 1000);
    printf("\n");
    qsort(fo, (size_t)done, sizeof *fo, cmp_d);
    double med = fo[(done - 1) / 2], max = fo[done - 1];
    printf("failover median / max, lease TTL %d s:          %6.0f / %.0f ms\n",
           TTL_S, med * 1000, max * 1000);
    printf("ratio median failover / (TTL + 1 s) (goal <= 1): %8.2f\n",
           med / (TTL_S + 1.0));
    return 0;
}
