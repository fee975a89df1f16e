/* Tests of the compute sandbox (compute/sandbox*.c) with real workloads
 * under bubblewrap, hostile ones included: a fork bomb beside a second
 * lease, a memory hog, disk fillers, a process that reaches for the network
 * and for files outside its directory, one that ignores SIGTERM, a child
 * that daemonizes, pause and resume, the port forwarder, exit codes and the
 * log's cap; and the work directory's size and removal on a hostile tree.
 * Every wait is bounded; every sandbox is stopped by the test that started
 * it. Without bwrap (or without root, for the checks by uid) the tests say
 * why and skip. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "compute/sandbox.h"

#define MIB (1u << 20)

extern char **environ;

static char base[64];
static int have_bwrap, is_root;
static unsigned uid_next;

/* One lease's directory, log and configuration. */
typedef struct box {
    char dir[128], log[128], sock[160];
    const char *argv[8];
    cairn_sandbox_cfg cfg;
    cairn_sandbox *s;
} box;

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

#define NEED_BWRAP()                                                           \
    do {                                                                       \
        if (!have_bwrap) {                                                     \
            printf("skipped: bwrap is not installed (Debian: bubblewrap)\n");  \
            skip();                                                            \
        }                                                                      \
    } while (0)

/* A box named name running `sh -c script`, with small limits. */
static void box_init(box *b, const char *name, const char *script)
{
    memset(b, 0, sizeof *b);
    snprintf(b->dir, sizeof b->dir, "%s/%s", base, name);
    snprintf(b->log, sizeof b->log, "%s/%s.log", base, name);
    cairn_dir_remove(b->dir); /* a test run again (without_cgroups) */
    unlink(b->log);
    assert_int_equal(mkdir(b->dir, 0700), 0);
    b->argv[0] = "sh";
    b->argv[1] = "-c";
    b->argv[2] = script;
    b->cfg.workdir = b->dir;
    b->cfg.argv = b->argv;
    b->cfg.cpus = 1;
    b->cfg.mem_bytes = 64 * MIB;
    b->cfg.disk_bytes = 16 * MIB;
    b->cfg.log_path = b->log;
    b->cfg.max_procs = 32;
    /* a uid of its own per lease and per test process (two builds' tests
     * may run at once) */
    b->cfg.uid =
        (uid_t)(200000 + (unsigned)(getpid() % 20000) * 16 + uid_next++ % 16);
}

/* The sandboxes started and not yet stopped: a failed test's are freed by
 * its teardown. */
static cairn_sandbox *live[4];

static void box_start(box *b)
{
    char msg[512] = "";
    cairn_err e = cairn_sandbox_start(&b->s, &b->cfg, msg, sizeof msg);
    if (e != CAIRN_OK)
        fail_msg("start %s: %s", b->dir, msg);
    for (size_t i = 0; i < sizeof live / sizeof *live; i++)
        if (!live[i]) {
            live[i] = b->s;
            return;
        }
    fail_msg("more than %zu boxes at once", sizeof live / sizeof *live);
}

/* A test's teardown: stops what it left running (after a failure). */
static int stop_leftovers(void **st)
{
    unsetenv("CAIRN_SANDBOX_CGROUPS");
    for (size_t i = 0; i < sizeof live / sizeof *live; i++)
        if (live[i]) {
            cairn_sandbox_free(live[i]);
            live[i] = NULL;
        }
    return 0;
}

/* Waits (bounded: ms) for the sandbox to end; returns its exit code. */
static int box_wait(box *b, long ms)
{
    int code = -1;
    int64_t end = now_ms() + ms;
    while (!cairn_sandbox_poll(b->s, &code)) {
        if (now_ms() > end)
            fail_msg("%s still runs after %ld ms", b->dir, ms);
        sleep_ms(10);
    }
    return code;
}

/* The whole of a file into a new string (NULL when it is not there). */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *p = malloc(cap);
    assert_non_null(p);
    size_t r;
    while ((r = fread(p + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n - 1 == 0) {
            cap *= 2;
            p = realloc(p, cap);
            assert_non_null(p);
        }
    }
    fclose(f);
    p[n] = '\0';
    return p;
}

/* Waits (bounded) until the log of b holds needle. */
static void wait_log(const box *b, const char *needle, long ms)
{
    int64_t end = now_ms() + ms;
    for (;;) {
        char *log = slurp(b->log);
        int found = log && strstr(log, needle);
        if (found || now_ms() > end) {
            if (!found)
                fail_msg("log %s lacks \"%s\" after %ld ms:\n%s", b->log,
                         needle, ms, log ? log : "(none)");
            free(log);
            return;
        }
        free(log);
        sleep_ms(20);
    }
}

