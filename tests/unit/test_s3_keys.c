/* Unit tests of the S3 gateway's access keys file (src/s3/keys.h): a file
 * with comments, blank lines, key files (absolute, relative to the keys
 * file, '-') and modes loads; each malformed line is refused with its line
 * number in the reason; a file others may write, a missing key file, a
 * duplicate id and an empty file are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "s3/keys.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/cairn-s3keys-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/keys", dir);
    char kf[128];
    snprintf(kf, sizeof kf, "%s/alice.key", dir);
    FILE *f = fopen(kf, "w");
    assert_non_null(f);
    fputs("{}\n", f);
    fclose(f);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char p[160];
    snprintf(p, sizeof p, "%s/alice.key", dir);
    unlink(p);
    unlink(path);
    rmdir(dir);
    return 0;
}

static void write_keys(const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

static void test_load(void **state)
{
    (void)state;
    char text[1024];
    snprintf(text, sizeof text,
             "# the gateway's keys\n"
             "\n"
             "AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
             "  reader\tsecret-of-reader   -   ro  \r\n"
             "alice.2 alicesecret alice.key\n"
             "alice-abs alicesecret %s/alice.key rw\n"
             "bob_ro bobsecret1 ro\n"
             "   # indented comment\n",
             dir);
    write_keys(text, 0600);
    s3_keys k;
    char why[256];
    assert_int_equal(s3_keys_load(&k, path, why, sizeof why), CAIRN_OK);
    assert_int_equal(k.n, 5);
    const s3_key *a = s3_keys_find(&k, "AKIAIOSFODNN7EXAMPLE");
    assert_non_null(a);
    assert_string_equal(a->secret, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    assert_string_equal(a->key_file, "");
    assert_int_equal(a->read_only, 0);
    a = s3_keys_find(&k, "reader");
    assert_non_null(a);
    assert_string_equal(a->secret, "secret-of-reader");
    assert_string_equal(a->key_file, "");
    assert_int_equal(a->read_only, 1);
    char want[160];
    snprintf(want, sizeof want, "%s/alice.key", dir);
    a = s3_keys_find(&k, "alice.2");
    assert_non_null(a);
    assert_string_equal(a->key_file, want);
    a = s3_keys_find(&k, "alice-abs");
    assert_non_null(a);
    assert_string_equal(a->key_file, want);
    assert_int_equal(a->read_only, 0);
    a = s3_keys_find(&k, "bob_ro");
    assert_non_null(a);
    assert_int_equal(a->read_only, 1);
    assert_string_equal(a->key_file, "");
    assert_null(s3_keys_find(&k, "nobody"));
    assert_null(s3_keys_find(&k, NULL));
    s3_keys_free(&k);
    assert_null(k.k);
    assert_int_equal(k.n, 0);
    s3_keys_free(&k); /* twice: harmless */
    /* group- or other-readable is allowed, writable is not */
    write_keys("id1 secret123\n", 0644);
    assert_int_equal(s3_keys_load(&k, path, why, sizeof why), CAIRN_OK);
    s3_keys_free(&k);
    write_keys("id1 secret123\n", 0620);
    assert_int_equal(s3_keys_load(&k, path, why, sizeof why),
                     CAIRN_ERR_BAD_KEY);
    assert_non_null(strstr(why, "chmod 600"));
}

static void test_refused(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *why; /* in the reason */
    } cases[] = {
        {"", "has no key"},
        {"# only a comment\n\n", "has no key"},
        {"onlyid\n", "line 1"},
        {"id1 secret123\nid2 secret123 - rw extra\n", "line 2"},
        {"ab secret123\n", "access key id"},
        {"id/1 secret123\n", "access key id"},
        {"id1 short\n", "secret"},
        {"id1 secret\x01"
         "123\n",
         "secret"},
        {"id1 secret123 - rx\n", "rw or ro"},
        {"id1 secret123\nid1 secret456\n", "twice"},
        {"id1 secret123 missing.key\n", "cannot read the key file"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_keys(cases[i].text, 0600);
        s3_keys k;
        char why[512];
        cairn_err rc = s3_keys_load(&k, path, why, sizeof why);
        if (rc == CAIRN_OK || !strstr(why, cases[i].why))
            fail_msg("case %zu: rc %d, why '%s'", i, (int)rc, why);
        assert_null(k.k);
        assert_int_equal(k.n, 0);
        assert_non_null(strstr(why, path));
    }
    /* a line too long */
    char *big = malloc(10000);
    assert_non_null(big);
    memset(big, 'a', 9998);
    big[9998] = '\n';
    big[9999] = 0;
    write_keys(big, 0600);
    free(big);
    s3_keys k;
    char why[512];
    assert_int_equal(s3_keys_load(&k, path, why, sizeof why),
                     CAIRN_ERR_BAD_KEY);
    assert_non_null(strstr(why, "longer than"));
    /* no file */
    unlink(path);
    assert_int_equal(s3_keys_load(&k, path, why, sizeof why), CAIRN_ERR_IO);
    assert_non_null(strstr(why, "cannot open"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
