/* Verified-work jobs off chain (src/compute/jobs/): the real tools in the
 * real sandbox.
 *
 *   params     the params bytes round-trip and refuse bad bounds
 *   matmul     C = A.B row by row equals fv_multiply; rerun gives the same
 *              bytes; the cheat (one wrong entry) fails Freivalds at row 0,
 *              the honest result passes; a forged signature, a wrong
 *              output root or a claim of another job fail as the claim
 *   transcode  two renditions of a one-second test segment (made here by
 *              ffmpeg's testsrc): the same bytes on a second run; the cheat
 *              (a flipped byte in rendition 0) is caught when rendition 0
 *              is sampled, a re-run part equals the job's part
 *   render     a scene in 4 strips: the same bytes twice; strip 0 at +Q2
 *              without antialiasing differs and is caught when sampled
 * Without bwrap, ffmpeg or povray the tool tests say why and skip. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cairn/compute_proto.h"
#include "compute/jobs/jobs.h"
#include "compute/jobs/verify.h"
#include "compute/sandbox.h"
#include "compute/verify/freivalds.h"

static char scratch[256];
static cairn_keypair miner;

static const char scene[] =
    "camera { location <0,2,-5> look_at <0,0,0> }\n"
    "light_source { <5,10,-5> color rgb 1 }\n"
    "sphere { <0,0.5,0>, 1 pigment { checker color rgb <1,0,0> color rgb "
    "<1,1,1> scale 0.3 } finish { phong 0.8 reflection 0.2 } }\n"
    "plane { y, -0.5 pigment { color rgb <0.2,0.6,0.2> } }\n";

static int have(const char *tool)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
    return system(cmd) == 0;
}

#define NEED(tool)                                                             \
    do {                                                                       \
        if (!have("bwrap") || !have(tool)) {                                   \
            printf("skipped: bwrap or %s is not installed\n", tool);           \
            skip();                                                            \
        }                                                                      \
    } while (0)

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Signs the claim of an output the way the provider does. */
static void make_claim(cairn_job_claim *c, const job_params *jp,
                       const uint8_t *in, size_t n, const job_parts *parts)
{
    memset(c, 0, sizeof *c);
    assert_int_equal(cairn_job_claim_set_chain(c, "test"), CAIRN_OK);
    c->subnet = 7;
    c->type = jp->type;
    memset(c->job_id.b, 0x11, 32);
    job_input_root(&c->input_root, jp, in, n);
    assert_int_equal(job_output_root(&c->output_root, parts), CAIRN_OK);
    c->parts = parts->count;
    assert_int_equal(cairn_job_claim_sign(c, &miner), CAIRN_OK);
}

static cairn_err check(const job_params *jp, const uint8_t *in, size_t n,
                       const cairn_job_claim *c, const job_parts *parts,
                       uint8_t seed_byte, job_verdict *v)
{
    uint8_t seed[32];
    cairn_hash id;
    memset(seed, seed_byte, sizeof seed);
    memset(id.b, 0x11, sizeof id.b);
    return job_verify(jp, in, n, 7, &id, c, "test", &miner.pk, parts, seed,
                      scratch, v);
}

/* A seed byte whose sample is part `want` of count. */
static uint8_t seed_for(uint32_t want, uint32_t count)
{
    for (int b = 0; b < 256; b++) {
        uint8_t seed[32];
        memset(seed, b, sizeof seed);
        if (job_sample(seed, count) == want)
            return (uint8_t)b;
    }
    fail_msg("no seed byte samples part %u", want);
    return 0;
}

/* The verdict's evidence decodes and proves the claim wrong (form 1) or
 * contested (form 2), as the chain would check it. */
static void evidence_ok(const job_params *jp, const uint8_t *in,
                        const cairn_job_claim *c, const job_parts *parts,
                        const job_verdict *v)
{
    static cairn_job_evidence e;
    cairn_buf b;
    cairn_buf_init(&b, 1u << 20);
    assert_int_equal(job_evidence(&b, jp, in, c, parts, v), CAIRN_OK);
    assert_int_equal(cairn_job_evidence_decode(&e, b.p, b.len), CAIRN_OK);
    assert_int_equal(e.form, jp->type == JOB_MATMUL ? CAIRN_EVIDENCE_MATMUL
                                                    : CAIRN_EVIDENCE_VOTE);
    assert_int_equal(cairn_job_evidence_check(&e), CAIRN_OK);
    cairn_buf_free(&b);
}

