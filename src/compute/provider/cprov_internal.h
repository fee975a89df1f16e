/* Internal to the compute provider daemon: its state and the functions its
 * files share.
 *
 *   cprov_main.c    start, stop, the log, the daemon's loop (cprov_run)
 *   cprov_store.c   a lease's directory and durable state
 *   cprov_files.c   reading a lease's log and files without escaping it
 *   cprov_handle.c  the tenant's requests (MANIFEST, STATUS, LOGS, FETCH)
 *   cprov_work.c    a lease's workload: stage, start, poll, freeze, stop
 *   cprov_chain.c   the node: parameters, leases, offer, reports, txs
 *   cprov_bid.c     capacity accounting and the bid policy
 *   cprov_svc.c     the service port (cprov_svc.h)
 *   cprov_job.c     verified-work jobs (JOB; compute/jobs/jobs.h)
 *   cprov_ticket.c  the lottery tickets jobs carry (TICKET_PARAMS)
 *
 * Locking: p->mu guards the lease table and every field of a lease that
 * another thread reads (phase, exit code, times, token, note, flags). The
 * chain thread alone creates sandboxes, stops them and removes leases;
 * handlers add a lease (its manifest) and read. p->store_mu serialises
 * manifest stores. */
#ifndef CAIRN_COMPUTE_PROVIDER_INTERNAL_H
#define CAIRN_COMPUTE_PROVIDER_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>

#include "cairn/compute.h"
#include "cairn/compute_proto.h"
#include "compute/provider/cprov.h"
#include "compute/provider/cprov_svc.h"
#include "compute/sandbox.h"
#include "core/log.h"
#include "provider/tickets.h"

#define CPROV_PATH_MAX 1024
#define CPROV_DATA_DIR_MAX 512 /* leaves room for leases/<id>/work/... */
#define CPROV_NOTE_MAX CAIRN_CP_NOTE_MAX
#define CPROV_STAGERS_MAX 4   /* leases being set up at once */
#define CPROV_BIDS_MAX 1024   /* outstanding bids tracked */
#define CPROV_SCAN_PAGES 50   /* pages of leases read per round */
#define CPROV_RESEND_TICKS 10 /* a report not seen on chain is sent again */
#define CPROV_OFFER_TICKS 10  /* an offer not seen on chain is sent again */
#define CPROV_LOG_MAX (16u << 20)
#define CPROV_LOOKUPS 20 /* node lookups for unknown leases per second */

/* Where a lease's workload is, on this provider. */
typedef enum cprov_phase {
    CP_WAIT = 0,    /* no manifest yet */
    CP_STAGING = 1, /* manifest stored; writing inputs */
    CP_RUNNING = 2, /* in the sandbox (or to be started again) */
    CP_EXITED = 3,  /* ended; exit code kept; outputs kept */
    CP_FAILED = 4,  /* could not start; note says why */
} cprov_phase;

/* What the chain says of a lease (from the node API). */
typedef struct cprov_chain_lease {
    uint64_t id;
    cairn_pubkey tenant, provider;
    cairn_hash manifest;
    uint32_t cpus, mem_mib, disk_mib;
    uint16_t port;
    uint64_t max_price, max_epochs;
    uint64_t price;
    uint8_t state;        /* cairn_lease_state */
    uint8_t work_state;   /* last reported */
    uint64_t last_report; /* CAIRN_EPOCH_NONE: never */
    uint64_t bid_end, start_height;
    uint32_t nbids;
} cprov_chain_lease;

typedef struct cprov_lease {
    cprov_chain_lease c; /* as last read from chain */
    /* durable (DATA/leases/<id>/state) */
    int phase;
    uint32_t exit_code;
    uint64_t started, ended; /* Unix seconds */
    uint8_t token[CAIRN_CP_TOKEN_LEN];
    char note[CPROV_NOTE_MAX + 1];
    /* in memory */
    int resumed; /* started again after a provider restart */
    int frozen;  /* the sandbox is paused */
    int seen;    /* listed by the node this round */
    int gone;    /* to be removed (closed, not ours) */
    cairn_sandbox *sb;
    /* the stager */
    pthread_t stager;
    int staging;    /* a stager thread runs (or has ended, unjoined) */
    int stage_done; /* p->mu */
    int staged;     /* inputs are in place; waiting for ACTIVE to start */
    cairn_err stage_err;
    char stage_msg[CPROV_NOTE_MAX + 1];
    /* reports */
    uint64_t sent_epoch;
    uint8_t sent_state;
    uint64_t sent_tick;
} cprov_lease;

