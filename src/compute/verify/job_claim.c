/* Verified jobs: the miner's signed claim and the roots it names
 * (include/cairn/job.h, docs/compute-verify.md "Jobs"). */
#include "cairn/job.h"

#include <stdlib.h>
#include <string.h>

#include "chain_id.h"

#define CLAIM_DOMAIN "cairn-job-claim-v1"
#define INPUT_DOMAIN "cairn-job-in-v1"

static int type_ok(uint8_t t)
{
    return t >= CAIRN_JOB_TRANSCODE && t <= CAIRN_JOB_MATMUL;
}

cairn_err cairn_job_claim_set_chain(cairn_job_claim *c, const char *chain_id)
{
    return cv_set_chain(c->chain_id, &c->chain_id_len, chain_id);
}

/* Every field but the signature. */
static void put_fields(cairn_buf *b, const cairn_job_claim *c)
{
    cairn_put_u8(b, CAIRN_JOB_CLAIM_MAGIC);
    cairn_put_u8(b, c->chain_id_len);
    cairn_put_bytes(b, c->chain_id, c->chain_id_len);
    cairn_put_u32(b, c->subnet);
    cairn_put_u8(b, c->type);
    cairn_put_bytes(b, c->job_id.b, sizeof c->job_id.b);
    cairn_put_bytes(b, c->input_root.b, sizeof c->input_root.b);
    cairn_put_bytes(b, c->output_root.b, sizeof c->output_root.b);
    cairn_put_u32(b, c->parts);
    cairn_put_bytes(b, c->miner.b, sizeof c->miner.b);
}

void cairn_job_claim_encode(cairn_buf *b, const cairn_job_claim *c)
{
    put_fields(b, c);
    cairn_put_bytes(b, c->sig.b, sizeof c->sig.b);
}

cairn_err cairn_job_claim_decode(cairn_job_claim *c, const uint8_t *p, size_t n)
{
    cairn_reader r;
    memset(c, 0, sizeof *c);
    cairn_reader_init(&r, p, n);
    if (cairn_get_u8(&r) != CAIRN_JOB_CLAIM_MAGIC && !r.err)
        return CAIRN_ERR_BAD_VERSION;
    c->chain_id_len = cairn_get_u8(&r);
    if (!r.err && c->chain_id_len > CAIRN_CHAIN_ID_MAX)
        return CAIRN_ERR_TOO_LARGE;
    cairn_get_bytes(&r, c->chain_id, c->chain_id_len);
    c->subnet = cairn_get_u32(&r);
    c->type = cairn_get_u8(&r);
    cairn_get_bytes(&r, c->job_id.b, sizeof c->job_id.b);
    cairn_get_bytes(&r, c->input_root.b, sizeof c->input_root.b);
    cairn_get_bytes(&r, c->output_root.b, sizeof c->output_root.b);
    c->parts = cairn_get_u32(&r);
    cairn_get_bytes(&r, c->miner.b, sizeof c->miner.b);
    cairn_get_bytes(&r, c->sig.b, sizeof c->sig.b);
    cairn_err e = cairn_reader_done(&r);
    if (e)
        return e;
    if (!cv_chain_id_ok(c->chain_id, c->chain_id_len))
        return CAIRN_ERR_CHAIN_ID;
    if (!type_ok(c->type) || c->parts == 0)
        return CAIRN_ERR_BAD_ARG;
    return CAIRN_OK;
}

/* The signed message, domain first, into b (caller owns b). */
static cairn_err signed_msg(cairn_buf *b, const cairn_job_claim *c)
{
    if (!cv_chain_id_ok(c->chain_id, c->chain_id_len))
        return CAIRN_ERR_BAD_ARG;
    cairn_put_bytes(b, CLAIM_DOMAIN, sizeof CLAIM_DOMAIN - 1);
    put_fields(b, c);
    return b->err;
}

cairn_err cairn_job_claim_sign(cairn_job_claim *c, const cairn_keypair *kp)
{
    cairn_buf b;
    c->miner = kp->pk;
    cairn_buf_init(&b, CAIRN_JOB_CLAIM_MAX_BYTES + sizeof CLAIM_DOMAIN);
    cairn_err e = signed_msg(&b, c);
    if (!e)
        cairn_sign(&c->sig, b.p, b.len, kp);
    cairn_buf_free(&b);
    return e;
}

cairn_err cairn_job_claim_verify(const cairn_job_claim *c, const char *chain_id)
{
    if (cv_same_chain(c->chain_id, c->chain_id_len, chain_id))
        return CAIRN_ERR_CHAIN_ID;
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_JOB_CLAIM_MAX_BYTES + sizeof CLAIM_DOMAIN);
    cairn_err e = signed_msg(&b, c);
    if (e)
        e = CAIRN_ERR_CHAIN_ID;
    else
        e = cairn_verify(&c->sig, b.p, b.len, &c->miner);
    cairn_buf_free(&b);
    return e;
}

void cairn_job_claim_id(cairn_hash *out, const cairn_job_claim *c)
{
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_JOB_CLAIM_MAX_BYTES + sizeof CLAIM_DOMAIN);
    cairn_put_bytes(&b, CLAIM_DOMAIN, sizeof CLAIM_DOMAIN - 1);
    put_fields(&b, c);
    cairn_hash_bytes(out, b.p, b.len);
    cairn_buf_free(&b);
}

cairn_err cairn_job_parts_root(cairn_hash *out, const uint8_t *const *p,
                               const size_t *len, size_t count)
{
    cairn_hash *leaves = calloc(count ? count : 1, sizeof *leaves);
    if (!leaves)
        return CAIRN_ERR_NOMEM;
    for (size_t i = 0; i < count; i++)
        cairn_merkle_leaf(&leaves[i], p[i], len[i]);
    cairn_merkle_root(out, leaves, count);
    free(leaves);
    return CAIRN_OK;
}

void cairn_job_input_root(cairn_hash *out, uint8_t type, const uint8_t *params,
                          size_t params_len, const uint8_t *input,
                          size_t input_len)
{
    cairn_hasher h;
    cairn_hasher_init(&h);
    cairn_hasher_update(&h, INPUT_DOMAIN, sizeof INPUT_DOMAIN - 1);
    uint8_t head[5] = {type, (uint8_t)params_len, (uint8_t)(params_len >> 8),
                       (uint8_t)(params_len >> 16),
                       (uint8_t)(params_len >> 24)};
    cairn_hasher_update(&h, head, sizeof head);
    if (params_len)
        cairn_hasher_update(&h, params, params_len);
    if (input_len)
        cairn_hasher_update(&h, input, input_len);
    cairn_hasher_final(&h, out);
}