/* A number read from a file under b's directory (-1 when unreadable). */
static long read_num(const box *b, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", b->dir, name);
    char *s = slurp(path);
    long v = s && *s ? strtol(s, NULL, 10) : -1;
    free(s);
    return v;
}

/* Waits (bounded) until the counter file grows past v; returns it. */
static long wait_count_past(const box *b, const char *name, long v, long ms)
{
    int64_t end = now_ms() + ms;
    long c;
    while ((c = read_num(b, name)) <= v) {
        if (now_ms() > end)
            fail_msg("%s/%s stays at %ld after %ld ms", b->dir, name, c, ms);
        sleep_ms(20);
    }
    return c;
}

/* Live processes whose owner is uid (every process of a lease runs as its
 * uid when we are root). */
static int count_uid(uid_t uid)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        char path[300];
        struct stat st;
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s", e->d_name);
        if (stat(path, &st) != 0 || st.st_uid != uid)
            continue;
        /* a zombie has exited (bwrap's pid 1 may wait as one for the
         * host's init to reap it) */
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        char *line = slurp(path), *p = line ? strrchr(line, ')') : NULL;
        n += p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
        free(line);
    }
    closedir(d);
    return n;
}

/* Stops b, frees it, and checks that none of its processes is left. */
static void box_stop(box *b, int grace_ms)
{
    cairn_sandbox_stop(b->s, grace_ms);
    cairn_sandbox_stop(b->s, grace_ms); /* twice is fine */
    for (size_t i = 0; i < sizeof live / sizeof *live; i++)
        if (live[i] == b->s)
            live[i] = NULL;
    if (is_root)
        assert_int_equal(count_uid(b->cfg.uid), 0);
    cairn_sandbox_free(b->s);
    b->s = NULL;
}

/* ---- plain runs ---- */

static void exit_codes_and_env(void **st)
{
    NEED_BWRAP();
    box b;
    setenv("CAIRN_TEST_PROVIDER_SECRET", "provider-env", 1);
    /* descriptors of the provider's, not close-on-exec, stay out */
    int leak = open("/dev/null", O_RDONLY);
    assert_true(leak >= 0);
    assert_int_equal(dup2(leak, 5), 5);
    assert_int_equal(dup2(leak, 50), 50);
    box_init(&b, "exit",
             "echo \"FDS=$(ls /proc/self/fd | tr '\\n' ' ')\"; "
             "echo out; echo err >&2; "
             "echo \"A=$A HOME=$HOME PWD=$(pwd) "
             "S=${CAIRN_TEST_PROVIDER_SECRET-unset} ID=$(id -u)\"; "
             "exit 7");
    const char *env[] = {"A=1", NULL};
    b.cfg.env = env;
    box_start(&b);
    assert_true(cairn_sandbox_pid(b.s) > 0);
    printf("limits: %s\n", cairn_sandbox_limits(b.s));
    assert_int_equal(box_wait(&b, 30000), 7);
    assert_null(cairn_sandbox_limit_hit(b.s));
    box_stop(&b, 100);
    char *log = slurp(b.log), want[128];
    assert_non_null(strstr(log, "out\n"));
    assert_non_null(strstr(log, "err\n"));
    snprintf(want, sizeof want, "A=1 HOME=/work PWD=/work S=unset ID=%u",
             is_root ? (unsigned)b.cfg.uid : (unsigned)getuid());
    assert_non_null(strstr(log, want));
    assert_non_null(strstr(log, "FDS=0 1 2 3 \n"));
    free(log);
    close(leak);
    close(5);
    close(50);

    /* killed by a signal: 128 + its number */
    box_init(&b, "signal", "kill -SEGV $$");
    box_start(&b);
    assert_int_equal(box_wait(&b, 30000), 128 + SIGSEGV);
    box_stop(&b, 100);

    /* a command that is not there: the sandbox could not run it */
    box_init(&b, "nocmd", "");
    b.argv[0] = "no-such-command-here";
    b.argv[1] = NULL;
    box_start(&b);
    assert_int_not_equal(box_wait(&b, 30000), 0);
    assert_string_equal(cairn_sandbox_limit_hit(b.s), "sandbox setup failed");
    box_stop(&b, 100);
    log = slurp(b.log);
    assert_non_null(strstr(log, "no-such-command-here"));
    free(log);
}

