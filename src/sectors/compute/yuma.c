/* Yuma consensus in integers (yuma.h has the fixed-point rules,
 * docs/compute-verify.md the formula). The n×m passes run row by row over
 * contiguous memory; the normalised weight w_ij = (W_ij · ρ_i) >> 32 (ρ_i
 * the row's reciprocal) and the bond terms are recomputed in each pass
 * rather than stored, and the consensus per miner is an exact weighted
 * selection over the miner's column, gathered a block of columns at a
 * time. */
#include "sectors/compute/yuma.h"

#include <stdlib.h>
#include <string.h>

#define U64_MAX_ UINT64_MAX
#define COL_BLOCK 32u /* columns gathered per consensus block */

typedef unsigned __int128 u128;

static uint64_t recip(uint64_t d)
{
    return d ? U64_MAX_ / d : 0;
}

uint32_t yuma_frac(uint64_t x, uint64_t d)
{
    return (uint32_t)((x * recip(d)) >> 32);
}

/* The scratch of one run; freed by scratch_free. */
typedef struct scratch {
    uint32_t *share; /* [n] s_i */
    uint64_t *rrow;  /* [n] ρ of the row sum */
    uint64_t *rcol;  /* [m] ρ of R_j */
    uint64_t *rprev; /* [m] ρ of the previous bonds' column sum */
    uint64_t *rema;  /* [m] ρ of the EMA's column sum */
    uint64_t *acc;   /* [m] column accumulator */
    uint64_t *draw;  /* [n] dividends before normalising */
} scratch;

static void scratch_free(scratch *s)
{
    free(s->share);
    free(s->rrow);
    free(s->rcol);
    free(s->rprev);
    free(s->rema);
    free(s->acc);
    free(s->draw);
}

void yuma_out_free(yuma_out *o)
{
    free(o->consensus);
    free(o->rank);
    free(o->incentive);
    free(o->bonds);
    free(o->dividend);
    free(o->miner_pay);
    free(o->validator_pay);
    memset(o, 0, sizeof *o);
}

static cairn_err check(const yuma_in *in, uint64_t *total)
{
    if (!in || !in->stake || !in->weights || in->n == 0 || in->m == 0 ||
        in->owner_bps > 10000u)
        return CAIRN_ERR_BAD_ARG;
    if (in->n > YUMA_MAX_VALIDATORS || in->m > YUMA_MAX_MINERS ||
        (uint64_t)in->n * in->m > YUMA_MAX_CELLS)
        return CAIRN_ERR_TOO_LARGE;
    uint64_t t = 0;
    for (uint32_t i = 0; i < in->n; i++) {
        if (in->stake[i] > U64_MAX_ - t)
            return CAIRN_ERR_OVERFLOW;
        t += in->stake[i];
    }
    *total = t;
    return CAIRN_OK;
}

static cairn_err alloc_all(uint32_t n, uint32_t m, yuma_out *o, scratch *s)
{
    size_t cells = (size_t)n * m;
    o->n = n;
    o->m = m;
    o->consensus = calloc(m, sizeof *o->consensus);
    o->rank = calloc(m, sizeof *o->rank);
    o->incentive = calloc(m, sizeof *o->incentive);
    o->bonds = calloc(cells, sizeof *o->bonds);
    o->dividend = calloc(n, sizeof *o->dividend);
    o->miner_pay = calloc(m, sizeof *o->miner_pay);
    o->validator_pay = calloc(n, sizeof *o->validator_pay);
    s->share = calloc(n, sizeof *s->share);
    s->rrow = calloc(n, sizeof *s->rrow);
    s->rcol = calloc(m, sizeof *s->rcol);
    s->rprev = calloc(m, sizeof *s->rprev);
    s->rema = calloc(m, sizeof *s->rema);
    s->acc = calloc(m, sizeof *s->acc);
    s->draw = calloc(n, sizeof *s->draw);
    if (!s->draw || !o->consensus || !o->rank || !o->incentive || !o->bonds ||
        !o->dividend || !o->miner_pay || !o->validator_pay || !s->share ||
        !s->rrow || !s->rcol || !s->rprev || !s->rema || !s->acc)
        return CAIRN_ERR_NOMEM;
    return CAIRN_OK;
}

/* ---- consensus: per column, the largest w whose stake at or above it
 * reaches the target ---- */

typedef struct cell {
    uint64_t s;
    uint32_t v;
} cell;

/* The largest v with (stake of cells with value >= v) >= target, found
 * byte by byte from the top: a histogram of stake by the next byte of the
 * values that match the bytes chosen so far, scanned from 255 down to the
 * first byte at which the stake above reaches the target. Four levels, each
 * O(len + 256), whatever the values (no input can make it slow); the answer
 * is unique, so the method cannot change it. Cells that stop matching are
 * dropped after each level. Requires target > 0 and Σ s >= target. */
