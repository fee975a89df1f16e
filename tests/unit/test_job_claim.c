/* Unit tests of verified-job claims and evidence (include/cairn/job.h):
 * the claim round trip, signature and chain checks; the matrix
 * commitments; matrix evidence that catches one wrong entry of C and
 * proves nothing against an honest C (every entry tried) or with a row,
 * proof or dimension tampered; vote evidence; decoder refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/job.h"

#define CHAIN "cairn-test"
#define N 5
#define K 7
#define M 6

static uint64_t A[N * K], B[K * M], C[N * M];

static void key_of(cairn_keypair *kp, uint8_t tag)
{
    uint8_t seed[CAIRN_SEED_LEN];
    memset(seed, tag, sizeof seed);
    cairn_keypair_from_seed(kp, seed);
}

/* A, B with entries near p, C = A·B mod p by 128-bit arithmetic. */
static void matrices(void)
{
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (size_t t = 0; t < N * K; t++)
        A[t] = (x = x * 6364136223846793005ull + 1) % CAIRN_MM_P;
    for (size_t t = 0; t < K * M; t++)
        B[t] = (x = x * 6364136223846793005ull + 1) % CAIRN_MM_P;
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < M; j++) {
            unsigned __int128 s = 0;
            for (size_t t = 0; t < K; t++)
                s = (s + (unsigned __int128)A[i * K + t] * B[t * M + j]) %
                    CAIRN_MM_P;
            C[i * M + j] = (uint64_t)s;
        }
}

static cairn_job_claim mm_claim(const uint64_t *c)
{
    cairn_job_claim cl;
    cairn_keypair kp;
    cairn_hash ra, rb;
    memset(&cl, 0, sizeof cl);
    key_of(&kp, 7);
    assert_int_equal(cairn_job_claim_set_chain(&cl, CHAIN), CAIRN_OK);
    cl.subnet = 3;
    cl.type = CAIRN_JOB_MATMUL;
    memset(cl.job_id.b, 0x42, 32);
    assert_int_equal(cairn_mm_roots(&ra, &rb, A, B, N, K, M), CAIRN_OK);
    cairn_mm_input_root(&cl.input_root, N, K, M, &ra, &rb);
    assert_int_equal(cairn_mm_output_root(&cl.output_root, c, N, M), 0);
    cl.parts = N;
    assert_int_equal(cairn_job_claim_sign(&cl, &kp), CAIRN_OK);
    return cl;
}

static void test_claim_roundtrip(void **st)
{
    (void)st;
    matrices();
    cairn_job_claim cl = mm_claim(C), back;
    assert_int_equal(cairn_job_claim_verify(&cl, CHAIN), CAIRN_OK);
    assert_int_equal(cairn_job_claim_verify(&cl, "other"), CAIRN_ERR_CHAIN_ID);
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_JOB_CLAIM_MAX_BYTES);
    cairn_job_claim_encode(&b, &cl);
    assert_int_equal(b.len, CAIRN_JOB_CLAIM_MIN_BYTES - 1 + strlen(CHAIN));
    assert_int_equal(cairn_job_claim_decode(&back, b.p, b.len), CAIRN_OK);
    assert_memory_equal(&back, &cl, sizeof cl);
    for (size_t cut = 0; cut < b.len; cut++)
        assert_int_not_equal(cairn_job_claim_decode(&back, b.p, cut), 0);
    /* every field is signed: flipping any byte after the header breaks it */
    for (size_t at = 2 + strlen(CHAIN); at < b.len - 64; at++) {
        b.p[at] ^= 1;
        if (cairn_job_claim_decode(&back, b.p, b.len) == CAIRN_OK)
            assert_int_not_equal(cairn_job_claim_verify(&back, CHAIN), 0);
        b.p[at] ^= 1;
    }
    b.p[0] = 0xE1;
    assert_int_equal(cairn_job_claim_decode(&back, b.p, b.len),
                     CAIRN_ERR_BAD_VERSION);
    cairn_buf_free(&b);
    cairn_hash id1, id2;
    cairn_job_claim_id(&id1, &cl);
    cl.parts++;
    cairn_job_claim_id(&id2, &cl);
    assert_memory_not_equal(id1.b, id2.b, 32);
}

/* Encodes e, decodes it back and checks it. */
static cairn_err via_bytes(const cairn_job_evidence *e)
{
    cairn_buf b;
    cairn_job_evidence d;
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
    cairn_job_evidence_encode(&b, e);
    assert_int_equal(b.err, CAIRN_OK);
    assert_int_equal(cairn_job_evidence_decode(&d, b.p, b.len), CAIRN_OK);
    cairn_err r = cairn_job_evidence_check(&d);
    cairn_job_evidence t;
    for (size_t cut = 0; cut < b.len; cut += 7)
        assert_int_not_equal(cairn_job_evidence_decode(&t, b.p, cut), 0);
    cairn_buf_free(&b);
    return r;
}

