/* An app reading granted sensor data (sread.h). */
#define _GNU_SOURCE
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/node_rpc.h"
#include "sensor/client/sread.h"
#include "storage/client/keyget.h"

static int hex_field(const json_t *o, const char *k, uint8_t *out, size_t n)
{
    const char *s = json_string_value(json_object_get(o, k));
    return !s || strlen(s) != 2 * n || cairn_hex_decode(out, n, s, 2 * n) ? -1
                                                                          : 0;
}

int sread_batch_from_json(sread_batch *b, const json_t *o, const char *app)
{
    const json_t *k;
    size_t i;
    memset(b, 0, sizeof *b);
    if (snode_u64(o, "seq", &b->seq) ||
        snode_u64(o, "t_from_ms", &b->t_from_ms) ||
        snode_u64(o, "t_to_ms", &b->t_to_ms) ||
        hex_field(o, "content", b->content.b, sizeof b->content.b) ||
        hex_field(o, "file_id", b->file_id, sizeof b->file_id))
        return -1;
    json_array_foreach(json_object_get(o, "keys"), i, k)
    {
        const char *a = json_string_value(json_object_get(k, "app"));
        if (a && !strcmp(a, app) && !hex_field(k, "box", b->box, sizeof b->box))
            b->has_key = 1;
    }
    return 0;
}

cairn_err sread_decode(const uint8_t *file, size_t len,
                       const cairn_hash *content,
                       const uint8_t grant_key[SBATCH_KEY_LEN], uint32_t hint,
                       sbatch_reading **out, uint32_t *n, uint32_t *privs,
                       char *why, size_t wl)
{
    static const uint32_t order[] = {CAIRN_SENSOR_PRIV_ALL,
                                     CAIRN_SENSOR_PRIV_LOCATION,
                                     CAIRN_SENSOR_PRIV_TELEMETRY};
    cairn_hash h;
    sbatch_view v;
    *out = NULL;
    sbatch_content(&h, file, len);
    if (sodium_memcmp(h.b, content->b, sizeof h.b)) {
        snprintf(why, wl,
                 "the file fetched is not the batch the chain "
                 "registered (its BLAKE2b-256 differs)");
        return CAIRN_ERR_CORRUPT;
    }
    cairn_err e = sbatch_parse(&v, file, len, why, wl);
    if (e)
        return e;
    sbatch_reading *r = malloc((size_t)v.n * sizeof *r);
    if (!r) {
        snprintf(why, wl, "out of memory");
        return CAIRN_ERR_NOMEM;
    }
    e = CAIRN_ERR_BAD_ARG;
    for (int i = -1; i < 3 && e; i++) {
        uint32_t p = i < 0 ? hint : order[i];
        if ((i >= 0 && p == hint) || (p & ~CAIRN_SENSOR_PRIV_ALL) || !p)
            continue;
        e = sbatch_open(&v, p, grant_key, r, why, wl);
        if (!e)
            *privs = p;
    }
    if (e) {
        free(r);
        return e;
    }
    *out = r;
    *n = v.n;
    return CAIRN_OK;
}

void sread_csv_header(FILE *f, uint32_t privs)
{
    fprintf(f, "t_ms%s%s\n",
            privs & CAIRN_SENSOR_PRIV_LOCATION ? ",lat,lon" : "",
            privs & CAIRN_SENSOR_PRIV_TELEMETRY ? ",value" : "");
}

/* Micro-degrees as degrees with 6 decimals. */
static void deg(FILE *f, int32_t u)
{
    long long v = u;
    unsigned long long a =
        v < 0 ? (unsigned long long)-v : (unsigned long long)v;
    fprintf(f, ",%s%llu.%06llu", v < 0 ? "-" : "", a / 1000000, a % 1000000);
}

