/* Checks of single manifest values: sizes, integers, amounts, paths and
 * environment names (compute/manifest_util.h). */
#include "compute/manifest_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cairn/amount.h"
#include "cairn/parse.h"
#include "compute/manifest.h"

int mf_fail(char *msg, size_t len, const char *field, const char *fmt, ...)
{
    if (!msg || len == 0)
        return -1;
    int n = snprintf(msg, len, "%s: ", field);
    if (n >= 0 && (size_t)n < len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg + n, len - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* The shift of a size's unit suffix ("", "B", "K", "KiB", ...), or -1. */
static int size_shift(const char *suffix)
{
    static const struct {
        const char *s;
        int shift;
    } units[] = {{"", 0},     {"B", 0},  {"K", 10},   {"KiB", 10}, {"M", 20},
                 {"MiB", 20}, {"G", 30}, {"GiB", 30}, {"T", 40},   {"TiB", 40}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(suffix, units[i].s) == 0)
            return units[i].shift;
    return -1;
}

int mf_size_mib(const json_t *v, const char *field, uint32_t *mib, char *msg,
                size_t len)
{
    static const char how[] = "give a size such as \"256M\" or \"1G\"";
    const char *s = json_string_value(v);
    if (!v)
        return mf_fail(msg, len, field, "missing (%s)", how);
    if (!s)
        return mf_fail(msg, len, field, "not a string (%s)", how);
    size_t nd = strspn(s, "0123456789");
    int shift = size_shift(s + nd);
    uint64_t n;
    if (nd == 0 || shift < 0 || cairn_parse_u64_n(s, nd, UINT64_MAX, &n))
        return mf_fail(msg, len, field, "\"%.40s\" is not a size (%s)", s, how);
    if (n > (UINT64_MAX >> shift))
        return mf_fail(msg, len, field, "\"%.40s\" is too large", s);
    uint64_t bytes = n << shift;
    if (bytes % (1u << 20))
        return mf_fail(msg, len, field,
                       "\"%.40s\" is not a whole number of MiB (%s)", s, how);
    if (bytes == 0 || (bytes >> 20) > CAIRN_COMPUTE_MIB_MAX)
        return mf_fail(msg, len, field, "\"%.40s\" is out of range (1M to %uM)",
                       s, CAIRN_COMPUTE_MIB_MAX);
    *mib = (uint32_t)(bytes >> 20);
    return 0;
}

int mf_uint(const json_t *v, const char *field, uint64_t lo, uint64_t hi,
            uint64_t *out, char *msg, size_t len)
{
    if (!v)
        return mf_fail(msg, len, field,
                       "missing (give an integer from %llu "
                       "to %llu)",
                       (unsigned long long)lo, (unsigned long long)hi);
    if (!json_is_integer(v))
        return mf_fail(msg, len, field,
                       "not an integer (give one from %llu "
                       "to %llu)",
                       (unsigned long long)lo, (unsigned long long)hi);
    json_int_t i = json_integer_value(v);
    if (i < 0 || (uint64_t)i < lo || (uint64_t)i > hi)
        return mf_fail(msg, len, field, "%lld is out of range (%llu to %llu)",
                       (long long)i, (unsigned long long)lo,
                       (unsigned long long)hi);
    *out = (uint64_t)i;
    return 0;
}

int mf_amount(const json_t *v, const char *field, uint64_t *units, char *msg,
              size_t len)
{
    const char *s = json_string_value(v);
    if (!v)
        return mf_fail(msg, len, field,
                       "missing (give tokens as a string, "
                       "such as \"0.5\")");
    if (!s)
        return mf_fail(msg, len, field,
                       "not a string (give tokens as a "
                       "string, such as \"0.5\")");
    cairn_err e = cairn_amount_parse(units, s);
    if (e == CAIRN_ERR_OVERFLOW)
        return mf_fail(msg, len, field, "\"%.40s\" is too large", s);
    if (e)
        return mf_fail(msg, len, field,
                       "\"%.40s\" is not an amount (give tokens with at most "
                       "6 decimals, such as \"0.5\")",
                       s);
    if (*units == 0)
        return mf_fail(msg, len, field, "must be more than 0");
    return 0;
}

/* 1 when the n bytes at p are a path part other than "." and "..". */
static int part_ok(const char *p, size_t n)
{
    return n > 0 && !(n == 1 && p[0] == '.') &&
           !(n == 2 && p[0] == '.' && p[1] == '.');
}

int mf_path_ok(const char *p, const char *field, char *msg, size_t len)
{
    static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
                             "VWXYZ0123456789._/-";
    size_t n = strlen(p);
    if (n == 0 || n > CAIRN_MANIFEST_PATH_MAX)
        return mf_fail(msg, len, field, "must be 1 to %d bytes",
                       CAIRN_MANIFEST_PATH_MAX);
    if (strspn(p, ok) != n)
        return mf_fail(msg, len, field,
                       "\"%.60s\": only letters, digits and . _ / - please", p);
    if (p[0] == '/')
        return mf_fail(msg, len, field,
                       "\"%.60s\" is absolute (give a path relative to the "
                       "work directory)",
                       p);
    for (const char *s = p; *s;) {
        size_t k = strcspn(s, "/");
        if (!part_ok(s, k))
            return mf_fail(msg, len, field,
                           "\"%.60s\" has an empty, \".\" or \"..\" part", p);
        s += k + (s[k] == '/');
        if (s[-1] == '/' && *s == '\0')
            return mf_fail(msg, len, field, "\"%.60s\" ends with \"/\"", p);
    }
    return 0;
}

int mf_env_name_ok(const char *name)
{
    static const char head[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"
                               "RSTUVWXYZ_";
    size_t n = strlen(name);
    if (n == 0 || n > 255 || !strchr(head, name[0]))
        return 0;
    return strspn(name + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS"
                            "TUVWXYZ_0123456789") == n - 1;
}

int mf_paths_clash(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    size_t n = na < nb ? na : nb;
    if (memcmp(a, b, n) != 0)
        return 0;
    if (na == nb)
        return 1;
    return (na < nb ? b : a)[n] == '/';
}
