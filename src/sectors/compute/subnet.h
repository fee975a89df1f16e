/* Internal: subnets of the compute sector on chain (the rules are in
 * include/cairn/subnet.h; docs/compute-verify.md, "Subnets", explains them
 * with numbers; docs/encoding.md has the state table).
 *
 * State (integers in values little-endian, ids and uids in keys BE):
 *   0x6B  u32 subnet                       -> subnet record (71)
 *   0x6B  [16] name, zero-padded           -> u32 subnet id (4)
 *   0x6C  u32 subnet ‖ u8 role ‖ u16 uid   -> member record (57)
 *   0x6C  u32 subnet ‖ [32] address        -> u8 role ‖ u16 uid (3)
 *   0x6D  u32 subnet ‖ u16 vuid ‖ u64 epoch -> [32] commit hash (deleted
 *         when revealed, or at the end of epoch + 1)
 *   0x6D  u32 subnet ‖ u16 vuid            -> u64 epoch revealed in ‖
 *         weights (u16 count ‖ count × (u16 uid ‖ u16 w))     (10..1034)
 *   0x6E  u32 subnet ‖ u16 vuid            -> u16 count ‖ count × u16 bond
 *   0x6E  u32 subnet                       -> last epoch's result record
 *
 * Subnet record, version 1: u8 version ‖ u8 type ‖ [32] owner ‖
 *   u8 name length ‖ [16] name ‖ u16 miners ‖ u16 validators ‖
 *   u64 locked ‖ u64 created height                                   (71)
 * Member record: [32] address ‖ u8 active ‖ u64 stake ‖
 *   u64 joined epoch ‖ u64 unlock epoch                               (57)
 * Result record, version 1: u8 version ‖ u64 epoch ‖ u64 emission ‖
 *   u64 owner ‖ u64 unpaid ‖ u16 m ‖ u16 n ‖ m × (u32 consensus ‖
 *   u32 incentive ‖ u64 pay) ‖ n × (u32 dividend ‖ u64 pay ‖
 *   u64 bond sum)                                          (37 + 16m + 20n)
 * The `locked` of every subnet record and the `stake` of every member
 * record are tokens held by no balance (the sector's held hook). */
#ifndef CAIRN_SECTORS_COMPUTE_SUBNET_H
#define CAIRN_SECTORS_COMPUTE_SUBNET_H

#include "cairn/subnet.h"
#include "core/bytes.h"
#include "econ/econ.h"

enum {
    STATE_SUBNET = 0x6B,
    STATE_SUBNET_MEMBER = 0x6C,
    STATE_SUBNET_WEIGHTS = 0x6D,
    STATE_SUBNET_YUMA = 0x6E,
};

/* Parameter ids (0x209..0x20F). */
enum {
    P_SUBNET_CREATE_COST = 0x209,
    P_SUBNET_MIN_STAKE = 0x20A,
    P_SUBNET_UNLOCK_EPOCHS = 0x20B,
    P_SUBNET_KAPPA = 0x20C,
    P_SUBNET_ALPHA = 0x20D,
    P_SUBNET_OWNER_BPS = 0x20E,
    P_SUBNET_EMISSION_BPS = 0x20F,
};

/* Byte helpers core/bytes.h lacks. */
static inline void sn_le16_put(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline uint16_t sn_le16_get(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static inline void sn_be32_put(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}
static inline uint32_t sn_be32_get(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

#define SUBNET_REC_LEN 71
#define MEMBER_REC_LEN 57
#define RESULT_HEAD_LEN 37

/* ---- records (subnet_record.c) ---- */

cairn_err subnet_read(MDB_txn *txn, const store *s, uint32_t id,
                      cairn_subnet_info *out); /* NO_SUBNET when absent */
cairn_err subnet_put(exec_ctx *x, const cairn_subnet_info *sn);
/* NO_SUBNET when no subnet has that name. */
cairn_err subnet_find_name(MDB_txn *txn, const store *s, const char *name,
                           uint32_t *id);
cairn_err subnet_name_put(exec_ctx *x, const char *name, uint32_t id);
/* The id the next SUBNET_CREATE gets (ids start at 1, never reused). */
cairn_err subnet_next_id(MDB_txn *txn, const store *s, uint32_t *id);
cairn_err member_read(MDB_txn *txn, const store *s, uint32_t subnet,
                      uint8_t role, uint16_t uid, cairn_subnet_member *out);
/* Writes the record and the by-address entry. */
cairn_err member_put(exec_ctx *x, uint32_t subnet,
                     const cairn_subnet_member *m);
/* NOT_MEMBER when pk never joined subnet. */
cairn_err member_find(MDB_txn *txn, const store *s, uint32_t subnet,
                      const cairn_pubkey *pk, cairn_subnet_member *out);
/* Stake a stored member record holds (UINT64_MAX if malformed); the
 * subnet record's lock likewise. */
uint64_t subnet_held(const uint8_t *k, size_t kn, const uint8_t *v, size_t vn);

/* ---- for other compute-sector kinds (the evidence kind) ---- */

/* The stake of pk as an ACTIVE validator of subnet (0 when it is not
 * one); NO_SUBNET when the subnet does not exist. */
cairn_err subnet_validator_stake(MDB_txn *txn, const store *s, uint32_t subnet,
                                 const cairn_pubkey *pk, uint64_t *stake);
/* Σ stake of the subnet's ACTIVE validators; NO_SUBNET. */
cairn_err subnet_total_stake(MDB_txn *txn, const store *s, uint32_t subnet,
                             uint64_t *total);
/* *yes = 1 when pk is an ACTIVE miner of subnet (its uid in *uid, may be
 * NULL); NO_SUBNET. */
cairn_err subnet_is_miner(MDB_txn *txn, const store *s, uint32_t subnet,
                          const cairn_pubkey *pk, int *yes, uint16_t *uid);

/* ---- the kinds (subnet_kinds.c) ---- */

cairn_err subnet_create_check(const cairn_tx *tx);
cairn_err subnet_create_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err subnet_join_check(const cairn_tx *tx);
cairn_err subnet_join_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err subnet_leave_check(const cairn_tx *tx);
cairn_err subnet_leave_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err weights_commit_check(const cairn_tx *tx);
cairn_err weights_commit_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err weights_reveal_check(const cairn_tx *tx);
cairn_err weights_reveal_apply(exec_ctx *x, const cairn_tx *tx);

/* ---- epoch (subnet_epoch.c) ---- */

/* At the end of `epoch` (the sector's end_epoch hook): pays back the
 * stake of validators whose unlock epoch came, deletes commits that can
 * no longer be revealed. */
cairn_err subnet_end_epoch(exec_ctx *x, uint64_t epoch);
/* The sector's pay_emission hook: Yuma per subnet in id order, paying
 * compute_subnet_emission_bps of `share`; *paid = what it paid. */
cairn_err subnet_pay_emission(exec_ctx *x, uint64_t epoch, uint64_t share,
                              uint64_t *paid);

#endif
