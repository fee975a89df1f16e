/* The provider's piece store (include/cairn/piecestore.h): reading with
 * checksum checks, proofs, deletion and listing, and the file helpers. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/codec.h"
#include "storage/piecestore_internal.h"

void ps_piece_path(const cairn_piecestore *ps, const cairn_hash *root,
                   char out[PS_PATH_MAX])
{
    char hex[2 * CAIRN_HASH_LEN + 1];
    cairn_hex_encode(hex, root->b, CAIRN_HASH_LEN);
    snprintf(out, PS_PATH_MAX, "%s/%s", ps->pieces, hex);
}

int ps_is_piece_name(const char *name)
{
    size_t i = 0;
    for (; name[i]; i++)
        if (i >= 2 * CAIRN_HASH_LEN || !((name[i] >= '0' && name[i] <= '9') ||
                                         (name[i] >= 'a' && name[i] <= 'f')))
            return 0;
    return i == 2 * CAIRN_HASH_LEN;
}

void ps_header_encode(uint8_t out[CAIRN_PIECESTORE_HEADER], const ps_header *h)
{
    cairn_buf b;
    cairn_buf_init(&b, CAIRN_PIECESTORE_HEADER);
    cairn_put_bytes(&b, PS_MAGIC, 8);
    cairn_put_u32(&b, PS_VERSION);
    cairn_put_u32(&b, 0);
    cairn_put_u64(&b, h->size);
    cairn_put_u64(&b, h->stored_at);
    cairn_put_bytes(&b, h->checksum.b, CAIRN_HASH_LEN);
    memset(out, 0, CAIRN_PIECESTORE_HEADER);
    if (!b.err)
        memcpy(out, b.p, b.len);
    cairn_buf_free(&b);
}

cairn_err ps_header_decode(ps_header *h,
                           const uint8_t in[CAIRN_PIECESTORE_HEADER])
{
    cairn_reader r;
    uint8_t magic[8];
    cairn_reader_init(&r, in, CAIRN_PIECESTORE_HEADER);
    cairn_get_bytes(&r, magic, 8);
    uint32_t version = cairn_get_u32(&r);
    uint32_t reserved = cairn_get_u32(&r);
    h->size = cairn_get_u64(&r);
    h->stored_at = cairn_get_u64(&r);
    cairn_get_bytes(&r, h->checksum.b, CAIRN_HASH_LEN);
    if (cairn_reader_done(&r) || memcmp(magic, PS_MAGIC, 8) != 0 ||
        version != PS_VERSION || reserved != 0 || h->size == 0 ||
        h->size > CAIRN_PIECE_MAX)
        return CAIRN_ERR_CORRUPT;
    return CAIRN_OK;
}

cairn_err ps_pread_all(int fd, void *p, size_t n, uint64_t off)
{
    uint8_t *b = p;
    while (n > 0) {
        ssize_t r = pread(fd, b, n, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return CAIRN_ERR_IO;
        if (r == 0)
            return CAIRN_ERR_CORRUPT;
        b += r;
        n -= (size_t)r;
        off += (uint64_t)r;
    }
    return CAIRN_OK;
}

cairn_err ps_read_header(int fd, ps_header *h)
{
    uint8_t head[CAIRN_PIECESTORE_HEADER];
    struct stat st;
    if (fstat(fd, &st) != 0)
        return CAIRN_ERR_IO;
    if ((uint64_t)st.st_size < CAIRN_PIECESTORE_HEADER)
        return CAIRN_ERR_CORRUPT;
    cairn_err e = ps_pread_all(fd, head, sizeof head, 0);
    if (!e)
        e = ps_header_decode(h, head);
    if (!e && (uint64_t)st.st_size != cairn_piecestore_cost(h->size))
        e = CAIRN_ERR_CORRUPT;
    return e;
}

cairn_err ps_sync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return CAIRN_ERR_IO;
    int rc = fsync(fd);
    close(fd);
    return rc == 0 ? CAIRN_OK : CAIRN_ERR_IO;
}

/* Opens piece root for reading: NOT_FOUND or IO. */
static cairn_err open_piece(cairn_piecestore *ps, const cairn_hash *root,
                            int *fd)
{
    char path[PS_PATH_MAX];
    ps_piece_path(ps, root, path);
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd >= 0)
        return CAIRN_OK;
    return errno == ENOENT ? CAIRN_ERR_NOT_FOUND : CAIRN_ERR_IO;
}

