/* Internal: what every sector's provider daemon shares (the storage
 * provider in src/storage/provider uses it; compute, wireless and sensor
 * providers are meant to). Three parts, each usable alone:
 *
 * 1. The data dir lock (pd_lock_dir). One daemon per data dir: an
 *    exclusive flock on DIR/provider.lock, taken before the daemon touches
 *    anything in DIR, released by the kernel when the process ends (also
 *    after kill -9). A second daemon on the same dir gets a message that
 *    says so and exits non-zero.
 *
 * 2. The connection server (pd_serve_*). One event-loop thread owns every
 *    connection: it accepts, runs the transport's handshake
 *    (docs/storage-transport.md) and reads frames without blocking, so no
 *    peer can hold a thread by being slow. A complete request goes to a
 *    small pool of worker threads, which call the sector's handler (disk
 *    reads, writes, fsync happen there); the loop writes the reply. Peers
 *    are bounded, not trusted:
 *      - connections in all, connections still in the handshake, and per
 *        peer IP address and per peer key (pd_limits, defaults below);
 *      - deadlines: the handshake, an idle connection, and each request
 *        and reply (a base plus 1 ms per 256 bytes, the client's own rule);
 *      - a frame's buffer grows as its bytes arrive (never from the
 *        announced length alone), within a memory budget for all
 *        connections and a smaller one for peers without a deal;
 *      - a request the handler calls malformed, a frame that does not
 *        authenticate or exceeds the bound, closes the connection;
 *      - peers with a deal ("friends", told by the sector with
 *        pd_serve_set_friends / pd_serve_add_friend) come first: when the
 *        server is full it closes an idle or slow stranger to make room,
 *        never a friend; strangers may use all workers but one; friends'
 *        requests are taken first.
 *    Every line a peer can cause is rate-limited (core/log.h).
 *
 * 3. The chain plumbing (pd_chain_*, pd_run_chain). Registration as a
 *    provider of the sector with an endpoint and stake, or, when already
 *    registered, a check of the sector and a move of the registered
 *    endpoint to ours (SET_ENDPOINT, retried every round until it lands).
 *    Every round it reads the registration again: an endpoint that someone
 *    else moved is put back, with a log line that says so; after
 *    PD_TAKEOVERS_MAX such moves another daemon is clearly running with
 *    this key, and the daemon stops with a message. pd_run_chain waits for
 *    the node, registers, then runs the sector's tick every poll_ms.
 *
 * A sector's daemon: pd_lock_dir; open its own state; pd_serve_start with
 * its handler; pd_chain_init; pd_run_chain with its tick; pd_serve_stop;
 * pd_unlock_dir. */
#ifndef CAIRN_PROVIDER_DAEMON_H
#define CAIRN_PROVIDER_DAEMON_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cairn/codec.h"
#include "cairn/crypto.h"
#include "cairn/error.h"
#include "cairn/staking.h"

/* ---- 1. the data dir lock ---- */

/* Creates dir (one level) if missing and takes the lock DIR/provider.lock.
 * On success *fd holds it (release with pd_unlock_dir). On failure msg
 * (len bytes) says why: another daemon holds it (CAIRN_ERR_LOCKED), or the
 * dir cannot be made or opened (CAIRN_ERR_IO). */
cairn_err pd_lock_dir(const char *dir, int *fd, char *msg, size_t len);
/* Releases the lock; -1 is fine. */
void pd_unlock_dir(int fd);

/* ---- 2. the connection server ---- */

#define PD_MAX_CONNS 256
#define PD_MAX_HANDSHAKES 64
#define PD_PER_IP 16           /* stranger connections per IP address */
#define PD_PER_IP_HANDSHAKES 8 /* handshakes in progress per IP address */
#define PD_PER_KEY 4           /* connections per key without a deal */
#define PD_PER_KEY_FRIEND 16   /* connections per key with a deal */
#define PD_HANDSHAKE_MS 5000
#define PD_IDLE_MS 30000
#define PD_REQUEST_MS 20000 /* plus 1 ms per PD_BYTES_PER_MS bytes */
#define PD_BYTES_PER_MS 256
#define PD_MEM_TOTAL (256u << 20)
#define PD_MEM_STRANGERS (128u << 20)
#define PD_WORKERS 4
#define PD_WORKERS_MAX 64
#define PD_FRIEND_TTL_S 600 /* pd_serve_add_friend's default */

/* Bounds on peers; a field left 0 takes the default above. */
typedef struct pd_limits {
    int max_conns, max_handshakes;
    int per_ip, per_ip_handshakes;
    int per_key, per_key_friend;
    int handshake_ms, idle_ms, request_ms;
    size_t mem_total, mem_strangers;
    int workers;
} pd_limits;

/* One complete request, as a worker hands it to the handler. body points
 * into the server's buffer, valid until the handler returns. */
typedef struct pd_server pd_server;

typedef struct pd_request {
    pd_server *server; /* e.g. for pd_serve_add_friend */
    cairn_pubkey peer; /* the identity the peer proved */
    int friend;        /* 1 if the peer has a deal with us */
    uint8_t type;
    const uint8_t *body;
    size_t n;
} pd_request;

