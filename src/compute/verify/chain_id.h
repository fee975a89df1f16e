/* Internal: the chain id that signed off-chain messages carry (lottery
 * tickets, job claims): 1 to 32 printable ASCII characters, no space. */
#ifndef CAIRN_COMPUTE_VERIFY_CHAIN_ID_H
#define CAIRN_COMPUTE_VERIFY_CHAIN_ID_H

#include <stdint.h>
#include <string.h>

#include "cairn/error.h"
#include "cairn/tx.h"

static inline int cv_chain_id_ok(const char *s, size_t n)
{
    if (n < 1 || n > CAIRN_CHAIN_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x21 || s[i] > 0x7e)
            return 0;
    return 1;
}

/* Copies chain_id into dst (CAIRN_CHAIN_ID_MAX + 1 bytes, NUL-terminated)
 * and its length into *len; BAD_ARG (nothing written) unless it is a valid
 * chain id. */
static inline cairn_err cv_set_chain(char *dst, uint8_t *len,
                                     const char *chain_id)
{
    size_t n = strnlen(chain_id, CAIRN_CHAIN_ID_MAX + 1);
    if (!cv_chain_id_ok(chain_id, n))
        return CAIRN_ERR_BAD_ARG;
    memcpy(dst, chain_id, n);
    dst[n] = '\0';
    *len = (uint8_t)n;
    return CAIRN_OK;
}

/* CAIRN_OK when the stored id (s, n) is chain_id, else CHAIN_ID. */
static inline cairn_err cv_same_chain(const char *s, size_t n,
                                      const char *chain_id)
{
    size_t m = strnlen(chain_id, CAIRN_CHAIN_ID_MAX + 1);
    return m == n && memcmp(chain_id, s, n) == 0 ? CAIRN_OK
                                                 : CAIRN_ERR_CHAIN_ID;
}

#endif
