/* Internal: the daemons' log lines, and a rate limit for lines that a peer
 * can cause (a refused connection, a malformed request).
 *
 *   log_line(f, "provider", "listening on %s", addr);
 *       -> 2026-01-01T00:00:00Z provider: listening on 127.0.0.1:9700
 *
 * A line a stranger can trigger goes through a log_limit, one per kind of
 * line: at most `burst` lines per `window_ms`; the lines beyond are counted
 * and not written, and the next line written says how many were left out:
 *
 *   static log_limit refused = LOG_LIMIT_INIT(5, 10000);
 *   log_limited(&refused, f, "provider", "refused %s: too many connections",
 *               ip);
 *       -> ... provider: refused 10.0.0.7: too many connections
 *          (and 1234 more like this since the last one logged)
 *
 * Threads: log_line and log_limited may be called from any thread; a line
 * is written whole (flockfile) and flushed. A log_limit holds its own
 * mutex. */
#ifndef CAIRN_CORE_LOG_H
#define CAIRN_CORE_LOG_H

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

typedef struct log_limit {
    pthread_mutex_t mu;
    unsigned burst;     /* lines written per window, at most */
    unsigned window_ms; /* length of a window */
    int64_t start_ms;   /* monotonic start of the current window; 0: none */
    unsigned used;      /* lines written in the current window */
    uint64_t dropped;   /* lines not written since the last one written */
    uint64_t dropped_total;
} log_limit;

#define LOG_LIMIT_INIT(burst_, window_ms_)                                     \
    {                                                                          \
        .mu = PTHREAD_MUTEX_INITIALIZER, .burst = (burst_),                    \
        .window_ms = (window_ms_)                                              \
    }

/* Sets up l (an alternative to LOG_LIMIT_INIT); log_limit_destroy undoes
 * it. */
void log_limit_init(log_limit *l, unsigned burst, unsigned window_ms);
void log_limit_destroy(log_limit *l);
/* Takes one line's place in the window: 1 if the line may be written now
 * (*dropped then gets how many lines were left out before it, and the count
 * starts again), 0 if it must be left out (counted). now_ms: a monotonic
 * time in ms (log_now_ms), given so that tests can drive it. */
int log_limit_take(log_limit *l, int64_t now_ms, uint64_t *dropped);
/* Lines left out by l since it was set up. */
uint64_t log_limit_dropped(log_limit *l);

/* The monotonic clock in ms. */
int64_t log_now_ms(void);

/* Writes "TIME who: text\n" to f (NULL: stderr). */
void log_line(FILE *f, const char *who, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void log_vline(FILE *f, const char *who, const char *fmt, va_list ap);
/* log_line through the limit l; returns 1 if the line was written. */
int log_limited(log_limit *l, FILE *f, const char *who, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
