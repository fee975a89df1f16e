/* Reed-Solomon erasure coding over ISA-L (see rs.h for the code). Decoding
 * inverts the k x k submatrix of the generator for the pieces at hand; a
 * wanted piece is then (its generator row) x (that inverse) applied to
 * them, which ISA-L's ec_encode_data computes like any parity. */
#include "storage/rs.h"

#include <isa-l/erasure_code.h>
#include <stdlib.h>
#include <string.h>

cairn_err storage_rs_init(storage_rs *rs, unsigned k, unsigned n)
{
    memset(rs, 0, sizeof *rs);
    if (k < 1 || k >= n || n > STORAGE_RS_MAX_N)
        return CAIRN_ERR_BAD_ARG;
    rs->k = k;
    rs->n = n;
    rs->matrix = malloc((size_t)n * k);
    rs->tables = malloc((size_t)32 * k * (n - k));
    if (!rs->matrix || !rs->tables)
        return CAIRN_ERR_NOMEM;
    gf_gen_cauchy1_matrix(rs->matrix, (int)n, (int)k);
    ec_init_tables((int)k, (int)(n - k), rs->matrix + (size_t)k * k,
                   rs->tables);
    return CAIRN_OK;
}

void storage_rs_free(storage_rs *rs)
{
    free(rs->matrix);
    free(rs->tables);
    memset(rs, 0, sizeof *rs);
}

void storage_rs_encode(const storage_rs *rs, size_t len, uint8_t *const *data,
                       uint8_t *const *parity)
{
    ec_encode_data((int)len, (int)rs->k, (int)(rs->n - rs->k), rs->tables,
                   (unsigned char **)data, (unsigned char **)parity);
}

/* BAD_ARG unless every index is < n and have[] has no repeats. */
static cairn_err check_indices(const storage_rs *rs, const uint32_t *have,
                               const uint32_t *want, unsigned nwant)
{
    uint8_t seen[STORAGE_RS_MAX_N] = {0};
    if (nwant < 1 || nwant > rs->n)
        return CAIRN_ERR_BAD_ARG;
    for (unsigned i = 0; i < rs->k; i++) {
        if (have[i] >= rs->n || seen[have[i]]++)
            return CAIRN_ERR_BAD_ARG;
    }
    for (unsigned i = 0; i < nwant; i++)
        if (want[i] >= rs->n)
            return CAIRN_ERR_BAD_ARG;
    return CAIRN_OK;
}

/* coef (nwant x k) = generator rows `want` x inverse of the rows `have`. */
static cairn_err solve(const storage_rs *rs, const uint32_t *have,
                       const uint32_t *want, unsigned nwant, uint8_t *coef)
{
    size_t k = rs->k;
    uint8_t *sub = malloc(k * k), *inv = malloc(k * k);
    cairn_err e = CAIRN_ERR_NOMEM;
    if (!sub || !inv)
        goto out;
    for (size_t r = 0; r < k; r++)
        memcpy(sub + r * k, rs->matrix + (size_t)have[r] * k, k);
    e = CAIRN_ERR_BAD_ARG; /* singular: cannot happen for a Cauchy code */
    if (gf_invert_matrix(sub, inv, (int)k) != 0)
        goto out;
    for (unsigned w = 0; w < nwant; w++) {
        const uint8_t *g = rs->matrix + (size_t)want[w] * k;
        if (want[w] < k) { /* a data row is a unit vector */
            memcpy(coef + w * k, inv + want[w] * k, k);
            continue;
        }
        for (size_t j = 0; j < k; j++) {
            uint8_t acc = 0;
            for (size_t t = 0; t < k; t++)
                acc ^= gf_mul(g[t], inv[t * k + j]);
            coef[w * k + j] = acc;
        }
    }
    e = CAIRN_OK;
out:
    free(sub);
    free(inv);
    return e;
}

cairn_err storage_rs_rebuild(const storage_rs *rs, size_t len,
                             const uint32_t *have, const uint8_t *const *src,
                             const uint32_t *want, unsigned nwant,
                             uint8_t *const *out)
{
    cairn_err e = check_indices(rs, have, want, nwant);
    if (e)
        return e;
    uint8_t *coef = malloc((size_t)nwant * rs->k);
    uint8_t *tbl = malloc((size_t)32 * nwant * rs->k);
    if (!coef || !tbl) {
        e = CAIRN_ERR_NOMEM;
    } else if (!(e = solve(rs, have, want, nwant, coef))) {
        ec_init_tables((int)rs->k, (int)nwant, coef, tbl);
        ec_encode_data((int)len, (int)rs->k, (int)nwant, tbl,
                       (unsigned char **)src, (unsigned char **)out);
    }
    free(coef);
    free(tbl);
    return e;
}
