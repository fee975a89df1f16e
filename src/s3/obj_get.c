/* GetObject and HeadObject (gw.h): the object's bytes come from the storage
 * network through the range reader as its segments decode, on a producer
 * thread that writes into a pipe the HTTP response reads from (memory:
 * the pipe and the reader's segments, not the object). Range requests
 * fetch only the segments they cover. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cairn/parse.h"
#include "s3/gw.h"

#include "storage/client/getrange.h"

/* The object's storage file (by its index record). */
static s3_code load_file(gw_acct *a, const json_t *rec, cmeta_file *f,
                         char *msg, size_t msglen)
{
    const char *id = json_string_value(json_object_get(rec, "id"));
    if (!id || cmeta_find(a->c.meta, id, f) != CAIRN_OK) {
        snprintf(msg, msglen,
                 "the object's storage file %s is not in the gateway's "
                 "client store",
                 id ? id : "?");
        return S3_INTERNAL_ERROR;
    }
    return S3_OK;
}

/* ---- streaming through a pipe ---- */

#define FIRST_WAIT_MS 60000 /* for the first bytes of a GET */

typedef struct stream {
    gw_acct *a;
    cmeta_file f;
    uint64_t off, len;
    int rd, wr;
    pthread_t th;
    int started;
    cairn_err err;
    gw *g;
    int slot;
} stream;

