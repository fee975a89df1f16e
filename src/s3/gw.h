/* Internal: the S3 gateway (`cairn s3`, docs/s3.md). An HTTP/1.1 server
 * (GNU libmicrohttpd, one thread per connection) that checks AWS SigV4 on
 * every request (sigv4.h), maps access keys onto cairn accounts (keys.h)
 * and buckets and objects onto each account's storage files through its
 * index (index.h).
 *
 * Files: gw.c (server, request state, dispatch), gw_acct.c (accounts, name
 * records, recovery, the repair thread), obj.c (bucket and object
 * operations), obj_list.c (listings), obj_mpu.c (multipart uploads),
 * obj_get.c (GET/HEAD streaming), cmd_s3.c (the command). */
#ifndef CAIRN_S3_GW_H
#define CAIRN_S3_GW_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdint.h>

#include "s3/errors.h"
#include "s3/index.h"
#include "s3/keys.h"
#include "s3/obj_md5.h"
#include "s3/sigv4.h"
#include "storage/client/client.h"

#define GW_PATH_MAX 4096
#define GW_BUCKET_MAX 63
#define GW_KEY_MAX 1024
#define GW_XML_BODY_MAX (1u << 20)
#define GW_PART_MIN ((uint64_t)5 << 20) /* every part but the last */
#define GW_PARTS_MAX 10000
#define GW_SLOT_WAIT_MS 30000 /* a transfer waits this long for a slot */

/* What `cairn s3` was started with. */
typedef struct gw_opts {
    const char *listen; /* host:port */
    const char *store;  /* DIR */
    const char *node;   /* node API URL (borrowed) */
    const char *key;    /* the gateway's own key file (--key) */
    const char *keys;   /* the access keys file (--keys) */
    cairn_layout_params p;
    uint64_t epochs;
    uint64_t max_object;       /* bytes; larger: EntityTooLarge */
    uint32_t repair_min_alive; /* 0: n */
    uint32_t max_transfers;    /* object bodies in flight at once */
    int recover;               /* rebuild every index from the chain */
    int no_repair;             /* no repair thread */
} gw_opts;

/* One cairn account behind one or more access keys. */
typedef struct gw_acct {
    char addr[CAIRN_ADDR_TEXT_LEN + 1];
    char key_file[GW_PATH_MAX]; /* "" = the gateway's --key */
    sclient c;
    int open;
    s3idx *idx;
    pthread_mutex_t mu; /* transactions (nonces), the index's writes */
    pthread_t repair;
    int repair_started;
    struct gw *g;
} gw_acct;

typedef struct gw {
    gw_opts o;
    s3_keys keys;
    gw_acct *acct;
    size_t nacct;
    size_t *acct_of; /* per key: its account */
    char spool[GW_PATH_MAX];
    struct MHD_Daemon *d;
    pthread_mutex_t slot_mu; /* object transfers in flight */
    pthread_cond_t slot_cv;
    unsigned transfers;
    atomic_ulong reqno;
    pthread_mutex_t stop_mu;
    pthread_cond_t stop_cv;
    int stop;
} gw;

/* What one request is. */
enum gw_op {
    OP_NONE = 0,
    OP_LIST_BUCKETS,
    OP_CREATE_BUCKET,
    OP_DELETE_BUCKET,
    OP_HEAD_BUCKET,
    OP_LOCATION,
    OP_LIST_V1,
    OP_LIST_V2,
    OP_LIST_UPLOADS,
    OP_DELETE_OBJECTS,
    OP_PUT,
    OP_COPY,
    OP_GET,
    OP_HEAD,
    OP_DELETE,
    OP_MPU_CREATE,
    OP_MPU_PART,
    OP_MPU_COMPLETE,
    OP_MPU_ABORT,
    OP_MPU_LIST_PARTS,
};

/* The state of one request across libmicrohttpd's calls. */
typedef struct gw_req {
    gw *g;
    struct MHD_Connection *conn;
    const char *method;
    const char *url; /* raw path */
    char query[8192];
    char bucket[4 * GW_BUCKET_MAX + 1];
    char key[GW_KEY_MAX + 1];
    char resource[4 * GW_BUCKET_MAX + GW_KEY_MAX + 8];
    char reqid[20];
    enum gw_op op;
    s3_auth auth;
    gw_acct *a;
    int slot;     /* holds a transfer slot */
    int answered; /* a refusal was queued before the body */
    /* the body: spooled to a file (objects, parts) or kept (XML) */
    int body_mode; /* 0: ignored, 1: spool, 2: memory */
    int fd;
    char spool[GW_PATH_MAX];
    s3_md5 md5;
    uint8_t digest[16]; /* the body's MD5, once it is in */
    crypto_hash_sha256_state sha;
    uint64_t got;
    s3_code body_err; /* a refusal found while the body came */
    char *mem;
    size_t memn;
} gw_req;

