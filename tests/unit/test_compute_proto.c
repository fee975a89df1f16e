/* Unit tests of the compute tenant<->provider messages (src/compute/proto.c):
 * round trips, every truncation and one trailing byte refused, the bounds
 * each decoder must keep (paths, flags, states, text, endpoint and token),
 * and the service port's token line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/compute.h"
#include "cairn/compute_proto.h"

typedef cairn_err (*dec_fn)(const uint8_t *p, size_t n);

/* Every strict prefix fails, and so does one byte more. */
static void prefixes_fail(const cairn_buf *b, dec_fn dec)
{
    uint8_t *p = malloc(b->len + 1);
    assert_non_null(p);
    memcpy(p, b->p, b->len);
    for (size_t i = 0; i < b->len; i++)
        assert_int_equal(dec(p, i), CAIRN_ERR_BAD_MSG);
    p[b->len] = 0;
    assert_int_equal(dec(p, b->len + 1), CAIRN_ERR_BAD_MSG);
    assert_int_equal(dec(p, b->len), CAIRN_OK);
    free(p);
}

static cairn_err dec_manifest(const uint8_t *p, size_t n)
{
    cairn_cp_manifest m;
    return cairn_cp_manifest_decode(&m, p, n);
}
static cairn_err dec_status(const uint8_t *p, size_t n)
{
    uint64_t l;
    return cairn_cp_status_decode(&l, p, n);
}
static cairn_err dec_logs(const uint8_t *p, size_t n)
{
    cairn_cp_logs_req m;
    return cairn_cp_logs_decode(&m, p, n);
}
static cairn_err dec_fetch(const uint8_t *p, size_t n)
{
    cairn_cp_fetch_req m;
    return cairn_cp_fetch_decode(&m, p, n);
}
static cairn_err dec_state(const uint8_t *p, size_t n)
{
    cairn_cp_state m;
    return cairn_cp_state_decode(&m, p, n);
}
static cairn_err dec_log(const uint8_t *p, size_t n)
{
    cairn_cp_log m;
    return cairn_cp_log_decode(&m, p, n);
}
static cairn_err dec_chunk(const uint8_t *p, size_t n)
{
    cairn_cp_chunk m;
    return cairn_cp_chunk_decode(&m, p, n);
}
static cairn_err dec_error(const uint8_t *p, size_t n)
{
    cairn_cp_error m;
    return cairn_cp_error_decode(&m, p, n);
}

static void test_requests(void **state)
{
    (void)state;
    cairn_buf b;
    const char *mf = "{\"command\":[\"true\"]}";
    cairn_buf_init(&b, CAIRN_CP_MSG_MAX);
    uint8_t keys[2 * CAIRN_CP_KEY_ENTRY];
    memset(keys, 1, CAIRN_CP_KEY_ENTRY);
    memset(keys + CAIRN_CP_KEY_ENTRY, 2, CAIRN_CP_KEY_ENTRY);
    cairn_cp_manifest m = {42, (const uint8_t *)mf, (uint32_t)strlen(mf), keys,
                           2},
                      m2;
    cairn_cp_manifest_encode(&b, &m);
    assert_int_equal(cairn_cp_manifest_decode(&m2, b.p, b.len), CAIRN_OK);
    assert_int_equal(m2.lease, 42);
    assert_int_equal(m2.len, strlen(mf));
    assert_memory_equal(m2.bytes, mf, m2.len);
    assert_int_equal(m2.nkeys, 2);
    assert_memory_equal(m2.keys, keys, sizeof keys);
    prefixes_fail(&b, dec_manifest);
    /* keys out of order (or twice) are refused */
    memset(keys, 2, CAIRN_CP_FILE_ID_LEN);
    cairn_buf_reset(&b);
    cairn_cp_manifest_encode(&b, &m);
    assert_int_equal(dec_manifest(b.p, b.len), CAIRN_ERR_BAD_MSG);
    m.nkeys = 0;
    cairn_buf_reset(&b);
    cairn_cp_manifest_encode(&b, &m);
    prefixes_fail(&b, dec_manifest);
    cairn_buf_reset(&b); /* an empty manifest is refused */
    m.len = 0;
    cairn_cp_manifest_encode(&b, &m);
    assert_int_equal(dec_manifest(b.p, b.len), CAIRN_ERR_BAD_MSG);

    cairn_buf_reset(&b);
    cairn_cp_status_encode(&b, 9);
    prefixes_fail(&b, dec_status);

    cairn_cp_logs_req lr = {9, 1000, 4096}, lr2;
    cairn_buf_reset(&b);
    cairn_cp_logs_encode(&b, &lr);
    assert_int_equal(cairn_cp_logs_decode(&lr2, b.p, b.len), CAIRN_OK);
    assert_int_equal(lr2.offset, 1000);
    assert_int_equal(lr2.max, 4096);
    prefixes_fail(&b, dec_logs);
    lr.max = CAIRN_CP_CHUNK_MAX + 1;
    cairn_buf_reset(&b);
    cairn_cp_logs_encode(&b, &lr);
    assert_int_equal(dec_logs(b.p, b.len), CAIRN_ERR_BAD_MSG);
    lr.max = 0;
    cairn_buf_reset(&b);
    cairn_cp_logs_encode(&b, &lr);
    assert_int_equal(dec_logs(b.p, b.len), CAIRN_ERR_BAD_MSG);

    cairn_cp_fetch_req fr = {9, "out/a.txt", 5}, fr2;
    cairn_buf_reset(&b);
    cairn_cp_fetch_encode(&b, &fr);
    assert_int_equal(cairn_cp_fetch_decode(&fr2, b.p, b.len), CAIRN_OK);
    assert_string_equal(fr2.path, "out/a.txt");
    assert_int_equal(fr2.offset, 5);
    prefixes_fail(&b, dec_fetch);
    const char *bad[] = {"../x", "a/../b", "/etc/passwd", "a//b", "a/",
                         ".",    "a/./b",  "a b",         "a\\b", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cairn_buf_reset(&b);
        snprintf(fr.path, sizeof fr.path, "%s", bad[i]);
        cairn_cp_fetch_encode(&b, &fr);
        assert_int_equal(dec_fetch(b.p, b.len), CAIRN_ERR_BAD_MSG);
    }
    cairn_buf_free(&b);
}

