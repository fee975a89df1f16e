/* Starting a sandbox (cairn_sandbox_start): everything is prepared in the
 * parent (bwrap's arguments, cgroups, pipes, limits), then a forked child
 * joins the cgroups, and, when we run as root, stages the work directory
 * (and the forwarder) in a private mount namespace where the lease's uid
 * can reach them wherever the provider keeps them, sets the rlimits, takes
 * the lease's uid and executes bwrap, which then runs unprivileged in a
 * user namespace of its own. The child calls only async-signal-safe
 * functions. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compute/sandbox_int.h"
#include "core/log.h"

#define STAGE "/tmp" /* covered, in the child's own mount namespace only */
#define STAGE_WORK STAGE "/cairn-work"
#define STAGE_FWD STAGE "/cairn-forward"

/* What the child does, all decided before the fork. */
typedef struct plan {
    const char *bwrap;
    char **argv;
    int devnull, log_w, status_w, err_w;
    int block_r; /* not root: bwrap's --block-fd, at fd 5 */
    int root;    /* stage, and take uid */
    uid_t uid;
    const char *workdir;   /* staged when root */
    const char *forwarder; /* staged when root and a port: else NULL */
    const sb_cg *cg;
    struct rlimit as, nproc, cpu, fsize, nofile;
    int set_as, set_nproc, set_cpu, set_fsize;
    cpu_set_t cpus;
    int set_cpus;
} plan;

typedef struct child_err {
    int err;
    char step[60];
} child_err;

static _Noreturn void child_fail(int fd, const char *step)
{
    child_err m;
    memset(&m, 0, sizeof m);
    m.err = errno;
    for (size_t i = 0; step[i] && i + 1 < sizeof m.step; i++)
        m.step[i] = step[i];
    if (write(fd, &m, sizeof m) < 0) {
        /* the parent sees the exec fail without a reason */
    }
    _exit(127);
}

/* "/proc/self/fd/<fd>" into out (64 bytes), async-signal-safe. */
static void fd_path(char *out, int fd)
{
    static const char pre[] = "/proc/self/fd/";
    char digits[16];
    int n = 0;
    do
        digits[n++] = (char)('0' + fd % 10);
    while ((fd /= 10) > 0 && n < 15);
    memcpy(out, pre, sizeof pre - 1);
    for (int i = 0; i < n; i++)
        out[sizeof pre - 1 + i] = digits[n - 1 - i];
    out[sizeof pre - 1 + n] = '\0';
}

/* Binds path (opened in this mount namespace: a mount of another one
 * cannot be bound) at dest. */
static void bind_at(const plan *p, const char *path, const char *dest,
                    unsigned long flags, const char *step)
{
    char src[64];
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0)
        child_fail(p->err_w, step);
    fd_path(src, fd);
    if (mount(src, dest, NULL, MS_BIND | flags, NULL) != 0)
        child_fail(p->err_w, step);
    close(fd);
}

/* The work directory (and the forwarder) bound under a fresh tmpfs at
 * STAGE, reachable by the lease's uid whatever modes the directories above
 * them have. Both are opened before the tmpfs covers STAGE (they may be
 * under it) and bound through their descriptors after. */
