/* Internal to the provider daemon: its state and the functions its files
 * share (provider_serve.c, provider_handle.c, provider_chain.c,
 * provider_prove.c, provider_gc.c, provider_run.c). */
#ifndef CAIRN_PROVIDER_INTERNAL_H
#define CAIRN_PROVIDER_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include "cairn/codec.h"
#include "cairn/piecestore.h"
#include "storage/provider/provider.h"

#define SPROV_QUEUE 64 /* accepted sockets waiting for a worker */
#define SPROV_WORKERS_MAX 64
#define SPROV_RECENT 4096   /* roots signed recently (kept from GC) */
#define SPROV_HS_MS 10000   /* handshake deadline */
#define SPROV_SEND_MS 60000 /* deadline to send one reply */
#define SPROV_PENDING 1024  /* proofs sent and not yet seen on chain */

/* A root the provider signed a deal for, and when. */
typedef struct sprov_recent {
    cairn_hash root;
    uint64_t at; /* Unix seconds */
} sprov_recent;

/* A proof submitted and not yet seen on chain: not sent again until
 * `until` (Unix seconds). */
typedef struct sprov_pending {
    uint64_t deal, epoch, until;
} sprov_pending;

struct sprov {
    sprov_config cfg;
    char addr[79]; /* our address, text */
    cairn_piecestore *ps;
    int listen_fd;
    int port;
    pthread_t acceptor;
    int accepting; /* 1 once the acceptor runs */
    pthread_t workers[SPROV_WORKERS_MAX];
    int nworkers;

    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t cond;  /* queue changed or stopping */
    int stopping;
    int queue[SPROV_QUEUE]; /* accepted sockets */
    int qhead, qlen;
    int live_fd[SPROV_WORKERS_MAX]; /* dup of each worker's socket, or -1 */
    sprov_view view;
    sprov_recent recent[SPROV_RECENT];
    int recent_next;

    /* chain loop state (the chain thread only) */
    sprov_pending pending[SPROV_PENDING];
    int npending;
    uint64_t ticks;
    int move_pending; /* the registered endpoint still needs SET_ENDPOINT */
};

/* Timestamped line to the daemon's log. */
void sprov_log(sprov *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* One connection from accept to close: handshake, then requests until the
 * client closes, goes quiet for idle_ms, or errs. Takes ownership of fd. */
void sprov_serve_conn(sprov *p, int fd, int slot);

/* Request handlers (provider_handle.c): each fills `reply` (type and
 * payload) for one request from `client`. */
typedef struct sprov_reply {
    uint8_t type;
    cairn_buf body;
} sprov_reply;

void sprov_handle(sprov *p, const cairn_pubkey *client, uint8_t type,
                  const uint8_t *req, size_t n, sprov_reply *reply);

/* Notes that root was signed for now (kept from GC for the grace time). */
void sprov_note_signed(sprov *p, const cairn_hash *root);
/* The time root was last signed for, or 0. */
uint64_t sprov_signed_at(sprov *p, const cairn_hash *root);
/* A copy of the current chain view. */
void sprov_get_view(sprov *p, sprov_view *v);

/* Chain work (provider_chain.c, provider_prove.c, provider_gc.c). */
cairn_err sprov_refresh_view(sprov *p);
cairn_err sprov_prove(sprov *p);
cairn_err sprov_gc(sprov *p);

#endif
