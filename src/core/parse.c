/* The one decimal-number parser (include/cairn/parse.h). */
#include "cairn/parse.h"

#include <string.h>

cairn_err cairn_parse_u64_n(const char *s, size_t len, uint64_t max,
                            uint64_t *out)
{
    uint64_t v = 0;
    int over = 0;
    if (!s || len == 0)
        return CAIRN_ERR_BAD_ARG;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return CAIRN_ERR_BAD_ARG;
        /* keep scanning after an overflow: junk still reads as BAD_ARG */
        if (!over && (__builtin_mul_overflow(v, 10, &v) ||
                      __builtin_add_overflow(v, (uint64_t)(s[i] - '0'), &v)))
            over = 1;
    }
    if (over || v > max)
        return CAIRN_ERR_OVERFLOW;
    *out = v;
    return CAIRN_OK;
}

cairn_err cairn_parse_u64_max(const char *s, uint64_t max, uint64_t *out)
{
    return cairn_parse_u64_n(s, s ? strlen(s) : 0, max, out);
}

cairn_err cairn_parse_u64(const char *s, uint64_t *out)
{
    return cairn_parse_u64_max(s, UINT64_MAX, out);
}
