/* Unit tests of the storage data path (include/cairn/layout.h): segment
 * arithmetic and bounds, round trips for many file sizes and k-of-n codes,
 * decoding from every subset of pieces, too few pieces, corrupt pieces,
 * tampered cipher text, swapped segments, wrong key/nonce/size, repair, and
 * the end-to-end vectors of tests/vectors/piece_layout.txt (generated in
 * Python independently of the C code). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/layout.h"
#include "storage_fixture.h"

static const uint8_t secret[CAIRN_SECRET_LEN] = {1, 2, 3, 4, 5, 6, 7, 8, 9};

/* One encoded segment: its sizes, its n pieces back to back, their roots. */
typedef struct enc_seg {
    cairn_segment_sizes sz;
    uint8_t *pieces;
    cairn_hash roots[CAIRN_RS_MAX_N];
} enc_seg;

static cairn_file_info info(uint32_t k, uint32_t n, uint32_t seg, uint64_t size)
{
    cairn_file_info fi;
    cairn_layout_params p = {.k = k, .n = n, .segment_size = seg};
    assert_int_equal(cairn_file_info_init(&fi, &p, size), CAIRN_OK);
    return fi;
}

static void encode_seg(cairn_layout *l, uint64_t s, const uint8_t *plain,
                       enc_seg *out)
{
    const cairn_file_info *fi = cairn_layout_info(l);
    assert_int_equal(cairn_layout_sizes(fi, s, &out->sz), CAIRN_OK);
    size_t cap = (size_t)fi->p.n * out->sz.piece;
    out->pieces = malloc(cap);
    assert_non_null(out->pieces);
    assert_int_equal(cairn_layout_encode(l, s, plain + s * fi->p.segment_size,
                                         out->sz.plain, out->pieces, cap,
                                         out->roots),
                     CAIRN_OK);
}

static const uint8_t *piece(const enc_seg *e, uint32_t i)
{
    return e->pieces + (size_t)i * e->sz.piece;
}

/* The pieces whose bit is set in mask, ascending; returns how many. */
static size_t from_mask(const enc_seg *e, uint32_t n, uint64_t mask,
                        cairn_piece_in *in)
{
    size_t c = 0;
    for (uint32_t i = 0; i < n; i++)
        if (mask >> i & 1)
            in[c++] = (cairn_piece_in){.index = i, .bytes = piece(e, i)};
    return c;
}

/* Decodes segment s from `in` and compares it with the plaintext. */
static void expect_plain(cairn_layout *l, uint64_t s, const cairn_piece_in *in,
                         size_t c, const uint8_t *plain, const enc_seg *e)
{
    uint8_t *out = malloc(e->sz.plain + 1);
    assert_non_null(out);
    assert_int_equal(cairn_layout_decode(l, s, in, c, out, e->sz.plain),
                     CAIRN_OK);
    const cairn_file_info *fi = cairn_layout_info(l);
    assert_memory_equal(out, plain + s * fi->p.segment_size, e->sz.plain);
    free(out);
}

static cairn_err try_decode(cairn_layout *l, uint64_t s,
                            const cairn_piece_in *in, size_t c,
                            const enc_seg *e)
{
    uint8_t *out = malloc(e->sz.plain + 1);
    assert_non_null(out);
    cairn_err r = cairn_layout_decode(l, s, in, c, out, e->sz.plain);
    free(out);
    return r;
}

static void params_bounds(void **st)
{
    static const cairn_layout_params bad[] = {
        {0, 4, 4096},
        {4, 4, 4096},
        {5, 4, 4096},
        {1, 256, 4096},
        {4, 6, CAIRN_SEGMENT_MIN - 1},
        {4, 6, CAIRN_SEGMENT_MAX + 1},
        {4, 6, 0},
    };
    static const cairn_layout_params good[] = {
        {1, 2, CAIRN_SEGMENT_MIN},
        {254, 255, CAIRN_SEGMENT_MAX},
        {4, 6, CAIRN_SEGMENT_DEFAULT},
        {29, 80, 1u << 20},
    };
    static char dummy;
    cairn_file_info fi = {.size = 10};
    cairn_layout *l = (cairn_layout *)&dummy; /* must come back NULL */
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(cairn_layout_params_check(&bad[i]), CAIRN_ERR_BAD_ARG);
        assert_int_equal(cairn_file_info_init(&fi, &bad[i], 10),
                         CAIRN_ERR_BAD_ARG);
        fi.p = bad[i];
        assert_int_equal(cairn_layout_segments(&fi), 0);
        assert_int_equal(cairn_layout_new(&l, &fi, secret), CAIRN_ERR_BAD_ARG);
        assert_null(l);
    }
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        assert_int_equal(cairn_layout_params_check(&good[i]), CAIRN_OK);
}

