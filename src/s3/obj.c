/* The S3 gateway's bucket and object operations (gw.h): what each request
 * does once its body is in, and how an object becomes a storage file. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "s3/gw.h"
#include "s3/xml.h"

int gw_bucket_name_ok(const char *b)
{
    size_t n = strlen(b);
    int digits_dots = 1;
    if (n < 3 || n > GW_BUCKET_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = b[i];
        if (!(islower((unsigned char)c) || isdigit((unsigned char)c) ||
              c == '.' || c == '-'))
            return 0;
        if (c == '.' && (i == 0 || b[i - 1] == '.' || b[i - 1] == '-'))
            return 0;
        if (c == '-' && i > 0 && b[i - 1] == '.')
            return 0;
        if (!isdigit((unsigned char)c) && c != '.')
            digits_dots = 0;
    }
    if (!isalnum((unsigned char)b[0]) || !isalnum((unsigned char)b[n - 1]))
        return 0;
    return !digits_dots; /* not an IP address */
}

static enum MHD_Result meta_one(void *cls, enum MHD_ValueKind kind,
                                const char *key, const char *value)
{
    (void)kind;
    if (strncasecmp(key, "x-amz-meta-", 11) == 0 && value) {
        char k[256];
        size_t i;
        for (i = 0; key[11 + i] && i < sizeof k - 1; i++)
            k[i] = (char)tolower((unsigned char)key[11 + i]);
        k[i] = '\0';
        json_object_set_new(cls, k, json_string(value));
    }
    return MHD_YES;
}

json_t *gw_req_meta(gw_req *r)
{
    json_t *m = json_object();
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, meta_one, m);
    return m;
}

static const char *req_type(gw_req *r)
{
    const char *t = gw_header(r, "content-type");
    return t && *t ? t : "binary/octet-stream";
}

/* The s3 member of an object's name record, as {"s3": {...}} (sclient_put
 * adds "name" = bucket/key and "created"); with_name: the whole record,
 * for an empty object, which has no storage file and gets a record of its
 * own. NULL when even without the metadata the record would pass the 960
 * bytes a record holds (the object is then not named on chain). */
static char *object_record(const char *bucket, const char *key,
                           const char *etag, const char *type, json_t *meta,
                           uint64_t mtime, uint64_t size, int with_name)
{
    char name[GW_BUCKET_MAX + GW_KEY_MAX + 2];
    snprintf(name, sizeof name, "%s/%s", bucket, key);
    for (int with_meta = 1; with_meta >= 0; with_meta--) {
        json_t *s3 =
            json_pack("{s:s, s:s, s:I, s:I}", "etag", etag, "type", type,
                      "mtime", (json_int_t)mtime, "size", (json_int_t)size);
        if (with_meta && meta && json_object_size(meta))
            json_object_set(s3, "meta", meta);
        json_t *o = json_pack("{s:o}", "s3", s3);
        json_t *full = json_deep_copy(o);
        json_object_set_new(full, "name", json_string(name));
        json_object_set_new(full, "created", json_integer((json_int_t)mtime));
        char *t_full = json_dumps(full, JSON_COMPACT);
        char *text = with_name ? t_full : json_dumps(o, JSON_COMPACT);
        int fits = t_full && strlen(t_full) <= 960;
        if (!with_name)
            free(t_full);
        json_decref(o);
        json_decref(full);
        if (text && fits)
            return text;
        free(text);
    }
    return NULL;
}

static int same_id(const json_t *a, const json_t *b)
{
    return strcmp(json_string_value(json_object_get(a, "id")) ?: "",
                  json_string_value(json_object_get(b, "id")) ?: "") == 0;
}

/* Ends the storage file or name record behind an index record (a->mu). */
static cairn_err drop_object(gw_acct *a, const json_t *rec, char *msg,
                             size_t msglen)
{
    const char *id = json_string_value(json_object_get(rec, "id"));
    const char *nid = json_string_value(json_object_get(rec, "nid"));
    if (id && *id) {
        sclient_refund rf;
        cairn_err e = sclient_rm(&a->c, id, &rf);
        if (e && e != CAIRN_ERR_NOT_FOUND) {
            snprintf(msg, msglen, "cannot end the deals of file %.40s: %.400s",
                     id, *a->c.why ? a->c.why : cairn_strerror(e));
            return e;
        }
    }
    if (nid && strlen(nid) == 2 * CMETA_ID_LEN) {
        uint8_t b[CMETA_ID_LEN];
        size_t bn;
        if (sodium_hex2bin(b, sizeof b, nid, strlen(nid), NULL, &bn, NULL) ==
                0 &&
            bn == CMETA_ID_LEN)
            gw_name_del(a, b);
    }
    return CAIRN_OK;
}

