/* Unit tests of the one decimal-number parser (core/parse.c): every
 * boundary of u64 and of a caller's bound, and every kind of junk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cairn/parse.h"

static void accepts_digits(void **st)
{
    uint64_t v = 7;
    assert_int_equal(cairn_parse_u64("0", &v), CAIRN_OK);
    assert_true(v == 0);
    assert_int_equal(cairn_parse_u64("42", &v), CAIRN_OK);
    assert_true(v == 42);
    assert_int_equal(cairn_parse_u64("007", &v), CAIRN_OK);
    assert_true(v == 7);
    assert_int_equal(cairn_parse_u64("18446744073709551615", &v), CAIRN_OK);
    assert_true(v == UINT64_MAX);
    /* leading zeros do not count towards the length */
    assert_int_equal(cairn_parse_u64("000000000000000000000000001", &v),
                     CAIRN_OK);
    assert_true(v == 1);
}

static void refuses_overflow(void **st)
{
    uint64_t v = 7;
    assert_int_equal(cairn_parse_u64("18446744073709551616", &v),
                     CAIRN_ERR_OVERFLOW);
    assert_int_equal(cairn_parse_u64("99999999999999999999", &v),
                     CAIRN_ERR_OVERFLOW);
    assert_int_equal(cairn_parse_u64("184467440737095516150", &v),
                     CAIRN_ERR_OVERFLOW);
    assert_int_equal(cairn_parse_u64("100000000000000000000000000000", &v),
                     CAIRN_ERR_OVERFLOW);
    assert_true(v == 7); /* untouched on error */
}

static void refuses_junk(void **st)
{
    const char *bad[] = {"",     " 1",  "1 ",    "+1",
                         "-1",   "-0",  "1x",    "x1",
                         "0x10", "1.0", "1e3",   "١",
                         "\t5",  "5\n", "1,000", "99999999999999999999x"};
    uint64_t v = 7;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(cairn_parse_u64(bad[i], &v), CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_parse_u64(NULL, &v), CAIRN_ERR_BAD_ARG);
    assert_true(v == 7);
}

static void honours_bound(void **st)
{
    uint64_t v = 7;
    assert_int_equal(cairn_parse_u64_max("65535", 65535, &v), CAIRN_OK);
    assert_true(v == 65535);
    assert_int_equal(cairn_parse_u64_max("65536", 65535, &v),
                     CAIRN_ERR_OVERFLOW);
    assert_int_equal(
        cairn_parse_u64_max("9007199254740991", CAIRN_JSON_SAFE_MAX, &v),
        CAIRN_OK);
    assert_true(v == CAIRN_JSON_SAFE_MAX);
    assert_int_equal(
        cairn_parse_u64_max("9007199254740992", CAIRN_JSON_SAFE_MAX, &v),
        CAIRN_ERR_OVERFLOW);
    assert_int_equal(
        cairn_parse_u64_max("18446744073709551615", CAIRN_JSON_SAFE_MAX, &v),
        CAIRN_ERR_OVERFLOW);
    assert_int_equal(cairn_parse_u64_max("0", 0, &v), CAIRN_OK);
    assert_int_equal(cairn_parse_u64_max("1", 0, &v), CAIRN_ERR_OVERFLOW);
}

static void counted_text(void **st)
{
    uint64_t v = 7;
    assert_int_equal(cairn_parse_u64_n("1234xyz", 4, UINT64_MAX, &v), CAIRN_OK);
    assert_true(v == 1234);
    assert_int_equal(cairn_parse_u64_n("12\0"
                                       "4",
                                       4, UINT64_MAX, &v),
                     CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_parse_u64_n("1", 0, UINT64_MAX, &v),
                     CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_parse_u64_n(NULL, 3, UINT64_MAX, &v),
                     CAIRN_ERR_BAD_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_digits), cmocka_unit_test(refuses_overflow),
        cmocka_unit_test(refuses_junk),   cmocka_unit_test(honours_bound),
        cmocka_unit_test(counted_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