static void segment_sizes(void **st)
{
    cairn_segment_sizes sz;
    cairn_file_info fi = info(4, 6, 4096, 0);
    assert_int_equal(cairn_layout_segments(&fi),
                     1); /* an empty file: one empty segment */
    assert_int_equal(cairn_layout_sizes(&fi, 0, &sz), CAIRN_OK);
    assert_int_equal(sz.plain, 0);
    assert_int_equal(sz.cipher, 16);
    assert_int_equal(sz.piece, 4);
    assert_int_equal(cairn_layout_sizes(&fi, 1, &sz), CAIRN_ERR_BAD_ARG);
    fi.size = 4096;
    assert_int_equal(cairn_layout_segments(&fi), 1);
    fi.size = 4097;
    assert_int_equal(cairn_layout_segments(&fi), 2);
    assert_int_equal(cairn_layout_sizes(&fi, 1, &sz), CAIRN_OK);
    assert_int_equal(sz.plain, 1);
    assert_int_equal(sz.piece, 5); /* ceil(17 / 4) */
    assert_int_equal(cairn_layout_sizes(&fi, 0, &sz), CAIRN_OK);
    assert_int_equal(sz.piece, 1028);
    fi.size = UINT64_MAX; /* no overflow */
    assert_int_equal(cairn_layout_segments(&fi), UINT64_MAX / 4096 + 1);
    assert_int_equal(cairn_layout_sizes(&fi, UINT64_MAX / 4096, &sz), CAIRN_OK);
    assert_int_equal(sz.plain, UINT64_MAX % 4096);
    assert_int_equal(cairn_layout_sizes(&fi, UINT64_MAX / 4096 + 1, &sz),
                     CAIRN_ERR_BAD_ARG);
    cairn_file_info a = info(4, 6, 4096, 1), b = info(4, 6, 4096, 1);
    assert_memory_not_equal(a.nonce, b.nonce, sizeof a.nonce);
}

/* Encodes a whole file, checks every piece against its root, decodes every
 * segment from the data pieces and from the last k pieces. */
static void round_trip(uint32_t k, uint32_t n, uint32_t seg, uint64_t size)
{
    cairn_file_info fi = info(k, n, seg, size);
    cairn_layout *l;
    uint8_t *plain = pattern_alloc((size_t)size, "round trip");
    cairn_piece_in in[CAIRN_RS_MAX_N];
    assert_int_equal(cairn_layout_new(&l, &fi, secret), CAIRN_OK);
    for (uint64_t s = 0; s < cairn_layout_segments(&fi); s++) {
        enc_seg e;
        encode_seg(l, s, plain, &e);
        assert_int_equal(e.sz.piece, (e.sz.plain + 16 + k - 1) / k);
        for (uint32_t i = 0; i < n; i++)
            assert_int_equal(
                cairn_piece_check(&e.roots[i], e.sz.piece, piece(&e, i)),
                CAIRN_OK);
        for (uint32_t i = 0; i < k; i++)
            in[i] = (cairn_piece_in){.index = i, .bytes = piece(&e, i)};
        expect_plain(l, s, in, k, plain, &e);
        for (uint32_t i = 0; i < k; i++)
            in[i] = (cairn_piece_in){.index = n - 1 - i,
                                     .bytes = piece(&e, n - 1 - i)};
        expect_plain(l, s, in, k, plain, &e);
        free(e.pieces);
    }
    cairn_layout_free(l);
    free(plain);
}

static void round_trips(void **st)
{
    static const uint64_t sizes[] = {
        0,    1,    1023,     1024,          1025,         4095,
        4096, 4097, 3 * 4096, 3 * 4096 + 17, 10 * 4096 - 1};
    static const uint32_t codes[][2] = {{1, 2}, {1, 3}, {2, 4},  {4, 6},
                                        {3, 7}, {5, 6}, {10, 30}};
    for (size_t c = 0; c < sizeof codes / sizeof *codes; c++)
        for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
            round_trip(codes[c][0], codes[c][1], 4096, sizes[s]);
    round_trip(29, 80, 65536, 200000); /* Storj's spread */
    round_trip(254, 255, CAIRN_SEGMENT_MIN, 3000);
    round_trip(4, 6, CAIRN_SEGMENT_DEFAULT, CAIRN_SEGMENT_DEFAULT + 12345);
}

