/* Multipart uploads (gw.h): parts are spooled in the gateway's spool as
 * <account>-<upload>-<part>.part and recorded in the index; Complete
 * checks the list (ascending, ETags match, every part but the last at
 * least 5 MiB), concatenates the parts into one spool file and stores it
 * as one storage file. ETag: MD5 of the parts' binary MD5s, "-N". */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cairn/parse.h"
#include "s3/gw.h"
#include "s3/xml.h"

static void part_path(gw *g, const gw_acct *a, const char *upload,
                      uint32_t part, char out[GW_PATH_MAX])
{
    if ((size_t)snprintf(out, GW_PATH_MAX, "%s/%.16s-%s-%05u.part", g->spool,
                         a->addr + 6, upload, part) >= GW_PATH_MAX)
        out[0] = '\0';
}

/* The upload id from the query, checked against the index and the path. */
static s3_code upload_of(gw_req *r, char id[80], json_t **rec)
{
    *rec = NULL;
    if (gw_qparam(r, "uploadId", id, 80) != 1 || strlen(id) != 32)
        return S3_NO_SUCH_UPLOAD;
    if (s3idx_upload_get(r->a->idx, id, rec))
        return S3_NO_SUCH_UPLOAD;
    const char *b = json_string_value(json_object_get(*rec, "bucket"));
    const char *k = json_string_value(json_object_get(*rec, "key"));
    if (!b || !k || strcmp(b, r->bucket) || strcmp(k, r->key)) {
        json_decref(*rec);
        *rec = NULL;
        return S3_NO_SUCH_UPLOAD;
    }
    return S3_OK;
}

enum MHD_Result gw_mpu_create(gw_req *r)
{
    uint8_t raw[16];
    char id[33];
    randombytes_buf(raw, sizeof raw);
    gw_hex(id, raw, sizeof raw);
    const char *t = gw_header(r, "content-type");
    json_t *meta = gw_req_meta(r);
    json_t *rec =
        json_pack("{s:s, s:s, s:s, s:o, s:I}", "bucket", r->bucket, "key",
                  r->key, "type", t && *t ? t : "binary/octet-stream", "meta",
                  meta, "initiated", (json_int_t)time(NULL));
    cairn_err e = s3idx_upload_put(r->a->idx, id, rec);
    json_decref(rec);
    if (e)
        return gw_error(r, S3_INTERNAL_ERROR, "cannot write the index");
    s3_xw *w = s3_xw_new("InitiateMultipartUploadResult");
    s3_xw_text(w, "Bucket", r->bucket);
    s3_xw_text(w, "Key", r->key);
    s3_xw_text(w, "UploadId", id);
    size_t n;
    char *x = s3_xw_finish(w, &n);
    return x ? gw_reply_xml(r, 200, x, n) : MHD_NO;
}

s3_code gw_mpu_check(gw_req *r, char *msg, size_t msglen)
{
    char id[80], pn[16];
    json_t *rec;
    uint64_t n;
    if (gw_qparam(r, "partNumber", pn, sizeof pn) != 1 ||
        cairn_parse_u64(pn, &n) || n < 1 || n > GW_PARTS_MAX) {
        snprintf(msg, msglen, "partNumber must be 1..10000");
        return S3_INVALID_ARGUMENT;
    }
    s3_code c = upload_of(r, id, &rec);
    json_decref(rec);
    return c;
}

enum MHD_Result gw_mpu_part(gw_req *r)
{
    char id[80], pn[16], path[GW_PATH_MAX], etag[33];
    uint64_t n = 0;
    json_t *rec;
    s3_code c = upload_of(r, id, &rec);
    json_decref(rec);
    if (c)
        return gw_error(r, c, NULL); /* aborted while the body came */
    gw_qparam(r, "partNumber", pn, sizeof pn);
    if (cairn_parse_u64(pn, &n))
        return gw_error(r, S3_INVALID_ARGUMENT, NULL);
    gw_hex(etag, r->digest, 16);
    part_path(r->g, r->a, id, (uint32_t)n, path);
    close(r->fd);
    r->fd = -1;
    if (rename(r->spool, path) != 0)
        return gw_error(r, S3_INTERNAL_ERROR, "cannot keep the part");
    r->spool[0] = '\0';
    json_t *p = json_pack("{s:I, s:s, s:I}", "size", (json_int_t)r->got, "etag",
                          etag, "mtime", (json_int_t)time(NULL));
    cairn_err e = s3idx_part_put(r->a->idx, id, (uint32_t)n, p);
    json_decref(p);
    if (e)
        return gw_error(r, S3_INTERNAL_ERROR, "cannot write the index");
    char q[40];
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

/* The parts recorded for an upload, by number. */
typedef struct parts {
    uint32_t *num;
    json_t **rec;
    size_t n;
} parts;

static int part_one(void *arg, uint32_t part, const json_t *rec)
{
    parts *p = arg;
    uint32_t *nn = realloc(p->num, (p->n + 1) * sizeof *nn);
    if (!nn)
        return 1;
    p->num = nn;
    json_t **nr = realloc(p->rec, (p->n + 1) * sizeof *nr);
    if (!nr)
        return 1;
    p->rec = nr;
    p->num[p->n] = part;
    p->rec[p->n++] = json_deep_copy(rec);
    return 0;
}

static void parts_free(parts *p)
{
    for (size_t i = 0; i < p->n; i++)
        json_decref(p->rec[i]);
    free(p->num);
    free(p->rec);
}

static const json_t *part_find(const parts *p, uint32_t num)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->num[i] == num)
            return p->rec[i];
    return NULL;
}

