/* Internal: a client of etcd 3.4's v3 JSON gateway (/v3/...) over libcurl,
 * for the sequencer replicas (issue 13: leader lease, guarded block
 * append). Keys and values travel base64 (ORIGINAL variant) in JSON;
 * 64-bit integers arrive as JSON strings; false and 0 fields are omitted.
 *
 * Errors of every call:
 *  - CAIRN_ERR_TIMEOUT: the request was sent and its outcome is unknown
 *    (curl's deadline passed, the connection broke after sending, or etcd
 *    answered one of its own "... timed out" errors). Not retried on
 *    another endpoint: the caller decides (a guarded txn is safe to retry).
 *  - CAIRN_ERR_HTTP: no endpoint could be reached (the request was surely
 *    not sent), or etcd refused it with an error of its own; either way
 *    cairn_etcd_last_error(e) says which.
 *  - CAIRN_ERR_BAD_JSON: the answer is not what etcd sends.
 *  - CAIRN_ERR_TOO_LARGE: an answer over CAIRN_ETCD_MAX_ANSWER, or a
 *    request whose keys and values total over CAIRN_ETCD_MAX_REQUEST
 *    (refused before sending; etcd's own "request is too large" maps here
 *    too).
 *  - CAIRN_ERR_BAD_ARG / CAIRN_ERR_NOMEM as usual.
 * On a connection failure to one endpoint the next is tried (round robin,
 * starting from the last one that answered). One handle is used by one
 * thread at a time. */
#ifndef CAIRN_NET_ETCD_H
#define CAIRN_NET_ETCD_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"

#define CAIRN_ETCD_MAX_ENDPOINTS 7
#define CAIRN_ETCD_URL_MAX 256
/* etcd's --max-request-bytes default is 1.5 MiB for the whole raft entry;
 * 4 KiB of it is left for the entry's own framing. */
#define CAIRN_ETCD_MAX_REQUEST ((size_t)1536 * 1024 - 4096)
#define CAIRN_ETCD_MAX_ANSWER ((size_t)64 * 1024 * 1024)
#define CAIRN_ETCD_ERR_MAX 512

typedef struct cairn_etcd cairn_etcd;

/* urls: "http://127.0.0.1:2379,http://127.0.0.1:22379" (1..7 endpoints,
 * http:// or https://, each under CAIRN_ETCD_URL_MAX). timeout_ms: per
 * request (> 0). On success *out is a new handle that the caller frees
 * with cairn_etcd_close. BAD_ARG for a malformed list. */
cairn_err cairn_etcd_open(cairn_etcd **out, const char *urls,
                          uint32_t timeout_ms);
void cairn_etcd_close(cairn_etcd *e);
/* The last failure's words ("" when none); owned by the handle, valid
 * until its next call. */
const char *cairn_etcd_last_error(const cairn_etcd *e);

typedef struct cairn_etcd_kv {
    uint8_t *key;
    size_t klen; /* owned, NUL-terminated too */
    uint8_t *val;
    size_t vlen; /* owned, NUL-terminated too */
    int64_t create_rev, mod_rev, version, lease;
} cairn_etcd_kv;
/* Frees the n entries' keys and values, and the array itself. */
void cairn_etcd_kvs_free(cairn_etcd_kv *kvs, size_t n);

/* A lease of ttl_s seconds (etcd may round it up: its minimum is 1.5
 * election timeouts). */
cairn_err cairn_etcd_lease_grant(cairn_etcd *e, uint32_t ttl_s, int64_t *lease);
/* *ttl = remaining TTL; 0 means the lease is gone (expired/revoked). */
cairn_err cairn_etcd_lease_keepalive(cairn_etcd *e, int64_t lease,
                                     int64_t *ttl);
/* Revokes the lease and deletes its keys. A lease already gone is OK. */
cairn_err cairn_etcd_lease_revoke(cairn_etcd *e, int64_t lease);

/* Range [key, end) (end NULL = just key), at most limit (0 = no limit),
 * sorted by key ascending. *rev = the store revision of the answer. On
 * success *kvs is a new array of *n entries (NULL when none) that the
 * caller frees with cairn_etcd_kvs_free. */
cairn_err cairn_etcd_range(cairn_etcd *e, const char *key, const char *end,
                           size_t limit, cairn_etcd_kv **kvs, size_t *n,
                           int64_t *rev);
