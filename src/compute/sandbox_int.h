/* Internal to the sandbox's files (compute/sandbox*.c): its state, and the
 * parts each file gives the others. */
#ifndef CAIRN_COMPUTE_SANDBOX_INT_H
#define CAIRN_COMPUTE_SANDBOX_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "compute/sandbox.h"
#include "compute/sandbox_cg.h"

#define SB_WALK_DEPTH 128 /* levels a walk of a work directory goes down */
#define SB_WATCH_MS 250   /* the disk and CPU checks, at most this often */
#define SB_EXTRA_PROCS 3  /* bwrap's monitor and init, and sh/forwarder */
#define SB_FWD_PATH "/cairn-forward" /* the forwarder inside the sandbox */

/* Why it ended (cairn_sandbox_limit_hit). */
enum { SB_END_NONE, SB_END_DISK, SB_END_MEM, SB_END_CPU, SB_END_SETUP };

struct cairn_sandbox {
    pid_t pid;           /* bwrap's monitor: our child */
    pid_t init;          /* pid 1 of its PID namespace, as we see it */
    int init_fd;         /* a pidfd of init; -1 when none */
    unsigned long pidns; /* inode of its PID namespace; 0: unknown */
    int status_fd;       /* bwrap's --json-status-fd, read end */
    int block_w;         /* bwrap's --block-fd, write end; -1: none */
    uint64_t nproc;      /* RLIMIT_NPROC of the sandbox's processes */
    char status[1024];   /* what came on it */
    size_t status_len;
    int reaped, exit_code;
    int paused, stopping, stopped;
    sb_cg cg;
    char how[192]; /* how its limits are enforced */

    /* the watcher thread: pumps the log, checks disk and CPU time */
    pthread_t thread;
    int thread_on;
    int wake_r, wake_w; /* a pipe that wakes it to quit */
    int log_r;          /* the log pipe's read end; -1 after EOF */
    int log_fd;         /* the log file */
    uint64_t log_size, log_max;
    int log_capped;
    char *workdir;
    uint64_t disk_bytes, cpu_ns;
    atomic_int end; /* SB_END_* set by the watcher or poll */
    atomic_int quit;
};

/* A new sandbox's state for cfg (nothing started), or NULL. */
cairn_sandbox *sb_alloc(const cairn_sandbox_cfg *cfg);
/* Kills what still runs (no grace), closes, removes cgroups, frees. */
void sb_release(cairn_sandbox *s);

/* Called for each entry under a directory (dirfd, name, its lstat). */
typedef void (*sb_walk_fn)(int dirfd, const char *name, const struct stat *st,
                           void *ctx);
/* Walks the tree under dir, not following links, SB_WALK_DEPTH levels at
 * most. 0; 1 when it was deeper (those entries left out); -1 when dir
 * cannot be opened. */
int sb_walk(const char *dir, sb_walk_fn fn, void *ctx);
/* Gives dir and everything under it to uid (and gid = uid), dir 0700. */
int sb_chown_tree(const char *dir, uid_t uid);

/* The watcher thread (sandbox_watch.c); started once init is known. */
int sb_watch_start(cairn_sandbox *s);
/* Stops and joins it after draining what is left in the log pipe. */
void sb_watch_stop(cairn_sandbox *s);
/* Writes n bytes of output to the log, within its cap. */
void sb_log_write(cairn_sandbox *s, const char *p, size_t n);

/* Processes of the sandbox's PID namespace (sandbox_proc.c): sends sig to
 * each live one; returns how many there were (zombies, which have exited
 * and hold nothing but their pid, are not counted). */
int sb_signal_all(const cairn_sandbox *s, int sig);
/* Stops (SIGSTOP, 1) or continues (SIGCONT, 0) every process, until none
 * runs (bounded). 0, or -1. */
int sb_stop_all(const cairn_sandbox *s, int stop);
/* Sends sig to init through its pidfd. */
void sb_kill_init(const cairn_sandbox *s, int sig);
/* The pidfd of pid, checked to be in PID namespace ns; -1 when gone. */
int sb_pidfd(pid_t pid, unsigned long ns);

/* The argument vector for bwrap (sandbox_args.c); see sandbox_args.c. */
typedef struct sb_argv {
    char **v;
    size_t n, cap;
    int oom; /* an allocation failed */
} sb_argv;
void sb_argv_build(sb_argv *a, const char *bwrap, const cairn_sandbox_cfg *cfg,
                   const char *work_src, const char *fwd_src, int status_fd,
                   int block_fd);
void sb_argv_free(sb_argv *a);

#endif