static void test_matmul_honest(void **st)
{
    (void)st;
    matrices();
    cairn_job_claim cl = mm_claim(C);
    for (uint32_t i = 0; i < N; i++)
        for (uint32_t j = 0; j < M; j++) {
            cairn_job_evidence e;
            uint8_t *s;
            assert_int_equal(
                cairn_job_evidence_matmul(&e, &s, &cl, A, B, C, N, K, M, i, j),
                CAIRN_OK);
            assert_int_equal(via_bytes(&e), CAIRN_ERR_BAD_PROOF);
            free(s);
        }
}

static void test_matmul_wrong_entry(void **st)
{
    (void)st;
    matrices();
    uint64_t bad[N * M];
    memcpy(bad, C, sizeof bad);
    bad[2 * M + 4] = (bad[2 * M + 4] + 1) % CAIRN_MM_P;
    cairn_job_claim cl = mm_claim(bad);
    cairn_job_evidence e;
    uint8_t *s;
    assert_int_equal(
        cairn_job_evidence_matmul(&e, &s, &cl, A, B, bad, N, K, M, 2, 4), 0);
    assert_int_equal(via_bytes(&e), CAIRN_OK);
    /* the right entry of the same row proves nothing */
    e.j = 3;
    assert_int_equal(cairn_job_evidence_check(&e), CAIRN_ERR_BAD_PROOF);
    e.j = 4;
    /* an accuser cannot swap in a row of its own */
    uint8_t *rows = (uint8_t *)e.a_row;
    rows[0] ^= 1;
    assert_int_equal(cairn_job_evidence_check(&e), CAIRN_ERR_BAD_PROOF);
    rows[0] ^= 1;
    e.pc.sib[0].b[0] ^= 1;
    assert_int_equal(cairn_job_evidence_check(&e), CAIRN_ERR_BAD_PROOF);
    e.pc.sib[0].b[0] ^= 1;
    e.claim.type = CAIRN_JOB_RENDER;
    assert_int_equal(cairn_job_evidence_check(&e), CAIRN_ERR_BAD_PROOF);
    e.claim.type = CAIRN_JOB_MATMUL;
    assert_int_equal(cairn_job_evidence_check(&e), CAIRN_OK);
    free(s);
}

static void test_vote(void **st)
{
    (void)st;
    const uint8_t p0[] = "rendition-0", p1[] = "rendition-1";
    const uint8_t *parts[2] = {p0, p1};
    size_t lens[2] = {sizeof p0, sizeof p1};
    cairn_job_claim cl;
    cairn_keypair kp;
    memset(&cl, 0, sizeof cl);
    key_of(&kp, 9);
    assert_int_equal(cairn_job_claim_set_chain(&cl, CHAIN), CAIRN_OK);
    cl.type = CAIRN_JOB_TRANSCODE;
    cl.parts = 2;
    cairn_job_input_root(&cl.input_root, cl.type, (const uint8_t *)"p", 1, p0,
                         3);
    assert_int_equal(cairn_job_parts_root(&cl.output_root, parts, lens, 2), 0);
    assert_int_equal(cairn_job_claim_sign(&cl, &kp), CAIRN_OK);

    cairn_hash leaves[2];
    cairn_job_evidence e;
    memset(&e, 0, sizeof e);
    e.form = CAIRN_EVIDENCE_VOTE;
    e.claim = cl;
    e.part = 1;
    cairn_merkle_leaf(&leaves[0], p0, sizeof p0);
    cairn_merkle_leaf(&leaves[1], p1, sizeof p1);
    assert_int_equal(cairn_merkle_prove(&e.pv, leaves, 2, 1), CAIRN_OK);
    e.miner_leaf = leaves[1];
    e.rerun_leaf = leaves[1];
    assert_int_equal(via_bytes(&e), CAIRN_ERR_BAD_PROOF); /* agrees */
    e.rerun_leaf.b[5] ^= 1;
    assert_int_equal(via_bytes(&e), CAIRN_OK);
    e.miner_leaf = leaves[0]; /* not what the miner committed at part 1 */
    assert_int_equal(via_bytes(&e), CAIRN_ERR_BAD_PROOF);
}

static void test_decode_refusals(void **st)
{
    (void)st;
    cairn_job_evidence e;
    uint8_t junk[8] = {3, 0, 0};
    assert_int_equal(cairn_job_evidence_decode(&e, junk, 3),
                     CAIRN_ERR_BAD_VERSION);
    assert_int_equal(cairn_job_evidence_decode(&e, junk, 1),
                     CAIRN_ERR_TRUNCATED);
}

int main(void)
{
    cairn_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_claim_roundtrip),
        cmocka_unit_test(test_matmul_honest),
        cmocka_unit_test(test_matmul_wrong_entry),
        cmocka_unit_test(test_vote),
        cmocka_unit_test(test_decode_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
