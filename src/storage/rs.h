/* Internal: Reed-Solomon k-of-n erasure coding over GF(2^8) with ISA-L.
 *
 * The code is systematic: pieces 0..k-1 are the data, pieces k..n-1 parity.
 * Its n x k generator matrix is ISA-L's gf_gen_cauchy1_matrix: identity on
 * top, then row i (k <= i < n), column j: 1 / (i XOR j) in GF(2^8) with the
 * polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11d). Every k x k submatrix is
 * invertible, so any k pieces rebuild the rest. */
#ifndef CAIRN_STORAGE_RS_H
#define CAIRN_STORAGE_RS_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"

#define STORAGE_RS_MAX_N 255

typedef struct storage_rs {
    unsigned k, n;
    uint8_t *matrix; /* n x k generator, row-major; owned */
    uint8_t *tables; /* ISA-L tables of the n - k parity rows; owned */
} storage_rs;

/* Builds the code for 1 <= k < n <= STORAGE_RS_MAX_N (BAD_ARG otherwise,
 * NOMEM). Free with storage_rs_free, also after a failure. */
cairn_err storage_rs_init(storage_rs *rs, unsigned k, unsigned n) CAIRN_WUR;
void storage_rs_free(storage_rs *rs);

/* parity[0..n-k-1] = the parity pieces of data[0..k-1], `len` bytes each. */
void storage_rs_encode(const storage_rs *rs, size_t len, uint8_t *const *data,
                       uint8_t *const *parity);

/* From k pieces with distinct indices have[0..k-1] (each < n) and bytes
 * src[0..k-1], rebuilds the pieces with indices want[0..nwant-1] (each < n,
 * 1 <= nwant <= n) into out[0..nwant-1], `len` bytes each. BAD_ARG for a bad
 * or repeated index, NOMEM. Allocates scratch and frees it. */
cairn_err storage_rs_rebuild(const storage_rs *rs, size_t len,
                             const uint32_t *have, const uint8_t *const *src,
                             const uint32_t *want, unsigned nwant,
                             uint8_t *const *out) CAIRN_WUR;

#endif
