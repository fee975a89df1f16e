/* One provider daemon per data dir (daemon.h, part 1): an exclusive flock
 * on DIR/provider.lock, as the node does with DIR/node.lock. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "provider/daemon.h"

#define LOCK_NAME "provider.lock"

cairn_err pd_lock_dir(const char *dir, int *fd, char *msg, size_t len)
{
    char path[4096];
    *fd = -1;
    if (!dir || !*dir ||
        (size_t)snprintf(path, sizeof path, "%s/" LOCK_NAME, dir) >=
            sizeof path) {
        snprintf(msg, len, "the data dir name is empty or too long");
        return CAIRN_ERR_BAD_ARG;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(msg, len, "cannot create the data dir %s: %s", dir,
                 strerror(errno));
        return CAIRN_ERR_IO;
    }
    int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (f < 0) {
        snprintf(msg, len, "cannot open %s: %s", path, strerror(errno));
        return CAIRN_ERR_IO;
    }
    if (flock(f, LOCK_EX | LOCK_NB) != 0) {
        int busy = errno == EWOULDBLOCK;
        snprintf(msg, len,
                 busy ? "another provider is already running on the data dir "
                        "%s (it holds %s); stop it first, or give this one "
                        "its own --data"
                      : "cannot lock %s (%s)",
                 busy ? dir : path, busy ? path : strerror(errno));
        close(f);
        return busy ? CAIRN_ERR_LOCKED : CAIRN_ERR_IO;
    }
    *fd = f;
    return CAIRN_OK;
}

void pd_unlock_dir(int fd)
{
    if (fd >= 0)
        close(fd); /* the lock goes with the last descriptor */
}
