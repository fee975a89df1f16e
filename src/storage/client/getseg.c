/* The data path of `cairn get` (client/getseg.h): fetch the next segment's
 * pieces while this one is decoded and written on a second thread. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage/client/getseg.h"
#include "storage/layout_key.h"

/* One fetched segment: its pieces, then what decoding it gave. */
typedef struct seg_job {
    cairn_layout *l;
    const cmeta_file *file;
    uint8_t *plain; /* a segment's bytes (the decoder's, one at a time) */
    int fd;
    uint64_t seg;
    cairn_piece_in in[CAIRN_RS_MAX_N];
    size_t got;
    cairn_err e;
    char why[160]; /* what failed, when e is set */
} seg_job;

/* Writes all n bytes at off. */
static int pwrite_all(int fd, const uint8_t *p, size_t n, uint64_t off)
{
    while (n > 0) {
        ssize_t w = pwrite(fd, p, n, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
        off += (uint64_t)w;
    }
    return 0;
}

/* Decodes the job's segment, frees its pieces and writes the plaintext.
 * Touches only the job, the layout and the plain buffer, so that it may
 * run beside the next fetch. */
static void decode_write(seg_job *j)
{
    cairn_segment_sizes sz;
    const cairn_file_info *fi = &j->file->fi;
    j->e = cairn_layout_sizes(fi, j->seg, &sz);
    if (!j->e)
        j->e = cairn_layout_decode(j->l, j->seg, j->in, j->got, j->plain,
                                   fi->p.segment_size);
    cfetch_release(j->in, j->got);
    j->got = 0;
    if (j->e) {
        snprintf(j->why, sizeof j->why, "segment %llu does not decode: %s",
                 (unsigned long long)j->seg, cairn_strerror(j->e));
        return;
    }
    if (pwrite_all(j->fd, j->plain, sz.plain, j->seg * fi->p.segment_size)) {
        j->e = CAIRN_ERR_IO;
        snprintf(j->why, sizeof j->why, "cannot write: %s", strerror(errno));
    }
}

static void *decode_main(void *arg)
{
    decode_write(arg);
    return NULL;
}

/* Fetches k good pieces of segment j->seg into j. */
static cairn_err fetch(sclient *c, cfetch *f, seg_job *j)
{
    cairn_err e = cfetch_segment(f, (uint32_t)j->seg, j->file->fi.p.k, NULL,
                                 j->in, &j->got);
    if (e && e != CAIRN_ERR_FEW_PIECES && e != CAIRN_ERR_PAYMENT_REQUIRED)
        sclient_fail(c, e, "%s", cairn_strerror(e)); /* those two say why */
    return e;
}

/* Decodes and writes `cur` while the next segment is fetched into `next`
 * (when there is one); with no thread to be had, one after the other. */
static cairn_err step(sclient *c, cfetch *f, seg_job *cur, seg_job *next,
                      uint64_t segs)
{
    pthread_t th;
    int more = cur->seg + 1 < segs;
    int threaded = more && pthread_create(&th, NULL, decode_main, cur) == 0;
    cairn_err e = CAIRN_OK;
    if (!threaded) {
        decode_write(cur);
        if (cur->e)
            return sclient_fail(c, cur->e, "%s", cur->why);
    }
    if (more) {
        next->seg = cur->seg + 1;
        e = fetch(c, f, next);
    }
    if (threaded)
        pthread_join(th, NULL);
    if (cur->e) {
        cfetch_release(next->in, next->got);
        next->got = 0;
        return sclient_fail(c, cur->e, "%s", cur->why);
    }
    return e;
}

static cairn_err run(sclient *c, cfetch *f, const cmeta_file *file,
                     const uint8_t *key, int fd, cprog *bar)
{
    cairn_layout *l = NULL;
    seg_job *j = calloc(2, sizeof *j);
    uint8_t *plain = malloc(file->fi.p.segment_size);
    cairn_err e = j && plain ? CAIRN_OK : CAIRN_ERR_NOMEM;
    if (e)
        sclient_fail(c, e, "out of memory");
    else if ((e = key ? storage_layout_with_key(&l, &file->fi, key)
                      : cairn_layout_new(&l, &file->fi, c->secret)))
        sclient_fail(c, e, "cannot set up the decoder: %s", cairn_strerror(e));
    uint64_t segs = cairn_layout_segments(&file->fi);
    for (int i = 0; !e && i < 2; i++)
        j[i] = (seg_job){.l = l, .file = file, .plain = plain, .fd = fd};
    if (!e)
        e = fetch(c, f, &j[0]);
    for (uint64_t s = 0; !e && s < segs; s++) {
        e = step(c, f, &j[s & 1], &j[(s + 1) & 1], segs);
        if (!e && bar)
            cprog_add(bar, file->fi.p.segment_size);
    }
    cairn_layout_free(l);
    free(plain);
    free(j);
    return e;
}

cairn_err cget_run(sclient *c, cfetch *f, const cmeta_file *file, int fd,
                   cprog *bar)
{
    return run(c, f, file, NULL, fd, bar);
}

cairn_err cget_run_key(sclient *c, cfetch *f, const cmeta_file *file,
                       const uint8_t key[CAIRN_FILE_KEY_LEN], int fd,
                       cprog *bar)
{
    return run(c, f, file, key, fd, bar);
}
