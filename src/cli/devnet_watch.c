/* `cairn devnet`: what happens when one of its processes ends — one line
 * that says so, and a restart DEVNET_RESTART_S later, unless it keeps
 * ending right after each start. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/devnet.h"

#define QUICK_MS 30000 /* an end this soon after a start counts as quick */
#define QUICK_MAX 5    /* quick ends in a row before giving up */
#define TAIL_BYTES 2048

int64_t devnet_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* n's pid file: its log's path with .pid for .log. 0, or -1. */
static int pid_path(const devnet_node *n, char out[DEVNET_PATH_MAX])
{
    size_t len = strlen(n->log);
    if (len < 4 || strcmp(n->log + len - 4, ".log") != 0)
        return -1;
    snprintf(out, DEVNET_PATH_MAX, "%.*s.pid", (int)(len - 4), n->log);
    return 0;
}

void devnet_watch_started(devnet_node *n)
{
    char path[DEVNET_PATH_MAX];
    n->started_ms = devnet_now_ms();
    n->restart_at_ms = 0;
    FILE *f = pid_path(n, path) ? NULL : fopen(path, "w");
    if (f) {
        fprintf(f, "%ld\n", (long)n->pid);
        fclose(f);
    }
}

void devnet_watch_stopped(devnet_node *n)
{
    char path[DEVNET_PATH_MAX];
    if (!pid_path(n, path))
        unlink(path);
}

void devnet_print_tail(const char *path)
{
    char buf[TAIL_BYTES + 1];
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, size > TAIL_BYTES ? size - TAIL_BYTES : 0, SEEK_SET);
    size_t n = fread(buf, 1, TAIL_BYTES, f);
    fclose(f);
    buf[n] = '\0';
    char *start =
        size > TAIL_BYTES && strchr(buf, '\n') ? strchr(buf, '\n') + 1 : buf;
    fprintf(stderr, "--- last lines of %s ---\n%s%s---\n", path, start,
            n && buf[n - 1] != '\n' ? "\n" : "");
}

/* "was killed by signal 9" or "exited with status 1" into out. */
static void how_ended(char *out, size_t len, int st)
{
    if (WIFSIGNALED(st))
        snprintf(out, len, "was killed by signal %d", WTERMSIG(st));
    else
        snprintf(out, len, "exited with status %d", WEXITSTATUS(st));
}

int devnet_watch_reap(devnet_node *n, int restart)
{
    int st;
    char how[48];
    if (!n->pid || waitpid(n->pid, &st, WNOHANG) != n->pid)
        return 0;
    n->pid = 0;
    devnet_watch_stopped(n);
    how_ended(how, sizeof how, st);
    int64_t now = devnet_now_ms();
    n->quick_ends = now - n->started_ms < QUICK_MS ? n->quick_ends + 1 : 1;
    if (!restart) {
        cli_fail("%s %s; see %s", n->name, how, n->log);
    } else if (n->quick_ends >= QUICK_MAX) {
        cli_fail("%s %s, the %dth time in a row within %d s of a start; "
                 "not starting it again (see %s)",
                 n->name, how, n->quick_ends, QUICK_MS / 1000, n->log);
    } else {
        n->restart_at_ms = now + DEVNET_RESTART_S * 1000;
        cli_fail("%s %s; starting it again in %d s (log %s)", n->name, how,
                 DEVNET_RESTART_S, n->log);
        return 1;
    }
    devnet_print_tail(n->log);
    return 2;
}

int devnet_watch_due(const devnet_node *n)
{
    return !n->pid && n->restart_at_ms && devnet_now_ms() >= n->restart_at_ms;
}