/* A bid sent and its order still open: its resources are reserved. */
typedef struct cprov_bid {
    uint64_t order;
    uint32_t cpus, mem_mib, disk_mib;
    uint64_t price;
} cprov_bid;

/* The chain's compute parameters, as last read. */
typedef struct cprov_view {
    int ok;
    uint64_t epoch, epoch_blocks, height;
    uint64_t min_price_per_core, bid_deposit;
    uint64_t max_bids, report_max;
} cprov_view;

struct cprov {
    cprov_config cfg;
    char addr[CAIRN_ADDR_TEXT_LEN + 1];
    char leases_dir[CPROV_PATH_MAX];
    char service_ep[CAIRN_ENDPOINT_TEXT_MAX + 1]; /* "" when none */
    int lock_fd;
    pd_server *srv;
    csvc *svc;
    pd_chain chain;

    pthread_mutex_t mu; /* the lease table and the fields above it reads */
    cprov_lease **leases;
    size_t nleases, cap_leases;
    cprov_view view;

    pthread_mutex_t store_mu; /* one manifest store at a time */

    /* the chain thread's own */
    cprov_bid bids[CPROV_BIDS_MAX];
    size_t nbids;
    uint64_t *refused; /* open orders not to bid on (the chain refused) */
    size_t nrefused, cap_refused;
    cprov_chain_lease *open; /* open orders, as listed this round */
    size_t nopen, cap_open;
    uint64_t scan_after; /* leases at or below are closed */
    int scanned_all;     /* one full scan done since start */
    uint64_t ticks, offer_tick;
    int offered; /* the chain's capacity equals ours */
    int stagers;
    int funds_said;
    log_limit lim_peer;   /* lines a tenant or stranger can cause */
    log_limit lim_lookup; /* node lookups of leases not in the table */
    /* jobs (cprov_job.c), under p->mu */
    uint32_t jobs_running;
    uint64_t jobs_taken; /* counts jobs for cheat_every */
    /* tickets (cprov_ticket.c; provider/tickets.h, its own lock) */
    pd_tickets tk;
};

/* Timestamped line to the daemon's log; the limited variant for lines a
 * peer can cause. */
