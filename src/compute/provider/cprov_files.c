/* Reading a lease's files for FETCH without leaving its work directory:
 * every part of the path is opened relative to the one before, following
 * no symbolic link (the workload may have made any of them a link). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compute/provider/cprov_internal.h"

/* Opens one part under dirfd: a directory (dir 1) or the file at the end. */
static int open_part(int dirfd, const char *name, int dir)
{
    int flags = O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK |
                (dir ? O_DIRECTORY | O_PATH : O_RDONLY | O_NOCTTY);
    return openat(dirfd, name, flags);
}

static cairn_err why_not(int err)
{
    return err == ENOENT ? CAIRN_ERR_NOT_FOUND : CAIRN_ERR_BAD_ARG;
}

cairn_err cprov_open_beneath(const char *dir, const char *path, int *out)
{
    char part[CAIRN_CP_PATH_MAX + 1];
    struct stat st;
    size_t n = strlen(path);
    if (!cairn_cp_path_ok(path, n))
        return CAIRN_ERR_BAD_ARG;
    int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return CAIRN_ERR_NOT_FOUND;
    const char *p = path;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        memcpy(part, p, len);
        part[len] = '\0';
        int next = open_part(fd, part, slash != NULL);
        int err = errno;
        close(fd);
        if (next < 0)
            return why_not(err);
        fd = next;
        if (!slash)
            break;
        p = slash + 1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return CAIRN_ERR_BAD_ARG;
    }
    *out = fd;
    return CAIRN_OK;
}
