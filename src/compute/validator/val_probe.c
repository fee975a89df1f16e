/* The validator's probe of one miner: this epoch's job for it, sent
 * over the compute protocol (JOB -> JOB_RESULT), checked, timed; and the
 * evidence of a failed check (compute/validator/validator.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cairn/conn.h"
#include "cairn/job.h"
#include "compute/jobs/job_client.h"
#include "compute/jobs/verify.h"
#include "compute/sandbox.h"
#include "compute/validator/validator.h"
#include "core/durable.h"

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void val_probe_free(val_probe *p)
{
    free(p->evidence);
    p->evidence = NULL;
}

/* A small scene with a sphere on a checkered plane. */
static const char scene[] =
    "camera { location <0,2,-5> look_at <0,0,0> }\n"
    "light_source { <5,10,-5> color rgb 1 }\n"
    "sphere { <0,0,0>, 1 pigment { color rgb <1,0.3,0.2> } finish { phong "
    "0.8 } }\n"
    "plane { y, -1 pigment { checker color rgb 1 color rgb 0.2 } }\n";

/* A transcode probe: a one-second test pattern that ffmpeg makes (in the
 * sandbox) once and the validator keeps in DATA/probe.mp4; two
 * renditions. */
/* The transcode probe's segment into v->segment, once per process: read
 * from DIR/probe.mp4, or made there (by ffmpeg in the sandbox) the first
 * time. */
static cairn_err load_segment(val *v)
{
    char path[VAL_PATH_MAX + 16], dir[VAL_PATH_MAX], why[256] = "";
    if (v->segment)
        return CAIRN_OK;
    snprintf(path, sizeof path, "%s/probe.mp4", v->cfg.data);
    cairn_err e = cairn_read_small(path, JOB_TRANSCODE_INPUT_MAX, &v->segment,
                                   &v->segment_len);
    if (e != CAIRN_ERR_NOT_FOUND)
        return e;
    const char *argv[] = {"ffmpeg",    "-hide_banner",
                          "-loglevel", "error",
                          "-f",        "lavfi",
                          "-i",        "testsrc=size=128x96:rate=12",
                          "-t",        "1",
                          "-c:v",      "libx264",
                          "-threads",  "1",
                          "-pix_fmt",  "yuv420p",
                          "-y",        "/work/probe.mp4",
                          NULL};
    if ((e = job_tmpdir(v->scratch, dir, sizeof dir)))
        return e;
    e = job_sandbox_run(dir, argv, why, sizeof why);
    if (!e)
        e = job_read_file(dir, "probe.mp4", JOB_TRANSCODE_INPUT_MAX,
                          &v->segment, &v->segment_len);
    if (!e)
        e = cairn_write_durable(path, v->segment, v->segment_len);
    if (e) {
        val_log("cannot make the transcode probe segment: %s", why);
        free(v->segment);
        v->segment = NULL;
    }
    cairn_dir_remove(dir);
    return e;
}

/* The job for this subnet's type: *in malloc'd (caller frees). */
/* splitmix64: the matrix entries from the job id, so every validator
 * builds the same matrices. */
static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* This epoch's probe of miner `uid`: BLAKE2b-256("cairn-probe-v1" ‖ the
 * hash of the block before the epoch ‖ u32 subnet ‖ u64 epoch ‖ u16 uid),
 * the same for every validator. */
static void probe_id(const val *v, uint16_t uid, cairn_hash *id)
{
    uint8_t tail[14];
    cairn_hasher h;
    for (int i = 0; i < 4; i++)
        tail[i] = (uint8_t)(v->subnet_id >> (8 * i));
    for (int i = 0; i < 8; i++)
        tail[4 + i] = (uint8_t)(v->epoch >> (8 * i));
    tail[12] = (uint8_t)uid, tail[13] = (uint8_t)(uid >> 8);
    cairn_hasher_init(&h);
    cairn_hasher_update(&h, "cairn-probe-v1", 14);
    cairn_hasher_update(&h, v->epoch_rand.b, sizeof v->epoch_rand.b);
    cairn_hasher_update(&h, tail, sizeof tail);
    cairn_hasher_final(&h, id);
}