static void test_params(void **state)
{
    (void)state;
    char why[256];
    job_params a = {.type = JOB_TRANSCODE}, b;
    a.u.tc.count = 2;
    a.u.tc.w[0] = 320, a.u.tc.h[0] = 240, a.u.tc.w[1] = 160, a.u.tc.h[1] = 120;
    cairn_buf buf;
    cairn_buf_init(&buf, JOB_PARAMS_MAX);
    job_params_encode(&buf, &a);
    assert_int_equal(buf.len, 10);
    assert_int_equal(
        job_params_decode(&b, JOB_TRANSCODE, buf.p, buf.len, why, sizeof why),
        CAIRN_OK);
    assert_memory_equal(&a.u.tc, &b.u.tc, sizeof a.u.tc);
    buf.p[2] = 15; /* an odd width */
    assert_int_equal(
        job_params_decode(&b, JOB_TRANSCODE, buf.p, buf.len, why, sizeof why),
        CAIRN_ERR_JOB_INPUT);
    assert_int_equal(job_params_decode(&b, JOB_TRANSCODE, buf.p, buf.len - 1,
                                       why, sizeof why),
                     CAIRN_ERR_JOB_INPUT);
    assert_int_equal(job_params_decode(&b, 9, buf.p, buf.len, why, sizeof why),
                     CAIRN_ERR_JOB_INPUT);
    cairn_buf_free(&buf);
    const uint8_t mm[] = {1, 1, 2, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0};
    assert_int_equal(
        job_params_decode(&b, JOB_MATMUL, mm, sizeof mm, why, sizeof why),
        CAIRN_ERR_JOB_INPUT); /* n = 512 + 1 */
}

static uint8_t *mm_input(uint32_t n, uint32_t k, uint32_t m, size_t *len)
{
    *len = 8ull * ((size_t)n * k + (size_t)k * m);
    uint8_t *in = malloc(*len);
    assert_non_null(in);
    for (size_t i = 0; i < *len; i += 8) {
        uint64_t v =
            ((uint64_t)randombytes_random() << 32 | randombytes_random()) %
            FV_P61;
        for (int q = 0; q < 8; q++)
            in[i + q] = (uint8_t)(v >> (8 * q));
    }
    return in;
}