static void start_failures(void **st)
{
    NEED_BWRAP();
    box b;
    char msg[256];
    cairn_sandbox *s = (cairn_sandbox *)1;
    box_init(&b, "nobwrap", "true");
    setenv("CAIRN_BWRAP", "/nonexistent/bwrap", 1);
    assert_int_equal(cairn_sandbox_start(&s, &b.cfg, msg, sizeof msg),
                     CAIRN_ERR_SANDBOX);
    unsetenv("CAIRN_BWRAP");
    assert_null(s);
    assert_non_null(strstr(msg, "bwrap"));
    b.cfg.workdir = "/nonexistent/dir";
    assert_int_equal(cairn_sandbox_start(&s, &b.cfg, msg, sizeof msg),
                     CAIRN_ERR_SANDBOX);
    assert_non_null(strstr(msg, "work directory"));
    b.cfg.workdir = b.dir;
    b.cfg.port = 80;
    b.cfg.port_sock = "/tmp/elsewhere.sock";
    b.cfg.forwarder = "/bin/true";
    assert_int_equal(cairn_sandbox_start(&s, &b.cfg, msg, sizeof msg),
                     CAIRN_ERR_SANDBOX);
    assert_non_null(strstr(msg, "inside the work directory"));
    cairn_sandbox_free(NULL);
}

static void log_cap(void **st)
{
    NEED_BWRAP();
    box b;
    box_init(&b, "logcap",
             "head -c 200000 /dev/zero | tr '\\0' x; "
             "echo; echo done");
    FILE *f = fopen(b.log, "w");
    assert_non_null(f);
    fputs("earlier run\n", f); /* appended to, counted in the cap */
    fclose(f);
    b.cfg.log_max = 4096;
    box_start(&b);
    assert_int_equal(box_wait(&b, 30000), 0);
    box_stop(&b, 100);
    char *log = slurp(b.log);
    size_t n = strlen(log);
    assert_true(n > 4096 && n < 4096 + 200);
    assert_memory_equal(log, "earlier run\nxxxx", 16);
    assert_non_null(strstr(log, "reached its limit of 4096 bytes"));
    assert_null(strstr(log, "done"));
    free(log);
}

/* ---- hostile workloads ---- */

