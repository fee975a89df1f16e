/* `cairn get`: fetch any k good pieces of every segment, decode, and write
 * the file atomically (a temporary file beside OUT, fsynced, renamed over
 * OUT, the directory fsynced). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/fetch.h"
#include "client/progress.h"

#define PATH_MAX_LEN 4096

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

/* fsyncs the directory holding path. */
static int sync_parent(const char *path)
{
    char buf[PATH_MAX_LEN];
    snprintf(buf, sizeof buf, "%s", path);
    int fd = open(dirname(buf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Fetches, decodes and writes segment seg at its offset. */
static cairn_err get_segment(sclient *c, cfetch *f, cairn_layout *l,
                             const cmeta_file *file, uint64_t seg,
                             uint8_t *plain, int fd)
{
    cairn_piece_in in[CAIRN_RS_MAX_N];
    cairn_segment_sizes sz;
    size_t got;
    cairn_err e = cairn_layout_sizes(&file->fi, seg, &sz);
    if (!e)
        e = cfetch_segment(f, (uint32_t)seg, file->fi.p.k, NULL, in, &got);
    if (e)
        return e == CAIRN_ERR_FEW_PIECES
                   ? e
                   : sclient_fail(c, e, "%s", cairn_strerror(e));
    e = cairn_layout_decode(l, seg, in, got, plain, file->fi.p.segment_size);
    cfetch_release(in, got);
    if (e)
        return sclient_fail(c, e, "segment %llu does not decode: %s",
                            (unsigned long long)seg, cairn_strerror(e));
    if (pwrite_all(fd, plain, sz.plain, seg * file->fi.p.segment_size))
        return sclient_fail(c, CAIRN_ERR_IO, "cannot write: %s",
                            strerror(errno));
    return CAIRN_OK;
}

/* Gets every segment into the open temporary file fd. */
static cairn_err get_all(sclient *c, const cmeta_file *file,
                         const cmeta_piece *pieces, size_t n, int fd)
{
    cairn_layout *l = NULL;
    cfetch f;
    cprog bar;
    uint8_t *plain = malloc(file->fi.p.segment_size);
    cairn_err e = plain ? cfetch_init(&f, c, pieces, n)
                        : sclient_fail(c, CAIRN_ERR_NOMEM, "out of memory");
    if (e) {
        free(plain);
        return e;
    }
    if ((e = cairn_layout_new(&l, &file->fi, c->secret)))
        sclient_fail(c, e, "cannot set up the decoder: %s", cairn_strerror(e));
    cprog_start(&bar, c->progress ? c->log : NULL, "get", file->fi.size);
    uint64_t segs = cairn_layout_segments(&file->fi);
    for (uint64_t s = 0; !e && s < segs; s++) {
        e = get_segment(c, &f, l, file, s, plain, fd);
        cprog_add(&bar, file->fi.p.segment_size);
    }
    cprog_end(&bar);
    cairn_layout_free(l);
    cfetch_free(&f);
    free(plain);
    return e;
}

cairn_err sclient_get(sclient *c, const char *id, const char *out_path)
{
    cmeta_file file;
    cmeta_piece *pieces = NULL;
    size_t n = 0;
    char tmp[PATH_MAX_LEN];
    cairn_err e = cmeta_find(c->meta, id, &file);
    if (e)
        return sclient_fail(
            c, e, "no file %s in the client's store (see cairn ls)", id);
    if ((e = cmeta_pieces(c->meta, file.id, &pieces, &n)))
        return sclient_fail(c, e, "cannot read the client's store: %s",
                            cairn_strerror(e));
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.cairn-XXXXXX", out_path) >=
        sizeof tmp) {
        free(pieces);
        return sclient_fail(c, CAIRN_ERR_BAD_ARG, "output path too long");
    }
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        free(pieces);
        return sclient_fail(c, CAIRN_ERR_IO,
                            "cannot create a file beside %s: %s", out_path,
                            strerror(errno));
    }
    e = get_all(c, &file, pieces, n, fd);
    free(pieces);
    if (!e && (fsync(fd) != 0 || fchmod(fd, 0644) != 0))
        e = sclient_fail(c, CAIRN_ERR_IO, "cannot write %s: %s", tmp,
                         strerror(errno));
    close(fd);
    if (!e && (rename(tmp, out_path) != 0 || sync_parent(out_path) != 0))
        e = sclient_fail(c, CAIRN_ERR_IO, "cannot write %s: %s", out_path,
                         strerror(errno));
    if (e)
        unlink(tmp);
    return e;
}