static uint32_t weighted_select(cell *a, size_t len, uint64_t target)
{
    uint64_t above = 0, hist[256];
    uint32_t prefix = 0, all = ~0u, any = 0;
    for (size_t k = 0; k < len; k++)
        all &= a[k].v, any |= a[k].v;
    int shift = 24;
    /* a byte every value shares selects itself: skip its level */
    while (shift > 0 && ((all ^ any) >> shift & 255u) == 0) {
        prefix |= (any >> shift & 255u) << shift;
        shift -= 8;
    }
    for (; shift >= 0; shift -= 8) {
        memset(hist, 0, sizeof hist);
        for (size_t k = 0; k < len; k++)
            hist[(a[k].v >> shift) & 255u] += a[k].s;
        unsigned byte = 255;
        while (byte > 0 && above + hist[byte] < target)
            above += hist[byte--];
        prefix |= (uint32_t)byte << shift;
        size_t kept = 0;
        for (size_t k = 0; k < len; k++)
            if (((a[k].v >> shift) & 255u) == byte)
                a[kept++] = a[k];
        len = kept;
    }
    return prefix;
}

static inline uint32_t weight_at(const yuma_in *in, const scratch *s,
                                 uint32_t i, uint32_t j)
{
    return (
        uint32_t)(((uint64_t)in->weights[(size_t)i * in->m + j] * s->rrow[i]) >>
                  32);
}

static cairn_err consensus(const yuma_in *in, const scratch *s, uint64_t total,
                           uint32_t *out)
{
    uint64_t target =
        (uint64_t)(((u128)in->kappa * total + YUMA_U16_ONE - 1) / YUMA_U16_ONE);
    uint32_t n = in->n, m = in->m, act = 0;
    uint32_t *rows = malloc(n * sizeof *rows);
    cell *buf = malloc((size_t)COL_BLOCK * n * sizeof *buf);
    if (!rows || !buf) {
        free(rows);
        free(buf);
        return CAIRN_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < n; i++)
        if (in->stake[i])
            rows[act++] = i;
    for (uint32_t j0 = 0; j0 < m && act; j0 += COL_BLOCK) {
        uint32_t bw = m - j0 < COL_BLOCK ? m - j0 : COL_BLOCK;
        for (uint32_t c = 0; c < bw; c++) /* writes in order */
            for (uint32_t k = 0; k < act; k++)
                buf[(size_t)c * act + k] = (cell){
                    in->stake[rows[k]], weight_at(in, s, rows[k], j0 + c)};
        for (uint32_t c = 0; c < bw; c++) {
            cell *col = buf + (size_t)c * act;
            if (target == 0) { /* κ = 0: the column's largest weight */
                uint32_t mx = 0;
                for (uint32_t k = 0; k < act; k++)
                    mx = col[k].v > mx ? col[k].v : mx;
                out[j0 + c] = mx;
            } else {
                out[j0 + c] = weighted_select(col, act, target);
            }
        }
    }
    free(rows);
    free(buf);
    return CAIRN_OK;
}

/* ---- ranks, incentive, bonds, dividends ---- */

/* ΔB_ij = q(s_i, min(w_ij, C_j)) */
static inline uint64_t delta_bond(const yuma_in *in, const scratch *s,
                                  const uint32_t *cons, uint32_t i, uint32_t j)
{
    uint32_t w = weight_at(in, s, i, j);
    uint32_t c = w < cons[j] ? w : cons[j];
    return ((uint64_t)s->share[i] * c) >> 32;
}

static void ranks(const yuma_in *in, const scratch *s, yuma_out *o)
{
    uint64_t *r = s->acc;
    memset(r, 0, in->m * sizeof *r);
    for (uint32_t i = 0; i < in->n; i++)
        if (s->share[i])
            for (uint32_t j = 0; j < in->m; j++)
                r[j] += delta_bond(in, s, o->consensus, i, j);
    uint64_t sum = 0;
    for (uint32_t j = 0; j < in->m; j++) {
        o->rank[j] = (uint32_t)r[j];
        sum += r[j];
    }
    for (uint32_t j = 0; j < in->m; j++) {
        o->incentive[j] = yuma_frac(r[j], sum);
        s->rcol[j] = recip(r[j]);
    }
}

/* e_ij = (α·frac(ΔB_ij, R_j) + (65535 − α)·frac(Bprev_ij, P_j)) / 65535 */
static inline uint64_t ema(const yuma_in *in, const scratch *s,
                           const yuma_out *o, uint32_t i, uint32_t j)
{
    uint64_t d = (delta_bond(in, s, o->consensus, i, j) * s->rcol[j]) >> 32;
    uint64_t p = 0;
    if (in->bonds)
        p = (in->bonds[(size_t)i * in->m + j] * s->rprev[j]) >> 32;
    return (in->alpha * d + (YUMA_U16_ONE - in->alpha) * p) / YUMA_U16_ONE;
}

