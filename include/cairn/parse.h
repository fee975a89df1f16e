/* cairn — one parser for decimal numbers from untrusted text (query
 * strings, headers, command-line options, JSON strings).
 *
 * A number is one or more ASCII digits and nothing else: no sign, no
 * leading or trailing space, no "0x", no trailing garbage. Leading zeros
 * are allowed. A value above the bound is an error, never a clamp: a
 * 20-digit number past 2^64 - 1 is refused, not read as UINT64_MAX. */
#ifndef CAIRN_PARSE_H
#define CAIRN_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"

/* The largest integer every JSON reader holds exactly (2^53 - 1). */
#define CAIRN_JSON_SAFE_MAX 9007199254740991ULL

/* Parses the NUL-terminated s into *out. BAD_ARG when s is NULL, empty or
 * not all digits; OVERFLOW when the value exceeds UINT64_MAX. *out is
 * untouched on error. */
CAIRN_API cairn_err cairn_parse_u64(const char *s, uint64_t *out) CAIRN_WUR;

/* As cairn_parse_u64, and OVERFLOW when the value exceeds max. */
CAIRN_API cairn_err cairn_parse_u64_max(const char *s, uint64_t max,
                                        uint64_t *out) CAIRN_WUR;

/* As cairn_parse_u64_max on the len bytes at s (no terminator needed;
 * an embedded NUL is not a digit). */
CAIRN_API cairn_err cairn_parse_u64_n(const char *s, size_t len, uint64_t max,
                                      uint64_t *out) CAIRN_WUR;

#endif
