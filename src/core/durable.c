/* Durable small files (core/durable.h). */
#include "core/durable.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int sync_parent(const char *path)
{
    char copy[4096];
    if (strlen(path) >= sizeof copy)
        return -1;
    memcpy(copy, path, strlen(path) + 1);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, p + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        done += (size_t)w;
    }
    return 0;
}

cairn_err cairn_write_durable(const char *path, const void *b, size_t n)
{
    char tmp[4096 + 8];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return CAIRN_ERR_IO;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return CAIRN_ERR_IO;
    int bad = write_all(fd, b, n) != 0 || fsync(fd) != 0;
    bad |= close(fd) != 0;
    if (bad || rename(tmp, path) != 0 || sync_parent(path) != 0) {
        unlink(tmp);
        return CAIRN_ERR_IO;
    }
    return CAIRN_OK;
}

cairn_err cairn_read_small(const char *path, size_t max, unsigned char **out,
                           size_t *n)
{
    *out = NULL;
    *n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? CAIRN_ERR_NOT_FOUND : CAIRN_ERR_IO;
    struct stat st;
    cairn_err e = CAIRN_OK;
    unsigned char *p = NULL;
    if (fstat(fd, &st) != 0)
        e = CAIRN_ERR_IO;
    else if ((unsigned long long)st.st_size > max)
        e = CAIRN_ERR_TOO_LARGE;
    else if (!(p = malloc((size_t)st.st_size + 1)))
        e = CAIRN_ERR_NOMEM;
    size_t got = 0;
    while (!e && got < (size_t)st.st_size) {
        ssize_t r = read(fd, p + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            e = CAIRN_ERR_IO;
        else
            got += (size_t)r;
    }
    close(fd);
    if (e) {
        free(p);
        return e;
    }
    p[got] = 0;
    *out = p;
    *n = got;
    return CAIRN_OK;
}

int cairn_mkdirs(const char *dir)
{
    char buf[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, dir, n + 1);
    for (size_t i = 1; i <= n; i++)
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0700) != 0 && errno != EEXIST)
                return -1;
            buf[i] = c;
        }
    return 0;
}
