/* The provider's piece store (include/cairn/piecestore.h): opening with
 * cleanup of leftovers, durable puts, and space accounting. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "cairn/codec.h"
#include "storage/piecestore_internal.h"

uint64_t cairn_piecestore_cost(uint64_t size)
{
    return size + CAIRN_PIECESTORE_HEADER;
}

/* mkdir that accepts an existing directory. */
static cairn_err make_dir(const char *path)
{
    if (mkdir(path, 0700) == 0 || errno == EEXIST)
        return CAIRN_OK;
    return CAIRN_ERR_IO;
}

/* Removes every entry of DIR/tmp (leftovers of puts cut short by a crash);
 * counts them into *n. */
static cairn_err clean_tmp(const cairn_piecestore *ps, uint64_t *n)
{
    DIR *d = opendir(ps->tmp);
    struct dirent *e;
    if (!d)
        return CAIRN_ERR_IO;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0)
            (*n)++;
    }
    closedir(d);
    return *n ? ps_sync_dir(ps->tmp) : CAIRN_OK;
}

/* Sums the sizes of the piece files present into ps->used. */
static cairn_err sum_pieces(cairn_piecestore *ps)
{
    DIR *d = opendir(ps->pieces);
    struct dirent *e;
    struct stat st;
    if (!d)
        return CAIRN_ERR_IO;
    ps->used = 0;
    while ((e = readdir(d)) != NULL)
        if (ps_is_piece_name(e->d_name) &&
            fstatat(dirfd(d), e->d_name, &st, 0) == 0 && S_ISREG(st.st_mode))
            ps->used += (uint64_t)st.st_size;
    closedir(d);
    return CAIRN_OK;
}

/* Fills the paths of ps for dir; BAD_ARG if one does not fit. */
static cairn_err set_paths(cairn_piecestore *ps, const char *dir)
{
    int a = snprintf(ps->dir, PS_DIR_MAX, "%s", dir);
    int b = snprintf(ps->pieces, PS_DIR_MAX, "%s/pieces", dir);
    int c = snprintf(ps->tmp, PS_DIR_MAX, "%s/tmp", dir);
    if (a < 0 || b < 0 || c < 0 || b >= PS_DIR_MAX || c >= PS_DIR_MAX)
        return CAIRN_ERR_BAD_ARG;
    return CAIRN_OK;
}

cairn_err cairn_piecestore_open(cairn_piecestore **out, const char *dir,
                                uint64_t capacity, uint64_t *cleaned)
{
    uint64_t n = 0;
    cairn_err e;
    *out = NULL;
    if (!dir || !*dir || capacity == 0)
        return CAIRN_ERR_BAD_ARG;
    cairn_piecestore *ps = calloc(1, sizeof *ps);
    if (!ps)
        return CAIRN_ERR_NOMEM;
    ps->capacity = capacity;
    if ((e = set_paths(ps, dir)) || (e = make_dir(ps->dir)) ||
        (e = make_dir(ps->pieces)) || (e = make_dir(ps->tmp)) ||
        (e = clean_tmp(ps, &n)) || (e = sum_pieces(ps))) {
        free(ps);
        return e;
    }
    pthread_mutex_init(&ps->lock, NULL);
    if (cleaned)
        *cleaned = n;
    *out = ps;
    return CAIRN_OK;
}

void cairn_piecestore_close(cairn_piecestore *ps)
{
    if (!ps)
        return;
    pthread_mutex_destroy(&ps->lock);
    free(ps);
}

void cairn_piecestore_usage(cairn_piecestore *ps, uint64_t *used,
                            uint64_t *capacity)
{
    pthread_mutex_lock(&ps->lock);
    *used = ps->used + ps->reserved;
    *capacity = ps->capacity;
    pthread_mutex_unlock(&ps->lock);
}

/* Takes `cost` bytes of the capacity for a put in progress. */
static cairn_err reserve(cairn_piecestore *ps, uint64_t cost)
{
    cairn_err e = CAIRN_OK;
    pthread_mutex_lock(&ps->lock);
    if (ps->used + ps->reserved > ps->capacity ||
        cost > ps->capacity - ps->used - ps->reserved)
        e = CAIRN_ERR_NO_SPACE;
    else
        ps->reserved += cost;
    pthread_mutex_unlock(&ps->lock);
    return e;
}

static void unreserve(cairn_piecestore *ps, uint64_t cost)
{
    pthread_mutex_lock(&ps->lock);
    ps->reserved -= cost;
    pthread_mutex_unlock(&ps->lock);
}

/* Writes header and bytes at the start of fd, in one call when the kernel
 * takes them at once. */
