/* cairn — verified jobs: the miner's signed claim, the matrix-job
 * commitments, and the evidence that proves a claim wrong (issue 10;
 * docs/compute-verify.md "Jobs" and "Evidence").
 *
 * A miner that finishes a job signs a claim naming what it was given
 * (input_root) and what it returned (output_root, the Merkle root of the
 * output parts in order: cairn_merkle_root over cairn_merkle_leaf(part)).
 * Whoever holds the claim can later prove a part wrong:
 *
 *   - a matrix job (C = A·B over F_p, p = 2^61 - 1): the evidence names one
 *     entry (i, j) and carries row i of A, column j of B and row i of C,
 *     each with its Merkle proof; any node recomputes the dot product and
 *     sees the miner's entry differ. Nobody can forge it against an honest
 *     miner: the rows are bound to the claim's roots.
 *   - a transcode or render job: a node cannot run ffmpeg or POV-Ray inside
 *     consensus, so the evidence is a validator's vote: the part's leaf the
 *     miner committed to (with its proof) and the leaf the validator got by
 *     re-running it. The chain slashes once the subnet's validators holding
 *     a quorum of its stake have voted against the same part.
 *
 * Claim encoding (integers little-endian):
 *   u8   magic       0xE2 (a job claim, version 1)
 *   var8 chain_id    u8 length (1..32), printable ASCII
 *   u32  subnet
 *   u8   type        CAIRN_JOB_TRANSCODE | _RENDER | _MATMUL
 *   [32] job_id      chosen by the client (unique per job)
 *   [32] input_root  cairn_mm_input_root for matmul; else
 *                    cairn_job_input_root (type, params, input)
 *   [32] output_root
 *   u32  parts       number of output parts (>= 1)
 *   [32] miner       Ed25519 key that signs
 *   [64] sig         over "cairn-job-claim-v1" ‖ every byte above
 */
#ifndef CAIRN_JOB_H
#define CAIRN_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/codec.h"
#include "cairn/crypto.h"
#include "cairn/merkle.h"
#include "cairn/tx.h"

#define CAIRN_JOB_CLAIM_MAGIC 0xE2
#define CAIRN_JOB_CLAIM_MIN_BYTES (1 + 1 + 1 + 4 + 1 + 32 * 3 + 4 + 32 + 64)
#define CAIRN_JOB_CLAIM_MAX_BYTES                                              \
    (CAIRN_JOB_CLAIM_MIN_BYTES - 1 + CAIRN_CHAIN_ID_MAX)

enum cairn_job_type {
    CAIRN_JOB_TRANSCODE = 1,
    CAIRN_JOB_RENDER = 2,
    CAIRN_JOB_MATMUL = 3,
};

/* Matrix jobs that evidence can cover: n, k, m <= CAIRN_MM_EVIDENCE_DIM
 * (row + column + row with proofs fit a transaction body). */
#define CAIRN_MM_EVIDENCE_DIM 512u
#define CAIRN_MM_P 0x1FFFFFFFFFFFFFFFull /* 2^61 - 1 */

typedef struct cairn_job_claim {
    uint8_t chain_id_len;
    char chain_id[CAIRN_CHAIN_ID_MAX + 1]; /* NUL-terminated */
    uint32_t subnet;
    uint8_t type;
    cairn_hash job_id;
    cairn_hash input_root;
    cairn_hash output_root;
    uint32_t parts;
    cairn_pubkey miner;
    cairn_sig sig;
} cairn_job_claim;

/* BAD_ARG unless chain_id is 1..32 printable ASCII without spaces. */
CAIRN_API cairn_err cairn_job_claim_set_chain(cairn_job_claim *c,
                                              const char *chain_id) CAIRN_WUR;
CAIRN_API void cairn_job_claim_encode(cairn_buf *b, const cairn_job_claim *c);
/* Exactly one claim from p[0..n), signature unchecked. Errors: TRUNCATED,
 * TRAILING, TOO_LARGE (chain id), BAD_VERSION (magic), CHAIN_ID,
 * BAD_ARG (type unknown or parts 0). */
CAIRN_API cairn_err cairn_job_claim_decode(cairn_job_claim *c, const uint8_t *p,
                                           size_t n) CAIRN_WUR;
/* Sets c->miner to kp's key and signs (chain id must be set: BAD_ARG). */
CAIRN_API cairn_err cairn_job_claim_sign(cairn_job_claim *c,
                                         const cairn_keypair *kp) CAIRN_WUR;
/* CHAIN_ID for another chain, BAD_SIG when not the miner's signature. */
CAIRN_API cairn_err cairn_job_claim_verify(const cairn_job_claim *c,
                                           const char *chain_id) CAIRN_WUR;
/* The claim id: BLAKE2b-256 of the signed message (signature left out). */
CAIRN_API void cairn_job_claim_id(cairn_hash *out, const cairn_job_claim *c);

/* output_root over `count` parts: part i is p[i][0..len[i]). NOMEM. */
CAIRN_API cairn_err cairn_job_parts_root(cairn_hash *out,
                                         const uint8_t *const *p,
                                         const size_t *len,
                                         size_t count) CAIRN_WUR;

