/* bwrap's command line for one sandbox (compute/sandbox.h has the
 * layout): new namespaces of every kind (the network's too: no network but
 * its own loopback), the system read-only, fresh /proc, /dev, /tmp and
 * /dev/shm (these two sized, as they live in memory), the work directory at
 * /work, a root that is read-only, a clean environment; and with a port,
 * the forwarder started beside the workload by a one-line shell. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compute/sandbox_int.h"

static void add(sb_argv *a, const char *s)
{
    if (a->oom)
        return;
    if (a->n + 2 > a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        char **v = realloc(a->v, cap * sizeof *v);
        if (!v) {
            a->oom = 1;
            return;
        }
        a->v = v;
        a->cap = cap;
    }
    if (!(a->v[a->n] = strdup(s))) {
        a->oom = 1;
        return;
    }
    a->v[++a->n] = NULL;
}

static void add2(sb_argv *a, const char *x, const char *y)
{
    add(a, x);
    add(a, y);
}

static void add3(sb_argv *a, const char *x, const char *y, const char *z)
{
    add(a, x);
    add(a, y);
    add(a, z);
}

/* The system's directories, read-only; a merged-/usr link stays a link. */
static void add_system(sb_argv *a)
{
    static const char *const dirs[] = {"/usr",   "/etc",    "/bin",
                                       "/sbin",  "/lib",    "/lib64",
                                       "/lib32", "/libx32", NULL};
    for (size_t i = 0; dirs[i]; i++) {
        struct stat st;
        char target[256];
        if (lstat(dirs[i], &st) != 0)
            continue;
        if (S_ISLNK(st.st_mode)) {
            ssize_t n = readlink(dirs[i], target, sizeof target - 1);
            if (n <= 0)
                continue;
            target[n] = '\0';
            add3(a, "--symlink", target, dirs[i]);
        } else if (S_ISDIR(st.st_mode)) {
            add3(a, "--ro-bind", dirs[i], dirs[i]);
        }
    }
}

/* A tmpfs of at most bytes at dest. */
static void add_tmpfs(sb_argv *a, uint64_t bytes, const char *dest)
{
    char size[32];
    if (bytes < (1u << 20))
        bytes = 1u << 20;
    snprintf(size, sizeof size, "%" PRIu64, bytes);
    add2(a, "--size", size);
    add2(a, "--tmpfs", dest);
}

static void add_env(sb_argv *a, const cairn_sandbox_cfg *cfg)
{
    add(a, "--clearenv");
    add3(a, "--setenv", "PATH",
         "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    add3(a, "--setenv", "HOME", "/work");
    for (size_t i = 0; cfg->env && cfg->env[i]; i++) {
        const char *eq = strchr(cfg->env[i], '=');
        char *name =
            eq ? strndup(cfg->env[i], (size_t)(eq - cfg->env[i])) : NULL;
        if (!eq) /* not K=V: left out */
            continue;
        if (!name) {
            a->oom = 1;
            return;
        }
        add3(a, "--setenv", name, eq + 1);
        free(name);
    }
}

/* The command: the workload's argv, started by sh beside the forwarder
 * when a port is published (the values come as sh's arguments, never as
 * its script, so that nothing in them is read as shell). */
static void add_command(sb_argv *a, const cairn_sandbox_cfg *cfg)
{
    add(a, "--");
    if (cfg->port) {
        char sock[4200], port[8];
        snprintf(sock, sizeof sock, "/work/%s",
                 cfg->port_sock + strlen(cfg->workdir) + 1);
        snprintf(port, sizeof port, "%u", (unsigned)cfg->port);
        add3(a, "/bin/sh", "-c",
             "f=$1 s=$2 p=$3; shift 3; \"$f\" sandbox-forward \"$s\" \"$p\" & "
             "exec \"$@\"");
        add(a, "sh");
        add3(a, SB_FWD_PATH, sock, port);
    }
    for (size_t i = 0; cfg->argv[i]; i++)
        add(a, cfg->argv[i]);
}

void sb_argv_build(sb_argv *a, const char *bwrap, const cairn_sandbox_cfg *cfg,
                   const char *work_src, const char *fwd_src, int status_fd,
                   int block_fd)
{
    char fd[16];
    memset(a, 0, sizeof *a);
    add(a, bwrap);
    add3(a, "--die-with-parent", "--unshare-all", "--new-session");
    add2(a, "--hostname", "sandbox");
    add_system(a);
    add2(a, "--proc", "/proc");
    add2(a, "--dev", "/dev");
    add_tmpfs(a, cfg->mem_bytes, "/tmp");
    add_tmpfs(a, cfg->mem_bytes / 4, "/dev/shm");
    add2(a, "--remount-ro", "/dev");
    add3(a, "--bind", work_src, "/work");
    if (cfg->port)
        add3(a, "--ro-bind", fwd_src, SB_FWD_PATH);
    add2(a, "--remount-ro", "/");
    add2(a, "--chdir", "/work");
    add_env(a, cfg);
    snprintf(fd, sizeof fd, "%d", status_fd);
    add2(a, "--json-status-fd", fd);
    if (block_fd >= 0) {
        snprintf(fd, sizeof fd, "%d", block_fd);
        add2(a, "--block-fd", fd);
    }
    add_command(a, cfg);
}

void sb_argv_free(sb_argv *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
    memset(a, 0, sizeof *a);
}
