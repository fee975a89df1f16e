/* Off-chain verification of a job's claimed output (verify.h). */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute/jobs/verify.h"
#include "cairn/merkle.h"
#include "compute/verify/freivalds.h"

static int fail(job_verdict *v, int64_t part, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(job_verdict *v, int64_t part, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->why, sizeof v->why, fmt, ap);
    va_end(ap);
    v->pass = 0;
    v->bad_part = part;
    return -1;
}

uint32_t job_sample(const uint8_t seed[JOB_SEED_LEN], uint32_t count)
{
    cairn_hasher h;
    cairn_hash d;
    uint64_t x = 0;
    cairn_hasher_init(&h);
    cairn_hasher_update(&h, "cairn-job-sample-v1", 19);
    cairn_hasher_update(&h, seed, JOB_SEED_LEN);
    cairn_hasher_final(&h, &d);
    for (int i = 7; i >= 0; i--)
        x = x << 8 | d.b[i];
    return count ? (uint32_t)(x % count) : 0;
}

/* The claim against the job and the parts: 0, or -1 with the verdict. */
static int check_claim(const job_params *jp, const uint8_t *in, size_t n,
                       uint32_t subnet, const cairn_hash *job_id,
                       const cairn_job_claim *c, const char *chain_id,
                       const cairn_pubkey *miner, const job_parts *parts,
                       job_verdict *v)
{
    cairn_hash root;
    cairn_err e = cairn_job_claim_verify(c, chain_id ? chain_id : c->chain_id);
    if (e == CAIRN_ERR_CHAIN_ID)
        return fail(v, -1, "the claim names chain %s, not %s", c->chain_id,
                    chain_id);
    if (e)
        return fail(v, -1, "the claim's signature does not verify");
    if (miner && sodium_memcmp(miner->b, c->miner.b, 32))
        return fail(v, -1,
                    "the claim is signed by another key than the "
                    "miner's");
    if (c->type != jp->type || c->subnet != subnet ||
        sodium_memcmp(c->job_id.b, job_id->b, 32))
        return fail(v, -1,
                    "the claim names another job (type, subnet or "
                    "job id)");
    job_input_root(&root, jp, in, n);
    if (sodium_memcmp(root.b, c->input_root.b, 32))
        return fail(v, -1, "the claim's input root is not this job's input");
    if (c->parts != job_part_count(jp) || parts->count != c->parts)
        return fail(v, -1,
                    "the claim has %u parts, the job %u and the output "
                    "%u",
                    c->parts, job_part_count(jp), parts->count);
    if (job_output_root(&root, parts))
        return fail(v, -1, "out of memory hashing the output");
    if (sodium_memcmp(root.b, c->output_root.b, 32))
        return fail(v, -1, "the parts do not hash to the claim's output root");
    return 0;
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t x = 0;
    for (int i = 7; i >= 0; i--)
        x = x << 8 | p[i];
    return x;
}

static void load(uint64_t *dst, const uint8_t *src, size_t count)
{
    for (size_t i = 0; i < count; i++)
        dst[i] = le64(src + i * 8);
}

/* The first column where row i of C differs from row i of A.B (m when
 * none: Freivalds only errs the other way). */
static uint32_t wrong_entry(const job_params *jp, const uint8_t *in,
                            const job_parts *parts, uint32_t i)
{
    size_t len;
    const uint8_t *row = job_part(parts, i, &len);
    uint8_t *mine = malloc((size_t)jp->u.mm.m * 8);
    uint32_t j = 0;
    if (!mine)
        return 0;
    job_matmul_row(jp, in, i, mine);
    while (j < jp->u.mm.m &&
           !memcmp(row + (size_t)j * 8, mine + (size_t)j * 8, 8))
        j++;
    free(mine);
    return j;
}

