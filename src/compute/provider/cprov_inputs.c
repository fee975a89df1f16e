/* A lease's storage inputs (cprov_inputs.h).
 *
 * A manifest file {"path": P, "storage": ID} names one of the tenant's
 * files in the storage sector; the tenant's client sent that file's key
 * with the manifest (docs/compute-provider.md). The provider finds the
 * file's pieces from the tenant's deals on chain (each carries the file's
 * tag: its id, k, n, segment size and size; and the piece's segment,
 * index, root and provider), fetches k good pieces of every segment from
 * the storage providers with `cairn get`'s code (storage/client/keyget.h,
 * shared with the sensor client), decrypts them with the key, and puts the file
 * at P in the work directory: written to a temporary file there, then renamed
 * into place through directories opened without following links. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compute/provider/cprov_inputs.h"
#include "compute/provider/cprov_internal.h"
#include "net/node_rpc.h"
#include "storage/client/keyget.h"

/* One input being gathered: its file and pieces, and its key. */
typedef struct input {
    ckey_file k;
    const uint8_t *key;
} input;

static input *input_of(input *in, size_t n, const uint8_t *id)
{
    for (size_t i = 0; i < n; i++)
        if (!memcmp(in[i].k.id, id, CAIRN_CP_FILE_ID_LEN))
            return &in[i];
    return NULL;
}

/* Reads the tenant's deals (bounded) into the inputs. */
static cairn_err scan_deals(cprov *p, const cairn_pubkey *tenant, input *in,
                            size_t nin, char *msg, size_t len)
{
    ckey_file files[CAIRN_MANIFEST_FILES_MAX];
    for (size_t i = 0; i < nin; i++)
        files[i] = in[i].k;
    cairn_err e = ckey_scan(p->cfg.node, tenant, files, nin, msg, len);
    for (size_t i = 0; i < nin; i++)
        in[i].k = files[i];
    return e;
}

/* Opens (making them) the directories above `path` under dirfd without
 * following links; *base points at the last part. A new fd, or -1. */
static int open_parent(int dirfd, const char *path, const char **base)
{
    char part[CAIRN_MANIFEST_PATH_MAX + 1];
    int fd = dup(dirfd);
    const char *s = path, *slash;
    while (fd >= 0 && (slash = strchr(s, '/'))) {
        size_t n = (size_t)(slash - s);
        memcpy(part, s, n);
        part[n] = '\0';
        if (mkdirat(fd, part, 0755) != 0 && errno != EEXIST) {
            close(fd);
            return -1;
        }
        int next =
            openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        close(fd);
        fd = next;
        s = slash + 1;
    }
    *base = s;
    return fd;
}

/* Fetches input x into `path` under work. */
static cairn_err fetch_one(cprov *p, input *x, const char *work,
                           const char *path, char *msg, size_t len)
{
    char tmp[CPROV_PATH_MAX + 32];
    const char *base;
    snprintf(tmp, sizeof tmp, "%s/.cairn-input-XXXXXX", work);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        snprintf(msg, len, "cannot write in the work directory: %s",
                 strerror(errno));
        return CAIRN_ERR_IO;
    }
    cairn_err e =
        ckey_get(p->cfg.node, &p->cfg.key, &x->k, x->key, fd, msg, len);
    if (!e && (fchmod(fd, 0644) != 0 || fsync(fd) != 0))
        e = CAIRN_ERR_IO;
    close(fd);
    int wfd = e ? -1 : open(work, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int pfd = wfd >= 0 ? open_parent(wfd, path, &base) : -1;
    if (!e && (pfd < 0 || renameat(wfd, strrchr(tmp, '/') + 1, pfd, base))) {
        e = CAIRN_ERR_IO;
        snprintf(msg, len, "%s", cairn_strerror(e));
    }
    if (pfd >= 0)
        close(pfd);
    if (wfd >= 0)
        close(wfd);
    if (e)
        unlink(tmp);
    return e;
}

