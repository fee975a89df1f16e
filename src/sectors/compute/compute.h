/* Internal: the compute sector's on-chain state and its handlers (the
 * rules are in include/cairn/compute.h; docs/compute-chain.md explains
 * them with numbers).
 *
 * State (tags 0x60..0x6F; docs/encoding.md has the table):
 *   0x60 lease     u64 BE id                     -> lease record
 * (LEASE_REC_LEN) 0x61 compute   "next"                        -> u64 next
 * order id (LE) 0x62 bid       u64 BE order ‖ [32] provider  -> bid record
 * (BID_REC_LEN) 0x63 cprov     [32] provider                 -> compute
 * provider record 0x64 open      u64 BE id                     -> u8 1 (OPEN
 * orders) 0x65 running   u64 BE id                     -> u8 1 (ACTIVE, PAUSED)
 *   0x66 tenant    [32] tenant ‖ u64 BE id       -> u8 1
 *   0x67 provider  [32] provider ‖ u64 BE id     -> u8 1 (from the lease on)
 *   0x68 expiry    u64 BE bid end ‖ u64 BE id    -> u8 1 (OPEN orders)
 *
 * Lease record (little-endian), version 1:
 *   u8 version ‖ u8 state ‖ u8 end_reason ‖ u8 work_state ‖ u8 nbids ‖
 *   [32] tenant ‖ [32] provider ‖ order as its body (74) ‖ u32 exit_code ‖
 *   u32 missed ‖ u64 price ‖ u64 escrow ‖ u64 opened_height ‖ u64 bid_end ‖
 *   u64 start_height ‖ u64 start_epoch ‖ u64 settled_height ‖
 *   u64 last_report ‖ u64 paused_epoch ‖ u64 paid ‖ u64 refunded ‖
 *   u64 deposited ‖ u64 closed_height                              (255)
 * Bid record: u64 price ‖ u64 deposit ‖ u64 height                  (24)
 * Compute provider record, version 1: u8 version ‖ u32 cpus ‖ u32 memory
 *   MiB ‖ u32 disk MiB (capacity) ‖ the same three used ‖ u64 leases ‖
 *   u64 done ‖ u64 lost                                              (49)
 *   0x69 tfunds    [32] ticket sender            -> ticket funds (32)
 *   0x6A tused     [32] ticket id                -> u64 height redeemed
 * Ticket funds record: u64 deposit ‖ u64 reserve ‖ u64 pending ‖
 *   u64 unlock_height                                               (32)
 * The escrow of every lease record and the deposit of every bid record
 * (and the deposit and reserve of every ticket funds record)
 * are tokens held by no balance: the books' audit counts them (held()).
 */
#ifndef CAIRN_SECTORS_COMPUTE_H_INTERNAL
#define CAIRN_SECTORS_COMPUTE_H_INTERNAL

#include "cairn/compute.h"
#include "core/bytes.h"
#include "econ/econ.h"

enum {
    STATE_LEASE = 0x60,
    STATE_COMPUTE = 0x61,
    STATE_BID = 0x62,
    STATE_CPROV = 0x63,
    STATE_LEASE_OPEN = 0x64,
    STATE_LEASE_RUN = 0x65,
    STATE_LEASE_TENANT = 0x66,
    STATE_LEASE_PROV = 0x67,
    STATE_LEASE_EXPIRY = 0x68,
    STATE_TICKET_FUNDS = 0x69,
    STATE_TICKET_USED = 0x6A,
    STATE_EVIDENCE = 0x6F, /* kinds_evidence.c has its keys */
};

/* Parameter ids: ECON_SECTOR_PARAM_BASE(1) + n. */
enum {
    P_COMPUTE_MIN_PRICE = 0x200,
    P_COMPUTE_BID_DEPOSIT = 0x201,
    P_COMPUTE_MAX_BIDS = 0x202,
    P_COMPUTE_BID_WINDOW = 0x203,
    P_COMPUTE_GRACE = 0x204,
    P_COMPUTE_MAX_MISSED = 0x205,
    P_COMPUTE_SLASH_BPS = 0x206,
    P_COMPUTE_MAX_EPOCHS = 0x207,
    P_COMPUTE_TICKET_UNLOCK = 0x208,
    P_COMPUTE_VERIFY_SLASH_BPS = 0x210,
    P_COMPUTE_VOTE_QUORUM_BPS = 0x211,
};

