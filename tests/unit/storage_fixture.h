/* Shared by the storage data-path tests (test_piece.c, test_layout.c): the
 * deterministic test data of tests/vectors/gen_piece_vectors.py and access
 * to the vector files. Include after cmocka.h. */
#ifndef CAIRN_TEST_STORAGE_FIXTURE_H
#define CAIRN_TEST_STORAGE_FIXTURE_H

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/codec.h"

/* pattern(tag, n) = BLAKE2b-512(tag ‖ LE64(0)) ‖ BLAKE2b-512(tag ‖ LE64(1))
 * ‖ ..., cut to n bytes (as in the Python generator). */
static inline void pattern(uint8_t *out, size_t n, const char *tag)
{
    uint8_t in[128], block[64];
    size_t tl = strlen(tag);
    assert_true(tl + 8 <= sizeof in);
    memcpy(in, tag, tl);
    for (uint64_t i = 0; n > 0; i++) {
        for (int b = 0; b < 8; b++)
            in[tl + b] = (uint8_t)(i >> (8 * b));
        crypto_generichash(block, 64, in, tl + 8, NULL, 0);
        size_t take = n < 64 ? n : 64;
        memcpy(out, block, take);
        out += take;
        n -= take;
    }
}

/* A malloc'ed pattern (at least 1 byte allocated); the caller frees it. */
static inline uint8_t *pattern_alloc(size_t n, const char *tag)
{
    uint8_t *p = malloc(n ? n : 1);
    assert_non_null(p);
    pattern(p, n, tag);
    return p;
}

static inline FILE *open_vectors(const char *name)
{
    char path[4096];
    const char *src = getenv("CAIRN_SRC");
    assert_non_null(src);
    snprintf(path, sizeof path, "%s/tests/vectors/%s", src, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    return f;
}

/* Decodes exactly 2 * n hex digits from s into out; 0 on success. */
static inline int hex_decode(uint8_t *out, size_t n, const char *s, size_t slen)
{
    return cairn_hex_decode(out, n, s, slen) == CAIRN_OK ? 0 : -1;
}

#endif
