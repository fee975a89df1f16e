/* Writing a manifest's inline files into a lease's work directory
 * (cairn_manifest_write_files). Paths were checked by the parser (no "..",
 * not absolute); each part is still opened relative to its parent with
 * O_NOFOLLOW, so that a link a workload left in the directory (a lease
 * restarted on the same directory) leads nowhere outside it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compute/manifest.h"

/* Opens (making it when missing) the directory `name` under dirfd, not
 * following a link. A new fd, or -1 with errno set. */
static int open_subdir(int dirfd, const char *name)
{
    if (mkdirat(dirfd, name, 0755) != 0 && errno != EEXIST)
        return -1;
    return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Writes one file at path (relative, checked) under the directory top. */
static int write_one(int top, const char *path, const uint8_t *p, size_t n)
{
    char part[CAIRN_MANIFEST_PATH_MAX + 1];
    int dirfd = dup(top);
    const char *s = path;
    for (const char *slash; dirfd >= 0 && (slash = strchr(s, '/'));
         s = slash + 1) {
        size_t k = (size_t)(slash - s);
        if (k >= sizeof part) {
            errno = ENAMETOOLONG;
            close(dirfd);
            return -1;
        }
        memcpy(part, s, k);
        part[k] = '\0';
        int sub = open_subdir(dirfd, part);
        close(dirfd);
        dirfd = sub;
    }
    if (dirfd < 0)
        return -1;
    int fd = openat(
        dirfd, s, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    close(dirfd);
    if (fd < 0)
        return -1;
    int r = write_all(fd, p, n);
    int saved = errno;
    if (close(fd) != 0 && r == 0)
        r = -1;
    else
        errno = saved;
    return r;
}

cairn_err cairn_manifest_write_files(const cairn_manifest *m, const char *dir,
                                     char *msg, size_t len)
{
    int top = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (top < 0) {
        snprintf(msg, len, "work directory %s: %s", dir, strerror(errno));
        return CAIRN_ERR_IO;
    }
    for (size_t i = 0; i < m->nfiles; i++) {
        const cairn_mfile *f = &m->files[i];
        if (f->kind != CAIRN_MFILE_INLINE)
            continue;
        if (write_one(top, f->path, f->data, f->len) != 0) {
            snprintf(msg, len, "files[%zu] (%s): %s", i, f->path,
                     errno == ELOOP || errno == ENOTDIR
                         ? "a link or a file is in the way"
                         : strerror(errno));
            close(top);
            return CAIRN_ERR_IO;
        }
    }
    close(top);
    return CAIRN_OK;
}
