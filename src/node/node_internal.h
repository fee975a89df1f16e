/* Internal: the node's shared state, API and follower. */
#ifndef CAIRN_NODE_INTERNAL_H
#define CAIRN_NODE_INTERNAL_H

#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <pthread.h>

#include "cairn/chain.h"
#include "cairn/mempool.h"
#include "cairn/node.h"

#define NODE_MAX_BODY (1u << 20)
#define NODE_WAIT_MS 30000

typedef struct waiter {
    cairn_hash hash;
    struct evhttp_request *req;
    uint64_t deadline_ms;
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
    struct evhttp *http;
    struct event *tick, *sigterm, *sigint;
    pthread_mutex_t lock;   /* guards chain and mempool */
    pthread_t follower;
    int follower_started;
    _Atomic int stopping;
    waiter *waiters;
    char follow_error[256]; /* last follower problem, for /v1/status */
    int lock_fd;            /* flock'd DIR/node.lock; -1 when none */
} node;

void node_log(const node *n, int warn, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
uint64_t node_now_ms(void);

/* API: registers the request handler on n->http. */
void api_register(node *n);
/* Sends a JSON body with a status and frees it. */
void api_reply(struct evhttp_request *req, int status, json_t *body);
void api_error(struct evhttp_request *req, int status, cairn_err e,
               const char *detail);
int api_status_of(cairn_err e);

/* Waiters: replies held until a transaction commits. */
void waiters_add(node *n, struct evhttp_request *req, const cairn_hash *h);
void waiters_block(node *n, const cairn_proposal *pr);
void waiters_expire(node *n, uint64_t now_ms);
void waiters_fail_all(node *n);

/* Follower thread. */
int follower_start(node *n);
void follower_stop(node *n);

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
