/* The S3 gateway's HTTP side (gw.h): libmicrohttpd in thread-per-connection
 * mode, the request state across its calls, SigV4 on every request, the
 * body spooled (objects, parts: hashed with MD5 and SHA-256 as it comes) or
 * kept in memory (XML), and the refusals S3 clients expect. */
#define _GNU_SOURCE
#include "s3/gw.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cairn/parse.h"

void gw_hex(char *out, const uint8_t *p, size_t n)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[p[i] >> 4];
        out[2 * i + 1] = d[p[i] & 15];
    }
    out[2 * n] = '\0';
}

void gw_iso_time(char out[32], uint64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

void gw_http_time(char out[40], uint64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 40, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

int gw_spool_new(gw *g, const char *tag, char out[GW_PATH_MAX])
{
    if ((size_t)snprintf(out, GW_PATH_MAX, "%s/%s-XXXXXX.tmp", g->spool, tag) >=
        GW_PATH_MAX)
        return -1;
    return mkostemps(out, 4, O_CLOEXEC);
}

int gw_slot_take(gw *g)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += GW_SLOT_WAIT_MS / 1000;
    pthread_mutex_lock(&g->slot_mu);
    int rc = 0;
    while (g->transfers >= g->o.max_transfers && rc == 0)
        rc = pthread_cond_timedwait(&g->slot_cv, &g->slot_mu, &ts);
    int ok = g->transfers < g->o.max_transfers;
    if (ok)
        g->transfers++;
    pthread_mutex_unlock(&g->slot_mu);
    return ok ? 0 : -1;
}

void gw_slot_give(gw *g)
{
    pthread_mutex_lock(&g->slot_mu);
    g->transfers--;
    pthread_cond_signal(&g->slot_cv);
    pthread_mutex_unlock(&g->slot_mu);
}

const char *gw_header(const gw_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

static const char *sig_header(void *arg, const char *name)
{
    return gw_header(arg, name);
}

/* Finds name in the raw query: "a=b&c&d=e". */
int gw_qparam(const gw_req *r, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    const char *p = r->query;
    while (*p) {
        const char *end = strchr(p, '&');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        size_t klen = eq ? (size_t)(eq - p) : len;
        char k[128];
        int kn = klen < sizeof k ? s3_uri_decode(k, sizeof k, p, klen) : -1;
        if (kn >= 0 && (size_t)kn == nl && memcmp(k, name, nl) == 0) {
            if (!eq) {
                if (cap)
                    out[0] = '\0';
                return 1;
            }
            if (len - klen - 1 == 0) {
                out[0] = '\0';
                return 1;
            }
            return s3_uri_decode(out, cap, eq + 1, len - klen - 1) < 0 ? -1 : 1;
        }
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

void gw_common_headers(gw_req *r, struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "x-amz-request-id", r->reqid);
    MHD_add_response_header(resp, "Server", "cairn-s3");
}

enum MHD_Result gw_reply_xml(gw_req *r, unsigned status, char *xml, size_t n)
{
    struct MHD_Response *resp =
        xml ? MHD_create_response_from_buffer(n, xml, MHD_RESPMEM_MUST_FREE)
            : MHD_create_response_from_buffer(0, (void *)"",
                                              MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(xml);
        return MHD_NO;
    }
    if (xml)
        MHD_add_response_header(resp, "Content-Type", "application/xml");
    gw_common_headers(r, resp);
    enum MHD_Result rc = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

enum MHD_Result gw_error(gw_req *r, s3_code c, const char *message)
{
    size_t n = 0;
    char *xml = s3_error_xml(c, message, r->resource, r->reqid, &n);
    if (r->g && c != S3_NO_SUCH_KEY)
        fprintf(stderr, "s3: %s %s%s%s -> %s%s%s\n", r->method, r->url,
                *r->query ? "?" : "", r->query, s3_code_name(c),
                message ? ": " : "", message ? message : "");
    return gw_reply_xml(r, s3_code_status(c), xml, n);
}

/* ---- what the request is ---- */

/* Splits the raw path into bucket and key (decoded). */
static s3_code parse_path(gw_req *r, char *msg, size_t msglen)
{
    const char *p = r->url;
    if (*p != '/')
        return S3_INVALID_REQUEST;
    p++;
    const char *slash = strchr(p, '/');
    size_t bl = slash ? (size_t)(slash - p) : strlen(p);
    if (bl && s3_uri_decode(r->bucket, sizeof r->bucket, p, bl) < 0) {
        snprintf(msg, msglen, "the bucket name in the path is malformed");
        return S3_INVALID_BUCKET_NAME;
    }
    if (slash && slash[1]) {
        if (s3_uri_decode(r->key, sizeof r->key, slash + 1, strlen(slash + 1)) <
            0) {
            snprintf(msg, msglen,
                     "the key is malformed or longer than 1024 bytes");
            return S3_KEY_TOO_LONG;
        }
    }
    snprintf(r->resource, sizeof r->resource, "/%s%s%s", r->bucket,
             *r->key ? "/" : "", r->key);
    return S3_OK;
}

static int has_q(const gw_req *r, const char *name)
{
    char tmp[8];
    return gw_qparam(r, name, tmp, sizeof tmp) != 0;
}

static enum gw_op classify(gw_req *r)
{
    const char *m = r->method;
    int get = strcmp(m, "GET") == 0, put = strcmp(m, "PUT") == 0,
        head = strcmp(m, "HEAD") == 0, del = strcmp(m, "DELETE") == 0,
        post = strcmp(m, "POST") == 0;
    if (!*r->bucket)
        return get ? OP_LIST_BUCKETS : OP_NONE;
    if (!*r->key) {
        if (get && has_q(r, "location"))
            return OP_LOCATION;
        if (get && has_q(r, "uploads"))
            return OP_LIST_UPLOADS;
        if (get) {
            char v[8];
            if (gw_qparam(r, "list-type", v, sizeof v) == 1 &&
                strcmp(v, "2") == 0)
                return OP_LIST_V2;
            static const char *const sub[] = {
                "acl",        "policy",   "versioning",  "tagging",
                "cors",       "website",  "logging",     "lifecycle",
                "encryption", "versions", "replication", "notification",
                NULL};
            for (int i = 0; sub[i]; i++)
                if (has_q(r, sub[i]))
                    return OP_NONE;
            return OP_LIST_V1;
        }
        if (post && has_q(r, "delete"))
            return OP_DELETE_OBJECTS;
        if (put && !*r->query)
            return OP_CREATE_BUCKET;
        if (del && !*r->query)
            return OP_DELETE_BUCKET;
        if (head)
            return OP_HEAD_BUCKET;
        return OP_NONE;
    }
    int upload = has_q(r, "uploadId");
    if (put && upload && has_q(r, "partNumber"))
        return gw_header(r, "x-amz-copy-source") ? OP_NONE : OP_MPU_PART;
    if (post && has_q(r, "uploads"))
        return OP_MPU_CREATE;
    if (post && upload)
        return OP_MPU_COMPLETE;
    if (del && upload)
        return OP_MPU_ABORT;
    if (get && upload)
        return OP_MPU_LIST_PARTS;
    static const char *const sub[] = {"acl",       "tagging",    "torrent",
                                      "retention", "legal-hold", NULL};
    for (int i = 0; sub[i]; i++)
        if (has_q(r, sub[i]))
            return OP_NONE;
    if (put)
        return gw_header(r, "x-amz-copy-source") ? OP_COPY : OP_PUT;
    if (get)
        return OP_GET;
    if (head)
        return OP_HEAD;
    if (del)
        return OP_DELETE;
    return OP_NONE;
}

static int writes(enum gw_op op)
{
    switch (op) {
    case OP_CREATE_BUCKET:
    case OP_DELETE_BUCKET:
    case OP_DELETE_OBJECTS:
    case OP_PUT:
    case OP_COPY:
    case OP_DELETE:
    case OP_MPU_CREATE:
    case OP_MPU_PART:
    case OP_MPU_COMPLETE:
    case OP_MPU_ABORT:
        return 1;
    default:
        return 0;
    }
}

/* Collects the raw query (libmicrohttpd split it; our unescaper left every
 * name and value as sent, '+' turned into ' ', which we turn back). */
static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind,
                               const char *key, const char *value)
{
    (void)kind;
    gw_req *r = cls;
    size_t n = strlen(r->query);
    int w = snprintf(r->query + n, sizeof r->query - n, "%s%s%s%s",
                     n ? "&" : "", key, value ? "=" : "", value ? value : "");
    if (w < 0 || (size_t)w >= sizeof r->query - n)
        return MHD_NO;
    for (char *p = r->query + n; *p; p++)
        if (*p == ' ')
            *p = '+';
    return MHD_YES;
}

static size_t no_unescape(void *cls, struct MHD_Connection *c, char *uri)
{
    (void)cls;
    (void)c;
    return strlen(uri);
}

/* The first call: who asks, for what; refusals that need no body. */
static s3_code begin(gw_req *r, char *msg, size_t msglen)
{
    gw *g = r->g;
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_arg, r);
    s3_code c = parse_path(r, msg, msglen);
    if (c)
        return c;
    s3_sig_req sr = {.method = r->method,
                     .path = r->url,
                     .query = r->query,
                     .header = sig_header,
                     .harg = r,
                     .now = (int64_t)time(NULL),
                     .max_skew = S3_MAX_SKEW};
    c = s3_sigv4_check(&sr, &g->keys, &r->auth, msg, msglen);
    if (c)
        return c;
    r->a = &g->acct[g->acct_of[r->auth.key - g->keys.k]];
    r->op = classify(r);
    if (r->op == OP_NONE) {
        snprintf(msg, msglen,
                 "the gateway does not implement %.16s %.200s%s%.200s",
                 r->method, r->url, *r->query ? "?" : "", r->query);
        return S3_NOT_IMPLEMENTED;
    }
    if (r->auth.key->read_only && writes(r->op)) {
        snprintf(msg, msglen, "access key %s is read-only", r->auth.key->id);
        return S3_ACCESS_DENIED;
    }
    if (*r->bucket && r->op != OP_CREATE_BUCKET) {
        json_t *b;
        if (s3idx_bucket_get(r->a->idx, r->bucket, &b))
            return S3_NO_SUCH_BUCKET;
        json_decref(b);
    }
    const char *sha = gw_header(r, "x-amz-content-sha256");
    if (sha && strncmp(sha, "STREAMING-", 10) == 0) {
        snprintf(msg, msglen,
                 "aws-chunked uploads (%s) are not supported: send the body "
                 "as it is",
                 sha);
        return S3_NOT_IMPLEMENTED;
    }
    if (r->op == OP_PUT || r->op == OP_MPU_PART) {
        const char *cl = gw_header(r, "content-length");
        uint64_t len;
        if (!cl && !gw_header(r, "transfer-encoding"))
            return S3_MISSING_CONTENT_LENGTH;
        if (cl && cairn_parse_u64(cl, &len) != CAIRN_OK) {
            snprintf(msg, msglen, "Content-Length is not a number");
            return S3_INVALID_ARGUMENT;
        }
        if (cl && len > g->o.max_object) {
            snprintf(msg, msglen,
                     "the object is larger than this gateway's --max-object "
                     "(%llu bytes)",
                     (unsigned long long)g->o.max_object);
            return S3_ENTITY_TOO_LARGE;
        }
        if (r->op == OP_MPU_PART && (c = gw_mpu_check(r, msg, msglen)))
            return c;
        if (gw_slot_take(g) != 0) {
            snprintf(msg, msglen,
                     "%u object transfers are running: try again shortly",
                     g->o.max_transfers);
            return S3_SLOW_DOWN;
        }
        r->slot = 1;
        r->fd = gw_spool_new(g, r->op == OP_PUT ? "put" : "part", r->spool);
        if (r->fd < 0) {
            snprintf(msg, msglen, "cannot write the gateway's spool: %s",
                     strerror(errno));
            return S3_INTERNAL_ERROR;
        }
        r->body_mode = 1;
        s3_md5_init(&r->md5);
        crypto_hash_sha256_init(&r->sha);
    } else if (r->op == OP_MPU_COMPLETE || r->op == OP_DELETE_OBJECTS) {
        r->body_mode = 2;
        crypto_hash_sha256_init(&r->sha);
    }
    return S3_OK;
}

/* Takes a piece of the body. */
static void body(gw_req *r, const char *data, size_t n)
{
    if (r->body_err)
        return;
    r->got += n;
    if (r->body_mode == 1) {
        if (r->got > r->g->o.max_object) {
            r->body_err = S3_ENTITY_TOO_LARGE;
            return;
        }
        s3_md5_update(&r->md5, data, n);
        if (*r->auth.payload_sha256) /* signed: checked at the end */
            crypto_hash_sha256_update(&r->sha, (const unsigned char *)data, n);
        for (size_t off = 0; off < n;) {
            ssize_t w = write(r->fd, data + off, n - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                r->body_err = S3_INTERNAL_ERROR;
                return;
            }
            off += (size_t)w;
        }
    } else if (r->body_mode == 2) {
        if (r->memn + n > GW_XML_BODY_MAX) {
            r->body_err = S3_MALFORMED_XML;
            return;
        }
        char *m = realloc(r->mem, r->memn + n + 1);
        if (!m) {
            r->body_err = S3_INTERNAL_ERROR;
            return;
        }
        r->mem = m;
        memcpy(r->mem + r->memn, data, n);
        r->memn += n;
        r->mem[r->memn] = '\0';
        if (*r->auth.payload_sha256) /* signed: checked at the end */
            crypto_hash_sha256_update(&r->sha, (const unsigned char *)data, n);
    }
}

/* The body is in: its hashes against what the client signed and sent. */
static s3_code body_check(gw_req *r, char *msg, size_t msglen)
{
    if (r->body_err) {
        if (r->body_err == S3_ENTITY_TOO_LARGE)
            snprintf(msg, msglen,
                     "the object is larger than this gateway's --max-object");
        return r->body_err;
    }
    if (r->body_mode == 0)
        return S3_OK;
    uint8_t sha[32];
    char hex[65] = "";
    if (*r->auth.payload_sha256) {
        crypto_hash_sha256_final(&r->sha, sha);
        gw_hex(hex, sha, 32);
    }
    if (*r->auth.payload_sha256 && strcmp(hex, r->auth.payload_sha256) != 0) {
        snprintf(msg, msglen, "the body's SHA-256 is %s, the request signed %s",
                 hex, r->auth.payload_sha256);
        return S3_CONTENT_SHA256_MISMATCH;
    }
    if (r->body_mode == 1) {
        uint8_t md5[16];
        s3_md5_final(&r->md5, md5);
        memcpy(r->digest, md5, 16);
        const char *cm = gw_header(r, "content-md5");
        if (cm) {
            uint8_t want[16];
            size_t wn = 0;
            if (sodium_base642bin(want, sizeof want, cm, strlen(cm), NULL, &wn,
                                  NULL, sodium_base64_VARIANT_ORIGINAL) ||
                wn != 16)
                return S3_INVALID_DIGEST;
            if (memcmp(want, md5, 16) != 0)
                return S3_BAD_DIGEST;
        }
        /* a part is acknowledged and kept across restarts: on disk first;
         * an object's spool is put before the reply (no need) */
        if (r->op == OP_MPU_PART && fsync(r->fd) != 0) {
            snprintf(msg, msglen, "cannot write the spool: %s",
                     strerror(errno));
            return S3_INTERNAL_ERROR;
        }
    }
    return S3_OK;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *data,
                                  size_t *data_size, void **con_cls)
{
    (void)version;
    gw *g = cls;
    gw_req *r = *con_cls;
    char msg[512] = "";
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r)
            return MHD_NO;
        r->g = g;
        r->conn = conn;
        r->method = method;
        r->url = url;
        r->fd = -1;
        snprintf(r->reqid, sizeof r->reqid, "%016lX",
                 (unsigned long)atomic_fetch_add(&g->reqno, 1) + 1);
        *con_cls = r;
        s3_code c = begin(r, msg, sizeof msg);
        if (c) {
            r->answered = 1;
            r->body_mode = 0;
            return gw_error(r, c, *msg ? msg : NULL);
        }
        return MHD_YES;
    }
    if (r->answered) { /* refused already: the rest is dropped */
        *data_size = 0;
        return MHD_YES;
    }
    if (*data_size) {
        body(r, data, *data_size);
        *data_size = 0;
        return MHD_YES;
    }
    s3_code c = body_check(r, msg, sizeof msg);
    if (c)
        return gw_error(r, c, *msg ? msg : NULL);
    return gw_dispatch(r);
}

