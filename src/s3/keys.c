/* The gateway's access keys file (keys.h, docs/s3-auth.md). */
#include "s3/keys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#define LINE_MAX_LEN 8192

static int id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 3 || n > 128)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

static int secret_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 8 || n > 128)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7F)
            return 0;
    return 1;
}

/* The fields of line (split in place on blanks), at most max; returns how
 * many, max + 1 when there are more. */
static int split(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            return n;
        if (n == max)
            return max + 1;
        f[n++] = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (*p)
            *p++ = 0;
    }
}

/* key_file resolved against the keys file's folder when relative. */
static int resolve(char *out, size_t cap, const char *path, const char *kf)
{
    if (kf[0] == '/') {
        return snprintf(out, cap, "%s", kf) < (int)cap ? 0 : -1;
    }
    const char *slash = strrchr(path, '/');
    int dl = slash ? (int)(slash - path) : 0;
    int w = slash ? snprintf(out, cap, "%.*s/%s", dl, path, kf)
                  : snprintf(out, cap, "%s", kf);
    return w >= 0 && (size_t)w < cap ? 0 : -1;
}

cairn_err s3_keys_load(s3_keys *out, const char *path, char *why, size_t whylen)
{
    out->k = NULL;
    out->n = 0;
    if (whylen)
        why[0] = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, whylen,
                 "cannot open the access keys file %s: %s (give --keys a "
                 "file of lines 'ACCESS_KEY_ID SECRET [KEY_FILE|-] [rw|ro]', "
                 "docs/s3-auth.md)",
                 path, strerror(errno));
        return CAIRN_ERR_IO;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && (st.st_mode & 022)) {
        snprintf(why, whylen,
                 "the access keys file %s is writable by group or others "
                 "(anyone could add a key): chmod 600 %s",
                 path, path);
        fclose(f);
        return CAIRN_ERR_BAD_KEY;
    }
    char *line = malloc(LINE_MAX_LEN + 2);
    size_t cap = 0;
    cairn_err rc = CAIRN_OK;
    unsigned lineno = 0;
    if (!line) {
        fclose(f);
        return CAIRN_ERR_NOMEM;
    }
    while (fgets(line, LINE_MAX_LEN + 2, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len > LINE_MAX_LEN) {
            snprintf(why, whylen, "%s line %u: longer than %d bytes", path,
                     lineno, LINE_MAX_LEN);
            rc = CAIRN_ERR_BAD_KEY;
            break;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        char *fld[4];
        int nf = split(line, fld, 4);
        if (nf == 0 || fld[0][0] == '#')
            continue;
        if (nf < 2 || nf > 4) {
            snprintf(why, whylen,
                     "%s line %u: expected 'ACCESS_KEY_ID SECRET "
                     "[KEY_FILE|-] [rw|ro]' (2 to 4 fields), found %d",
                     path, lineno, nf > 4 ? 5 : nf);
            rc = CAIRN_ERR_BAD_KEY;
            break;
        }
        if (!id_ok(fld[0])) {
            snprintf(why, whylen,
                     "%s line %u: the access key id must be 3 to 128 of "
                     "A-Z a-z 0-9 . _ -",
                     path, lineno);
            rc = CAIRN_ERR_BAD_KEY;
            break;
        }
        if (!secret_ok(fld[1])) {
            snprintf(why, whylen,
                     "%s line %u: the secret of %s must be 8 to 128 "
                     "printable ASCII characters without blanks",
                     path, lineno, fld[0]);
            rc = CAIRN_ERR_BAD_KEY;
            break;
        }
        if (s3_keys_find(out, fld[0])) {
            snprintf(why, whylen, "%s line %u: access key id %s appears twice",
                     path, lineno, fld[0]);
            rc = CAIRN_ERR_BAD_KEY;
            break;
        }
        const char *kf = nf >= 3 ? fld[2] : "-";
        const char *mode = nf >= 4 ? fld[3] : "rw";
        if (nf == 3 && (strcmp(kf, "rw") == 0 || strcmp(kf, "ro") == 0)) {
            /* `ID SECRET ro`: the mode without a key file */
            mode = kf;
            kf = "-";
        }
        int ro;
        if (strcmp(mode, "rw") == 0) {
            ro = 0;
        } else if (strcmp(mode, "ro") == 0) {
            ro = 1;
        } else {
            snprintf(why, whylen,
                     "%s line %u: the access mode must be rw or ro, not '%s'",
                     path, lineno, mode);
            rc = CAIRN_ERR_BAD_KEY;
            break;
        }
        if (out->n == S3_KEYS_MAX) {
            snprintf(why, whylen, "%s line %u: more than %d keys", path, lineno,
                     S3_KEYS_MAX);
            rc = CAIRN_ERR_BAD_KEY;
            break;
        }
        if (out->n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            s3_key *nk = realloc(out->k, nc * sizeof *nk);
            if (!nk) {
                rc = CAIRN_ERR_NOMEM;
                break;
            }
            out->k = nk;
            cap = nc;
        }
        s3_key *k = &out->k[out->n];
        memset(k, 0, sizeof *k);
        memcpy(k->id, fld[0], strlen(fld[0]) + 1);
        memcpy(k->secret, fld[1], strlen(fld[1]) + 1);
        k->read_only = ro;
        if (strcmp(kf, "-") != 0) {
            if (resolve(k->key_file, sizeof k->key_file, path, kf) != 0) {
                snprintf(why, whylen,
                         "%s line %u: the key file path is too "
                         "long",
                         path, lineno);
                sodium_memzero(k, sizeof *k);
                rc = CAIRN_ERR_BAD_KEY;
                break;
            }
            if (access(k->key_file, R_OK) != 0) {
                snprintf(why, whylen,
                         "%s line %u: cannot read the key file %s of %s: %s "
                         "(create it with `cairn keygen`, or write - for the "
                         "gateway's --key)",
                         path, lineno, k->key_file, fld[0], strerror(errno));
                sodium_memzero(k, sizeof *k);
                rc = CAIRN_ERR_BAD_KEY;
                break;
            }
        }
        out->n++;
    }
    if (rc == CAIRN_OK && ferror(f)) {
        snprintf(why, whylen, "cannot read the access keys file %s", path);
        rc = CAIRN_ERR_IO;
    }
    if (rc == CAIRN_OK && out->n == 0) {
        snprintf(why, whylen,
                 "the access keys file %s has no key: add a line "
                 "'ACCESS_KEY_ID SECRET [KEY_FILE|-] [rw|ro]'",
                 path);
        rc = CAIRN_ERR_BAD_KEY;
    }
    sodium_memzero(line, LINE_MAX_LEN + 2);
    free(line);
    fclose(f);
    if (rc != CAIRN_OK)
        s3_keys_free(out);
    return rc;
}

void s3_keys_free(s3_keys *k)
{
    if (!k)
        return;
    if (k->k) {
        sodium_memzero(k->k, k->n * sizeof *k->k);
        free(k->k);
    }
    k->k = NULL;
    k->n = 0;
}

const s3_key *s3_keys_find(const s3_keys *k, const char *id)
{
    if (!k || !id)
        return NULL;
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->k[i].id, id) == 0)
            return &k->k[i];
    return NULL;
}
