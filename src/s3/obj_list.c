/* The S3 gateway's listings (gw.h): ListBuckets, ListObjects (v1, as s3cmd
 * asks) and ListObjectsV2 with prefix, delimiter, max-keys, start-after and
 * continuation tokens (the hex of the last key or common prefix listed). */
#include <stdlib.h>
#include <string.h>

#include "cairn/parse.h"
#include "s3/gw.h"
#include "s3/xml.h"

static int bucket_one(void *arg, const char *bucket, const json_t *rec)
{
    s3_xw *w = arg;
    char t[32];
    gw_iso_time(t,
                (uint64_t)json_integer_value(json_object_get(rec, "created")));
    s3_xw_open(w, "Bucket");
    s3_xw_text(w, "Name", bucket);
    s3_xw_text(w, "CreationDate", t);
    s3_xw_close(w);
    return 0;
}

enum MHD_Result gw_list_buckets(gw_req *r)
{
    s3_xw *w = s3_xw_new("ListAllMyBucketsResult");
    s3_xw_open(w, "Owner");
    s3_xw_text(w, "ID", r->a->addr);
    s3_xw_text(w, "DisplayName", r->a->addr);
    s3_xw_close(w);
    s3_xw_open(w, "Buckets");
    cairn_err e = s3idx_buckets(r->a->idx, bucket_one, w);
    s3_xw_close(w);
    size_t n;
    char *x = s3_xw_finish(w, &n);
    if (e) {
        free(x);
        return gw_error(r, S3_INTERNAL_ERROR, "cannot read the index");
    }
    return x ? gw_reply_xml(r, 200, x, n) : MHD_NO;
}

/* S3's encoding-type=url: every byte but unreserved ones and '/' escaped. */
static void url_encode(char *out, size_t cap, const char *in)
{
    static const char d[] = "0123456789ABCDEF";
    size_t o = 0;
    for (; *in && o + 4 < cap; in++) {
        unsigned char c = (unsigned char)*in;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
            c == '~' || c == '/')
            out[o++] = (char)c;
        else {
            out[o++] = '%';
            out[o++] = d[c >> 4];
            out[o++] = d[c & 15];
        }
    }
    out[o] = '\0';
}

typedef struct lst {
    s3_xw *w;
    const char *prefix, *delim;
    int encode;
    uint64_t max, count;
    int truncated;
    char last[2 * GW_KEY_MAX + 1];    /* the last key or prefix listed */
    char skip_cp[2 * GW_KEY_MAX + 1]; /* keys under this common prefix: done */
    /* common prefixes go after the contents: kept here */
    char **cps;
    size_t ncps;
} lst;

static void text_enc(lst *l, const char *name, const char *v)
{
    if (l->encode) {
        char buf[3 * GW_KEY_MAX + 1];
        url_encode(buf, sizeof buf, v);
        s3_xw_text(l->w, name, buf);
    } else
        s3_xw_text(l->w, name, v);
}

static int list_one(void *arg, const char *key, const json_t *rec)
{
    lst *l = arg;
    if (*l->skip_cp && strncmp(key, l->skip_cp, strlen(l->skip_cp)) == 0)
        return 0;
    const char *cp_end = NULL;
    if (*l->delim) {
        const char *d = strstr(key + strlen(l->prefix), l->delim);
        if (d)
            cp_end = d + strlen(l->delim);
    }
    if (l->count >= l->max) {
        l->truncated = 1;
        return 1;
    }
    l->count++;
    if (cp_end) {
        size_t n = (size_t)(cp_end - key);
        char **np = realloc(l->cps, (l->ncps + 1) * sizeof *np);
        if (!np)
            return 1;
        l->cps = np;
        np[l->ncps++] = strndup(key, n);
        memcpy(l->skip_cp, key, n);
        l->skip_cp[n] = '\0';
        memcpy(l->last, key, n);
        l->last[n] = '\0';
        return 0;
    }
    snprintf(l->last, sizeof l->last, "%s", key);
    char t[32], q[100];
    gw_iso_time(t, (uint64_t)json_integer_value(json_object_get(rec, "mtime")));
    snprintf(q, sizeof q, "\"%s\"",
             json_string_value(json_object_get(rec, "etag")) ?: "");
    s3_xw_open(l->w, "Contents");
    text_enc(l, "Key", key);
    s3_xw_text(l->w, "LastModified", t);
    s3_xw_text(l->w, "ETag", q);
    s3_xw_u64(l->w, "Size",
              (uint64_t)json_integer_value(json_object_get(rec, "size")));
    s3_xw_text(l->w, "StorageClass", "STANDARD");
    s3_xw_close(l->w);
    return 0;
}