/* For small codes, every subset of the n pieces: k or more decode (in any
 * order of in[]), fewer give FEW_PIECES. */
static void every_subset(void **st)
{
    static const uint32_t codes[][2] = {{1, 2}, {1, 4}, {2, 4}, {3, 6},
                                        {4, 6}, {5, 6}, {2, 7}, {4, 8}};
    cairn_piece_in in[8], rev[8];
    for (size_t c = 0; c < sizeof codes / sizeof *codes; c++) {
        uint32_t k = codes[c][0], n = codes[c][1];
        cairn_file_info fi = info(k, n, 1024, 2500);
        uint8_t *plain = pattern_alloc(2500, "subsets");
        cairn_layout *l;
        enc_seg e[3];
        assert_int_equal(cairn_layout_new(&l, &fi, secret), CAIRN_OK);
        for (uint64_t s = 0; s < 3; s++)
            encode_seg(l, s, plain, &e[s]);
        for (uint64_t mask = 0; mask < (1u << n); mask++) {
            for (uint64_t s = 0; s < 3; s++) {
                size_t cnt = from_mask(&e[s], n, mask, in);
                for (size_t i = 0; i < cnt; i++)
                    rev[i] = in[cnt - 1 - i];
                if (cnt < k) {
                    assert_int_equal(try_decode(l, s, in, cnt, &e[s]),
                                     CAIRN_ERR_FEW_PIECES);
                    continue;
                }
                expect_plain(l, s, in, cnt, plain, &e[s]);
                expect_plain(l, s, rev, cnt, plain, &e[s]);
            }
        }
        for (uint64_t s = 0; s < 3; s++)
            free(e[s].pieces);
        cairn_layout_free(l);
        free(plain);
    }
}

/* Bad calls: repeated or out-of-range index, NULL bytes, wrong segment,
 * short output, wrong plaintext length or piece capacity. */
static void bad_arguments(void **st)
{
    cairn_file_info fi = info(2, 4, 1024, 1500);
    uint8_t *plain = pattern_alloc(1500, "bad args"), out[1024];
    cairn_layout *l;
    cairn_piece_in in[4];
    enc_seg e;
    assert_int_equal(cairn_layout_new(&l, &fi, secret), CAIRN_OK);
    encode_seg(l, 0, plain, &e);
    size_t cap = 4 * (size_t)e.sz.piece;
    assert_int_equal(
        cairn_layout_encode(l, 0, plain, 1023, e.pieces, cap, e.roots),
        CAIRN_ERR_BAD_ARG);
    assert_int_equal(
        cairn_layout_encode(l, 0, plain, 1024, e.pieces, cap - 1, e.roots),
        CAIRN_ERR_BAD_ARG);
    assert_int_equal(
        cairn_layout_encode(l, 2, plain, 1024, e.pieces, cap, e.roots),
        CAIRN_ERR_BAD_ARG);
    from_mask(&e, 4, 0xf, in);
    in[1].index = 0;
    assert_int_equal(cairn_layout_decode(l, 0, in, 2, out, sizeof out),
                     CAIRN_ERR_BAD_ARG);
    in[1].index = 4;
    assert_int_equal(cairn_layout_decode(l, 0, in, 2, out, sizeof out),
                     CAIRN_ERR_BAD_ARG);
    in[1] = (cairn_piece_in){.index = 1, .bytes = NULL};
    assert_int_equal(cairn_layout_decode(l, 0, in, 2, out, sizeof out),
                     CAIRN_ERR_BAD_ARG);
    from_mask(&e, 4, 0xf, in);
    assert_int_equal(cairn_layout_decode(l, 0, in, 4, out, sizeof out - 1),
                     CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_layout_decode(l, 2, in, 4, out, sizeof out),
                     CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_layout_decode(l, 0, in, 1, out, sizeof out),
                     CAIRN_ERR_FEW_PIECES);
    assert_int_equal(cairn_layout_decode(l, 0, in, 0, out, sizeof out),
                     CAIRN_ERR_FEW_PIECES);
    assert_int_equal(cairn_layout_decode(l, 0, in, 4, out, sizeof out),
                     CAIRN_OK);
    assert_int_equal(cairn_layout_repair(l, 0, in, 4, 4, out),
                     CAIRN_ERR_BAD_ARG);
    assert_int_equal(cairn_layout_repair(l, 0, in, 1, 3, out),
                     CAIRN_ERR_FEW_PIECES);
    free(e.pieces);
    cairn_layout_free(l);
    cairn_layout_free(NULL);
    free(plain);
}

