/* bench/compute (c): the sandbox's start time (compute/sandbox.h) against a
 * plain fork+exec of the same command, measured in the same run,
 * interleaved so that both see the same machine. Header-only: bench/
 * compute.c includes it and calls bench_sandbox_start().
 *
 * The command is /bin/true. A run is timed from just before the start
 * (cairn_sandbox_start, or fork) to the moment its exit is seen (the same
 * poll loop for both: waitpid WNOHANG, or cairn_sandbox_poll, 20 us
 * apart), which bounds its start-to-first-instruction time from above.
 * For the sandbox this includes making and joining its cgroups, staging
 * its work directory, bwrap's namespaces and mounts, and the teardown of
 * its PID namespace; stop and free come after the clock stops. Also shown:
 * when cairn_sandbox_start returned (bwrap has cloned the sandbox's
 * first process), a lower bound. Median of BSB_RUNS runs each. Prints;
 * asserts nothing about speed. */
#ifndef CAIRN_BENCH_COMPUTE_SANDBOX_H
#define CAIRN_BENCH_COMPUTE_SANDBOX_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "compute/sandbox.h"

#define BSB_RUNS 41

static double bsb_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void bsb_nap(void)
{
    struct timespec t = {0, 20000};
    nanosleep(&t, NULL);
}

static int bsb_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double bsb_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, bsb_cmp);
    return v[n / 2];
}

/* fork + exec of /bin/true, until its exit is seen; seconds, or -1. */
static double bsb_plain(void)
{
    double t0 = bsb_now();
    pid_t pid = fork();
    if (pid == 0) {
        char *argv[] = {"/bin/true", NULL}, *env[] = {NULL};
        execve("/bin/true", argv, env);
        _exit(127);
    }
    if (pid < 0)
        return -1;
    int st;
    while (waitpid(pid, &st, WNOHANG) == 0)
        bsb_nap();
    return bsb_now() - t0;
}

/* bwrap alone, as the sandbox's floor: every namespace, / read-only,
 * /bin/true (as nobody when root, so that bwrap runs as the sandbox's
 * does: unprivileged); seconds, or -1. */
static double bsb_bwrap(const char *bwrap)
{
    double t0 = bsb_now();
    pid_t pid = fork();
    if (pid == 0) {
        char *argv[] = {"bwrap", "--unshare-all", "--ro-bind", "/",
                        "/",     "/bin/true",     NULL},
             *env[] = {NULL};
        if (geteuid() == 0 &&
            (setgroups(0, NULL) || setgid(65534) || setuid(65534)))
            _exit(126);
        execve(bwrap, argv, env);
        _exit(127);
    }
    if (pid < 0)
        return -1;
    int st;
    while (waitpid(pid, &st, WNOHANG) == 0)
        bsb_nap();
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? bsb_now() - t0 : -1;
}

/* The same in a sandbox; seconds, or -1. *ret: when start returned. */
static double bsb_sandboxed(const cairn_sandbox_cfg *cfg, double *ret,
                            const char **how)
{
    static char limits[192];
    cairn_sandbox *s;
    char msg[256];
    int code;
    double t0 = bsb_now();
    if (cairn_sandbox_start(&s, cfg, msg, sizeof msg) != CAIRN_OK) {
        fprintf(stderr, "bench_compute: sandbox: %s\n", msg);
        return -1;
    }
    *ret = bsb_now() - t0;
    while (!cairn_sandbox_poll(s, &code))
        bsb_nap();
    double t = bsb_now() - t0;
    snprintf(limits, sizeof limits, "%s", cairn_sandbox_limits(s));
    *how = limits;
    cairn_sandbox_free(s);
    return code == 0 ? t : -1;
}

static void bench_sandbox_start(void)
{
    char dir[] = "/tmp/cairn-bench-sandbox-XXXXXX", work[96], log[96];
    double plain[BSB_RUNS], boxed[BSB_RUNS], ret[BSB_RUNS], bw[BSB_RUNS];
    const char *bwrap = getenv("CAIRN_BWRAP");
    const char *argv[] = {"/bin/true", NULL}, *how = "";
    if (!mkdtemp(dir)) {
        fprintf(stderr, "bench_compute: sandbox: no temp directory\n");
        return;
    }
    snprintf(work, sizeof work, "%s/work", dir);
    snprintf(log, sizeof log, "%s/log", dir);
    cairn_sandbox_cfg cfg = {.workdir = work,
                             .argv = argv,
                             .cpus = 1,
                             .mem_bytes = 64u << 20,
                             .disk_bytes = 16u << 20,
                             .log_path = log};
    printf("(c) sandbox start, /bin/true from start to its exit seen, median "
           "of %d:\n",
           BSB_RUNS);
    if (mkdir(work, 0700) != 0) {
        fprintf(stderr, "bench_compute: sandbox: mkdir %s failed\n", work);
        return;
    }
    bsb_plain(); /* warm both: page cache, bwrap's binary */
    if (bsb_sandboxed(&cfg, &ret[0], &how) < 0) {
        printf("    (no sandbox here: skipped)\n");
        cairn_dir_remove(dir);
        return;
    }
    if (!bwrap || !*bwrap)
        bwrap = "/usr/bin/bwrap";
    for (int i = 0; i < BSB_RUNS; i++) {
        plain[i] = bsb_plain();
        bw[i] = bsb_bwrap(bwrap);
        boxed[i] = bsb_sandboxed(&cfg, &ret[i], &how);
        if (plain[i] < 0 || boxed[i] < 0 || bw[i] < 0) {
            printf("    (a run failed: skipped)\n");
            cairn_dir_remove(dir);
            return;
        }
    }
    double p = bsb_median(plain, BSB_RUNS), b = bsb_median(boxed, BSB_RUNS);
    double r = bsb_median(ret, BSB_RUNS), w = bsb_median(bw, BSB_RUNS);
    printf("    plain fork+exec:                        %8.3f ms\n", p * 1e3);
    printf("    bwrap alone (namespaces, / read-only):  %8.3f ms  (%.1fx)\n",
           w * 1e3, w / p);
    printf("    sandbox (start returned at %6.3f ms):   %8.3f ms\n", r * 1e3,
           b * 1e3);
    printf("    ratio sandbox / fork+exec:              %8.1f (aim: 3)\n",
           b / p);
    printf("    limits: %s\n", how);
    cairn_dir_remove(dir);
}

#endif