#define LEASE_REC_LEN 255
#define BID_REC_LEN 24
#define CPROV_REC_LEN 49

/* ---- records (lease_record.c) ---- */

void lease_encode(uint8_t out[LEASE_REC_LEN], const cairn_lease_info *l);
/* DB on a malformed record; l->id is left as it was. */
cairn_err lease_decode(cairn_lease_info *l, const uint8_t *p, size_t n);
/* Reads lease `id` through any txn: NO_ORDER when absent. */
cairn_err lease_read(MDB_txn *txn, const store *s, uint64_t id,
                     cairn_lease_info *l);
/* Writes the record alone (indexes follow the state changes: see
 * lease_index). */
cairn_err lease_put(exec_ctx *x, const cairn_lease_info *l);
/* Takes the next id for l and writes it with its OPEN indexes (open,
 * tenant, expiry). */
cairn_err lease_create(exec_ctx *x, cairn_lease_info *l);
/* Puts (put 1) or deletes one index entry: tag ‖ [who] ‖ id, or for the
 * expiry index tag ‖ u64 BE bid_end ‖ id (who NULL, first = bid_end). */
cairn_err lease_index(exec_ctx *x, uint8_t tag, const cairn_pubkey *who,
                      uint64_t first, uint64_t id, int put);
/* Escrow a stored lease record holds (0 if malformed). */
uint64_t compute_lease_held(const uint8_t *rec, size_t n);

/* ---- bids and providers (bid_record.c) ---- */

void bid_encode(uint8_t out[BID_REC_LEN], const cairn_bid_info *b);
cairn_err bid_decode(cairn_bid_info *b, const uint8_t *p, size_t n);
/* NOT_FOUND when provider has no bid on order. */
cairn_err bid_read(MDB_txn *txn, const store *s, uint64_t order,
                   const cairn_pubkey *provider, cairn_bid_info *b);
cairn_err bid_put(exec_ctx *x, const cairn_bid_info *b);
/* The bids on `order` in provider key order: *out malloc'd (NULL when
 * none), the caller frees it. */
cairn_err bid_list(MDB_txn *txn, const store *s, uint64_t order,
                   cairn_bid_info **out, size_t *n);
/* Returns every bid deposit of `order` to its bidder and deletes the bids
 * (the order closed: leased, cancelled or expired). */
cairn_err bid_release_all(exec_ctx *x, uint64_t order);

void cprov_encode(uint8_t out[CPROV_REC_LEN], const cairn_compute_provider *p);
cairn_err cprov_decode(cairn_compute_provider *p, const uint8_t *b, size_t n);
/* NOT_PROVIDER when pk never sent COMPUTE_OFFER. */
cairn_err cprov_read(MDB_txn *txn, const store *s, const cairn_pubkey *pk,
                     cairn_compute_provider *p);
cairn_err cprov_put(exec_ctx *x, const cairn_compute_provider *p);
/* 1 when p's free capacity (capacity − used) holds o's resources. */
int cprov_fits(const cairn_compute_provider *p, const cairn_order *o);

/* ---- money and lifecycle (lease_money.c) ---- */

/* The epoch being executed and its first block. */
cairn_err compute_epoch_now(exec_ctx *x, uint64_t *epoch, uint64_t *start);
/* Checks that pk may bid or take a lease now: a registered provider of
 * the compute sector (NOT_PROVIDER, BAD_SECTOR), with its minimum stake
 * (STAKE_LOW), not jailed (JAILED), that sent COMPUTE_OFFER
 * (NOT_PROVIDER); fills *cp with its compute record. */
cairn_err compute_provider_ok(exec_ctx *x, const cairn_pubkey *pk,
                              uint64_t epoch, cairn_compute_provider *cp);
/* What blocks (h − settled) of l cost: floor(price × blocks / B), as
 * u128 arithmetic, capped at UINT64_MAX. */
