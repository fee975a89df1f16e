/* Internal: the storage provider daemon (`cairn provider storage`,
 * docs/storage.md "Providers").
 *
 * A provider keeps pieces in its piece store (cairn/piecestore.h), answers
 * clients over authenticated connections (cairn/conn.h) with the messages of
 * cairn/storage_proto.h, and answers the chain's storage challenges every
 * epoch with PROVE transactions (cairn/storage.h).
 *
 * What is not storage's own comes from the shared provider plumbing
 * (provider/daemon.h): the data dir lock, the connection server (one event
 * loop for every connection, limits per peer, deadlines, a memory budget,
 * priority for clients with a deal, a few workers that run the handlers of
 * provider_handle.c), the registration and the watch over the registered
 * endpoint.
 *
 * Threads: the server's loop and workers, and the caller's thread for the
 * chain loop (sprov_tick). */
#ifndef CAIRN_PROVIDER_H
#define CAIRN_PROVIDER_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "cairn/crypto.h"
#include "cairn/error.h"
#include "provider/daemon.h"

#define SPROV_START_AHEAD 4  /* deals must start within this many epochs */
#define SPROV_GC_GRACE_S 600 /* a piece with no deal is kept this long */
/* `cairn provider storage`'s --egress-price: 0.01 tokens per GiB served */
#define SPROV_EGRESS_PRICE_DEFAULT 10000

typedef struct sprov_config {
    const char *data_dir; /* the piece store (DIR/pieces, DIR/tmp) */
    uint64_t capacity;    /* bytes */
    cairn_keypair key;    /* the provider's identity and account */
    const char *listen_host;
    int listen_port;      /* 0: the kernel picks one */
    const char *endpoint; /* HOST:PORT registered on chain; NULL: listen */
    uint64_t stake;       /* self stake put up when registering */
    uint32_t commission_bps;
    uint64_t price;          /* ask: base units per MiB per epoch */
    uint64_t egress_price;   /* base units per GiB served (0: free; a
                                FETCH then needs no ticket) */
    uint32_t collateral_bps; /* most collateral accepted, share of the price
                                (0: whatever the chain requires) */
    const char *node;        /* node API base URL; NULL: no chain (tests) */
    pd_limits limits;        /* bounds on peers; 0 fields: the defaults */
    uint64_t gc_grace_s;     /* 0: SPROV_GC_GRACE_S */
    FILE *log;               /* NULL: stderr */
} sprov_config;

/* What the provider knows of the chain; handlers check deals against it. */
typedef struct sprov_view {
    int ok; /* 1 once read from a node */
    char chain_id[33];
    uint64_t height;         /* the node's height when read */
    uint64_t epoch;          /* current (unsettled) epoch */
    uint64_t collateral_bps; /* deal_collateral_bps in force */
    uint64_t max_epochs;
    uint64_t perm_cost_per_mib;
    uint64_t perm_decline_bps;
} sprov_view;

typedef struct sprov sprov;

/* Locks the data dir (one provider per dir: CAIRN_ERR_LOCKED when another
 * holds it), opens the piece store (removing leftover temporary files),
 * listens on listen_host:listen_port and starts the connection server.
 * No chain work: a node is needed only by sprov_tick and by REPLACE
 * requests. msg (len bytes) receives why it failed. The caller owns *out
 * and stops it with sprov_stop. */
cairn_err sprov_start(sprov **out, const sprov_config *cfg, char *msg,
                      size_t len);
/* The port it listens on. */
int sprov_port(const sprov *p);
/* Replaces the chain view the handlers use. */
void sprov_set_view(sprov *p, const sprov_view *v);
/* One round of the storage sector's chain work: refresh the view, answer
 * this epoch's challenges, redeem winning tickets, and every few rounds tell
 * the server which clients have deals and collect garbage. Logs what it did;
 * returns the first error (the daemon logs it and goes on). */
cairn_err sprov_tick(sprov *p);
/* The connection server's counters. */
void sprov_stats(sprov *p, pd_stats *out);
/* Stops the server (every connection closed; a request with a worker runs
 * to its end), frees everything and releases the data dir. NULL is fine. */
void sprov_stop(sprov *p);

/* The whole daemon: start, register (pd_chain_register), then sprov_tick
 * and the endpoint watch every poll_ms until *stop becomes non-zero; then
 * sprov_stop. Returns 0, or 1 after logging why it could not start or why
 * it gave up (e.g. another daemon with this key keeps moving the
 * endpoint). */
int sprov_run(const sprov_config *cfg, int poll_ms,
              volatile sig_atomic_t *stop);

#endif
