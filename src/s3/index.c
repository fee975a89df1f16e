/* The S3 gateway's index: LMDB records of buckets, objects and multipart
 * uploads (index.h). */
#include "core/durable.h"
#include "s3/index.h"

#include <errno.h>
#include <lmdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAP_SIZE ((size_t)1 << 32) /* 4 GiB of address space; grows sparse */
#define KEY_MAX 2048               /* bucket (63) + key (1024) + tags */

struct s3idx {
    MDB_env *env;
    MDB_dbi db;
};

cairn_err s3idx_open(s3idx **out, const char *dir)
{
    MDB_txn *txn;
    *out = NULL;
    if (cairn_mkdirs(dir))
        return CAIRN_ERR_IO;
    s3idx *x = calloc(1, sizeof *x);
    if (!x)
        return CAIRN_ERR_NOMEM;
    if (mdb_env_create(&x->env) || mdb_env_set_mapsize(x->env, MAP_SIZE) ||
        mdb_env_set_maxreaders(x->env, 256) ||
        mdb_env_open(x->env, dir, MDB_NOTLS, 0600) ||
        mdb_txn_begin(x->env, NULL, 0, &txn)) {
        s3idx_close(x);
        return CAIRN_ERR_DB;
    }
    if (mdb_dbi_open(txn, NULL, 0, &x->db) || mdb_txn_commit(txn)) {
        s3idx_close(x);
        return CAIRN_ERR_DB;
    }
    *out = x;
    return CAIRN_OK;
}

void s3idx_close(s3idx *x)
{
    if (!x)
        return;
    if (x->env)
        mdb_env_close(x->env);
    free(x);
}

/* ---- keys ---- */

typedef struct ikey {
    uint8_t b[KEY_MAX];
    size_t n;
} ikey;

/* tag ‖ a [‖ 0x00 ‖ b]; -1 when too long. */
static int make_key(ikey *k, char tag, const char *a, const char *b)
{
    size_t na = strlen(a), nb = b ? strlen(b) : 0;
    if (1 + na + (b ? 1 + nb : 0) > KEY_MAX)
        return -1;
    k->b[0] = (uint8_t)tag;
    memcpy(k->b + 1, a, na);
    k->n = 1 + na;
    if (b) {
        k->b[k->n++] = 0;
        memcpy(k->b + k->n, b, nb);
        k->n += nb;
    }
    return 0;
}

/* ---- generic records ---- */

static cairn_err kv_put(s3idx *x, const ikey *k, const json_t *rec)
{
    MDB_txn *txn;
    char *text = json_dumps(rec, JSON_COMPACT);
    if (!text)
        return CAIRN_ERR_NOMEM;
    MDB_val key = {k->n, (void *)k->b}, val = {strlen(text), text};
    cairn_err e = CAIRN_ERR_DB;
    if (mdb_txn_begin(x->env, NULL, 0, &txn) == 0) {
        if (mdb_put(txn, x->db, &key, &val, 0) == 0 && mdb_txn_commit(txn) == 0)
            e = CAIRN_OK;
        else
            mdb_txn_abort(txn);
    }
    free(text);
    return e;
}

static cairn_err kv_get(s3idx *x, const ikey *k, json_t **rec)
{
    MDB_txn *txn;
    MDB_val key = {k->n, (void *)k->b}, val;
    *rec = NULL;
    if (mdb_txn_begin(x->env, NULL, MDB_RDONLY, &txn))
        return CAIRN_ERR_DB;
    int rc = mdb_get(txn, x->db, &key, &val);
    cairn_err e = CAIRN_OK;
    if (rc == MDB_NOTFOUND)
        e = CAIRN_ERR_NOT_FOUND;
    else if (rc)
        e = CAIRN_ERR_DB;
    else if (!(*rec = json_loadb(val.mv_data, val.mv_size, 0, NULL)))
        e = CAIRN_ERR_BAD_JSON;
    mdb_txn_abort(txn);
    return e;
}

/* Deletes key k and, with prefix_too, every key that starts with k. */
static cairn_err kv_del(s3idx *x, const ikey *k, int prefix_too)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    MDB_val key = {k->n, (void *)k->b}, val;
    if (mdb_txn_begin(x->env, NULL, 0, &txn))
        return CAIRN_ERR_DB;
    int rc = mdb_del(txn, x->db, &key, NULL);
    if (rc && rc != MDB_NOTFOUND)
        goto fail;
    if (prefix_too) {
        if (mdb_cursor_open(txn, x->db, &cur))
            goto fail;
        key.mv_size = k->n;
        key.mv_data = (void *)k->b;
        rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
        while (rc == 0 && key.mv_size >= k->n &&
               memcmp(key.mv_data, k->b, k->n) == 0) {
            if (mdb_cursor_del(cur, 0))
                break;
            rc = mdb_cursor_get(cur, &key, &val, MDB_GET_CURRENT);
            if (rc == 0)
                continue;
            rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
        }
        mdb_cursor_close(cur);
    }
    if (mdb_txn_commit(txn))
        return CAIRN_ERR_DB;
    return CAIRN_OK;