/* A query value into out; "" when absent. -1 when malformed. */
static int qval(gw_req *r, const char *name, char *out, size_t cap)
{
    int rc = gw_qparam(r, name, out, cap);
    if (rc <= 0 && cap)
        out[0] = '\0';
    return rc < 0 ? -1 : 0;
}

enum MHD_Result gw_list_objects(gw_req *r, int v2)
{
    char prefix[GW_KEY_MAX + 1], delim[64], token[2 * GW_KEY_MAX + 1],
        after[GW_KEY_MAX + 1], maxk[24], enc[16];
    if (qval(r, "prefix", prefix, sizeof prefix) ||
        qval(r, "delimiter", delim, sizeof delim) ||
        qval(r, v2 ? "continuation-token" : "marker", token, sizeof token) ||
        qval(r, "start-after", after, sizeof after) ||
        qval(r, "max-keys", maxk, sizeof maxk) ||
        qval(r, "encoding-type", enc, sizeof enc))
        return gw_error(r, S3_INVALID_ARGUMENT,
                        "a listing parameter is malformed or too long");
    uint64_t max = 1000;
    if (*maxk && cairn_parse_u64(maxk, &max))
        return gw_error(r, S3_INVALID_ARGUMENT,
                        "max-keys must be a whole number");
    if (max > 1000)
        max = 1000;
    if (*enc && strcmp(enc, "url") != 0)
        return gw_error(r, S3_INVALID_ARGUMENT,
                        "encoding-type can only be url");
    char from[2 * GW_KEY_MAX + 1] = "";
    if (v2 && *token) {
        size_t bn;
        if (sodium_hex2bin((unsigned char *)from, sizeof from - 1, token,
                           strlen(token), NULL, &bn, NULL) ||
            memchr(from, 0, bn))
            return gw_error(r, S3_INVALID_ARGUMENT,
                            "the continuation token is not one this gateway "
                            "gave");
        from[bn] = '\0';
    } else if (v2)
        snprintf(from, sizeof from, "%s", after);
    else
        snprintf(from, sizeof from, "%s", token);
    lst l = {.prefix = prefix, .delim = delim, .encode = *enc != 0, .max = max};
    /* resuming after a common prefix: skip what it covers */
    size_t dl = strlen(delim), fl = strlen(from);
    if (dl && fl >= dl && strcmp(from + fl - dl, delim) == 0 &&
        strncmp(from, prefix, strlen(prefix)) == 0)
        snprintf(l.skip_cp, sizeof l.skip_cp, "%s", from);
    l.w = s3_xw_new("ListBucketResult");
    s3_xw_text(l.w, "Name", r->bucket);
    text_enc(&l, "Prefix", prefix);
    if (*delim)
        text_enc(&l, "Delimiter", delim);
    if (!v2)
        text_enc(&l, "Marker", token);
    else if (*token)
        s3_xw_text(l.w, "ContinuationToken", token);
    if (v2 && *after)
        text_enc(&l, "StartAfter", after);
    s3_xw_u64(l.w, "MaxKeys", max);
    if (*enc)
        s3_xw_text(l.w, "EncodingType", "url");
    cairn_err e = CAIRN_OK;
    if (max > 0)
        e = s3idx_objs(r->a->idx, r->bucket, prefix, from, list_one, &l);
    else {
        /* max-keys 0: only whether there is anything */
        lst probe = l;
        probe.max = 0;
        e = s3idx_objs(r->a->idx, r->bucket, prefix, from, list_one, &probe);
        l.truncated = probe.truncated;
    }
    for (size_t i = 0; i < l.ncps; i++) {
        s3_xw_open(l.w, "CommonPrefixes");
        text_enc(&l, "Prefix", l.cps[i]);
        s3_xw_close(l.w);
        free(l.cps[i]);
    }
    free(l.cps);
    s3_xw_text(l.w, "IsTruncated", l.truncated ? "true" : "false");
    if (v2)
        s3_xw_u64(l.w, "KeyCount", l.count);
    if (l.truncated && v2) {
        char hex[2 * GW_KEY_MAX + 1];
        gw_hex(hex, (const uint8_t *)l.last, strlen(l.last));
        s3_xw_text(l.w, "NextContinuationToken", hex);
    } else if (l.truncated)
        text_enc(&l, "NextMarker", l.last);
    size_t n;
    char *x = s3_xw_finish(l.w, &n);
    if (e) {
        free(x);
        return gw_error(r, S3_INTERNAL_ERROR, "cannot read the index");
    }
    return x ? gw_reply_xml(r, 200, x, n) : MHD_NO;
}
