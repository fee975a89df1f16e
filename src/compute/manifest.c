/* The compute manifest: parsing and checking the tenant's JSON
 * (compute/manifest.h). Every fault names its field. */
#include "compute/manifest.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/amount.h"
#include "cairn/crypto.h"
#include "cairn/parse.h"
#include "compute/manifest_util.h"

/* Returns a copy of s (NULL when out of memory). */
static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* The first name in object o that is not in known (NULL-terminated), or
 * NULL when all are known. */
static const char *unknown_key(const json_t *o, const char *const *known)
{
    const char *k;
    json_t *val;
    json_object_foreach((json_t *)o, k, val)
    {
        size_t i = 0;
        while (known[i] && strcmp(known[i], k))
            i++;
        if (!known[i])
            return k;
    }
    return NULL;
}

static int no_memory(char *msg, size_t len)
{
    return mf_fail(msg, len, "manifest", "out of memory");
}

static int parse_command(cairn_manifest *m, const json_t *v, char *msg,
                         size_t len)
{
    if (!v)
        return mf_fail(msg, len, "command",
                       "missing (give the command to run, such as [\"sh\", "
                       "\"-c\", \"echo hi\"])");
    size_t n = json_array_size(v);
    if (!json_is_array(v) || n == 0 || n > CAIRN_MANIFEST_ARGS_MAX)
        return mf_fail(msg, len, "command",
                       "must be an array of 1 to %d "
                       "strings",
                       CAIRN_MANIFEST_ARGS_MAX);
    m->argv = calloc(n + 1, sizeof *m->argv);
    if (!m->argv)
        return no_memory(msg, len);
    for (size_t i = 0; i < n; i++) {
        char field[32];
        const char *s = json_string_value(json_array_get(v, i));
        snprintf(field, sizeof field, "command[%zu]", i);
        if (!s)
            return mf_fail(msg, len, field, "not a string");
        if (i == 0 && !*s)
            return mf_fail(msg, len, field, "empty (name the program)");
        if (!(m->argv[i] = dup_str(s)))
            return no_memory(msg, len);
        m->argc = i + 1;
    }
    return 0;
}

static int parse_env(cairn_manifest *m, const json_t *v, char *msg, size_t len)
{
    const char *k;
    json_t *val;
    if (!v)
        return 0;
    size_t n = json_object_size(v);
    if (!json_is_object(v) || n > CAIRN_MANIFEST_ENV_MAX)
        return mf_fail(msg, len, "env",
                       "must be an object of at most %d \"NAME\": \"value\" "
                       "strings",
                       CAIRN_MANIFEST_ENV_MAX);
    m->env = calloc(n + 1, sizeof *m->env);
    if (!m->env)
        return no_memory(msg, len);
    json_object_foreach((json_t *)v, k, val)
    {
        char field[300];
        const char *s = json_string_value(val);
        snprintf(field, sizeof field, "env.%.255s", k);
        if (!mf_env_name_ok(k))
            return mf_fail(msg, len, field,
                           "not a variable name (letters, "
                           "digits and _, not first a "
                           "digit)");
        if (!s)
            return mf_fail(msg, len, field, "not a string");
        size_t a = strlen(k), b = strlen(s);
        char *e = malloc(a + b + 2);
        if (!e)
            return no_memory(msg, len);
        memcpy(e, k, a);
        e[a] = '=';
        memcpy(e + a + 1, s, b + 1);
        m->env[m->nenv++] = e;
    }
    return 0;
}