/* Starts /bin/true from the test (the provider) and waits for it. */
static void provider_can_spawn(void)
{
    pid_t pid;
    char *argv[] = {"/bin/true", NULL};
    int status;
    assert_int_equal(posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ),
                     0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static const char counter[] =
    "i=0; while :; do i=$((i+1)); echo $i > c.tmp; mv c.tmp c; "
    "sleep 0.05; done";

static void fork_bomb(void **st)
{
    NEED_BWRAP();
    box bomb, other;
    /* every process forks for ever, and goes on when a fork fails */
    box_init(&bomb, "bomb",
             access("/usr/bin/perl", X_OK) == 0
                 ? "exec perl -e '$| = 1; print \"bombed\\n\"; fork while 1'"
                 : "echo bombed; b() { while :; do b & done; }; b");
    bomb.cfg.log_max = 65536; /* its cries of "Cannot fork" */
    box_init(&other, "other", counter);
    box_start(&other);
    wait_count_past(&other, "c", 0, 30000);
    const char *how = cairn_sandbox_limits(other.s);
    if (!strstr(how, "pids") && !strstr(how, "nproc")) {
        box_stop(&other, 100); /* never a bomb with nothing to stop it */
        printf("skipped: no process limit here (%s)\n", how);
        skip();
    }
    box_start(&bomb);
    wait_log(&bomb, "bombed", 30000);
    sleep_ms(1000); /* let it fill its table */
    /* contained: the provider and the other lease go on */
    provider_can_spawn();
    long c = read_num(&other, "c");
    wait_count_past(&other, "c", c + 5, 30000);
    assert_int_equal(cairn_sandbox_poll(other.s, NULL), 0);
    if (is_root) {
        int n = count_uid(bomb.cfg.uid);
        printf("fork bomb: %d processes at its limit of %u (+%d for bwrap "
               "and sh)\n",
               n, bomb.cfg.max_procs, 3);
        assert_true(n <= (int)bomb.cfg.max_procs + 3);
    }
    box_stop(&bomb, 200);
    c = read_num(&other, "c");
    wait_count_past(&other, "c", c, 30000);
    box_stop(&other, 200);
}

static void memory_hog(void **st)
{
    NEED_BWRAP();
    box b;
    /* tail keeps the last lines: /dev/zero has no end of line */
    box_init(&b, "memhog", "exec tail /dev/zero");
    b.cfg.mem_bytes = 32 * MIB;
    box_start(&b);
    int code = box_wait(&b, 60000);
    const char *why = cairn_sandbox_limit_hit(b.s);
    printf("memory hog: exit %d, %s (%s)\n", code, why ? why : "no limit",
           cairn_sandbox_limits(b.s));
    if (strstr(cairn_sandbox_limits(b.s), "memory")) {
        assert_int_equal(code, 128 + SIGKILL);    /* the OOM killer, in the */
        assert_string_equal(why, "memory limit"); /* lease's cgroup */
    } else {
        assert_int_not_equal(code, 0); /* RLIMIT_AS: tail runs out */
    }
    box_stop(&b, 100);
    provider_can_spawn();
}

static void disk_fillers(void **st)
{
    NEED_BWRAP();
    box b;
    /* many files, slowly enough that the watcher's bound is small */
    box_init(&b, "diskfill",
             "i=0; while :; do head -c 1048576 /dev/zero "
             "> f$i || exit 3; i=$((i+1)); sleep 0.02; done");
    b.cfg.disk_bytes = 8 * MIB;
    box_start(&b);
    assert_int_equal(box_wait(&b, 60000), 128 + SIGKILL);
    assert_string_equal(cairn_sandbox_limit_hit(b.s), "disk limit");
    box_stop(&b, 100);
    uint64_t used = cairn_dir_usage(b.dir);
    printf("disk filler: killed at %.1f MiB of its 8 MiB\n",
           (double)used / MIB);
    assert_true(used > 8 * MIB);

    /* one file: RLIMIT_FSIZE stops it exactly at the limit */
    box_init(&b, "bigfile", "exec head -c 100000000 /dev/zero > big");
    b.cfg.disk_bytes = 8 * MIB;
    box_start(&b);
    assert_int_equal(box_wait(&b, 60000), 128 + SIGXFSZ);
    assert_string_equal(cairn_sandbox_limit_hit(b.s), "disk limit");
    box_stop(&b, 100);
    char path[256];
    struct stat sb;
    snprintf(path, sizeof path, "%s/big", b.dir);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_size, 8 * MIB);

    /* empty files: each counts a block */
    box_init(&b, "inodes", "i=0; while :; do : > e$i; i=$((i+1)); done");
    b.cfg.disk_bytes = 4 * MIB;
    box_start(&b);
    assert_int_equal(box_wait(&b, 60000), 128 + SIGKILL);
    assert_string_equal(cairn_sandbox_limit_hit(b.s), "disk limit");
    box_stop(&b, 100);
}