/* Puts key = v[0..n), attached to lease (0 = none). */
cairn_err cairn_etcd_put(cairn_etcd *e, const char *key, const uint8_t *v,
                         size_t n, int64_t lease);

enum {
    CAIRN_ETCD_CREATE,
    CAIRN_ETCD_MOD,
    CAIRN_ETCD_VERSION,
    CAIRN_ETCD_VALUE
};
enum {
    CAIRN_ETCD_EQUAL,
    CAIRN_ETCD_NOT_EQUAL,
    CAIRN_ETCD_GREATER,
    CAIRN_ETCD_LESS
};
typedef struct cairn_etcd_cmp {
    int target, result;
    const char *key;
    int64_t num; /* CREATE/MOD/VERSION */
    const uint8_t *val;
    size_t vlen; /* VALUE */
} cairn_etcd_cmp;
enum { CAIRN_ETCD_PUT, CAIRN_ETCD_GET, CAIRN_ETCD_DEL };
typedef struct cairn_etcd_op {
    int op;
    const char *key;
    const uint8_t *val;
    size_t vlen;
    int64_t lease; /* PUT */
} cairn_etcd_op;
typedef struct cairn_etcd_txn_res {
    int succeeded;
    int64_t rev; /* header.revision */
    cairn_etcd_kv *kvs;
    size_t nkvs; /* every GET's kvs in the branch run, in op order; owned */
} cairn_etcd_txn_res;
/* If every compare holds, runs ok[], else fail[]; one atomic etcd txn.
 * On success *res is filled (its kvs owned by it: free it with
 * cairn_etcd_txn_res_free); on error *res is zeroed. */
cairn_err cairn_etcd_txn(cairn_etcd *e, const cairn_etcd_cmp *c, size_t nc,
                         const cairn_etcd_op *ok, size_t nok,
                         const cairn_etcd_op *fail, size_t nfail,
                         cairn_etcd_txn_res *res);
/* Frees r's kvs and zeroes it. */
void cairn_etcd_txn_res_free(cairn_etcd_txn_res *r);

/* Health of each endpoint (POST /v3/maintenance/status): */
typedef struct cairn_etcd_member {
    char url[256];
    int up;
    uint64_t id, leader, raft_term, raft_index;
    int64_t db_size;
    char version[32];
    char error[128];
} cairn_etcd_member;
/* Fills out[0..max) for each endpoint of the handle; *n = endpoints. Each
 * endpoint is asked once (no failover); one that does not answer is
 * up = 0 with its error. OK even when none is up. */
cairn_err cairn_etcd_status(cairn_etcd *e, cairn_etcd_member *out, size_t max,
                            size_t *n);

/* The end of the range of every key that starts with prefix (etcd's
 * "prefix end": the last byte below 0xff incremented, what follows cut)
 * into out[0..cap). BAD_ARG when prefix is empty or all 0xff (no end),
 * TOO_LARGE when out is too small. */
cairn_err cairn_etcd_prefix_end(const char *prefix, char *out, size_t cap);

/* ---- the answer parsers (etcd_json.c), exposed for the fuzz target ----
 * Each takes the raw body of an HTTP 200 answer. BAD_JSON for anything
 * that is not etcd's shape. What they allocate is the caller's, as for
 * the calls above. */
cairn_err etcd_parse_range_answer(const uint8_t *p, size_t n,
                                  cairn_etcd_kv **kvs, size_t *nkvs,
                                  int64_t *rev);
cairn_err etcd_parse_txn_answer(const uint8_t *p, size_t n,
                                cairn_etcd_txn_res *res);
/* lease/grant: {"ID","TTL"}; lease/keepalive: {"result":{"ID","TTL"}}. */
cairn_err etcd_parse_lease_answer(const uint8_t *p, size_t n, int keepalive,
                                  int64_t *id, int64_t *ttl);
/* Fills m's id, leader, raft_term, raft_index, db_size, version. */
cairn_err etcd_parse_status_answer(const uint8_t *p, size_t n,
                                   cairn_etcd_member *m);
/* An error body {"error","message","code"}: its message into msg[0..cap)
 * (printable ASCII only) and its gRPC code; BAD_JSON when not one. */
cairn_err etcd_parse_error_answer(const uint8_t *p, size_t n, char *msg,
                                  size_t cap, int *code);

#endif