static void on_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                    enum MHD_RequestTerminationCode why)
{
    (void)conn;
    (void)why;
    gw *g = cls;
    gw_req *r = *con_cls;
    if (!r)
        return;
    if (r->fd >= 0)
        close(r->fd);
    if (*r->spool)
        unlink(r->spool); /* stored or refused: the spool is done with */
    if (r->slot)
        gw_slot_give(g);
    free(r->mem);
    free(r);
    *con_cls = NULL;
}

/* host:port into a sockaddr_in. */
static int parse_listen(const char *s, struct sockaddr_in *sa)
{
    char host[64];
    const char *colon = strrchr(s, ':');
    uint64_t port;
    if (!colon || (size_t)(colon - s) >= sizeof host ||
        cairn_parse_u64(colon + 1, &port) || port == 0 || port > 65535)
        return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

cairn_err gw_start(gw *g, char *why, size_t whylen)
{
    struct sockaddr_in sa;
    if (parse_listen(g->o.listen, &sa)) {
        snprintf(why, whylen,
                 "--listen %s: give an IPv4 address and port, e.g. "
                 "127.0.0.1:9000",
                 g->o.listen);
        return CAIRN_ERR_BAD_ARG;
    }
    g->d = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
            MHD_USE_ERROR_LOG,
        0, NULL, NULL, on_request, g, MHD_OPTION_SOCK_ADDR, &sa,
        MHD_OPTION_NOTIFY_COMPLETED, on_done, g, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)256, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)128,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
        MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_END);
    if (!g->d) {
        snprintf(why, whylen,
                 "cannot listen on %s (in use, or not an address of this "
                 "machine)",
                 g->o.listen);
        return CAIRN_ERR_IO;
    }
    return CAIRN_OK;
}

void gw_stop(gw *g)
{
    if (g->d)
        MHD_stop_daemon(g->d);
    g->d = NULL;
}

cairn_err gw_spool_init(gw *g, char *why, size_t whylen)
{
    char dir[GW_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", g->o.store);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(why, whylen, "cannot create %s: %s", dir, strerror(errno));
        return CAIRN_ERR_IO;
    }
    if (mkdir(g->spool, 0700) != 0 && errno != EEXIST) {
        snprintf(why, whylen, "cannot create %s: %s", g->spool,
                 strerror(errno));
        return CAIRN_ERR_IO;
    }
    /* bodies of requests cut by a crash: never acknowledged, dropped */
    DIR *d = opendir(g->spool);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        size_t n = strlen(de->d_name);
        if (n > 4 && strcmp(de->d_name + n - 4, ".tmp") == 0) {
            char p[GW_PATH_MAX];
            if ((size_t)snprintf(p, sizeof p, "%s/%s", g->spool, de->d_name) <
                sizeof p)
                unlink(p);
        }
    }
    if (d)
        closedir(d);
    return CAIRN_OK;
}
