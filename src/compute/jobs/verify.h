/* Internal: checking a job's claimed output off chain (issue 10;
 * docs/compute-verify.md, "Jobs"): the claim's signature, that it names
 * this job (type, subnet, job id, input root, part count) and that its
 * output root is the Merkle root of the parts; then the work itself:
 *   transcode, render  part i = sample(seed) is run again here and must be
 *                      the same bytes (one rendition, one strip)
 *   matmul             Freivalds' check (fv_check) with JOB_FV_ROUNDS
 *                      rounds whose vectors come from the seed
 * The verdict names the part that failed: the validator's evidence. */
#ifndef CAIRN_COMPUTE_JOBS_VERIFY_H
#define CAIRN_COMPUTE_JOBS_VERIFY_H

#include <stdint.h>

#include "compute/jobs/jobs.h"
#include "cairn/job.h"

#define JOB_FV_ROUNDS 2 /* a wrong C passes with probability < 2^-120 */
#define JOB_SEED_LEN 32

typedef struct job_verdict {
    int pass;
    int64_t bad_part;      /* the part that failed; -1: the claim itself, or
                              none when pass */
    uint32_t sampled;      /* the part run again (transcode, render) */
    uint32_t entry;        /* matmul: the first wrong column of row bad_part */
    cairn_hash rerun_leaf; /* transcode, render: the leaf of this node's
                              run of the sampled part */
    char why[256];         /* one sentence when !pass */
} job_verdict;

/* The part a seed samples among count parts: the first 8 bytes (LE) of
 * BLAKE2b-256("cairn-job-sample-v1" || seed) mod count. */
uint32_t job_sample(const uint8_t seed[JOB_SEED_LEN], uint32_t count);

/* Checks claim c and parts for the job (jp, in, n, subnet, job_id) as
 * above; miner: the key that must have signed (NULL: any); chain_id: the
 * chain the claim must name (NULL: any). CAIRN_OK when
 * the check ran, the verdict in *v; an error (why in v->why) when it could
 * not run (the tool missing or failing here, out of memory): then nothing
 * is known about the output. scratch: a directory for re-runs. */
cairn_err job_verify(const job_params *jp, const uint8_t *in, size_t n,
                     uint32_t subnet, const cairn_hash *job_id,
                     const cairn_job_claim *c, const char *chain_id,
                     const cairn_pubkey *miner, const job_parts *parts,
                     const uint8_t seed[JOB_SEED_LEN], const char *scratch,
                     job_verdict *v) CAIRN_WUR;

/* The same with `samples` parts run again (transcode, render): parts
 * sample(seed), sample(seed) + 1, ... (mod parts), at most every part; it
 * stops at the first that differs. A cheat on one part of P is caught
 * with probability samples / P. */
cairn_err job_verify_samples(const job_params *jp, const uint8_t *in, size_t n,
                             uint32_t subnet, const cairn_hash *job_id,
                             const cairn_job_claim *c, const char *chain_id,
                             const cairn_pubkey *miner, const job_parts *parts,
                             const uint8_t seed[JOB_SEED_LEN], unsigned samples,
                             const char *scratch, job_verdict *v) CAIRN_WUR;

/* The claim checks alone (no part run again, no Freivalds): what a
 * client without the tool can still check. Sets *v like job_verify. */
void job_verify_claim(const job_params *jp, const uint8_t *in, size_t n,
                      uint32_t subnet, const cairn_hash *job_id,
                      const cairn_job_claim *c, const char *chain_id,
                      const cairn_pubkey *miner, const job_parts *parts,
                      job_verdict *v);

/* The evidence of a failed verdict (v->bad_part >= 0) as job.h's
 * compute_evidence payload, appended to b: matmul form 1 (entry
 * (bad_part, entry) with row, column and row under their roots; any node
 * can check it), transcode and render form 2 (this node's re-run vote
 * against the sampled part). NOT_FOUND when the verdict has none to give
 * (the claim itself failed, or a row of C is malformed); NOMEM. */
cairn_err job_evidence(cairn_buf *b, const job_params *jp, const uint8_t *in,
                       const cairn_job_claim *c, const job_parts *parts,
                       const job_verdict *v) CAIRN_WUR;

#endif
