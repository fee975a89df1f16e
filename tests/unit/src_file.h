/* Shared by the tests that read the source tree (docs checks): the whole
 * file at $CAIRN_SRC/rel. Include after cmocka.h. */
#ifndef CAIRN_TEST_SRC_FILE_H
#define CAIRN_TEST_SRC_FILE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The whole file at path, NUL-terminated; the caller frees it. */
static inline char *read_path(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot read %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

/* The whole file at $CAIRN_SRC/rel, NUL-terminated (caller frees). */
static inline char *read_src(const char *rel)
{
    const char *root = getenv("CAIRN_SRC");
    char path[1024];
    int k = snprintf(path, sizeof path, "%s/%s", root ? root : ".", rel);
    if (k < 0 || (size_t)k >= sizeof path)
        fail_msg("path too long: %s", rel);
    if (access(path, R_OK) != 0)
        fail_msg("cannot read %s (is CAIRN_SRC the source tree?)", path);
    return read_path(path);
}

#endif
