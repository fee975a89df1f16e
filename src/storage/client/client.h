/* Internal: the storage client behind `cairn put | get | ls | status | rm |
 * repair` (docs/storage.md, "Using storage").
 *
 * A session holds the user's key (the account that pays, the identity
 * providers see, and the source of the storage secret), the metadata store
 * and the node it talks to. Every operation reports progress on `log` and,
 * on failure, leaves the reason in `why`. */
#ifndef CAIRN_CLIENT_H
#define CAIRN_CLIENT_H

#include <jansson.h>
#include <stdio.h>

#include "cairn/layout.h"
#include "storage/client/meta.h"
#include "net/node_rpc.h"

#define SCLIENT_WHY_MAX 512

typedef struct sclient {
    const char *node; /* node API base URL (borrowed) */
    cmeta *meta;
    cairn_keypair key;
    uint8_t secret[CAIRN_SECRET_LEN];
    FILE *log;    /* progress and warnings; NULL: quiet */
    int progress; /* 1: draw a progress bar on log */
    char why[SCLIENT_WHY_MAX];
} sclient;

/* What the chain says right now, for building deals. */
typedef struct schain {
    snode_ctx ctx; /* chain id, min fee, height */
    uint64_t epoch;
    uint64_t epoch_end; /* last block of the current epoch */
    uint64_t collateral_bps, max_epochs, perm_cost_per_mib, perm_decline_bps;
    uint64_t min_price_per_mib; /* the chain's floor for term deals (0: none) */
} schain;

/* Opens the metadata store in store_dir and derives the secret from kp.
 * The caller closes the session with sclient_close. */
cairn_err sclient_open(sclient *c, const char *node, const char *store_dir,
                       const cairn_keypair *kp);
void sclient_close(sclient *c);
/* Sets c->why and returns e. */
cairn_err sclient_fail(sclient *c, cairn_err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Reads the chain's state for new deals; READ_ONLY (why names the URL to
 * use) when the node is a follower, which takes no transactions. */
cairn_err sclient_chain(sclient *c, schain *ch);
/* Where provider pk is reached now: its endpoint registered on chain (a
 * provider that moved sends SET_ENDPOINT), else `known` (what the client
 * recorded at upload) when the node cannot say. */
void sclient_endpoint(sclient *c, const cairn_pubkey *pk, const char *known,
                      char out[CAIRN_ENDPOINT_MAX + 1]);
/* The first epoch a deal opened now should start: the next one, or the
 * one after when the current epoch is about to end. */
uint64_t sclient_start_epoch(const schain *ch);

/* What a put paid: into the deals (term: escrow, price x epochs; with
 * --permanent: the endowment, paid once) and in transaction fees. */
typedef struct sclient_cost {
    uint64_t deals;  /* deals opened */
    uint64_t escrow; /* escrow or endowment, base units */
    uint64_t fees;   /* the transaction fees (deals, name record), base
                        units */
    uint64_t total;  /* escrow + fees */
} sclient_cost;

typedef struct sclient_put_opts {
    const char *path;      /* the file to put */
    const char *name;      /* kept in the metadata (NULL: path's name) */
    cairn_layout_params p; /* k, n, segment size */
    uint64_t epochs;       /* term deals; ignored when permanent */
    int permanent;
    uint64_t max_price; /* most accepted per MiB and epoch (0: any) */
    sclient_cost *cost; /* out (may be NULL): what the put paid */
    /* A JSON object (NULL: none) whose members go into the file's sealed
     * name record on chain beside "name" and "created" (names.h); the
     * record's JSON is at most 960 bytes. */
    const char *meta_json;
    int *named; /* out (may be NULL): 1 when the name record is on chain */
} sclient_put_opts;

/* Encodes the file, stores piece i of every segment with provider i (a
 * spare provider takes over a piece its provider refuses), opens one deal
 * per piece and records everything in the metadata store (*out). Then it
 * writes the file's sealed name record on chain (FILE_NAME, names.h): when
 * that fails the put still succeeds (the file is stored), *o->named is 0,
 * a warning goes to c->log and c->why says why the name is not on chain.
 * A meta_json that is not a JSON object, or a record over 960 bytes, is
 * refused (BAD_ARG, TOO_LARGE) before anything is uploaded. */
cairn_err sclient_put(sclient *c, const sclient_put_opts *o, cmeta_file *out);
/* Fetches any k good pieces of every segment (skipping providers that are
 * down or send wrong bytes), decodes and writes out_path atomically. */
cairn_err sclient_get(sclient *c, const char *id, const char *out_path);
/* A report of file `id`: per segment, per piece its deal on chain and
 * whether its provider answers (alive: both); what was paid so far; and
 * whether the file is retrievable. With fetch, that is get's own test:
 * k good pieces of every segment fetched (any pieces, with or without a
 * deal) and checked against their roots, then dropped; without, it is
 * judged from the deals: k pieces alive in the weakest segment. *report is
 * a new JSON object (docs/storage.md) the caller releases. */
cairn_err sclient_status_check(sclient *c, const char *id, int fetch,
                               json_t **report);
/* sclient_status_check without the fetch. */
cairn_err sclient_status(sclient *c, const char *id, json_t **report);
/* What ending a file's deals gives back. */
typedef struct sclient_refund {
    uint64_t now;       /* escrow returned at once (term deals: the epochs
                           after the current one; deals not begun: all) */
    uint64_t endowment; /* permanent deals: the endowment left, returned
                           when epoch `epoch` is settled (less that epoch's
                           payout to a provider that proves it) */
    uint64_t epoch;     /* the current epoch, when the deals were ended */
} sclient_refund;

/* Ends every running deal of file `id` (DEAL_END), deletes its name record
 * on chain (FILE_NAME with no blob) and forgets the file; *refund gets
 * what comes back. When the name record cannot be deleted the file is kept
 * in the store (its deals have ended): run rm again. */
cairn_err sclient_rm(sclient *c, const char *id, sclient_refund *refund);
/* What a repair did. */
typedef struct sclient_repaired {
    size_t placed;   /* pieces put under a deal again */
    size_t unplaced; /* lost pieces no provider took */
} sclient_repaired;

/* Rebuilds the pieces of file `id` that are not alive (deal not active or
 * provider unreachable) in segments with fewer than min_alive alive pieces
 * (0: n), and places each with a provider holding no alive piece of its
 * segment — its own former provider first when that one answers again —
 * (DEAL_REPLACE for a running deal, a new DEAL_OPEN otherwise). OK only
 * when every such piece was placed: else FEW_PROVIDERS (c->why says why,
 * e.g. that every provider answering holds a piece of the segment) or
 * FEW_PIECES (a segment has fewer than k good pieces; the other segments
 * are repaired all the same). *out counts both. */
cairn_err sclient_repair(sclient *c, const char *id, uint32_t min_alive,
                         sclient_repaired *out);
/* Rebuilds the metadata of every file from this key's deals on chain,
 * named from the file's sealed name record (names.h; `recovered-<id>` for
 * a file without one, or when the node cannot list the records: a warning
 * goes to c->log). A file the store knows as `recovered-<id>` gets its
 * name when a record has appeared. *files gets the number of files found. */
cairn_err sclient_recover(sclient *c, size_t *files);

#endif
