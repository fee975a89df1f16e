/* Unit tests of the API server's request parser (net/http_parse.c) and of
 * rate-limited reporting (core/ratelimit.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "cairn/ratelimit.h"
#include "net/http_parse.h"

#define MAXB 1000

/* Parses the NUL-terminated head s; returns the status (0 = fine). */
static int parse(const char *s, http_head *h)
{
    const char *why = NULL;
    size_t n = strlen(s);
    assert_int_equal(http_head_len(s, n), n); /* complete, nothing after */
    int st = http_parse_head(s, n, MAXB, h, &why);
    assert_true(st == 0 || (why && *why));
    return st;
}

static void head_length(void **st)
{
    assert_int_equal(http_head_len("GET / HTTP/1.1\r\n", 16), 0);
    assert_int_equal(http_head_len("GET / HTTP/1.1\r\n\r", 17), 0);
    assert_int_equal(http_head_len("GET / HTTP/1.1\r\n\r\nBODY", 22), 18);
    assert_int_equal(http_head_len("GET / HTTP/1.1\n\nBODY", 20), 16);
    assert_int_equal(http_head_len("\r\n\r\nGET / HTTP/1.1\r\n\r\n", 22), 22);
    assert_int_equal(http_head_len("", 0), 0);
}

static void request_line(void **st)
{
    http_head h;
    assert_int_equal(
        parse("GET /v1/status?x=1 HTTP/1.1\r\nHost: a\r\n\r\n", &h), 0);
    assert_int_equal(h.method, HTTP_GET);
    assert_int_equal(h.target_len, 14);
    assert_memory_equal(h.target, "/v1/status?x=1", 14);
    assert_int_equal(h.minor, 1);
    assert_true(h.keep_alive);
    assert_false(h.has_length || h.chunked || h.expect_continue);
    assert_int_equal(parse("\r\nPOST / HTTP/1.0\n\n", &h), 0);
    assert_int_equal(h.method, HTTP_POST);
    assert_false(h.keep_alive); /* 1.0 closes unless asked */
    assert_int_equal(parse("BREW /pot HTTP/1.1\r\n\r\n", &h), 0);
    assert_int_equal(h.method, HTTP_OTHER);
    assert_int_equal(parse("DELETE / HTTP/1.1\r\n\r\n", &h), 0);
    assert_int_equal(h.method, HTTP_DELETE);
    const char *bad[] = {"GARBAGE\r\n\r\n",
                         "GET\r\n\r\n",
                         "GET  / HTTP/1.1\r\n\r\n",
                         "GET / HTTP/1.1 \r\n\r\n",
                         "GET http://x/ HTTP/1.1\r\n\r\n",
                         "GET * HTTP/1.1\r\n\r\n",
                         "GET / http/1.1\r\n\r\n",
                         "GET /\x01 HTTP/1.1\r\n\r\n",
                         "GET / HTTP/1.1\rX\r\n\r\n",
                         "G(T / HTTP/1.1\r\n\r\n",
                         "GET / HTTP/1.10\r\n\r\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(parse(bad[i], &h), 400);
    assert_int_equal(parse("GET / HTTP/2.0\r\n\r\n", &h), 505);
    assert_int_equal(parse("GET / HTTP/1.2\r\n\r\n", &h), 505);
}

static void headers(void **st)
{
    http_head h;
    assert_int_equal(
        parse("GET / HTTP/1.1\r\nConnection: Keep-Alive, CLOSE\r\n\r\n", &h),
        0);
    assert_false(h.keep_alive);
    assert_int_equal(
        parse("GET / HTTP/1.0\r\nconnection:keep-alive\r\n\r\n", &h), 0);
    assert_true(h.keep_alive);
    assert_int_equal(
        parse("GET / HTTP/1.1\r\nX-Any: \t v \t\r\nX-Empty:\r\n\r\n", &h), 0);
    assert_int_equal(parse("GET / HTTP/1.1\r\nX: caf\xc3\xa9\r\n\r\n", &h),
                     0); /* obs-text */
    const char *bad[] = {"GET / HTTP/1.1\r\nno colon\r\n\r\n",
                         "GET / HTTP/1.1\r\nName : v\r\n\r\n",
                         "GET / HTTP/1.1\r\n: v\r\n\r\n",
                         "GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
                         "GET / HTTP/1.1\r\nA: b\x01\r\n\r\n",
                         "GET / HTTP/1.1\r\nA: b\x7f\r\n\r\n",
                         "GET / HTTP/1.1\r\nA\x80: b\r\n\r\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(parse(bad[i], &h), 400);
}

static void body_framing(void **st)
{
    http_head h;
    assert_int_equal(parse("POST / HTTP/1.1\r\nContent-Length: 12\r\n\r\n", &h),
                     0);
    assert_true(h.has_length && h.length == 12 && !h.chunked);
    assert_int_equal(
        parse(
            "POST / HTTP/1.1\r\nContent-Length: 7\r\ncontent-length: 7\r\n\r\n",
            &h),
        0);
    assert_int_equal(
        parse("POST / HTTP/1.1\r\nContent-Length: 1000\r\n\r\n", &h), 0);
    assert_int_equal(
        parse("POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n", &h), 0);
    assert_true(h.chunked && !h.has_length);
    assert_int_equal(
        parse("POST / HTTP/1.1\r\nContent-Length: 1001\r\n\r\n", &h), 413);
    assert_int_equal(
        parse("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
              &h),
        413);
    assert_int_equal(
        parse(
            "POST / HTTP/1.1\r\nContent-Length: 7\r\nContent-Length: 8\r\n\r\n",
            &h),
        400);
    assert_int_equal(parse("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", &h),
                     400);
    assert_int_equal(
        parse("POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n", &h), 400);
    assert_int_equal(
        parse("POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n", &h), 400);
    assert_int_equal(parse("POST / HTTP/1.1\r\nContent-Length: \r\n\r\n", &h),
                     400);
    assert_int_equal(parse("POST / HTTP/1.1\r\nContent-Length: "
                           "3\r\nTransfer-Encoding: chunked\r\n\r\n",
                           &h),
                     400);
    assert_int_equal(parse("POST / HTTP/1.1\r\nTransfer-Encoding: "
                           "chunked\r\nContent-Length: x\r\n\r\n",
                           &h),
                     400);
    assert_int_equal(
        parse("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
              &h),
        501);
    assert_int_equal(parse("POST / HTTP/1.1\r\nTransfer-Encoding: "
                           "chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
                           &h),
                     501);
    assert_int_equal(
        parse("POST / HTTP/1.1\r\nExpect: 100-Continue\r\n\r\n", &h), 0);
    assert_true(h.expect_continue);
    assert_int_equal(
        parse("POST / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n", &h), 0);
    assert_false(h.expect_continue); /* HTTP/1.0 has no interim answers */
    assert_int_equal(parse("POST / HTTP/1.1\r\nExpect: tea\r\n\r\n", &h), 417);
}

/* Feeds s to a decoder, k more bytes each time it asks for more; returns
 * the final status (HC_DONE when the body ended exactly at the end of s)
 * and the body in out. */
static int dechunk(const char *s, size_t k, uint64_t max, char *out,
                   size_t *olen)
{
    http_chunks c = {0};
    size_t n = strlen(s), have = k < n ? k : n, pos = 0, used;
    *olen = 0;
    for (;;) {
        int st = pos < have
                     ? http_chunks_step(&c, s + pos, have - pos, max, 64, &used)
                     : HC_MORE;
        if (st == HC_MORE) {
            if (have == n)
                return HC_MORE;
            have = have + k < n ? have + k : n;
            continue;
        }
        if (st > 0)
            return st;
        assert_true(used > 0);
        if (st == HC_DATA) {
            memcpy(out + *olen, s + pos, used);
            *olen += used;
        }
        pos += used;
        if (st == HC_DONE)
            return pos == n ? HC_DONE : -99;
    }
}

static void chunked_bodies(void **st)
{
    char out[256];
    size_t olen;
    const char *good = "5\r\nhello\r\n1;ext=1\r\n \r\nA  "
                       "\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n";
    for (size_t k = 1; k <= strlen(good); k++) {
        assert_int_equal(dechunk(good, k, 100, out, &olen), HC_DONE);
        assert_int_equal(olen, 16);
        assert_memory_equal(out, "hello 0123456789", 16);
    }
    assert_int_equal(dechunk("0\n\n", 1, 100, out, &olen), HC_DONE);
    assert_int_equal(dechunk("3\r\nabc\r\n", 1, 100, out, &olen), HC_MORE);
    /* malformed: 400, never 413 */
    const char *bad[] = {"zz\r\nabc\r\n0\r\n\r\n",
                         "-1\r\nabc\r\n0\r\n\r\n",
                         "\r\n",
                         "+5\r\nhello\r\n0\r\n\r\n",
                         "5 x\r\nhello\r\n0\r\n\r\n",
                         "3\r\nabcX\r\n0\r\n\r\n",
                         "3\r\nabc\r\n0\r\nno colon\r\n\r\n",
                         "3\x01\r\nabc\r\n0\r\n\r\n",
                         "0\r\n folded: x\r\n\r\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        for (size_t k = 1; k <= 3; k++)
            assert_int_equal(dechunk(bad[i], k, 100, out, &olen), 400);
    /* too large: the chunk passes the bound, the size is absurd, or the
     * trailer is over its bound */
    assert_int_equal(dechunk("65\r\n", 1, 100, out, &olen),
                     413); /* 101 > 100 */
    assert_int_equal(dechunk("64\r\n", 1, 100, out, &olen), HC_MORE);
    assert_int_equal(dechunk("10000000000000000\r\n", 1, 100, out, &olen), 413);
    char trailer[200];
    snprintf(trailer, sizeof trailer, "0\r\nX: %070d\r\n\r\n", 0);
    assert_int_equal(dechunk(trailer, 8, 100, out, &olen), 413);
    char longline[HTTP_CHUNK_LINE_MAX + 8];
    memset(longline, '0', sizeof longline - 1);
    longline[sizeof longline - 1] = '\0';
    assert_int_equal(dechunk(longline, 100, 100, out, &olen), 400);
}

static void reasons(void **st)
{
    assert_string_equal(http_reason(413), "Content Too Large");
    assert_string_equal(http_reason(408), "Request Timeout");
    assert_string_equal(http_reason(299), "Error");
}

static void ratelimit(void **st)
{
    cairn_ratelimit r = {.interval_ms = 10000};
    uint64_t skipped = 99;
    assert_true(cairn_ratelimit_allow(&r, 1000, &skipped)); /* first: at once */
    assert_true(skipped == 0);
    for (int i = 0; i < 500; i++)
        assert_false(
            cairn_ratelimit_allow(&r, 1000 + (uint64_t)i * 10, &skipped));
    assert_true(
        cairn_ratelimit_allow(&r, 11000, &skipped)); /* one interval on */
    assert_true(skipped == 500);
    assert_false(cairn_ratelimit_allow(&r, 11001, &skipped));
    assert_true(cairn_ratelimit_reset(&r) == 1);
    assert_true(cairn_ratelimit_allow(&r, 11002,
                                      &skipped)); /* after a reset: at once */
    assert_true(skipped == 0);
    assert_true(
        cairn_ratelimit_allow(&r, 5, &skipped)); /* the clock went back */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(head_length),    cmocka_unit_test(request_line),
        cmocka_unit_test(headers),        cmocka_unit_test(body_framing),
        cmocka_unit_test(chunked_bodies), cmocka_unit_test(reasons),
        cmocka_unit_test(ratelimit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