/* ---- gw.c ---- */
/* The value of query parameter name, URI-decoded into out (cap bytes):
 * 1 when present (out "" for "?name"), 0 when absent, -1 when malformed. */
int gw_qparam(const gw_req *r, const char *name, char *out, size_t cap);
/* A request header, NULL if absent (borrowed for the request). */
const char *gw_header(const gw_req *r, const char *name);
/* Queues the S3 error c (message: a sentence, NULL: the default). */
enum MHD_Result gw_error(gw_req *r, s3_code c, const char *message);
/* Queues status with an XML body (taken: freed here) or none (NULL). */
enum MHD_Result gw_reply_xml(gw_req *r, unsigned status, char *xml, size_t n);
/* Adds the common headers (request id, server) to resp. */
void gw_common_headers(gw_req *r, struct MHD_Response *resp);
/* A new spool file path under the gateway's spool (tag in its name);
 * creates it, returns its fd or -1. */
int gw_spool_new(gw *g, const char *tag, char out[GW_PATH_MAX]);
/* Takes one of the o.max_transfers slots of object transfers, waiting up
 * to GW_SLOT_WAIT_MS for one: 0, or -1 (answer SlowDown). */
int gw_slot_take(gw *g);
void gw_slot_give(gw *g);
/* Lower-hex of n bytes into out (2n + 1). */
void gw_hex(char *out, const uint8_t *p, size_t n);
/* The time as S3 writes it in XML ("2026-12-03T12:00:00.000Z"). */
void gw_iso_time(char out[32], uint64_t t);
/* As an HTTP date ("Thu, 03 Dec 2026 12:00:00 GMT"). */
void gw_http_time(char out[40], uint64_t t);

/* Starts serving on o.listen; gw_stop stops (waits for the requests). */
cairn_err gw_start(gw *g, char *why, size_t whylen);
void gw_stop(gw *g);
/* Creates DIR and DIR/spool; drops spool files of cut requests. */
cairn_err gw_spool_init(gw *g, char *why, size_t whylen);

/* ---- gw_acct.c ---- */
/* Opens every account named by the keys file; rebuilds an empty (or, with
 * o.recover, every) index from the chain; starts the repair threads. */
cairn_err gw_accts_open(gw *g, char *why, size_t whylen);
void gw_accts_close(gw *g);
/* The name record calls (A's names.h), serialized by the caller under a->mu. */
cairn_err gw_name_set(gw_acct *a, const uint8_t id[CMETA_ID_LEN],
                      const char *json);
cairn_err gw_name_del(gw_acct *a, const uint8_t id[CMETA_ID_LEN]);
/* Rebuilds a's index from the chain and a's key. */
cairn_err gw_recover(gw_acct *a, size_t *buckets, size_t *objects);

/* ---- obj.c ---- */
/* Checks a bucket name against S3's rules. */
int gw_bucket_name_ok(const char *b);
/* Handles the request once its body (if any) is in. */
enum MHD_Result gw_dispatch(gw_req *r);
/* Stores the spooled file as object bucket/key of a (size bytes, etag its
 * ETag without quotes, type and meta (x-amz-meta-*, a JSON object) kept),
 * replacing any older object of that key. Removes the spool file. On
 * failure *msg says why (S3_INTERNAL_ERROR). */
s3_code gw_store(gw_acct *a, const char *bucket, const char *key,
                 const char *spool, uint64_t size, const char *etag,
                 const char *type, json_t *meta, uint64_t *mtime, char *msg,
                 size_t msglen);
/* x-amz-meta-* headers of the request as a new JSON object. */
json_t *gw_req_meta(gw_req *r);

/* ---- obj_list.c ---- */
enum MHD_Result gw_list_buckets(gw_req *r);
enum MHD_Result gw_list_objects(gw_req *r, int v2);

/* ---- obj_mpu.c ---- */
enum MHD_Result gw_mpu_create(gw_req *r);
/* The part's body is in r's spool. */
enum MHD_Result gw_mpu_part(gw_req *r);
enum MHD_Result gw_mpu_complete(gw_req *r);
enum MHD_Result gw_mpu_abort(gw_req *r);
enum MHD_Result gw_mpu_list_parts(gw_req *r);
enum MHD_Result gw_mpu_list_uploads(gw_req *r);
/* Before a part's body: upload and part number valid. */
s3_code gw_mpu_check(gw_req *r, char *msg, size_t msglen);

/* ---- obj_get.c ---- */
enum MHD_Result gw_get(gw_req *r, int head);
/* Copies object (bucket, key) of a into a new spool file (MD5 into md5):
 * CopyObject's source. */
s3_code gw_copy_to_spool(gw_acct *a, const char *bucket, const char *key,
                         char spool[GW_PATH_MAX], uint8_t md5[16],
                         uint64_t *size, json_t **rec, char *msg,
                         size_t msglen);

#endif
