/* Freivalds' check and the reference product it avoids
 * (compute/verify/freivalds.h, docs/compute-verify.md). */
#include "compute/verify/freivalds.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "compute/verify/freivalds_int.h"

#define FV_DOMAIN "cairn-freivalds-v1"

static uint64_t le64(const uint8_t *b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

/* Block `block` of round `round`'s word stream: 64 bytes. */
static void stream_block(uint8_t out[64], const uint8_t seed[FV_SEED_LEN],
                         uint32_t round, uint64_t block)
{
    uint8_t msg[sizeof FV_DOMAIN - 1 + 4 + 8];
    size_t d = sizeof FV_DOMAIN - 1;
    memcpy(msg, FV_DOMAIN, d);
    for (int i = 0; i < 4; i++)
        msg[d + i] = (uint8_t)(round >> (8 * i));
    for (int i = 0; i < 8; i++)
        msg[d + 4 + i] = (uint8_t)(block >> (8 * i));
    crypto_generichash(out, 64, msg, sizeof msg, seed, FV_SEED_LEN);
}

void fv_round_vector(uint64_t *r, uint32_t len, uint64_t p,
                     const uint8_t seed[FV_SEED_LEN], uint32_t round)
{
    /* the largest multiple of p not above 2^64: words below it are kept */
    uint64_t rem = (UINT64_MAX % p + 1) % p;
    uint64_t limit = rem ? 0 - rem : 0; /* 0 means every word is kept */
    uint8_t blk[64];
    uint64_t block = 0;
    unsigned used = 8; /* words of blk consumed */
    for (uint32_t j = 0; j < len;) {
        if (used == 8) {
            stream_block(blk, seed, round, block++);
            used = 0;
        }
        uint64_t w = le64(blk + 8 * used++);
        if (limit == 0 || w < limit)
            r[j++] = w % p;
    }
    sodium_memzero(blk, sizeof blk);
}

/* out[i] = Σ_j m[i][j]·x[j] mod p for each row i. */
static void mat_vec(uint64_t *out, const fv_mat *m, const uint64_t *x,
                    uint64_t p)
{
    for (uint32_t i = 0; i < m->rows; i++)
        out[i] = fv_dot(m->v + (size_t)i * m->cols, x, m->cols, p);
}

static cairn_err shapes_ok(const fv_mat *a, const fv_mat *b, const fv_mat *c,
                           uint64_t p)
{
    cairn_err e;
    if ((e = fv_field_ok(p)) || (e = fv_mat_ok(a, p)) || (e = fv_mat_ok(b, p)))
        return e;
    if (!c->rows || !c->cols || c->rows > FV_DIM_MAX || c->cols > FV_DIM_MAX)
        return CAIRN_ERR_TOO_LARGE;
    if (a->cols != b->rows || c->rows != a->rows || c->cols != b->cols || !c->v)
        return CAIRN_ERR_BAD_ARG;
    return CAIRN_OK;
}

/* One round: 1 when A·(B·r) == C·r, else 0 with *row the first row that
 * differs. s holds b->cols + b->rows + 2·a->rows words of scratch. */
static int one_round(const fv_mat *a, const fv_mat *b, const fv_mat *c,
                     uint64_t p, const uint8_t *seed, uint32_t round,
                     uint64_t *s, uint32_t *row)
{
    uint64_t *r = s, *br = r + b->cols, *abr = br + b->rows,
             *cr = abr + a->rows;
    fv_round_vector(r, b->cols, p, seed, round);
    mat_vec(br, b, r, p);
    mat_vec(abr, a, br, p);
    mat_vec(cr, c, r, p);
    for (uint32_t i = 0; i < a->rows; i++)
        if (abr[i] != cr[i]) {
            *row = i;
            return 0;
        }
    return 1;
}

cairn_err fv_check(const fv_mat *a, const fv_mat *b, const fv_mat *c,
                   uint64_t p, const uint8_t seed[FV_SEED_LEN], unsigned k,
                   fv_verdict *out)
{
    cairn_err e = shapes_ok(a, b, c, p);
    if (!e && (k < 1 || k > FV_ROUNDS_MAX || !seed))
        e = CAIRN_ERR_BAD_ARG;
    if (!e)
        e = fv_mat_ok(c, p);
    if (e)
        return e;
    uint64_t *s = malloc(sizeof *s * ((size_t)b->cols + b->rows + 2 * a->rows));
    if (!s)
        return CAIRN_ERR_NOMEM;
    memset(out, 0, sizeof *out);
    out->pass = true;
    for (uint32_t t = 0; t < k && out->pass; t++)
        if (!one_round(a, b, c, p, seed, t, s, &out->row)) {
            out->pass = false;
            out->round = t;
        }
    free(s);
    return CAIRN_OK;
}

/* Rows of b^T processed together so that they stay in cache while every
 * row of a passes by them: about 256 KiB of them. */
static uint32_t block_rows(uint32_t inner)
{
    uint32_t jb = (uint32_t)(262144 / ((size_t)inner * 8));
    return jb ? jb : 1;
}

cairn_err fv_multiply(const fv_mat *a, const fv_mat *b, fv_mat *c, uint64_t p)
{
    cairn_err e = shapes_ok(a, b, c, p);
    if (e)
        return e;
    uint32_t n = a->rows, m = a->cols, q = b->cols;
    uint64_t *bt = malloc(sizeof *bt * (size_t)m * q);
    if (!bt)
        return CAIRN_ERR_NOMEM;
    for (uint32_t i = 0; i < m; i++)
        for (uint32_t j = 0; j < q; j++)
            bt[(size_t)j * m + i] = b->v[(size_t)i * q + j];
    uint32_t jb = block_rows(m);
    for (uint32_t j0 = 0; j0 < q; j0 += jb) {
        uint32_t j1 = q - j0 > jb ? j0 + jb : q;
        for (uint32_t i = 0; i < n; i++)
            for (uint32_t j = j0; j < j1; j++)
                c->v[(size_t)i * q + j] =
                    fv_dot(a->v + (size_t)i * m, bt + (size_t)j * m, m, p);
    }
    free(bt);
    return CAIRN_OK;
}
