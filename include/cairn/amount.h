/* cairn — token amounts.
 *
 * An amount is a u64 count of base units; 1 token = 10^6 units. All
 * arithmetic on amounts goes through these checked helpers, which return
 * CAIRN_ERR_OVERFLOW instead of wrapping and leave *out untouched then. */
#ifndef CAIRN_AMOUNT_H
#define CAIRN_AMOUNT_H

#include <stdint.h>

#include "cairn/error.h"

#define CAIRN_UNITS_PER_TOKEN 1000000ULL
#define CAIRN_AMOUNT_TEXT_MAX 28

CAIRN_API cairn_err cairn_add(uint64_t *out, uint64_t a, uint64_t b) CAIRN_WUR;
CAIRN_API cairn_err cairn_sub(uint64_t *out, uint64_t a, uint64_t b) CAIRN_WUR;
CAIRN_API cairn_err cairn_mul(uint64_t *out, uint64_t a, uint64_t b) CAIRN_WUR;
/* floor(a * num / den) with a 128-bit intermediate; den must be non-zero
 * (a caller bug otherwise). OVERFLOW if the result exceeds u64. */
CAIRN_API cairn_err cairn_muldiv(uint64_t *out, uint64_t a, uint64_t num,
                                 uint64_t den) CAIRN_WUR;

/* Parses "12", "12.5", "0.000001" (tokens, at most 6 decimals) into units.
 * BAD_AMOUNT on malformed text, OVERFLOW past u64. */
CAIRN_API cairn_err cairn_amount_parse(uint64_t *units,
                                       const char *s) CAIRN_WUR;
/* Formats units as tokens with trailing zeros trimmed ("12.5", "0.000001").
 * out must hold CAIRN_AMOUNT_TEXT_MAX bytes. */
CAIRN_API void cairn_amount_format(char out[CAIRN_AMOUNT_TEXT_MAX],
                                   uint64_t units);

#endif
