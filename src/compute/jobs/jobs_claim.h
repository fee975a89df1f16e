/* Internal: the miner's signed claim over a job's output (issue 10; the
 * shape the lead's include/cairn/job.h fixes, kept here until it lands):
 *
 *   u8 0xE2 || var8 chain_id (u8 length || bytes) || u32 subnet || u8 type
 *   || [32] job_id || [32] input_root || [32] output_root || u32 parts ||
 *   [32] miner || [64] sig
 *
 * sig: Ed25519 by miner over "cairn-job-claim-v1" || every byte before it.
 * output_root is the Merkle root over the parts (jobs.h). */
#ifndef CAIRN_COMPUTE_JOBS_CLAIM_H
#define CAIRN_COMPUTE_JOBS_CLAIM_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/tx.h"
#include "cairn/codec.h"
#include "cairn/crypto.h"
#include "cairn/error.h"

#define JOB_CLAIM_MAGIC 0xE2
#define JOB_CLAIM_MAX (1 + 1 + CAIRN_CHAIN_ID_MAX + 4 + 1 + 4 * 32 + 4 + 64)

typedef struct job_claim {
    char chain_id[CAIRN_CHAIN_ID_MAX + 1];
    uint32_t subnet;
    uint8_t type;
    uint8_t job_id[32];
    cairn_hash input_root, output_root;
    uint32_t parts;
    cairn_pubkey miner;
    cairn_sig sig;
} job_claim;

/* Appends the whole claim (signature included) to b. */
void job_claim_encode(cairn_buf *b, const job_claim *c);
/* BAD_MSG unless p is exactly one claim (the signature is not checked). */
cairn_err job_claim_decode(job_claim *c, const uint8_t *p, size_t n) CAIRN_WUR;
/* Sets c->miner to kp's key and signs. */
void job_claim_sign(job_claim *c, const cairn_keypair *kp);
/* CAIRN_OK or BAD_SIG. */
cairn_err job_claim_verify(const job_claim *c) CAIRN_WUR;

#endif
