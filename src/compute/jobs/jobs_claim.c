/* The miner's claim: encoding and signature (jobs_claim.h). */
#include <string.h>

#include "compute/jobs/jobs_claim.h"

#define CLAIM_DOMAIN "cairn-job-claim-v1"

/* Everything before the signature. */
static void put_body(cairn_buf *b, const job_claim *c)
{
    size_t n = strnlen(c->chain_id, CAIRN_CHAIN_ID_MAX);
    cairn_put_u8(b, JOB_CLAIM_MAGIC);
    cairn_put_u8(b, (uint8_t)n);
    cairn_put_bytes(b, c->chain_id, n);
    cairn_put_u32(b, c->subnet);
    cairn_put_u8(b, c->type);
    cairn_put_bytes(b, c->job_id, 32);
    cairn_put_bytes(b, c->input_root.b, 32);
    cairn_put_bytes(b, c->output_root.b, 32);
    cairn_put_u32(b, c->parts);
    cairn_put_bytes(b, c->miner.b, 32);
}

void job_claim_encode(cairn_buf *b, const job_claim *c)
{
    put_body(b, c);
    cairn_put_bytes(b, c->sig.b, sizeof c->sig.b);
}

cairn_err job_claim_decode(job_claim *c, const uint8_t *p, size_t n)
{
    cairn_reader r;
    memset(c, 0, sizeof *c);
    cairn_reader_init(&r, p, n);
    uint8_t magic = cairn_get_u8(&r), len = cairn_get_u8(&r);
    if (r.err || magic != JOB_CLAIM_MAGIC || len > CAIRN_CHAIN_ID_MAX)
        return CAIRN_ERR_BAD_MSG;
    cairn_get_bytes(&r, c->chain_id, len);
    c->subnet = cairn_get_u32(&r);
    c->type = cairn_get_u8(&r);
    cairn_get_bytes(&r, c->job_id, 32);
    cairn_get_bytes(&r, c->input_root.b, 32);
    cairn_get_bytes(&r, c->output_root.b, 32);
    c->parts = cairn_get_u32(&r);
    cairn_get_bytes(&r, c->miner.b, 32);
    cairn_get_bytes(&r, c->sig.b, sizeof c->sig.b);
    if (r.err || r.pos != r.len || memchr(c->chain_id, 0, len))
        return CAIRN_ERR_BAD_MSG;
    c->chain_id[len] = '\0';
    return CAIRN_OK;
}

/* The signed message: domain || body, into b. */
static void signed_msg(cairn_buf *b, const job_claim *c)
{
    cairn_put_bytes(b, CLAIM_DOMAIN, strlen(CLAIM_DOMAIN));
    put_body(b, c);
}

void job_claim_sign(job_claim *c, const cairn_keypair *kp)
{
    cairn_buf b;
    c->miner = kp->pk;
    cairn_buf_init(&b, 512);
    signed_msg(&b, c);
    cairn_sign(&c->sig, b.p, b.len, kp);
    cairn_buf_free(&b);
}

cairn_err job_claim_verify(const job_claim *c)
{
    cairn_buf b;
    cairn_buf_init(&b, 512);
    signed_msg(&b, c);
    cairn_err e = b.err ? b.err : cairn_verify(&c->sig, b.p, b.len, &c->miner);
    cairn_buf_free(&b);
    return e;
}