static void test_path_ok(void **state)
{
    (void)state;
    char longp[CAIRN_CP_PATH_MAX + 2];
    assert_true(cairn_cp_path_ok("a", 1));
    assert_true(cairn_cp_path_ok("..a/b..c/.d", 11));
    assert_true(cairn_cp_path_ok("x/y/z-1_2.txt", 13));
    assert_false(cairn_cp_path_ok("..", 2));
    assert_false(cairn_cp_path_ok("a/..", 4));
    assert_false(cairn_cp_path_ok("a\0b", 3));
    memset(longp, 'a', sizeof longp);
    assert_true(cairn_cp_path_ok(longp, CAIRN_CP_PATH_MAX));
    assert_false(cairn_cp_path_ok(longp, CAIRN_CP_PATH_MAX + 1));
}

static void test_state(void **state)
{
    (void)state;
    cairn_buf b;
    cairn_cp_state s = {0}, s2;
    cairn_buf_init(&b, CAIRN_CP_MSG_MAX);
    s.lease = 3;
    s.state = CAIRN_WORK_EXITED;
    s.flags = CAIRN_CP_HAS_MANIFEST | CAIRN_CP_RESUMED;
    s.exit_code = 137;
    s.started = 100;
    s.ended = 200;
    s.disk_used = 4096;
    s.log_size = 12;
    snprintf(s.note, sizeof s.note, "memory limit");
    snprintf(s.endpoint, sizeof s.endpoint, "127.0.0.1:9801");
    memset(s.token, 0xAB, sizeof s.token);
    cairn_cp_state_encode(&b, &s);
    assert_int_equal(cairn_cp_state_decode(&s2, b.p, b.len), CAIRN_OK);
    assert_memory_equal(&s, &s2, sizeof s);
    prefixes_fail(&b, dec_state);

    /* without an endpoint there is no token */
    memset(s.endpoint, 0, sizeof s.endpoint);
    memset(s.token, 0, sizeof s.token);
    cairn_buf_reset(&b);
    cairn_cp_state_encode(&b, &s);
    assert_int_equal(cairn_cp_state_decode(&s2, b.p, b.len), CAIRN_OK);
    assert_memory_equal(&s, &s2, sizeof s);
    prefixes_fail(&b, dec_state);

    /* unknown flags, an unknown state, an endpoint that does not parse */
    s.flags = 8;
    cairn_buf_reset(&b);
    cairn_cp_state_encode(&b, &s);
    assert_int_equal(dec_state(b.p, b.len), CAIRN_ERR_BAD_MSG);
    s.flags = 0;
    s.state = CAIRN_WORK_FAILED + 1;
    cairn_buf_reset(&b);
    cairn_cp_state_encode(&b, &s);
    assert_int_equal(dec_state(b.p, b.len), CAIRN_ERR_BAD_MSG);
    s.state = CAIRN_WORK_RUNNING;
    snprintf(s.endpoint, sizeof s.endpoint, "no port here");
    cairn_buf_reset(&b);
    cairn_cp_state_encode(&b, &s);
    assert_int_equal(dec_state(b.p, b.len), CAIRN_ERR_BAD_MSG);
    /* a control byte in the note: the encoder cleans it */
    s.endpoint[0] = '\0';
    snprintf(s.note, sizeof s.note, "a\nb");
    cairn_buf_reset(&b);
    cairn_cp_state_encode(&b, &s);
    assert_int_equal(cairn_cp_state_decode(&s2, b.p, b.len), CAIRN_OK);
    assert_string_equal(s2.note, "a?b");
    b.p[8 + 1 + 1 + 4 + 32 + 4 + 1] = '\n'; /* raw: refused */
    assert_int_equal(dec_state(b.p, b.len), CAIRN_ERR_BAD_MSG);
    cairn_buf_free(&b);
}

