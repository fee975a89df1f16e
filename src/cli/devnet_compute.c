/* `cairn devnet --compute N`: N compute provider daemons (devnet_group.c)
 * and a sample workload that bob deploys on them once: a counter that
 * writes its count every two seconds, leased epoch by epoch. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/devnet.h"
#include "cli/devnet_group.h"

#define DEPLOY_WAIT_S 60
#define SAMPLE_JOB "sample-job.json"
#define SAMPLE_LEASE "sample-lease"

static void compute_args(const devnet *d, const devnet_group *g, int i,
                         char **argv, int max);

static struct {
    devnet_group g;
    char service[DEVNET_STORAGE_MAX][48];
    uint64_t lease; /* the sample's lease; 0: none */
} cs = {.g = {.sector = "compute",
              .label = "compute provider",
              .ports = 2,
              .args = compute_args}};

/* Two cores, 1 GiB of memory and disk each, 0.01 token per core-epoch;
 * each serves matrix jobs (subnet "matmul", devnet_subnet.c), and the
 * last of three or more gives a wrong product for one job in three. */
static void compute_args(const devnet *d, const devnet_group *g, int i,
                         char **argv, int max)
{
    (void)d;
    snprintf(cs.service[i], sizeof cs.service[i], "127.0.0.1:%d",
             g->port_base + g->ports * i + 1);
    char *a[] = {"--data",
                 (char *)g->p[i].data,
                 "--key",
                 (char *)g->key[i],
                 "--listen",
                 (char *)g->p[i].listen,
                 "--service-listen",
                 cs.service[i],
                 "--cpus",
                 "2",
                 "--memory",
                 "1GiB",
                 "--disk",
                 "1GiB",
                 "--price",
                 "0.01",
                 "--poll-ms",
                 "1000",
                 "--serve",
                 "matmul",
                 NULL, /* the last of three or more: --cheat-every 3 */
                 NULL,
                 NULL};
    if (g->n >= 3 && i == g->n - 1) {
        a[20] = "--cheat-every";
        a[21] = "3";
    }
    for (int k = 0; k < max && k < (int)(sizeof a / sizeof a[0]); k++)
        argv[k] = a[k];
}

static const char sample_job[] =
    "{\n"
    "  \"command\": [\"sh\", \"-c\", \"i=0; while true; do i=$((i+1)); "
    "echo tick $i; echo $i > count.txt; sleep 2; done\"],\n"
    "  \"resources\": {\"cpus\": 1, \"memory\": \"64M\", \"disk\": \"16M\", "
    "\"max_epochs\": 100000},\n"
    "  \"max_price\": \"0.05\",\n"
    "  \"escrow\": \"100\"\n"
    "}\n";

/* DIR/NAME into out. */
static void dir_file(char *out, const devnet *d, const char *name)
{
    snprintf(out, DEVNET_PATH_MAX, "%s/%s", d->dir, name);
}

/* Reads the sample's lease id kept in DIR/sample-lease (0 when none). */
static uint64_t kept_lease(const devnet *d)
{
    char path[DEVNET_PATH_MAX];
    unsigned long long v = 0;
    dir_file(path, d, SAMPLE_LEASE);
    FILE *f = fopen(path, "r");
    if (f && fscanf(f, "%llu", &v) != 1)
        v = 0;
    if (f)
        fclose(f);
    return v;
}

/* In the child: `cairn compute deploy` as bob, output to the log. */
static void exec_deploy(const devnet *d, int out_fd)
{
    char log[DEVNET_PATH_MAX], job[DEVNET_PATH_MAX], key[DEVNET_PATH_MAX];
    dir_file(log, d, "compute-deploy.log");
    dir_file(job, d, SAMPLE_JOB);
    dir_file(key, d, "keys/bob.key");
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    sigset_t all;
    if (fd < 0 || dup2(out_fd, 1) < 0 || dup2(fd, 2) < 0)
        _exit(126);
    sigfillset(&all);
    sigprocmask(SIG_UNBLOCK, &all, NULL);
    char *argv[] = {
        "cairn", "--node", (char *)d->seq.url, "compute", "deploy", job,
        "--key", key,      "--bid-wait",       "4",       NULL};
    execv("/proc/self/exe", argv);
    _exit(127);
}

/* Deploys the sample job once; keeps its lease id in DIR. */
static int deploy_sample(const devnet *d)
{
    char path[DEVNET_PATH_MAX], out[64] = "";
    int fds[2], status = 0;
    if ((cs.lease = kept_lease(d)))
        return 0;
    dir_file(path, d, SAMPLE_JOB);
    FILE *f = fopen(path, "w");
    if (!f || fputs(sample_job, f) < 0 || fclose(f))
        return cli_fail("cannot write %s", path);
    if (pipe(fds))
        return cli_fail("pipe: %s", strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        exec_deploy(d, fds[1]);
    close(fds[1]);
    ssize_t n = pid < 0 ? -1 : read(fds[0], out, sizeof out - 1);
    close(fds[0]);
    if (pid > 0)
        waitpid(pid, &status, 0);
    out[n > 0 ? n : 0] = '\0';
    cs.lease = strtoull(out, NULL, 10);
    if (!cs.lease || !WIFEXITED(status) || WEXITSTATUS(status))
        return cli_fail("devnet: the sample workload was not deployed; see "
                        "%s/compute-deploy.log",
                        d->dir);
    dir_file(path, d, SAMPLE_LEASE);
    f = fopen(path, "w");
    if (!f || fprintf(f, "%llu\n", (unsigned long long)cs.lease) < 0 ||
        fclose(f))
        return cli_fail("cannot write %s", path);
    return 0;
}

int devnet_compute_start(devnet *d)
{
    cs.g.n = d->compute;
    cs.g.port_base = d->port + 200;
    if (d->compute <= 0)
        return 0;
    if (devnet_group_start(d, &cs.g))
        return 1;
    /* they read their tenants' storage inputs, paying for the reads */
    for (int i = 0; d->storage > 0 && i < cs.g.n; i++)
        if (devnet_fund_tickets(d, cs.g.key[i]))
            return 1;
    return deploy_sample(d);
}

void devnet_compute_watch(devnet *d)
{
    devnet_group_watch(d, &cs.g);
}

void devnet_compute_stop(devnet *d)
{
    (void)d;
    devnet_group_stop(&cs.g);
}

uint64_t devnet_compute_sample_lease(void)
{
    return cs.lease;
}

const struct devnet_group *devnet_compute_group(void)
{
    return &cs.g;
}

int devnet_compute_count(void)
{
    return cs.g.n;
}
