/* `cairn devnet`: the two node processes — start, readiness, supervision
 * and a clean stop. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/devnet.h"

#define READY_WAIT_MS 15000
#define STOP_WAIT_MS 10000

static sigset_t watched; /* SIGINT, SIGTERM, SIGCHLD: blocked, waited for */

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

void devnet_child_setup(const devnet_node *n)
{
    sigset_t all;
    int fd = open(n->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    int null = open("/dev/null", O_RDONLY);
    if (fd < 0 || null < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0 ||
        dup2(null, 0) < 0)
        _exit(126);
    prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive the devnet */
    sigfillset(&all);
    sigprocmask(SIG_UNBLOCK, &all, NULL);
}

/* In the child: log to n->log, restore signals, become `cairn node`. */
static void exec_node(const devnet *d, const devnet_node *n)
{
    devnet_child_setup(n);
    char *seq_argv[] = {"cairn",    "node",
                        "--data",   (char *)n->data,
                        "--key",    (char *)d->seq_key,
                        "--listen", (char *)n->listen,
                        NULL};
    char *rep_argv[16] = {NULL};
    if (d->replicas && n == &d->seq)
        devnet_replica_argv(d, n, rep_argv);
    char *fol_argv[] = {"cairn",    "node",
                        "--data",   (char *)n->data,
                        "--follow", (char *)d->seq.url,
                        "--listen", (char *)n->listen,
                        NULL};
    execv("/proc/self/exe", n != &d->seq  ? fol_argv
                            : d->replicas ? rep_argv
                                          : seq_argv);
    _exit(127);
}

/* Forks and execs one node. Returns 0, or 1 after printing. */
static int spawn(const devnet *d, devnet_node *n)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return cli_fail("fork: %s", strerror(errno));
    if (pid == 0)
        exec_node(d, n);
    n->pid = pid;
    devnet_watch_started(n);
    return 0;
}

/* 1 if the node answers GET /v1/status with 200. */
static int answers(const devnet_node *n)
{
    json_t *j;
    snode_err why;
    int ok = snode_call("GET", n->url, "/v1/status", NULL, 1000, &j, &why) ==
                 CAIRN_OK &&
             why.status == 200;
    json_decref(j);
    return ok;
}

int devnet_stop_requested(void)
{
    struct timespec zero = {0, 0};
    siginfo_t si;
    int sig;
    while ((sig = sigtimedwait(&watched, &si, &zero)) > 0)
        if (sig != SIGCHLD)
            return 1;
    return 0;
}

/* Sends SIGTERM to each running node and waits; SIGKILL after 10 s. */
static void stop_all(devnet *d)
{
    devnet_node *ns[2] = {&d->fol, &d->seq};
    devnet_subnet_stop(d);
    devnet_sensor_stop(d);
    devnet_s3_stop(d);
    devnet_wireless_stop(d);
    devnet_compute_stop(d);
    devnet_storage_stop(d);
    for (int i = 0; i < 2; i++)
        if (ns[i]->pid)
            kill(ns[i]->pid, SIGTERM);
    for (int t = 0; t < STOP_WAIT_MS / 50 && (d->fol.pid || d->seq.pid); t++) {
        for (int i = 0; i < 2; i++)
            if (ns[i]->pid && waitpid(ns[i]->pid, NULL, WNOHANG) == ns[i]->pid)
                ns[i]->pid = 0;
        sleep_ms(50);
    }
    for (int i = 0; i < 2; i++)
        if (ns[i]->pid) {
            fprintf(stderr, "cairn: %s did not stop in 10 s; killing it\n",
                    ns[i]->name);
            kill(ns[i]->pid, SIGKILL);
            waitpid(ns[i]->pid, NULL, 0);
            ns[i]->pid = 0;
        }
    devnet_watch_stopped(&d->seq);
    devnet_watch_stopped(&d->fol);
    devnet_replicas_stop(d);
}

int devnet_port_listens(int port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int busy = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    if (fd >= 0)
        close(fd);
    return busy;
}

