/* compute_evidence (0x5F) through the real chain (two chains from one
 * genesis; a refused transaction goes to chain A only and both state roots
 * must stay equal; the books are audited after every block):
 * - a matrix claim with one wrong entry: anyone's proof convicts the miner
 *   (slashed compute_verify_slash_bps of its stake, exactly, and jailed);
 *   the same claim cannot be judged twice;
 * - an honest miner: evidence against its right entries, against a claim
 *   of another subnet type, or with a claim it did not sign is refused and
 *   changes nothing;
 * - transcode votes: a validator below the quorum does not convict; the
 *   same validator cannot vote twice; a non-validator cannot vote; a vote
 *   that agrees with the miner is refused; the vote that reaches the
 *   quorum convicts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "compute_fixture.h"

#include "cairn/job.h"
#include "cairn/subnet.h"

#define ECON                                                                   \
    "{\"epoch_blocks\": 10, \"fee_provider_bps\": 7000,"                       \
    " \"fee_burn_bps\": 1000, \"fee_treasury_bps\": 1000,"                     \
    " \"fee_stakers_bps\": 1000, \"compute_subnet_create_cost\": \"5\","       \
    " \"compute_subnet_min_stake\": \"10\", \"jail_after_faults\": 100}"

enum { MINER = 1, V2 = 2, V3 = 3, OUT = 4, OWNER = 5, HONEST = 6 };
enum { SN_MM = 1, SN_TC = 2 };

#define D 4 /* n = k = m */

static uint64_t A[D * D], B[D * D], C[D * D];

static void matrices(void)
{
    uint64_t x = 12345;
    for (size_t t = 0; t < D * D; t++) {
        A[t] = (x = x * 6364136223846793005ull + 1442695040888963407ull) >> 4;
        B[t] = (x = x * 6364136223846793005ull + 1442695040888963407ull) >> 4;
        A[t] %= CAIRN_MM_P, B[t] %= CAIRN_MM_P;
    }
    for (size_t i = 0; i < D; i++)
        for (size_t j = 0; j < D; j++) {
            unsigned __int128 s = 0;
            for (size_t t = 0; t < D; t++)
                s = (s + (unsigned __int128)A[i * D + t] * B[t * D + j]) %
                    CAIRN_MM_P;
            C[i * D + j] = (uint64_t)s;
        }
}

static void tx(twin *t, int who, uint16_t kind, cairn_buf *b)
{
    both(t, who, kind, b);
    cx_step(t);
}

/* Subnets 1 "mm" (matmul) and 2 "tc" (transcode); MINER and HONEST are
 * compute providers with 1000 tokens staked and miners of both; V2 stakes
 * 100 and V3 60 in "tc" (quorum 6667 bps of 160: V2 alone is 62.5%). */
static void setup(twin *t)
{
    cairn_buf b;
    matrices();
    twin_open(t, ECON);
    cairn_buf_init(&b, 4096);
    cx_register(t, MINER, 1000 * TOK);
    cx_register(t, HONEST, 1000 * TOK);
    cairn_subnet_create_encode(&b, "mm", CAIRN_SUBNET_MATMUL);
    tx(t, OWNER, CAIRN_TX_SUBNET_CREATE, &b);
    cairn_subnet_create_encode(&b, "tc", CAIRN_SUBNET_TRANSCODE);
    tx(t, OWNER, CAIRN_TX_SUBNET_CREATE, &b);
    cx_offer(t, MINER, 8, 16384, 100000);
    cx_offer(t, HONEST, 8, 16384, 100000);
    cx_step(t);
    for (uint32_t sn = SN_MM; sn <= SN_TC; sn++) {
        cairn_subnet_join_encode(&b, sn, CAIRN_ROLE_MINER, 0);
        both(t, MINER, CAIRN_TX_SUBNET_JOIN, &b);
        cairn_subnet_join_encode(&b, sn, CAIRN_ROLE_MINER, 0);
        both(t, HONEST, CAIRN_TX_SUBNET_JOIN, &b);
    }
    cairn_subnet_join_encode(&b, SN_TC, CAIRN_ROLE_VALIDATOR, 100 * TOK);
    both(t, V2, CAIRN_TX_SUBNET_JOIN, &b);
    cairn_subnet_join_encode(&b, SN_TC, CAIRN_ROLE_VALIDATOR, 60 * TOK);
    both(t, V3, CAIRN_TX_SUBNET_JOIN, &b);
    cx_step(t);
    cairn_buf_free(&b);
}