static void test_replies(void **state)
{
    (void)state;
    cairn_buf b;
    uint8_t bytes[100];
    memset(bytes, 7, sizeof bytes);
    cairn_buf_init(&b, CAIRN_CP_MSG_MAX);
    cairn_cp_log lg = {150, 150, 1, bytes, 50}, lg2;
    cairn_cp_log_encode(&b, &lg);
    assert_int_equal(cairn_cp_log_decode(&lg2, b.p, b.len), CAIRN_OK);
    assert_int_equal(lg2.next, 150);
    assert_int_equal(lg2.ended, 1);
    assert_int_equal(lg2.len, 50);
    prefixes_fail(&b, dec_log);
    lg.ended = 2;
    cairn_buf_reset(&b);
    cairn_cp_log_encode(&b, &lg);
    assert_int_equal(dec_log(b.p, b.len), CAIRN_ERR_BAD_MSG);

    cairn_cp_chunk ch = {1000, bytes, 100}, ch2;
    cairn_buf_reset(&b);
    cairn_cp_chunk_encode(&b, &ch);
    assert_int_equal(cairn_cp_chunk_decode(&ch2, b.p, b.len), CAIRN_OK);
    assert_int_equal(ch2.total, 1000);
    assert_memory_equal(ch2.bytes, bytes, 100);
    prefixes_fail(&b, dec_chunk);

    cairn_cp_accepted a = {5, CAIRN_WORK_STARTING}, a2;
    cairn_buf_reset(&b);
    cairn_cp_accepted_encode(&b, &a);
    assert_int_equal(cairn_cp_accepted_decode(&a2, b.p, b.len), CAIRN_OK);
    assert_int_equal(a2.state, CAIRN_WORK_STARTING);
    a.state = 9;
    cairn_buf_reset(&b);
    cairn_cp_accepted_encode(&b, &a);
    assert_int_equal(cairn_cp_accepted_decode(&a2, b.p, b.len),
                     CAIRN_ERR_BAD_MSG);

    cairn_cp_error er;
    cairn_buf_reset(&b);
    cairn_cp_error_encode(&b, CAIRN_ERR_NOT_LEASE_PARTY, "not yours");
    assert_int_equal(cairn_cp_error_decode(&er, b.p, b.len), CAIRN_OK);
    assert_int_equal(cairn_cp_error_code(&er), CAIRN_ERR_NOT_LEASE_PARTY);
    assert_string_equal(er.msg, "not yours");
    prefixes_fail(&b, dec_error);
    er.code = 100000;
    assert_int_equal(cairn_cp_error_code(&er), CAIRN_ERR_BAD_MSG);
    cairn_buf_free(&b);
}

static void test_token_line(void **state)
{
    (void)state;
    uint8_t t[CAIRN_CP_TOKEN_LEN], t2[CAIRN_CP_TOKEN_LEN];
    char line[CAIRN_CP_TOKEN_LINE];
    for (int i = 0; i < CAIRN_CP_TOKEN_LEN; i++)
        t[i] = (uint8_t)(i * 37 + 5);
    cairn_cp_token_line(line, t);
    assert_int_equal(line[CAIRN_CP_TOKEN_LINE - 1], '\n');
    assert_int_equal(cairn_cp_token_parse(t2, line, sizeof line), CAIRN_OK);
    assert_memory_equal(t, t2, sizeof t);
    assert_int_equal(cairn_cp_token_parse(t2, line, sizeof line - 1),
                     CAIRN_ERR_BAD_MSG);
    line[3] = 'A'; /* upper case is not the canonical form */
    assert_int_equal(cairn_cp_token_parse(t2, line, sizeof line),
                     CAIRN_ERR_BAD_MSG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_requests),   cmocka_unit_test(test_path_ok),
        cmocka_unit_test(test_state),      cmocka_unit_test(test_replies),
        cmocka_unit_test(test_token_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