static void stage(const plan *p)
{
    char wsrc[64], fsrc[64];
    if (unshare(CLONE_NEWNS) != 0)
        child_fail(p->err_w, "unshare mount namespace");
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        child_fail(p->err_w, "make mounts private");
    int wfd = open(p->workdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    int ffd = p->forwarder ? open(p->forwarder, O_PATH | O_CLOEXEC) : -1;
    if (wfd < 0 || (p->forwarder && ffd < 0))
        child_fail(p->err_w, "open the work directory or the forwarder");
    fd_path(wsrc, wfd);
    fd_path(fsrc, ffd);
    if (mount("cairn-stage", STAGE, "tmpfs", MS_NOSUID | MS_NODEV,
              "mode=0755,size=64k") != 0)
        child_fail(p->err_w, "mount tmpfs on " STAGE);
    if (mkdir(STAGE_WORK, 0755) != 0)
        child_fail(p->err_w, "mkdir " STAGE_WORK);
    bind_at(p, wsrc, STAGE_WORK, MS_REC, "bind the work directory");
    close(wfd);
    if (ffd < 0)
        return;
    int fd = open(STAGE_FWD, O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
    if (fd < 0 || close(fd) != 0)
        child_fail(p->err_w, "make " STAGE_FWD);
    bind_at(p, fsrc, STAGE_FWD, 0, "bind the forwarder");
    close(ffd);
}

static void set_limits(const plan *p)
{
    static const struct rlimit zero = {0, 0};
    setrlimit(RLIMIT_CORE, &zero);
    if ((p->set_as && setrlimit(RLIMIT_AS, &p->as)) ||
        (p->set_nproc && setrlimit(RLIMIT_NPROC, &p->nproc)) ||
        (p->set_cpu && setrlimit(RLIMIT_CPU, &p->cpu)) ||
        (p->set_fsize && setrlimit(RLIMIT_FSIZE, &p->fsize)) ||
        setrlimit(RLIMIT_NOFILE, &p->nofile))
        child_fail(4, "setrlimit");
    if (p->set_cpus && sched_setaffinity(0, sizeof p->cpus, &p->cpus))
        child_fail(4, "sched_setaffinity");
}

static _Noreturn void child_run(const plan *p)
{
    static char *const no_env[] = {NULL};
    struct sigaction dfl;
    sigset_t none;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int i = 1; i < NSIG; i++) /* an ignored SIGPIPE would be kept */
        sigaction(i, &dfl, NULL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    setpgid(0, 0); /* the provider's terminal signals are the provider's */
    if (sb_cg_join(p->cg) != 0)
        child_fail(p->err_w, "join the cgroups");
    if (p->root)
        stage(p);
    if (dup2(p->devnull, 0) < 0 || dup2(p->log_w, 1) < 0 ||
        dup2(p->log_w, 2) < 0 || dup2(p->status_w, 3) < 0 ||
        (p->block_r >= 0 && dup2(p->block_r, 5) < 0) ||
        dup3(p->err_w, 4, O_CLOEXEC) < 0)
        child_fail(p->err_w, "dup2");
    /* nothing of the provider's (sockets, databases) goes in */
    if (p->block_r < 0)
        close(5);
    if (syscall(SYS_close_range, 6U, ~0U, 0U) != 0)
        for (int fd = 6; fd < 65536; fd++)
            close(fd);
    set_limits(p);
    /* raw system calls: glibc's wrappers would tell the provider's threads,
     * whose memory this child shares (spawn) */
    if (p->root && (syscall(SYS_setgroups, 0, NULL) != 0 ||
                    syscall(SYS_setresgid, p->uid, p->uid, p->uid) != 0 ||
                    syscall(SYS_setresuid, p->uid, p->uid, p->uid) != 0))
        child_fail(4, "set the lease's uid");
    execve(p->bwrap, p->argv, no_env);
    child_fail(4, "exec bwrap");
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SB_SPAWN_FORK 1 /* a sanitizer's runtime expects fork */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SB_SPAWN_FORK 1
#endif
#endif

#ifndef SB_SPAWN_FORK
static int child_entry(void *arg)
{
    child_run(arg);
}
#endif

/* Starts the child. Like posix_spawn it shares the provider's memory
 * (CLONE_VM | CLONE_VFORK: nothing is copied, which counts for a large
 * provider) on a stack of its own, with every signal blocked until it has
 * set them all to their defaults; the calling thread waits until the child
 * has executed bwrap or failed. */
static pid_t spawn(plan *p)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
#ifdef SB_SPAWN_FORK
    pid_t pid = fork();
    if (pid == 0)
        child_run(p);
#else
    size_t size = 256 * 1024;
    pid_t pid = -1;
    void *stack = mmap(NULL, size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack != MAP_FAILED) {
        pid = clone(child_entry, (char *)stack + size,
                    CLONE_VM | CLONE_VFORK | SIGCHLD, p);
        int saved = errno;
        munmap(stack, size);
        errno = saved;
    }
#endif
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = saved;
    return pid;
}

/* fd moved to a number >= 10 (so that the child's dup2 to 0..4 cannot
 * clobber it), close-on-exec. */
static int high(int fd)
{
    if (fd < 0)
        return -1;
    int h = fcntl(fd, F_DUPFD_CLOEXEC, 10);
    close(fd);
    return h;
}

static const char *find_bwrap(void)
{
    static const char *const paths[] = {"/usr/bin/bwrap", "/bin/bwrap",
                                        "/usr/local/bin/bwrap", NULL};
    const char *env = getenv("CAIRN_BWRAP");
    if (env && *env)
        return access(env, X_OK) == 0 ? env : NULL;
    for (size_t i = 0; paths[i]; i++)
        if (access(paths[i], X_OK) == 0)
            return paths[i];
    return NULL;
}

static int fail(char *msg, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *msg, size_t len, const char *fmt, ...)
{
    va_list ap;
    if (msg && len) {
        va_start(ap, fmt);
        vsnprintf(msg, len, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Checks what cfg names. 0, or -1 with msg. */
static int check_cfg(const cairn_sandbox_cfg *cfg, char *msg, size_t len)
{
    struct stat st;
    if (!cfg->workdir || stat(cfg->workdir, &st) != 0 || !S_ISDIR(st.st_mode))
        return fail(msg, len, "work directory %s: not a directory",
                    cfg->workdir ? cfg->workdir : "(none)");
    if (!cfg->argv || !cfg->argv[0] || !cfg->argv[0][0])
        return fail(msg, len, "no command to run");
    if (!cfg->log_path)
        return fail(msg, len, "no log file");
    if (!cfg->port)
        return 0;
    size_t n = strlen(cfg->workdir);
    if (!cfg->port_sock || strncmp(cfg->port_sock, cfg->workdir, n) != 0 ||
        cfg->port_sock[n] != '/' || strstr(cfg->port_sock + n, "/../") ||
        strlen(cfg->port_sock + n) > 100)
        return fail(msg, len,
                    "the port's socket must be a path inside the "
                    "work directory");
    if (!cfg->forwarder || access(cfg->forwarder, X_OK) != 0)
        return fail(msg, len, "the forwarder %s is not an executable",
                    cfg->forwarder ? cfg->forwarder : "(none)");
    return 0;
}

/* The rlimits and the CPU set of p, for what cgroups do not cover. */
static void plan_limits(plan *p, const cairn_sandbox_cfg *cfg,
                        const cairn_sandbox *s, uint32_t procs, ino_t ino)
{
    struct rlimit cur;
    p->set_as = !s->cg.dir[SB_CG_MEM] && cfg->mem_bytes;
    p->as.rlim_cur = p->as.rlim_max = cfg->mem_bytes;
    /* root: counted per uid, the lease's own, from here on; else set on
     * the namespace's init before its first fork (nproc_init) */
    p->set_nproc = p->root;
    p->nproc.rlim_cur = p->nproc.rlim_max = procs + SB_EXTRA_PROCS;
    p->set_cpu = cfg->cpu_seconds > 0;
    p->cpu.rlim_cur = cfg->cpu_seconds; /* SIGXCPU, then SIGKILL 1 s on */
    p->cpu.rlim_max = cfg->cpu_seconds + 1;
    p->set_fsize = cfg->disk_bytes > 0;
    p->fsize.rlim_cur = p->fsize.rlim_max = cfg->disk_bytes;
    getrlimit(RLIMIT_NOFILE, &cur);
    p->nofile.rlim_cur = p->nofile.rlim_max =
        cur.rlim_max < 4096 ? cur.rlim_max : 4096;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    CPU_ZERO(&p->cpus);
    if (!s->cg.dir[SB_CG_CPU] && cfg->cpus && ncpu > 0 &&
        cfg->cpus < (uint64_t)ncpu && ncpu <= CPU_SETSIZE) {
        p->set_cpus = 1; /* no quota: this many cores, spread by lease */
        for (uint32_t i = 0; i < cfg->cpus; i++)
            CPU_SET((int)((ino + i) % (unsigned long)ncpu), &p->cpus);
    }
}

/* s->how, and one log line per process saying how limits are enforced. */
static void describe(cairn_sandbox *s, const plan *p, const char *cg_why)
{
    static atomic_int said;
    char names[96];
    size_t n = 0;
    sb_cg_names(&s->cg, names, sizeof names);
    if (names[0])
        n = (size_t)snprintf(s->how, sizeof s->how, "cgroup %s (%s); ",
                             s->cg.v2 ? "v2" : "v1", names);
    snprintf(s->how + n, sizeof s->how - n,
             "rlimits (%snproc cpu fsize nofile)%s%s", p->set_as ? "as " : "",
             p->root ? "; own uid" : "", names[0] ? "" : "; no cgroups");
    if (atomic_exchange(&said, 1) == 0)
        log_line(NULL, "sandbox", "limits by %s%s%s", s->how,
                 names[0] ? "" : ": ", names[0] ? "" : cg_why);
}

/* Reads the child's report of a failure before exec; 0 when it exec'd. */
static int child_report(int fd, char *msg, size_t len)
{
    child_err m;
    ssize_t r;
    do
        r = read(fd, &m, sizeof m);
    while (r < 0 && errno == EINTR);
    if (r != (ssize_t)sizeof m)
        return 0;
    m.step[sizeof m.step - 1] = '\0';
    return fail(msg, len, "sandbox: %s: %s", m.step, strerror(m.err));
}

/* Reads bwrap's first status line ({"child-pid": N, ...}), 10 s at most.
 * 0 when it came. */
static int read_first_status(cairn_sandbox *s)
{
    int64_t end = log_now_ms() + 10000;
    while (!memchr(s->status, '\n', s->status_len)) {
        struct pollfd p = {s->status_fd, POLLIN, 0};
        int64_t left = end - log_now_ms();
        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            return -1;
        ssize_t r = read(s->status_fd, s->status + s->status_len,
                         sizeof s->status - 1 - s->status_len);
        if (r <= 0)
            return -1;
        s->status_len += (size_t)r;
        s->status[s->status_len] = '\0';
    }
    const char *pid = strstr(s->status, "\"child-pid\":");
    const char *ns = strstr(s->status, "\"pid-namespace\":");
    if (!pid)
        return -1;
    s->init = (pid_t)strtol(pid + 12, NULL, 10);
    s->pidns = ns ? strtoul(ns + 16, NULL, 10) : 0;
    return s->init > 0 ? 0 : -1;
}

/* bwrap ended before it reported its child: what it said goes into msg
 * (and the log). */
static void bwrap_failed(cairn_sandbox *s, char *msg, size_t len)
{
    char buf[4096];
    ssize_t n = 0, r;
    int st;
    kill(s->pid, SIGKILL); /* our child, not reaped: its pid is still its */
    waitpid(s->pid, &st, 0);
    s->reaped = 1;
    s->exit_code = 127;
    fcntl(s->log_r, F_SETFL, O_NONBLOCK);
    while (n < (ssize_t)sizeof buf - 1 &&
           (r = read(s->log_r, buf + n, sizeof buf - 1 - (size_t)n)) > 0)
        n += r;
    buf[n] = '\0';
    sb_log_write(s, buf, (size_t)n);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    fail(msg, len, "bwrap could not start the sandbox: %s",
         n ? buf : "it exited without saying why");
}

/* The parts of the plan that are files: pipes, /dev/null, the staging
 * descriptors. 0, or -1 with msg. */
static int plan_fds(plan *p, cairn_sandbox *s, const cairn_sandbox_cfg *cfg,
                    int *err_r, char *msg, size_t len)
{
    int lp[2], sp[2], ep[2];
    if (pipe2(lp, O_CLOEXEC) != 0)
        return fail(msg, len, "pipe: %s", strerror(errno));
    s->log_r = lp[0];
    p->log_w = high(lp[1]);
    if (pipe2(sp, O_CLOEXEC) != 0)
        return fail(msg, len, "pipe: %s", strerror(errno));
    s->status_fd = sp[0];
    p->status_w = high(sp[1]);
    if (pipe2(ep, O_CLOEXEC) != 0)
        return fail(msg, len, "pipe: %s", strerror(errno));
    *err_r = ep[0];
    p->err_w = high(ep[1]);
    p->devnull = high(open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!p->root) {
        int bp[2];
        if (pipe2(bp, O_CLOEXEC) != 0)
            return fail(msg, len, "pipe: %s", strerror(errno));
        p->block_r = high(bp[0]);
        s->block_w = bp[1];
        if (p->block_r < 0)
            return fail(msg, len, "pipe: %s", strerror(errno));
    }
    p->workdir = s->workdir;
    p->forwarder = cfg->port ? cfg->forwarder : NULL;
    if (p->log_w < 0 || p->status_w < 0 || p->err_w < 0 || p->devnull < 0)
        return fail(msg, len, "open: %s", strerror(errno));
    return 0;
}

static void plan_close(plan *p)
{
    int *fds[] = {&p->log_w, &p->status_w, &p->err_w, &p->devnull, &p->block_r};
    for (size_t i = 0; i < sizeof fds / sizeof *fds; i++) {
        if (*fds[i] >= 0)
            close(*fds[i]);
        *fds[i] = -1;
    }
}

/* The work directory's owner, the log file and the cgroups. */
static int prepare(cairn_sandbox *s, plan *p, const cairn_sandbox_cfg *cfg,
                   uint32_t procs, char *why, size_t wlen, char *msg,
                   size_t len)
{
    static atomic_uint seq;
    char name[64];
    struct stat st;
    if (p->root && sb_chown_tree(s->workdir, p->uid) != 0)
        return fail(msg, len,
                    "work directory %s: cannot give it to uid %u: "
                    "%s",
                    s->workdir, (unsigned)p->uid, strerror(errno));
    s->log_fd =
        open(cfg->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (s->log_fd < 0 || fstat(s->log_fd, &st) != 0)
        return fail(msg, len, "log file %s: %s", cfg->log_path,
                    strerror(errno));
    s->log_size = (uint64_t)st.st_size;
    snprintf(name, sizeof name, "cairn-sb-%d-%u", (int)getpid(),
             atomic_fetch_add(&seq, 1));
    sb_cg_limits l = {procs + SB_EXTRA_PROCS, cfg->mem_bytes, cfg->cpus};
    sb_cg_make(&s->cg, name, &l, why, wlen);
    if (cfg->cpu_seconds && s->cg.dir[SB_CG_CPUACCT])
        s->cpu_ns = cfg->cpu_seconds > UINT64_MAX / 1000000000u
                        ? UINT64_MAX
                        : cfg->cpu_seconds * 1000000000u;
    return 0;
}

/* Not root: the process limit goes on the namespace's init while bwrap
 * holds it before its first fork (--block-fd). RLIMIT_NPROC counts per
 * user and user namespace, so inside the sandbox's own namespace it counts
 * the sandbox's processes alone (and the provider's are not counted). */
static int nproc_init(cairn_sandbox *s, char *msg, size_t len)
{
    struct rlimit l = {s->nproc, s->nproc};
    if (s->init_fd < 0 || prlimit(s->init, RLIMIT_NPROC, &l, NULL) != 0)
        return fail(msg, len, "cannot limit the sandbox's processes: %s",
                    strerror(errno));
    if (write(s->block_w, "g", 1) != 1) /* bwrap goes on */
        return fail(msg, len, "cannot release bwrap: %s", strerror(errno));
    close(s->block_w);
    s->block_w = -1;
    return 0;
}

/* After the fork: the child's report, bwrap's first status, the watcher. */
static cairn_err started(cairn_sandbox *s, int err_r, char *msg, size_t len)
{
    int bad = child_report(err_r, msg, len);
    close(err_r);
    if (bad) {
        waitpid(s->pid, NULL, 0);
        s->reaped = 1;
        return CAIRN_ERR_SANDBOX;
    }
    if (read_first_status(s) != 0) {
        bwrap_failed(s, msg, len);
        return CAIRN_ERR_SANDBOX;
    }
    if (!s->pidns) { /* a bwrap that does not say: ask the kernel */
        char path[64], link[64];
        snprintf(path, sizeof path, "/proc/%d/ns/pid", (int)s->init);
        ssize_t n = readlink(path, link, sizeof link - 1);
        link[n > 0 ? n : 0] = '\0';
        const char *b = strchr(link, '[');
        s->pidns = b ? strtoul(b + 1, NULL, 10) : 0;
    }
    s->init_fd = sb_pidfd(s->init, s->pidns);
    if (s->block_w >= 0 && nproc_init(s, msg, len) != 0)
        return CAIRN_ERR_SANDBOX;
    fcntl(s->status_fd, F_SETFL, O_NONBLOCK);
    if (sb_watch_start(s) != 0) {
        fail(msg, len, "cannot start the sandbox's watcher thread");
        return CAIRN_ERR_SANDBOX;
    }
    return CAIRN_OK;
}

static cairn_err launch(cairn_sandbox *s, const cairn_sandbox_cfg *cfg,
                        const char *bwrap, char *msg, size_t len)
{
    plan p;
    sb_argv a;
    struct stat st;
    char why[256];
    int err_r = -1;
    memset(&p, 0, sizeof p);
    p.log_w = p.status_w = p.err_w = p.devnull = p.block_r = -1;
    p.bwrap = bwrap;
    p.cg = &s->cg;
    p.root = geteuid() == 0;
    uint32_t procs = cfg->max_procs ? cfg->max_procs : 64;
    s->nproc = procs + SB_EXTRA_PROCS;
    if (stat(s->workdir, &st) != 0) {
        fail(msg, len, "work directory %s: %s", s->workdir, strerror(errno));
        return CAIRN_ERR_SANDBOX;
    }
    p.uid = cfg->uid ? cfg->uid : (uid_t)(60000 + st.st_ino % 5000);
    if (prepare(s, &p, cfg, procs, why, sizeof why, msg, len) != 0 ||
        plan_fds(&p, s, cfg, &err_r, msg, len) != 0) {
        plan_close(&p);
        if (err_r >= 0)
            close(err_r);
        return CAIRN_ERR_SANDBOX;
    }
    plan_limits(&p, cfg, s, procs, st.st_ino);
    sb_argv_build(&a, bwrap, cfg, p.root ? STAGE_WORK : s->workdir,
                  p.root ? STAGE_FWD : cfg->forwarder, 3, p.root ? -1 : 5);
    p.argv = a.v;
    describe(s, &p, why);
    pid_t pid = a.oom ? -1 : spawn(&p);
    int saved = errno;
    plan_close(&p);
    sb_cg_close_fds(&s->cg);
    sb_argv_free(&a);
    if (pid < 0) {
        close(err_r);
        fail(msg, len, "fork: %s", strerror(saved));
        return CAIRN_ERR_SANDBOX;
    }
    s->pid = pid;
    return started(s, err_r, msg, len);
}

cairn_err cairn_sandbox_start(cairn_sandbox **out, const cairn_sandbox_cfg *cfg,
                              char *msg, size_t len)
{
    *out = NULL;
    if (msg && len)
        msg[0] = '\0';
    if (check_cfg(cfg, msg, len) != 0)
        return CAIRN_ERR_SANDBOX;
    const char *bwrap = find_bwrap();
    if (!bwrap) {
        fail(msg, len,
             "bwrap not found: install bubblewrap (Debian: "
             "apt-get install bubblewrap), or set CAIRN_BWRAP to "
             "its path");
        return CAIRN_ERR_SANDBOX;
    }
    cairn_sandbox *s = sb_alloc(cfg);
    if (!s)
        return CAIRN_ERR_NOMEM;
    cairn_err e = launch(s, cfg, bwrap, msg, len);
    if (e != CAIRN_OK) {
        sb_release(s);
        return e;
    }
    *out = s;
    return CAIRN_OK;
}
