/* Internal: the storage client's connection to one provider — dialed on
 * first use at the provider's registered endpoint, expecting its identity,
 * reused for later requests and dialed again once if it broke in between.
 * Every dial, send and receive has a deadline; a provider that cannot be
 * reached, or lets a request's deadline pass, is not asked again. */
#ifndef CAIRN_CLIENT_LINK_H
#define CAIRN_CLIENT_LINK_H

#include "cairn/conn.h"
#include "cairn/storage_proto.h"

#define CLINK_DIAL_MS 5000
#define CLINK_WHY_MAX 400
/* A ticket's face value is at least this many minimum fees (Livepeer's
 * rule of thumb: ~100 times the cost of redeeming it), and it may be
 * redeemed until this many blocks after the height it was signed at. */
#define CLINK_FACE_FEES 100
#define CLINK_TICKET_BLOCKS 100000

/* How a reader pays providers for the pieces it fetches (docs/storage.md,
 * "Paid retrieval"): lottery tickets for this chain, signed by the link's
 * key. Shared, read-only, by the links of one fetch. */
typedef struct clink_payer {
    char chain_id[CAIRN_CHAIN_ID_MAX + 1];
    uint64_t min_fee; /* the chain's minimum fee, base units */
    uint64_t expires; /* last height a ticket may be redeemed at */
} clink_payer;

typedef struct clink {
    cairn_pubkey provider;
    char endpoint[CAIRN_ENDPOINT_MAX + 1];
    const cairn_keypair *me; /* the client's key (borrowed) */
    cairn_conn *c;           /* NULL until dialed */
    uint32_t conn_id;        /* counts dials: which connection c is */
    int dead;                /* unreachable or stalled: do not dial again */
    char why[CLINK_WHY_MAX]; /* the last failure, in words */
    const clink_payer *pay;  /* NULL: FETCH without a ticket */
    int priced;              /* info below read from the provider */
    cairn_sp_info info;      /* its egress price and rand hash */
    uint64_t paid;           /* expected value of the tickets sent */
} clink;

/* Sets up a link (no dial yet). */
void clink_init(clink *l, const cairn_pubkey *provider, const char *endpoint,
                const cairn_keypair *me);
/* Closes the connection, if any. */
void clink_close(clink *l);

/* The provider's ask. Errors: the transport's (TIMEOUT, PEER_MISMATCH,
 * IO...), BAD_ENDPOINT, BAD_MSG, or the code of the provider's ERROR. */
cairn_err clink_ask(clink *l, cairn_sp_info *info);
/* Sends a STORE and returns the provider's signature. */
cairn_err clink_store(clink *l, const cairn_sp_store *m, cairn_sig *sig);
/* The same in two halves, so that several STOREs can be on their way
 * before the first reply is read (replies come in order): send one (dials
 * if needed, as clink_store does, but without a second try), getting the
 * connection's id in *conn, then take the oldest reply outstanding on that
 * connection (`bytes`: its piece's size, for the deadline). A transport
 * failure closes the connection, and the replies still outstanding on it
 * are lost: their clink_store_recv returns CLOSED with why unchanged, also
 * once the link has been dialed again. */
cairn_err clink_store_send(clink *l, const cairn_sp_store *m, uint32_t *conn);
cairn_err clink_store_recv(clink *l, uint32_t conn, uint64_t bytes,
                           cairn_sig *sig);
/* Makes the link pay for its fetches (pay borrowed; NULL: no tickets). */
void clink_set_payer(clink *l, const clink_payer *pay);
/* Fetches piece `root` of `size` bytes and checks it against the root
 * (BAD_PROOF if the provider sent other bytes). With a payer, the FETCH
 * carries a ticket worth the provider's egress price for `size` bytes on
 * average (its price and rand hash asked once, and again after a refused
 * ticket: the provider changes its number after each win), and a provider
 * that still refuses the payment gives PAYMENT_REQUIRED (why says why).
 * On success *bytes is a new malloc'd buffer holding the `size` bytes (the
 * reply's own: it may be a little larger) that the caller frees. Thread
 * safety: one thread per link at a time; tickets' nonces are unique
 * across links and threads. */
cairn_err clink_fetch(clink *l, const cairn_hash *root, uint64_t size,
                      uint8_t **bytes);

/* The ticket that pays ev base units on average to `to` under rand_hash:
 * face value at least CLINK_FACE_FEES minimum fees (above ev), win
 * probability rounded up so that its expected value reaches ev; signed by
 * me, a fresh nonce. Appends its encoding to b. */
cairn_err clink_make_ticket(cairn_buf *b, const clink_payer *pay,
                            const cairn_keypair *me, const cairn_pubkey *to,
                            const uint8_t rand_hash[32], uint64_t ev);

#endif
