/* Internal: putting the storage client's deals on chain. A job is one piece
 * stored with one provider and signed for; submitting turns the signatures
 * into DEAL_OPEN (or DEAL_REPLACE) transactions. The provider signs the
 * client's transaction nonce and, for a new deal, its start epoch: when
 * either must change (another transaction of the account came first, a
 * transaction failed, the epoch moved on) the provider is asked to sign
 * again, without the bytes. */
#ifndef CAIRN_CLIENT_DEALS_H
#define CAIRN_CLIENT_DEALS_H

#include "storage/client/client.h"
#include "storage/client/link.h"

enum cjob_state {
    CJOB_FAILED = -1,
    CJOB_NEW = 0,    /* not stored yet */
    CJOB_SIGNED = 1, /* stored and signed; not on chain */
    CJOB_OPEN = 2,   /* on chain: `deal` is its id */
};

typedef struct cjob {
    clink *link;      /* the provider (borrowed) */
    cairn_sp_store m; /* OPEN: terms; REPLACE: deal id, collateral */
    cairn_sig sig;    /* over m as last signed */
    uint64_t signed_nonce, signed_start, signed_collateral;
    int state;
    uint32_t conn; /* the link's connection a sent STORE is on */
    uint64_t deal;
    char why[CLINK_WHY_MAX];
} cjob;

/* Makes j a new-deal STORE of piece (seg, idx) of file f, with root and
 * size, for the provider behind link at its asked price (no lower than
 * the chain's floor; term deals) or the network's permanent price, and the
 * least collateral the chain takes; nonce and start epoch as given. OVERFLOW if
 * the price does not fit. The bytes are left for the caller to set. */
cairn_err cjob_open(cjob *j, clink *link, const cairn_sp_info *info,
                    const schain *ch, const cmeta_file *f, uint32_t seg,
                    uint32_t idx, const cairn_hash *root, uint64_t size,
                    uint64_t nonce, uint64_t start);
/* Sends j's STORE (with bytes when j->m.piece is set) and records the
 * signature: SIGNED, or FAILED with why. */
void cjob_store(cjob *j);
/* cjob_store in two halves (clink_store_send / clink_store_recv): the send
 * leaves j NEW, or FAILED with why; the receive, for a NEW job whose STORE
 * was sent, takes its reply: SIGNED, or FAILED with why. */
void cjob_send(cjob *j);
void cjob_recv(cjob *j);

/* Puts every SIGNED job on chain, in order, re-signing as needed (a new
 * nonce; a new deal's later start; a moved deal's collateral, which shrinks
 * as its epochs pass); each job ends OPEN (with its deal id) or FAILED
 * (with why). Returns OK when all did, else the first failure (c->why says
 * which). */
cairn_err cjobs_submit(sclient *c, cjob *jobs, size_t n);

/* One deal of the client as the chain lists it. */
typedef struct cdeal {
    uint64_t id;
    cairn_pubkey provider;
    cairn_hash root, tag;
    uint64_t size;
    uint32_t seg, idx;
    int active, permanent;
    uint64_t start, end; /* end: CAIRN_EPOCH_NONE when permanent */
    uint64_t price, escrow, paid, faults, total_faults;
    uint64_t last_proven; /* CAIRN_EPOCH_NONE: never */
    char state[16];
} cdeal;

/* Makes j a STORE that moves running deal d to the provider behind link
 * (DEAL_REPLACE), with the least collateral the chain takes for what is
 * left of the deal after the current epoch of ch (what the provider also
 * allows: no more). The bytes are left for the caller to set. */
cairn_err cjob_replace(cjob *j, clink *link, const cdeal *d, const schain *ch);

/* Reads a deal from its JSON form. -1 if malformed. */
int cdeal_from_json(cdeal *d, const json_t *o);
/* Calls fn for each of the client's deals with id > after, in id order;
 * stops early when fn returns non-zero. */
cairn_err cdeals_scan(sclient *c, uint64_t after,
                      int (*fn)(void *ctx, const cdeal *d), void *ctx);
/* One deal by id: NO_DEAL when absent. */
cairn_err cdeal_get(sclient *c, uint64_t id, cdeal *d);

/* Signs and submits n transactions of `kind` with nonces nonce, nonce+1,
 * ... (nonce UINT64_MAX: from the account's next nonce), the last one
 * waiting for its block; body i is `len` bytes at bodies + i * stride. OK means
 * every one is committed (a later nonce cannot land before an earlier one); an
 * error is the last one's, and the earlier ones may or may not have landed. */
cairn_err cdeals_send(sclient *c, const snode_ctx *ctx, uint64_t nonce,
                      uint16_t kind, const uint8_t *bodies, size_t stride,
                      size_t len, size_t n);

#endif
