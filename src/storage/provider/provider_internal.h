/* Internal to the storage provider daemon: its state and the functions its
 * files share (provider_serve.c, provider_handle.c, provider_chain.c,
 * provider_prove.c, provider_gc.c). */
#ifndef CAIRN_PROVIDER_INTERNAL_H
#define CAIRN_PROVIDER_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include "cairn/codec.h"
#include "cairn/piecestore.h"
#include "provider/tickets.h"
#include "storage/provider/provider.h"

#define SPROV_RECENT 4096  /* roots signed recently (kept from GC) */
#define SPROV_PENDING 1024 /* proofs sent and not yet seen on chain */

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
    int lock_fd;   /* the data dir's lock (provider/daemon.h) */
    cairn_piecestore *ps;
    pd_server *srv;
    pd_chain chain;
    pd_tickets tk; /* paid retrieval (provider/tickets.h) */

    pthread_mutex_t lock; /* guards view and recent */
    sprov_view view;
    sprov_recent recent[SPROV_RECENT];
    int recent_next;

    /* chain loop state (the chain thread only) */
    sprov_pending pending[SPROV_PENDING];
    int npending;
    uint64_t ticks;
};

/* Timestamped line to the daemon's log. */
void sprov_log(sprov *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The request handlers (provider_handle.c), called by the server's
 * workers: ASK, STORE, FETCH; a malformed request is answered with ERROR
 * and closes the connection. sprov_refuse is the server's refusal: an
 * ERROR message. ctx is the sprov. */
void sprov_handle(void *ctx, const pd_request *req, pd_reply *reply);
void sprov_refuse(void *ctx, cairn_err e, const char *why, pd_reply *reply);

/* Notes that root was signed for now (kept from GC for the grace time). */
void sprov_note_signed(sprov *p, const cairn_hash *root);
/* The time root was last signed for, or 0. */
uint64_t sprov_signed_at(sprov *p, const cairn_hash *root);
/* A copy of the current chain view. */
void sprov_get_view(sprov *p, sprov_view *v);

/* Chain work (provider_chain.c, provider_prove.c, provider_gc.c). */
cairn_err sprov_refresh_view(sprov *p);
cairn_err sprov_prove(sprov *p);
/* Tells the server which clients have a running deal with us. */
cairn_err sprov_friends(sprov *p);
cairn_err sprov_gc(sprov *p);
/* Signs and submits one tx of the provider without waiting for its block
 * (why, len bytes, says why not). */
cairn_err sprov_send(sprov *p, uint16_t kind, const cairn_buf *body, char *why,
                     size_t len);

#endif