/* Removes the part files and the upload's records. */
static void drop_upload(gw *g, gw_acct *a, const char *id, const parts *p)
{
    char path[GW_PATH_MAX];
    for (size_t i = 0; i < p->n; i++) {
        part_path(g, a, id, p->num[i], path);
        unlink(path);
    }
    s3idx_upload_del(a->idx, id);
}

/* Appends file src to fd. */
static int append(int fd, const char *src, s3_md5 *unused)
{
    (void)unused;
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -1;
    struct stat st;
    if (fstat(in, &st) != 0) {
        close(in);
        return -1;
    }
    off_t left = st.st_size;
    while (left > 0) {
        ssize_t n = copy_file_range(in, NULL, fd, NULL, (size_t)left, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(in);
            return -1;
        }
        left -= n;
    }
    close(in);
    return 0;
}

/* CompleteMultipartUpload's storing, on its own thread while the response
 * keeps the connection alive with blanks. */
typedef struct cjob {
    gw *g;
    gw_acct *a;
    char bucket[4 * GW_BUCKET_MAX + 1], key[GW_KEY_MAX + 1], id[80];
    char spool[GW_PATH_MAX], etag[48], type[256], reqid[20];
    json_t *meta;
    uint64_t total;
    parts p;
    pthread_t th;
    int started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done, head_sent;
    char *body; /* the result, without its XML declaration */
    size_t body_n, sent;
} cjob;

static const char xml_decl[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/* x without its leading XML declaration (moved to the front of x). */
static void strip_decl(char *x, size_t *n)
{
    if (strncmp(x, "<?xml", 5) != 0)
        return;
    char *end = strstr(x, "?>");
    if (!end)
        return;
    end += 2;
    while (*end == '\n' || *end == '\r')
        end++;
    *n -= (size_t)(end - x);
    memmove(x, end, *n + 1);
}

static void *complete_run(void *arg)
{
    cjob *j = arg;
    char msg[512] = "";
    size_t n = 0;
    char *x;
    s3_code c = gw_store(j->a, j->bucket, j->key, j->spool, j->total, j->etag,
                         j->type, j->meta, NULL, msg, sizeof msg);
    if (c) {
        char res[sizeof j->bucket + sizeof j->key + 4];
        snprintf(res, sizeof res, "/%s/%s", j->bucket, j->key);
        fprintf(stderr, "s3: complete %s -> %s: %s\n", res, s3_code_name(c),
                msg);
        x = s3_error_xml(c, msg, res, j->reqid, &n);
    } else {
        drop_upload(j->g, j->a, j->id, &j->p);
        s3_xw *w = s3_xw_new("CompleteMultipartUploadResult");
        char loc[sizeof j->bucket + sizeof j->key + 4], q[60];
        snprintf(loc, sizeof loc, "/%s/%s", j->bucket, j->key);
        snprintf(q, sizeof q, "\"%s\"", j->etag);
        s3_xw_text(w, "Location", loc);
        s3_xw_text(w, "Bucket", j->bucket);
        s3_xw_text(w, "Key", j->key);
        s3_xw_text(w, "ETag", q);
        x = s3_xw_finish(w, &n);
    }
    if (x)
        strip_decl(x, &n);
    pthread_mutex_lock(&j->mu);
    j->body = x;
    j->body_n = x ? n : 0;
    j->done = 1;
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

static ssize_t complete_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    cjob *j = cls;
    if (!j->head_sent) {
        size_t n = sizeof xml_decl - 1;
        if (max < n)
            return 0;
        memcpy(buf, xml_decl, n);
        j->head_sent = 1;
        return (ssize_t)n;
    }
    pthread_mutex_lock(&j->mu);
    if (!j->done) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 5;
        while (!j->done && pthread_cond_timedwait(&j->cv, &j->mu, &ts) == 0)
            ;
    }
    int done = j->done;
    pthread_mutex_unlock(&j->mu);
    if (!done) {
        buf[0] = ' ';
        return 1;
    }
    if (!j->body)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    if (j->sent == j->body_n)
        return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = j->body_n - j->sent < max ? j->body_n - j->sent : max;
    memcpy(buf, j->body + j->sent, n);
    j->sent += n;
    return (ssize_t)n;
}