static int emit_pipe(void *arg, const uint8_t *p, size_t n)
{
    stream *s = arg;
    while (n) {
        ssize_t w = write(s->wr, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return 1; /* the client went away */
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void *produce(void *arg)
{
    stream *s = arg;
    s->err = cget_range(&s->a->c, &s->f, s->off, s->len, emit_pipe, s);
    if (s->err && s->err != CAIRN_ERR_IO)
        fprintf(stderr, "s3: get of file stopped: %s\n",
                *s->a->c.why ? s->a->c.why : cairn_strerror(s->err));
    close(s->wr);
    s->wr = -1;
    return NULL;
}

static ssize_t read_pipe(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    stream *s = cls;
    for (;;) {
        ssize_t n = read(s->rd, buf, max);
        if (n < 0 && errno == EINTR)
            continue;
        if (n > 0)
            return n;
        /* the producer ended before the last byte: cut the response */
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
}

static void free_stream(void *cls)
{
    stream *s = cls;
    if (s->rd >= 0)
        close(s->rd); /* a blocked producer gets EPIPE */
    if (s->started)
        pthread_join(s->th, NULL);
    if (s->wr >= 0)
        close(s->wr);
    if (s->slot)
        gw_slot_give(s->g);
    free(s);
}

/* Waits (up to FIRST_WAIT_MS) until the producer has written its first
 * bytes or ended. A read that fails before any byte is sent is answered
 * with an S3 error instead of a cut 200: AccessDenied when the providers
 * want payment the account cannot make, ServiceUnavailable otherwise (too
 * few pieces). S3_OK once bytes flow, or when the wait runs out (the
 * response then goes on as it can). */
static s3_code first_bytes(stream *s, char *msg, size_t msglen)
{
    struct pollfd pf = {.fd = s->rd, .events = POLLIN};
    int n;
    while ((n = poll(&pf, 1, FIRST_WAIT_MS)) < 0 && errno == EINTR)
        ;
    if (n <= 0 || !(pf.revents & POLLHUP) || (pf.revents & POLLIN) ||
        s->len == 0)
        return S3_OK;
    pthread_join(s->th, NULL); /* ended without a byte */
    s->started = 0;
    if (!s->err)
        return S3_OK;
    snprintf(msg, msglen, "the storage network did not give the object: %.400s",
             *s->a->c.why ? s->a->c.why : cairn_strerror(s->err));
    return s->err == CAIRN_ERR_PAYMENT_REQUIRED ? S3_ACCESS_DENIED
                                                : S3_SERVICE_UNAVAILABLE;
}

static ssize_t never_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)cls;
    (void)pos;
    (void)buf;
    (void)max;
    return MHD_CONTENT_READER_END_WITH_ERROR;
}

/* Range: bytes=a-b | a- | -n against size. 1: a range (*off, *len); 0:
 * none or one we ignore (several ranges: the whole object, as S3 may);
 * -1: not satisfiable. */
static int parse_range(const char *h, uint64_t size, uint64_t *off,
                       uint64_t *len)
{
    if (!h || strncmp(h, "bytes=", 6) != 0 || strchr(h, ','))
        return 0;
    const char *p = h + 6, *dash = strchr(p, '-');
    if (!dash)
        return 0;
    char a[24] = "", b[24] = "";
    if ((size_t)(dash - p) >= sizeof a || strlen(dash + 1) >= sizeof b)
        return 0;
    memcpy(a, p, (size_t)(dash - p));
    snprintf(b, sizeof b, "%s", dash + 1);
    uint64_t x = 0, y = 0;
    if (!*a) {
        if (!*b || cairn_parse_u64(b, &y))
            return 0; /* not a suffix range we read: the whole object */
        if (y == 0)
            return -1; /* bytes=-0 is not satisfiable */
        if (size == 0)
            return -1;
        *len = y < size ? y : size;
        *off = size - *len;
        return 1;
    }
    if (cairn_parse_u64(a, &x))
        return 0;
    if (*b && (cairn_parse_u64(b, &y) || y < x))
        return 0;
    if (x >= size)
        return -1;
    if (!*b || y >= size)
        y = size - 1;
    *off = x;
    *len = y - x + 1;
    return 1;
}

static enum MHD_Result meta_headers(struct MHD_Response *resp, json_t *rec)
{
    json_t *meta = json_object_get(rec, "meta");
    const char *k;
    json_t *v;
    json_object_foreach(meta, k, v)
    {
        char name[300];
        snprintf(name, sizeof name, "x-amz-meta-%s", k);
        if (json_is_string(v))
            MHD_add_response_header(resp, name, json_string_value(v));
    }
    return MHD_YES;
}

enum MHD_Result gw_get(gw_req *r, int head)
{
    gw_acct *a = r->a;
    json_t *rec = NULL;
    char msg[512] = "";
    if (s3idx_obj_get(a->idx, r->bucket, r->key, &rec))
        return gw_error(r, S3_NO_SUCH_KEY, NULL);
    uint64_t size = (uint64_t)json_integer_value(json_object_get(rec, "size"));
    uint64_t off = 0, len = size;
    int ranged =
        head ? 0 : parse_range(gw_header(r, "range"), size, &off, &len);
    char cr[80];
    if (ranged < 0) {
        json_decref(rec);
        return gw_error(r, S3_INVALID_RANGE,
                        "the range starts past the end of the object");
    }
    stream *s = NULL;
    struct MHD_Response *resp;
    if (head) {
        resp = MHD_create_response_from_callback(size, 4096, never_read, NULL,
                                                 NULL);
    } else if (len == 0) {
        resp = MHD_create_response_from_buffer(0, (void *)"",
                                               MHD_RESPMEM_PERSISTENT);
    } else {
        s = calloc(1, sizeof *s);
        if (!s) {
            json_decref(rec);
            return MHD_NO;
        }
        s->a = a;
        s->g = r->g;
        s->off = off;
        s->len = len;
        s->rd = s->wr = -1;
        s3_code c = load_file(a, rec, &s->f, msg, sizeof msg);
        if (!c && gw_slot_take(r->g) != 0) {
            c = S3_SLOW_DOWN;
            snprintf(msg, sizeof msg,
                     "%u object transfers are running: try again shortly",
                     r->g->o.max_transfers);
        } else if (!c)
            s->slot = 1;
        int fds[2];
        if (!c && pipe2(fds, O_CLOEXEC) != 0) {
            c = S3_INTERNAL_ERROR;
            snprintf(msg, sizeof msg, "pipe: %s", strerror(errno));
        }
        if (c) {
            free_stream(s);
            json_decref(rec);
            return gw_error(r, c, msg);
        }
        s->rd = fds[0];
        s->wr = fds[1];
        fcntl(s->wr, F_SETPIPE_SZ, 1 << 20);
        if (pthread_create(&s->th, NULL, produce, s) != 0) {
            free_stream(s);
            json_decref(rec);
            return gw_error(r, S3_INTERNAL_ERROR, "cannot start a thread");
        }
        s->started = 1;
        if ((c = first_bytes(s, msg, sizeof msg))) {
            free_stream(s);
            json_decref(rec);
            return gw_error(r, c, msg);
        }
        resp = MHD_create_response_from_callback(len, 256 * 1024, read_pipe, s,
                                                 free_stream);
    }
    if (!resp) {
        if (s)
            free_stream(s);
        json_decref(rec);
        return MHD_NO;
    }
    char etag[100], lm[40];
    snprintf(etag, sizeof etag, "\"%s\"",
             json_string_value(json_object_get(rec, "etag")) ?: "");
    gw_http_time(lm,
                 (uint64_t)json_integer_value(json_object_get(rec, "mtime")));
    MHD_add_response_header(resp, "ETag", etag);
    MHD_add_response_header(resp, "Last-Modified", lm);
    MHD_add_response_header(resp, "Accept-Ranges", "bytes");
    MHD_add_response_header(resp, "Content-Type",
                            json_string_value(json_object_get(rec, "type"))
                                ?: "binary/octet-stream");
    if (ranged > 0) {
        snprintf(cr, sizeof cr, "bytes %llu-%llu/%llu", (unsigned long long)off,
                 (unsigned long long)(off + len - 1), (unsigned long long)size);
        MHD_add_response_header(resp, "Content-Range", cr);
    }
    meta_headers(resp, rec);
    gw_common_headers(r, resp);
    json_decref(rec);
    enum MHD_Result rc =
        MHD_queue_response(r->conn, ranged > 0 ? 206 : 200, resp);
    MHD_destroy_response(resp);
    return rc;
}

/* ---- CopyObject's source ---- */

typedef struct spool_sink {
    int fd;
    s3_md5 md5;
} spool_sink;

static int emit_spool(void *arg, const uint8_t *p, size_t n)
{
    spool_sink *k = arg;
    s3_md5_update(&k->md5, p, n);
    while (n) {
        ssize_t w = write(k->fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return 1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

s3_code gw_copy_to_spool(gw_acct *a, const char *bucket, const char *key,
                         char spool[GW_PATH_MAX], uint8_t md5[16],
                         uint64_t *size, json_t **rec, char *msg, size_t msglen)
{
    *rec = NULL;
    if (s3idx_obj_get(a->idx, bucket, key, rec))
        return S3_NO_SUCH_KEY;
    *size = (uint64_t)json_integer_value(json_object_get(*rec, "size"));
    spool_sink k;
    s3_md5_init(&k.md5);
    k.fd = gw_spool_new(a->g, "copy", spool);
    if (k.fd < 0) {
        snprintf(msg, msglen, "cannot write the gateway's spool");
        return S3_INTERNAL_ERROR;
    }
    s3_code c = S3_OK;
    if (*size) {
        cmeta_file f;
        c = load_file(a, *rec, &f, msg, msglen);
        cairn_err e =
            c ? CAIRN_OK : cget_range(&a->c, &f, 0, *size, emit_spool, &k);
        if (!c && e) {
            snprintf(msg, msglen, "cannot read the source object: %s",
                     *a->c.why ? a->c.why : cairn_strerror(e));
            c = S3_INTERNAL_ERROR;
        }
    }
    close(k.fd);
    s3_md5_final(&k.md5, md5);
    if (c) {
        unlink(spool);
        json_decref(*rec);
        *rec = NULL;
    }
    return c;
}
