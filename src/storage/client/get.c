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

#include "cairn/amount.h"
#include "storage/client/getseg.h"

#define PATH_MAX_LEN 4096

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

/* Gets every segment into the open temporary file fd. */
static cairn_err get_all(sclient *c, const cmeta_file *file,
                         const cmeta_piece *pieces, size_t n, int fd)
{
    cfetch f;
    cprog bar;
    cairn_err e = cfetch_init(&f, c, pieces, n);
    if (e)
        return e;
    cprog_start(&bar, c->progress ? c->log : NULL, "get", file->fi.size);
    e = cget_run(c, &f, file, fd, &bar);
    cprog_end(&bar);
    if (!e && c->log && cfetch_paid(&f)) {
        char amt[CAIRN_AMOUNT_TEXT_MAX];
        cairn_amount_format(amt, cfetch_paid(&f));
        fprintf(c->log,
                "cairn: the reads were paid with lottery tickets worth %s "
                "tokens on average\n",
                amt);
    }
    cfetch_free(&f);
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