/* A TCP listener on 127.0.0.1 (outside any sandbox); its port in *port. */
static int listen_tcp(uint16_t *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t n = sizeof a;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 8), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &n), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static void no_network(void **st)
{
    NEED_BWRAP();
    box b;
    uint16_t port;
    int lfd = listen_tcp(&port);
    char script[512];
    if (access("/bin/bash", X_OK) != 0) {
        close(lfd);
        printf("skipped: no /bin/bash for /dev/tcp\n");
        skip();
    }
    snprintf(script, sizeof script,
             "cat /proc/net/dev; "
             "bash -c 'exec 3<>/dev/tcp/127.0.0.1/%u' && echo CONNECTED; "
             "bash -c 'exec 3<>/dev/tcp/1.1.1.1/53' && echo CONNECTED; "
             "echo finished",
             (unsigned)port);
    box_init(&b, "net", script);
    box_start(&b);
    box_wait(&b, 60000);
    box_stop(&b, 100);
    char *log = slurp(b.log);
    assert_non_null(strstr(log, "finished"));
    assert_null(strstr(log, "CONNECTED"));
    assert_non_null(strstr(log, " lo:"));
    assert_null(strstr(log, "eth"));
    free(log);
    /* and nothing reached the listener outside */
    assert_int_equal(accept(lfd, NULL, NULL), -1);
    assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
    close(lfd);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static void no_reading_outside(void **st)
{
    NEED_BWRAP();
    box a, other;
    char keydir[128], key[160], script[1024], path[256];
    snprintf(keydir, sizeof keydir, "%s/provider", base);
    assert_int_equal(mkdir(keydir, 0755), 0);
    snprintf(key, sizeof key, "%s/provider.key", keydir);
    write_file(key, "PROVIDER-KEY-7f3a", 0644); /* even world-readable */
    box_init(&other, "lease-b", "sleep 1000");
    snprintf(path, sizeof path, "%s/b-secret", other.dir);
    write_file(path, "LEASE-B-SECRET-51c2", 0644);
    box_start(&other);
    snprintf(script, sizeof script,
             "cat %s; cat %s; ls %s; ls /work/..; "
             "cat /proc/1/root%s; cat /etc/shadow; "
             "ls -a /proc | tr '\\n' ' '; echo; "
             "find / -xdev -name '*.key' 2>/dev/null; "
             "grep -rs LEASE-B-SECRET /work /tmp /dev /run /home /root /var "
             "/srv /mnt /opt; echo finished",
             key, path, base, key);
    box_init(&a, "lease-a", script);
    box_start(&a);
    box_wait(&a, 60000);
    box_stop(&a, 100);
    char *log = slurp(a.log);
    assert_non_null(strstr(log, "finished"));
    assert_null(strstr(log, "PROVIDER-KEY-7f3a"));
    assert_null(strstr(log, "LEASE-B-SECRET-51c2"));
    assert_non_null(strstr(log, "No such file")); /* not there at all */
    if (is_root) /* /etc is there, read-only, and its secrets closed */
        assert_non_null(strstr(log, "shadow: Permission denied"));
    free(log);
    box_stop(&other, 100);
}

static void ignores_sigterm(void **st)
{
    NEED_BWRAP();
    box b;
    box_init(&b, "noterm",
             "trap '' TERM; echo ready; "
             "while :; do sleep 1; done");
    box_start(&b);
    wait_log(&b, "ready", 30000);
    int64_t t0 = now_ms();
    cairn_sandbox_stop(b.s, 300);
    printf("stopped a SIGTERM-proof workload in %lld ms (grace 300)\n",
           (long long)(now_ms() - t0));
    int code = -1;
    assert_int_equal(cairn_sandbox_poll(b.s, &code), 1);
    assert_int_equal(code, 128 + SIGKILL);
    box_stop(&b, 300);
}

static void daemon_child(void **st)
{
    NEED_BWRAP();
    box b;
    static const char daemon[] =
        "(setsid sh -c 'trap \"\" TERM HUP; i=0; while :; do i=$((i+1)); "
        "echo $i > d.tmp; mv d.tmp d; sleep 0.05; done' > /dev/null 2>&1 &); ";
    char script[512];
    snprintf(script, sizeof script, "%s echo started; sleep 1000", daemon);
    box_init(&b, "daemon", script);
    box_start(&b);
    wait_log(&b, "started", 30000);
    long d = wait_count_past(&b, "d", 0, 30000);
    box_stop(&b, 200);
    d = read_num(&b, "d");
    sleep_ms(300);
    assert_int_equal(read_num(&b, "d"), d); /* gone with the tree */

    /* its parent exits at once: the daemon goes with the sandbox */
    snprintf(script, sizeof script, "%s exit 0", daemon);
    box_init(&b, "daemon2", script);
    box_start(&b);
    assert_int_equal(box_wait(&b, 30000), 0);
    if (is_root) {
        int64_t end = now_ms() + 10000;
        while (count_uid(b.cfg.uid) > 0 && now_ms() < end)
            sleep_ms(10);
        assert_int_equal(count_uid(b.cfg.uid), 0);
    }
    box_stop(&b, 200);
}

static void pause_resume(void **st)
{
    NEED_BWRAP();
    box b;
    box_init(&b, "pause", counter);
    box_start(&b);
    long c = wait_count_past(&b, "c", 0, 30000);
    assert_int_equal(cairn_sandbox_pause(b.s, 1), CAIRN_OK);
    assert_int_equal(cairn_sandbox_pause(b.s, 1), CAIRN_OK); /* again */
    c = read_num(&b, "c");
    sleep_ms(400);
    assert_int_equal(read_num(&b, "c"), c);
    assert_int_equal(cairn_sandbox_poll(b.s, NULL), 0);
    assert_int_equal(cairn_sandbox_pause(b.s, 0), CAIRN_OK);
    wait_count_past(&b, "c", c, 30000);
    /* stopped while paused */
    assert_int_equal(cairn_sandbox_pause(b.s, 1), CAIRN_OK);
    box_stop(&b, 200);
}

static void cpu_time(void **st)
{
    NEED_BWRAP();
    box b;
    box_init(&b, "cpu", "while :; do :; done");
    b.cfg.cpu_seconds = 1;
    box_start(&b);
    box_wait(&b, 60000);
    assert_string_equal(cairn_sandbox_limit_hit(b.s), "cpu time limit");
    box_stop(&b, 100);
    /* short-lived children each under the limit: the cgroup counts all */
    box_init(&b, "cpu2",
             "while :; do sh -c 'i=0; while [ $i -lt 20000 ]; "
             "do i=$((i+1)); done'; done");
    b.cfg.cpu_seconds = 1;
    box_start(&b);
    if (!strstr(cairn_sandbox_limits(b.s), "cpuacct")) {
        box_stop(&b, 100);
        printf("skipped: no cpuacct cgroup to count children's CPU time\n");
        return;
    }
    box_wait(&b, 60000);
    assert_string_equal(cairn_sandbox_limit_hit(b.s), "cpu time limit");
    box_stop(&b, 100);
}

/* The fork bomb, the memory hog and pause again, with the rlimits and
 * signals that stand in where no cgroup can be made. */
static void without_cgroups(void **st)
{
    NEED_BWRAP();
    setenv("CAIRN_SANDBOX_CGROUPS", "off", 1);
    box b;
    box_init(&b, "nocg", "true");
    box_start(&b);
    const char *how = cairn_sandbox_limits(b.s);
    printf("limits: %s\n", how);
    assert_non_null(strstr(how, "no cgroups"));
    assert_non_null(strstr(how, "as "));
    assert_int_equal(box_wait(&b, 30000), 0);
    box_stop(&b, 100);
    fork_bomb(st);
    memory_hog(st);
    pause_resume(st);
    unsetenv("CAIRN_SANDBOX_CGROUPS");
}

/* ---- the port forwarder ---- */

/* The echo server the port test runs inside a sandbox (this binary,
 * copied in): on 127.0.0.1:port, reads each connection to its end and
 * answers "HTTP/1.0 200 OK" and what it read. */
static int echo_server(const char *port_s)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_port = htons((uint16_t)strtoul(port_s, NULL, 10));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int lfd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) || listen(lfd, 16)) {
        perror("echo-server");
        return 1;
    }
    printf("echo-server listening\n");
    fflush(stdout);
    for (;;) {
        int c = accept(lfd, NULL, NULL);
        if (c < 0)
            continue;
        static char buf[1 << 20];
        size_t n = 0;
        ssize_t r;
        while (n < sizeof buf && (r = read(c, buf + n, sizeof buf - n)) > 0)
            n += (size_t)r;
        const char *head = "HTTP/1.0 200 OK\r\n\r\n";
        if (write(c, head, strlen(head)) < 0 || write(c, buf, n) < 0)
            perror("echo-server write");
        close(c);
    }
}