/* A flipped byte anywhere in a piece (data, padding, parity) is caught by its
 * root, and decoding with that piece among the k used fails to decrypt. */
static void corrupt_pieces(void **st)
{
    const uint32_t k = 3, n = 6;
    cairn_file_info fi =
        info(k, n, 1024, 1000); /* cipher 1016, pieces 339, pad 1 */
    uint8_t *plain = pattern_alloc(1000, "corrupt");
    cairn_layout *l;
    cairn_piece_in in[6];
    enc_seg e;
    assert_int_equal(cairn_layout_new(&l, &fi, secret), CAIRN_OK);
    encode_seg(l, 0, plain, &e);
    assert_int_equal(e.sz.piece * k - e.sz.cipher, 1);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *p = e.pieces + (size_t)i * e.sz.piece;
        const size_t spots[] = {0, 113, 226,
                                e.sz.piece - 1}; /* last: pad of piece 2 */
        for (size_t t = 0; t < 4; t++) {
            size_t at = spots[t];
            p[at] ^= 0x20;
            assert_int_equal(cairn_piece_check(&e.roots[i], e.sz.piece, p),
                             CAIRN_ERR_BAD_PROOF);
            /* decode from piece i and k - 1 others */
            uint64_t mask = 1u << i;
            for (uint32_t j = 0; j < n && __builtin_popcountll(mask) < (int)k;
                 j++)
                mask |= 1u << ((i + 1 + j) % n);
            size_t c = from_mask(&e, n, mask, in);
            assert_int_equal(try_decode(l, 0, in, c, &e), CAIRN_ERR_DECRYPT);
            p[at] ^= 0x20;
        }
        assert_int_equal(cairn_piece_check(&e.roots[i], e.sz.piece, p),
                         CAIRN_OK);
    }
    /* Padding is not under the AEAD, yet a flipped pad byte in the data
     * pieces at hand is refused too. */
    e.pieces[(size_t)k * e.sz.piece - 1] ^= 1;
    assert_int_equal(try_decode(l, 0, in, from_mask(&e, n, 0x7, in), &e),
                     CAIRN_ERR_DECRYPT);
    e.pieces[(size_t)k * e.sz.piece - 1] ^= 1;
    expect_plain(l, 0, in, from_mask(&e, n, 0x7, in), plain, &e);
    /* The caller's way: drop the pieces that fail their root, decode the rest.
     */
    e.pieces[5] ^= 1;
    size_t c = 0;
    for (uint32_t i = 0; i < n; i++)
        if (cairn_piece_check(&e.roots[i], e.sz.piece, piece(&e, i)) ==
            CAIRN_OK)
            in[c++] = (cairn_piece_in){.index = i, .bytes = piece(&e, i)};
    assert_int_equal(c, n - 1);
    assert_int_equal(in[0].index, 1);
    expect_plain(l, 0, in, c, plain, &e);
    free(e.pieces);
    cairn_layout_free(l);
    free(plain);
}

/* Segments cannot be swapped, and a wrong secret, nonce, file size or
 * segment size fails to decrypt. */
