/* Internal: the node's shared state, API and follower. */
#ifndef CAIRN_NODE_INTERNAL_H
#define CAIRN_NODE_INTERNAL_H

#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>

#include "cairn/chain.h"
#include "cairn/mempool.h"
#include "cairn/node.h"
#include "cairn/ratelimit.h"
#include "net/httpd.h"

/* What one API client may take (docs/api.md, "Limits"). */
#define NODE_MAX_HEAD (16u << 10)   /* request line and headers */
#define NODE_MAX_BODY (1u << 20)    /* one request body */
#define NODE_MAX_BODIES (64u << 20) /* all bodies being received */
#define NODE_REQUEST_MS 10000       /* a request's first byte to its last */
#define NODE_IDLE_MS 60000          /* a kept-alive connection, idle */
#define NODE_WRITE_MS 60000         /* the client reads its answer */
#define NODE_MAX_CONNS 1024         /* default --max-connections */
#define NODE_FD_RESERVE                                                        \
    64 /* descriptors kept for the store, logs,                                \
          the follower's client */
#define NODE_WAIT_MS 30000
#define NODE_STOP_GRACE_MS 5000 /* answers to held requests on SIGTERM */
#define NODE_LOG_EVERY_MS 10000 /* repeated warnings, at most this often */

typedef struct waiter {
    cairn_hash hash;
    httpd_req *req;
    uint64_t deadline_ms;
    int found;         /* waiters_poll: the transaction is in the chain */
    cairn_err refused; /* waiters_poll: the leader refused it */
    uint64_t found_height;
    struct waiter *next;
} waiter;

typedef struct node {
    cairn_chain *chain;
    cairn_mempool *mp;
    cairn_keypair kp;
    int sequencer;
    int quiet;
    const char *follow_url;
    struct event_base *base;
    httpd *http;
    struct event *tick, *sigterm, *sigint;
    pthread_mutex_t lock; /* guards chain and mempool */
    pthread_t follower;
    int follower_started;
    _Atomic int stopping;
    waiter *waiters;
    char follow_error[256]; /* last follower problem, for /v1/status */
    int lock_fd;            /* flock'd DIR/node.lock; -1 when none */
    /* Blocks that could not be committed (disk full, store error), under
     * lock: none while write_failures is 0. */
    uint64_t write_failures;   /* in a row, since write_fail_ms */
    uint64_t write_fail_ms;    /* wall clock of the first of them */
    cairn_err write_err;       /* the last one's error */
    cairn_ratelimit write_log; /* their warnings */
    char web_dir[PATH_MAX];    /* the dashboard's files; "" when none */
    struct replica *rep;       /* sequencer replica mode; NULL otherwise */
    struct event *poll_ev;     /* replica mode: answers held requests */
} node;

void node_log(const node *n, int warn, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
uint64_t node_now_ms(void);
/* A clock for intervals (rate limits), not for block times. */
uint64_t node_mono_ms(void);

/* Commit failures (node_write.c): a block or a followed block could not be
 * written (e), or one was (e == CAIRN_OK, ends a failure run). Logs at
 * most every NODE_LOG_EVERY_MS. Takes n->lock. */
void node_note_write(node *n, cairn_err e, uint64_t height, size_t ntx);
/* The failure as JSON for /v1/status and held replies, or NULL when the
 * last commit worked. Caller holds n->lock; returns a new reference. */
json_t *node_write_error_json(const node *n);

/* API: serves it on host:port with at most max_conns connections. */
cairn_err api_start(node *n, const char *host, int port, size_t max_conns);
/* api_web.c: the dashboard's static files. api_web_init picks the
 * directory (dir from --web, or NULL: the installed share dir next to the
 * binary, the source tree's web/ it was built from, then the configured
 * install dir) into
 * n->web_dir ("" when none); api_web answers a request for path. */
void api_web_init(node *n, const char *dir);
void api_web(node *n, httpd_req *req, const char *path);
/* 1 when path (starting with '/') is a name the dashboard may serve:
 * letters, digits, '_', '-', '.', '/', no segment starting with '.' (no
 * "..", no hidden files), no empty segment, no trailing '/', at most
 * 256 bytes (WEB_PATH_MAX); the file's real path is checked as well. */
int api_web_safe_path(const char *path);

/* Sends a JSON body with a status and frees it. */
void api_reply(httpd_req *req, int status, json_t *body);
void api_error(httpd_req *req, int status, cairn_err e, const char *detail);
int api_status_of(cairn_err e);
/* A number from a path or query string: decimal digits only, at most
 * CAIRN_JSON_SAFE_MAX (so a reply that echoes it reads back exactly).
 * 0, or -1 when s is not such a number. */
int api_parse_num(const char *s, uint64_t *v);
/* The value of query field `name` (NULL when absent), parsing `query`
 * into kv on first use (the caller clears kv with evhttp_clear_headers);
 * *bad = 1 when the query string does not parse. */
const char *api_query_get(struct evkeyvalq *kv, const char *query,
                          const char *name, int *bad);

/* Waiters: replies held until a transaction commits. */
void waiters_add(node *n, httpd_req *req, const cairn_hash *h);
void waiters_block(node *n, const cairn_proposal *pr);
void waiters_expire(node *n, uint64_t now_ms);
/* Replica mode: answers the waiters whose transaction is in the chain
 * (blocks are committed on the replica thread). */
void waiters_poll(node *n);
void waiters_fail_all(node *n);

/* Follower thread. */
int follower_start(node *n);
void follower_stop(node *n);
/* Fetches the blocks after the tip from the node at base (URL) and
 * applies them: the number applied, -1 on an error (logged, rate-limited
 * by rl). Any thread. */
int follower_fetch(node *n, const char *base, cairn_ratelimit *rl);

/* JSON helpers (node/json_util.c), prefixed api_ to stay out of jansson's
 * json_ namespace. Each returns a new reference (the caller owns it, or
 * hands it to json_object_set_new); api_json_hex gives JSON null when out
 * of memory. */
void api_json_set_amount(json_t *o, const char *name, uint64_t units);
json_t *api_json_hex(const void *p, size_t n);
json_t *api_json_addr(const cairn_pubkey *pk);
json_t *api_json_u64(uint64_t v);
json_t *api_tx_json(const uint8_t *p, size_t n, int with_raw);

#endif
