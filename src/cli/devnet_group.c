/* A group of provider daemons of one sector under `cairn devnet` (see
 * devnet_group.h). */
#define _GNU_SOURCE
#include "cli/devnet_group.h"

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

#include "cairn/tx.h"
#include "cli/cli.h"

#define FUND_UNITS (1000ull * 1000000ull) /* tokens each provider gets */
#define FUND_BELOW (500ull * 1000000ull)  /* ... when it holds less */
#define READY_WAIT_MS 30000
#define STOP_WAIT_MS 10000
#define CLI_WAIT_S 60 /* longest a devnet_run_cli command may take */

void devnet_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* DIR/keys/SECTOR-I.key, made on first use. */
static int provider_key(const devnet *d, devnet_group *g, int i)
{
    cairn_keypair kp;
    snprintf(g->key[i], DEVNET_PATH_MAX, "%s/keys/%s-%d.key", d->dir, g->sector,
             i + 1);
    if (access(g->key[i], F_OK) != 0) {
        cairn_keypair_generate(&kp);
        cairn_err e = cairn_key_save(g->key[i], &kp);
        if (e)
            return cli_fail("cannot save %s: %s", g->key[i], cairn_strerror(e));
    } else if (cli_load_key(g->key[i], &kp)) {
        return 1;
    }
    g->pk[i] = kp.pk;
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
static int fund(const devnet *d, const devnet_group *g)
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
    for (int i = 0; i < g->n; i++)
        if (balance_of(d, &g->pk[i]) < FUND_BELOW)
            last = i;
    for (int i = 0; !e && i <= last; i++) {
        uint8_t body[40];
        cairn_transfer t = {.to = g->pk[i], .amount = FUND_UNITS};
        if (balance_of(d, &g->pk[i]) >= FUND_BELOW)
            continue;
        cairn_transfer_encode(body, &t);
        e = snode_send(d->seq.url, &ctx, &alice, nonce++, CAIRN_TX_TRANSFER,
                       body, sizeof body, i == last, NULL, &ne);
    }
    cairn_keypair_wipe(&alice);
    return e ? cli_fail("devnet: cannot fund the %ss: %s", g->label, ne.msg)
             : 0;
}

/* In the child: log to n->log, take default signals, become the daemon. */
static void exec_provider(const devnet *d, const devnet_group *g, int i)
{
    devnet_child_setup(&g->p[i]);
    char *argv[DEVNET_ARGV_MAX + 6] = {"cairn", "--node", (char *)d->seq.url,
                                       "provider", (char *)g->sector};
    int at = 5;
    if (g->command) {
        argv[3] = (char *)g->command;
        at = 4;
    }
    g->args(d, g, i, argv + at, DEVNET_ARGV_MAX);
    argv[DEVNET_ARGV_MAX + 5] = NULL;
    execv("/proc/self/exe", argv);
    _exit(127);
}

/* Starts provider i (again). Returns 0, or 1 after printing. */
static int spawn(const devnet *d, devnet_group *g, int i)
{
    devnet_node *n = &g->p[i];
    snprintf(n->name, sizeof n->name, "%s %d", g->label, i + 1);
    snprintf(n->data, sizeof n->data, "%s/%s-%d", d->dir, g->sector, i + 1);
    snprintf(n->log, sizeof n->log, "%s/%s-%d.log", d->dir, g->sector, i + 1);
    snprintf(n->listen, sizeof n->listen, "127.0.0.1:%d",
             g->port_base + g->ports * i);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return cli_fail("fork: %s", strerror(errno));
    if (pid == 0)
        exec_provider(d, g, i);
    n->pid = pid;
    devnet_watch_started(n);
    return 0;
}

/* While starting: 1 (after reporting it) if a provider has ended. */
static int startup_ended(devnet_group *g)
{
    int ended = 0;
    for (int i = 0; i < g->n; i++)
        ended |= devnet_watch_reap(&g->p[i], 0) != 0;
    return ended;
}

/* How many of the group's providers the chain lists (active or not: on a
 * restart, a provider slashed below the minimum stake in an earlier run,
 * such as the compute group's cheater, is registered but not active, and
 * the devnet goes on with it as the provider itself does). */
