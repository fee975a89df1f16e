/* Timestamped log lines and their rate limit (core/log.h). */
#include <string.h>
#include <time.h>

#include "core/log.h"

void log_limit_init(log_limit *l, unsigned burst, unsigned window_ms)
{
    memset(l, 0, sizeof *l);
    pthread_mutex_init(&l->mu, NULL);
    l->burst = burst;
    l->window_ms = window_ms;
}

void log_limit_destroy(log_limit *l)
{
    pthread_mutex_destroy(&l->mu);
}

int log_limit_take(log_limit *l, int64_t now_ms, uint64_t *dropped)
{
    int ok;
    pthread_mutex_lock(&l->mu);
    if (l->start_ms == 0 || now_ms - l->start_ms >= (int64_t)l->window_ms ||
        now_ms < l->start_ms) {
        l->start_ms = now_ms ? now_ms : 1;
        l->used = 0;
    }
    ok = l->used < l->burst;
    if (ok) {
        l->used++;
        *dropped = l->dropped;
        l->dropped = 0;
    } else {
        l->dropped++;
        l->dropped_total++;
    }
    pthread_mutex_unlock(&l->mu);
    return ok;
}

uint64_t log_limit_dropped(log_limit *l)
{
    pthread_mutex_lock(&l->mu);
    uint64_t n = l->dropped_total;
    pthread_mutex_unlock(&l->mu);
    return n;
}

int64_t log_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Writes the line and, when dropped > 0, how many like it were left out. */
static void write_line(FILE *f, const char *who, uint64_t dropped,
                       const char *fmt, va_list ap)
{
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    if (!f)
        f = stderr;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    flockfile(f);
    fprintf(f, "%s %s: ", when, who);
    vfprintf(f, fmt, ap);
    if (dropped)
        fprintf(f, " (and %llu more like this since the last one logged)",
                (unsigned long long)dropped);
    fputc('\n', f);
    fflush(f);
    funlockfile(f);
}

void log_vline(FILE *f, const char *who, const char *fmt, va_list ap)
{
    write_line(f, who, 0, fmt, ap);
}

void log_line(FILE *f, const char *who, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    write_line(f, who, 0, fmt, ap);
    va_end(ap);
}

int log_limited(log_limit *l, FILE *f, const char *who, const char *fmt, ...)
{
    uint64_t dropped = 0;
    va_list ap;
    if (!log_limit_take(l, log_now_ms(), &dropped))
        return 0;
    va_start(ap, fmt);
    write_line(f, who, dropped, fmt, ap);
    va_end(ap);
    return 1;
}