static void binding(void **st)
{
    cairn_file_info fi = info(2, 4, 1024, 3 * 1024);
    uint8_t *plain = pattern_alloc(3 * 1024, "binding");
    uint8_t other_secret[CAIRN_SECRET_LEN] = {9};
    cairn_layout *l, *w;
    cairn_piece_in in[4];
    enc_seg e[3];
    assert_int_equal(cairn_layout_new(&l, &fi, secret), CAIRN_OK);
    for (uint64_t s = 0; s < 3; s++)
        encode_seg(l, s, plain, &e[s]);
    for (uint64_t s = 0; s < 3; s++)
        for (uint64_t t = 0; t < 3; t++) {
            from_mask(&e[t], 4, 0x3, in);
            if (s == t)
                expect_plain(l, s, in, 2, plain, &e[s]);
            else
                assert_int_equal(try_decode(l, s, in, 2, &e[s]),
                                 CAIRN_ERR_DECRYPT);
        }
    from_mask(&e[0], 4, 0xc, in);
    assert_int_equal(cairn_layout_new(&w, &fi, other_secret), CAIRN_OK);
    assert_int_equal(try_decode(w, 0, in, 2, &e[0]), CAIRN_ERR_DECRYPT);
    cairn_layout_free(w);
    cairn_file_info bad = fi;
    bad.nonce[23] ^= 1;
    assert_int_equal(cairn_layout_new(&w, &bad, secret), CAIRN_OK);
    assert_int_equal(try_decode(w, 0, in, 2, &e[0]), CAIRN_ERR_DECRYPT);
    cairn_layout_free(w);
    bad = fi;
    bad.size =
        4 * 1024; /* a claimed longer file: full segment 0 unchanged in size */
    assert_int_equal(cairn_layout_new(&w, &bad, secret), CAIRN_OK);
    assert_int_equal(try_decode(w, 0, in, 2, &e[0]), CAIRN_ERR_DECRYPT);
    cairn_layout_free(w);
    bad = fi;
    bad.size = 2 * 1024; /* truncated: segment 1 becomes the last one */
    assert_int_equal(cairn_layout_new(&w, &bad, secret), CAIRN_OK);
    from_mask(&e[1], 4, 0x3, in);
    assert_int_equal(try_decode(w, 1, in, 2, &e[1]), CAIRN_ERR_DECRYPT);
    cairn_layout_free(w);
    for (uint64_t s = 0; s < 3; s++)
        free(e[s].pieces);
    cairn_layout_free(l);
    free(plain);
}

/* A flipped byte of the cipher text or tag, made consistent across the
 * pieces (parity rebuilt from the tampered data, as a dishonest encoder
 * with fresh roots would): the AEAD alone catches it. */
static void tampered_ciphertext(void **st)
{
    cairn_file_info fi = info(2, 4, 1024, 600);
    uint8_t *plain = pattern_alloc(600, "tamper");
    cairn_layout *l;
    cairn_piece_in in[4];
    enc_seg e;
    assert_int_equal(cairn_layout_new(&l, &fi, secret), CAIRN_OK);
    encode_seg(l, 0, plain, &e);
    static const size_t spots[] = {0,   1,   300,
                                   599, 600, 615}; /* 600..615 = tag */
    for (size_t i = 0; i < sizeof spots / sizeof *spots; i++) {
        uint8_t *copy = malloc(2 * (size_t)e.sz.piece),
                *fixed = malloc(e.sz.piece);
        assert_true(copy && fixed);
        memcpy(copy, e.pieces, 2 * (size_t)e.sz.piece);
        copy[spots[i]] ^= 0x01;
        /* parity piece 2 rebuilt from the tampered data pieces */
        cairn_piece_in d[2] = {{0, copy}, {1, copy + e.sz.piece}};
        assert_int_equal(cairn_layout_repair(l, 0, d, 2, 2, fixed), CAIRN_OK);
        assert_int_equal(try_decode(l, 0, d, 2, &e), CAIRN_ERR_DECRYPT);
        in[0] = d[0];
        in[1] = (cairn_piece_in){2, fixed};
        assert_int_equal(try_decode(l, 0, in, 2, &e), CAIRN_ERR_DECRYPT);
        free(copy);
        free(fixed);
    }
    from_mask(&e, 4, 0x3, in);
    expect_plain(l, 0, in, 2, plain, &e);
    free(e.pieces);
    cairn_layout_free(l);
    free(plain);
}

/* Any piece is rebuilt, byte for byte, from any k others. */
static void repair_any_piece(void **st)
{
    const uint32_t k = 3, n = 7;
    cairn_file_info fi = info(k, n, 2048, 2048);
    uint8_t *plain = pattern_alloc(2048, "repair");
    cairn_layout *l;
    cairn_piece_in in[7];
    enc_seg e;
    assert_int_equal(cairn_layout_new(&l, &fi, secret), CAIRN_OK);
    encode_seg(l, 0, plain, &e);
    uint8_t *out = malloc(e.sz.piece);
    assert_non_null(out);
    for (uint64_t mask = 0; mask < (1u << n); mask++) {
        if (__builtin_popcountll(mask) != (int)k)
            continue;
        size_t c = from_mask(&e, n, mask, in);
        for (uint32_t want = 0; want < n; want++) {
            memset(out, 0xee, e.sz.piece);
            assert_int_equal(cairn_layout_repair(l, 0, in, c, want, out),
                             CAIRN_OK);
            assert_memory_equal(out, piece(&e, want), e.sz.piece);
            assert_int_equal(cairn_piece_check(&e.roots[want], e.sz.piece, out),
                             CAIRN_OK);
        }
    }
    free(out);
    free(e.pieces);
    cairn_layout_free(l);
    free(plain);
}

