/* `cairn devnet --storage N`: N storage provider daemons as separate
 * processes with keys funded by alice, restarted when they end, and a
 * sample file stored on them once. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/devnet.h"
#include "storage/cli/storage_cli.h"
#include "storage/client/health.h"

#define FUND_UNITS (1000ull * 1000000ull) /* tokens each provider gets */
#define FUND_BELOW (500ull * 1000000ull)  /* ... when it holds less */
#define READY_WAIT_MS 30000
#define STOP_WAIT_MS 10000
#define SAMPLE_BYTES (3u << 20)
#define SAMPLE_NAME "sample.bin"

/* The providers and the sample file (one devnet per process). */
static struct {
    devnet_node p[DEVNET_STORAGE_MAX];
    char key[DEVNET_STORAGE_MAX][DEVNET_PATH_MAX];
    cairn_pubkey pk[DEVNET_STORAGE_MAX];
    int n;
    int have_client;
    sclient client;
    char sample[2 * CMETA_ID_LEN + 1];
} st;

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* DIR/keys/storage-I.key, made on first use. */
static int provider_key(const devnet *d, int i)
{
    cairn_keypair kp;
    snprintf(st.key[i], DEVNET_PATH_MAX, "%s/keys/storage-%d.key", d->dir,
             i + 1);
    if (access(st.key[i], F_OK) != 0) {
        cairn_keypair_generate(&kp);
        cairn_err e = cairn_key_save(st.key[i], &kp);
        if (e)
            return cli_fail("cannot save %s: %s", st.key[i], cairn_strerror(e));
    } else if (cli_load_key(st.key[i], &kp)) {
        return 1;
    }
    st.pk[i] = kp.pk;
    cairn_keypair_wipe(&kp);
    return 0;
}

/* The balance of pk in base units (0 when unknown). */
static uint64_t balance_of(const devnet *d, const cairn_pubkey *pk)
{
    char addr[CAIRN_ADDR_TEXT_LEN + 1], path[128];
    json_t *j;
    snode_err ne;
    uint64_t units = 0;
    cairn_addr_format(addr, pk);
    snprintf(path, sizeof path, "/v1/account/%s", addr);
    if (snode_get(d->seq.url, path, &j, &ne) == CAIRN_OK) {
        if (snode_u64(j, "balance_units", &units))
            units = 0;
        json_decref(j);
    }
    return units;
}

/* Transfers FUND_UNITS from alice to each provider holding too little. */
static int fund(const devnet *d)
{
    char path[DEVNET_PATH_MAX];
    cairn_keypair alice;
    snode_ctx ctx;
    snode_err ne = {.msg = ""};
    uint64_t nonce;
    int last = -1;
    snprintf(path, sizeof path, "%s/keys/alice.key", d->dir);
    if (cli_load_key(path, &alice))
        return 1;
    cairn_err e = snode_status(d->seq.url, &ctx, &ne);
    if (!e)
        e = snode_next_nonce(d->seq.url, &alice.pk, &nonce, &ne);
    for (int i = 0; i < st.n; i++)
        if (balance_of(d, &st.pk[i]) < FUND_BELOW)
            last = i;
    for (int i = 0; !e && i <= last; i++) {
        uint8_t body[40];
        cairn_transfer t = {.to = st.pk[i], .amount = FUND_UNITS};
        if (balance_of(d, &st.pk[i]) >= FUND_BELOW)
            continue;
        cairn_transfer_encode(body, &t);
        e = snode_send(d->seq.url, &ctx, &alice, nonce++, CAIRN_TX_TRANSFER,
                       body, sizeof body, i == last, NULL, &ne);
    }
    cairn_keypair_wipe(&alice);
    return e ? cli_fail("devnet: cannot fund the storage providers: %s", ne.msg)
             : 0;
}