/* One request through the Unix socket: sends req, half-closes, reads the
 * answer into out (cap bytes). Returns the answer's length, or -1 when
 * the connection ended with no answer (the server not up yet). */
static ssize_t through_socket(const box *b, const char *req, size_t n,
                              char *out, size_t cap)
{
    int fd = cairn_sandbox_port_connect(b->dir, b->sock);
    if (fd < 0)
        return -1;
    size_t off = 0, got = 0;
    while (off < n) {
        ssize_t w = write(fd, req + off, n - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    shutdown(fd, SHUT_WR);
    ssize_t r;
    while (got < cap && (r = read(fd, out + got, cap - got)) > 0)
        got += (size_t)r;
    close(fd);
    return got ? (ssize_t)got : -1;
}

static void port_forwarder(void **st)
{
    NEED_BWRAP();
    const char *bin = getenv("CAIRN_BIN");
    if (!bin || access(bin, X_OK) != 0) {
        printf("skipped: CAIRN_BIN (the cairn binary, the forwarder) not "
               "set; run through ctest\n");
        skip();
    }
    box b;
    char self[4096], copy[256];
    box_init(&b, "port", "");
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    assert_true(n > 0);
    self[n] = '\0';
    snprintf(copy, sizeof copy, "%s/echo-srv", b.dir);
    char *cmd[] = {"cp", self, copy, NULL};
    pid_t pid;
    int status;
    assert_int_equal(posix_spawnp(&pid, "cp", NULL, NULL, cmd, environ), 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    b.argv[0] = "/work/echo-srv";
    b.argv[1] = "echo-server";
    b.argv[2] = "8080";
    b.cfg.port = 8080;
    b.cfg.mem_bytes = 1024 * MIB; /* an ASan build needs room */
    b.cfg.disk_bytes = 256 * MIB;
    snprintf(b.sock, sizeof b.sock, "%s/port.sock", b.dir);
    b.cfg.port_sock = b.sock;
    b.cfg.forwarder = bin;
    box_start(&b);
    wait_log(&b, "echo-server listening", 60000);
    static char req[300000], out[400000];
    snprintf(req, sizeof req, "GET /hello HTTP/1.0\r\n\r\n");
    ssize_t got = -1;
    int64_t end = now_ms() + 30000;
    while ((got = through_socket(&b, req, strlen(req), out, sizeof out - 1)) <
           0) {
        if (now_ms() > end)
            fail_msg("no answer through %s", b.sock);
        sleep_ms(50);
    }
    out[got] = '\0';
    assert_non_null(strstr(out, "HTTP/1.0 200 OK\r\n\r\nGET /hello"));
    /* a large body both ways, byte for byte */
    for (size_t i = 0; i < sizeof req; i++)
        req[i] = (char)('a' + i % 26);
    got = through_socket(&b, req, sizeof req, out, sizeof out);
    assert_int_equal(got, 19 + sizeof req);
    assert_memory_equal(out + 19, req, sizeof req);
    assert_int_equal(cairn_sandbox_poll(b.s, NULL), 0);
    box_stop(&b, 200);
}

/* A Unix socket listening at path (outside any sandbox): a daemon of the
 * provider's machine. */
static int listen_unix(const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    assert_true(strlen(path) < sizeof a.sun_path);
    memcpy(a.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 8), 0);
    return fd;
}

/* The workload swaps its port's socket for a link to a socket of the
 * provider's machine: the provider's connection must not follow it. */
static void port_socket_swapped(void **st)
{
    NEED_BWRAP();
    const char *bin = getenv("CAIRN_BIN");
    if (!bin || access(bin, X_OK) != 0) {
        printf("skipped: CAIRN_BIN not set; run through ctest\n");
        skip();
    }
    box b;
    char host[128], script[512], rel[160], deep[300];
    snprintf(host, sizeof host, "%s/host-daemon.sock", base);
    int hfd = listen_unix(host);
    snprintf(script, sizeof script,
             "while [ ! -S run/port.sock ]; do sleep 0.02; done; "
             "rm run/port.sock; ln -s %s run/port.sock; echo planted; "
             "rm -r sub; ln -s / sub; echo planted-dir; sleep 1000",
             host);
    box_init(&b, "swap", script);
    snprintf(rel, sizeof rel, "%s/run", b.dir);
    assert_int_equal(mkdir(rel, 0755), 0);
    snprintf(rel, sizeof rel, "%s/sub", b.dir);
    assert_int_equal(mkdir(rel, 0755), 0);
    b.cfg.port = 8080;
    snprintf(b.sock, sizeof b.sock, "%s/run/port.sock", b.dir);
    b.cfg.port_sock = b.sock;
    b.cfg.forwarder = bin;
    box_start(&b);
    wait_log(&b, "planted-dir", 30000);
    /* a plain connect(2) would reach the daemon; this does not */
    errno = 0;
    assert_int_equal(cairn_sandbox_port_connect(b.dir, b.sock), -1);
    assert_int_equal(errno, ENOTSOCK);
    snprintf(deep, sizeof deep, "%s/sub%s", b.dir, host);
    assert_int_equal(cairn_sandbox_port_connect(b.dir, deep), -1);
    assert_int_equal(errno, ELOOP);
    assert_int_equal(accept(hfd, NULL, NULL), -1);
    assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
    /* what a plain connect(2) to the same path does: the daemon answers */
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    assert_true(strlen(b.sock) < sizeof a.sun_path);
    memcpy(a.sun_path, b.sock, strlen(b.sock) + 1);
    int naive = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_int_equal(connect(naive, (struct sockaddr *)&a, sizeof a), 0);
    int got = accept(hfd, NULL, NULL);
    assert_true(got >= 0);
    close(got);
    close(naive);
    close(hfd);
    box_stop(&b, 100);
}

/* ---- the work directory from outside ---- */

static void dir_usage_and_remove(void **st)
{
    char dir[128], outside[128], p[512];
    snprintf(dir, sizeof dir, "%s/tree", base);
    snprintf(outside, sizeof outside, "%s/keep", base);
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(mkdir(outside, 0700), 0);
    snprintf(p, sizeof p, "%s/precious", outside);
    write_file(p, "keep me", 0600);
    /* links out of the tree, to a file and to a directory */
    snprintf(p, sizeof p, "%s/to-file", dir);
    assert_int_equal(symlink(outside, p), 0);
    snprintf(p, sizeof p, "%s/to-dir", dir);
    assert_int_equal(symlink("../keep", p), 0);
    /* 1 MiB of data */
    snprintf(p, sizeof p, "%s/data", dir);
    int fd = open(p, O_WRONLY | O_CREAT, 0600);
    static char mib[MIB];
    memset(mib, 1, sizeof mib);
    assert_int_equal(write(fd, mib, sizeof mib), (ssize_t)sizeof mib);
    close(fd);
    uint64_t u = cairn_dir_usage(dir);
    assert_true(u >= MIB && u < 2 * MIB);
    /* read-only and closed directories, and a file in them */
    snprintf(p, sizeof p, "%s/ro", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/ro/f", dir);
    write_file(p, "x", 0400);
    snprintf(p, sizeof p, "%s/ro", dir);
    assert_int_equal(chmod(p, 0500), 0);
    snprintf(p, sizeof p, "%s/closed", dir);
    assert_int_equal(mkdir(p, 0000), 0);
    /* a tree deeper than a walk goes: counted as full */
    fd = open(dir, O_RDONLY | O_DIRECTORY);
    for (int i = 0; i < 300; i++) {
        assert_int_equal(mkdirat(fd, "d", 0700), 0);
        int sub = openat(fd, "d", O_RDONLY | O_DIRECTORY);
        assert_true(sub >= 0);
        close(fd);
        fd = sub;
    }
    close(fd);
    assert_true(cairn_dir_usage(dir) == UINT64_MAX);
    assert_int_equal(cairn_dir_usage("/nonexistent"), 0);
    assert_int_equal(cairn_dir_remove(dir), 0);
    assert_int_equal(access(dir, F_OK), -1);
    snprintf(p, sizeof p, "%s/precious", outside);
    char *keep = slurp(p);
    assert_string_equal(keep, "keep me");
    free(keep);
    assert_int_equal(cairn_dir_remove(dir), 0); /* gone: fine */
}

static void removes_a_lease_dir(void **st)
{
    NEED_BWRAP();
    box b;
    /* the workload leaves read-only files and directories and links */
    box_init(&b, "leftover",
             "mkdir -p a/b/c && echo x > a/b/c/f && "
             "chmod 0400 a/b/c/f && chmod 0500 a/b/c a/b && "
             "ln -s / root && ln -s /etc/passwd pw && "
             "mkdir z && chmod 000 z && echo done");
    box_start(&b);
    assert_int_equal(box_wait(&b, 30000), 0);
    box_stop(&b, 100);
    wait_log(&b, "done", 1000);
    assert_int_equal(cairn_dir_remove(b.dir), 0);
    assert_int_equal(access(b.dir, F_OK), -1);
    assert_int_equal(access("/etc/passwd", F_OK), 0);
}

static int setup(void **st)
{
    snprintf(base, sizeof base, "/tmp/cairn-sandbox-XXXXXX");
    assert_non_null(mkdtemp(base));
    have_bwrap = access("/usr/bin/bwrap", X_OK) == 0 ||
                 access("/bin/bwrap", X_OK) == 0 ||
                 access("/usr/local/bin/bwrap", X_OK) == 0;
    is_root = geteuid() == 0;
    if (!is_root)
        printf("note: not root; the checks by lease uid are left out\n");
    return 0;
}

static int teardown(void **st)
{
    cairn_dir_remove(base);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "echo-server") == 0)
        return echo_server(argv[2]); /* inside a sandbox */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(exit_codes_and_env, stop_leftovers),
        cmocka_unit_test_teardown(start_failures, stop_leftovers),
        cmocka_unit_test_teardown(log_cap, stop_leftovers),
        cmocka_unit_test_teardown(fork_bomb, stop_leftovers),
        cmocka_unit_test_teardown(memory_hog, stop_leftovers),
        cmocka_unit_test_teardown(disk_fillers, stop_leftovers),
        cmocka_unit_test_teardown(no_network, stop_leftovers),
        cmocka_unit_test_teardown(no_reading_outside, stop_leftovers),
        cmocka_unit_test_teardown(ignores_sigterm, stop_leftovers),
        cmocka_unit_test_teardown(daemon_child, stop_leftovers),
        cmocka_unit_test_teardown(pause_resume, stop_leftovers),
        cmocka_unit_test_teardown(cpu_time, stop_leftovers),
        cmocka_unit_test_teardown(without_cgroups, stop_leftovers),
        cmocka_unit_test_teardown(port_forwarder, stop_leftovers),
        cmocka_unit_test_teardown(port_socket_swapped, stop_leftovers),
        cmocka_unit_test_teardown(dir_usage_and_remove, stop_leftovers),
        cmocka_unit_test_teardown(removes_a_lease_dir, stop_leftovers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