void cprov_log(cprov *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void cprov_log_peer(cprov *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- the lease table (p->mu held by the caller) ---- */
cprov_lease *cprov_find(cprov *p, uint64_t id);
/* Adds a lease for chain record c (phase WAIT); NULL when out of memory. */
cprov_lease *cprov_add(cprov *p, const cprov_chain_lease *c);
/* Takes l out of the table and frees it (its sandbox already freed). */
void cprov_drop(cprov *p, cprov_lease *l);

/* ---- durable state (cprov_store.c) ---- */
/* DATA/leases/<id>[/name] into out (CPROV_PATH_MAX). */
void cprov_path(const cprov *p, uint64_t id, const char *name, char *out);
/* Makes the lease's directory and work/ (existing ones are fine). */
cairn_err cprov_make_dirs(cprov *p, uint64_t id);
/* Writes the lease's state file (temp, fsync, rename, fsync dir). The
 * caller holds p->mu or owns l alone. */
cairn_err cprov_save(cprov *p, const cprov_lease *l);
/* Writes the manifest bytes durably (same way). */
cairn_err cprov_save_manifest(cprov *p, uint64_t id, const uint8_t *b,
                              size_t n);
/* Writes the storage inputs' keys (file id ‖ file key entries) durably,
 * readable by the provider's user alone. */
cairn_err cprov_save_keys(cprov *p, uint64_t id, const uint8_t *b, size_t n);
/* Reads them: *out malloc'd (the caller wipes and frees it), *n bytes;
 * NOT_FOUND when the lease has none. */
cairn_err cprov_load_keys(cprov *p, uint64_t id, uint8_t **out, size_t *n);
/* Reads the manifest: *out malloc'd (caller frees), *n its size. */
cairn_err cprov_load_manifest(cprov *p, uint64_t id, uint8_t **out, size_t *n);
/* Reads every DATA/leases/<id>/state into the table (chain fields left
 * zero: the first round fills them in); a directory without a readable
 * state holds no acknowledged manifest and is removed. Logs what it
 * found. */
cairn_err cprov_load_all(cprov *p);
/* Removes the lease's directory. 0 on success. */
int cprov_remove_dir(cprov *p, uint64_t id);
/* Appends one line "[cairn] text" to the lease's log. */
void cprov_lease_note(cprov *p, uint64_t id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *cprov_phase_name(int phase);
/* The workload state the chain and STATE use for a phase. */
uint8_t cprov_work_state(int phase);

/* ---- files (cprov_files.c) ---- */
/* Opens path (checked by cairn_cp_path_ok) under dir following no
 * symbolic link: *fd a regular file open for reading. NOT_FOUND when it
 * is absent, BAD_ARG when a part is a link or not a directory, or it is
 * not a regular file. */
cairn_err cprov_open_beneath(const char *dir, const char *path, int *fd);

/* ---- the tenant's requests (cprov_handle.c) ---- */
void cprov_handle(void *ctx, const pd_request *req, pd_reply *rep);
void cprov_refuse(void *ctx, cairn_err e, const char *why, pd_reply *rep);
/* JOB (cprov_job.c): runs the job on the worker's thread. */
void cprov_handle_job(cprov *p, const pd_request *q, pd_reply *rep);
/* Removes DATA/jobs/, the scratch files of jobs a crash cut short. */
void cprov_jobs_init(cprov *p);
/* The chain id the provider's claims and tickets name. */
const char *cprov_chain_id(const cprov *p);

/* ---- tickets (cprov_ticket.c) ---- */
/* A fresh random number (each start: tickets signed before do not
 * count) and DATA/tickets/. */
cairn_err cprov_tickets_init(cprov *p);
void cprov_tickets_free(cprov *p);
void cprov_handle_ticket_params(cprov *p, const pd_request *q, pd_reply *rep);
/* Takes the ticket a JOB carries (n bytes; n == 0: none): CAIRN_OK, or an
 * error with why (len bytes) for the reply. A winning ticket is stored
 * durably in DATA/tickets/ with the random number that makes it win, and
 * the random number changes. */
cairn_err cprov_take_ticket(cprov *p, const uint8_t *t, size_t n, char *why,
                            size_t len);
/* The chain thread: sends TICKET_REDEEM for the stored winning tickets
 * (a few per round). */
cairn_err cprov_redeem(cprov *p);

/* ---- workloads (cprov_work.c; the chain thread) ---- */
/* One step of lease l's state machine against its chain state. */
void cprov_drive(cprov *p, cprov_lease *l);
/* Stops l's workload and stager (l stays). */
void cprov_halt(cprov *p, cprov_lease *l);
/* Halts, removes the directory and drops l. */
void cprov_clean(cprov *p, cprov_lease *l, const char *why);

/* ---- the node (cprov_chain.c; the chain thread unless said) ---- */
cairn_err cprov_refresh_view(cprov *p);
/* Parses one LEASE object of the node API. */
cairn_err cprov_parse_lease(const json_t *j, cprov_chain_lease *out);
/* GET /v1/compute/lease/ID (any thread). NO_ORDER when absent. */
cairn_err cprov_get_lease(cprov *p, uint64_t id, cprov_chain_lease *out);
/* Signs and submits a tx without waiting for its block. */
cairn_err cprov_send(cprov *p, uint16_t kind, const cairn_buf *body, char *why,
                     size_t len);
cairn_err cprov_sync_leases(cprov *p);
cairn_err cprov_offer(cprov *p);
cairn_err cprov_report(cprov *p);

/* ---- bids (cprov_bid.c) ---- */
/* Lists the open orders and forgets the bids on orders no longer open
 * (before the leases are read: an order that became our lease is then
 * in the lease list). */
cairn_err cprov_list_open(cprov *p);
/* Bids on open orders that fit the free capacity. */
cairn_err cprov_bid_round(cprov *p);
/* The bid for an order of `cpus` under policy and floor, or 0 when it
 * would be above max_price (or overflow). */
uint64_t cprov_bid_price(uint64_t price_per_core, uint64_t floor_per_core,
                         uint32_t cpus, uint64_t max_price);
/* The lowest order id with an outstanding bid, or UINT64_MAX. */
uint64_t cprov_lowest_bid(const cprov *p);

#endif