fail:
    mdb_txn_abort(txn);
    return CAIRN_ERR_DB;
}

/* Calls cb(arg, key bytes after the first `skip`, their length, record)
 * for every key starting with pre (pre_n bytes) from `from` (from_n bytes,
 * at least pre_n; exclusive when excl) on. */
static cairn_err kv_scan(s3idx *x, const uint8_t *pre, size_t pre_n,
                         const uint8_t *from, size_t from_n, int excl,
                         int (*cb)(void *arg, const uint8_t *k, size_t n,
                                   const json_t *rec),
                         void *arg)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    MDB_val key = {from_n, (void *)from}, val;
    if (mdb_txn_begin(x->env, NULL, MDB_RDONLY, &txn))
        return CAIRN_ERR_DB;
    if (mdb_cursor_open(txn, x->db, &cur)) {
        mdb_txn_abort(txn);
        return CAIRN_ERR_DB;
    }
    cairn_err e = CAIRN_OK;
    int rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
    if (rc == 0 && excl && key.mv_size == from_n &&
        memcmp(key.mv_data, from, from_n) == 0)
        rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
    while (rc == 0 && key.mv_size >= pre_n &&
           memcmp(key.mv_data, pre, pre_n) == 0) {
        json_t *rec = json_loadb(val.mv_data, val.mv_size, 0, NULL);
        if (!rec) {
            e = CAIRN_ERR_BAD_JSON;
            break;
        }
        int stop = cb(arg, (const uint8_t *)key.mv_data + pre_n,
                      key.mv_size - pre_n, rec);
        json_decref(rec);
        if (stop)
            break;
        rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
    }
    if (rc && rc != MDB_NOTFOUND)
        e = CAIRN_ERR_DB;
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return e;
}

/* ---- buckets ---- */

cairn_err s3idx_bucket_put(s3idx *x, const char *bucket, const json_t *rec)
{
    ikey k;
    if (make_key(&k, 'b', bucket, NULL))
        return CAIRN_ERR_TOO_LARGE;
    return kv_put(x, &k, rec);
}

cairn_err s3idx_bucket_get(s3idx *x, const char *bucket, json_t **rec)
{
    ikey k;
    *rec = NULL;
    if (make_key(&k, 'b', bucket, NULL))
        return CAIRN_ERR_NOT_FOUND;
    return kv_get(x, &k, rec);
}

cairn_err s3idx_bucket_del(s3idx *x, const char *bucket)
{
    ikey k;
    if (make_key(&k, 'b', bucket, NULL))
        return CAIRN_ERR_NOT_FOUND;
    return kv_del(x, &k, 0);
}

typedef struct name_cb {
    int (*cb)(void *arg, const char *name, const json_t *rec);
    void *arg;
} name_cb;

/* Hands a key tail (NUL-free text) to a name callback. */
static int name_tramp(void *arg, const uint8_t *k, size_t n, const json_t *rec)
{
    name_cb *c = arg;
    char buf[KEY_MAX + 1];
    if (n > KEY_MAX || memchr(k, 0, n))
        return 0;
    memcpy(buf, k, n);
    buf[n] = '\0';
    return c->cb(c->arg, buf, rec);
}

cairn_err s3idx_buckets(s3idx *x,
                        int (*cb)(void *arg, const char *bucket,
                                  const json_t *rec),
                        void *arg)
{
    name_cb c = {cb, arg};
    const uint8_t pre[1] = {'b'};
    return kv_scan(x, pre, 1, pre, 1, 0, name_tramp, &c);
}

static int stop_first(void *arg, const char *key, const json_t *rec)
{
    (void)key;
    (void)rec;
    *(int *)arg = 1;
    return 1;
}

int s3idx_bucket_empty(s3idx *x, const char *bucket)
{
    int found = 0;
    if (s3idx_objs(x, bucket, "", NULL, stop_first, &found))
        return 0;
    return !found;
}

/* ---- objects ---- */

cairn_err s3idx_obj_put(s3idx *x, const char *bucket, const char *key,
                        const json_t *rec)
{
    ikey k;
    if (make_key(&k, 'o', bucket, key))
        return CAIRN_ERR_TOO_LARGE;
    return kv_put(x, &k, rec);
}

cairn_err s3idx_obj_get(s3idx *x, const char *bucket, const char *key,
                        json_t **rec)
{
    ikey k;
    *rec = NULL;
    if (make_key(&k, 'o', bucket, key))
        return CAIRN_ERR_NOT_FOUND;
    return kv_get(x, &k, rec);
}

cairn_err s3idx_obj_del(s3idx *x, const char *bucket, const char *key)
{
    ikey k;
    if (make_key(&k, 'o', bucket, key))
        return CAIRN_ERR_NOT_FOUND;
    return kv_del(x, &k, 0);
}

