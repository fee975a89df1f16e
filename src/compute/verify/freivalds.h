/* Freivalds' check of a claimed matrix product (issue 10, matrix jobs).
 *
 * A miner claims C = A·B. Recomputing the product costs O(n·m·q)
 * multiplications; the check costs O(n·m + m·q + n·q) per round: it draws
 * a random vector r, computes A·(B·r) and C·r and compares them. A wrong C
 * passes one round with probability at most 1/p, so k independent rounds
 * let it through with probability at most (1/p)^k (docs/compute-verify.md,
 * "Freivalds' check").
 *
 * The field: F_p for a prime p, 2 <= p <= 2^61 - 1. Jobs use FV_P61 =
 * 2^61 - 1 (a Mersenne prime: one round already errs with probability
 * below 2^-60); smaller primes exist so that tests can measure the
 * false-positive rate. Elements are uint64_t residues in [0, p), matrices
 * row-major. Integer jobs embed their entries with fv_embed(): the product
 * mod p is the residue of the integer product, and fv_lift() recovers the
 * integer exactly when every entry of the true product has |x| < p/2, which
 * holds for inputs with |a|, |b| < 2^24 (int8, int16, int24) at any size
 * up to FV_DIM_MAX.
 *
 * The random vectors come only from a 32-byte seed (chain randomness when
 * the chain checks a job), through BLAKE2b: the same seed gives every node
 * the same vectors and the same verdict (fv_round_vector). */
#ifndef CAIRN_COMPUTE_FREIVALDS_H
#define CAIRN_COMPUTE_FREIVALDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"

#define FV_P61 0x1FFFFFFFFFFFFFFFull /* 2^61 - 1 */
#define FV_DIM_MAX 4096u             /* rows and columns, each */
#define FV_ROUNDS_MAX 64u
#define FV_SEED_LEN 32

/* A rows × cols matrix, entry (i, j) at v[i * cols + j]. The struct
 * borrows v: the caller owns it and keeps it alive during every call. */
typedef struct fv_mat {
    uint32_t rows, cols;
    uint64_t *v;
} fv_mat;

/* What fv_check found. pass is true when every round agreed; otherwise
 * round and row name the first round and the first row of C·r that
 * differed (the evidence a validator records). */
typedef struct fv_verdict {
    bool pass;
    uint32_t round;
    uint32_t row;
} fv_verdict;

/* The residue of x in [0, p). */
uint64_t fv_embed(int64_t x, uint64_t p);
/* The integer in (-p/2, p/2] whose residue is x (x < p). */
int64_t fv_lift(uint64_t x, uint64_t p);

/* CAIRN_OK when p is a prime in [2, 2^61 - 1] (deterministic Miller-Rabin),
 * else CAIRN_ERR_BAD_ARG. */
cairn_err fv_field_ok(uint64_t p) CAIRN_WUR;

/* The shape and entries of m: TOO_LARGE when a dimension is 0 or above
 * FV_DIM_MAX, BAD_ARG when v is NULL or an entry is not below p. */
cairn_err fv_mat_ok(const fv_mat *m, uint64_t p) CAIRN_WUR;

/* The reference product c = a·b mod p, in O(rows·inner·cols): what the
 * check avoids (tests and the benchmark use it; so can a miner). c->v is
 * the caller's buffer of c->rows × c->cols entries, with c->rows ==
 * a->rows and c->cols == b->cols. Allocates a transposed copy of b and
 * frees it before returning. Errors: BAD_ARG (field, shapes, entries),
 * TOO_LARGE (a dimension), NOMEM. */
cairn_err fv_multiply(const fv_mat *a, const fv_mat *b, fv_mat *c,
                      uint64_t p) CAIRN_WUR;

/* Freivalds' check of the claim c = a·b mod p with k rounds (1..
 * FV_ROUNDS_MAX) drawn from seed; the verdict lands in *out. The return
 * value says whether the check could run: BAD_ARG (field, shapes, k,
 * entries not below p), TOO_LARGE (a dimension), NOMEM; a wrong c is
 * CAIRN_OK with out->pass false. Allocates three vectors and frees them
 * before returning. */
cairn_err fv_check(const fv_mat *a, const fv_mat *b, const fv_mat *c,
                   uint64_t p, const uint8_t seed[FV_SEED_LEN], unsigned k,
                   fv_verdict *out) CAIRN_WUR;

/* Round `round`'s random vector r[0..len) over F_p from seed: 64-bit words
 * from BLAKE2b-512 keyed with the seed over "cairn-freivalds-v1" ‖
 * u32le(round) ‖ u64le(block), eight little-endian words per block; a
 * word w is kept as w mod p when w < 2^64 - (2^64 mod p) and skipped
 * otherwise, so every residue is equally likely. p must be valid. */
void fv_round_vector(uint64_t *r, uint32_t len, uint64_t p,
                     const uint8_t seed[FV_SEED_LEN], uint32_t round);

#endif
