/* Internal: small files written so that a crash leaves either the old
 * contents or the new, never a torn mix (write a temporary file, fsync it,
 * rename it over the old one, fsync the directory). */
#ifndef CAIRN_CORE_DURABLE_H
#define CAIRN_CORE_DURABLE_H

#include <stddef.h>

#include "cairn/error.h"

/* mkdir -p of dir, each level made with mode 0700 (those there stay as
 * they are). 0, or -1 with errno (ENAMETOOLONG past 4095 bytes). */
int cairn_mkdirs(const char *dir);

/* Replaces path with the n bytes at b, durably. IO on any failure (the
 * old file, if any, is then unchanged; the temporary file is removed). */
cairn_err cairn_write_durable(const char *path, const void *b,
                              size_t n) CAIRN_WUR;
/* Reads the whole file (at most max bytes) into *out (malloc'd, the
 * caller frees; NUL-terminated one byte past *n). NOT_FOUND when absent,
 * TOO_LARGE over max, IO, NOMEM. */
cairn_err cairn_read_small(const char *path, size_t max, unsigned char **out,
                           size_t *n) CAIRN_WUR;

#endif
