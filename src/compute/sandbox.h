/* Internal: the compute sector's sandbox, where a lease's workload runs
 * (docs/compute.md, "The sandbox").
 *
 * A workload runs under bubblewrap (bwrap, Debian's bubblewrap package):
 *   - the system read-only (/usr, /bin, /lib*, /etc as bind mounts), a
 *     fresh /proc, /dev and /tmp, and its private work directory (the
 *     lease's directory on the provider) read-write at /work, its cwd;
 *     nothing else of the provider's files (keys, other leases) is there;
 *   - new user, PID, IPC, UTS and network namespaces: no network but its
 *     own loopback; when the lease publishes a port, a forwarder inside
 *     the sandbox (`cairn sandbox-forward`, the provider's own binary)
 *     connects a Unix socket in the work directory to 127.0.0.1:port, so
 *     the provider reaches the port and nothing else crosses;
 *   - limits: CPU time (RLIMIT_CPU per process, and the whole tree's
 *     through the cpuacct cgroup), memory (the memory cgroup where the
 *     machine lets us make one, else RLIMIT_AS), cores (a CPU quota, else
 *     affinity), processes (the pids cgroup where possible, and
 *     RLIMIT_NPROC: under the lease's own uid when root, else set on the
 *     sandbox's init, where it counts the processes of its own user
 *     namespace alone), file size (RLIMIT_FSIZE) and the work directory's
 *     total size (a watcher that kills the workload past its disk limit),
 *     open files; cairn_sandbox_limits says which are in force;
 *     the disk watcher measures every 250 ms or more (4x the time the
 *     last measurement took), so a workload can overshoot its disk limit
 *     by what it writes in that interval (at most disk speed x interval;
 *     one file never past the limit: RLIMIT_FSIZE); /tmp and /dev/shm are
 *     tmpfs of mem_bytes and mem_bytes/4 (memory, charged to the memory
 *     cgroup when there is one);
 *   - when the provider runs as root the workload runs under a uid of its
 *     own (cfg->uid), so leases cannot read each other's files; the work
 *     directory is given to that uid (mode 0700) and bound for bwrap from
 *     a private mount namespace, so the directories above it may be
 *     closed to that uid (a provider's 0700 data directory);
 *   - it dies with the provider (PR_SET_PDEATHSIG via --die-with-parent:
 *     it follows the thread that started it, so start sandboxes from a
 *     thread that outlives them) and with its whole process tree when
 *     stopped (the PID namespace's init is killed; the kernel kills the
 *     rest). bwrap is our child: the caller must not reap it (no
 *     waitpid(-1), no SIGCHLD set to SIG_IGN).
 * stdout and stderr go to cfg->log_path (appended, capped at
 * cfg->log_max bytes: past that, output is dropped and one line says so).
 */
#ifndef CAIRN_COMPUTE_SANDBOX_H
#define CAIRN_COMPUTE_SANDBOX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cairn/error.h"

typedef struct cairn_sandbox_cfg {
    const char *workdir;     /* exists; mounted read-write at /work */
    const char *const *argv; /* the command; argv[0] looked up in PATH */
    const char *const *env;  /* "K=V", NULL-terminated; NULL: none */
    uint32_t cpus;           /* cores it may use (affinity / cgroup quota) */
    uint64_t mem_bytes;      /* memory limit */
    uint64_t disk_bytes;     /* limit on the work directory's total size */
    uint64_t cpu_seconds;    /* CPU time limit; 0: none */
    uint32_t max_procs;      /* processes and threads; 0: 64 */
    uint16_t port;           /* its TCP port to publish; 0: none */
    const char *port_sock;   /* with port: the Unix socket path (inside
                                workdir) the forwarder listens on */
    const char *forwarder;   /* with port: path of the cairn binary */
    const char *log_path;    /* stdout + stderr, appended */
    uint64_t log_max;        /* 0: 16 MiB */
    uid_t uid;               /* used when running as root; 0: 60000 + the
                                work directory's inode number mod 5000 */
} cairn_sandbox_cfg;

typedef struct cairn_sandbox cairn_sandbox;

/* Starts the workload. The caller owns *out: cairn_sandbox_stop, then
 * cairn_sandbox_free. SANDBOX with msg (len bytes) saying why when bwrap
 * is missing or fails to start it. */
cairn_err cairn_sandbox_start(cairn_sandbox **out, const cairn_sandbox_cfg *cfg,
                              char *msg, size_t len);
/* 1 when the workload has ended (*exit_code: its status, 128 + signal
 * when killed, also by a limit), 0 while it runs. Never blocks. Also
 * enforces the disk limit (kills the workload past it). */
int cairn_sandbox_poll(cairn_sandbox *s, int *exit_code);
/* Why it ended when a limit ended it ("disk limit", "memory limit",
 * "cpu time limit"), or "sandbox setup failed" when bwrap could not set
 * it up or execute the command (the log says why), else NULL. */
const char *cairn_sandbox_limit_hit(const cairn_sandbox *s);
/* How its limits are enforced, for logs and tests: the cgroups made
 * ("cgroup v1 (pids memory cpu cpuacct freezer); rlimits (...)") or
 * rlimits alone ("...; no cgroups"). Borrowed, lives as long as s. */
const char *cairn_sandbox_limits(const cairn_sandbox *s);
/* Freezes (pause 1) or thaws (0) the whole process tree. */
cairn_err cairn_sandbox_pause(cairn_sandbox *s, int pause);
/* SIGTERM to the tree, then after grace_ms SIGKILL to all of it; waits
 * until every process is gone (a workload that ignores SIGTERM too).
 * Safe to call twice and after it ended. */
void cairn_sandbox_stop(cairn_sandbox *s, int grace_ms);
/* Frees s (stops it first if it still runs). NULL is fine. */
void cairn_sandbox_free(cairn_sandbox *s);
/* The bwrap process's pid (for logs and tests). */
pid_t cairn_sandbox_pid(const cairn_sandbox *s);
/* Bytes under dir (files' allocated size, at least 4 KiB an entry, so
 * that a flood of empty files counts), not following links; UINT64_MAX
 * when the tree is more than 128 levels deep (counted as full). */
uint64_t cairn_dir_usage(const char *dir);
/* Removes dir and everything under it (a finished lease's files), also
 * files the workload made read-only. 0 on success. */
int cairn_dir_remove(const char *dir);

/* `cairn sandbox-forward SOCK PORT`: runs inside a sandbox; accepts on
 * the Unix socket SOCK and pipes each connection to 127.0.0.1:PORT.
 * Returns the exit status. */
int cairn_sandbox_forward_main(int argc, char **argv);
/* Connects to the forwarder's socket port_sock (cfg->port_sock, inside
 * workdir) the safe way: the workload owns that directory and could put a
 * link there to a socket of the provider's machine (connect(2) would
 * follow it, with the provider's rights), so each part below workdir is
 * opened without following links, the last must be a socket, and the
 * connection goes through its descriptor (no length limit on the path
 * either). A connected stream socket (the caller closes it), or -1 with
 * errno (ELOOP or ENOTSOCK for a planted link or file). */
int cairn_sandbox_port_connect(const char *workdir, const char *port_sock);

#endif
