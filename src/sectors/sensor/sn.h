/* Internal: the sensor sector's rules on chain (docs/sensor-chain.md has
 * the rules, the state rows, the params and the formulas).
 *
 * State tags (0x80..0x8F; u64 in keys big-endian, in values little-endian):
 *   0x80 device   [32] device                  -> SN_DEVICE_LEN record
 *   0x81 by owner [32] owner ‖ [32] device     -> u8 1
 *   0x82 batch    [32] device ‖ u64 BE seq     -> batch record (variable)
 *   0x84 content  [32] content hash            -> [32] device ‖ u64 seq
 *   0x85 grant    [32] device ‖ [32] app       -> SN_GRANT_LEN record
 *   0x86 tile     u64 BE cell                  -> SN_TILE_LEN record
 *   0x87 report   u64 BE epoch ‖ u64 BE cell ‖ [32] device
 *                                  -> [32] owner ‖ i64 q ‖ u64 seq ‖ u8 paid
 *   0x88 bounty   u64 BE cell ‖ [32] funder    -> u64 amount ‖ u64 deadline
 *   0x89 units    u64 BE epoch ‖ [32] owner    -> u64 map units ‖ u64 points
 *   0x8A totals   u64 BE epoch                 -> SN_TOTALS_LEN record
 *   0x8B weekly   u64 BE week ‖ [32] device    -> u64 points
 *   0x8C map read u64 BE epoch ‖ u64 BE cell ‖ [32] reader -> u64 credits
 * Bounty rows hold tokens (held() returns their amount). */
#ifndef CAIRN_SECTORS_SENSOR_SN_H
#define CAIRN_SECTORS_SENSOR_SN_H

#include "cairn/sensor.h"
#include "econ/sector.h"

enum {
    SN_STATE_DEVICE = 0x80,
    SN_STATE_BY_OWNER = 0x81,
    SN_STATE_BATCH = 0x82,
    SN_STATE_CONTENT = 0x84,
    SN_STATE_GRANT = 0x85,
    SN_STATE_TILE = 0x86,
    SN_STATE_REPORT = 0x87,
    SN_STATE_BOUNTY = 0x88,
    SN_STATE_UNITS = 0x89,
    SN_STATE_TOTALS = 0x8A,
    SN_STATE_WEEKLY = 0x8B,
    SN_STATE_MAP_READ = 0x8C,
};

/* Parameter ids (ECON_SECTOR_PARAM_BASE(3) = 0x400 .. 0x4FF). */
enum {
    P_SN_TILE_RES = 0x400,
    P_SN_REF_WINDOW,
    P_SN_BATCH_SPAN_MS,
    P_SN_MAX_SPEED_MPS,
    P_SN_QUORUM,
    P_SN_TILE_UNITS,
    P_SN_FRESH_EPOCHS,
    P_SN_BOUNTY_BOOST_BPS,
    P_SN_BOUNTY_MAX,
    P_SN_MAP_READ_CREDITS,
    P_SN_OWNER_BPS,
    P_SN_PERIOD_EPOCHS,
    P_SN_WEEK_EPOCHS,
    P_SN_FULL_BATCHES,
    P_SN_MAP_BPS,
    P_SN_QUORUM_EPOCHS,
    P_SN_LAST = P_SN_QUORUM_EPOCHS,
};

typedef struct sn_params {
    uint64_t tile_res, ref_window, batch_span_ms, max_speed_mps, quorum;
    uint64_t tile_units, fresh_epochs, bounty_boost_bps, bounty_max;
    uint64_t map_read_credits, owner_bps, period_epochs, week_epochs;
    uint64_t full_batches, map_bps;
    uint64_t quorum_epochs; /* W: epochs a report counts toward agreement */
    uint64_t epoch_blocks;
} sn_params;

/* Reads the sector's parameters through any txn (defaults when never
 * written). */
cairn_err sn_params_read(MDB_txn *txn, const store *s, sn_params *p);
const econ_param_def *sn_param_def(unsigned id);
/* The current epoch (the economy's), through any txn. */
cairn_err sn_epoch_now(MDB_txn *txn, const store *s, uint64_t *epoch);

/* ---- records (records.c) ---- */

typedef struct sn_device {
    cairn_pubkey device, owner;
    uint32_t generation;
    uint64_t last_seq, last_t_to_ms, paired_height, batches;
    uint64_t week, week_batches; /* batches in week `week` */
    uint64_t streak_weeks;       /* consecutive connected weeks */
    uint8_t level;               /* 0..3 */
    uint64_t missed;             /* consecutive missed weeks */
    uint64_t paid_week;          /* last week paid + 1 (0: never) */
} sn_device;
#define SN_DEVICE_LEN 109

