/* The wireless sector's data-transfer rules (docs/wireless-data.md):
 * routes (ROUTE_SET, ROUTE_CLOSE) and packet receipts paid in data credits
 * (PACKET_CLAIM). The integrator appends wdata_kinds and wdata_params to
 * the wireless sector's descriptor and calls wdata_end_epoch from its
 * end_epoch hook; none of these records holds tokens (held: 0).
 *
 * State (docs/wireless-data.md, "State"):
 *   0x78 route    u32 BE base ‖ u8 bits     -> [32] owner ‖ u64 join_eui ‖
 *                                              u64 height ‖ u8 len ‖ endpoint
 *   0x79 receipt  u64 BE epoch ‖ [32] BLAKE2b-256(router ‖ packet hash)
 *                                           -> [32] hotspot ‖ u32 dc ‖
 *                                              u64 height (paid: dedup key)
 *   0x7A data     u64 BE epoch ‖ [32] hotspot -> u64 dc carried
 *   0x7B totals   u64 BE epoch              -> u64 packets ‖ u64 dc
 *   0x7C join     u64 BE join_eui           -> u32 BE base ‖ u8 bits
 *   0x7D floor    "floor"                   -> u64 lowest claimable epoch
 * (values little-endian). */
#ifndef CAIRN_SECTORS_WIRELESS_DATA_H
#define CAIRN_SECTORS_WIRELESS_DATA_H

#include "cairn/wireless_data.h"
#include "econ/sector.h"

/* Until include/cairn/wireless.h (wchain) is merged: the integrator
 * replaces these with CAIRN_SECTOR_WIRELESS and CAIRN_TX_ROUTE_SET /
 * CAIRN_TX_PACKET_CLAIM / CAIRN_TX_ROUTE_CLOSE (same numbers). */
#ifndef WDATA_SECTOR
#define WDATA_SECTOR 2
#endif
#ifndef WDATA_TX_ROUTE_SET
#define WDATA_TX_ROUTE_SET 0x64
#define WDATA_TX_PACKET_CLAIM 0x65
#define WDATA_TX_ROUTE_CLOSE 0x66
#endif

enum {
    WDATA_TAG_ROUTE = 0x78,
    WDATA_TAG_RECEIPT = 0x79,
    WDATA_TAG_DATA = 0x7A,
    WDATA_TAG_TOTALS = 0x7B,
    WDATA_TAG_JOIN = 0x7C,
    WDATA_TAG_FLOOR = 0x7D,
};

enum {
    WDATA_P_RECEIPT_EPOCHS = 0x320,
    WDATA_P_KEEP_EPOCHS = 0x321,
};

/* The kinds' handlers, and the descriptor lines that name them: a
 * descriptor's static tables take WDATA_KIND_ENTRIES and
 * WDATA_PARAM_ENTRIES inside their initializers (wdata_kinds and
 * wdata_params are the same lines as arrays). */
cairn_err wdata_route_set_check(const cairn_tx *tx);
cairn_err wdata_route_set_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err wdata_route_close_check(const cairn_tx *tx);
cairn_err wdata_route_close_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err wdata_packet_claim_check(const cairn_tx *tx);
cairn_err wdata_packet_claim_apply(exec_ctx *x, const cairn_tx *tx);

#define WDATA_KIND_ENTRIES                                                     \
    {WDATA_TX_ROUTE_SET, "route_set", wdata_route_set_check,                   \
     wdata_route_set_apply},                                                   \
        {WDATA_TX_PACKET_CLAIM, "packet_claim", wdata_packet_claim_check,      \
         wdata_packet_claim_apply},                                            \
    {                                                                          \
        WDATA_TX_ROUTE_CLOSE, "route_close", wdata_route_close_check,          \
            wdata_route_close_apply                                            \
    }

#define WDATA_PARAM_ENTRIES                                                      \
    {WDATA_P_RECEIPT_EPOCHS,                                                     \
     "wireless_receipt_epochs",                                                  \
     4,                                                                          \
     0,                                                                          \
     64,                                                                         \
     0,                                                                          \
     "epochs after its own in which a packet receipt may still be claimed"},     \
    {                                                                            \
        WDATA_P_KEEP_EPOCHS, "wireless_data_keep_epochs", 8, 1, 1000000, 0,      \
            "epochs the per-hotspot data-credit records are kept (rewards, API)" \
    }

extern const tx_kind wdata_kinds[];
extern const size_t wdata_nkinds;
extern const econ_param_def wdata_params[];
extern const size_t wdata_nparams;

/* At the end of `epoch` (from the sector's end_epoch): raises the claim
 * floor to epoch + 1 - wireless_receipt_epochs (never lowers it) and
 * deletes the receipt keys below it, and the per-hotspot data records
 * older than wireless_data_keep_epochs. */
cairn_err wdata_end_epoch(exec_ctx *x, uint64_t epoch);

/* One route as stored. */
typedef struct wdata_route {
    uint32_t base;
    uint8_t bits;
    cairn_pubkey owner;
    uint64_t join_eui;
    uint64_t height;
    char endpoint[CAIRN_ENDPOINT_MAX + 1];
} wdata_route;

/* Queries through any read txn. wdata_route_find: the route whose range
 * holds devaddr (NO_ROUTE when none). wdata_route_by_join: the route that
 * takes joins for join_eui (NO_ROUTE). wdata_route_list: every route in
 * range order into a new array *out (caller frees) of *n. */
cairn_err wdata_route_find(MDB_txn *txn, const store *s, uint32_t devaddr,
                           wdata_route *r);
cairn_err wdata_route_by_join(MDB_txn *txn, const store *s, uint64_t join_eui,
                              wdata_route *r);
cairn_err wdata_route_list(MDB_txn *txn, const store *s, wdata_route **out,
                           size_t *n);
/* Data credits hotspot carried in epoch (0 when none), and an epoch's
 * totals (zeros when none). */
cairn_err wdata_hotspot_dc(MDB_txn *txn, const store *s, uint64_t epoch,
                           const cairn_pubkey *hotspot, uint64_t *dc);
cairn_err wdata_epoch_totals(MDB_txn *txn, const store *s, uint64_t epoch,
                             uint64_t *packets, uint64_t *dc);
/* 1 when the receipt (router, packet hash, epoch) was paid. */
cairn_err wdata_receipt_paid(MDB_txn *txn, const store *s,
                             const cairn_packet_receipt *r, int *paid);

#endif
