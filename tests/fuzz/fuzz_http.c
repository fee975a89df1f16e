/* libFuzzer target for the API server's request parser (net/http_parse.c).
 *
 * The input is a request as it arrives: a head, then a body. The head must
 * be measured and parsed without crashing or reading past the input (an
 * exact-size heap copy); what is accepted must satisfy the invariants
 * below. When the head says chunked, the rest is fed to the chunk decoder
 * in pieces whose sizes come from the input, and the decoder must agree
 * with itself: the same body whatever the pieces, never more than the
 * bound, every step making progress or asking for more. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/http_parse.h"

#define MAX_BODY 4096
#define MAX_TRAILER 256

/* Decodes p[0..n) feeding step bytes at a time; the data length, or -1
 * on an error status, -2 when the body did not end. */
static long dechunk(const char *p, size_t n, size_t step)
{
    http_chunks c = {0};
    size_t have = step < n ? step : n, pos = 0, used, data = 0;
    for (;;) {
        int st = pos < have ? http_chunks_step(&c, p + pos, have - pos,
                                               MAX_BODY, MAX_TRAILER, &used)
                            : HC_MORE;
        if (st == HC_MORE) {
            if (have == n)
                return -2;
            have = have + step < n ? have + step : n;
            continue;
        }
        if (st > 0) {
            if (st != 400 && st != 413)
                abort();
            return -1;
        }
        if (used == 0 || used > have - pos)
            abort(); /* no progress, or past what it was given */
        if (st == HC_DATA)
            data += used;
        if (data > MAX_BODY || c.total != data)
            abort();
        pos += used;
        if (st == HC_DONE)
            return (long)data;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *p = malloc(size ? size : 1);
    if (!p)
        return 0;
    memcpy(p, data, size);
    size_t hl = http_head_len(p, size);
    http_head h;
    const char *why = NULL;
    if (hl > size)
        abort();
    int st = hl ? http_parse_head(p, hl, MAX_BODY, &h, &why) : -1;
    if (st > 0 && (!why || st < 400 || st > 505))
        abort();
    if (st == 0) {
        if (!h.target || h.target < p || h.target + h.target_len > p + hl ||
            h.target[0] != '/' || (h.minor != 0 && h.minor != 1) ||
            (h.chunked && h.has_length) ||
            (h.has_length && h.length > MAX_BODY))
            abort();
        if (h.chunked && hl < size) {
            long whole = dechunk(p + hl, size - hl, size - hl);
            long bytewise = dechunk(p + hl, size - hl, 1);
            long odd = dechunk(p + hl, size - hl, 7);
            if (whole >= 0 && (whole != bytewise || whole != odd))
                abort(); /* pieces changed the body */
        }
    }
    free(p);
    return 0;
}