/* The input root of a transcode or render job:
 * BLAKE2b-256("cairn-job-in-v1" ‖ u8 type ‖ u32 params_len ‖ params ‖
 * input); params_len < 2^32. */
CAIRN_API void cairn_job_input_root(cairn_hash *out, uint8_t type,
                                    const uint8_t *params, size_t params_len,
                                    const uint8_t *input, size_t input_len);

/* ---- matrix jobs ---- */

/* Leaf of a vector of `len` entries (u64 LE bytes): cairn_merkle_leaf. */
CAIRN_API void cairn_mm_vec_leaf(cairn_hash *out, const uint64_t *v,
                                 size_t len);
/* rootA over the rows of A (n × k, row-major), rootB over the columns of
 * B (k × m, row-major). NOMEM when the leaf arrays cannot be allocated. */
CAIRN_API cairn_err cairn_mm_roots(cairn_hash *root_a, cairn_hash *root_b,
                                   const uint64_t *a, const uint64_t *b,
                                   uint32_t n, uint32_t k,
                                   uint32_t m) CAIRN_WUR;
/* BLAKE2b-256("cairn-mm-in-v1" ‖ u32 n ‖ u32 k ‖ u32 m ‖ rootA ‖ rootB). */
CAIRN_API void cairn_mm_input_root(cairn_hash *out, uint32_t n, uint32_t k,
                                   uint32_t m, const cairn_hash *root_a,
                                   const cairn_hash *root_b);
/* output root of C (n × m): the Merkle root over its rows. NOMEM. */
CAIRN_API cairn_err cairn_mm_output_root(cairn_hash *out, const uint64_t *c,
                                         uint32_t n, uint32_t m) CAIRN_WUR;

/* ---- evidence (the payload of compute_evidence, kind 0x5F) ----
 *
 *   u8 form            1 = matmul entry, 2 = re-run vote
 *   u16 claim_len ‖ claim
 *   form 1: u32 n ‖ u32 k ‖ u32 m ‖ u32 i ‖ u32 j ‖ [32] rootA ‖ [32] rootB
 *           ‖ k u64 (row i of A) ‖ proof ‖ k u64 (column j of B) ‖ proof
 *           ‖ m u64 (row i of C) ‖ proof
 *   form 2: u32 part ‖ [32] miner_leaf ‖ proof ‖ [32] rerun_leaf
 *   proof:  u8 count ‖ count × [32] siblings, bottom-up (index and leaf
 *           count come from the context: i of n, j of m, i of n, part of
 *           parts).
 * The vectors are borrowed: they point into the decoded bytes. */
enum cairn_evidence_form {
    CAIRN_EVIDENCE_MATMUL = 1,
    CAIRN_EVIDENCE_VOTE = 2,
};

typedef struct cairn_job_evidence {
    uint8_t form;
    cairn_job_claim claim;
    /* form 1 */
    uint32_t n, k, m, i, j;
    cairn_hash root_a, root_b;
    const uint8_t *a_row, *b_col, *c_row; /* k, k, m u64 LE */
    cairn_merkle_proof pa, pb, pc;
    /* form 2 */
    uint32_t part;
    cairn_hash miner_leaf, rerun_leaf;
    cairn_merkle_proof pv;
} cairn_job_evidence;

/* Decodes an evidence payload; e borrows p. TRUNCATED, TRAILING,
 * BAD_VERSION (form), TOO_LARGE (dimensions over CAIRN_MM_EVIDENCE_DIM, a
 * proof over 63 siblings), BAD_ARG (an index out of range, a zero
 * dimension), and the claim decoder's errors. */
CAIRN_API cairn_err cairn_job_evidence_decode(cairn_job_evidence *e,
                                              const uint8_t *p,
                                              size_t n) CAIRN_WUR;
CAIRN_API void cairn_job_evidence_encode(cairn_buf *b,
                                         const cairn_job_evidence *e);

/* Checks what evidence proves, without the claim's signature (the caller
 * checks that with cairn_job_claim_verify):
 *   form 1: the claim is a matmul claim with parts == n, the roots give the
 *           claim's input_root, the three vectors are in their trees, and
 *           row_a · col_b mod p differs from c_row[j] (or c_row[j] >= p).
 *   form 2: miner_leaf is part `part` of the claim's output_root and
 *           rerun_leaf differs from it.
 * CAIRN_OK: the claim is proven wrong (form 1) or contested (form 2).
 * BAD_PROOF: the evidence proves nothing against this claim. */
CAIRN_API cairn_err
cairn_job_evidence_check(const cairn_job_evidence *e) CAIRN_WUR;

/* Builds form-1 evidence against claim c for entry (i, j) from the full
 * matrices (a: n × k, b: k × m, c_mat: n × m, all row-major): fills e,
 * whose vectors then point into *store (the caller frees it with free()).
 * BAD_ARG (indices, dimensions over CAIRN_MM_EVIDENCE_DIM), NOMEM. */
CAIRN_API cairn_err cairn_job_evidence_matmul(
    cairn_job_evidence *e, uint8_t **store, const cairn_job_claim *c,
    const uint64_t *a, const uint64_t *b, const uint64_t *c_mat, uint32_t n,
    uint32_t k, uint32_t m, uint32_t i, uint32_t j) CAIRN_WUR;

#endif
