/* A lease's work directory from outside the sandbox: its size, its owner,
 * its removal (compute/sandbox.h, compute/sandbox_int.h). A workload
 * shapes this tree, so nothing here follows a link, and nothing recurses
 * on the C stack: a walk holds one descriptor per level up to
 * SB_WALK_DEPTH, and removal climbs back with "..", checking each step
 * against the device and inode it came down from. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compute/sandbox.h"
#include "compute/sandbox_int.h"

/* Opens the directory name under parent without following a link; a
 * directory the workload made unreadable is given u+rwx first (through an
 * O_PATH descriptor, so a link swapped in meanwhile is not followed). */
static int open_dir(int parent, const char *name)
{
    int fd =
        openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0 || errno != EACCES)
        return fd;
    int p = openat(parent, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (p < 0)
        return -1;
    char proc[64];
    struct stat st;
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", p);
    if (fstat(p, &st) == 0)
        chmod(proc, (st.st_mode & 07777) | 0700);
    fd = openat(p, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    close(p);
    return fd;
}

int sb_walk(const char *dir, sb_walk_fn fn, void *ctx)
{
    DIR *stack[SB_WALK_DEPTH];
    int top = 0, rc = 0;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || !(stack[0] = fdopendir(fd))) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    while (top >= 0) {
        struct dirent *e = readdir(stack[top]);
        struct stat st;
        if (!e) {
            closedir(stack[top--]);
            continue;
        }
        int dfd = dirfd(stack[top]);
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
            fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        fn(dfd, e->d_name, &st, ctx);
        if (!S_ISDIR(st.st_mode))
            continue;
        if (top + 1 >= SB_WALK_DEPTH) {
            rc = 1;
            continue;
        }
        int sub = open_dir(dfd, e->d_name);
        DIR *d = sub >= 0 ? fdopendir(sub) : NULL;
        if (d)
            stack[++top] = d;
        else if (sub >= 0)
            close(sub);
    }
    return rc;
}

/* What one entry costs: its allocated bytes, at least one 4 KiB block. */
static uint64_t charge(const struct stat *st)
{
    uint64_t b = (uint64_t)st->st_blocks * 512;
    return b < 4096 ? 4096 : b;
}

static void add_usage(int dirfd, const char *name, const struct stat *st,
                      void *ctx)
{
    uint64_t *total = ctx;
    *total += charge(st);
}

uint64_t cairn_dir_usage(const char *dir)
{
    struct stat st;
    uint64_t total = 0;
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return 0;
    total = charge(&st);
    int r = sb_walk(dir, add_usage, &total);
    return r > 0 ? UINT64_MAX : total;
}

/* ---- removal ---- */

typedef struct rm_path {
    struct {
        dev_t dev;
        ino_t ino;
    } * lv;
    size_t n, cap;
} rm_path;

static int rm_push(rm_path *p, int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return -1;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        void *lv = realloc(p->lv, cap * sizeof *p->lv);
        if (!lv)
            return -1;
        p->lv = lv;
        p->cap = cap;
    }
    p->lv[p->n].dev = st.st_dev;
    p->lv[p->n].ino = st.st_ino;
    p->n++;
    return 0;
}

/* Removes the entry name under fd when it can: 1 done, 0 a directory with
 * entries (*sub: it, opened), -1 failed. */
static int rm_entry(int fd, const char *name, int *sub)
{
    if (unlinkat(fd, name, 0) == 0)
        return 1;
    if (errno == EACCES || errno == EPERM) {
        /* a directory the workload made read-only: it is ours to empty */
        fchmod(fd, 0700);
        if (unlinkat(fd, name, 0) == 0)
            return 1;
    }
    if (errno != EISDIR && errno != EPERM)
        return errno == ENOENT ? 1 : -1;
    if (unlinkat(fd, name, AT_REMOVEDIR) == 0)
        return 1;
    if (errno != ENOTEMPTY && errno != EEXIST && errno != EACCES &&
        errno != EPERM)
        return errno == ENOENT ? 1 : -1;
    *sub = open_dir(fd, name);
    return *sub >= 0 ? 0 : -1;
}

/* One pass over the directory fd: removes what it can. Returns the entries
 * seen (0: it is empty), or -1 on failure; *sub gets a directory to go
 * down into (the pass stops there). */
static long rm_pass(int fd, int *sub)
{
    int dfd = dup(fd);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    long seen = 0;
    struct dirent *e;
    if (!d) {
        if (dfd >= 0)
            close(dfd);
        return -1;
    }
    *sub = -1;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        seen++;
        int r = rm_entry(fd, e->d_name, sub);
        if (r <= 0) {
            closedir(d);
            return r < 0 ? -1 : seen;
        }
    }
    closedir(d);
    return seen;
}

/* Goes from fd up to its parent, which must be level p->n - 2. */
static int rm_up(rm_path *p, int *fd)
{
    struct stat st;
    int up = openat(*fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (up < 0 || fstat(up, &st) != 0 || st.st_dev != p->lv[p->n - 2].dev ||
        st.st_ino != p->lv[p->n - 2].ino) {
        if (up >= 0)
            close(up);
        return -1; /* moved meanwhile: stop rather than leave the tree */
    }
    close(*fd);
    *fd = up;
    p->n--;
    return 0;
}

/* Empties the directory fd (level 0 of p), going down and back up. */
static int rm_tree(int fd, rm_path *p)
{
    int rc = 0;
    fchmod(fd, 0700);
    while (rc == 0) {
        int sub;
        long seen = rm_pass(fd, &sub);
        if (seen < 0) {
            rc = -1;
        } else if (sub >= 0) {
            fchmod(sub, 0700);
            if (rm_push(p, sub) != 0) {
                close(sub);
                rc = -1;
            } else {
                close(fd);
                fd = sub;
            }
        } else if (seen == 0) {
            if (p->n == 1)
                break;
            rc = rm_up(p, &fd);
        }
    }
    close(fd);
    return rc;
}

int cairn_dir_remove(const char *dir)
{
    rm_path p = {0};
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    if (rm_push(&p, fd) != 0) {
        close(fd);
        free(p.lv);
        return -1;
    }
    int rc = rm_tree(fd, &p);
    free(p.lv);
    if (rc == 0 && rmdir(dir) != 0 && errno != ENOENT)
        rc = -1;
    return rc;
}

/* ---- owner ---- */

static void chown_one(int dirfd, const char *name, const struct stat *st,
                      void *ctx)
{
    const uid_t *uid = ctx;
    if (st->st_uid != *uid || st->st_gid != (gid_t)*uid)
        fchownat(dirfd, name, *uid, (gid_t)*uid, AT_SYMLINK_NOFOLLOW);
}

int sb_chown_tree(const char *dir, uid_t uid)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int r = fchown(fd, uid, (gid_t)uid) == 0 && fchmod(fd, 0700) == 0 ? 0 : -1;
    close(fd);
    if (r == 0)
        sb_walk(dir, chown_one, &uid);
    return r;
}
