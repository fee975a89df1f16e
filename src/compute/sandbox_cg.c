/* The cgroups of one sandbox (compute/sandbox_cg.h): made under our own
 * cgroup, limits written, joined by the sandbox's first process, counted,
 * frozen and removed. */
#define _GNU_SOURCE
#include "compute/sandbox_cg.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CG_ROOT "/sys/fs/cgroup"

static const char *const cg_names[SB_CG_N] = {"pids", "memory", "cpu",
                                              "cpuacct", "freezer"};

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* Reads up to n-1 bytes of path into buf (NUL-terminated). -1 on error. */
static ssize_t read_small(const char *path, char *buf, size_t n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t r = read(fd, buf, n - 1);
    close(fd);
    buf[r > 0 ? r : 0] = '\0';
    return r;
}

static int write_str(const char *path, const char *s)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t w = write(fd, s, strlen(s));
    int saved = errno;
    close(fd);
    errno = saved;
    return w == (ssize_t)strlen(s) ? 0 : -1;
}

/* dir/file into out. */
static const char *cg_file(char *out, size_t n, const char *dir,
                           const char *file)
{
    snprintf(out, n, "%s/%s", dir, file);
    return out;
}

/* Our own cgroup's path in the hierarchy of controller c ("" for v2's
 * "0::" line), from /proc/self/cgroup, into out. 0, or -1. */
static int own_path(const char *c, char *out, size_t n)
{
    char buf[4096];
    if (read_small("/proc/self/cgroup", buf, sizeof buf) <= 0)
        return -1;
    for (char *line = buf, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;
        if (!b)
            continue;
        *b = '\0';
        int match = 0;
        if (!*c) {
            match = a[1] == '\0';
        } else {
            char *save = NULL;
            for (char *t = strtok_r(a + 1, ",", &save); t && !match;
                 t = strtok_r(NULL, ",", &save))
                match = strcmp(t, c) == 0;
        }
        if (match) {
            snprintf(out, n, "%s", strcmp(b + 1, "/") ? b + 1 : "");
            return 0;
        }
    }
    return -1;
}

/* Makes directory path (a cgroup), or finds it made already by a
 * controller mounted beside another (cpu,cpuacct). */
static int make_dir(const char *path)
{
    struct stat st;
    if (mkdir(path, 0755) == 0)
        return 0;
    return errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 0
                                                                          : -1;
}

/* Writes controller i's limits into its directory d. */
static int write_limits(int i, int v2, const char *d, const sb_cg_limits *l)
{
    char f[4096], v[64];
    if ((i == SB_CG_MEM && !l->mem) || (i == SB_CG_CPU && !l->cpus))
        return 0; /* no limit asked: the controller only counts */
    switch (i) {
    case SB_CG_PIDS:
        snprintf(v, sizeof v, "%" PRIu64, l->pids);
        return write_str(cg_file(f, sizeof f, d, "pids.max"), v);
    case SB_CG_MEM:
        snprintf(v, sizeof v, "%" PRIu64, l->mem);
        if (v2) {
            write_str(cg_file(f, sizeof f, d, "memory.swap.max"), "0");
            return write_str(cg_file(f, sizeof f, d, "memory.max"), v);
        }
        if (write_str(cg_file(f, sizeof f, d, "memory.limit_in_bytes"), v))
            return -1;
        /* no swap beyond the limit where the kernel counts it */
        write_str(cg_file(f, sizeof f, d, "memory.memsw.limit_in_bytes"), v);
        return 0;
    case SB_CG_CPU:
        if (v2) {
            snprintf(v, sizeof v, "%" PRIu64 " 100000",
                     (uint64_t)l->cpus * 100000);
            return write_str(cg_file(f, sizeof f, d, "cpu.max"), v);
        }
        snprintf(v, sizeof v, "%" PRIu64, (uint64_t)l->cpus * 100000);
        if (write_str(cg_file(f, sizeof f, d, "cpu.cfs_period_us"), "100000"))
            return -1;
        return write_str(cg_file(f, sizeof f, d, "cpu.cfs_quota_us"), v);
    default:
        return 0;
    }
}

/* The file that shows controller i is there in a v2 directory. */
static const char *v2_probe(int i)
{
    static const char *const f[SB_CG_N] = {"pids.max", "memory.max", "cpu.max",
                                           "cpu.stat", "cgroup.freeze"};
    return f[i];
}

static atomic_int swept; /* the first sandbox of a process sweeps */

/* Removes the empty cgroups under parent that a provider which is gone
 * left ("cairn-sb-<pid>-<n>" with no process <pid>: a crash, a kill -9). */
