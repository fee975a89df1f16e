/* A running sandbox: its end and why, pause, stop and release
 * (compute/sandbox.h; starting is in sandbox_start.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "compute/sandbox_int.h"
#include "core/log.h"

cairn_sandbox *sb_alloc(const cairn_sandbox_cfg *cfg)
{
    cairn_sandbox *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->init_fd = s->status_fd = s->log_r = s->log_fd = s->block_w = -1;
    s->wake_r = s->wake_w = -1;
    for (int i = 0; i < SB_CG_N; i++)
        s->cg.procs_fd[i] = -1;
    s->log_max = cfg->log_max ? cfg->log_max : 16u << 20;
    s->disk_bytes = cfg->disk_bytes;
    s->workdir = strdup(cfg->workdir);
    if (!s->workdir) {
        free(s);
        return NULL;
    }
    size_t n = strlen(s->workdir); /* "/x/lease/" is "/x/lease" */
    while (n > 1 && s->workdir[n - 1] == '/')
        s->workdir[--n] = '\0';
    return s;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* Reads what bwrap's status pipe holds (its {"exit-code": N} at the end). */
static void read_status(cairn_sandbox *s)
{
    ssize_t r;
    while (s->status_fd >= 0 && s->status_len < sizeof s->status - 1 &&
           (r = read(s->status_fd, s->status + s->status_len,
                     sizeof s->status - 1 - s->status_len)) > 0) {
        s->status_len += (size_t)r;
        s->status[s->status_len] = '\0';
    }
}

/* bwrap has exited with wait status st: the exit code and why. */
static void ended(cairn_sandbox *s, int st)
{
    s->reaped = 1;
    s->exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    read_status(s);
    /* bwrap writes exit-code only when the command was executed */
    int ran = strstr(s->status, "\"exit-code\"") != NULL;
    int why = atomic_load(&s->end), killed = s->exit_code >= 128;
    if ((why == SB_END_DISK || why == SB_END_CPU) && !killed)
        why = SB_END_NONE; /* it finished before the kill */
    else if (why != SB_END_NONE)
        ;
    else if (s->exit_code == 128 + SIGXCPU)
        why = SB_END_CPU;
    else if (s->exit_code == 128 + SIGXFSZ)
        why = SB_END_DISK;
    else if (killed && sb_cg_oom_kills(&s->cg) > 0)
        why = SB_END_MEM;
    else if (!ran && !s->stopping)
        why = SB_END_SETUP;
    atomic_store(&s->end, why);
}

/* 1 when bwrap has exited (reaped now or before). */
static int reap(cairn_sandbox *s, int block)
{
    int st;
    if (s->reaped)
        return 1;
    pid_t r;
    do
        r = waitpid(s->pid, &st, block ? 0 : WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == 0)
        return 0;
    if (r < 0) { /* reaped by someone else: nothing more to learn */
        s->reaped = 1;
        s->exit_code = 255;
        return 1;
    }
    ended(s, st);
    return 1;
}

int cairn_sandbox_poll(cairn_sandbox *s, int *exit_code)
{
    if (!reap(s, 0))
        return 0;
    if (exit_code)
        *exit_code = s->exit_code;
    return 1;
}

const char *cairn_sandbox_limit_hit(const cairn_sandbox *s)
{
    switch (atomic_load(&((cairn_sandbox *)s)->end)) {
    case SB_END_DISK:
        return "disk limit";
    case SB_END_MEM:
        return "memory limit";
    case SB_END_CPU:
        return "cpu time limit";
    case SB_END_SETUP:
        return "sandbox setup failed";
    default:
        return NULL;
    }
}

const char *cairn_sandbox_limits(const cairn_sandbox *s)
{
    return s->how;
}

pid_t cairn_sandbox_pid(const cairn_sandbox *s)
{
    return s->pid;
}

cairn_err cairn_sandbox_pause(cairn_sandbox *s, int pause)
{
    pause = !!pause;
    if (reap(s, 0) || s->paused == pause)
        return CAIRN_OK;
    if (sb_cg_freeze(&s->cg, pause) != 0 && sb_stop_all(s, pause) != 0) {
        if (pause)
            sb_stop_all(s, 0); /* not half paused */
        return reap(s, 0) ? CAIRN_OK : CAIRN_ERR_SANDBOX;
    }
    s->paused = pause;
    return CAIRN_OK;
}

/* Waits up to ms for bwrap to exit. 1 when it has. */
static int wait_exit(cairn_sandbox *s, long ms)
{
    int64_t end = log_now_ms() + ms;
    while (!reap(s, 0)) {
        if (log_now_ms() >= end)
            return 0;
        sleep_ms(5);
    }
    return 1;
}

/* Until no process of the tree is left (bounded: 10 s). */
static void wait_gone(cairn_sandbox *s)
{
    for (int tries = 0; tries < 1000; tries++) {
        int n = sb_signal_all(s, SIGKILL);
        int c = sb_cg_count(&s->cg);
        if (n == 0 && c <= 0)
            return;
        sleep_ms(10);
    }
    log_line(NULL, "sandbox", "processes of sandbox %d outlived its stop",
             (int)s->pid);
}

void cairn_sandbox_stop(cairn_sandbox *s, int grace_ms)
{
    if (!s || s->stopped)
        return;
    s->stopping = 1;
    if (!reap(s, 0)) {
        if (s->paused)
            cairn_sandbox_pause(s, 0); /* a frozen process cannot exit */
        sb_signal_all(s, SIGTERM);
        if (!wait_exit(s, grace_ms < 0 ? 0 : grace_ms)) {
            /* pid 1 of the namespace: the kernel kills the rest */
            sb_kill_init(s, SIGKILL);
            sb_signal_all(s, SIGKILL);
            if (!wait_exit(s, 10000)) {
                kill(s->pid, SIGKILL);
                reap(s, 1);
            }
        }
    }
    wait_gone(s);
    sb_watch_stop(s);
    /* closed only now: the watcher may have been using it, and a number
     * closed and reused could be another sandbox's */
    close_fd(&s->init_fd);
    sb_cg_remove(&s->cg);
    s->paused = 0;
    s->stopped = 1;
}

void sb_release(cairn_sandbox *s)
{
    if (!s)
        return;
    if (s->pid > 0 && !s->reaped) {
        sb_kill_init(s, SIGKILL);
        kill(s->pid, SIGKILL);
        reap(s, 1);
    }
    sb_watch_stop(s);
    close_fd(&s->block_w); /* after the kill: its end lets bwrap go on */
    close_fd(&s->init_fd);
    close_fd(&s->status_fd);
    close_fd(&s->log_r);
    close_fd(&s->log_fd);
    sb_cg_remove(&s->cg);
    free(s->workdir);
    free(s);
}

void cairn_sandbox_free(cairn_sandbox *s)
{
    if (!s)
        return;
    cairn_sandbox_stop(s, 0);
    sb_release(s);
}