/* ---- tests/vectors/piece_layout.txt ---- */

typedef struct lvec {
    char name[64];
    unsigned long long size;
    unsigned seg, k, n;
    char secret[80], nonce[80], key[80];
} lvec;

static char *next_line(FILE *f)
{
    static char line[1 << 15];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        line[strcspn(line, "\n")] = '\0';
        return line;
    }
    return NULL;
}

/* Checks one "seg=" line against a fresh encoding of that segment. */
static void check_seg_line(cairn_layout *l, const uint8_t *plain,
                           const char *line, uint64_t s)
{
    const cairn_file_info *fi = cairn_layout_info(l);
    unsigned long long idx, ps;
    int off = 0;
    assert_int_equal(
        sscanf(line, "seg=%llu piece=%llu roots=%n", &idx, &ps, &off), 2);
    assert_true(off > 0);
    assert_int_equal(idx, s);
    enc_seg e;
    encode_seg(l, s, plain, &e);
    assert_int_equal(e.sz.piece, ps);
    const char *r = line + off;
    for (uint32_t i = 0; i < fi->p.n; i++) {
        cairn_hash want;
        assert_int_equal(hex_decode(want.b, 32, r, 64), 0);
        assert_memory_equal(e.roots[i].b, want.b, 32);
        r += 64;
        assert_int_equal(*r, i + 1 < fi->p.n ? ',' : '\0');
        r++;
    }
    cairn_piece_in in[CAIRN_RS_MAX_N];
    size_t c = 0;
    for (uint32_t i = 0; i < fi->p.k; i++) /* the last k pieces */
        in[c++] = (cairn_piece_in){fi->p.n - 1 - i, piece(&e, fi->p.n - 1 - i)};
    expect_plain(l, s, in, c, plain, &e);
    free(e.pieces);
}

static void check_file_vector(FILE *f, const lvec *v)
{
    cairn_file_info fi = {.p = {v->k, v->n, v->seg}, .size = v->size};
    uint8_t sec[32], key[32], want[32];
    cairn_layout *l;
    assert_int_equal(hex_decode(sec, 32, v->secret, strlen(v->secret)), 0);
    assert_int_equal(hex_decode(fi.nonce, 24, v->nonce, strlen(v->nonce)), 0);
    assert_int_equal(hex_decode(want, 32, v->key, strlen(v->key)), 0);
    cairn_file_key(key, sec, fi.nonce);
    assert_memory_equal(key, want, 32);
    assert_true(v->size <= (1u << 20));
    uint8_t *plain = pattern_alloc((size_t)v->size, "cairn-test-plain");
    assert_int_equal(cairn_layout_new(&l, &fi, sec), CAIRN_OK);
    uint64_t s = 0;
    for (char *line; (line = next_line(f)) && strcmp(line, "end") != 0; s++)
        check_seg_line(l, plain, line, s);
    assert_int_equal(s, cairn_layout_segments(&fi));
    cairn_layout_free(l);
    free(plain);
}

static void vector_layout(void **st)
{
    FILE *f = open_vectors("piece_layout.txt");
    unsigned files = 0;
    for (char *line; (line = next_line(f));) {
        lvec v;
        assert_int_equal(sscanf(line,
                                "file name=%63s size=%llu segment=%u k=%u n=%u",
                                v.name, &v.size, &v.seg, &v.k, &v.n),
                         5);
        line = next_line(f);
        assert_non_null(line);
        assert_int_equal(sscanf(line, "secret=%79s nonce=%79s key=%79s",
                                v.secret, v.nonce, v.key),
                         3);
        check_file_vector(f, &v);
        files++;
    }
    fclose(f);
    assert_true(files >= 5);
}

int main(void)
{
    cairn_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(params_bounds),
        cmocka_unit_test(segment_sizes),
        cmocka_unit_test(round_trips),
        cmocka_unit_test(every_subset),
        cmocka_unit_test(bad_arguments),
        cmocka_unit_test(corrupt_pieces),
        cmocka_unit_test(binding),
        cmocka_unit_test(tampered_ciphertext),
        cmocka_unit_test(repair_any_piece),
        cmocka_unit_test(vector_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