static cairn_provider_info prov(twin *t, int who)
{
    cairn_provider_info p;
    assert_int_equal(cairn_chain_provider(t->c[0], &fx_keys[who].pk, &p), 0);
    return p;
}

/* A matmul claim over c_mat in subnet sn, signed by keys[signer] but
 * naming keys[who] as the miner when they differ. */
static cairn_job_claim mm_claim(const uint64_t *c_mat, uint32_t sn, int who,
                                int signer)
{
    cairn_job_claim cl;
    cairn_hash ra, rb;
    memset(&cl, 0, sizeof cl);
    assert_int_equal(cairn_job_claim_set_chain(&cl, FX_CHAIN), CAIRN_OK);
    cl.subnet = sn;
    cl.type = CAIRN_JOB_MATMUL;
    cl.job_id.b[0] = (uint8_t)sn;
    assert_int_equal(cairn_mm_roots(&ra, &rb, A, B, D, D, D), CAIRN_OK);
    cairn_mm_input_root(&cl.input_root, D, D, D, &ra, &rb);
    assert_int_equal(cairn_mm_output_root(&cl.output_root, c_mat, D, D), 0);
    cl.parts = D;
    assert_int_equal(cairn_job_claim_sign(&cl, &fx_keys[signer]), CAIRN_OK);
    cl.miner = fx_keys[who].pk; /* a forgery when signer != who */
    return cl;
}

static void mm_body(cairn_buf *b, const cairn_job_claim *cl,
                    const uint64_t *c_mat, uint32_t i, uint32_t j)
{
    cairn_job_evidence e;
    uint8_t *keep;
    assert_int_equal(
        cairn_job_evidence_matmul(&e, &keep, cl, A, B, c_mat, D, D, D, i, j),
        CAIRN_OK);
    cairn_buf_reset(b);
    cairn_job_evidence_encode(b, &e);
    free(keep);
}

static void matmul_convicts(void **st)
{
    (void)st;
    twin t;
    cairn_buf b;
    uint64_t bad_c[D * D];
    setup(&t);
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
    memcpy(bad_c, C, sizeof bad_c);
    bad_c[2 * D + 1] ^= 1;
    cairn_job_claim cl = mm_claim(bad_c, SN_MM, MINER, MINER);
    uint64_t stake = prov(&t, MINER).self_stake;
    assert_false(prov(&t, MINER).jailed);

    /* the right entries of the same claim prove nothing */
    mm_body(&b, &cl, bad_c, 2, 2);
    assert_int_equal(bad(&t, OUT, CAIRN_TX_COMPUTE_EVIDENCE, &b),
                     CAIRN_ERR_BAD_PROOF);
    assert_int_equal(prov(&t, MINER).self_stake, stake);

    mm_body(&b, &cl, bad_c, 2, 1); /* an outsider's proof is enough */
    tx(&t, OUT, CAIRN_TX_COMPUTE_EVIDENCE, &b);
    cairn_provider_info p = prov(&t, MINER);
    assert_int_equal(p.self_stake, stake - stake / 10); /* 1000 bps */
    assert_true(p.jailed);

    mm_body(&b, &cl, bad_c, 2, 1); /* judged once */
    assert_int_equal(bad(&t, OUT, CAIRN_TX_COMPUTE_EVIDENCE, &b),
                     CAIRN_ERR_DUPLICATE);
    assert_int_equal(prov(&t, MINER).self_stake, p.self_stake);
    cairn_buf_free(&b);
    twin_close(&t);
}

static void honest_not_slashed(void **st)
{
    (void)st;
    twin t;
    cairn_buf b;
    setup(&t);
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
    cairn_job_claim cl = mm_claim(C, SN_MM, HONEST, HONEST);
    uint64_t stake = prov(&t, HONEST).self_stake;
    for (uint32_t i = 0; i < D; i++) { /* no entry of a right C convicts */
        mm_body(&b, &cl, C, i, (i * 3) % D);
        assert_int_equal(bad(&t, V2, CAIRN_TX_COMPUTE_EVIDENCE, &b),
                         CAIRN_ERR_BAD_PROOF);
    }
    /* a wrong C that HONEST never signed: the forged claim is refused */
    uint64_t bad_c[D * D];
    memcpy(bad_c, C, sizeof bad_c);
    bad_c[0] ^= 1;
    cairn_job_claim forged = mm_claim(bad_c, SN_MM, HONEST, OUT);
    mm_body(&b, &forged, bad_c, 0, 0);
    assert_int_equal(bad(&t, V2, CAIRN_TX_COMPUTE_EVIDENCE, &b),
                     CAIRN_ERR_BAD_SIG);
    /* a matrix claim filed under the transcode subnet */
    cairn_job_claim other = mm_claim(bad_c, SN_TC, HONEST, HONEST);
    mm_body(&b, &other, bad_c, 0, 0);
    assert_int_equal(bad(&t, V2, CAIRN_TX_COMPUTE_EVIDENCE, &b),
                     CAIRN_ERR_BAD_PROOF);
    cairn_provider_info p = prov(&t, HONEST);
    assert_int_equal(p.self_stake, stake);
    assert_false(p.jailed);
    cairn_buf_free(&b);
    twin_close(&t);
}