static void complete_free(void *cls)
{
    cjob *j = cls;
    if (j->started)
        pthread_join(j->th, NULL); /* a client gone: the object is stored */
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cv);
    parts_free(&j->p);
    json_decref(j->meta);
    free(j->body);
    free(j);
}

enum MHD_Result gw_mpu_complete(gw_req *r)
{
    char id[80], msg[512] = "";
    json_t *up;
    s3_code c = upload_of(r, id, &up);
    if (c)
        return gw_error(r, c, NULL);
    s3_part_ref *refs = NULL;
    size_t nrefs = 0;
    c = s3_xml_complete(r->mem ? r->mem : "", r->memn, &refs, &nrefs);
    if (c) {
        json_decref(up);
        return gw_error(r, c,
                        "the CompleteMultipartUpload body could not "
                        "be read");
    }
    parts p = {0};
    s3idx_parts(r->a->idx, id, part_one, &p);
    uint64_t total = 0;
    s3_md5 em;
    s3_md5_init(&em);
    for (size_t i = 0; i < nrefs && !c; i++) {
        const json_t *pr = part_find(&p, refs[i].number);
        if (i && refs[i].number <= refs[i - 1].number) {
            c = S3_INVALID_PART_ORDER;
            break;
        }
        const char *et =
            pr ? json_string_value(json_object_get(pr, "etag")) : NULL;
        if (!et || strcmp(et, refs[i].etag) != 0) {
            c = S3_INVALID_PART;
            snprintf(msg, sizeof msg,
                     "part %u was not uploaded or its ETag differs",
                     refs[i].number);
            break;
        }
        uint64_t sz = (uint64_t)json_integer_value(json_object_get(pr, "size"));
        if (i + 1 < nrefs && sz < GW_PART_MIN) {
            c = S3_ENTITY_TOO_SMALL;
            snprintf(msg, sizeof msg,
                     "part %u is %llu bytes: every part but the last must be "
                     "at least 5 MiB",
                     refs[i].number, (unsigned long long)sz);
            break;
        }
        uint8_t bin[16];
        size_t bn;
        sodium_hex2bin(bin, sizeof bin, et, strlen(et), NULL, &bn, NULL);
        s3_md5_update(&em, bin, 16);
        total += sz;
    }
    if (!c && total > r->g->o.max_object)
        c = S3_ENTITY_TOO_LARGE;
    char spool[GW_PATH_MAX], path[GW_PATH_MAX];
    int fd = c ? -1 : gw_spool_new(r->g, "mpu", spool);
    if (!c && fd < 0) {
        c = S3_INTERNAL_ERROR;
        snprintf(msg, sizeof msg, "cannot write the gateway's spool");
    }
    for (size_t i = 0; i < nrefs && !c; i++) {
        part_path(r->g, r->a, id, refs[i].number, path);
        if (append(fd, path, NULL) != 0) {
            c = S3_INTERNAL_ERROR;
            snprintf(msg, sizeof msg, "cannot read part %u from the spool",
                     refs[i].number);
        }
    }
    if (fd >= 0)
        close(fd);
    if (c) {
        if (fd >= 0)
            unlink(spool);
        free(refs);
        parts_free(&p);
        json_decref(up);
        return gw_error(r, c, *msg ? msg : NULL);
    }
    cjob *j = calloc(1, sizeof *j);
    if (!j) {
        unlink(spool);
        free(refs);
        parts_free(&p);
        json_decref(up);
        return MHD_NO;
    }
    uint8_t md5[16];
    s3_md5_final(&em, md5);
    gw_hex(j->etag, md5, 16);
    snprintf(j->etag + 32, sizeof j->etag - 32, "-%zu", nrefs);
    free(refs);
    j->g = r->g;
    j->a = r->a;
    snprintf(j->bucket, sizeof j->bucket, "%s", r->bucket);
    snprintf(j->key, sizeof j->key, "%s", r->key);
    snprintf(j->id, sizeof j->id, "%s", id);
    snprintf(j->spool, sizeof j->spool, "%s", spool);
    snprintf(j->type, sizeof j->type, "%s",
             json_string_value(json_object_get(up, "type")) ?: "");
    snprintf(j->reqid, sizeof j->reqid, "%s", r->reqid);
    j->meta = json_incref(json_object_get(up, "meta"));
    json_decref(up);
    j->total = total;
    j->p = p;
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    if (pthread_create(&j->th, NULL, complete_run, j) != 0) {
        complete_free(j);
        unlink(spool);
        return gw_error(r, S3_INTERNAL_ERROR, "cannot start a thread");
    }
    j->started = 1;
    /* 200 at once, then blanks every few seconds while the file is stored,
     * then the result or an <Error> (what S3 does; clients expect it) */
    struct MHD_Response *resp = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, 4096, complete_read, j, complete_free);
    if (!resp) {
        complete_free(j);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", "application/xml");
    gw_common_headers(r, resp);
    enum MHD_Result rc = MHD_queue_response(r->conn, 200, resp);
    MHD_destroy_response(resp);
    return rc;
}

