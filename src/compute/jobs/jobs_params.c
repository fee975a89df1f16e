/* Job params bytes, input checks, input_root, parts and output_root
 * (jobs.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/job.h"
#include "cairn/merkle.h"
#include "compute/jobs/jobs.h"
#include "compute/verify/freivalds.h"

#define PARAMS_VERSION 1

void job_params_encode(cairn_buf *b, const job_params *jp)
{
    cairn_put_u8(b, PARAMS_VERSION);
    if (jp->type == JOB_TRANSCODE) {
        cairn_put_u8(b, jp->u.tc.count);
        for (uint8_t i = 0; i < jp->u.tc.count && i < JOB_RENDITIONS_MAX; i++) {
            cairn_put_u16(b, jp->u.tc.w[i]);
            cairn_put_u16(b, jp->u.tc.h[i]);
        }
    } else if (jp->type == JOB_RENDER) {
        cairn_put_u16(b, jp->u.rd.width);
        cairn_put_u16(b, jp->u.rd.height);
        cairn_put_u16(b, jp->u.rd.strips);
    } else {
        cairn_put_u32(b, jp->u.mm.n);
        cairn_put_u32(b, jp->u.mm.k);
        cairn_put_u32(b, jp->u.mm.m);
    }
}

static int video_dim(uint16_t v)
{
    return v >= JOB_VIDEO_DIM_MIN && v <= JOB_VIDEO_DIM_MAX && v % 2 == 0;
}

static int check_params(const job_params *jp, char *why, size_t len)
{
    if (jp->type == JOB_TRANSCODE) {
        if (jp->u.tc.count < 1 || jp->u.tc.count > JOB_RENDITIONS_MAX) {
            snprintf(why, len, "a transcode job has 1..%d renditions",
                     JOB_RENDITIONS_MAX);
            return -1;
        }
        for (uint8_t i = 0; i < jp->u.tc.count; i++)
            if (!video_dim(jp->u.tc.w[i]) || !video_dim(jp->u.tc.h[i])) {
                snprintf(why, len,
                         "rendition %u: width and height are even, %d..%d", i,
                         JOB_VIDEO_DIM_MIN, JOB_VIDEO_DIM_MAX);
                return -1;
            }
    } else if (jp->type == JOB_RENDER) {
        const uint16_t w = jp->u.rd.width, h = jp->u.rd.height;
        if (w < 1 || h < 1 || w > JOB_RENDER_DIM_MAX ||
            h > JOB_RENDER_DIM_MAX || jp->u.rd.strips < 1 ||
            jp->u.rd.strips > JOB_STRIPS_MAX || jp->u.rd.strips > h) {
            snprintf(why, len,
                     "a render job is 1..%d pixels wide and high, in 1..%d "
                     "strips (at most its height)",
                     JOB_RENDER_DIM_MAX, JOB_STRIPS_MAX);
            return -1;
        }
    } else {
        const uint32_t n = jp->u.mm.n, k = jp->u.mm.k, m = jp->u.mm.m;
        if (n < 1 || k < 1 || m < 1 || n > JOB_MM_DIM_MAX ||
            k > JOB_MM_DIM_MAX || m > JOB_MM_DIM_MAX) {
            snprintf(why, len, "matmul n, k and m are 1..%u", JOB_MM_DIM_MAX);
            return -1;
        }
    }
    return 0;
}

cairn_err job_params_decode(job_params *jp, uint8_t type, const uint8_t *p,
                            size_t n, char *why, size_t len)
{
    cairn_reader r = {p, n, 0, CAIRN_OK};
    memset(jp, 0, sizeof *jp);
    jp->type = type;
    if (type < 1 || type > JOB_TYPE_MAX) {
        snprintf(why, len,
                 "unknown job type %u (1 transcode, 2 render, 3 "
                 "matmul)",
                 type);
        return CAIRN_ERR_JOB_INPUT;
    }
    if (cairn_get_u8(&r) != PARAMS_VERSION && !r.err) {
        snprintf(why, len, "job params version is not %d", PARAMS_VERSION);
        return CAIRN_ERR_JOB_INPUT;
    }
    if (type == JOB_TRANSCODE) {
        jp->u.tc.count = cairn_get_u8(&r);
        for (uint8_t i = 0;
             i < jp->u.tc.count && i < JOB_RENDITIONS_MAX && !r.err; i++) {
            jp->u.tc.w[i] = cairn_get_u16(&r);
            jp->u.tc.h[i] = cairn_get_u16(&r);
        }
    } else if (type == JOB_RENDER) {
        jp->u.rd.width = cairn_get_u16(&r);
        jp->u.rd.height = cairn_get_u16(&r);
        jp->u.rd.strips = cairn_get_u16(&r);
    } else {
        jp->u.mm.n = cairn_get_u32(&r);
        jp->u.mm.k = cairn_get_u32(&r);
        jp->u.mm.m = cairn_get_u32(&r);
    }
    if (r.err || r.pos != r.len) {
        snprintf(why, len, "job params are %s",
                 r.err ? "truncated" : "followed by extra bytes");
        return CAIRN_ERR_JOB_INPUT;
    }
    return check_params(jp, why, len) ? CAIRN_ERR_JOB_INPUT : CAIRN_OK;
}

uint32_t job_part_count(const job_params *jp)
{
    if (jp->type == JOB_TRANSCODE)
        return jp->u.tc.count;
    if (jp->type == JOB_RENDER)
        return jp->u.rd.strips;
    return jp->u.mm.n;
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

cairn_err job_input_ok(const job_params *jp, const uint8_t *in, size_t n,
                       char *why, size_t len)
{
    if (jp->type == JOB_MATMUL) {
        const uint64_t want = 8ull * ((uint64_t)jp->u.mm.n * jp->u.mm.k +
                                      (uint64_t)jp->u.mm.k * jp->u.mm.m);
        if (n != want) {
            snprintf(why, len,
                     "a %ux%u by %ux%u product takes %llu input bytes, not "
                     "%zu",
                     jp->u.mm.n, jp->u.mm.k, jp->u.mm.k, jp->u.mm.m,
                     (unsigned long long)want, n);
            return CAIRN_ERR_JOB_INPUT;
        }
        for (size_t i = 0; i < n; i += 8)
            if (le64(in + i) >= FV_P61) {
                snprintf(why, len, "matrix entry %zu is not below p = 2^61 - 1",
                         i / 8);
                return CAIRN_ERR_JOB_INPUT;
            }
        return CAIRN_OK;
    }
    const size_t max = jp->type == JOB_TRANSCODE ? JOB_TRANSCODE_INPUT_MAX
                                                 : JOB_RENDER_INPUT_MAX;
    if (n < 1 || n > max) {
        snprintf(why, len, "a %s job's input is 1..%zu bytes, not %zu",
                 jp->type == JOB_TRANSCODE ? "transcode" : "render", max, n);
        return CAIRN_ERR_JOB_INPUT;
    }
    return CAIRN_OK;
}

/* The matrices of a matmul input as u64 arrays (*a: n x k, *b: k x m;
 * the caller frees both). NOMEM. */
