/* The sandbox's watcher thread: copies the workload's output into the log
 * file (within the log's cap), and every SB_WATCH_MS or more measures the
 * work directory and the cgroup's CPU time, killing the whole sandbox past
 * its disk or CPU limit. A measurement that took T waits at least 4 T
 * before the next, so that a tree of many files costs the provider at most
 * a fifth of a core. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "compute/sandbox_int.h"
#include "core/log.h"

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

void sb_log_write(cairn_sandbox *s, const char *p, size_t n)
{
    if (s->log_capped || s->log_fd < 0)
        return;
    uint64_t room = s->log_size < s->log_max ? s->log_max - s->log_size : 0;
    size_t k = n < room ? n : (size_t)room;
    write_all(s->log_fd, p, k);
    s->log_size += k;
    if (k < n) {
        char line[128];
        int m = snprintf(line, sizeof line,
                         "\n[cairn: the log reached its limit of %" PRIu64
                         " bytes; further output is dropped]\n",
                         s->log_max);
        write_all(s->log_fd, line, (size_t)m);
        s->log_capped = 1;
    }
}

/* Ends the sandbox for limit `why` (the first reason found stays). */
static void over_limit(cairn_sandbox *s, int why)
{
    int none = SB_END_NONE;
    atomic_compare_exchange_strong(&s->end, &none, why);
    sb_kill_init(s, SIGKILL);
}

static void check_limits(cairn_sandbox *s)
{
    if (s->disk_bytes && cairn_dir_usage(s->workdir) > s->disk_bytes)
        over_limit(s, SB_END_DISK);
    if (s->cpu_ns) {
        uint64_t used = sb_cg_cpu_ns(&s->cg);
        if (used != UINT64_MAX && used > s->cpu_ns)
            over_limit(s, SB_END_CPU);
    }
}

/* Reads what the log pipe has; closes it at its end. */
static void pump(cairn_sandbox *s)
{
    char buf[65536];
    ssize_t k = read(s->log_r, buf, sizeof buf);
    if (k > 0) {
        sb_log_write(s, buf, (size_t)k);
    } else if (k == 0 || (errno != EINTR && errno != EAGAIN)) {
        close(s->log_r);
        s->log_r = -1;
    }
}

static void *watch(void *arg)
{
    cairn_sandbox *s = arg;
    int64_t next = log_now_ms() + SB_WATCH_MS;
    while (!atomic_load(&s->quit)) {
        int64_t now = log_now_ms();
        if (now >= next) {
            check_limits(s);
            int64_t took = log_now_ms() - now;
            next = log_now_ms() +
                   (4 * took > SB_WATCH_MS ? 4 * took : SB_WATCH_MS);
        }
        struct pollfd p[2] = {{s->wake_r, POLLIN, 0}, {s->log_r, POLLIN, 0}};
        int64_t wait = next - log_now_ms();
        int r = poll(p, s->log_r >= 0 ? 2 : 1, wait < 0 ? 0 : (int)wait);
        if (r > 0 && s->log_r >= 0 && (p[1].revents & (POLLIN | POLLHUP)))
            pump(s);
    }
    if (s->log_r >= 0) { /* what is left, without waiting for more */
        char buf[65536];
        ssize_t k;
        fcntl(s->log_r, F_SETFL, O_NONBLOCK);
        while ((k = read(s->log_r, buf, sizeof buf)) > 0)
            sb_log_write(s, buf, (size_t)k);
        close(s->log_r);
        s->log_r = -1;
    }
    return NULL;
}

int sb_watch_start(cairn_sandbox *s)
{
    int w[2];
    if (pipe2(w, O_CLOEXEC | O_NONBLOCK) != 0)
        return -1;
    s->wake_r = w[0];
    s->wake_w = w[1];
    if (pthread_create(&s->thread, NULL, watch, s) != 0) {
        close(w[0]);
        close(w[1]);
        s->wake_r = s->wake_w = -1;
        return -1;
    }
    s->thread_on = 1;
    return 0;
}

void sb_watch_stop(cairn_sandbox *s)
{
    if (!s->thread_on)
        return;
    atomic_store(&s->quit, 1);
    if (write(s->wake_w, "q", 1) < 0) {
        /* full or closed: the thread sees quit at its next wake-up */
    }
    pthread_join(s->thread, NULL);
    s->thread_on = 0;
    close(s->wake_r);
    close(s->wake_w);
    s->wake_r = s->wake_w = -1;
}
