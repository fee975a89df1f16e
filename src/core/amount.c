/* Checked amount arithmetic and token text. */
#include "cairn/amount.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cairn_err cairn_add(uint64_t *out, uint64_t a, uint64_t b)
{
    uint64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return CAIRN_ERR_OVERFLOW;
    *out = r;
    return CAIRN_OK;
}

cairn_err cairn_sub(uint64_t *out, uint64_t a, uint64_t b)
{
    if (b > a)
        return CAIRN_ERR_FUNDS;
    *out = a - b;
    return CAIRN_OK;
}

cairn_err cairn_mul(uint64_t *out, uint64_t a, uint64_t b)
{
    uint64_t r;
    if (__builtin_mul_overflow(a, b, &r))
        return CAIRN_ERR_OVERFLOW;
    *out = r;
    return CAIRN_OK;
}

cairn_err cairn_muldiv(uint64_t *out, uint64_t a, uint64_t num, uint64_t den)
{
    if (den == 0)
        abort(); /* caller bug: a split over nothing */
    unsigned __int128 r = (unsigned __int128)a * num / den;
    if (r > UINT64_MAX)
        return CAIRN_ERR_OVERFLOW;
    *out = (uint64_t)r;
    return CAIRN_OK;
}

cairn_err cairn_amount_parse(uint64_t *units, const char *s)
{
    uint64_t whole = 0, frac = 0;
    int nwhole = 0, nfrac = 0;
    const char *c = s;
    if (!s || !*s)
        return CAIRN_ERR_BAD_AMOUNT;
    for (; *c >= '0' && *c <= '9'; c++, nwhole++)
        if (cairn_mul(&whole, whole, 10) ||
            cairn_add(&whole, whole, (uint64_t)(*c - '0')))
            return CAIRN_ERR_OVERFLOW;
    if (*c == '.') {
        for (c++; *c >= '0' && *c <= '9'; c++, nfrac++) {
            if (nfrac == 6)
                return CAIRN_ERR_BAD_AMOUNT;
            frac = frac * 10 + (uint64_t)(*c - '0');
        }
        if (nfrac == 0)
            return CAIRN_ERR_BAD_AMOUNT;
    }
    if (*c || nwhole == 0)
        return CAIRN_ERR_BAD_AMOUNT;
    for (int i = nfrac; i < 6; i++)
        frac *= 10;
    uint64_t u;
    if (cairn_mul(&u, whole, CAIRN_UNITS_PER_TOKEN) || cairn_add(&u, u, frac))
        return CAIRN_ERR_OVERFLOW;
    *units = u;
    return CAIRN_OK;
}

void cairn_amount_format(char out[CAIRN_AMOUNT_TEXT_MAX], uint64_t units)
{
    uint64_t whole = units / CAIRN_UNITS_PER_TOKEN;
    uint64_t frac = units % CAIRN_UNITS_PER_TOKEN;
    if (!frac) {
        snprintf(out, CAIRN_AMOUNT_TEXT_MAX, "%llu", (unsigned long long)whole);
        return;
    }
    int n = snprintf(out, CAIRN_AMOUNT_TEXT_MAX, "%llu.%06llu",
                     (unsigned long long)whole, (unsigned long long)frac);
    while (n > 0 && out[n - 1] == '0')
        out[--n] = '\0';
}
