/* Internal: the checks of single manifest values (compute/manifest.c),
 * apart so that each can be read and tested on its own. Each returns 0
 * when the value is good, else -1 after writing to msg (len bytes) what
 * is wrong with it, prefixed by the field's name. */
#ifndef CAIRN_COMPUTE_MANIFEST_UTIL_H
#define CAIRN_COMPUTE_MANIFEST_UTIL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Writes "field: why" to msg; returns -1. */
int mf_fail(char *msg, size_t len, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A size ("64M", "1GiB", "1048576") in whole MiB, 1..CAIRN_COMPUTE_MIB_MAX,
 * into *mib. */
int mf_size_mib(const json_t *v, const char *field, uint32_t *mib, char *msg,
                size_t len);
/* A JSON integer in lo..hi into *out. */
int mf_uint(const json_t *v, const char *field, uint64_t lo, uint64_t hi,
            uint64_t *out, char *msg, size_t len);
/* An amount of tokens as a string ("0.5"), at least one base unit. */
int mf_amount(const json_t *v, const char *field, uint64_t *units, char *msg,
              size_t len);
/* A file path: relative, of [A-Za-z0-9._/-], no empty, "." or ".." part,
 * 1..CAIRN_MANIFEST_PATH_MAX bytes. */
int mf_path_ok(const char *p, const char *field, char *msg, size_t len);
/* An environment variable's name: [A-Za-z_][A-Za-z0-9_]*, 1..255 bytes. */
int mf_env_name_ok(const char *name);
/* 1 when a is b, or a directory above b or b above a ("x" and "x/y"). */
int mf_paths_clash(const char *a, const char *b);

#endif