/* Sets up one input per storage file of m (keys from the stored ones). */
static cairn_err plan(const cairn_manifest *m, const uint8_t *keys,
                      size_t nkeys, input *in, size_t *nin, char *msg,
                      size_t len)
{
    *nin = 0;
    for (size_t i = 0; i < m->nfiles; i++) {
        const cairn_mfile *mf = &m->files[i];
        input *x = &in[*nin];
        if (mf->kind != CAIRN_MFILE_STORAGE)
            continue;
        memset(x, 0, sizeof *x);
        if (strlen(mf->storage_id) != 2 * CAIRN_CP_FILE_ID_LEN ||
            cairn_hex_decode(x->k.id, sizeof x->k.id, mf->storage_id,
                             strlen(mf->storage_id)))
            goto no_key;
        for (size_t k = 0; k < nkeys && !x->key; k++)
            if (!memcmp(keys + k * CAIRN_CP_KEY_ENTRY, x->k.id, sizeof x->k.id))
                x->key = keys + k * CAIRN_CP_KEY_ENTRY + CAIRN_CP_FILE_ID_LEN;
        if (!x->key)
            goto no_key;
        if (!input_of(in, *nin, x->k.id))
            (*nin)++;
        continue;
    no_key:
        snprintf(msg, len, "files[%zu] (%s): no key for storage file %s", i,
                 mf->path, mf->storage_id);
        return CAIRN_ERR_BAD_MANIFEST;
    }
    return CAIRN_OK;
}

/* Gets every input to its paths, within the disk budget. */
static cairn_err get_all(cprov *p, const cairn_manifest *m, input *in,
                         size_t nin, const cprov_input_ctx *ctx,
                         const char *work, char *msg, size_t len)
{
    uint64_t used = 0;
    for (size_t i = 0; i < m->nfiles; i++) {
        const cairn_mfile *mf = &m->files[i];
        uint8_t id[CAIRN_CP_FILE_ID_LEN];
        char why[CPROV_NOTE_MAX + 1];
        if (mf->kind != CAIRN_MFILE_STORAGE ||
            cairn_hex_decode(id, sizeof id, mf->storage_id,
                             strlen(mf->storage_id)))
            continue;
        input *x = input_of(in, nin, id);
        if (!x || !x->k.found) {
            snprintf(msg, len,
                     "files[%zu] (%s): the tenant has no storage file %s on "
                     "chain",
                     i, mf->path, mf->storage_id);
            return CAIRN_ERR_NOT_FOUND;
        }
        used += x->k.f.fi.size;
        if (used > ctx->disk_bytes) {
            snprintf(msg, len,
                     "files[%zu] (%s): the storage inputs exceed the lease's "
                     "disk (%llu bytes)",
                     i, mf->path, (unsigned long long)ctx->disk_bytes);
            return CAIRN_ERR_NO_SPACE;
        }
        cairn_err e = fetch_one(p, x, work, mf->path, why, sizeof why);
        if (e) {
            snprintf(msg, len, "files[%zu] (%s): storage file %s: %s", i,
                     mf->path, mf->storage_id, why);
            return e;
        }
    }
    return CAIRN_OK;
}

cairn_err cprov_fetch_inputs(cprov *p, const cprov_input_ctx *ctx,
                             const cairn_manifest *m, const char *work,
                             char *msg, size_t len)
{
    input in[CAIRN_MANIFEST_FILES_MAX];
    uint8_t *keys = NULL;
    size_t nkeys = 0, nin = 0, want = 0;
    for (size_t i = 0; i < m->nfiles; i++)
        want += m->files[i].kind == CAIRN_MFILE_STORAGE;
    if (!want)
        return CAIRN_OK;
    if (!p->cfg.node) {
        snprintf(msg, len, "storage inputs need a node");
        return CAIRN_ERR_NOT_READY;
    }
    cairn_err e = cprov_load_keys(p, ctx->lease, &keys, &nkeys);
    nkeys = e ? 0 : nkeys / CAIRN_CP_KEY_ENTRY;
    e = plan(m, keys, nkeys, in, &nin, msg, len);
    if (!e)
        e = scan_deals(p, &ctx->tenant, in, nin, msg, len);
    if (!e)
        e = get_all(p, m, in, nin, ctx, work, msg, len);
    for (size_t i = 0; i < nin; i++)
        ckey_free(&in[i].k);
    if (keys)
        sodium_memzero(keys, nkeys * CAIRN_CP_KEY_ENTRY);
    free(keys);
    return e;
}
