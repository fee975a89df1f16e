/* The validator's commit files: DATA/commits/<epoch> holds the reveal
 * body of that epoch's commit (cairn_weights_reveal_encode), written
 * durably before the commit is sent. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/parse.h"
#include "compute/validator/validator.h"
#include "core/durable.h"

#define REVEAL_MAX (4 + 8 + 2 + 4 * CAIRN_SUBNET_MAX_MINERS + 32)

static void commit_path(const val *v, uint64_t epoch, char *out, size_t len)
{
    if (epoch == UINT64_MAX)
        snprintf(out, len, "%s/commits", v->cfg.data);
    else
        snprintf(out, len, "%s/commits/%llu", v->cfg.data,
                 (unsigned long long)epoch);
}

cairn_err val_commit_save(const val *v, uint64_t epoch,
                          const cairn_weights_reveal *r)
{
    char path[VAL_PATH_MAX];
    commit_path(v, UINT64_MAX, path, sizeof path);
    if (mkdir(path, 0700) != 0 && access(path, W_OK) != 0)
        return CAIRN_ERR_IO;
    cairn_buf b;
    cairn_buf_init(&b, REVEAL_MAX);
    cairn_weights_reveal_encode(&b, r);
    cairn_err e = b.err;
    commit_path(v, epoch, path, sizeof path);
    if (!e)
        e = cairn_write_durable(path, b.p, b.len);
    cairn_buf_free(&b);
    return e;
}

cairn_err val_commit_load(const val *v, uint64_t epoch, cairn_weights_reveal *r)
{
    char path[VAL_PATH_MAX];
    unsigned char *p;
    size_t n;
    commit_path(v, epoch, path, sizeof path);
    cairn_err e = cairn_read_small(path, REVEAL_MAX, &p, &n);
    if (e)
        return e;
    e = cairn_weights_reveal_decode(r, p, n);
    free(p);
    if (!e && r->epoch != epoch)
        e = CAIRN_ERR_BAD_BODY; /* a file under another epoch's name */
    return e;
}

void val_commit_prune(const val *v, uint64_t keep_from)
{
    char dirp[VAL_PATH_MAX], path[VAL_PATH_MAX + 300];
    commit_path(v, UINT64_MAX, dirp, sizeof dirp);
    DIR *d = opendir(dirp);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        uint64_t ep;
        if (cairn_parse_u64(de->d_name, &ep) == CAIRN_OK && ep < keep_from) {
            snprintf(path, sizeof path, "%s/%s", dirp, de->d_name);
            unlink(path);
        }
    }
    closedir(d);
}
