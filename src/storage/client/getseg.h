/* Internal: the data path of `cairn get` (getseg.c), shared by sclient_get
 * (get.c) and bench/storage.c so that the bench measures what a user runs.
 *
 * For every segment, k good pieces are fetched at once (cfetch_segment:
 * each checked against its root, more tried as pieces fail), decoded and
 * written at the segment's offset. Segment s is decoded and written on a
 * second thread while segment s+1's pieces are fetched, so that the
 * network (and, on one machine, the providers) and the decoder work at the
 * same time. */
#ifndef CAIRN_CLIENT_GETSEG_H
#define CAIRN_CLIENT_GETSEG_H

#include "storage/client/fetch.h"
#include "storage/client/progress.h"

/* Gets every segment of `file` through the links of f into the open file
 * fd (pwrite at each segment's offset; fd is not synced). bar (may be
 * NULL) counts the plaintext done. OK, or the first failure (c->why says
 * which): FEW_PIECES, DECRYPT, IO, NOMEM. */
cairn_err cget_run(sclient *c, cfetch *f, const cmeta_file *file, int fd,
                   cprog *bar);

/* As cget_run, decrypting with the file's key instead of c->secret (a
 * reader given that one key; c->secret is not used). */
cairn_err cget_run_key(sclient *c, cfetch *f, const cmeta_file *file,
                       const uint8_t key[CAIRN_FILE_KEY_LEN], int fd,
                       cprog *bar);

#endif