s3_code gw_store(gw_acct *a, const char *bucket, const char *key,
                 const char *spool, uint64_t size, const char *etag,
                 const char *type, json_t *meta, uint64_t *mtime, char *msg,
                 size_t msglen)
{
    gw *g = a->g;
    char name[CMETA_NAME_MAX + 1], idhex[2 * CMETA_ID_LEN + 1] = "";
    char nidhex[2 * CMETA_ID_LEN + 1] = "";
    uint64_t now = (uint64_t)time(NULL);
    char *rec_text =
        object_record(bucket, key, etag, type, meta, now, size, size == 0);
    snprintf(name, sizeof name, "%s/%s", bucket, key);
    pthread_mutex_lock(&a->mu);
    if (size > 0) {
        cmeta_file f;
        sclient_put_opts o = {
            .path = spool, .name = name, .p = g->o.p, .epochs = g->o.epochs};
        o.meta_json = rec_text;
        cairn_err e = sclient_put(&a->c, &o, &f);
        if (e) {
            snprintf(msg, msglen, "the storage network did not take it: %s",
                     *a->c.why ? a->c.why : cairn_strerror(e));
            pthread_mutex_unlock(&a->mu);
            free(rec_text);
            unlink(spool);
            return S3_INTERNAL_ERROR;
        }
        cmeta_id_hex(idhex, f.id);
    } else if (rec_text) {
        uint8_t nid[CMETA_ID_LEN];
        randombytes_buf(nid, sizeof nid);
        if (gw_name_set(a, nid, rec_text) == CAIRN_OK)
            gw_hex(nidhex, nid, sizeof nid);
    }
    free(rec_text);
    json_t *rec = json_pack("{s:s, s:s, s:I, s:s, s:s, s:I}", "id", idhex,
                            "nid", nidhex, "size", (json_int_t)size, "etag",
                            etag, "type", type, "mtime", (json_int_t)now);
    if (meta && json_object_size(meta))
        json_object_set(rec, "meta", meta);
    json_t *old = NULL;
    s3idx_obj_get(a->idx, bucket, key, &old);
    cairn_err e = s3idx_obj_put(a->idx, bucket, key, rec);
    if (!e && old && !same_id(old, rec)) {
        char m2[256];
        if (drop_object(a, old, m2, sizeof m2))
            fprintf(stderr, "s3: replaced %s/%s; the old file stays: %s\n",
                    bucket, key, m2);
    }
    pthread_mutex_unlock(&a->mu);
    json_decref(old);
    json_decref(rec);
    unlink(spool);
    if (e) {
        snprintf(msg, msglen, "cannot write the gateway's index: %s",
                 cairn_strerror(e));
        return S3_INTERNAL_ERROR;
    }
    if (mtime)
        *mtime = now;
    return S3_OK;
}

/* ---- buckets ---- */

static enum MHD_Result create_bucket(gw_req *r)
{
    gw_acct *a = r->a;
    json_t *b = NULL;
    if (!gw_bucket_name_ok(r->bucket))
        return gw_error(r, S3_INVALID_BUCKET_NAME,
                        "bucket names are 3..63 of a-z, 0-9, '.' and '-', "
                        "starting and ending with a letter or digit");
    pthread_mutex_lock(&a->mu);
    if (s3idx_bucket_get(a->idx, r->bucket, &b) == CAIRN_OK) {
        pthread_mutex_unlock(&a->mu);
        json_decref(b);
        return gw_error(r, S3_BUCKET_ALREADY_OWNED_BY_YOU, NULL);
    }
    uint8_t id[CMETA_ID_LEN];
    char hex[2 * CMETA_ID_LEN + 1], text[128];
    randombytes_buf(id, sizeof id);
    gw_hex(hex, id, sizeof id);
    json_t *rec = json_pack("{s:s}", "s3bucket", r->bucket);
    char *t = json_dumps(rec, JSON_COMPACT);
    json_decref(rec);
    snprintf(text, sizeof text, "%s", t ? t : "{}");
    free(t);
    cairn_err e = gw_name_set(a, id, text);
    if (e)
        fprintf(stderr,
                "s3: bucket %s: its name record is not on chain (%s); it "
                "will not come back with --recover unless it holds "
                "objects\n",
                r->bucket, *a->c.why ? a->c.why : cairn_strerror(e));
    rec = json_pack("{s:s, s:I}", "id", e ? "" : hex, "created",
                    (json_int_t)time(NULL));
    e = s3idx_bucket_put(a->idx, r->bucket, rec);
    json_decref(rec);
    pthread_mutex_unlock(&a->mu);
    if (e)
        return gw_error(r, S3_INTERNAL_ERROR, "cannot write the index");
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    char loc[sizeof r->bucket + 2];
    snprintf(loc, sizeof loc, "/%s", r->bucket);
    MHD_add_response_header(resp, "Location", loc);
    gw_common_headers(r, resp);
    enum MHD_Result rc = MHD_queue_response(r->conn, 200, resp);
    MHD_destroy_response(resp);
    return rc;
}