cairn_err s3idx_objs(s3idx *x, const char *bucket, const char *prefix,
                     const char *after,
                     int (*cb)(void *arg, const char *key, const json_t *rec),
                     void *arg)
{
    ikey pre, from;
    name_cb c = {cb, arg};
    if (make_key(&pre, 'o', bucket, prefix ? prefix : ""))
        return CAIRN_OK;              /* no key that long exists */
    size_t skip = 2 + strlen(bucket); /* tag, bucket, NUL */
    int excl = 0;
    if (after && *after && strcmp(after, prefix ? prefix : "") >= 0) {
        if (make_key(&from, 'o', bucket, after))
            return CAIRN_OK;
        excl = 1;
    } else
        from = pre;
    /* the callback gets the key: what follows tag ‖ bucket ‖ NUL */
    cairn_err e;
    {
        MDB_txn *txn;
        MDB_cursor *cur;
        MDB_val key = {from.n, from.b}, val;
        if (mdb_txn_begin(x->env, NULL, MDB_RDONLY, &txn))
            return CAIRN_ERR_DB;
        if (mdb_cursor_open(txn, x->db, &cur)) {
            mdb_txn_abort(txn);
            return CAIRN_ERR_DB;
        }
        e = CAIRN_OK;
        int rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
        if (rc == 0 && excl && key.mv_size == from.n &&
            memcmp(key.mv_data, from.b, from.n) == 0)
            rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
        while (rc == 0 && key.mv_size >= pre.n &&
               memcmp(key.mv_data, pre.b, pre.n) == 0) {
            json_t *rec = json_loadb(val.mv_data, val.mv_size, 0, NULL);
            if (!rec) {
                e = CAIRN_ERR_BAD_JSON;
                break;
            }
            int stop = name_tramp(&c, (const uint8_t *)key.mv_data + skip,
                                  key.mv_size - skip, rec);
            json_decref(rec);
            if (stop)
                break;
            rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
        }
        if (rc && rc != MDB_NOTFOUND)
            e = CAIRN_ERR_DB;
        mdb_cursor_close(cur);
        mdb_txn_abort(txn);
    }
    return e;
}

/* ---- uploads ---- */

cairn_err s3idx_upload_put(s3idx *x, const char *id, const json_t *rec)
{
    ikey k;
    if (make_key(&k, 'u', id, NULL))
        return CAIRN_ERR_TOO_LARGE;
    return kv_put(x, &k, rec);
}

cairn_err s3idx_upload_get(s3idx *x, const char *id, json_t **rec)
{
    ikey k;
    *rec = NULL;
    if (make_key(&k, 'u', id, NULL))
        return CAIRN_ERR_NOT_FOUND;
    return kv_get(x, &k, rec);
}

cairn_err s3idx_upload_del(s3idx *x, const char *id)
{
    ikey k;
    if (make_key(&k, 'u', id, NULL))
        return CAIRN_ERR_NOT_FOUND;
    cairn_err e = kv_del(x, &k, 0);
    if (e)
        return e;
    k.b[0] = 'p';
    k.b[k.n++] = 0;
    return kv_del(x, &k, 1);
}

cairn_err s3idx_uploads(s3idx *x,
                        int (*cb)(void *arg, const char *id, const json_t *rec),
                        void *arg)
{
    name_cb c = {cb, arg};
    const uint8_t pre[1] = {'u'};
    return kv_scan(x, pre, 1, pre, 1, 0, name_tramp, &c);
}

/* "p" ‖ id ‖ 0x00 ‖ BE32 part */
static int part_key(ikey *k, const char *id, int with_part, uint32_t part)
{
    if (make_key(k, 'p', id, "") || k->n + 4 > KEY_MAX)
        return -1;
    if (with_part)
        for (int i = 0; i < 4; i++)
            k->b[k->n++] = (uint8_t)(part >> (24 - 8 * i));
    return 0;
}

cairn_err s3idx_part_put(s3idx *x, const char *id, uint32_t part,
                         const json_t *rec)
{
    ikey k;
    if (part_key(&k, id, 1, part))
        return CAIRN_ERR_TOO_LARGE;
    return kv_put(x, &k, rec);
}

typedef struct part_cb {
    int (*cb)(void *arg, uint32_t part, const json_t *rec);
    void *arg;
} part_cb;

static int part_tramp(void *arg, const uint8_t *k, size_t n, const json_t *rec)
{
    part_cb *c = arg;
    if (n != 4)
        return 0;
    uint32_t p = (uint32_t)k[0] << 24 | (uint32_t)k[1] << 16 |
                 (uint32_t)k[2] << 8 | k[3];
    return c->cb(c->arg, p, rec);
}

cairn_err s3idx_parts(s3idx *x, const char *id,
                      int (*cb)(void *arg, uint32_t part, const json_t *rec),
                      void *arg)
{
    ikey k;
    part_cb c = {cb, arg};
    if (part_key(&k, id, 0, 0))
        return CAIRN_OK;
    return kv_scan(x, k.b, k.n, k.b, k.n, 0, part_tramp, &c);
}

static int any_bucket(void *arg, const char *b, const json_t *rec)
{
    (void)b;
    (void)rec;
    *(int *)arg = 1;
    return 1;
}

int s3idx_empty(s3idx *x)
{
    int found = 0;
    if (s3idx_buckets(x, any_bucket, &found))
        return 0;
    return !found;
}