enum MHD_Result gw_mpu_abort(gw_req *r)
{
    char id[80];
    json_t *up;
    s3_code c = upload_of(r, id, &up);
    if (c)
        return gw_error(r, c, NULL);
    json_decref(up);
    parts p = {0};
    s3idx_parts(r->a->idx, id, part_one, &p);
    drop_upload(r->g, r->a, id, &p);
    parts_free(&p);
    return gw_reply_xml(r, 204, NULL, 0);
}

enum MHD_Result gw_mpu_list_parts(gw_req *r)
{
    char id[80];
    json_t *up;
    s3_code c = upload_of(r, id, &up);
    if (c)
        return gw_error(r, c, NULL);
    json_decref(up);
    parts p = {0};
    s3idx_parts(r->a->idx, id, part_one, &p);
    s3_xw *w = s3_xw_new("ListPartsResult");
    s3_xw_text(w, "Bucket", r->bucket);
    s3_xw_text(w, "Key", r->key);
    s3_xw_text(w, "UploadId", id);
    s3_xw_u64(w, "MaxParts", 10000);
    s3_xw_text(w, "IsTruncated", "false");
    for (size_t i = 0; i < p.n; i++) {
        char t[32], q[40];
        gw_iso_time(t, (uint64_t)json_integer_value(
                           json_object_get(p.rec[i], "mtime")));
        snprintf(q, sizeof q, "\"%s\"",
                 json_string_value(json_object_get(p.rec[i], "etag")) ?: "");
        s3_xw_open(w, "Part");
        s3_xw_u64(w, "PartNumber", p.num[i]);
        s3_xw_text(w, "LastModified", t);
        s3_xw_text(w, "ETag", q);
        s3_xw_u64(
            w, "Size",
            (uint64_t)json_integer_value(json_object_get(p.rec[i], "size")));
        s3_xw_close(w);
    }
    parts_free(&p);
    size_t n;
    char *x = s3_xw_finish(w, &n);
    return x ? gw_reply_xml(r, 200, x, n) : MHD_NO;
}

typedef struct ups {
    s3_xw *w;
    const char *bucket;
} ups;

static int upload_one(void *arg, const char *id, const json_t *rec)
{
    ups *u = arg;
    const char *b = json_string_value(json_object_get(rec, "bucket"));
    if (!b || strcmp(b, u->bucket))
        return 0;
    char t[32];
    gw_iso_time(
        t, (uint64_t)json_integer_value(json_object_get(rec, "initiated")));
    s3_xw_open(u->w, "Upload");
    s3_xw_text(u->w, "Key",
               json_string_value(json_object_get(rec, "key")) ?: "");
    s3_xw_text(u->w, "UploadId", id);
    s3_xw_text(u->w, "Initiated", t);
    s3_xw_close(u->w);
    return 0;
}

enum MHD_Result gw_mpu_list_uploads(gw_req *r)
{
    s3_xw *w = s3_xw_new("ListMultipartUploadsResult");
    s3_xw_text(w, "Bucket", r->bucket);
    s3_xw_text(w, "IsTruncated", "false");
    ups u = {w, r->bucket};
    s3idx_uploads(r->a->idx, upload_one, &u);
    size_t n;
    char *x = s3_xw_finish(w, &n);
    return x ? gw_reply_xml(r, 200, x, n) : MHD_NO;
}