int devnet_port_taken(int port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port)};
    int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int taken = fd < 0 ||
                setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
                bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0;
    if (fd >= 0)
        close(fd);
    return taken;
}

/* Starts one node and waits until it answers; 0 or 1 (printed). */
static int start_one(devnet *d, devnet_node *n)
{
    if (spawn(d, n))
        return 1;
    for (int t = 0; t < READY_WAIT_MS / 100; t++) {
        if (answers(n))
            return 0;
        if (devnet_watch_reap(n, 0))
            return 1;
        if (devnet_stop_requested())
            return cli_fail("interrupted while starting %s", n->name);
        sleep_ms(100);
    }
    cli_fail("%s did not answer on %s within %d s", n->name, n->url,
             READY_WAIT_MS / 1000);
    devnet_print_tail(n->log);
    return 1;
}

int devnet_lock(const devnet *d)
{
    char path[DEVNET_PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/devnet.lock", d->dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return cli_fail("cannot open %s: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return cli_fail("a devnet is already running in %s (stop it first)",
                        d->dir);
    }
    return 0; /* fd stays open: the lock lasts as long as this process */
}

int devnet_start(devnet *d)
{
    sigemptyset(&watched);
    sigaddset(&watched, SIGINT);
    sigaddset(&watched, SIGTERM);
    sigaddset(&watched, SIGCHLD);
    sigprocmask(SIG_BLOCK, &watched, NULL);
    signal(SIGINT, SIG_DFL); /* a shell's `&` ignores SIGINT; we take it */
    signal(SIGTERM, SIG_DFL);
    for (int p = d->port; p <= d->port + 1; p++)
        if (devnet_port_taken(p))
            return cli_fail(
                "port %d is already in use; pick another with --port", p);
    for (int p = d->port + 100; p < d->port + 100 + d->storage; p++)
        if (devnet_port_taken(p))
            return cli_fail(
                "port %d (storage provider %d) is already in use; pick "
                "another --port",
                p, p - d->port - 99);
    for (int p = d->port + 200; p < d->port + 200 + 2 * d->compute; p++)
        if (devnet_port_taken(p))
            return cli_fail(
                "port %d (compute provider %d) is already in use; pick "
                "another --port",
                p, (p - d->port - 200) / 2 + 1);
    if (devnet_etcd_start(d) || start_one(d, &d->seq) ||
        devnet_replicas_start(d) || start_one(d, &d->fol)) {
        stop_all(d);
        return 1;
    }
    return 0;
}

/* Reaps a node that ended and starts it again when due. 1 if the
 * sequencer ended for good (the devnet stops), else 0. */
static int watch_node(devnet *d, devnet_node *n)
{
    int r = devnet_watch_reap(n, 1);
    if (r == 2 && n == &d->seq)
        return 1;
    if (devnet_watch_due(n) && spawn(d, n) == 0)
        fprintf(stderr, "cairn: %s started again\n", n->name);
    return 0;
}

int devnet_supervise(devnet *d)
{
    struct timespec second = {1, 0};
    siginfo_t si;
    int rc = -1;
    while (rc < 0) {
        int sig = sigtimedwait(&watched, &si, &second);
        if (sig == SIGINT || sig == SIGTERM) {
            fprintf(stderr, "cairn: stopping the devnet\n");
            rc = 0;
        } else if (watch_node(d, &d->seq)) {
            fprintf(stderr,
                    "cairn: stopping the devnet: it has no sequencer\n");
            rc = 1;
        } else {
            watch_node(d, &d->fol);
            devnet_replicas_watch(d);
            devnet_storage_watch(d);
            devnet_compute_watch(d);
            devnet_subnet_watch(d);
            devnet_wireless_watch(d);
            devnet_sensor_watch(d);
            devnet_s3_watch(d);
            devnet_epoch_tick(d);
        }
    }
    stop_all(d);
    if (rc == 0)
        fprintf(stderr,
                "cairn: devnet stopped; `%s devnet --dir %s` resumes it\n",
                d->cmd, d->dir);
    return rc;
}

void devnet_stop(devnet *d)
{
    stop_all(d);
}