/* The handler's answer: a message of `type` with payload `body` (a
 * cairn_buf the server set up, limit max_reply), and close = 1 to end the
 * connection once it is sent (a malformed request). type 0 with close = 1
 * closes without a reply. */
typedef struct pd_reply {
    uint8_t type;
    cairn_buf body;
    int close;
} pd_reply;

/* Called on a worker thread, several at once (one per worker). */
typedef void (*pd_handler)(void *ctx, const pd_request *req, pd_reply *rep);
/* Fills rep with the sector's refusal message carrying e and why (a
 * peer over a limit, or a reply that does not fit the memory budget). */
typedef void (*pd_refuser)(void *ctx, cairn_err e, const char *why,
                           pd_reply *rep);

typedef struct pd_serve_config {
    const char *listen_host; /* numeric address or "localhost" */
    int listen_port;         /* 0: the kernel picks */
    cairn_keypair key;       /* our identity (copied, wiped at stop) */
    size_t max_request;      /* bound on one request's payload */
    size_t max_reply;        /* bound on one reply's payload */
    pd_limits limits;
    pd_handler handle;
    pd_refuser refuse;
    void *ctx;       /* passed to handle and refuse */
    FILE *log;       /* NULL: stderr */
    const char *who; /* log prefix, e.g. "provider" */
} pd_serve_config;

/* Counters since start (a snapshot). */
typedef struct pd_stats {
    uint64_t accepted, refused, evicted, closed_bad, timed_out;
    uint64_t requests, mem_refused;
    int conns, handshakes;
    size_t mem_used, mem_strangers;
} pd_stats;

/* Listens on listen_host:listen_port and starts the loop thread and the
 * workers. msg (len bytes) says why it failed. The caller owns *out and
 * stops it with pd_serve_stop. */
cairn_err pd_serve_start(pd_server **out, const pd_serve_config *cfg, char *msg,
                         size_t len);
/* The port it listens on. */
int pd_serve_port(const pd_server *s);
/* Replaces the set of peers with a deal (copied). */
cairn_err pd_serve_set_friends(pd_server *s, const cairn_pubkey *keys,
                               size_t n);
/* Counts key as a friend for ttl_s seconds (0: PD_FRIEND_TTL_S), e.g. a
 * client the sector just signed a deal for that is not on chain yet. */
void pd_serve_add_friend(pd_server *s, const cairn_pubkey *key, unsigned ttl_s);
void pd_serve_stats(pd_server *s, pd_stats *out);
/* Stops accepting, closes every connection (a request in a worker runs to
 * its end, its reply is dropped), joins the threads and frees everything.
 * NULL is fine. */
void pd_serve_stop(pd_server *s);

/* ---- 3. the chain plumbing ---- */

#define PD_TAKEOVERS_MAX 3 /* endpoint moves by someone else before we stop */

typedef struct pd_chain_config {
    const char *node;         /* node API base URL */
    const cairn_keypair *key; /* the provider's (borrowed) */
    uint8_t sector;           /* CAIRN_SECTOR_* */
    const char *sector_name;  /* as the API names it, e.g. "storage" */
    const char *endpoint;     /* HOST:PORT to register (copied) */
    uint64_t stake;           /* self stake put up when registering */
    uint32_t commission_bps;
    FILE *log;
    const char *who;
} pd_chain_config;

typedef struct pd_chain {
    pd_chain_config cfg;
    char addr[80];                         /* our address, text */
    char endpoint[CAIRN_ENDPOINT_MAX + 1]; /* ours */
    int move_pending; /* the registered endpoint still needs SET_ENDPOINT */
    int held;         /* ours has been seen on chain (or moved there) */
    int takeovers;    /* times someone else moved it since we started */
    int fatal;        /* stop: another daemon runs with this key */
} pd_chain;

void pd_chain_init(pd_chain *c, const pd_chain_config *cfg);
/* Registers unless registered; when registered, checks the sector
 * (CAIRN_ERR_BAD_SECTOR) and moves the endpoint to ours. A failed move is
 * logged and retried by pd_chain_watch. Logs what it did. */
cairn_err pd_chain_register(pd_chain *c);
/* One round: reads the registration, retries a pending move, puts back an
 * endpoint someone else moved (log line), and sets c->fatal after
 * PD_TAKEOVERS_MAX of those. */
cairn_err pd_chain_watch(pd_chain *c);

/* The sector's part of the daemon's chain loop. */
typedef struct pd_run_ops {
    void *ctx;
    /* Reads what the sector needs before it registers (may be NULL). */
    cairn_err (*prepare)(void *ctx);
    /* One round of the sector's chain work; logs its own news. */
    cairn_err (*tick)(void *ctx);
} pd_run_ops;

/* Waits for the node (logged once), prepares and registers, then every
 * poll_ms runs ops->tick and pd_chain_watch until *stop becomes non-zero.
 * Returns 0 on a stop, 1 when it gave up (logged: a refusal that waiting
 * will not fix, or another daemon with this key). */
int pd_run_chain(pd_chain *c, const pd_run_ops *ops, int poll_ms,
                 volatile sig_atomic_t *stop);

#endif
