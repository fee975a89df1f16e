/* Verified jobs: what evidence proves, and building matrix evidence from
 * the full matrices (include/cairn/job.h, docs/compute-verify.md
 * "Evidence"). */
#include "cairn/job.h"

#include <stdlib.h>
#include <string.h>

#include "freivalds_int.h"

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static int in_tree(const cairn_hash *root, const uint8_t *vec, size_t len,
                   const cairn_merkle_proof *pf)
{
    cairn_hash leaf;
    cairn_merkle_leaf(&leaf, vec, len * 8);
    return cairn_merkle_verify(root, &leaf, pf) == CAIRN_OK;
}

/* row · col mod p, entries reduced first. */
static uint64_t dot_mod(const uint8_t *row, const uint8_t *col, uint32_t k)
{
    uint64_t acc = 0;
    for (uint32_t t = 0; t < k; t++) {
        uint64_t a = le64(row + 8 * (size_t)t) % CAIRN_MM_P;
        uint64_t b = le64(col + 8 * (size_t)t) % CAIRN_MM_P;
        acc = fv_reduce((fv_u128)acc + (fv_u128)a * b, CAIRN_MM_P);
    }
    return acc;
}

static cairn_err check_matmul(const cairn_job_evidence *e)
{
    const cairn_job_claim *c = &e->claim;
    if (c->type != CAIRN_JOB_MATMUL || c->parts != e->n || e->i >= e->n ||
        e->j >= e->m || e->k == 0 || e->k > CAIRN_MM_EVIDENCE_DIM ||
        e->m > CAIRN_MM_EVIDENCE_DIM)
        return CAIRN_ERR_BAD_PROOF;
    /* the proofs must be for the named entry, not for another one */
    if (e->pa.index != e->i || e->pa.count != e->n || e->pb.index != e->j ||
        e->pb.count != e->m || e->pc.index != e->i || e->pc.count != e->n)
        return CAIRN_ERR_BAD_PROOF;
    cairn_hash in;
    cairn_mm_input_root(&in, e->n, e->k, e->m, &e->root_a, &e->root_b);
    if (memcmp(in.b, c->input_root.b, sizeof in.b) != 0)
        return CAIRN_ERR_BAD_PROOF;
    if (!in_tree(&e->root_a, e->a_row, e->k, &e->pa) ||
        !in_tree(&e->root_b, e->b_col, e->k, &e->pb) ||
        !in_tree(&c->output_root, e->c_row, e->m, &e->pc))
        return CAIRN_ERR_BAD_PROOF;
    uint64_t claimed = le64(e->c_row + 8 * (size_t)e->j);
    if (claimed >= CAIRN_MM_P)
        return CAIRN_OK; /* not even a residue: wrong */
    return dot_mod(e->a_row, e->b_col, e->k) != claimed ? CAIRN_OK
                                                        : CAIRN_ERR_BAD_PROOF;
}

static cairn_err check_vote(const cairn_job_evidence *e)
{
    const cairn_job_claim *c = &e->claim;
    if (c->type == CAIRN_JOB_MATMUL || e->pv.index != e->part ||
        e->pv.count != c->parts)
        return CAIRN_ERR_BAD_PROOF; /* matrix claims take form 1 */
    if (cairn_merkle_verify(&c->output_root, &e->miner_leaf, &e->pv))
        return CAIRN_ERR_BAD_PROOF;
    if (memcmp(e->miner_leaf.b, e->rerun_leaf.b, sizeof e->rerun_leaf.b) == 0)
        return CAIRN_ERR_BAD_PROOF;
    return CAIRN_OK;
}

cairn_err cairn_job_evidence_check(const cairn_job_evidence *e)
{
    if (e->form == CAIRN_EVIDENCE_MATMUL)
        return check_matmul(e);
    if (e->form == CAIRN_EVIDENCE_VOTE)
        return check_vote(e);
    return CAIRN_ERR_BAD_PROOF;
}

static void put_le64(uint8_t *o, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        o[i] = (uint8_t)(v >> (8 * i));
}

/* Proof of vector `index` among `count` vectors of `len` entries, vector t
 * at v[t * step] stepping by stride; NOMEM. */
static cairn_err vec_proof(cairn_merkle_proof *pf, cairn_hash *root,
                           const uint64_t *v, size_t count, size_t len,
                           size_t step, size_t stride, size_t index)
{
    cairn_hash *leaves = calloc(count, sizeof *leaves);
    uint8_t *tmp = malloc(len * 8);
    cairn_err e = CAIRN_ERR_NOMEM;
    if (leaves && tmp) {
        for (size_t t = 0; t < count; t++) {
            for (size_t q = 0; q < len; q++)
                put_le64(tmp + 8 * q, v[t * step + q * stride]);
            cairn_merkle_leaf(&leaves[t], tmp, len * 8);
        }
        cairn_merkle_root(root, leaves, count);
        e = cairn_merkle_prove(pf, leaves, count, index);
    }
    free(leaves);
    free(tmp);
    return e;
}

cairn_err cairn_job_evidence_matmul(cairn_job_evidence *e, uint8_t **store,
                                    const cairn_job_claim *c, const uint64_t *a,
                                    const uint64_t *b, const uint64_t *c_mat,
                                    uint32_t n, uint32_t k, uint32_t m,
                                    uint32_t i, uint32_t j)
{
    *store = NULL;
    memset(e, 0, sizeof *e);
    if (!n || !k || !m || i >= n || j >= m || n > CAIRN_MM_EVIDENCE_DIM ||
        k > CAIRN_MM_EVIDENCE_DIM || m > CAIRN_MM_EVIDENCE_DIM)
        return CAIRN_ERR_BAD_ARG;
    uint8_t *s = malloc(((size_t)k * 2 + m) * 8);
    if (!s)
        return CAIRN_ERR_NOMEM;
    e->form = CAIRN_EVIDENCE_MATMUL;
    e->claim = *c;
    e->n = n, e->k = k, e->m = m, e->i = i, e->j = j;
    cairn_hash out;
    cairn_err err = vec_proof(&e->pa, &e->root_a, a, n, k, k, 1, i);
    if (!err)
        err = vec_proof(&e->pb, &e->root_b, b, m, k, 1, m, j);
    if (!err)
        err = vec_proof(&e->pc, &out, c_mat, n, m, m, 1, i);
    if (err) {
        free(s);
        return err;
    }
    for (uint32_t t = 0; t < k; t++) {
        put_le64(s + 8 * (size_t)t, a[(size_t)i * k + t]);
        put_le64(s + 8 * ((size_t)k + t), b[(size_t)t * m + j]);
    }
    for (uint32_t t = 0; t < m; t++)
        put_le64(s + 8 * (2 * (size_t)k + t), c_mat[(size_t)i * m + t]);
    e->a_row = s;
    e->b_col = s + 8 * (size_t)k;
    e->c_row = s + 16 * (size_t)k;
    *store = s;
    return CAIRN_OK;
}
