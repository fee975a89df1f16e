/* Internal: reading a byte range of a stored file as a stream, for the S3
 * gateway's GetObject (with or without Range) and CopyObject.
 *
 * Only the segments that hold the range are fetched, in order, with the
 * get's pipeline (client/getseg.c): segment s+1's pieces are fetched while
 * segment s is decoded and emitted, so the first bytes go out after one
 * segment, and memory stays at about two segments' pieces and one
 * plaintext segment whatever the file's size. */
#ifndef CAIRN_CLIENT_GETRANGE_H
#define CAIRN_CLIENT_GETRANGE_H

#include <stddef.h>
#include <stdint.h>

#include "storage/client/client.h"

/* Receives the next n bytes of the range; returns non-zero to stop (the
 * reader went away): cget_range then fails with IO. p is borrowed. */
typedef int (*cget_emit)(void *arg, const uint8_t *p, size_t n);

/* Fetches, checks, decodes and emits bytes [off, off + len) of file, in
 * order. OK (nothing emitted when len is 0); BAD_ARG when the range is not
 * inside the file; else get's failures (FEW_PIECES, DECRYPT, IO), c->why
 * saying which. Uses c's secret; the file's pieces come from c's store. */
cairn_err cget_range(sclient *c, const cmeta_file *file, uint64_t off,
                     uint64_t len, cget_emit emit, void *arg);

#endif
