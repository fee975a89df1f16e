/* Running a whole job or one of its parts (jobs.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute/jobs/jobs.h"
#include "compute/sandbox.h"
#include "compute/verify/freivalds.h"

/* Part `index` into a fresh buffer, in the job's scratch directory dir. */
static cairn_err one_part(const job_params *jp, const uint8_t *in, size_t n,
                          const char *dir, uint32_t index, int cheat,
                          uint8_t **out, size_t *out_n, char *why, size_t len)
{
    if (jp->type == JOB_TRANSCODE)
        return job_transcode_one(jp, in, n, dir, index, out, out_n, why, len);
    if (jp->type == JOB_RENDER)
        return job_render_strip(jp, in, n, dir, index, cheat, out, out_n, why,
                                len);
    size_t rn = (size_t)jp->u.mm.m * 8;
    uint8_t *row = malloc(rn);
    if (!row)
        return CAIRN_ERR_NOMEM;
    job_matmul_row(jp, in, index, row);
    *out = row;
    *out_n = rn;
    return CAIRN_OK;
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* The cheats of job_run (tests and the devnet's cheating miner). */
static void apply_cheat(const job_params *jp, uint8_t *p, size_t n)
{
    if (jp->type == JOB_TRANSCODE && n)
        p[n / 2] ^= 0x01; /* a flipped bit in the middle of rendition 0 */
    if (jp->type == JOB_MATMUL) {
        uint64_t v = le64(p);
        v = v + 1 == FV_P61 ? 0 : v + 1; /* C[0][0] + 1 */
        for (int i = 0; i < 8; i++)
            p[i] = (uint8_t)(v >> (8 * i));
    }
}

static cairn_err check_in(const job_params *jp, const uint8_t *in, size_t n,
                          char *why, size_t len)
{
    return job_input_ok(jp, in, n, why, len);
}

/* The whole product at once (fv_multiply's blocked loop), as rows. */
static cairn_err run_matmul(const job_params *jp, const uint8_t *in, int cheat,
                            job_parts *out)
{
    const uint32_t n = jp->u.mm.n, k = jp->u.mm.k, m = jp->u.mm.m;
    uint64_t *a = NULL, *b = NULL, *c = malloc((size_t)n * m * 8);
    const uint8_t **rows = malloc((size_t)n * sizeof *rows);
    size_t *lens = malloc((size_t)n * sizeof *lens);
    cairn_err e =
        c && rows && lens ? job_mm_load(jp, in, &a, &b) : CAIRN_ERR_NOMEM;
    if (!e) {
        fv_mat ma = {n, k, a}, mb = {k, m, b}, mc = {n, m, c};
        e = fv_multiply(&ma, &mb, &mc, FV_P61);
    }
    if (!e) {
        uint8_t *cb = (uint8_t *)c; /* rewritten in place as u64 LE */
        for (size_t i = 0; i < (size_t)n * m; i++) {
            uint64_t v = c[i];
            for (int q = 0; q < 8; q++)
                cb[i * 8 + q] = (uint8_t)(v >> (8 * q));
        }
        if (cheat)
            apply_cheat(jp, cb, (size_t)m * 8);
        for (uint32_t i = 0; i < n; i++) {
            rows[i] = cb + (size_t)i * m * 8;
            lens[i] = (size_t)m * 8;
        }
        e = job_parts_from(out, n, rows, lens);
    }
    free(a);
    free(b);
    free(c);
    free(rows);
    free(lens);
    return e;
}

cairn_err job_run(const job_params *jp, const uint8_t *in, size_t n,
                  const char *scratch, int cheat, job_parts *out, char *why,
                  size_t len)
{
    const uint32_t count = job_part_count(jp);
    char dir[1024] = "";
    uint8_t **p = calloc(count, sizeof *p);
    size_t *pn = calloc(count, sizeof *pn), total = 0;
    cairn_err e = check_in(jp, in, n, why, len);
    if (!e && jp->type == JOB_MATMUL) {
        free(p);
        free(pn);
        e = run_matmul(jp, in, cheat, out);
        if (e)
            snprintf(why, len, "out of memory running the job");
        return e;
    }
    if (!e && (!p || !pn))
        e = CAIRN_ERR_NOMEM;
    if (!e && jp->type != JOB_MATMUL &&
        (e = job_tmpdir(scratch, dir, sizeof dir)))
        snprintf(why, len, "cannot make a scratch directory under %s", scratch);
    for (uint32_t i = 0; !e && i < count; i++) {
        e = one_part(jp, in, n, dir, i, cheat && i == 0, &p[i], &pn[i], why,
                     len);
        if (!e && (total += pn[i]) > JOB_OUTPUT_MAX) {
            snprintf(why, len, "the job's output is over %u bytes",
                     JOB_OUTPUT_MAX);
            e = CAIRN_ERR_JOB_FAILED;
        }
    }
    if (!e && cheat)
        apply_cheat(jp, p[0], pn[0]);
    if (!e)
        e = job_parts_from(out, count, (const uint8_t *const *)p, pn);
    for (uint32_t i = 0; p && i < count; i++)
        free(p[i]);
    free(p);
    free(pn);
    if (dir[0])
        cairn_dir_remove(dir);
    if (e == CAIRN_ERR_NOMEM)
        snprintf(why, len, "out of memory running the job");
    return e;
}

cairn_err job_run_part(const job_params *jp, const uint8_t *in, size_t n,
                       const char *scratch, uint32_t index, uint8_t **out,
                       size_t *out_n, char *why, size_t len)
{
    char dir[1024] = "";
    cairn_err e = check_in(jp, in, n, why, len);
    if (!e && index >= job_part_count(jp)) {
        snprintf(why, len, "the job has no part %u", index);
        e = CAIRN_ERR_BAD_ARG;
    }
    if (!e && jp->type != JOB_MATMUL &&
        (e = job_tmpdir(scratch, dir, sizeof dir)))
        snprintf(why, len, "cannot make a scratch directory under %s", scratch);
    if (!e)
        e = one_part(jp, in, n, dir, index, 0, out, out_n, why, len);
    if (dir[0])
        cairn_dir_remove(dir);
    return e;
}