static void sweep(const char *parent)
{
    DIR *d = opendir(parent);
    struct dirent *e;
    char path[4200];
    while (d && (e = readdir(d)) != NULL) {
        char *end;
        if (strncmp(e->d_name, "cairn-sb-", 9) != 0)
            continue;
        long pid = strtol(e->d_name + 9, &end, 10);
        if (*end != '-' || pid <= 0 || pid == (long)getpid() ||
            kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        snprintf(path, sizeof path, "%s/%s", parent, e->d_name);
        rmdir(path); /* refused while it has processes */
    }
    if (d)
        closedir(d);
}

static void make_v2(sb_cg *cg, const char *name, const sb_cg_limits *l,
                    char *why, size_t len)
{
    char own[2048], dir[4096], f[4200];
    if (own_path("", own, sizeof own)) {
        snprintf(why, len, "no v2 cgroup in /proc/self/cgroup");
        return;
    }
    snprintf(dir, sizeof dir, CG_ROOT "%s", own);
    if (atomic_exchange(&swept, 1) == 0)
        sweep(dir);
    /* lend the controllers to our children (refused where our cgroup has
     * processes of its own and is not the root: then none are made) */
    for (int i = 0; i < SB_CG_N; i++)
        if (i == SB_CG_PIDS || i == SB_CG_MEM || i == SB_CG_CPU) {
            char plus[16];
            snprintf(plus, sizeof plus, "+%s", cg_names[i]);
            write_str(cg_file(f, sizeof f, dir, "cgroup.subtree_control"),
                      plus);
        }
    snprintf(dir, sizeof dir, CG_ROOT "%s/%s", own, name);
    if (make_dir(dir)) {
        snprintf(why, len, "mkdir %s: %s", dir, strerror(errno));
        return;
    }
    cg->v2 = 1;
    for (int i = 0; i < SB_CG_N; i++) {
        if (access(cg_file(f, sizeof f, dir, v2_probe(i)), F_OK) != 0 ||
            write_limits(i, 1, dir, l) != 0)
            continue;
        cg->dir[i] = strdup(dir);
    }
    cg->procs_fd[0] =
        open(cg_file(f, sizeof f, dir, "cgroup.procs"), O_WRONLY | O_CLOEXEC);
}

static void make_v1(sb_cg *cg, const char *name, const sb_cg_limits *l,
                    char *why, size_t len)
{
    char own[2048], dir[4096], f[4200];
    int first = atomic_exchange(&swept, 1) == 0;
    for (int i = 0; i < SB_CG_N; i++) {
        if (own_path(cg_names[i], own, sizeof own)) {
            snprintf(why, len, "no %s cgroup in /proc/self/cgroup",
                     cg_names[i]);
            continue;
        }
        if (first) {
            snprintf(dir, sizeof dir, CG_ROOT "/%s%s", cg_names[i], own);
            sweep(dir);
        }
        snprintf(dir, sizeof dir, CG_ROOT "/%s%s/%s", cg_names[i], own, name);
        if (make_dir(dir)) {
            snprintf(why, len, "mkdir %s: %s", dir, strerror(errno));
            continue;
        }
        if (write_limits(i, 0, dir, l) != 0) {
            snprintf(why, len, "%s limits: %s", cg_names[i], strerror(errno));
            rmdir(dir);
            continue;
        }
        cg->dir[i] = strdup(dir);
        cg->procs_fd[i] = open(cg_file(f, sizeof f, dir, "cgroup.procs"),
                               O_WRONLY | O_CLOEXEC);
    }
}

void sb_cg_make(sb_cg *cg, const char *name, const sb_cg_limits *l, char *why,
                size_t len)
{
    memset(cg, 0, sizeof *cg);
    for (int i = 0; i < SB_CG_N; i++)
        cg->procs_fd[i] = -1;
    snprintf(why, len, "none tried");
    const char *env = getenv("CAIRN_SANDBOX_CGROUPS");
    if (env && strcmp(env, "off") == 0) { /* tests of the fallback */
        snprintf(why, len, "CAIRN_SANDBOX_CGROUPS=off");
        return;
    }
    if (access(CG_ROOT "/cgroup.controllers", F_OK) == 0)
        make_v2(cg, name, l, why, len);
    else
        make_v1(cg, name, l, why, len);
}

int sb_cg_join(const sb_cg *cg)
{
    for (int i = 0; i < SB_CG_N; i++)
        if (cg->procs_fd[i] >= 0 && write(cg->procs_fd[i], "0", 1) != 1)
            return -1;
    return 0;
}

void sb_cg_close_fds(sb_cg *cg)
{
    for (int i = 0; i < SB_CG_N; i++) {
        if (cg->procs_fd[i] >= 0)
            close(cg->procs_fd[i]);
        cg->procs_fd[i] = -1;
    }
}

int sb_cg_freeze(const sb_cg *cg, int on)
{
    const char *d = cg->dir[SB_CG_FREEZER];
    char f[4200], buf[256];
    if (!d)
        return -1;
    const char *file = cg->v2 ? "cgroup.freeze" : "freezer.state";
    if (write_str(cg_file(f, sizeof f, d, file),
                  cg->v2 ? (on ? "1" : "0") : (on ? "FROZEN" : "THAWED")))
        return -1;
    /* v1 goes FREEZING then FROZEN; v2 says "frozen 1" in cgroup.events */
    for (int tries = 0; tries < 500; tries++) {
        if (cg->v2) {
            read_small(cg_file(f, sizeof f, d, "cgroup.events"), buf,
                       sizeof buf);
            if (strstr(buf, on ? "frozen 1" : "frozen 0"))
                return 0;
        } else {
            read_small(cg_file(f, sizeof f, d, file), buf, sizeof buf);
            if (strncmp(buf, on ? "FROZEN" : "THAWED", 6) == 0)
                return 0;
        }
        sleep_ms(10);
    }
    if (on) /* not half frozen: the caller falls back to signals */
        write_str(cg_file(f, sizeof f, d, file), cg->v2 ? "0" : "THAWED");
    return -1;
}

int sb_cg_count(const sb_cg *cg)
{
    char f[4200], buf[8192];
    const char *d = cg->dir[SB_CG_PIDS];
    for (int i = 0; !d && i < SB_CG_N; i++)
        d = cg->dir[i];
    if (!d)
        return -1;
    int fd =
        open(cg_file(f, sizeof f, d, "cgroup.procs"), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int n = 0;
    ssize_t r;
    while ((r = read(fd, buf, sizeof buf)) > 0)
        for (ssize_t k = 0; k < r; k++)
            n += buf[k] == '\n';
    close(fd);
    return n;
}

/* The number after `key` in the text of file f, or 0. */
static uint64_t read_key(const char *f, const char *key)
{
    char buf[4096];
    if (read_small(f, buf, sizeof buf) <= 0)
        return 0;
    const char *p = strstr(buf, key);
    return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

uint64_t sb_cg_cpu_ns(const sb_cg *cg)
{
    char f[4200], buf[64];
    if (cg->v2 && cg->dir[SB_CG_CPUACCT])
        return read_key(
                   cg_file(f, sizeof f, cg->dir[SB_CG_CPUACCT], "cpu.stat"),
                   "usage_usec ") *
               1000;
    if (!cg->dir[SB_CG_CPUACCT] ||
        read_small(
            cg_file(f, sizeof f, cg->dir[SB_CG_CPUACCT], "cpuacct.usage"), buf,
            sizeof buf) <= 0)
        return UINT64_MAX;
    return strtoull(buf, NULL, 10);
}

uint64_t sb_cg_oom_kills(const sb_cg *cg)
{
    char f[4200];
    const char *d = cg->dir[SB_CG_MEM];
    if (!d)
        return 0;
    return cg->v2
               ? read_key(cg_file(f, sizeof f, d, "memory.events"), "oom_kill ")
               : read_key(cg_file(f, sizeof f, d, "memory.oom_control"),
                          "oom_kill ");
}

void sb_cg_names(const sb_cg *cg, char *out, size_t len)
{
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < SB_CG_N; i++)
        if (cg->dir[i] && n < len)
            n += (size_t)snprintf(out + n, len - n, "%s%s", n ? " " : "",
                                  cg_names[i]);
}

void sb_cg_remove(sb_cg *cg)
{
    sb_cg_close_fds(cg);
    for (int i = 0; i < SB_CG_N; i++) {
        if (!cg->dir[i])
            continue;
        int seen = 0; /* v2: one directory for all */
        for (int j = 0; j < i; j++)
            seen |= cg->dir[j] && strcmp(cg->dir[j], cg->dir[i]) == 0;
        /* the kernel lets go of a cgroup a moment after its last exit */
        for (int tries = 0; !seen && tries < 200; tries++) {
            if (rmdir(cg->dir[i]) == 0 || errno == ENOENT)
                break;
            sleep_ms(10);
        }
    }
    for (int i = 0; i < SB_CG_N; i++) {
        free(cg->dir[i]);
        cg->dir[i] = NULL;
    }
}
