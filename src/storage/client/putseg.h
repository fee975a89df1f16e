/* Internal: the data path of `cairn put` (putseg.c), shared by sclient_put
 * (put.c) and bench/storage.c so that the bench measures what a user runs.
 *
 * Each segment of the file is read and encoded (cairn_layout_encode: the
 * piece roots come from there and are not computed again) into one of up
 * to CPUT_BUFS buffers, up to CPUT_BUFS - 1 segments ahead of the sending.
 * Piece i of every segment goes to the provider in slot i; a provider that
 * refuses or fails is replaced by the next spare for this and later
 * segments, so a segment's pieces are always on distinct providers. The
 * slots are sent by their own threads (one per slot; past CPAR_THREADS
 * slots each thread takes several), each in segment order but not in step
 * with the others, and each slot keeps two STOREs on its way to its
 * provider: the next piece travels while the provider checks, writes and
 * syncs the last (the first STORE to a provider waits for its reply). So
 * encoding, sending and the providers' work overlap, and one slow provider
 * does not hold up the others until the buffers run out. A segment's
 * buffer is reused once all its pieces are signed for or failed; each
 * segment needs k signed pieces. */
#ifndef CAIRN_CLIENT_PUTSEG_H
#define CAIRN_CLIENT_PUTSEG_H

#include <pthread.h>

#include "storage/client/deals.h"
#include "storage/client/pick.h"
#include "storage/client/progress.h"

#define CPUT_BUFS 4 /* segments encoded ahead of or being sent, at most */
/* Fewer buffers when CPUT_BUFS of them would take more bytes than this. */
#define CPUT_BUF_MAX ((size_t)256 << 20)

typedef struct cput {
    /* set by the caller before cput_init */
    sclient *c;          /* secret, log; failures go to c->why */
    const cmeta_file *f; /* file info, tag, epochs, permanent (borrowed) */
    const schain *ch;    /* the chain's rules for the deals (borrowed) */
    const char *path;    /* the file's name, for messages */
    int fd;              /* the file, read with pread (borrowed) */
    uint64_t nonce;      /* the first job's transaction nonce */
    uint64_t start;      /* the deals' start epoch (moved on by a long put) */
    cpeer *peers;        /* n or more providers; the first n take the slots */
    size_t npeers;
    /* set by cput_init; jobs stay for the deals once cput_run returns */
    uint64_t segments;
    cjob *jobs; /* segments x n; job (s, i) at s * n + i */
    size_t next_spare;
    size_t *slot; /* n: the peer now holding piece index i */
    cairn_layout *l;
    unsigned nbuf; /* buffers: segment s is encoded into buffer s % nbuf */
    uint8_t *plain[CPUT_BUFS], *pieces[CPUT_BUFS];
    size_t pieces_cap;
    cairn_hash roots[CPUT_BUFS][CAIRN_RS_MAX_N];
    pthread_mutex_t start_mu; /* start and start_read_ms */
    int64_t start_read_ms;    /* when the chain was last read for start */
} cput;

/* Sets up the encoder, the jobs and the buffers for the file c->f->fi:
 * NOMEM (c->why says so), or the layout's error. cput_free undoes it, also
 * after a failure. */
cairn_err cput_init(cput *s);
/* Reads, encodes and stores every segment (bar, may be NULL, counts the
 * plaintext done). OK when every segment has at least k pieces signed for;
 * else the first failure (c->why says which). The jobs record each piece's
 * outcome: SIGNED, or FAILED with why. */
cairn_err cput_run(cput *s, cprog *bar);
/* Frees what cput_init made (jobs included); the borrowed parts stay. */
void cput_free(cput *s);

#endif