uint64_t compute_due(const cairn_lease_info *l, uint64_t blocks, uint64_t B);
/* Takes what `blocks` blocks ending at x->height cost out of l's escrow:
 * *amount = min(escrow, due), and the work it earns, *units = cpus ×
 * blocks (scaled by paid / due when the escrow paid less); paid grows,
 * settled = height. The caller pays them (compute_pay_provider). */
void compute_charge(exec_ctx *x, cairn_lease_info *l, uint64_t blocks,
                    uint64_t B, uint64_t *amount, uint64_t *units);
/* Releases `amount` of held escrow to the fee split with provider as
 * payee (its share to its balance), and reports `units` work units for
 * it (skipped when it earns none now: jailed, under-staked). */
cairn_err compute_pay_provider(exec_ctx *x, const cairn_pubkey *provider,
                               uint64_t amount, uint64_t units);
/* compute_charge, then compute_pay_provider at once (a close). */
cairn_err compute_pay(exec_ctx *x, cairn_lease_info *l, uint64_t blocks,
                      uint64_t B);
/* Returns `amount` of l's escrow to its tenant. */
cairn_err compute_refund(exec_ctx *x, cairn_lease_info *l, uint64_t amount);
/* Closes l (OPEN, ACTIVE or PAUSED) with `reason` at x->height: refunds
 * the escrow, returns bid deposits (an order) or frees the provider's
 * capacity and counts the end (a lease), moves the indexes. Writes l and
 * the provider record. */
cairn_err compute_close(exec_ctx *x, cairn_lease_info *l, uint8_t reason);

/* ---- ticket funds (ticket_record.c) ---- */

#define TFUNDS_REC_LEN 32
void tfunds_encode(uint8_t out[TFUNDS_REC_LEN], const cairn_ticket_funds *f);
cairn_err tfunds_decode(cairn_ticket_funds *f, const uint8_t *p, size_t n);
/* NOT_FOUND when pk never funded. */
cairn_err tfunds_read(MDB_txn *txn, const store *s, const cairn_pubkey *pk,
                      cairn_ticket_funds *f);
cairn_err tfunds_put(exec_ctx *x, const cairn_pubkey *pk,
                     const cairn_ticket_funds *f);
/* deposit + reserve of a stored record (UINT64_MAX if malformed). */
uint64_t tfunds_held(const uint8_t *rec, size_t n);
/* 1 when ticket id `id` was redeemed (through any txn). */
cairn_err tused_get(MDB_txn *txn, const store *s, const cairn_hash *id,
                    int *used);
cairn_err tused_put(exec_ctx *x, const cairn_hash *id);

/* ---- hooks (compute_epoch.c) ---- */

/* Settles epoch `epoch` of every ACTIVE and PAUSED lease in id order
 * (x->height is its last block). */
cairn_err compute_end_epoch(exec_ctx *x, uint64_t epoch);
/* Expires the OPEN orders whose bid window ended at or before x->height. */
cairn_err compute_end_block(exec_ctx *x);

/* ---- the kinds' handlers (kinds_order.c, kinds_lease.c) ---- */

cairn_err compute_offer_check(const cairn_tx *tx);
cairn_err compute_offer_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err compute_order_check(const cairn_tx *tx);
cairn_err compute_order_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err compute_bid_check(const cairn_tx *tx);
cairn_err compute_bid_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err compute_create_check(const cairn_tx *tx);
cairn_err compute_create_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err compute_deposit_check(const cairn_tx *tx);
cairn_err compute_deposit_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err compute_close_check(const cairn_tx *tx);
cairn_err compute_close_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err compute_report_check(const cairn_tx *tx);
cairn_err compute_report_apply(exec_ctx *x, const cairn_tx *tx);
/* kinds_ticket.c */
cairn_err ticket_fund_check(const cairn_tx *tx);
cairn_err ticket_fund_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err ticket_redeem_check(const cairn_tx *tx);
cairn_err ticket_redeem_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err ticket_withdraw_check(const cairn_tx *tx);
cairn_err ticket_withdraw_apply(exec_ctx *x, const cairn_tx *tx);
/* kinds_evidence.c */
cairn_err compute_evidence_check(const cairn_tx *tx);
cairn_err compute_evidence_apply(exec_ctx *x, const cairn_tx *tx);

#endif
