/* cairn — the compute sector on chain: a reverse-auction marketplace for
 * sandboxed workloads (docs/compute.md has the rules and examples).
 *
 * A tenant posts an ORDER (resources, the most it pays per epoch, an
 * escrow, a bid window); compute providers BID at or below that price with
 * a deposit; the tenant takes one bid and the order becomes a LEASE with
 * the same id. While the lease is ACTIVE its provider REPORTs it every
 * epoch and the escrow pays it per block through the one fee split. An
 * escrow that cannot pay the next full epoch PAUSES the lease (nothing is
 * paid while paused) for compute_grace_epochs, in which a DEPOSIT resumes
 * it; after that it closes. A provider that does not report a lease for
 * compute_max_missed epochs loses it (not paid for those epochs, a fault).
 *
 * Transaction kinds (numbers are part of the protocol):
 *   0x50 COMPUTE_OFFER  sender = compute provider: its capacity.
 *   0x51 ORDER_OPEN     sender = tenant: posts an order; the escrow leaves
 *                       the tenant's balance.
 *   0x52 BID            sender = compute provider: bids on an open order;
 *                       compute_bid_deposit leaves its balance until the
 *                       order closes (leased, cancelled or expired).
 *   0x53 LEASE_CREATE   sender = tenant: takes one bid; the order becomes
 *                       a lease; every bid deposit returns.
 *   0x54 LEASE_DEPOSIT  sender = tenant: adds escrow; resumes a paused
 *                       lease when the escrow then covers a full epoch.
 *   0x55 LEASE_CLOSE    sender = tenant (an open order: cancels it; a
 *                       lease: closes it) or the lease's provider. Blocks
 *                       since the last settlement are paid if the provider
 *                       reported in this epoch; the rest of the escrow
 *                       returns to the tenant.
 *   0x56 LEASE_REPORT   sender = the leases' provider: each lease's
 *                       workload state this epoch (at most one counted
 *                       report per lease per epoch; later ones update the
 *                       state only).
 *
 *   0x57 TICKET_FUND    sender = a ticket sender: adds to its ticket
 *                       deposit and reserve (both leave its balance).
 *   0x58 TICKET_REDEEM  sender = a winning ticket's recipient: the chain
 *                       checks the ticket (include/cairn/ticket.h) and
 *                       pays face value from the ticket's sender's deposit,
 *                       then its reserve, through the fee split.
 *   0x59 TICKET_WITHDRAW sender = a ticket sender: the first asks `amount`
 *                       back and starts compute_ticket_unlock_blocks; one
 *                       with the same amount at or after the unlock height
 *                       pays it back (docs/compute-verify.md).
 *
 *   0x5F COMPUTE_EVIDENCE sender = anyone (form 1, a matrix entry proven
 *                       wrong) or an active validator of the claim's
 *                       subnet (form 2, a re-run vote): include/cairn/job.h.
 *                       The miner is slashed compute_verify_slash_bps and
 *                       jailed when the proof holds or the votes reach
 *                       compute_vote_quorum_bps of the subnet's validator
 *                       stake; one claim is judged once.
 *
 * Body encodings (little-endian, as docs/encoding.md):
 *   OFFER    u32 cpus ‖ u32 memory MiB ‖ u32 disk MiB              (12)
 *   ORDER    [32] manifest hash ‖ u32 cpus ‖ u32 memory MiB ‖
 *            u32 disk MiB ‖ u16 port (0: none) ‖ u64 max price ‖
 *            u64 max epochs ‖ u64 escrow ‖ u32 bid blocks          (74)
 *   BID      u64 order id ‖ u64 price                               (16)
 *   CREATE   u64 order id ‖ [32] provider                           (40)
 *   DEPOSIT  u64 lease id ‖ u64 amount                              (16)
 *   CLOSE    u64 lease id                                            (8)
 *   REPORT   u8 count (1..CAIRN_REPORT_MAX) ‖ count × (u64 lease id ‖
 *            u8 workload state ‖ u32 exit code)
 *   FUND     u64 deposit ‖ u64 reserve (not both 0)                 (16)
 *   REDEEM   ticket (195..226) ‖ [32] recipient_rand
 *   WITHDRAW u64 amount (>= 1)                                        (8)
 *   EVIDENCE cairn_job_evidence_encode (include/cairn/job.h)
 *
 * Settlement (end of every epoch E, last block h, in lease id order; B =
 * epoch_blocks): an ACTIVE lease reported in E is paid
 * min(escrow, floor(price × (h − settled) / B)) and its provider earns
 * cpus × (h − settled) work units (core-blocks; scaled down the same way
 * when the escrow paid less); then settled = h. A lease not reported in E
 * is paid nothing for those blocks (settled = h) and counts a miss (not in
 * the epoch it started). An escrow below one epoch's price after paying
 * pauses the lease. Leases end at start epoch + max epochs (DONE).
 * escrow = paid + refunded for every lease, exactly. */