/* The bytes of files[i] given inline: "content" (text) or "base64". */
static int file_inline(cairn_mfile *f, const json_t *c, const json_t *b64,
                       const char *field, char *msg, size_t len)
{
    const char *s = json_string_value(c ? c : b64);
    if (!s)
        return mf_fail(msg, len, field, "%s: not a string",
                       c ? "content" : "base64");
    size_t n = strlen(s);
    f->kind = CAIRN_MFILE_INLINE;
    f->data = malloc(n + 1);
    if (!f->data)
        return no_memory(msg, len);
    if (c) {
        memcpy(f->data, s, n);
        f->len = n;
        return 0;
    }
    if (sodium_base642bin(f->data, n + 1, s, n, NULL, &f->len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return mf_fail(msg, len, field,
                       "base64: not valid base64 (standard "
                       "alphabet, with = padding)");
    return 0;
}

static int file_storage(cairn_mfile *f, const json_t *v, const char *field,
                        char *msg, size_t len)
{
    const char *s = json_string_value(v);
    size_t n = s ? strlen(s) : 0;
    if (!s || n == 0 || n > 64 || strspn(s, "0123456789abcdefABCDEF") != n)
        return mf_fail(msg, len, field,
                       "storage: give a storage file id "
                       "(hex, as `cairn put` printed it)");
    f->kind = CAIRN_MFILE_STORAGE;
    return (f->storage_id = dup_str(s)) ? 0 : no_memory(msg, len);
}

static int parse_file(cairn_manifest *m, size_t i, const json_t *v, char *msg,
                      size_t len)
{
    static const char *const known[] = {"path", "content", "base64", "storage",
                                        NULL};
    char field[32], pfield[40];
    const char *k;
    cairn_mfile *f = &m->files[i];
    snprintf(field, sizeof field, "files[%zu]", i);
    snprintf(pfield, sizeof pfield, "files[%zu].path", i);
    if (!json_is_object(v))
        return mf_fail(msg, len, field,
                       "not an object ({\"path\": ..., "
                       "\"content\": ...})");
    if ((k = unknown_key(v, known)) != NULL)
        return mf_fail(msg, len, field,
                       "unknown field \"%.40s\" (path, content, base64, "
                       "storage)",
                       k);
    const char *path = json_string_value(json_object_get(v, "path"));
    if (!path)
        return mf_fail(msg, len, pfield, "missing or not a string");
    if (mf_path_ok(path, pfield, msg, len))
        return -1;
    for (size_t j = 0; j < i; j++)
        if (mf_paths_clash(m->files[j].path, path))
            return mf_fail(msg, len, pfield,
                           "\"%.60s\" clashes with files[%zu] (\"%.60s\")",
                           path, j, m->files[j].path);
    if (!(f->path = dup_str(path)))
        return no_memory(msg, len);
    m->nfiles = i + 1;
    const json_t *c = json_object_get(v, "content"),
                 *b = json_object_get(v, "base64"),
                 *s = json_object_get(v, "storage");
    if (!!c + !!b + !!s != 1)
        return mf_fail(msg, len, field,
                       "give exactly one of content, base64 "
                       "and storage");
    return s ? file_storage(f, s, field, msg, len)
             : file_inline(f, c, b, field, msg, len);
}

static int parse_files(cairn_manifest *m, const json_t *v, char *msg,
                       size_t len)
{
    if (!v)
        return 0;
    size_t n = json_array_size(v);
    if (!json_is_array(v) || n > CAIRN_MANIFEST_FILES_MAX)
        return mf_fail(msg, len, "files",
                       "must be an array of at most %d "
                       "files",
                       CAIRN_MANIFEST_FILES_MAX);
    if (n && !(m->files = calloc(n, sizeof *m->files)))
        return no_memory(msg, len);
    for (size_t i = 0; i < n; i++)
        if (parse_file(m, i, json_array_get(v, i), msg, len))
            return -1;
    return 0;
}

static int parse_resources(cairn_manifest *m, const json_t *v, char *msg,
                           size_t len)
{
    static const char *const known[] = {"cpus", "memory", "disk", "max_epochs",
                                        NULL};
    const char *k;
    uint64_t cpus;
    if (!json_is_object(v))
        return mf_fail(msg, len, "resources",
                       "%s (give {\"cpus\": 1, \"memory\": \"256M\", "
                       "\"disk\": \"64M\", \"max_epochs\": 100})",
                       v ? "not an object" : "missing");
    if ((k = unknown_key(v, known)) != NULL)
        return mf_fail(msg, len, "resources",
                       "unknown field \"%.40s\" (cpus, memory, disk, "
                       "max_epochs)",
                       k);
    if (mf_uint(json_object_get(v, "cpus"), "resources.cpus", 1,
                CAIRN_COMPUTE_CPUS_MAX, &cpus, msg, len) ||
        mf_size_mib(json_object_get(v, "memory"), "resources.memory",
                    &m->mem_mib, msg, len) ||
        mf_size_mib(json_object_get(v, "disk"), "resources.disk", &m->disk_mib,
                    msg, len) ||
        mf_uint(json_object_get(v, "max_epochs"), "resources.max_epochs", 1,
                CAIRN_JSON_SAFE_MAX, &m->max_epochs, msg, len))
        return -1;
    m->cpus = (uint32_t)cpus;
    return 0;
}

static int parse_money(cairn_manifest *m, const json_t *top, char *msg,
                       size_t len)
{
    uint64_t ten;
    const json_t *esc = json_object_get(top, "escrow");
    if (mf_amount(json_object_get(top, "max_price"), "max_price", &m->max_price,
                  msg, len))
        return -1;
    if (!esc) {
        if (cairn_mul(&ten, m->max_price, 10))
            return mf_fail(msg, len, "max_price",
                           "too large for the default escrow of 10 epochs");
        return 0;
    }
    if (mf_amount(esc, "escrow", &m->escrow, msg, len))
        return -1;
    if (m->escrow < m->max_price)
        return mf_fail(msg, len, "escrow",
                       "less than one epoch at max_price (give at least "
                       "max_price)");
    return 0;
}

/* Checks the top level's names, then each part. */
static int parse_top(cairn_manifest *m, const json_t *top, char *msg,
                     size_t len)
{
    static const char *const known[] = {"command",   "env",  "files",
                                        "resources", "port", "max_price",
                                        "escrow",    NULL};
    const char *k = unknown_key(top, known);
    uint64_t port = 0;
    if (k)
        return mf_fail(msg, len, "manifest",
                       "unknown field \"%.40s\" (command, env, files, "
                       "resources, port, max_price, escrow)",
                       k);
    const json_t *p = json_object_get(top, "port");
    if (parse_command(m, json_object_get(top, "command"), msg, len) ||
        parse_env(m, json_object_get(top, "env"), msg, len) ||
        parse_files(m, json_object_get(top, "files"), msg, len) ||
        parse_resources(m, json_object_get(top, "resources"), msg, len) ||
        (p && mf_uint(p, "port", 1, 65535, &port, msg, len)) ||
        parse_money(m, top, msg, len))
        return -1;
    m->port = (uint16_t)port;
    return 0;
}

cairn_err cairn_manifest_parse(cairn_manifest *m, const uint8_t *p, size_t n,
                               char *msg, size_t len)
{
    json_error_t jerr;
    memset(m, 0, sizeof *m);
    if (msg && len)
        msg[0] = '\0';
    if (n > CAIRN_MANIFEST_MAX) {
        mf_fail(msg, len, "manifest", "%zu bytes, more than the limit of %u", n,
                CAIRN_MANIFEST_MAX);
        return CAIRN_ERR_BAD_MANIFEST;
    }
    json_t *top = json_loadb((const char *)p, n, JSON_REJECT_DUPLICATES, &jerr);
    if (!top) {
        mf_fail(msg, len, "manifest", "not JSON: %s (line %d, column %d)",
                jerr.text, jerr.line, jerr.column);
        return CAIRN_ERR_BAD_MANIFEST;
    }
    int bad = !json_is_object(top)
                  ? mf_fail(msg, len, "manifest", "must be a JSON object")
                  : parse_top(m, top, msg, len);
    json_decref(top);
    if (bad)
        return CAIRN_ERR_BAD_MANIFEST;
    cairn_hash_bytes(&m->hash, p, n);
    return CAIRN_OK;
}

void cairn_manifest_free(cairn_manifest *m)
{
    if (!m)
        return;
    for (size_t i = 0; m->argv && m->argv[i]; i++)
        free(m->argv[i]);
    for (size_t i = 0; m->env && m->env[i]; i++)
        free(m->env[i]);
    for (size_t i = 0; i < m->nfiles; i++) {
        free(m->files[i].path);
        free(m->files[i].data);
        free(m->files[i].storage_id);
    }
    free(m->argv);
    free(m->env);
    free(m->files);
    memset(m, 0, sizeof *m);
}

void cairn_manifest_order(const cairn_manifest *m, cairn_order *o)
{
    memset(o, 0, sizeof *o);
    o->manifest = m->hash;
    o->cpus = m->cpus;
    o->mem_mib = m->mem_mib;
    o->disk_mib = m->disk_mib;
    o->port = m->port;
    o->max_price = m->max_price;
    o->max_epochs = m->max_epochs;
    if (m->escrow)
        o->escrow = m->escrow;
    else if (cairn_mul(&o->escrow, m->max_price, 10))
        o->escrow = UINT64_MAX; /* refused by the parser; never here */
}