cairn_err job_mm_load(const job_params *jp, const uint8_t *in, uint64_t **a,
                      uint64_t **b)
{
    const size_t na = (size_t)jp->u.mm.n * jp->u.mm.k,
                 nb = (size_t)jp->u.mm.k * jp->u.mm.m;
    *a = malloc(na * 8);
    *b = malloc(nb * 8);
    if (!*a || !*b) {
        free(*a);
        free(*b);
        *a = *b = NULL;
        return CAIRN_ERR_NOMEM;
    }
    for (size_t i = 0; i < na; i++)
        (*a)[i] = le64(in + i * 8);
    for (size_t i = 0; i < nb; i++)
        (*b)[i] = le64(in + (na + i) * 8);
    return CAIRN_OK;
}

void job_input_root(cairn_hash *out, const job_params *jp, const uint8_t *in,
                    size_t n)
{
    if (jp->type == JOB_MATMUL) {
        uint64_t *a, *b;
        cairn_hash ra, rb;
        /* out of memory: an all-zero root, which no claim will match */
        memset(out, 0, sizeof *out);
        if (job_mm_load(jp, in, &a, &b))
            return;
        if (!cairn_mm_roots(&ra, &rb, a, b, jp->u.mm.n, jp->u.mm.k, jp->u.mm.m))
            cairn_mm_input_root(out, jp->u.mm.n, jp->u.mm.k, jp->u.mm.m, &ra,
                                &rb);
        free(a);
        free(b);
        return;
    }
    cairn_buf b;
    cairn_buf_init(&b, JOB_PARAMS_MAX);
    job_params_encode(&b, jp);
    cairn_job_input_root(out, jp->type, b.p, b.len, in, n);
    cairn_buf_free(&b);
}

void job_parts_free(job_parts *jp)
{
    free(jp->buf);
    free(jp->off);
    memset(jp, 0, sizeof *jp);
}

const uint8_t *job_part(const job_parts *jp, uint32_t i, size_t *len)
{
    *len = jp->off[i + 1] - jp->off[i];
    return jp->buf + jp->off[i];
}

cairn_err job_parts_from(job_parts *out, uint32_t count,
                         const uint8_t *const *p, const size_t *n)
{
    size_t total = 0;
    memset(out, 0, sizeof *out);
    for (uint32_t i = 0; i < count; i++)
        total += n[i];
    out->buf = malloc(total ? total : 1);
    out->off = malloc(((size_t)count + 1) * sizeof *out->off);
    if (!out->buf || !out->off) {
        job_parts_free(out);
        return CAIRN_ERR_NOMEM;
    }
    out->count = count;
    out->off[0] = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (n[i])
            memcpy(out->buf + out->off[i], p[i], n[i]);
        out->off[i + 1] = out->off[i] + n[i];
    }
    return CAIRN_OK;
}

cairn_err job_output_root(cairn_hash *out, const job_parts *jp)
{
    const uint8_t **p = malloc((jp->count ? jp->count : 1) * sizeof *p);
    size_t *len = malloc((jp->count ? jp->count : 1) * sizeof *len);
    cairn_err e = p && len ? CAIRN_OK : CAIRN_ERR_NOMEM;
    for (uint32_t i = 0; !e && i < jp->count; i++)
        p[i] = job_part(jp, i, &len[i]);
    if (!e)
        e = cairn_job_parts_root(out, p, len, jp->count);
    free(p);
    free(len);
    return e;
}