static void bonds_and_dividends(const yuma_in *in, scratch *s, yuma_out *o)
{
    uint32_t n = in->n, m = in->m;
    uint64_t *col = s->acc;
    memset(col, 0, m * sizeof *col);
    if (in->bonds)
        for (uint32_t i = 0; i < n; i++)
            for (uint32_t j = 0; j < m; j++)
                col[j] += in->bonds[(size_t)i * m + j];
    for (uint32_t j = 0; j < m; j++)
        s->rprev[j] = recip(col[j]);
    memset(col, 0, m * sizeof *col);
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = 0; j < m; j++)
            col[j] += ema(in, s, o, i, j);
    for (uint32_t j = 0; j < m; j++)
        s->rema[j] = recip(col[j]);
    uint64_t dsum = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t acc = 0;
        for (uint32_t j = 0; j < m; j++) {
            uint64_t b = (ema(in, s, o, i, j) * s->rema[j]) >> 32;
            uint16_t b16 = (uint16_t)((b * YUMA_U16_ONE) >> 32);
            o->bonds[(size_t)i * m + j] = b16;
            acc += (uint64_t)b16 * o->incentive[j];
        }
        s->draw[i] = acc;
        dsum += acc;
    }
    for (uint32_t i = 0; i < n; i++)
        o->dividend[i] = yuma_frac(s->draw[i], dsum);
}

/* ---- the emission split ---- */

typedef struct rem {
    uint64_t r;
    uint32_t i;
} rem;

static int rem_order(const void *a, const void *b)
{
    const rem *x = a, *y = b;
    if (x->r != y->r)
        return x->r < y->r ? 1 : -1;
    return x->i < y->i ? -1 : x->i > y->i ? 1 : 0;
}

/* pay[k] = floor(pool · x_k / Σx), then one more unit to each of the
 * pool − Σfloor entries with the largest remainders (ties: lower index).
 * Returns what is left unpaid: pool when Σx = 0, else 0. */
static cairn_err largest_remainder(uint64_t pool, const uint32_t *x, uint32_t k,
                                   uint64_t *pay, uint64_t *unpaid)
{
    uint64_t sum = 0, paid = 0;
    for (uint32_t i = 0; i < k; i++)
        sum += x[i];
    *unpaid = 0;
    if (sum == 0) {
        *unpaid = pool;
        return CAIRN_OK;
    }
    rem *r = malloc((size_t)k * sizeof *r);
    if (!r)
        return CAIRN_ERR_NOMEM;
    for (uint32_t i = 0; i < k; i++) {
        u128 p = (u128)pool * x[i];
        pay[i] = (uint64_t)(p / sum);
        r[i] = (rem){(uint64_t)(p % sum), i};
        paid += pay[i];
    }
    uint64_t left = pool - paid; /* < k */
    qsort(r, k, sizeof *r, rem_order);
    for (uint64_t i = 0; i < left; i++)
        pay[r[i].i]++;
    free(r);
    return CAIRN_OK;
}

static cairn_err split(const yuma_in *in, yuma_out *o)
{
    uint64_t e = in->emission, um = 0, uv = 0;
    o->owner = (uint64_t)((u128)e * in->owner_bps / 10000u);
    uint64_t rest = e - o->owner;
    uint64_t vpool = rest / 2, mpool = rest - vpool;
    cairn_err err =
        largest_remainder(mpool, o->incentive, in->m, o->miner_pay, &um);
    if (err == CAIRN_OK)
        err =
            largest_remainder(vpool, o->dividend, in->n, o->validator_pay, &uv);
    o->unpaid = um + uv;
    return err;
}

cairn_err yuma_run(const yuma_in *in, yuma_out *out)
{
    uint64_t total = 0;
    scratch s = {0};
    memset(out, 0, sizeof *out);
    cairn_err e = check(in, &total);
    if (e == CAIRN_OK)
        e = alloc_all(in->n, in->m, out, &s);
    if (e == CAIRN_OK) {
        for (uint32_t i = 0; i < in->n; i++) {
            uint64_t row = 0;
            for (uint32_t j = 0; j < in->m; j++)
                row += in->weights[(size_t)i * in->m + j];
            s.rrow[i] = recip(row);
            s.share[i] = yuma_frac(in->stake[i], total);
        }
        e = consensus(in, &s, total, out->consensus);
    }
    if (e == CAIRN_OK) {
        ranks(in, &s, out);
        bonds_and_dividends(in, &s, out);
        e = split(in, out);
    }
    scratch_free(&s);
    if (e != CAIRN_OK)
        yuma_out_free(out);
    return e;
}
