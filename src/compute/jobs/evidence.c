/* The evidence of a failed check, in job.h's format (verify.h). */
#include <stdlib.h>
#include <string.h>

#include "cairn/merkle.h"
#include "compute/jobs/verify.h"

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Form 1: entry (bad_part, entry) of C. */
static cairn_err matmul_evidence(cairn_buf *b, const job_params *jp,
                                 const uint8_t *in, const cairn_job_claim *c,
                                 const job_parts *parts, const job_verdict *v)
{
    const uint32_t n = jp->u.mm.n, k = jp->u.mm.k, m = jp->u.mm.m;
    if (v->entry >= m || parts->off[parts->count] != (size_t)n * m * 8)
        return CAIRN_ERR_NOT_FOUND;
    cairn_job_evidence *e = calloc(1, sizeof *e); /* proofs: 6 KiB */
    uint64_t *a = NULL, *bm = NULL, *cm = malloc((size_t)n * m * 8);
    uint8_t *store = NULL;
    cairn_err err = cm && e ? job_mm_load(jp, in, &a, &bm) : CAIRN_ERR_NOMEM;
    if (!err) {
        for (size_t i = 0; i < (size_t)n * m; i++)
            cm[i] = le64(parts->buf + i * 8);
        err = cairn_job_evidence_matmul(e, &store, c, a, bm, cm, n, k, m,
                                        (uint32_t)v->bad_part, v->entry);
    }
    if (!err)
        cairn_job_evidence_encode(b, e);
    free(e);
    free(a);
    free(bm);
    free(cm);
    free(store);
    return err ? err : b->err;
}

/* Form 2: this node's re-run of the sampled part differs. */
static cairn_err vote_evidence(cairn_buf *b, const cairn_job_claim *c,
                               const job_parts *parts, const job_verdict *v)
{
    cairn_job_evidence *e = calloc(1, sizeof *e);
    cairn_hash *leaves = malloc(parts->count * sizeof *leaves);
    if (!leaves || !e) {
        free(e);
        free(leaves);
        return CAIRN_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < parts->count; i++) {
        size_t len;
        const uint8_t *p = job_part(parts, i, &len);
        cairn_merkle_leaf(&leaves[i], p, len);
    }
    e->form = CAIRN_EVIDENCE_VOTE;
    e->claim = *c;
    e->part = (uint32_t)v->bad_part;
    e->miner_leaf = leaves[e->part];
    e->rerun_leaf = v->rerun_leaf;
    cairn_err err = cairn_merkle_prove(&e->pv, leaves, parts->count, e->part);
    free(leaves);
    if (!err)
        cairn_job_evidence_encode(b, e);
    free(e);
    return err ? err : b->err;
}

cairn_err job_evidence(cairn_buf *b, const job_params *jp, const uint8_t *in,
                       const cairn_job_claim *c, const job_parts *parts,
                       const job_verdict *v)
{
    if (v->pass || v->bad_part < 0 || (uint64_t)v->bad_part >= parts->count)
        return CAIRN_ERR_NOT_FOUND;
    if (jp->type == JOB_MATMUL)
        return matmul_evidence(b, jp, in, c, parts, v);
    return vote_evidence(b, c, parts, v);
}