/* A transcode claim of MINER over two renditions and a vote against
 * part 1 with the re-run leaf `rerun` (NULL: the miner's own leaf). */
static void vote_body(cairn_buf *b, const cairn_hash *rerun)
{
    static const uint8_t r0[] = "rendition 0", r1[] = "rendition 1 (bad)";
    const uint8_t *parts[2] = {r0, r1};
    size_t lens[2] = {sizeof r0, sizeof r1};
    cairn_hash leaves[2];
    cairn_job_evidence e;
    memset(&e, 0, sizeof e);
    assert_int_equal(cairn_job_claim_set_chain(&e.claim, FX_CHAIN), 0);
    e.claim.subnet = SN_TC;
    e.claim.type = CAIRN_JOB_TRANSCODE;
    e.claim.parts = 2;
    cairn_job_input_root(&e.claim.input_root, CAIRN_JOB_TRANSCODE, r0, 1, r0,
                         4);
    assert_int_equal(cairn_job_parts_root(&e.claim.output_root, parts, lens, 2),
                     0);
    assert_int_equal(cairn_job_claim_sign(&e.claim, &fx_keys[MINER]), 0);
    cairn_merkle_leaf(&leaves[0], r0, sizeof r0);
    cairn_merkle_leaf(&leaves[1], r1, sizeof r1);
    assert_int_equal(cairn_merkle_prove(&e.pv, leaves, 2, 1), CAIRN_OK);
    e.form = CAIRN_EVIDENCE_VOTE;
    e.part = 1;
    e.miner_leaf = leaves[1];
    e.rerun_leaf = rerun ? *rerun : leaves[1];
    cairn_buf_reset(b);
    cairn_job_evidence_encode(b, &e);
}

static void votes_reach_quorum(void **st)
{
    (void)st;
    twin t;
    cairn_buf b;
    cairn_hash other;
    setup(&t);
    cairn_buf_init(&b, CAIRN_TX_BODY_MAX);
    cairn_merkle_leaf(&other, "rendition 1", 12);
    uint64_t stake = prov(&t, MINER).self_stake;

    vote_body(&b, NULL); /* agrees with the miner */
    assert_int_equal(bad(&t, V2, CAIRN_TX_COMPUTE_EVIDENCE, &b),
                     CAIRN_ERR_BAD_PROOF);
    vote_body(&b, &other); /* not a validator of "tc" */
    assert_int_equal(bad(&t, OUT, CAIRN_TX_COMPUTE_EVIDENCE, &b),
                     CAIRN_ERR_NOT_MEMBER);
    vote_body(&b, &other); /* V2: 100 of 160, below 6667 bps */
    tx(&t, V2, CAIRN_TX_COMPUTE_EVIDENCE, &b);
    assert_int_equal(prov(&t, MINER).self_stake, stake);
    assert_false(prov(&t, MINER).jailed);
    vote_body(&b, &other); /* once per validator and part */
    assert_int_equal(bad(&t, V2, CAIRN_TX_COMPUTE_EVIDENCE, &b),
                     CAIRN_ERR_DUPLICATE);
    vote_body(&b, &other); /* V3 brings it to 160 of 160 */
    tx(&t, V3, CAIRN_TX_COMPUTE_EVIDENCE, &b);
    assert_int_equal(prov(&t, MINER).self_stake, stake - stake / 10);
    assert_true(prov(&t, MINER).jailed);
    cairn_buf_free(&b);
    twin_close(&t);
}

int main(void)
{
    cairn_crypto_init();
    fx_make_keys();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matmul_convicts),
        cmocka_unit_test(honest_not_slashed),
        cmocka_unit_test(votes_reach_quorum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
