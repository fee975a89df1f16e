/* Internal: the lottery tickets a provider takes as payment (cairn/ticket.h;
 * docs/compute-verify.md "Lottery tickets"), shared by the compute
 * provider (a ticket per JOB) and the storage provider (a ticket per
 * FETCH, docs/storage.md "Paid retrieval").
 *
 * The provider commits to a secret random number (a new one at each start,
 * after each win -- redeeming a winning ticket reveals it -- and when the
 * set of tickets seen under it is full) and hands out its hash. A ticket
 * is taken when it is for this chain, signed by its sender, pays this
 * provider, names the current hash, has not expired (when the height is
 * known), was not seen under this number, is worth at least the price on
 * average, and (with a node) the sender's ticket funds on chain cover its
 * face value; the funds are read from the node once per round
 * (pd_tickets_round) and sender, for at most PD_TICKETS_LOOKUPS new senders
 * a round (more are asked to come back: strangers with fresh keys cannot
 * make the provider flood its node). A winning ticket is written durably to
 * DATA/tickets/<ticket id> (ticket bytes ‖ random number); pd_tickets_redeem
 * sends TICKET_REDEEM for a few of them per call and moves each to
 * DATA/tickets/sent/ (refused/ when the chain refuses it for good).
 *
 * Threads: pd_tickets_take, pd_tickets_rand_hash and pd_tickets_round may
 * be called from any thread (t->mu); pd_tickets_redeem from one thread (the
 * chain thread). */
#ifndef CAIRN_PROVIDER_TICKETS_H
#define CAIRN_PROVIDER_TICKETS_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "cairn/codec.h"
#include "cairn/ticket.h"

#define PD_TICKETS_SEEN_MAX 65536 /* then the random number changes */
#define PD_TICKETS_SLOTS (2 * PD_TICKETS_SEEN_MAX) /* the seen set's table */
#define PD_TICKETS_FUNDS_MAX 1024 /* senders whose funds are remembered */
#define PD_TICKETS_LOOKUPS 64     /* new senders' funds read per round */
#define PD_TICKETS_REDEEM_PER_CALL 8
#define PD_TICKETS_PATH_MAX 1024

/* A slot of the seen set: an id taken under generation gen (a slot of
 * another generation is free: changing the number empties the set). */
typedef struct pd_tk_seen {
    uint8_t id[32];
    uint32_t gen;
} pd_tk_seen;

typedef struct pd_tk_funds {
    cairn_pubkey sender;
    uint64_t funds; /* deposit + reserve, saturated; 0: none */
} pd_tk_funds;

/* Sends one transaction of the provider (kind, body) without waiting for
 * its block: the code, why (len bytes) on failure. */
typedef cairn_err (*pd_tk_send)(void *arg, uint16_t kind, const cairn_buf *body,
                                char *why, size_t len);

typedef struct pd_tickets {
    char dir[PD_TICKETS_PATH_MAX]; /* DATA/tickets */
    cairn_pubkey me;               /* the recipient a ticket must name */
    const char *node;              /* node API; NULL: no funds check */
    FILE *log;                     /* NULL: stderr */
    const char *who;               /* the log lines' daemon name */
    pthread_mutex_t mu;
    uint8_t rand[CAIRN_TICKET_RAND_LEN]; /* secret until redeemed */
    cairn_hash rand_hash;
    pd_tk_seen *seen; /* ticket ids taken under rand: open addressing, */
    uint32_t gen;     /* keyed by a SipHash of the id (seen_key), */
    size_t nseen;     /* so that no sender can make its ids collide */
    uint8_t seen_key[16];
    pd_tk_funds *funds; /* read this round */
    size_t nfunds;
    unsigned lookups;    /* funds read from the node this round */
    uint64_t taken, won; /* counters since start */
    int ready;           /* the mutex is set up */
} pd_tickets;

/* Sets t up: DATA/tickets/ made, a fresh random number. node (may be
 * NULL), log and who are borrowed. IO or NOMEM; pd_tickets_free undoes
 * it (also after a failure). */
cairn_err pd_tickets_init(pd_tickets *t, const char *data_dir,
                          const cairn_pubkey *me, const char *node, FILE *log,
                          const char *who);
void pd_tickets_free(pd_tickets *t);

/* The hash of the current random number, what a ticket must name. */
void pd_tickets_rand_hash(pd_tickets *t, uint8_t out[32]);

/* Takes the ticket b[0..n) as payment of min_ev base units (its expected
 * value must reach it) on chain chain_id at height (0: unknown, expiry not
 * checked). CAIRN_OK, or the reason with why (len bytes): BAD_ARG
 * (malformed, or another recipient), CHAIN_ID, BAD_SIG, TICKET_EXPIRED,
 * BAD_PROOF (an old random number: ask for the hash again), NONCE_USED (a
 * replay), FUNDS (worth less than min_ev, or the sender's funds on chain
 * do not cover its face value), BUSY (too many new senders this round). A
 * winning ticket is stored durably and the random number changes. */
cairn_err pd_tickets_take(pd_tickets *t, const char *chain_id, uint64_t height,
                          uint64_t min_ev, const uint8_t *b, size_t n,
                          char *why, size_t len);

/* The ticket funds of sender on chain (deposit + reserve, saturated) from
 * the node API at node: OK (*out 0 when it never funded), or the error
 * when the node does not say. */
cairn_err pd_ticket_funds(const char *node, const cairn_pubkey *sender,
                          uint64_t *out);

/* A new round: the senders' funds are read again from the node. */
void pd_tickets_round(pd_tickets *t);

/* Sends TICKET_REDEEM (through send) for up to PD_TICKETS_REDEEM_PER_CALL
 * stored winning tickets; a node or mempool failure leaves the rest for
 * the next call. Returns how many were sent. */
int pd_tickets_redeem(pd_tickets *t, pd_tk_send send, void *arg);

#endif
