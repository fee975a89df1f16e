/* The daemons' log lines and their rate limit (src/core/log.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"

/* burst lines per window; the rest counted and reported with the next. */
static void limit_windows(void **state)
{
    log_limit l;
    uint64_t dropped = 99;
    log_limit_init(&l, 3, 1000);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(log_limit_take(&l, 5000, &dropped), 1);
        assert_int_equal(dropped, 0);
    }
    for (int i = 0; i < 1000; i++)
        assert_int_equal(log_limit_take(&l, 5000 + i % 999, &dropped), 0);
    assert_int_equal(log_limit_take(&l, 6000, &dropped), 1);
    assert_int_equal(dropped, 1000);
    assert_int_equal(log_limit_take(&l, 6001, &dropped), 1);
    assert_int_equal(dropped, 0);
    assert_int_equal(log_limit_dropped(&l), 1000);
    /* a clock that goes back starts a new window rather than stalling */
    assert_int_equal(log_limit_take(&l, 6002, &dropped), 1);
    assert_int_equal(log_limit_take(&l, 6003, &dropped), 0);
    assert_int_equal(log_limit_take(&l, 10, &dropped), 1);
    assert_int_equal(dropped, 1);
    log_limit_destroy(&l);
}

/* 10,000 lines through a limit of 5 per minute write 5 lines. */
static void limited_lines(void **state)
{
    static log_limit l = LOG_LIMIT_INIT(5, 60000);
    char buf[8192];
    FILE *f = tmpfile();
    assert_non_null(f);
    int written = 0;
    for (int i = 0; i < 10000; i++)
        written += log_limited(&l, f, "test", "refused %d", i);
    assert_int_equal(written, 5);
    log_line(f, "test", "plain %s", "line");
    rewind(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    int lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += buf[i] == '\n';
    assert_int_equal(lines, 6);
    assert_non_null(strstr(buf, "Z test: refused 0\n"));
    assert_non_null(strstr(buf, "Z test: plain line\n"));
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(limit_windows),
        cmocka_unit_test(limited_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
