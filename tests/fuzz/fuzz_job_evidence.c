/* libFuzzer target for the verified-job evidence decoder (and the claim
 * decoder inside it): src/compute/verify/job_evidence*.c,
 * include/cairn/job.h.
 *
 * Any input must decode or fail with one of the decoder's documented
 * errors, without crashing or reading past the input. When it decodes,
 * re-encoding gives back exactly the input, and the check any node runs
 * on evidence (and the claim's signature check) answers OK or BAD_PROOF /
 * BAD_SIG without fault. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/job.h"

static int documented(cairn_err e)
{
    return e == CAIRN_ERR_TRUNCATED || e == CAIRN_ERR_TOO_LARGE ||
           e == CAIRN_ERR_TRAILING || e == CAIRN_ERR_BAD_VERSION ||
           e == CAIRN_ERR_CHAIN_ID || e == CAIRN_ERR_BAD_ARG;
}

static void decoded(const cairn_job_evidence *e, const uint8_t *p, size_t n)
{
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_TX_MAX_BYTES);
    cairn_job_evidence_encode(&b, e);
    if (b.err || b.len != n || memcmp(b.p, p, n) != 0)
        abort();
    cairn_buf_free(&b);
    cairn_err r = cairn_job_evidence_check(e);
    if (r != CAIRN_OK && r != CAIRN_ERR_BAD_PROOF)
        abort();
    r = cairn_job_claim_verify(&e->claim, e->claim.chain_id);
    if (r != CAIRN_OK && r != CAIRN_ERR_BAD_SIG)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        cairn_crypto_init();
        init = 1;
    }
    /* an exact-size heap copy, so that ASan catches any overread */
    uint8_t *p = malloc(size ? size : 1);
    if (!p)
        return 0;
    memcpy(p, data, size);
    cairn_job_evidence e;
    cairn_err err = cairn_job_evidence_decode(&e, p, size);
    if (err == CAIRN_OK)
        decoded(&e, p, size);
    else if (!documented(err))
        abort();
    free(p);
    return 0;
}
