/* Internal to the connection server (daemon.h, part 2): its state and the
 * functions its files share.
 *
 *   serve.c        start, stop, the loop thread, accepting, the timer
 *   serve_conn.c   one connection: handshake, frames in, replies out
 *   serve_admit.c  limits: who gets in, who is evicted, the memory budget,
 *                  the friends (peers with a deal)
 *   serve_pool.c   the workers: a complete request to the handler, the
 *                  reply sealed for the loop
 *
 * Threads: the loop thread owns every pd_conn, except that while a
 * connection is BUSY (its request is with a worker) the worker owns its
 * stream states and job; the loop neither reads it nor frees it then. The
 * friends, the memory budget, the job queues and the stats are shared
 * under their own mutexes. */
#ifndef CAIRN_PROVIDER_SERVE_INTERNAL_H
#define CAIRN_PROVIDER_SERVE_INTERNAL_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>

#include "core/log.h"
#include "net/conn_srv.h"
#include "provider/daemon.h"

struct event;
struct event_base;

#define PD_TICK_MS 100       /* deadline sweep */
#define PD_LINGER_MS 2000    /* a closing connection waits this for the end */
#define PD_FIRST_ALLOC 65536 /* a frame's first buffer, at most */
#define PD_PROVISIONAL 1024  /* friends added one by one (ring) */
#define PD_ACCEPT_BACKOFF_MS 500

enum pd_state {
    PC_HS,      /* handshake */
    PC_IDLE,    /* open, between requests */
    PC_READ,    /* a request's frame is arriving */
    PC_BUSY,    /* the request is with a worker */
    PC_WRITE,   /* the reply is being written */
    PC_CLOSING, /* last bytes out, then wait for the peer's end */
};

typedef struct pd_job pd_job;

typedef struct pd_conn {
    pd_server *srv;
    int fd, slot;
    int state;
    struct event *rev, *wev;
    int rev_on, wev_on;
    uint8_t ip[16]; /* IPv6, or IPv4 mapped */
    char ip_text[INET6_ADDRSTRLEN];
    int64_t born, deadline, last_active; /* monotonic ms */

    conn_srv hs; /* the handshake, then both streams */
    uint8_t hs_in[160];
    size_t hs_got;
    int authed, friend;
    cairn_pubkey peer;

    uint8_t hdr[4]; /* the next frame's length */
    size_t hdr_got;
    uint8_t *in; /* its ciphertext as it arrives */
    size_t in_cap, in_got, in_need;
    int in_stranger; /* the budget `in` is charged to */

    uint8_t *out; /* bytes to write: a reply frame, or hs_out */
    size_t out_len, out_off;
    size_t out_charge; /* 0 when out is not charged (hs_out) */
    int out_stranger;
    uint8_t hs_out[CONN_SRV_OUT_MAX];
    int close_after; /* CLOSING once out is written */
    int doomed;      /* closed while BUSY: freed when the worker is done */
} pd_conn;

struct pd_job {
    pd_conn *c;
    cairn_pubkey peer;
    int friend;
    uint8_t *buf; /* the request's ciphertext, opened in place */
    size_t ct_len, charge;
    int stranger;
    /* the worker's result */
    uint8_t *frame;
    size_t frame_len, frame_charge;
    int frame_stranger;
    int close;
    pd_job *next;
};

typedef struct pd_jobq {
    pd_job *head, *tail;
} pd_jobq;

struct pd_server {
    pd_serve_config cfg;
    pd_limits lim; /* cfg.limits with the defaults filled in */
    int listen_fd, port;
    struct event_base *base;
    struct event *lev, *tick, *wake_ev;
    int lev_on;
    int64_t accept_resume; /* listener off until then (out of fds) */
    int wake[2];           /* workers -> loop */
    pthread_t loop_th;
    int loop_started;

    pd_conn **conns; /* lim.max_conns slots, nconns used */
    int nconns;

    pthread_mutex_t mu; /* guards everything below */
    pthread_cond_t cond;
    int stopping;
    pd_jobq friends_q, strangers_q, done_q;
    int strangers_running;
    pthread_t workers[PD_WORKERS_MAX];
    int nworkers;
    size_t mem_used, mem_strangers;
    pd_stats stats;

    pthread_mutex_t fmu; /* the friends */
    cairn_pubkey *friends;
    size_t nfriends;
    cairn_pubkey prov_key[PD_PROVISIONAL];
    uint64_t prov_until[PD_PROVISIONAL]; /* Unix seconds */
    int prov_next;

    log_limit lim_refuse, lim_close, lim_mem, lim_accept;
};

/* serve.c */
int64_t pd_now(void);
void pd_log(pd_server *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Counts one event in the stats (under mu). */
void pd_count(pd_server *s, uint64_t *field);

/* serve_conn.c (loop thread) */
/* Takes an accepted socket; closes it on failure. */
void pd_conn_open(pd_server *s, int fd, const uint8_t ip[16],
                  const char *ip_text);
/* Closes c and frees it; one whose request is with a worker (BUSY) is only
 * marked, and freed when the worker's result comes back. */
void pd_conn_close(pd_conn *c);
/* Frees c whatever its state (the server's stop, workers joined). */
void pd_conn_free(pd_conn *c);
/* A worker's result for c (BUSY -> WRITE or closed). */
void pd_conn_done(pd_conn *c, pd_job *j);
/* The deadline sweep for one connection; 1 if it was closed. */
int pd_conn_check(pd_conn *c, int64_t now);
/* Queues the sector's refusal (e, why) and closes after it. */
void pd_conn_refuse(pd_conn *c, cairn_err e, const char *why);

/* serve_admit.c */
/* Makes room for a new connection from ip: 0 if it may come in. */
int pd_admit_accept(pd_server *s, const uint8_t ip[16], const char *ip_text);
/* After the handshake: 0 if the peer may stay, else why (static text). */
const char *pd_admit_peer(pd_conn *c);
int pd_is_friend(pd_server *s, const cairn_pubkey *k);
/* The memory budget: 0 if bytes fit (charged), -1 if not. force charges
 * anyway. */
int pd_mem_charge(pd_server *s, size_t bytes, int stranger, int force);
void pd_mem_release(pd_server *s, size_t bytes, int stranger);
/* For a friend's buffer that does not fit: closes strangers' idle or
 * arriving buffers, largest first, until `bytes` would fit. */
void pd_mem_evict(pd_server *s, size_t bytes, const pd_conn *keep);

/* serve_pool.c */
int pd_pool_start(pd_server *s);
/* Queues a complete request for the workers (friends' first). */
void pd_pool_push(pd_server *s, pd_job *j);
/* Drains the workers' results (loop thread). */
void pd_pool_collect(pd_server *s);
/* Stops and joins the workers; frees queued jobs (their conns stay). */
void pd_pool_stop(pd_server *s);
void pd_job_free(pd_server *s, pd_job *j);

#endif