static enum MHD_Result delete_bucket(gw_req *r)
{
    gw_acct *a = r->a;
    json_t *b = NULL;
    pthread_mutex_lock(&a->mu);
    if (!s3idx_bucket_empty(a->idx, r->bucket)) {
        pthread_mutex_unlock(&a->mu);
        return gw_error(r, S3_BUCKET_NOT_EMPTY, NULL);
    }
    if (s3idx_bucket_get(a->idx, r->bucket, &b) == CAIRN_OK) {
        const char *id = json_string_value(json_object_get(b, "id"));
        uint8_t bin[CMETA_ID_LEN];
        size_t bn;
        if (id &&
            sodium_hex2bin(bin, sizeof bin, id, strlen(id), NULL, &bn, NULL) ==
                0 &&
            bn == CMETA_ID_LEN)
            gw_name_del(a, bin);
        json_decref(b);
    }
    cairn_err e = s3idx_bucket_del(a->idx, r->bucket);
    pthread_mutex_unlock(&a->mu);
    if (e)
        return gw_error(r, S3_INTERNAL_ERROR, "cannot write the index");
    return gw_reply_xml(r, 204, NULL, 0);
}

static enum MHD_Result location(gw_req *r)
{
    s3_xw *w = s3_xw_new("LocationConstraint");
    size_t n;
    char *x = s3_xw_finish(w, &n);
    return x ? gw_reply_xml(r, 200, x, n) : MHD_NO;
}

/* ---- objects ---- */

static enum MHD_Result reply_etag(gw_req *r, const char *etag)
{
    char q[100];
    snprintf(q, sizeof q, "\"%s\"", etag);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "ETag", q);
    gw_common_headers(r, resp);
    enum MHD_Result rc = MHD_queue_response(r->conn, 200, resp);
    MHD_destroy_response(resp);
    return rc;
}

static enum MHD_Result put_object(gw_req *r)
{
    char etag[33], msg[512] = "";
    gw_hex(etag, r->digest, 16);
    close(r->fd);
    r->fd = -1;
    json_t *meta = gw_req_meta(r);
    s3_code c = gw_store(r->a, r->bucket, r->key, r->spool, r->got, etag,
                         req_type(r), meta, NULL, msg, sizeof msg);
    json_decref(meta);
    if (c)
        return gw_error(r, c, msg);
    return reply_etag(r, etag);
}

/* Deletes one object (absent: done). */
static s3_code delete_one(gw_acct *a, const char *bucket, const char *key,
                          char *msg, size_t msglen)
{
    json_t *rec = NULL;
    pthread_mutex_lock(&a->mu);
    if (s3idx_obj_get(a->idx, bucket, key, &rec) != CAIRN_OK) {
        pthread_mutex_unlock(&a->mu);
        return S3_OK;
    }
    s3_code c = S3_OK;
    if (drop_object(a, rec, msg, msglen))
        c = S3_INTERNAL_ERROR;
    else if (s3idx_obj_del(a->idx, bucket, key)) {
        snprintf(msg, msglen, "cannot write the index");
        c = S3_INTERNAL_ERROR;
    }
    pthread_mutex_unlock(&a->mu);
    json_decref(rec);
    return c;
}

static enum MHD_Result delete_object(gw_req *r)
{
    char msg[512] = "";
    s3_code c = delete_one(r->a, r->bucket, r->key, msg, sizeof msg);
    if (c)
        return gw_error(r, c, msg);
    return gw_reply_xml(r, 204, NULL, 0);
}

static enum MHD_Result delete_objects(gw_req *r)
{
    char **keys = NULL;
    size_t n = 0;
    int quiet = 0;
    s3_code c = s3_xml_delete(r->mem ? r->mem : "", r->memn, &keys, &n, &quiet);
    if (c)
        return gw_error(r, c, "the <Delete> body could not be read");
    s3_xw *w = s3_xw_new("DeleteResult");
    for (size_t i = 0; i < n; i++) {
        char msg[512] = "";
        s3_code e = strlen(keys[i]) > GW_KEY_MAX
                        ? S3_KEY_TOO_LONG
                        : delete_one(r->a, r->bucket, keys[i], msg, sizeof msg);
        if (e) {
            s3_xw_open(w, "Error");
            s3_xw_text(w, "Key", keys[i]);
            s3_xw_text(w, "Code", s3_code_name(e));
            s3_xw_text(w, "Message", *msg ? msg : s3_code_name(e));
            s3_xw_close(w);
        } else if (!quiet) {
            s3_xw_open(w, "Deleted");
            s3_xw_text(w, "Key", keys[i]);
            s3_xw_close(w);
        }
        free(keys[i]);
    }
    free(keys);
    size_t len;
    char *x = s3_xw_finish(w, &len);
    return x ? gw_reply_xml(r, 200, x, len) : MHD_NO;
}