#ifndef CAIRN_COMPUTE_H
#define CAIRN_COMPUTE_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/chain.h"
#include "cairn/staking.h"
#include "cairn/ticket.h"

#define CAIRN_SECTOR_COMPUTE 1 /* the compute sector's id */

enum cairn_compute_kind {
    CAIRN_TX_COMPUTE_OFFER = 0x50,
    CAIRN_TX_ORDER_OPEN = 0x51,
    CAIRN_TX_BID = 0x52,
    CAIRN_TX_LEASE_CREATE = 0x53,
    CAIRN_TX_LEASE_DEPOSIT = 0x54,
    CAIRN_TX_LEASE_CLOSE = 0x55,
    CAIRN_TX_LEASE_REPORT = 0x56,
    CAIRN_TX_TICKET_FUND = 0x57,
    CAIRN_TX_TICKET_REDEEM = 0x58,
    CAIRN_TX_TICKET_WITHDRAW = 0x59,
    CAIRN_TX_COMPUTE_EVIDENCE = 0x5F,
};

#define CAIRN_OFFER_LEN 12
#define CAIRN_ORDER_LEN 74
#define CAIRN_BID_LEN 16
#define CAIRN_LEASE_CREATE_LEN 40
#define CAIRN_LEASE_DEPOSIT_LEN 16
#define CAIRN_LEASE_CLOSE_LEN 8
#define CAIRN_REPORT_MAX 64 /* leases in one REPORT */
#define CAIRN_REPORT_ENTRY_LEN 13
#define CAIRN_TICKET_FUND_LEN 16
#define CAIRN_TICKET_WITHDRAW_LEN 8
#define CAIRN_COMPUTE_CPUS_MAX 1024
#define CAIRN_COMPUTE_MIB_MAX (1u << 30) /* memory or disk, MiB */

/* Where an order or lease is. */
typedef enum cairn_lease_state {
    CAIRN_LEASE_OPEN = 1,   /* an order taking bids */
    CAIRN_LEASE_ACTIVE = 2, /* leased, paid per epoch */
    CAIRN_LEASE_PAUSED = 3, /* escrow short: not paid, workload stopped */
    CAIRN_LEASE_CLOSED = 4, /* over; nothing held */
} cairn_lease_state;

/* Why it closed. */
typedef enum cairn_lease_end {
    CAIRN_LEASE_END_NONE = 0,
    CAIRN_LEASE_END_TENANT = 1,    /* closed by its tenant */
    CAIRN_LEASE_END_PROVIDER = 2,  /* closed by its provider */
    CAIRN_LEASE_END_CANCELLED = 3, /* order cancelled before a lease */
    CAIRN_LEASE_END_EXPIRED = 4,   /* bid window ended with no lease */
    CAIRN_LEASE_END_ESCROW = 5,    /* paused past compute_grace_epochs */
    CAIRN_LEASE_END_LOST = 6,      /* compute_max_missed epochs unreported */
    CAIRN_LEASE_END_DONE = 7,      /* ran its max epochs */
} cairn_lease_end;

/* The workload's state as its provider reports it. */
typedef enum cairn_workload_state {
    CAIRN_WORK_NONE = 0,     /* not reported yet */
    CAIRN_WORK_STARTING = 1, /* fetching inputs, starting the sandbox */
    CAIRN_WORK_RUNNING = 2,
    CAIRN_WORK_EXITED = 3, /* exited; exit code set; outputs kept */
    CAIRN_WORK_FAILED = 4, /* could not start (bad inputs, sandbox) */
} cairn_workload_state;

typedef struct cairn_compute_offer {
    uint32_t cpus, mem_mib, disk_mib;
} cairn_compute_offer;

typedef struct cairn_order {
    cairn_hash manifest; /* BLAKE2b-256 of the manifest's bytes */
    uint32_t cpus;       /* 1..CAIRN_COMPUTE_CPUS_MAX */
    uint32_t mem_mib;    /* 1..CAIRN_COMPUTE_MIB_MAX */
    uint32_t disk_mib;   /* 1..CAIRN_COMPUTE_MIB_MAX */
    uint16_t port;       /* the workload's TCP port to publish; 0: none */
    uint64_t max_price;  /* most it pays per epoch, base units, >= 1 */
    uint64_t max_epochs; /* longest run, 1..compute_max_epochs */
    uint64_t escrow;     /* >= max_price (one epoch) */
    uint32_t bid_blocks; /* bid window, 1..compute_bid_window_max */
} cairn_order;