static int registered(const devnet *d, const devnet_group *g)
{
    json_t *j, *o;
    snode_err ne;
    size_t k;
    int found = 0;
    char path[96];
    snprintf(path, sizeof path, "/v1/providers?sector=%s&limit=1000",
             g->sector);
    if (snode_get(d->seq.url, path, &j, &ne))
        return 0;
    json_array_foreach(json_object_get(j, "providers"), k, o)
    {
        cairn_pubkey pk;
        if (snode_addr(o, "address", &pk))
            continue;
        for (int i = 0; i < g->n; i++)
            found += !memcmp(pk.b, g->pk[i].b, 32);
    }
    json_decref(j);
    return found;
}

/* 1 when every provider accepts connections on its first port. */
static int all_listen(const devnet_group *g)
{
    for (int i = 0; i < g->n && !g->udp && !g->nolisten; i++)
        if (!devnet_port_listens(g->port_base + g->ports * i))
            return 0;
    return 1;
}

/* Waits until every provider is registered on chain and listens. */
static int wait_registered(devnet *d, devnet_group *g)
{
    for (int t = 0; t < READY_WAIT_MS / 200; t++) {
        if (registered(d, g) >= g->n && all_listen(g))
            return 0;
        if (startup_ended(g))
            return 1;
        devnet_sleep_ms(200);
    }
    return cli_fail("devnet: the %ss did not register within %d s; see %s",
                    g->label, READY_WAIT_MS / 1000, g->p[0].log);
}

int devnet_group_start(devnet *d, devnet_group *g)
{
    if (g->n <= 0)
        return 0;
    g->n = g->n > DEVNET_STORAGE_MAX ? DEVNET_STORAGE_MAX : g->n;
    for (int i = 0; i < g->n && !g->keyless; i++)
        if (provider_key(d, g, i))
            return 1;
    if (!g->keyless && fund(d, g))
        return 1;
    for (int i = 0; i < g->n; i++)
        if (spawn(d, g, i))
            return 1;
    return g->command ? 0 : wait_registered(d, g);
}

int devnet_run_cli(const devnet *d, const char *log_name, char *const args[])
{
    char log[DEVNET_PATH_MAX];
    char *argv[24] = {"cairn", "--node", (char *)d->seq.url};
    int n = 3, status = 0;
    for (int k = 0; args[k] && n < 23; k++)
        argv[n++] = args[k];
    argv[n] = NULL;
    snprintf(log, sizeof log, "%s/%s", d->dir, log_name);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return cli_fail("fork: %s", strerror(errno));
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        sigset_t all;
        if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
            _exit(126);
        sigfillset(&all);
        sigprocmask(SIG_UNBLOCK, &all, NULL);
        alarm(CLI_WAIT_S);
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    return cli_fail("devnet: `cairn %s %s` failed; see %s", args[0], args[1],
                    log);
}

void devnet_group_watch(devnet *d, devnet_group *g)
{
    for (int i = 0; i < g->n; i++) {
        devnet_node *n = &g->p[i];
        devnet_watch_reap(n, 1);
        if (devnet_watch_due(n) && spawn(d, g, i) == 0)
            fprintf(stderr, "cairn: %s started again\n", n->name);
    }
}

void devnet_group_stop(devnet_group *g)
{
    for (int i = 0; i < g->n; i++)
        if (g->p[i].pid)
            kill(g->p[i].pid, SIGTERM);
    for (int t = 0; t < STOP_WAIT_MS / 50; t++) {
        int left = 0;
        for (int i = 0; i < g->n; i++)
            if (g->p[i].pid &&
                waitpid(g->p[i].pid, NULL, WNOHANG) == g->p[i].pid)
                g->p[i].pid = 0;
            else
                left += g->p[i].pid != 0;
        if (!left)
            break;
        devnet_sleep_ms(50);
    }
    for (int i = 0; i < g->n; i++)
        if (g->p[i].pid) {
            kill(g->p[i].pid, SIGKILL);
            waitpid(g->p[i].pid, NULL, 0);
            g->p[i].pid = 0;
        }
    for (int i = 0; i < g->n; i++)
        devnet_watch_stopped(&g->p[i]);
}