typedef struct sn_grant {
    cairn_pubkey device, app;
    uint32_t privileges;
    uint64_t expiry_epoch, price;
    uint64_t paid_until; /* first period not paid (exclusive) */
    uint64_t granted_height;
} sn_grant;
#define SN_GRANT_LEN 36

typedef struct sn_tile {
    uint64_t cell;
    uint64_t last_agreed_epoch;
    int64_t q;
    uint32_t contributors; /* distinct owners that agreed last time */
    uint64_t times_agreed;
    cairn_pubkey device; /* the first agreeing device (key order) */
    uint64_t seq;        /* its batch */
} sn_tile;
#define SN_TILE_LEN 68

/* A stored batch: the header without ref_height and sig, plus height. */
typedef struct sn_batch {
    uint64_t height;
    cairn_sensor_batch b; /* device, seq, times, content, file id, tiles,
                             keys (ref_height and sig not stored) */
} sn_batch;

typedef struct sn_totals {
    uint64_t batches, tiles_reported, tiles_agreed, tiles_disagreed;
    uint64_t reports_disagreed, fresh_bps_sum;
    uint64_t bounties_paid, bounties_paid_n;
    uint64_t bounties_refunded, bounties_refunded_n;
    uint64_t devices_paid_weekly, map_reads, access_paid;
    uint64_t units_unpaid; /* units of owners that are not sensor providers */
} sn_totals;
#define SN_TOTALS_N 14

/* A report row (0x87) value: [32] owner ‖ i64 q ‖ u64 seq ‖ u8 paid. */
#define SN_REPORT_LEN 49
#define SN_TOTALS_LEN (8 * SN_TOTALS_N)

void sn_device_encode(uint8_t v[SN_DEVICE_LEN], const sn_device *d);
cairn_err sn_device_decode(sn_device *d, const uint8_t *v, size_t vn);
/* NOT_DEVICE when absent. */
cairn_err sn_device_read(MDB_txn *txn, const store *s, const cairn_pubkey *dev,
                         sn_device *d);
cairn_err sn_device_put(exec_ctx *x, const sn_device *d);

void sn_grant_encode(uint8_t v[SN_GRANT_LEN], const sn_grant *g);
cairn_err sn_grant_decode(sn_grant *g, const uint8_t *v, size_t vn);
/* NO_GRANT when absent. */
cairn_err sn_grant_read(MDB_txn *txn, const store *s, const cairn_pubkey *dev,
                        const cairn_pubkey *app, sn_grant *g);
/* 1 when g opens new data in `epoch`: not expired and paid for the period
 * (or free). */
int sn_grant_active(const sn_grant *g, uint64_t epoch, uint64_t period_epochs);

void sn_tile_encode(uint8_t v[SN_TILE_LEN], const sn_tile *t);
cairn_err sn_tile_decode(sn_tile *t, const uint8_t *v, size_t vn);
/* NOT_FOUND when absent. */
cairn_err sn_tile_read(MDB_txn *txn, const store *s, uint64_t cell, sn_tile *t);

/* Batch record value into b (caller frees b->p). */
void sn_batch_encode(cairn_buf *out, const sn_batch *b);
cairn_err sn_batch_decode(sn_batch *b, const uint8_t *v, size_t vn);

void sn_totals_encode(uint8_t v[SN_TOTALS_LEN], const sn_totals *t);
cairn_err sn_totals_decode(sn_totals *t, const uint8_t *v, size_t vn);
/* Absent: all zero, OK. */
cairn_err sn_totals_read(MDB_txn *txn, const store *s, uint64_t epoch,
                         sn_totals *t);
cairn_err sn_totals_put(exec_ctx *x, uint64_t epoch, const sn_totals *t);

/* Visits every state entry whose key starts with prefix[0..n), in key
 * order; STATE_SCAN_STOP ends it with OK. */
cairn_err sn_scan_prefix(MDB_txn *txn, const store *s, const uint8_t *prefix,
                         size_t n, state_visit visit, void *arg);

/* ---- pure formulas (rewards.c; tests/vectors/sensor_ref.py) ---- */

/* Freshness of a tile agreed at `epoch`, bps: 10000 when never agreed,
 * else min(10000, (epoch - last) * 10000 / fresh_epochs). */
uint64_t sn_fresh_bps(int ever_agreed, uint64_t last_agreed_epoch,
                      uint64_t epoch, uint64_t fresh_epochs);
/* tile_units × fresh / 10000 × (10000 + boost) / 10000, floors in that
 * order (saturating at UINT64_MAX). */
uint64_t sn_tile_value(uint64_t tile_units, uint64_t fresh_bps,
                       uint64_t boost_bps);