static enum MHD_Result copy_object(gw_req *r)
{
    const char *src = gw_header(r, "x-amz-copy-source");
    char dec[GW_BUCKET_MAX + GW_KEY_MAX + 8], msg[512] = "";
    const char *q = strchr(src, '?');
    size_t sl = q ? (size_t)(q - src) : strlen(src);
    if (s3_uri_decode(dec, sizeof dec, src, sl) < 0)
        return gw_error(r, S3_INVALID_ARGUMENT,
                        "x-amz-copy-source is malformed");
    const char *p = dec[0] == '/' ? dec + 1 : dec;
    const char *slash = strchr(p, '/');
    if (!slash || !slash[1] || (size_t)(slash - p) > GW_BUCKET_MAX)
        return gw_error(r, S3_INVALID_ARGUMENT,
                        "x-amz-copy-source must be bucket/key");
    char sb[GW_BUCKET_MAX + 1];
    memcpy(sb, p, (size_t)(slash - p));
    sb[slash - p] = '\0';
    json_t *b;
    if (s3idx_bucket_get(r->a->idx, sb, &b))
        return gw_error(r, S3_NO_SUCH_BUCKET, "the copy source's bucket");
    json_decref(b);
    char spool[GW_PATH_MAX];
    uint8_t md5[16];
    uint64_t size;
    json_t *rec = NULL;
    s3_code c = gw_copy_to_spool(r->a, sb, slash + 1, spool, md5, &size, &rec,
                                 msg, sizeof msg);
    if (c)
        return gw_error(r, c, *msg ? msg : NULL);
    const char *dir = gw_header(r, "x-amz-metadata-directive");
    int replace = dir && strcasecmp(dir, "REPLACE") == 0;
    json_t *meta =
        replace ? gw_req_meta(r) : json_incref(json_object_get(rec, "meta"));
    const char *type =
        replace ? req_type(r) : json_string_value(json_object_get(rec, "type"));
    char etag[80];
    const char *old = json_string_value(json_object_get(rec, "etag"));
    if (old && !strchr(old, '-'))
        snprintf(etag, sizeof etag, "%s", old);
    else
        gw_hex(etag, md5, 16);
    uint64_t mtime = 0;
    c = gw_store(r->a, r->bucket, r->key, spool, size, etag,
                 type ? type : "binary/octet-stream", meta, &mtime, msg,
                 sizeof msg);
    json_decref(meta);
    json_decref(rec);
    unlink(spool);
    if (c)
        return gw_error(r, c, msg);
    s3_xw *w = s3_xw_new("CopyObjectResult");
    char t[32], q2[100];
    gw_iso_time(t, mtime);
    snprintf(q2, sizeof q2, "\"%s\"", etag);
    s3_xw_text(w, "LastModified", t);
    s3_xw_text(w, "ETag", q2);
    size_t len;
    char *x = s3_xw_finish(w, &len);
    return x ? gw_reply_xml(r, 200, x, len) : MHD_NO;
}

enum MHD_Result gw_dispatch(gw_req *r)
{
    switch (r->op) {
    case OP_LIST_BUCKETS:
        return gw_list_buckets(r);
    case OP_CREATE_BUCKET:
        return create_bucket(r);
    case OP_DELETE_BUCKET:
        return delete_bucket(r);
    case OP_HEAD_BUCKET:
        return gw_reply_xml(r, 200, NULL, 0);
    case OP_LOCATION:
        return location(r);
    case OP_LIST_V1:
        return gw_list_objects(r, 0);
    case OP_LIST_V2:
        return gw_list_objects(r, 1);
    case OP_LIST_UPLOADS:
        return gw_mpu_list_uploads(r);
    case OP_DELETE_OBJECTS:
        return delete_objects(r);
    case OP_PUT:
        return put_object(r);
    case OP_COPY:
        return copy_object(r);
    case OP_GET:
        return gw_get(r, 0);
    case OP_HEAD:
        return gw_get(r, 1);
    case OP_DELETE:
        return delete_object(r);
    case OP_MPU_CREATE:
        return gw_mpu_create(r);
    case OP_MPU_PART:
        return gw_mpu_part(r);
    case OP_MPU_COMPLETE:
        return gw_mpu_complete(r);
    case OP_MPU_ABORT:
        return gw_mpu_abort(r);
    case OP_MPU_LIST_PARTS:
        return gw_mpu_list_parts(r);
    default:
        return gw_error(r, S3_NOT_IMPLEMENTED, NULL);
    }
}
