/* libFuzzer target for the dashboard's path check (src/node/api_web.c):
 * request paths come from strangers, and a path the check accepts is
 * joined to the web directory. Whatever the bytes, an accepted path must
 * start with '/', hold only [A-Za-z0-9_./-], have no segment that starts
 * with '.' (so no "..", no hidden file), no empty segment, no trailing
 * '/', and be at most 256 bytes; anything else must be refused.
 *
 * Input: the path's bytes (a NUL ends it early, as it would in C). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node/node_internal.h"

/* The property an accepted path must have, written apart from the check. */
static int well_formed(const char *p)
{
    size_t n = strlen(p);
    if (n < 2 || n > 256 || p[0] != '/' || p[n - 1] == '/')
        return 0;
    for (size_t i = 0; i < n; i++) {
        const char *ok = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                         "0123456789_-./";
        if (!strchr(ok, p[i]))
            return 0;
        if (p[i] == '/' && (p[i + 1] == '/' || p[i + 1] == '.'))
            return 0;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *p = malloc(size + 1);
    if (!p)
        return 0;
    memcpy(p, data, size);
    p[size] = '\0';
    int accepted = api_web_safe_path(p);
    if (accepted != well_formed(p))
        abort();
    free(p);
    return 0;
}