/* pot split among n equally: out[i] = pot / n, out[0] += pot % n. */
void sn_split_equal(uint64_t pot, size_t n, uint64_t *out);
/* pot split by weight: out[i] = floor(pot × w[i] / Σw), the remainder to
 * out[0]; all 0 (returns 0) when Σw is 0, else returns 1. OVERFLOW-free
 * (128-bit). */
int sn_split_weighted(uint64_t pot, const uint64_t *w, size_t n, uint64_t *out);
/* The winner of a tile's reports: reports sorted by (q, owner) in q[],
 * owner[] (n of them); support of a value = its distinct owners. Sets
 * *win_q, *support (most support, ties to the smaller q). */
void sn_consensus(const int64_t *q, const cairn_pubkey *owner, size_t n,
                  int64_t *win_q, size_t *support);

/* One report of a cell in the agreement window (a 0x87 row). */
typedef struct sn_wrep {
    uint64_t epoch;
    cairn_pubkey device, owner;
    int64_t q;
    uint64_t seq;
    uint8_t paid; /* 1: this report was paid already */
} sn_wrep;

typedef struct sn_wjudge {
    int64_t win;        /* the winning q (most distinct owners, ties to
                           the smaller q) */
    size_t support;     /* its distinct owners in the window */
    int agreed;         /* support ≥ quorum */
    size_t npayees;     /* distinct owners of unpaid winning reports */
    size_t disagreed_e; /* reports of `epoch` with another q (agreed only) */
    size_t first;       /* index in r of the first (device key order) report
                           paid now; n when none */
} sn_wjudge;

/* Judges one cell's reports r[0..n) over the window of `window` epochs
 * ending at `epoch` (epoch − window + 1 .. epoch, below 0 skipped; rows
 * outside it are ignored). Support, the winner and agreement as
 * sn_consensus; when agreed, payees[0..npayees) are the distinct owners
 * (key order) of winning reports not yet paid and pay[i] = 1 marks those
 * reports (pay[] all 0 otherwise). payees and pay hold n entries. NOMEM
 * only (it sorts a copy; caller owns all arrays). */
cairn_err sn_window_judge(const sn_wrep *r, size_t n, uint64_t epoch,
                          uint64_t window, uint64_t quorum,
                          cairn_pubkey *payees, uint8_t *pay, sn_wjudge *out);

/* DIMO's weekly step for one device: connected (≥ 1 batch this week) with
 * `batches` batches. Updates streak, level, missed; returns the points
 * (0 when not connected). */
typedef struct sn_week_state {
    uint64_t streak, missed;
    uint8_t level;
} sn_week_state;
uint64_t sn_week_step(sn_week_state *w, int connected, uint64_t batches,
                      uint64_t full_batches);
/* Level of a streak: 0 below 4, 1 below 21, 2 below 36, else 3. */
uint8_t sn_level_of(uint64_t streak);

/* Edge length (center to vertex) of a hex cell at res, m (0 past 12). */
uint64_t sn_edge_m(unsigned res);

/* ---- kinds (kinds.c) ---- */
cairn_err sn_pair_check(const cairn_tx *tx);
cairn_err sn_pair_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err sn_transfer_check(const cairn_tx *tx);
cairn_err sn_transfer_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err sn_batch_check(const cairn_tx *tx);
cairn_err sn_batch_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err sn_grant_check(const cairn_tx *tx);
cairn_err sn_grant_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err sn_revoke_check(const cairn_tx *tx);
cairn_err sn_revoke_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err sn_pay_check(const cairn_tx *tx);
cairn_err sn_pay_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err sn_bounty_check(const cairn_tx *tx);
cairn_err sn_bounty_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err sn_map_read_check(const cairn_tx *tx);
cairn_err sn_map_read_apply(exec_ctx *x, const cairn_tx *tx);

/* The batch checks that need no state but the params (tiles, teleport,
 * points): BAD_TILE, BATCH_TELEPORT, BATCH_TIME, BAD_BODY. */
cairn_err sn_batch_shape(const cairn_sensor_batch *b, const sn_params *P);
/* The same, with a sentence for the user in msg (when not NULL): for
 * BATCH_TELEPORT the two tiles, their distance and time apart and the
 * speed that would need (what the agent and CLI print; the chain itself
 * answers with the code). */
cairn_err sn_batch_shape_msg(const cairn_sensor_batch *b, const sn_params *P,
                             char *msg, size_t cap);

/* ---- epoch (epoch.c) ---- */
cairn_err sn_end_epoch(exec_ctx *x, uint64_t epoch);
cairn_err sn_pay_emission(exec_ctx *x, uint64_t epoch, uint64_t share,
                          uint64_t *paid);

#endif
