/* cairn — rate-limited reporting: a repeated event (a refused connection,
 * an unreachable upstream, a failing disk) is logged the first time and
 * then at most once per interval, with the count of the ones not logged,
 * so a storm of failures costs a line every few seconds, not a disk. */
#ifndef CAIRN_RATELIMIT_H
#define CAIRN_RATELIMIT_H

#include <stdint.h>

#include "cairn/error.h"

typedef struct cairn_ratelimit {
    uint64_t interval_ms; /* set by the owner; 0 reports every event */
    uint64_t last_ms;     /* when the last report was allowed */
    uint64_t skipped;     /* events since then that were not reported */
    int reported;         /* a report has been allowed since the reset */
} cairn_ratelimit;

/* Counts one event at now_ms. Returns 1 when it may be reported (the first
 * event, then the first after each interval) and sets *skipped to the
 * number of events not reported since the previous report; returns 0 when
 * it is only counted. Not thread-safe: one owner at a time. */
CAIRN_API int cairn_ratelimit_allow(cairn_ratelimit *r, uint64_t now_ms,
                                    uint64_t *skipped) CAIRN_WUR;

/* The events stopped (the upstream answers again): returns the number
 * counted but never reported, and starts over so the next event is
 * reported at once. */
CAIRN_API uint64_t cairn_ratelimit_reset(cairn_ratelimit *r);

#endif
