/* libFuzzer target for cairn_manifest_parse (compute/manifest.c).
 *
 * Any bytes must parse to OK or BAD_MANIFEST (NOMEM aside) without
 * crashing or leaking; a refusal says why, naming a field ("x: ..."). A
 * manifest that parses keeps the documented bounds, its hash is of the
 * bytes, and its order is one the chain can take. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/crypto.h"
#include "compute/manifest.h"

/* 1 when path has an empty, "." or ".." part. */
static int bad_part(const char *path)
{
    for (const char *s = path;; s++) {
        size_t n = strcspn(s, "/");
        if (n == 0 || (n == 1 && s[0] == '.') ||
            (n == 2 && s[0] == '.' && s[1] == '.'))
            return 1;
        s += n;
        if (!*s)
            return 0;
    }
}

/* The bounds a parsed manifest keeps. */
static void check(const cairn_manifest *m, const uint8_t *data, size_t size)
{
    cairn_hash h;
    cairn_order o;
    if (m->argc < 1 || m->argc > CAIRN_MANIFEST_ARGS_MAX || !m->argv[0][0] ||
        m->argv[m->argc] || m->nenv > CAIRN_MANIFEST_ENV_MAX ||
        m->nfiles > CAIRN_MANIFEST_FILES_MAX)
        abort();
    for (size_t i = 0; i < m->nenv; i++)
        if (!strchr(m->env[i], '='))
            abort();
    for (size_t i = 0; i < m->nfiles; i++) {
        const cairn_mfile *f = &m->files[i];
        size_t n = strlen(f->path);
        if (n == 0 || n > CAIRN_MANIFEST_PATH_MAX || bad_part(f->path))
            abort();
        if (f->kind == CAIRN_MFILE_STORAGE ? !f->storage_id
                                           : f->kind != CAIRN_MFILE_INLINE)
            abort();
    }
    if (m->cpus < 1 || m->cpus > CAIRN_COMPUTE_CPUS_MAX || m->mem_mib < 1 ||
        m->mem_mib > CAIRN_COMPUTE_MIB_MAX || m->disk_mib < 1 ||
        m->disk_mib > CAIRN_COMPUTE_MIB_MAX || m->max_epochs < 1 ||
        m->max_price < 1 || (m->escrow && m->escrow < m->max_price))
        abort();
    cairn_hash_bytes(&h, data, size);
    if (memcmp(h.b, m->hash.b, CAIRN_HASH_LEN) != 0)
        abort();
    cairn_manifest_order(m, &o);
    if (o.escrow < o.max_price || o.bid_blocks != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    cairn_manifest m;
    char msg[256];
    if (!ready) {
        cairn_crypto_init();
        ready = 1;
    }
    msg[0] = '\0';
    cairn_err e = cairn_manifest_parse(&m, data, size, msg, sizeof msg);
    if (e == CAIRN_OK) {
        check(&m, data, size);
    } else if (e == CAIRN_ERR_BAD_MANIFEST) {
        if (!strstr(msg, ": "))
            abort(); /* every refusal names its field */
    } else if (e != CAIRN_ERR_NOMEM) {
        abort();
    }
    cairn_manifest_free(&m);
    return 0;
}