static cairn_err write_piece(int fd, const uint8_t *head, const uint8_t *bytes,
                             size_t size)
{
    struct iovec v[2] = {{(void *)head, CAIRN_PIECESTORE_HEADER},
                         {(void *)bytes, size}};
    size_t left = CAIRN_PIECESTORE_HEADER + size;
    int first = 0;
    off_t off = 0;
    while (left > 0) {
        ssize_t w = pwritev(fd, v + first, 2 - first, off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return CAIRN_ERR_IO;
        left -= (size_t)w;
        off += w;
        for (size_t n = (size_t)w; n > 0;) { /* skip what was written */
            size_t take = n < v[first].iov_len ? n : v[first].iov_len;
            v[first].iov_base = (uint8_t *)v[first].iov_base + take;
            v[first].iov_len -= take;
            n -= take;
            if (v[first].iov_len == 0 && first < 1)
                first++;
        }
    }
    return CAIRN_OK;
}

/* Checks that the bytes hash to root and takes their checksum, in one pass
 * over cache-sized chunks (both hashes read each chunk while it is hot).
 * BAD_PROOF if the root differs. */
static cairn_err check_and_sum(const cairn_hash *root, const uint8_t *bytes,
                               size_t size, cairn_hash *sum)
{
    cairn_piece_hasher ph;
    cairn_hasher ch;
    cairn_hash got;
    cairn_piece_hasher_init(&ph);
    cairn_hasher_init(&ch);
    for (size_t at = 0; at < size; at += PS_HASH_CHUNK) {
        size_t n = size - at < PS_HASH_CHUNK ? size - at : PS_HASH_CHUNK;
        if (cairn_piece_hasher_update(&ph, bytes + at, n))
            return CAIRN_ERR_BAD_ARG; /* cannot happen: size is bounded */
        cairn_hasher_update(&ch, bytes + at, n);
    }
    if (cairn_piece_hasher_final(&ph, &got))
        return CAIRN_ERR_BAD_ARG;
    if (memcmp(got.b, root->b, CAIRN_HASH_LEN) != 0)
        return CAIRN_ERR_BAD_PROOF;
    cairn_hasher_final(&ch, sum);
    return CAIRN_OK;
}

/* Writes header and bytes (whose checksum is sum) to a new file in DIR/tmp
 * and fsyncs it; its path goes to tmp_path. Nothing is left behind on
 * failure. Once the bytes are on disk the kernel is told that they will
 * not be read soon (a piece is read again at a challenge or a download,
 * seldom right away): a provider storing at full speed then reuses the
 * same page-cache pages instead of filling memory with pieces, which
 * costs less CPU per byte written (docs/storage.md, "Performance"). */
static cairn_err write_temp(const cairn_piecestore *ps, const cairn_hash *root,
                            const cairn_hash *sum, const uint8_t *bytes,
                            size_t size, char tmp_path[PS_PATH_MAX])
{
    char hex[2 * CAIRN_HASH_LEN + 1];
    uint8_t head[CAIRN_PIECESTORE_HEADER];
    ps_header h = {
        .size = size, .stored_at = (uint64_t)time(NULL), .checksum = *sum};
    cairn_hex_encode(hex, root->b, CAIRN_HASH_LEN);
    snprintf(tmp_path, PS_PATH_MAX, "%s/%s.XXXXXX", ps->tmp, hex);
    int fd = mkostemp(tmp_path, O_CLOEXEC);
    if (fd < 0)
        return CAIRN_ERR_IO;
    ps_header_encode(head, &h);
    cairn_err e = write_piece(fd, head, bytes, size);
    if (!e && fsync(fd) != 0)
        e = CAIRN_ERR_IO;
    if (!e)
        (void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED); /* advice only */
    if (close(fd) != 0 && !e)
        e = CAIRN_ERR_IO;
    if (e)
        unlink(tmp_path);
    return e;
}

/* 1 if piece root is present with these exact bytes (checksum and size). */
static int already_stored(cairn_piecestore *ps, const cairn_hash *root,
                          const uint8_t *bytes, size_t size)
{
    cairn_piece_stat st;
    uint8_t *old = NULL;
    size_t n = 0;
    if (cairn_piecestore_stat(ps, root, &st) || st.size != size)
        return 0;
    int same = cairn_piecestore_get(ps, root, &old, &n) == CAIRN_OK &&
               n == size && memcmp(old, bytes, size) == 0;
    free(old);
    return same;
}

/* Renames tmp_path over the piece's path and moves the reservation into
 * `used` (less the size of a damaged copy it replaces). */
static cairn_err publish(cairn_piecestore *ps, const cairn_hash *root,
                         const char *tmp_path, uint64_t cost)
{
    char path[PS_PATH_MAX];
    struct stat st;
    cairn_err e = CAIRN_OK;
    ps_piece_path(ps, root, path);
    pthread_mutex_lock(&ps->lock);
    uint64_t old = stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
    if (rename(tmp_path, path) != 0) {
        e = CAIRN_ERR_IO;
    } else {
        ps->used += cost;
        ps->used -= old <= ps->used ? old : ps->used;
    }
    ps->reserved -= cost;
    pthread_mutex_unlock(&ps->lock);
    if (e)
        unlink(tmp_path);
    return e;
}

cairn_err cairn_piecestore_put(cairn_piecestore *ps, const cairn_hash *root,
                               const uint8_t *bytes, size_t size)
{
    cairn_hash sum;
    char tmp_path[PS_PATH_MAX];
    if (size == 0 || size > CAIRN_PIECE_MAX)
        return CAIRN_ERR_BAD_ARG;
    cairn_err e = check_and_sum(root, bytes, size, &sum);
    if (e)
        return e;
    if (already_stored(ps, root, bytes, size))
        return CAIRN_OK;
    uint64_t cost = cairn_piecestore_cost(size);
    if ((e = reserve(ps, cost)))
        return e;
    if ((e = write_temp(ps, root, &sum, bytes, size, tmp_path))) {
        unreserve(ps, cost);
        return e;
    }
    if ((e = publish(ps, root, tmp_path, cost)))
        return e;
    return ps_sync_dir(ps->pieces);
}
