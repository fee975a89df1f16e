/* Verified jobs: evidence that a miner's claim is wrong -- its encoding
 * and the check any node runs (include/cairn/job.h, docs/compute-verify.md
 * "Evidence"). */
#include "cairn/job.h"

#include <stdlib.h>
#include <string.h>

/* A proof's siblings (u8 count ‖ hashes); index and count set by caller. */
static void get_proof(cairn_reader *r, cairn_merkle_proof *pf, uint64_t index,
                      uint64_t count)
{
    memset(pf, 0, sizeof *pf);
    pf->index = index;
    pf->count = count;
    uint8_t ns = cairn_get_u8(r);
    if (ns >= CAIRN_MERKLE_MAX_DEPTH) {
        if (!r->err)
            r->err = CAIRN_ERR_TOO_LARGE;
        return;
    }
    pf->n = ns;
    for (uint32_t s = 0; s < ns; s++)
        cairn_get_bytes(r, pf->sib[s].b, sizeof pf->sib[s].b);
}

static void put_proof(cairn_buf *b, const cairn_merkle_proof *pf)
{
    cairn_put_u8(b, (uint8_t)pf->n);
    for (uint32_t s = 0; s < pf->n; s++)
        cairn_put_bytes(b, pf->sib[s].b, sizeof pf->sib[s].b);
}

/* Borrows `len` u64 from the reader. */
static const uint8_t *get_vec(cairn_reader *r, uint32_t len)
{
    size_t bytes = (size_t)len * 8;
    if (r->err || r->len - r->pos < bytes) {
        if (!r->err)
            r->err = CAIRN_ERR_TRUNCATED;
        return NULL;
    }
    const uint8_t *p = r->p + r->pos;
    r->pos += bytes;
    return p;
}

static cairn_err decode_matmul(cairn_job_evidence *e, cairn_reader *r)
{
    e->n = cairn_get_u32(r);
    e->k = cairn_get_u32(r);
    e->m = cairn_get_u32(r);
    e->i = cairn_get_u32(r);
    e->j = cairn_get_u32(r);
    if (r->err)
        return r->err;
    if (!e->n || !e->k || !e->m)
        return CAIRN_ERR_BAD_ARG;
    if (e->n > CAIRN_MM_EVIDENCE_DIM || e->k > CAIRN_MM_EVIDENCE_DIM ||
        e->m > CAIRN_MM_EVIDENCE_DIM)
        return CAIRN_ERR_TOO_LARGE;
    if (e->i >= e->n || e->j >= e->m)
        return CAIRN_ERR_BAD_ARG;
    cairn_get_bytes(r, e->root_a.b, sizeof e->root_a.b);
    cairn_get_bytes(r, e->root_b.b, sizeof e->root_b.b);
    e->a_row = get_vec(r, e->k);
    get_proof(r, &e->pa, e->i, e->n);
    e->b_col = get_vec(r, e->k);
    get_proof(r, &e->pb, e->j, e->m);
    e->c_row = get_vec(r, e->m);
    get_proof(r, &e->pc, e->i, e->n);
    return r->err;
}

static cairn_err decode_vote(cairn_job_evidence *e, cairn_reader *r)
{
    e->part = cairn_get_u32(r);
    if (!r->err && e->part >= e->claim.parts)
        return CAIRN_ERR_BAD_ARG;
    cairn_get_bytes(r, e->miner_leaf.b, sizeof e->miner_leaf.b);
    get_proof(r, &e->pv, e->part, e->claim.parts);
    cairn_get_bytes(r, e->rerun_leaf.b, sizeof e->rerun_leaf.b);
    return r->err;
}

cairn_err cairn_job_evidence_decode(cairn_job_evidence *e, const uint8_t *p,
                                    size_t n)
{
    cairn_reader r;
    memset(e, 0, sizeof *e);
    cairn_reader_init(&r, p, n);
    e->form = cairn_get_u8(&r);
    uint16_t cl = cairn_get_u16(&r);
    if (r.err)
        return r.err;
    if (e->form != CAIRN_EVIDENCE_MATMUL && e->form != CAIRN_EVIDENCE_VOTE)
        return CAIRN_ERR_BAD_VERSION;
    if (r.len - r.pos < cl)
        return CAIRN_ERR_TRUNCATED;
    cairn_err err = cairn_job_claim_decode(&e->claim, r.p + r.pos, cl);
    if (err)
        return err;
    r.pos += cl;
    err = e->form == CAIRN_EVIDENCE_MATMUL ? decode_matmul(e, &r)
                                           : decode_vote(e, &r);
    if (err)
        return err;
    return cairn_reader_done(&r);
}

void cairn_job_evidence_encode(cairn_buf *b, const cairn_job_evidence *e)
{
    cairn_buf cb;
    cairn_buf_init(&cb, CAIRN_JOB_CLAIM_MAX_BYTES);
    cairn_job_claim_encode(&cb, &e->claim);
    cairn_put_u8(b, e->form);
    cairn_put_u16(b, (uint16_t)cb.len);
    cairn_put_bytes(b, cb.p, cb.len);
    cairn_buf_free(&cb);
    if (e->form == CAIRN_EVIDENCE_MATMUL) {
        uint32_t d[5] = {e->n, e->k, e->m, e->i, e->j};
        for (int t = 0; t < 5; t++)
            cairn_put_u32(b, d[t]);
        cairn_put_bytes(b, e->root_a.b, sizeof e->root_a.b);
        cairn_put_bytes(b, e->root_b.b, sizeof e->root_b.b);
        cairn_put_bytes(b, e->a_row, (size_t)e->k * 8);
        put_proof(b, &e->pa);
        cairn_put_bytes(b, e->b_col, (size_t)e->k * 8);
        put_proof(b, &e->pb);
        cairn_put_bytes(b, e->c_row, (size_t)e->m * 8);
        put_proof(b, &e->pc);
    } else {
        cairn_put_u32(b, e->part);
        cairn_put_bytes(b, e->miner_leaf.b, sizeof e->miner_leaf.b);
        put_proof(b, &e->pv);
        cairn_put_bytes(b, e->rerun_leaf.b, sizeof e->rerun_leaf.b);
    }
}