static void test_matmul(void **state)
{
    (void)state;
    char why[256];
    job_params jp = {.type = JOB_MATMUL};
    jp.u.mm.n = 64, jp.u.mm.k = 48, jp.u.mm.m = 32;
    size_t n;
    uint8_t *in = mm_input(64, 48, 32, &n);
    job_parts honest, again, bad;
    cairn_job_claim c;
    job_verdict v;
    assert_int_equal(job_run(&jp, in, n, scratch, 0, &honest, why, sizeof why),
                     CAIRN_OK);
    assert_int_equal(honest.count, 64);
    /* the reference product */
    uint64_t *a = malloc(64 * 48 * 8), *b = malloc(48 * 32 * 8),
             *cc = malloc(64 * 32 * 8);
    memcpy(a, in, 64 * 48 * 8); /* little-endian host */
    memcpy(b, in + 64 * 48 * 8, 48 * 32 * 8);
    fv_mat ma = {64, 48, a}, mb = {48, 32, b}, mc = {64, 32, cc};
    assert_int_equal(fv_multiply(&ma, &mb, &mc, FV_P61), CAIRN_OK);
    assert_memory_equal(honest.buf, cc, 64 * 32 * 8);
    assert_int_equal(job_run(&jp, in, n, scratch, 0, &again, why, sizeof why),
                     CAIRN_OK);
    assert_memory_equal(honest.buf, again.buf, 64 * 32 * 8);
    make_claim(&c, &jp, in, n, &honest);
    assert_int_equal(check(&jp, in, n, &c, &honest, 1, &v), CAIRN_OK);
    assert_true(v.pass);
    /* one wrong entry */
    assert_int_equal(job_run(&jp, in, n, scratch, 1, &bad, why, sizeof why),
                     CAIRN_OK);
    assert_memory_not_equal(bad.buf, honest.buf, 8);
    assert_memory_equal(bad.buf + 8, honest.buf + 8, 64 * 32 * 8 - 8);
    make_claim(&c, &jp, in, n, &bad);
    assert_int_equal(check(&jp, in, n, &c, &bad, 2, &v), CAIRN_OK);
    assert_false(v.pass);
    assert_int_equal(v.bad_part, 0);
    assert_int_equal(v.entry, 0);
    evidence_ok(&jp, in, &c, &bad, &v);
    /* a claim that does not match the parts, and a forged signature */
    make_claim(&c, &jp, in, n, &honest);
    assert_int_equal(check(&jp, in, n, &c, &bad, 1, &v), CAIRN_OK);
    assert_false(v.pass);
    assert_int_equal(v.bad_part, -1);
    c.sig.b[5] ^= 1;
    assert_int_equal(check(&jp, in, n, &c, &honest, 1, &v), CAIRN_OK);
    assert_false(v.pass);
    assert_non_null(strstr(v.why, "signature"));
    /* a claim of another job */
    make_claim(&c, &jp, in, n, &honest);
    c.subnet = 8;
    assert_int_equal(cairn_job_claim_sign(&c, &miner), CAIRN_OK);
    assert_int_equal(check(&jp, in, n, &c, &honest, 1, &v), CAIRN_OK);
    assert_false(v.pass);
    /* a claim for another chain */
    make_claim(&c, &jp, in, n, &honest);
    assert_int_equal(cairn_job_claim_set_chain(&c, "other"), CAIRN_OK);
    assert_int_equal(cairn_job_claim_sign(&c, &miner), CAIRN_OK);
    assert_int_equal(check(&jp, in, n, &c, &honest, 1, &v), CAIRN_OK);
    assert_false(v.pass);
    assert_non_null(strstr(v.why, "chain"));
    /* the claim's encoding round-trips */
    /* the input root is job.h's matrix commitment */
    cairn_hash ra, rb, want;
    assert_int_equal(cairn_mm_roots(&ra, &rb, a, b, 64, 48, 32), CAIRN_OK);
    cairn_mm_input_root(&want, 64, 48, 32, &ra, &rb);
    assert_memory_equal(want.b, c.input_root.b, 32);
    job_parts_free(&honest);
    job_parts_free(&again);
    job_parts_free(&bad);
    free(a);
    free(b);
    free(cc);
    free(in);
}