void sread_csv_rows(FILE *f, const sbatch_reading *r, uint32_t n, uint32_t cols,
                    uint32_t opened)
{
    for (uint32_t i = 0; i < n; i++) {
        fprintf(f, "%llu", (unsigned long long)r[i].t_ms);
        if ((cols & opened) & CAIRN_SENSOR_PRIV_LOCATION) {
            deg(f, r[i].lat_udeg);
            deg(f, r[i].lon_udeg);
        } else if (cols & CAIRN_SENSOR_PRIV_LOCATION) {
            fputs(",,", f);
        }
        if ((cols & opened) & CAIRN_SENSOR_PRIV_TELEMETRY)
            fprintf(f, ",%lld", (long long)r[i].value);
        else if (cols & CAIRN_SENSOR_PRIV_TELEMETRY)
            fputc(',', f);
        fputc('\n', f);
    }
}

/* Gets file x with key into a malloc'd buffer (through a memory file). */
static cairn_err get_one(const char *node, const cairn_keypair *who,
                         ckey_file *x, const uint8_t *key, uint8_t **out,
                         size_t *len, char *why, size_t wl)
{
    struct stat st;
    int fd = memfd_create("cairn-sensor-batch", MFD_CLOEXEC);
    if (fd < 0) {
        snprintf(why, wl, "cannot make a memory file");
        return CAIRN_ERR_IO;
    }
    cairn_err e = ckey_get(node, who, x, key, fd, why, wl);
    if (!e && (fstat(fd, &st) || st.st_size < 0 ||
               (uint64_t)st.st_size > SBATCH_FILE_MAX)) {
        snprintf(why, wl, "the stored file is larger than a batch can be");
        e = CAIRN_ERR_CORRUPT;
    }
    uint8_t *buf = e ? NULL : malloc((size_t)st.st_size + 1);
    if (!e && !buf) {
        snprintf(why, wl, "out of memory");
        e = CAIRN_ERR_NOMEM;
    }
    if (!e && pread(fd, buf, (size_t)st.st_size, 0) != st.st_size) {
        snprintf(why, wl, "cannot read the fetched file back");
        e = CAIRN_ERR_IO;
    }
    close(fd);
    if (e) {
        free(buf);
        return e;
    }
    *out = buf;
    *len = (size_t)st.st_size;
    return CAIRN_OK;
}

cairn_err sread_fetch(const char *node, const cairn_keypair *who,
                      const cairn_pubkey *owner, const sread_batch *b, size_t n,
                      uint8_t **files, size_t *lens,
                      uint8_t (*gkeys)[SBATCH_KEY_LEN],
                      char (*fail)[SREAD_WHY_MAX], char *why, size_t wl)
{
    ckey_file *k = calloc(n ? n : 1, sizeof *k);
    if (!k) {
        snprintf(why, wl, "out of memory");
        return CAIRN_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        files[i] = NULL;
        lens[i] = 0;
        fail[i][0] = '\0';
        memcpy(k[i].id, b[i].file_id, sizeof k[i].id);
    }
    cairn_err e = ckey_scan(node, owner, k, n, why, wl);
    for (size_t i = 0; !e && i < n; i++) {
        uint8_t fkey[SBATCH_KEY_LEN];
        if (!b[i].has_key)
            continue;
        if (!k[i].found) {
            snprintf(fail[i], SREAD_WHY_MAX,
                     "no storage deal of the owner holds its file (ended, "
                     "or not stored yet)");
            continue;
        }
        if (sbatch_seal_open(fkey, gkeys[i], b[i].box, who)) {
            snprintf(fail[i], SREAD_WHY_MAX,
                     "its sealed key does not open with this key");
            continue;
        }
        if (get_one(node, who, &k[i], fkey, &files[i], &lens[i], fail[i],
                    SREAD_WHY_MAX))
            files[i] = NULL;
        sodium_memzero(fkey, sizeof fkey);
    }
    for (size_t i = 0; i < n; i++)
        ckey_free(&k[i]);
    free(k);
    return e;
}