/* In the child: log to n->log, take default signals, become the daemon. */
static void exec_provider(const devnet *d, int i)
{
    const devnet_node *n = &st.p[i];
    sigset_t all;
    int fd = open(n->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    int null = open("/dev/null", O_RDONLY);
    if (fd < 0 || null < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0 ||
        dup2(null, 0) < 0)
        _exit(126);
    prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive the devnet */
    sigfillset(&all);
    sigprocmask(SIG_UNBLOCK, &all, NULL);
    char *argv[] = {
        "cairn",   "--node",        (char *)d->seq.url, "provider",  "storage",
        "--data",  (char *)n->data, "--capacity",       "1GiB",      "--key",
        st.key[i], "--listen",      (char *)n->listen,  "--poll-ms", "1000",
        NULL};
    execv("/proc/self/exe", argv);
    _exit(127);
}

/* Starts provider i (again). Returns 0, or 1 after printing. */
static int spawn(const devnet *d, int i)
{
    devnet_node *n = &st.p[i];
    snprintf(n->name, sizeof n->name, "storage provider %d", i + 1);
    snprintf(n->data, sizeof n->data, "%s/storage-%d", d->dir, i + 1);
    snprintf(n->log, sizeof n->log, "%s/storage-%d.log", d->dir, i + 1);
    snprintf(n->listen, sizeof n->listen, "127.0.0.1:%d", d->port + 100 + i);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return cli_fail("fork: %s", strerror(errno));
    if (pid == 0)
        exec_provider(d, i);
    n->pid = pid;
    devnet_watch_started(n);
    return 0;
}

/* While starting: 1 (after reporting it) if a provider has ended. */
static int startup_ended(void)
{
    int ended = 0;
    for (int i = 0; i < st.n; i++)
        ended |= devnet_watch_reap(&st.p[i], 0) != 0;
    return ended;
}

/* How many of our providers the chain lists as active. */
static int registered(const devnet *d)
{
    json_t *j, *o;
    snode_err ne;
    size_t k;
    int found = 0;
    if (snode_get(d->seq.url, "/v1/storage/providers", &j, &ne))
        return 0;
    json_array_foreach(json_object_get(j, "providers"), k, o)
    {
        cairn_pubkey pk;
        if (snode_addr(o, "address", &pk) ||
            !json_is_true(json_object_get(o, "active")))
            continue;
        for (int i = 0; i < st.n; i++)
            found += !memcmp(pk.b, st.pk[i].b, 32);
    }
    json_decref(j);
    return found;
}

/* 1 when every provider accepts connections on its port. */
static int all_listen(const devnet *d)
{
    for (int i = 0; i < st.n; i++)
        if (!devnet_port_listens(d->port + 100 + i))
            return 0;
    return 1;
}

/* Waits until every provider is registered on chain and listens. */
static int wait_registered(devnet *d)
{
    for (int t = 0; t < READY_WAIT_MS / 200; t++) {
        if (registered(d) >= st.n && all_listen(d))
            return 0;
        if (startup_ended())
            return 1;
        sleep_ms(200);
    }
    return cli_fail(
        "devnet: the storage providers did not register within %d s; see %s",
        READY_WAIT_MS / 1000, st.p[0].log);
}

/* Writes DIR/sample.bin (SAMPLE_BYTES of pseudo-random bytes) if missing. */
static int make_sample(const devnet *d, char *path)
{
    snprintf(path, DEVNET_PATH_MAX, "%s/%s", d->dir, SAMPLE_NAME);
    if (access(path, F_OK) == 0)
        return 0;
    FILE *f = fopen(path, "wb");
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (uint32_t i = 0; f && i < SAMPLE_BYTES; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
        fputc((int)(x & 0xff), f);
    }
    if (!f || fclose(f) != 0)
        return cli_fail("cannot write %s", path);
    return 0;
}

/* The sample's id if the client store has it already. */
static int find_sample(void)
{
    cmeta_file *f = NULL;
    size_t n = 0;
    if (cmeta_list(st.client.meta, &f, &n))
        return 0;
    for (size_t i = 0; i < n && !*st.sample; i++)
        if (strcmp(f[i].name, SAMPLE_NAME) == 0)
            cmeta_id_hex(st.sample, f[i].id);
    free(f);
    return *st.sample != '\0';
}

/* Opens alice's client session and stores the sample once. */
static int store_sample(const devnet *d)
{
    char key[DEVNET_PATH_MAX], store[DEVNET_PATH_MAX], path[DEVNET_PATH_MAX];
    cairn_keypair alice;
    cmeta_file f;
    snprintf(key, sizeof key, "%s/keys/alice.key", d->dir);
    snprintf(store, sizeof store, "%s/client", d->dir);
    if (cli_load_key(key, &alice))
        return 1;
    cairn_err e = sclient_open(&st.client, d->seq.url, store, &alice);
    cairn_keypair_wipe(&alice);
    if (e)
        return stor_fail(&st.client, e);
    st.have_client = 1;
    if (st.n < 2 || find_sample())
        return 0;
    uint32_t n = st.n < 6 ? (uint32_t)st.n : 6;
    sclient_put_opts o = {.path = path,
                          .name = SAMPLE_NAME,
                          .epochs = 1000,
                          .p = {n >= 3 ? n * 2 / 3 : 1, n, 1u << 20}};
    st.client.log = stderr;
    if (make_sample(d, path))
        return 1;
    /* providers that just registered may not have read the chain yet */
    for (int t = 0;
         (e = sclient_put(&st.client, &o, &f)) == CAIRN_ERR_FEW_PROVIDERS &&
         t < READY_WAIT_MS / 1000;
         t++)
        sleep_ms(1000);
    st.client.log = NULL; /* the per-epoch lines tell the rest */
    if (e)
        return stor_fail(&st.client, e);
    cmeta_id_hex(st.sample, f.id);
    return 0;
}

int devnet_storage_start(devnet *d)
{
    if (d->storage <= 0)
        return 0;
    st.n = d->storage > DEVNET_STORAGE_MAX ? DEVNET_STORAGE_MAX : d->storage;
    for (int i = 0; i < st.n; i++)
        if (provider_key(d, i))
            return 1;
    if (fund(d))
        return 1;
    for (int i = 0; i < st.n; i++)
        if (spawn(d, i))
            return 1;
    if (wait_registered(d) || store_sample(d))
        return 1;
    return 0;
}

void devnet_storage_watch(devnet *d)
{
    for (int i = 0; i < st.n; i++) {
        devnet_node *n = &st.p[i];
        devnet_watch_reap(n, 1);
        if (devnet_watch_due(n) && spawn(d, i) == 0)
            fprintf(stderr, "cairn: %s started again\n", n->name);
    }
}

int devnet_storage_count(void)
{
    return st.n;
}

const char *devnet_storage_sample_id(void)
{
    return st.sample;
}

/* Sets last[i] for the pieces whose deal is in one page of the client's
 * deals; *after gets the page's last id. 1 while more pages remain, 0 at
 * the end, -1 when the node does not answer. */
static int proven_page(const cmeta_piece *p, size_t n, uint64_t *last,
                       uint64_t *after)
{
    char addr[CAIRN_ADDR_TEXT_LEN + 1], path[200];
    json_t *j, *o;
    snode_err ne;
    size_t k;
    cairn_addr_format(addr, &st.client.key.pk);
    snprintf(path, sizeof path, "/v1/deals?client=%s&after=%llu&limit=100",
             addr, (unsigned long long)*after);
    if (snode_get(st.client.node, path, &j, &ne))
        return -1;
    json_array_foreach(json_object_get(j, "deals"), k, o)
    {
        uint64_t id = 0, lp;
        snode_u64(o, "id", &id);
        *after = id > *after ? id : *after;
        int proven = snode_u64(o, "last_proven", &lp) == 0;
        for (size_t i = 0; i < n; i++)
            if (p[i].deal && p[i].deal == id)
                last[i] = proven ? lp : UINT64_MAX;
    }
    int more = json_is_true(json_object_get(j, "more"));
    json_decref(j);
    return more;
}

int devnet_sample_proven(uint64_t *last, size_t max, size_t *n)
{
    cmeta_file f;
    cmeta_piece *pieces = NULL;
    size_t np = 0;
    uint64_t after = 0;
    int more = 1;
    *n = 0;
    if (!st.have_client || !*st.sample ||
        cfile_load(&st.client, st.sample, &f, &pieces, &np))
        return -1;
    np = np < max ? np : max;
    for (size_t i = 0; i < np; i++)
        last[i] = UINT64_MAX;
    for (int page = 0; more > 0 && page < 100; page++)
        more = proven_page(pieces, np, last, &after);
    free(pieces);
    *n = np;
    return more < 0 ? -1 : 0;
}

int devnet_sample_alive(int *alive, int *all)
{
    json_t *r, *s, *p;
    size_t i, j;
    *alive = *all = 0;
    if (!st.have_client || !*st.sample ||
        sclient_status(&st.client, st.sample, &r))
        return -1;
    json_array_foreach(json_object_get(r, "segments"), i, s)
        json_array_foreach(json_object_get(s, "pieces"), j, p)
    {
        (*all)++;
        *alive += json_is_true(json_object_get(p, "alive"));
    }
    json_decref(r);
    return 0;
}

void devnet_storage_stop(devnet *d)
{
    for (int i = 0; i < st.n; i++)
        if (st.p[i].pid)
            kill(st.p[i].pid, SIGTERM);
    for (int t = 0; t < STOP_WAIT_MS / 50; t++) {
        int left = 0;
        for (int i = 0; i < st.n; i++)
            if (st.p[i].pid &&
                waitpid(st.p[i].pid, NULL, WNOHANG) == st.p[i].pid)
                st.p[i].pid = 0;
            else
                left += st.p[i].pid != 0;
        if (!left)
            break;
        sleep_ms(50);
    }
    for (int i = 0; i < st.n; i++)
        if (st.p[i].pid) {
            kill(st.p[i].pid, SIGKILL);
            waitpid(st.p[i].pid, NULL, 0);
            st.p[i].pid = 0;
        }
    for (int i = 0; i < st.n; i++)
        devnet_watch_stopped(&st.p[i]);
    if (st.have_client)
        sclient_close(&st.client);
    st.have_client = 0;
}