typedef struct cairn_bid {
    uint64_t order;
    uint64_t price; /* per epoch, base units */
} cairn_bid;

typedef struct cairn_report_entry {
    uint64_t lease;
    uint8_t state; /* cairn_workload_state, STARTING..FAILED */
    uint32_t exit_code;
} cairn_report_entry;

typedef struct cairn_report {
    uint8_t count;
    cairn_report_entry e[CAIRN_REPORT_MAX];
} cairn_report;

/* Body codecs. Encoders append to b. Decoders check every length and
 * bound (BAD_BODY: wrong length, zero or oversized resources, a count
 * outside 1..CAIRN_REPORT_MAX, an unknown workload state). */
CAIRN_API void cairn_compute_offer_encode(cairn_buf *b,
                                          const cairn_compute_offer *o);
CAIRN_API cairn_err cairn_compute_offer_decode(cairn_compute_offer *o,
                                               const uint8_t *p,
                                               size_t n) CAIRN_WUR;
CAIRN_API void cairn_order_encode(cairn_buf *b, const cairn_order *o);
CAIRN_API cairn_err cairn_order_decode(cairn_order *o, const uint8_t *p,
                                       size_t n) CAIRN_WUR;
CAIRN_API void cairn_bid_encode(cairn_buf *b, const cairn_bid *bid);
CAIRN_API cairn_err cairn_bid_decode(cairn_bid *bid, const uint8_t *p,
                                     size_t n) CAIRN_WUR;
CAIRN_API void cairn_lease_create_encode(cairn_buf *b, uint64_t order,
                                         const cairn_pubkey *provider);
CAIRN_API cairn_err cairn_lease_create_decode(uint64_t *order,
                                              cairn_pubkey *provider,
                                              const uint8_t *p,
                                              size_t n) CAIRN_WUR;
CAIRN_API void cairn_lease_deposit_encode(cairn_buf *b, uint64_t lease,
                                          uint64_t amount);
CAIRN_API cairn_err cairn_lease_deposit_decode(uint64_t *lease,
                                               uint64_t *amount,
                                               const uint8_t *p,
                                               size_t n) CAIRN_WUR;
CAIRN_API void cairn_lease_close_encode(cairn_buf *b, uint64_t lease);
CAIRN_API cairn_err cairn_lease_close_decode(uint64_t *lease, const uint8_t *p,
                                             size_t n) CAIRN_WUR;
CAIRN_API void cairn_report_encode(cairn_buf *b, const cairn_report_entry *e,
                                   size_t count);
CAIRN_API cairn_err cairn_report_decode(cairn_report *r, const uint8_t *p,
                                        size_t n) CAIRN_WUR;

CAIRN_API void cairn_ticket_fund_encode(cairn_buf *b, uint64_t deposit,
                                        uint64_t reserve);
CAIRN_API cairn_err cairn_ticket_fund_decode(uint64_t *deposit,
                                             uint64_t *reserve,
                                             const uint8_t *p,
                                             size_t n) CAIRN_WUR;
CAIRN_API void
cairn_ticket_redeem_encode(cairn_buf *b, const cairn_ticket *t,
                           const uint8_t rand[CAIRN_TICKET_RAND_LEN]);
/* BAD_BODY when the ticket does not decode or the number is missing. */
CAIRN_API cairn_err
cairn_ticket_redeem_decode(cairn_ticket *t, uint8_t rand[CAIRN_TICKET_RAND_LEN],
                           const uint8_t *p, size_t n) CAIRN_WUR;
CAIRN_API void cairn_ticket_withdraw_encode(cairn_buf *b, uint64_t amount);
CAIRN_API cairn_err cairn_ticket_withdraw_decode(uint64_t *amount,
                                                 const uint8_t *p,
                                                 size_t n) CAIRN_WUR;

/* Names for JSON and the CLI ("open", "active", ...; "tenant", ...;
 * "running", ...); "unknown" outside the enums. */
CAIRN_API const char *cairn_lease_state_name(unsigned state);
CAIRN_API const char *cairn_lease_end_name(unsigned reason);
CAIRN_API const char *cairn_workload_state_name(unsigned state);

/* ---- queries over committed state ---- */

