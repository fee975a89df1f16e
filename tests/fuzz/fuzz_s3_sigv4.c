/* libFuzzer target for the S3 gateway's SigV4 check (src/s3/sigv4.h): the
 * Authorization header parser, the presigned query parser, the canonical
 * request over any path, query and headers, and s3_uri_decode.
 *
 * Input: lines. Line 1 is the method, line 2 the raw path, line 3 the raw
 * query, line 4 the Authorization header (empty: none), the rest
 * "name: value" headers. The clock is AWS's example date, so the
 * seeds (AWS's published examples) verify and the fuzzer starts from
 * requests that reach the signature. The check must return a code in
 * range with a NUL-terminated sentence, and S3_OK only with a key of the
 * table; s3_uri_decode stays within its buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "s3/sigv4.h"

#define MAXH 32

typedef struct hdrs {
    char *name[MAXH];
    char *value[MAXH];
    int n;
} hdrs;

static const char *get_hdr(void *arg, const char *name)
{
    hdrs *h = arg;
    for (int i = 0; i < h->n; i++)
        if (strcasecmp(h->name[i], name) == 0)
            return h->value[i];
    return NULL;
}

static char *dup_n(const uint8_t *p, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        abort();
    memcpy(s, p, n);
    s[n] = 0; /* an inner NUL just ends the string early */
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
    static s3_key kv[2] = {
        {.id = "AKIAIOSFODNN7EXAMPLE",
         .secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
        {.id = "other", .secret = "othersecret", .read_only = 1},
    };
    static const s3_keys keys = {kv, 2};

    char *line[4 + MAXH] = {0};
    int nl = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n && nl < 4 + MAXH; i++) {
        if (i == n || p[i] == '\n') {
            line[nl++] = dup_n(p + start, i - start);
            start = i + 1;
        }
    }
    for (; nl < 4; nl++)
        line[nl] = dup_n((const uint8_t *)"", 0);
    hdrs h = {0};
    if (line[3][0]) {
        h.name[h.n] = "authorization";
        h.value[h.n++] = line[3];
    }
    for (int i = 4; i < nl && h.n < MAXH; i++) {
        char *colon = strchr(line[i], ':');
        if (!colon)
            continue;
        *colon = 0;
        h.name[h.n] = line[i];
        h.value[h.n++] = colon + 1 + (colon[1] == ' ');
    }
    s3_sig_req r = {.method = line[0],
                    .path = line[1],
                    .query = line[2],
                    .header = get_hdr,
                    .harg = &h,
                    .now = 1369353600 + 60,
                    .max_skew = S3_MAX_SKEW};
    s3_auth a;
    char msg[200];
    s3_code c = s3_sigv4_check(&r, &keys, &a, msg, sizeof msg);
    if ((unsigned)c >= S3_CODE_COUNT || strnlen(msg, sizeof msg) == sizeof msg)
        abort();
    if (c == S3_OK) {
        if (a.key != &kv[0] && a.key != &kv[1])
            abort();
        size_t pl = strnlen(a.payload_sha256, sizeof a.payload_sha256);
        if (pl != 0 && pl != 64)
            abort();
    } else if (!msg[0] || a.key) {
        abort();
    }

    char out[64];
    int d = s3_uri_decode(out, sizeof out, (const char *)p, n);
    if (d >= (int)sizeof out ||
        (d >= 0 && (out[d] != 0 || strlen(out) != (size_t)d)))
        abort();

    for (int i = 0; i < nl; i++)
        free(line[i]);
    return 0;
}