static cairn_err make_job(const val *v, const cairn_hash *id, job_params *jp,
                          uint8_t **in, size_t *n)
{
    memset(jp, 0, sizeof *jp);
    jp->type = v->type;
    if (v->type == JOB_MATMUL) {
        uint32_t d = v->cfg.dim;
        jp->u.mm.n = jp->u.mm.k = jp->u.mm.m = d;
        size_t cells = 2 * (size_t)d * d;
        uint8_t *p = malloc(cells * 8);
        if (!p)
            return CAIRN_ERR_NOMEM;
        uint64_t x = 0;
        for (int b = 0; b < 8; b++)
            x |= (uint64_t)id->b[b] << (8 * b);
        for (size_t t = 0; t < cells; t++) {
            x = splitmix(&x) % CAIRN_MM_P; /* below p: a residue */
            for (int b = 0; b < 8; b++)
                p[8 * t + (size_t)b] = (uint8_t)(x >> (8 * b));
        }
        *in = p, *n = cells * 8;
        return CAIRN_OK;
    }
    if (v->type == JOB_RENDER) {
        jp->u.rd.width = 64, jp->u.rd.height = 48, jp->u.rd.strips = 4;
        *in = malloc(sizeof scene - 1);
        if (!*in)
            return CAIRN_ERR_NOMEM;
        memcpy(*in, scene, sizeof scene - 1);
        *n = sizeof scene - 1;
        return CAIRN_OK;
    }
    /* transcode: the segment val_probe_prepare loaded, two renditions */
    if (!v->segment)
        return CAIRN_ERR_NOT_FOUND;
    jp->u.tc.count = 2;
    jp->u.tc.w[0] = 96, jp->u.tc.h[0] = 72;
    jp->u.tc.w[1] = 64, jp->u.tc.h[1] = 48;
    if (!(*in = malloc(v->segment_len)))
        return CAIRN_ERR_NOMEM;
    memcpy(*in, v->segment, v->segment_len);
    *n = v->segment_len;
    return CAIRN_OK;
}

/* Sends the job to m and takes its claim and parts. */
static cairn_err exchange(const val *v, const val_miner *m,
                          const job_params *jp, const uint8_t *in, size_t n,
                          const cairn_hash *id, cairn_job_claim *claim,
                          job_parts *parts, char *why, size_t wl)
{
    char host[CAIRN_HOST_MAX + 1];
    int port;
    if (cairn_endpoint_parse(m->endpoint, host, &port)) {
        snprintf(why, wl, "its endpoint \"%s\" is not HOST:PORT", m->endpoint);
        return CAIRN_ERR_BAD_ENDPOINT;
    }
    job_request r = {.host = host,
                     .port = port,
                     .key = &v->cfg.key,
                     .expect = &m->address,
                     .subnet = v->subnet_id,
                     .job_id = *id,
                     .jp = jp,
                     .in = in,
                     .n = n,
                     .reply_ms = v->probe_ms,
                     .dial_ms = v->probe_ms};
    return job_submit(&r, claim, parts, why, wl);
}

/* Fills p->evidence for a failed verdict that names a part. */
static void evidence(const job_params *jp, const uint8_t *in,
                     const cairn_job_claim *c, const job_parts *parts,
                     const job_verdict *vd, val_probe *p)
{
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
    cairn_err e = job_evidence(&b, jp, in, c, parts, vd);
    if (!e && !b.err) {
        p->evidence = b.p;
        p->evidence_len = b.len;
        b.p = NULL;
    } else if (e != CAIRN_ERR_NOT_FOUND) {
        val_log("could not build the evidence: %s", cairn_strerror(e));
    }
    cairn_buf_free(&b);
}

cairn_err val_probe_prepare(val *v)
{
    return v->type == JOB_TRANSCODE ? load_segment(v) : CAIRN_OK;
}

void val_probe_miner(const val *v, const val_miner *m, val_probe *p)
{
    job_params jp;
    uint8_t *in = NULL, seed[JOB_SEED_LEN];
    cairn_hash job_id, sh;
    size_t n = 0;
    cairn_job_claim claim;
    job_parts parts = {0};
    job_verdict vd;
    memset(p, 0, sizeof *p);
    if (!m->endpoint[0]) {
        snprintf(p->why, sizeof p->why, "no endpoint on chain, or jailed");
        return;
    }
    probe_id(v, m->uid, &job_id);
    cairn_hash_pair(&sh, 0x53, &job_id, &v->epoch_rand); /* sample start */
    memcpy(seed, sh.b, sizeof seed);
    if (make_job(v, &job_id, &jp, &in, &n)) {
        snprintf(p->why, sizeof p->why, "could not make a job here");
        return;
    }
    uint64_t t0 = now_ms();
    cairn_err e = exchange(v, m, &jp, in, n, &job_id, &claim, &parts, p->why,
                           sizeof p->why);
    p->ms = now_ms() - t0;
    p->answered = e == CAIRN_OK;
    if (!e && job_verify_samples(&jp, in, n, v->subnet_id, &job_id, &claim,
                                 v->ctx.chain_id, &m->address, &parts, seed,
                                 parts.count, v->scratch, &vd) == 0) {
        p->passed = vd.pass;
        if (!vd.pass) {
            snprintf(p->why, sizeof p->why, "%s", vd.why);
            evidence(&jp, in, &claim, &parts, &vd, p);
        }
    } else if (!e) {
        snprintf(p->why, sizeof p->why, "the check could not run here: %.200s",
                 vd.why);
    }
    job_parts_free(&parts);
    free(in);
}
