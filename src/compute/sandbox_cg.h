/* Internal: the cgroups of one sandbox (compute/sandbox_cg.c), made where
 * the machine lets us: cgroup v1 (a directory per controller under
 * /sys/fs/cgroup/<controller>/<our cgroup>/) or v2 (one directory under
 * our own cgroup in the unified hierarchy). Every controller is optional:
 * the ones that cannot be made are left out, and the sandbox falls back
 * to rlimits for what they would have limited. */
#ifndef CAIRN_COMPUTE_SANDBOX_CG_H
#define CAIRN_COMPUTE_SANDBOX_CG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum {
    SB_CG_PIDS,
    SB_CG_MEM,
    SB_CG_CPU,
    SB_CG_CPUACCT,
    SB_CG_FREEZER,
    SB_CG_N
};

typedef struct sb_cg {
    int v2;                /* 1: unified hierarchy */
    char *dir[SB_CG_N];    /* the controller's directory; NULL: not made */
    int procs_fd[SB_CG_N]; /* its cgroup.procs, open for the child to join;
                              -1: none (or the same file as another's) */
} sb_cg;

typedef struct sb_cg_limits {
    uint64_t pids; /* pids.max */
    uint64_t mem;  /* bytes */
    uint32_t cpus; /* quota in cores */
} sb_cg_limits;

/* Makes the cgroups named `name` with the limits l, as many controllers as
 * the machine allows (cg->dir[i] NULL for the others). Never fails: with
 * none made, the sandbox uses rlimits. why (len bytes) says why a
 * controller is missing when none could be made. Free with sb_cg_remove.
 * CAIRN_SANDBOX_CGROUPS=off in the environment makes none (for tests of
 * the fallback). */
void sb_cg_make(sb_cg *cg, const char *name, const sb_cg_limits *l, char *why,
                size_t len);
/* In the forked child, before exec: moves the calling process into every
 * cgroup made. Async-signal-safe. 0, or -1 with errno. */
int sb_cg_join(const sb_cg *cg);
/* Closes the descriptors sb_cg_join used (the parent, after the fork). */
void sb_cg_close_fds(sb_cg *cg);
/* Freezes (1) or thaws (0) the cgroup and waits, bounded, until it is.
 * 0; -1 when there is no freezer or it did not settle. */
int sb_cg_freeze(const sb_cg *cg, int on);
/* Processes left in the cgroups (the pids one, else any); -1: none made. */
int sb_cg_count(const sb_cg *cg);
/* CPU time the cgroup used, ns; UINT64_MAX when unknown. */
uint64_t sb_cg_cpu_ns(const sb_cg *cg);
/* Processes the kernel's OOM killer killed in the memory cgroup. */
uint64_t sb_cg_oom_kills(const sb_cg *cg);
/* "pids memory cpu ..." of the controllers made into out. */
void sb_cg_names(const sb_cg *cg, char *out, size_t len);
/* Removes the cgroups (they must be empty; retried, bounded) and frees. */
void sb_cg_remove(sb_cg *cg);

#endif
