/* The processes of a sandbox, found from outside: every process whose PID
 * namespace is the sandbox's (none can leave it: a daemonized child, a
 * double fork, a new session all stay in it). Signals go through a pidfd
 * opened and checked against that namespace, so that a pid reused by
 * another process after the sandbox's exited is never signalled. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "compute/sandbox_int.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

/* The inode of pid's PID namespace; 0 when it is gone or hidden. */
static unsigned long pid_ns_of(pid_t pid)
{
    char path[64], link[64];
    snprintf(path, sizeof path, "/proc/%d/ns/pid", (int)pid);
    ssize_t n = readlink(path, link, sizeof link - 1);
    if (n <= 0)
        return 0;
    link[n] = '\0';
    const char *b = strchr(link, '[');
    return b ? strtoul(b + 1, NULL, 10) : 0;
}

int sb_pidfd(pid_t pid, unsigned long ns)
{
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0)
        return -1;
    /* checked after opening: if pid was reused before, fd is the new
     * process, whose namespace is not ns */
    if (ns && pid_ns_of(pid) != ns) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Sends sig to pid if it is (still) in namespace ns. */
static void signal_one(pid_t pid, unsigned long ns, int sig)
{
    int fd = sb_pidfd(pid, ns);
    if (fd >= 0) {
        syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
        close(fd);
    } else if (errno == ENOSYS && pid_ns_of(pid) == ns) {
        kill(pid, sig); /* a kernel before 5.3 */
    }
}

/* The state letter of pid (/proc/PID/stat), or 0. */
static char proc_state(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* the name may hold anything */
    return p && p[1] == ' ' ? p[2] : 0;
}

typedef struct each_ctx {
    int sig;     /* to send; 0: none */
    int running; /* out: processes not stopped */
} each_ctx;

/* Calls on every live process in ns (zombies left out): sends c->sig,
 * counts the ones not stopped. Returns how many live processes ns has. */
static int for_each(unsigned long ns, each_ctx *c)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;
    if (!d || !ns) {
        if (d)
            closedir(d);
        return 0;
    }
    while ((e = readdir(d)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0 || pid_ns_of((pid_t)pid) != ns)
            continue;
        /* a zombie has exited: bwrap's pid 1, orphaned when bwrap's
         * monitor exits first, waits there for the host's init to reap it */
        char st = proc_state((pid_t)pid);
        if (st == 'Z' || st == 'X' || st == 0)
            continue;
        n++;
        if (c->sig)
            signal_one((pid_t)pid, ns, c->sig);
        c->running += st != 'T' && st != 't';
    }
    closedir(d);
    return n;
}

int sb_signal_all(const cairn_sandbox *s, int sig)
{
    each_ctx c = {sig, 0};
    return for_each(s->pidns, &c);
}

int sb_stop_all(const cairn_sandbox *s, int stop)
{
    struct timespec t = {0, 10 * 1000000L};
    if (!stop) {
        sb_signal_all(s, SIGCONT);
        return 0;
    }
    /* a process may fork while the others stop: again until none runs */
    for (int pass = 0; pass < 300; pass++) {
        each_ctx c = {SIGSTOP, 0};
        int n = for_each(s->pidns, &c);
        if (n == 0)
            return -1; /* nothing there to pause */
        c.sig = 0;
        c.running = 0;
        for_each(s->pidns, &c);
        if (c.running == 0)
            return 0;
        nanosleep(&t, NULL);
    }
    return -1;
}

void sb_kill_init(const cairn_sandbox *s, int sig)
{
    if (s->init_fd >= 0)
        syscall(SYS_pidfd_send_signal, s->init_fd, sig, NULL, 0);
    else if (s->init > 0)
        signal_one(s->init, s->pidns, sig);
}