/* A one-second 320x240 test segment, made by ffmpeg outside the sandbox. */
static uint8_t *segment(size_t *n)
{
    char cmd[1024], dir[300];
    uint8_t *b = NULL;
    snprintf(dir, sizeof dir, "%s/src", scratch);
    snprintf(cmd, sizeof cmd,
             "mkdir -p %s && ffmpeg -nostdin -loglevel error -y -f lavfi -i "
             "testsrc=duration=1:size=320x240:rate=25 -pix_fmt yuv420p -c:v "
             "libx264 -preset ultrafast -threads 1 %s/seg.mp4",
             dir, dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(job_read_file(dir, "seg.mp4", JOB_INPUT_MAX, &b, n),
                     CAIRN_OK);
    return b;
}

static void test_transcode(void **state)
{
    (void)state;
    NEED("ffmpeg");
    char why[256];
    size_t n;
    uint8_t *in = segment(&n);
    job_params jp = {.type = JOB_TRANSCODE};
    jp.u.tc.count = 2;
    jp.u.tc.w[0] = 320, jp.u.tc.h[0] = 240, jp.u.tc.w[1] = 160,
    jp.u.tc.h[1] = 120;
    job_parts a, b, bad;
    cairn_job_claim c;
    job_verdict v;
    double t0 = now_s();
    cairn_err e = job_run(&jp, in, n, scratch, 0, &a, why, sizeof why);
    if (e)
        fail_msg("transcode: %s", why);
    double t1 = now_s();
    assert_int_equal(job_run(&jp, in, n, scratch, 0, &b, why, sizeof why),
                     CAIRN_OK);
    assert_int_equal(a.count, 2);
    assert_int_equal(a.off[2], b.off[2]);
    assert_memory_equal(a.buf, b.buf, a.off[2]);
    printf("transcode: %zu-byte segment -> %zu + %zu bytes in %.2f s\n", n,
           a.off[1], a.off[2] - a.off[1], t1 - t0);
    make_claim(&c, &jp, in, n, &a);
    t0 = now_s();
    assert_int_equal(check(&jp, in, n, &c, &a, seed_for(1, 2), &v), CAIRN_OK);
    printf("transcode verify (rendition 1 re-run): %.2f s\n", now_s() - t0);
    assert_true(v.pass);
    assert_int_equal(job_run(&jp, in, n, scratch, 1, &bad, why, sizeof why),
                     CAIRN_OK);
    make_claim(&c, &jp, in, n, &bad);
    assert_int_equal(check(&jp, in, n, &c, &bad, seed_for(0, 2), &v), CAIRN_OK);
    assert_false(v.pass);
    assert_int_equal(v.bad_part, 0);
    evidence_ok(&jp, in, &c, &bad, &v);
    /* sampling the honest rendition lets this one cheat through */
    assert_int_equal(check(&jp, in, n, &c, &bad, seed_for(1, 2), &v), CAIRN_OK);
    assert_true(v.pass);
    job_parts_free(&a);
    job_parts_free(&b);
    job_parts_free(&bad);
    free(in);
}

static void test_render(void **state)
{
    (void)state;
    NEED("povray");
    char why[256];
    const size_t n = strlen(scene);
    const uint8_t *in = (const uint8_t *)scene;
    job_params jp = {.type = JOB_RENDER};
    jp.u.rd.width = 160, jp.u.rd.height = 120, jp.u.rd.strips = 4;
    job_parts a, b, bad;
    cairn_job_claim c;
    job_verdict v;
    double t0 = now_s();
    cairn_err e = job_run(&jp, in, n, scratch, 0, &a, why, sizeof why);
    if (e)
        fail_msg("render: %s", why);
    double t1 = now_s();
    assert_int_equal(job_run(&jp, in, n, scratch, 0, &b, why, sizeof why),
                     CAIRN_OK);
    assert_int_equal(a.count, 4);
    assert_int_equal(a.off[4], 160 * 120 * 3);
    assert_memory_equal(a.buf, b.buf, a.off[4]);
    printf("render: 160x120 in 4 strips in %.2f s\n", t1 - t0);
    make_claim(&c, &jp, in, n, &a);
    t0 = now_s();
    assert_int_equal(check(&jp, in, n, &c, &a, seed_for(2, 4), &v), CAIRN_OK);
    printf("render verify (strip 2 re-run): %.2f s\n", now_s() - t0);
    assert_true(v.pass);
    assert_int_equal(job_run(&jp, in, n, scratch, 1, &bad, why, sizeof why),
                     CAIRN_OK);
    assert_memory_not_equal(bad.buf, a.buf, bad.off[1]);
    assert_memory_equal(bad.buf + bad.off[1], a.buf + a.off[1],
                        a.off[4] - a.off[1]);
    make_claim(&c, &jp, in, n, &bad);
    assert_int_equal(check(&jp, in, n, &c, &bad, seed_for(0, 4), &v), CAIRN_OK);
    assert_false(v.pass);
    assert_int_equal(v.bad_part, 0);
    evidence_ok(&jp, in, &c, &bad, &v);
    /* four samples of four strips: caught from any start */
    uint8_t seed[32];
    cairn_hash id;
    memset(seed, seed_for(1, 4), sizeof seed);
    memset(id.b, 0x11, sizeof id.b);
    assert_int_equal(job_verify_samples(&jp, in, n, 7, &id, &c, "test",
                                        &miner.pk, &bad, seed, 4, scratch, &v),
                     CAIRN_OK);
    assert_false(v.pass);
    assert_int_equal(v.bad_part, 0);
    assert_int_equal(job_verify_samples(&jp, in, n, 7, &id, &c, "test",
                                        &miner.pk, &bad, seed, 3, scratch, &v),
                     CAIRN_OK);
    assert_true(v.pass); /* strips 1, 2, 3: the honest ones */
    job_parts_free(&a);
    job_parts_free(&b);
    job_parts_free(&bad);
}

/* JOB and JOB_RESULT: round trips; every truncation and a byte too many
 * refused; bounds on count and lengths. */
static void test_proto(void **state)
{
    (void)state;
    static cairn_cp_job_result res, back;
    uint8_t params[13] = {1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0};
    uint8_t input[16] = {3, 0, 0, 0, 0, 0, 0, 0, 5};
    cairn_cp_job m = {.type = JOB_MATMUL,
                      .subnet = 9,
                      .params = params,
                      .params_len = sizeof params,
                      .input = input,
                      .input_len = sizeof input},
                 d;
    memset(m.job_id, 0x5A, 32);
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_CP_MSG_MAX);
    cairn_cp_job_encode(&b, &m);
    assert_int_equal(cairn_cp_job_decode(&d, b.p, b.len), CAIRN_OK);
    assert_int_equal(d.subnet, 9);
    assert_memory_equal(d.job_id, m.job_id, 32);
    assert_int_equal(d.input_len, sizeof input);
    for (size_t n = 0; n < b.len; n++)
        assert_int_equal(cairn_cp_job_decode(&d, b.p, n), CAIRN_ERR_BAD_MSG);
    cairn_put_u8(&b, 0);
    assert_int_equal(cairn_cp_job_decode(&d, b.p, b.len), CAIRN_ERR_BAD_MSG);
    cairn_buf_reset(&b);
    m.params_len = 0; /* params are required */
    cairn_cp_job_encode(&b, &m);
    assert_int_equal(cairn_cp_job_decode(&d, b.p, b.len), CAIRN_ERR_BAD_MSG);
    cairn_buf_reset(&b);
    uint8_t claim[8] = {0xE2}, p0[3] = {1, 2, 3};
    res.claim = claim;
    res.claim_len = sizeof claim;
    res.count = 2;
    res.part[0] = p0, res.part_len[0] = 3;
    res.part[1] = p0, res.part_len[1] = 0;
    cairn_cp_job_result_encode(&b, &res);
    assert_int_equal(cairn_cp_job_result_decode(&back, b.p, b.len), CAIRN_OK);
    assert_int_equal(back.count, 2);
    assert_int_equal(back.part_len[0], 3);
    assert_memory_equal(back.part[0], p0, 3);
    for (size_t n = 0; n < b.len; n++)
        assert_int_equal(cairn_cp_job_result_decode(&back, b.p, n),
                         CAIRN_ERR_BAD_MSG);
    cairn_buf_reset(&b);
    res.count = CAIRN_CP_JOB_PARTS_MAX + 1; /* encoded as count, no parts */
    cairn_put_var(&b, claim, sizeof claim);
    cairn_put_u32(&b, res.count);
    assert_int_equal(cairn_cp_job_result_decode(&back, b.p, b.len),
                     CAIRN_ERR_BAD_MSG);
    /* TICKET_RAND */
    cairn_cp_ticket_rand tr, tr2;
    memset(&tr, 0, sizeof tr);
    memset(tr.rand_hash, 0x77, 32);
    snprintf(tr.chain_id, sizeof tr.chain_id, "devnet-1");
    cairn_buf_reset(&b);
    cairn_cp_ticket_rand_encode(&b, &tr);
    assert_int_equal(cairn_cp_ticket_rand_decode(&tr2, b.p, b.len), CAIRN_OK);
    assert_memory_equal(&tr, &tr2, sizeof tr);
    for (size_t n = 0; n < b.len; n++)
        assert_int_equal(cairn_cp_ticket_rand_decode(&tr2, b.p, n),
                         CAIRN_ERR_BAD_MSG);
    b.p[b.len - 1] = ' '; /* a space in the chain id */
    assert_int_equal(cairn_cp_ticket_rand_decode(&tr2, b.p, b.len),
                     CAIRN_ERR_BAD_MSG);
    cairn_buf_free(&b);
}

int main(void)
{
    cairn_crypto_init();
    cairn_keypair_generate(&miner);
    snprintf(scratch, sizeof scratch, "/tmp/cairn-test-jobs-%d", (int)getpid());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params), cmocka_unit_test(test_proto),
        cmocka_unit_test(test_matmul), cmocka_unit_test(test_transcode),
        cmocka_unit_test(test_render),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    cairn_dir_remove(scratch);
    return rc;
}
