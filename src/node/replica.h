/* Internal: sequencer replicas on etcd (docs/replicas.md).
 *
 * Each replica campaigns for leadership with a lease; the leader builds
 * and signs the next block, appends it to etcd with a guarded transaction
 * and commits it locally only after etcd stored it; every other replica
 * applies the blocks etcd holds, re-executing them. Transactions submitted
 * to a standby are queued for it and forwarded to the leader.
 *
 * Keys under P = "/cairn/<chain id>/<genesis hash, 16 hex>/":
 *   P"leader"        {"id": address, "api": URL}, with the leader's lease;
 *                    its create revision is the term
 *   P"tip"           decimal height of the last block etcd holds
 *   P"block/%020llu" the encoded block; the leader deletes the one
 *                    REPLICA_RETAIN blocks back as it appends, and a
 *                    replica further behind fetches from the leader's API */
#ifndef CAIRN_NODE_REPLICA_H
#define CAIRN_NODE_REPLICA_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/crypto.h"
#include "cairn/error.h"
#include "net/etcd.h"

typedef struct node node;
typedef struct cairn_node_opts cairn_node_opts;

#define REPLICA_MAX_BLOCK (1u << 20) /* under etcd's 1.5 MiB request cap */
#define REPLICA_ETCD_TIMEOUT_MS 1000
#define REPLICA_PREFIX_MAX 128 /* "/cairn/" chain id "/" 16 hex "/" */
#define REPLICA_KEY_MAX 192
#define REPLICA_RETAIN 1000    /* blocks etcd keeps; older: from the API */
#define REPLICA_FWD_MAX 100000 /* transactions queued for the leader */
#define REPLICA_MEMBERS_MAX 8

#define REPLICA_DROPS 256 /* recent refusals, for held requests */

/* A transaction the leader dropped from its block, or refused when a
 * standby forwarded it: a held `?wait=1` request answers with err. */
typedef struct replica_drop {
    cairn_hash hash;
    cairn_err err;
} replica_drop;

/* A transaction waiting to be forwarded (replica_fwd.c). */
typedef struct replica_fwd {
    uint8_t *p; /* owned */
    size_t n;
} replica_fwd;

typedef struct replica {
    /* the replica thread's own */
    cairn_etcd *etcd;
    char prefix[REPLICA_PREFIX_MAX];
    char self_json[512]; /* the leader key's value when this one leads */
    uint32_t ttl_s;
    int64_t lease;
    uint64_t last_keepalive_ms;
    pthread_t thread, status_thread;
    int started, status_started;
    cairn_etcd *status_etcd; /* the status thread's own handle */
    /* under the node's lock: what /v1/status shows */
    int leading;
    uint64_t term; /* the leader's term as last seen */
    char leader_id[128], leader_api[256];
    uint64_t etcd_tip;
    cairn_etcd_member members[REPLICA_MEMBERS_MAX];
    size_t nmembers;
    char error[256];    /* the last etcd problem; "" when none */
    uint64_t failovers; /* times this replica became leader */
    /* under the node's lock: transactions to forward to the leader */
    replica_fwd *fq;
    size_t fq_len, fq_cap;
    /* under the node's lock: a ring of recent refusals */
    replica_drop drops[REPLICA_DROPS];
    size_t drops_next;
} replica;

/* replica.c: starts the replica thread (0, or -1 with a message on
 * stderr); stops it and frees everything (a pending block is dropped). */
int replica_start(node *n, const cairn_node_opts *o);
void replica_stop(node *n);
/* /v1/status's "replica" object; the caller holds n->lock. New ref. */
json_t *replica_status_json(const node *n);

/* replica_etcd.c: the keys and the transactions on them. */
void replica_key(const replica *r, char *out, const char *name);
void replica_block_key(const replica *r, char *out, uint64_t height);
/* Notes who holds the leader key (kv; NULL: nobody) for /v1/status;
 * takes n->lock. */
void replica_note_leader(node *n, replica *r, const cairn_etcd_kv *kv);
/* Tries to become leader with r->lease: 1 and *term when it won, 0 when
 * another leads (its value and term in r's leader fields, under lock). */
cairn_err replica_campaign(node *n, replica *r, int *won, uint64_t *term);
/* The guarded append of block `height` (see the plan in replica.c):
 * *stored = 1 when etcd stored it; 0 when it refused, with what etcd has
 * at that height in *have (owned, NULL when nothing) and *lost = 1 when
 * the leader key is no longer this term's. TIMEOUT/HTTP: unknown. */
cairn_err replica_append(replica *r, uint64_t term, uint64_t height,
                         const uint8_t *blk, size_t len, int *stored,
                         cairn_etcd_kv **have, size_t *nhave, int *lost);
/* The height etcd's tip key names (0 when absent). */
cairn_err replica_etcd_tip(replica *r, uint64_t *tip);
/* Blocks from `from` on, at most limit, in order (owned). */
cairn_err replica_blocks(replica *r, uint64_t from, size_t limit,
                         cairn_etcd_kv **kvs, size_t *n);
/* Seeds an empty etcd with this replica's tip (etcd lost every member's
 * data, or the network started before replicas): tip and its block. */
cairn_err replica_seed(node *n, replica *r);

/* Notes a refusal (the caller holds n->lock); the error a refusal of
 * hash got, or CAIRN_OK when none is known (the caller holds n->lock). */
void replica_note_drop(replica *r, const cairn_hash *h, cairn_err e);
cairn_err replica_drop_of(const replica *r, const cairn_hash *h);

/* replica_fwd.c: queues a copy of tx for the leader (any thread; takes
 * n->lock). MEMPOOL_FULL when the queue is full. */
cairn_err replica_forward(node *n, const uint8_t *p, size_t len);
/* Replica thread: sends what is queued to the leader's API (on a standby
 * only); a refused or unreachable leader leaves the rest for next time. */
void replica_forward_flush(node *n, replica *r);
/* Replica thread: queues every mempool transaction again (a new leader
 * needs them). */
void replica_forward_mempool(node *n);
/* Drops what is queued (the caller holds n->lock). */
void replica_fwd_clear(replica *r);
/* Fetches the blocks after the tip from the leader's API and applies
 * them (etcd no longer holds them); 0, or -1 when it could not. */
int replica_catch_up_http(node *n, replica *r);

#endif