/* An order or lease as stored (one record, one id). */
typedef struct cairn_lease_info {
    uint64_t id;
    cairn_pubkey tenant;
    cairn_pubkey provider; /* zero while OPEN */
    cairn_order order;     /* as posted (order.escrow: the first deposit) */
    uint8_t state, end_reason;
    uint8_t work_state; /* last reported cairn_workload_state */
    uint32_t exit_code; /* with work_state EXITED */
    uint8_t nbids;      /* bids while OPEN */
    uint64_t price;     /* per epoch, the winning bid; 0 while OPEN */
    uint64_t escrow;    /* held now */
    uint64_t opened_height;
    uint64_t bid_end;      /* last height that takes bids or a lease */
    uint64_t start_height; /* the lease's first block; 0 while OPEN */
    uint64_t start_epoch;
    uint64_t settled_height; /* paid (or forfeited) through this block */
    uint64_t last_report;    /* epoch of the last counted report;
                                CAIRN_EPOCH_NONE: never */
    uint32_t missed;         /* consecutive unreported epochs */
    uint64_t paused_epoch;   /* with state PAUSED */
    uint64_t paid;           /* released to the fee split so far */
    uint64_t refunded;       /* returned to the tenant so far */
    uint64_t deposited;      /* all escrow put in (order + deposits) */
    uint64_t closed_height;
} cairn_lease_info;

#ifndef CAIRN_EPOCH_NONE
#define CAIRN_EPOCH_NONE UINT64_MAX
#endif

/* A bid as stored. */
typedef struct cairn_bid_info {
    uint64_t order;
    cairn_pubkey provider;
    uint64_t price;
    uint64_t deposit; /* held until the order closes */
    uint64_t height;
} cairn_bid_info;

/* A compute provider's capacity and what its leases commit of it. */
typedef struct cairn_compute_provider {
    cairn_pubkey provider;
    cairn_compute_offer capacity;
    cairn_compute_offer used; /* by ACTIVE and PAUSED leases */
    uint64_t leases;          /* leases it has won */
    uint64_t done;            /* ended DONE or by the tenant */
    uint64_t lost;            /* ended LOST */
} cairn_compute_provider;

/* NO_ORDER when absent. */
CAIRN_API cairn_err cairn_chain_lease(cairn_chain *c, uint64_t id,
                                      cairn_lease_info *out) CAIRN_WUR;
#define CAIRN_LEASES_MAX 100
/* Which leases cairn_chain_leases lists. */
typedef enum cairn_lease_filter {
    CAIRN_LEASES_TENANT = 0,   /* of a tenant, any state */
    CAIRN_LEASES_PROVIDER = 1, /* won by a provider, any state */
    CAIRN_LEASES_OPEN = 2,     /* every OPEN order (who ignored) */
} cairn_lease_filter;
/* Leases in id order with id > after. Fills out[0..max) and *n; *more is
 * 1 when more remain (pass the last id as `after`). */
CAIRN_API cairn_err cairn_chain_leases(cairn_chain *c, cairn_lease_filter f,
                                       const cairn_pubkey *who, uint64_t after,
                                       cairn_lease_info *out, size_t max,
                                       size_t *n, int *more) CAIRN_WUR;
/* The bids on an order, in provider key order (at most
 * compute_max_bids, <= 255). NO_ORDER when absent. */
CAIRN_API cairn_err cairn_chain_bids(cairn_chain *c, uint64_t order,
                                     cairn_bid_info *out, size_t max,
                                     size_t *n) CAIRN_WUR;
/* NOT_PROVIDER when the key never sent COMPUTE_OFFER. */
CAIRN_API cairn_err
cairn_chain_compute_provider(cairn_chain *c, const cairn_pubkey *pk,
                             cairn_compute_provider *out) CAIRN_WUR;

/* A ticket sender's funds on chain. deposit and reserve are held;
 * pending (0: none) is a withdrawal asked for, payable from unlock_height
 * on (it stays in deposit and reserve, and backs tickets, until then). */
typedef struct cairn_ticket_funds {
    uint64_t deposit;
    uint64_t reserve;
    uint64_t pending;
    uint64_t unlock_height;
} cairn_ticket_funds;

/* NOT_FOUND when `sender` never sent TICKET_FUND. */
CAIRN_API cairn_err cairn_chain_ticket_funds(cairn_chain *c,
                                             const cairn_pubkey *sender,
                                             cairn_ticket_funds *out) CAIRN_WUR;
/* *redeemed = 1 when the ticket id was redeemed on chain. */
CAIRN_API cairn_err cairn_chain_ticket_redeemed(cairn_chain *c,
                                                const cairn_hash *id,
                                                int *redeemed) CAIRN_WUR;

#endif