/* Freivalds over A, B from the input and C from the parts. */
static cairn_err check_matmul(const job_params *jp, const uint8_t *in,
                              const job_parts *parts,
                              const uint8_t seed[JOB_SEED_LEN], job_verdict *v)
{
    const uint32_t n = jp->u.mm.n, k = jp->u.mm.k, m = jp->u.mm.m;
    for (uint32_t i = 0; i < n; i++) {
        size_t len;
        const uint8_t *row = job_part(parts, i, &len);
        if (len != (size_t)m * 8) {
            fail(v, i, "row %u of C is %zu bytes, not %u", i, len, m * 8);
            return CAIRN_OK;
        }
        for (uint32_t j = 0; j < m; j++)
            if (le64(row + (size_t)j * 8) >= FV_P61) {
                fail(v, i, "C[%u][%u] is not below p", i, j);
                return CAIRN_OK;
            }
    }
    uint64_t *a = NULL, *b = NULL, *c = malloc((size_t)n * m * 8);
    cairn_err e = c ? job_mm_load(jp, in, &a, &b) : CAIRN_ERR_NOMEM;
    fv_verdict fv = {0};
    if (!e) {
        load(c, parts->buf, (size_t)n * m);
        fv_mat ma = {n, k, a}, mb = {k, m, b}, mc = {n, m, c};
        e = fv_check(&ma, &mb, &mc, FV_P61, seed, JOB_FV_ROUNDS, &fv);
    }
    free(a);
    free(b);
    free(c);
    if (e)
        snprintf(v->why, sizeof v->why, "Freivalds' check could not run: %s",
                 cairn_strerror(e));
    else if (!fv.pass) {
        fail(v, fv.row,
             "Freivalds' check fails in round %u at row %u: C is not A.B",
             fv.round, fv.row);
        v->entry = wrong_entry(jp, in, parts, fv.row);
    }
    return e;
}

void job_verify_claim(const job_params *jp, const uint8_t *in, size_t n,
                      uint32_t subnet, const cairn_hash *job_id,
                      const cairn_job_claim *c, const char *chain_id,
                      const cairn_pubkey *miner, const job_parts *parts,
                      job_verdict *v)
{
    memset(v, 0, sizeof *v);
    v->pass = 1;
    v->bad_part = -1;
    (void)check_claim(jp, in, n, subnet, job_id, c, chain_id, miner, parts, v);
}

/* Runs part i again and compares: 0, 1 when it differs (the verdict
 * set), or -1 when it could not run (the error in *e). */
static int rerun(const job_params *jp, const uint8_t *in, size_t n,
                 const job_parts *parts, const char *scratch, uint32_t i,
                 job_verdict *v, cairn_err *e)
{
    uint8_t *mine = NULL;
    size_t mine_n = 0, len;
    v->sampled = i;
    *e = job_run_part(jp, in, n, scratch, i, &mine, &mine_n, v->why,
                      sizeof v->why);
    if (*e)
        return -1;
    const uint8_t *theirs = job_part(parts, i, &len);
    cairn_merkle_leaf(&v->rerun_leaf, mine, mine_n);
    int bad = len != mine_n || memcmp(theirs, mine, len);
    if (bad)
        fail(v, i, "%s %u differs from this node's run (%zu bytes vs %zu)",
             jp->type == JOB_TRANSCODE ? "rendition" : "strip", i, len, mine_n);
    free(mine);
    return bad;
}

cairn_err job_verify_samples(const job_params *jp, const uint8_t *in, size_t n,
                             uint32_t subnet, const cairn_hash *job_id,
                             const cairn_job_claim *c, const char *chain_id,
                             const cairn_pubkey *miner, const job_parts *parts,
                             const uint8_t seed[JOB_SEED_LEN], unsigned samples,
                             const char *scratch, job_verdict *v)
{
    cairn_err e = CAIRN_OK;
    job_verify_claim(jp, in, n, subnet, job_id, c, chain_id, miner, parts, v);
    if (!v->pass)
        return CAIRN_OK;
    if (jp->type == JOB_MATMUL)
        return check_matmul(jp, in, parts, seed, v);
    const uint32_t first = job_sample(seed, parts->count);
    if (samples < 1)
        samples = 1;
    if (samples > parts->count)
        samples = parts->count;
    for (unsigned k = 0; k < samples; k++)
        if (rerun(jp, in, n, parts, scratch, (first + k) % parts->count, v, &e))
            break; /* differs (verdict set) or could not run (e) */
    return e;
}

cairn_err job_verify(const job_params *jp, const uint8_t *in, size_t n,
                     uint32_t subnet, const cairn_hash *job_id,
                     const cairn_job_claim *c, const char *chain_id,
                     const cairn_pubkey *miner, const job_parts *parts,
                     const uint8_t seed[JOB_SEED_LEN], const char *scratch,
                     job_verdict *v)
{
    return job_verify_samples(jp, in, n, subnet, job_id, c, chain_id, miner,
                              parts, seed, 1, scratch, v);
}
