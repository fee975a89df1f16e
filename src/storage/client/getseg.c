/* The data path of `cairn get` (client/getseg.h) and of the range reader
 * (client/getrange.h): fetch the next segment's pieces while this one is
 * decoded and handed to its sink on a second thread. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage/client/getrange.h"
#include "storage/client/getseg.h"
#include "storage/layout_key.h"

/* Where decoded segments go: called in segment order, one at a time, with
 * the segment's whole plaintext; non-zero stops the get (why says why). */
typedef struct seg_sink {
    int (*put)(void *arg, uint64_t seg, const uint8_t *plain, size_t n,
               char *why, size_t whylen);
    void *arg;
} seg_sink;

/* One fetched segment: its pieces, then what decoding it gave. */
typedef struct seg_job {
    cairn_layout *l;
    const cmeta_file *file;
    uint8_t *plain; /* a segment's bytes (the decoder's, one at a time) */
    const seg_sink *sink;
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

/* The sink of cget_run: the segment at its offset in the file fd. */
typedef struct fd_sink {
    int fd;
    uint32_t segment_size;
} fd_sink;

static int fd_put(void *arg, uint64_t seg, const uint8_t *plain, size_t n,
                  char *why, size_t whylen)
{
    const fd_sink *s = arg;
    if (!pwrite_all(s->fd, plain, n, seg * s->segment_size))
        return 0;
    snprintf(why, whylen, "cannot write: %s", strerror(errno));
    return -1;
}

/* Decodes the job's segment, frees its pieces and hands the plaintext to
 * the sink. Touches only the job, the layout, the plain buffer and the
 * sink, so that it may run beside the next fetch. */
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
    if (j->sink->put(j->sink->arg, j->seg, j->plain, sz.plain, j->why,
                     sizeof j->why))
        j->e = CAIRN_ERR_IO;
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
 * (when there is one, up to segment last); with no thread to be had, one
 * after the other. */
static cairn_err step(sclient *c, cfetch *f, seg_job *cur, seg_job *next,
                      uint64_t last)
{
    pthread_t th;
    int more = cur->seg < last;
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

/* Gets segments first..last of file into sink (key: the file key, NULL
 * for c's secret). */
static cairn_err run(sclient *c, cfetch *f, const cmeta_file *file,
                     const uint8_t *key, uint64_t first, uint64_t last,
                     const seg_sink *sink, cprog *bar)
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
    for (int i = 0; !e && i < 2; i++)
        j[i] = (seg_job){.l = l, .file = file, .plain = plain, .sink = sink};
    if (!e) {
        j[first & 1].seg = first;
        e = fetch(c, f, &j[first & 1]);
    }
    for (uint64_t s = first; !e && s <= last; s++) {
        e = step(c, f, &j[s & 1], &j[(s + 1) & 1], last);
        if (!e && bar)
            cprog_add(bar, file->fi.p.segment_size);
    }
    cairn_layout_free(l);
    free(plain);
    free(j);
    return e;
}

/* Every segment of the file into fd. */
static cairn_err run_fd(sclient *c, cfetch *f, const cmeta_file *file,
                        const uint8_t *key, int fd, cprog *bar)
{
    fd_sink fs = {fd, file->fi.p.segment_size};
    seg_sink sink = {fd_put, &fs};
    return run(c, f, file, key, 0, cairn_layout_segments(&file->fi) - 1, &sink,
               bar);
}

cairn_err cget_run(sclient *c, cfetch *f, const cmeta_file *file, int fd,
                   cprog *bar)
{
    return run_fd(c, f, file, NULL, fd, bar);
}

cairn_err cget_run_key(sclient *c, cfetch *f, const cmeta_file *file,
                       const uint8_t key[CAIRN_FILE_KEY_LEN], int fd,
                       cprog *bar)
{
    return run_fd(c, f, file, key, fd, bar);
}

/* The sink of cget_range: the part of each segment inside the range. */
typedef struct range_sink {
    uint64_t off, end; /* [off, end) of the file */
    uint32_t segment_size;
    cget_emit emit;
    void *arg;
} range_sink;

static int range_put(void *arg, uint64_t seg, const uint8_t *plain, size_t n,
                     char *why, size_t whylen)
{
    const range_sink *r = arg;
    uint64_t s0 = seg * r->segment_size, s1 = s0 + n;
    uint64_t a = r->off > s0 ? r->off : s0, b = r->end < s1 ? r->end : s1;
    if (a >= b || !r->emit(r->arg, plain + (a - s0), (size_t)(b - a)))
        return 0;
    snprintf(why, whylen, "the reader of the range stopped");
    return -1;
}

cairn_err cget_range(sclient *c, const cmeta_file *file, uint64_t off,
                     uint64_t len, cget_emit emit, void *arg)
{
    uint64_t size = file->fi.size, seg = file->fi.p.segment_size;
    if (off > size || len > size - off)
        return sclient_fail(c, CAIRN_ERR_BAD_ARG,
                            "bytes %llu..+%llu are outside the file's %llu",
                            (unsigned long long)off, (unsigned long long)len,
                            (unsigned long long)size);
    if (len == 0)
        return CAIRN_OK;
    cmeta_piece *pieces = NULL;
    size_t n = 0;
    cairn_err e = cmeta_pieces(c->meta, file->id, &pieces, &n);
    if (e)
        return sclient_fail(c, e, "cannot read the client's store: %s",
                            cairn_strerror(e));
    cfetch f;
    if ((e = cfetch_init(&f, c, pieces, n))) {
        free(pieces);
        return e;
    }
    range_sink rs = {off, off + len, (uint32_t)seg, emit, arg};
    seg_sink sink = {range_put, &rs};
    e = run(c, &f, file, NULL, off / seg, (off + len - 1) / seg, &sink, NULL);
    cfetch_free(&f);
    free(pieces);
    return e;
}
