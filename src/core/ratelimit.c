/* Rate-limited reporting (include/cairn/ratelimit.h). */
#include "cairn/ratelimit.h"

int cairn_ratelimit_allow(cairn_ratelimit *r, uint64_t now_ms,
                          uint64_t *skipped)
{
    if (r->reported && now_ms - r->last_ms < r->interval_ms &&
        now_ms >= r->last_ms) {
        r->skipped++;
        return 0;
    }
    *skipped = r->skipped;
    r->skipped = 0;
    r->last_ms = now_ms;
    r->reported = 1;
    return 1;
}

uint64_t cairn_ratelimit_reset(cairn_ratelimit *r)
{
    uint64_t n = r->skipped;
    r->skipped = 0;
    r->reported = 0;
    return n;
}