cairn_err cairn_piecestore_stat(cairn_piecestore *ps, const cairn_hash *root,
                                cairn_piece_stat *st)
{
    ps_header h;
    int fd;
    cairn_err e = open_piece(ps, root, &fd);
    if (e)
        return e;
    e = ps_read_header(fd, &h);
    close(fd);
    if (e)
        return e;
    st->root = *root;
    st->size = h.size;
    st->stored_at = h.stored_at;
    return CAIRN_OK;
}

cairn_err cairn_piecestore_get(cairn_piecestore *ps, const cairn_hash *root,
                               uint8_t **bytes, size_t *size)
{
    ps_header h;
    cairn_hash sum;
    int fd;
    *bytes = NULL;
    *size = 0;
    cairn_err e = open_piece(ps, root, &fd);
    if (e)
        return e;
    uint8_t *p = NULL;
    if (!(e = ps_read_header(fd, &h)) && !(p = malloc(h.size)))
        e = CAIRN_ERR_NOMEM;
    if (!e)
        e = ps_pread_all(fd, p, h.size, CAIRN_PIECESTORE_HEADER);
    close(fd);
    if (!e) {
        cairn_hash_bytes(&sum, p, h.size);
        if (memcmp(sum.b, h.checksum.b, CAIRN_HASH_LEN) != 0)
            e = CAIRN_ERR_CORRUPT;
    }
    if (e) {
        free(p);
        return e;
    }
    *bytes = p;
    *size = h.size;
    return CAIRN_OK;
}

cairn_err cairn_piecestore_prove(cairn_piecestore *ps, const cairn_hash *root,
                                 uint64_t index, uint8_t leaf[CAIRN_LEAF_SIZE],
                                 cairn_merkle_proof *pf)
{
    uint8_t *p;
    size_t n;
    cairn_err e = cairn_piecestore_get(ps, root, &p, &n);
    if (e)
        return e;
    e = cairn_piece_prove(leaf, pf, p, n, index);
    free(p);
    return e;
}

cairn_err cairn_piecestore_delete(cairn_piecestore *ps, const cairn_hash *root)
{
    char path[PS_PATH_MAX];
    struct stat st;
    cairn_err e = CAIRN_OK;
    ps_piece_path(ps, root, path);
    pthread_mutex_lock(&ps->lock);
    if (stat(path, &st) != 0)
        e = errno == ENOENT ? CAIRN_ERR_NOT_FOUND : CAIRN_ERR_IO;
    else if (unlink(path) != 0)
        e = CAIRN_ERR_IO;
    else
        ps->used -=
            (uint64_t)st.st_size <= ps->used ? (uint64_t)st.st_size : ps->used;
    pthread_mutex_unlock(&ps->lock);
    return e ? e : ps_sync_dir(ps->pieces);
}

/* Appends one entry to a growing array. */
static cairn_err push(cairn_piece_stat **arr, size_t *n, size_t *cap,
                      const cairn_piece_stat *st)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        cairn_piece_stat *a = realloc(*arr, nc * sizeof *a);
        if (!a)
            return CAIRN_ERR_NOMEM;
        *arr = a;
        *cap = nc;
    }
    (*arr)[(*n)++] = *st;
    return CAIRN_OK;
}

cairn_err cairn_piecestore_list(cairn_piecestore *ps, cairn_piece_stat **out,
                                size_t *n)
{
    DIR *d = opendir(ps->pieces);
    struct dirent *ent;
    cairn_piece_stat st, *arr = NULL;
    size_t cnt = 0, cap = 0;
    cairn_err e = d ? CAIRN_OK : CAIRN_ERR_IO;
    *out = NULL;
    *n = 0;
    while (!e && (ent = readdir(d)) != NULL) {
        cairn_hash root;
        if (!ps_is_piece_name(ent->d_name) ||
            cairn_hex_decode(root.b, CAIRN_HASH_LEN, ent->d_name,
                             2 * CAIRN_HASH_LEN) ||
            cairn_piecestore_stat(ps, &root, &st))
            continue;
        e = push(&arr, &cnt, &cap, &st);
    }
    if (d)
        closedir(d);
    if (e) {
        free(arr);
        return e;
    }
    *out = arr;
    *n = cnt;
    return CAIRN_OK;
}
