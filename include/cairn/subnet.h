/* cairn — subnets of the compute sector (Bittensor-style): miners (compute
 * providers) serve one job type, staked validators score them with weights
 * set by commit-reveal, and Yuma consensus turns the weights into a share
 * of the compute sector's emission at the end of every epoch
 * (docs/compute-verify.md, "Subnets", has the rules with numbers).
 *
 * Transaction kinds (numbers are part of the protocol):
 *   0x5A SUBNET_CREATE  sender = owner: a subnet named `name` for one job
 *                       type; compute_subnet_create_cost leaves its balance
 *                       and stays locked in the subnet record for good.
 *   0x5B SUBNET_JOIN    sender = member: a miner (must have sent
 *                       COMPUTE_OFFER; amount 0) or a validator (amount >=
 *                       compute_subnet_min_stake leaves its balance and is
 *                       held in the member record). Uids are sequential per
 *                       role; a member that left and was paid back may join
 *                       again in the same role with the same uid.
 *   0x5C SUBNET_LEAVE   sender = member: inactive at once; a validator's
 *                       stake comes back at the end of epoch
 *                       current + compute_subnet_unlock_epochs.
 *   0x5D WEIGHTS_COMMIT sender = active validator: the commit hash
 *                       (cairn_weights_commit_hash) of epoch e, which must
 *                       be the current epoch.
 *   0x5E WEIGHTS_REVEAL sender = active validator: the weights and salt of
 *                       its commit of epoch e, which must be the current
 *                       epoch − 1; the row counts in this epoch's Yuma.
 *
 * Body encodings (little-endian):
 *   CREATE  u8 name length (1..16) ‖ name ([a-z0-9-]) ‖ u8 job type
 *   JOIN    u32 subnet ‖ u8 role (1 miner, 2 validator) ‖ u64 amount  (13)
 *   LEAVE   u32 subnet                                                 (4)
 *   COMMIT  u32 subnet ‖ u64 epoch ‖ [32] hash                        (44)
 *   REVEAL  u32 subnet ‖ u64 epoch ‖ weights ‖ [32] salt
 *   weights u16 count (0..CAIRN_SUBNET_MAX_MINERS) ‖ count × (u16 miner
 *           uid ‖ u16 weight), uids strictly increasing
 */
#ifndef CAIRN_SUBNET_H
#define CAIRN_SUBNET_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/chain.h"
#include "cairn/codec.h"
#include "cairn/crypto.h"

enum {
    CAIRN_TX_SUBNET_CREATE = 0x5A,
    CAIRN_TX_SUBNET_JOIN = 0x5B,
    CAIRN_TX_SUBNET_LEAVE = 0x5C,
    CAIRN_TX_WEIGHTS_COMMIT = 0x5D,
    CAIRN_TX_WEIGHTS_REVEAL = 0x5E,
};

#define CAIRN_SUBNET_NAME_MAX 16
#define CAIRN_SUBNET_MAX_MINERS 256    /* miner uids per subnet */
#define CAIRN_SUBNET_MAX_VALIDATORS 64 /* validator uids per subnet */
#define CAIRN_SUBNET_JOIN_LEN 13
#define CAIRN_SUBNET_LEAVE_LEN 4
#define CAIRN_WEIGHTS_COMMIT_LEN 44
#define CAIRN_WEIGHTS_SALT_LEN 32

/* Job types (include/cairn/job.h uses the same numbers). */
enum {
    CAIRN_SUBNET_TRANSCODE = 1,
    CAIRN_SUBNET_RENDER = 2,
    CAIRN_SUBNET_MATMUL = 3,
};
enum { CAIRN_ROLE_MINER = 1, CAIRN_ROLE_VALIDATOR = 2 };

/* One weight: a miner's uid and the validator's weight for it. */
typedef struct cairn_weight {
    uint16_t uid;
    uint16_t w;
} cairn_weight;

/* A weight row: at most CAIRN_SUBNET_MAX_MINERS entries, uids strictly
 * increasing. */
typedef struct cairn_weights {
    uint16_t n;
    cairn_weight e[CAIRN_SUBNET_MAX_MINERS];
} cairn_weights;

typedef struct cairn_weights_reveal {
    uint32_t subnet;
    uint64_t epoch;
    cairn_weights w;
    uint8_t salt[CAIRN_WEIGHTS_SALT_LEN];
} cairn_weights_reveal;

/* ---- bodies (decoders answer BAD_BODY, and nothing else, for any input
 * they refuse; a body that decodes re-encodes to the same bytes) ---- */

/* 1 when name is 1..16 characters of [a-z0-9-]. */
CAIRN_API int cairn_subnet_name_ok(const char *name);
CAIRN_API const char *cairn_subnet_type_name(uint8_t type);
CAIRN_API const char *cairn_subnet_role_name(uint8_t role);

/* name must pass cairn_subnet_name_ok (else nothing is written). */
CAIRN_API void cairn_subnet_create_encode(cairn_buf *b, const char *name,
                                          uint8_t type);
CAIRN_API cairn_err
cairn_subnet_create_decode(char name[CAIRN_SUBNET_NAME_MAX + 1], uint8_t *type,
                           const uint8_t *p, size_t n) CAIRN_WUR;
CAIRN_API void cairn_subnet_join_encode(cairn_buf *b, uint32_t subnet,
                                        uint8_t role, uint64_t amount);
CAIRN_API cairn_err cairn_subnet_join_decode(uint32_t *subnet, uint8_t *role,
                                             uint64_t *amount, const uint8_t *p,
                                             size_t n) CAIRN_WUR;
CAIRN_API void cairn_subnet_leave_encode(cairn_buf *b, uint32_t subnet);
CAIRN_API cairn_err cairn_subnet_leave_decode(uint32_t *subnet,
                                              const uint8_t *p,
                                              size_t n) CAIRN_WUR;
CAIRN_API void cairn_weights_commit_encode(cairn_buf *b, uint32_t subnet,
                                           uint64_t epoch, const cairn_hash *h);
CAIRN_API cairn_err cairn_weights_commit_decode(uint32_t *subnet,
                                                uint64_t *epoch, cairn_hash *h,
                                                const uint8_t *p,
                                                size_t n) CAIRN_WUR;
CAIRN_API void cairn_weights_reveal_encode(cairn_buf *b,
                                           const cairn_weights_reveal *r);
CAIRN_API cairn_err cairn_weights_reveal_decode(cairn_weights_reveal *r,
                                                const uint8_t *p,
                                                size_t n) CAIRN_WUR;
/* The weights part alone: u16 count ‖ pairs. */
CAIRN_API void cairn_weights_encode(cairn_buf *b, const cairn_weights *w);

/* The commit hash: BLAKE2b-256("cairn-weights-v1" ‖ u32 subnet ‖
 * u64 epoch ‖ [32] validator ‖ weights bytes ‖ [32] salt), integers
 * little-endian, weights bytes as cairn_weights_encode writes them. */
CAIRN_API void cairn_weights_commit_hash(cairn_hash *out, uint32_t subnet,
                                         uint64_t epoch,
                                         const cairn_pubkey *validator,
                                         const cairn_weights *w,
                                         const uint8_t salt[32]);

/* ---- reads of a chain ---- */

typedef struct cairn_subnet_info {
    uint32_t id;
    uint8_t type;
    char name[CAIRN_SUBNET_NAME_MAX + 1];
    cairn_pubkey owner;
    uint64_t locked; /* the create cost, held for good */
    uint64_t created_height;
    uint16_t miners; /* uids given out (active or not) */
    uint16_t validators;
} cairn_subnet_info;

typedef struct cairn_subnet_member {
    uint8_t role;
    uint16_t uid;
    cairn_pubkey address;
    uint8_t active;
    uint64_t stake; /* held (validators; stays until paid back) */
    uint64_t joined_epoch;
    uint64_t unlock_epoch; /* a validator that left: paid back at its end */
} cairn_subnet_member;

/* The last settled epoch of a subnet (only the last one is kept). Arrays
 * are by uid; the validator arrays cover `validators`, the miner arrays
 * `miners` uids. Q32 values: 2^32 is 1.0. */
typedef struct cairn_subnet_result {
    uint64_t epoch;
    uint64_t emission; /* the subnet's share this epoch */
    uint64_t owner_pay, unpaid;
    uint16_t miners, validators;
    uint32_t consensus[CAIRN_SUBNET_MAX_MINERS];
    uint32_t incentive[CAIRN_SUBNET_MAX_MINERS];
    uint64_t miner_pay[CAIRN_SUBNET_MAX_MINERS];
    uint32_t dividend[CAIRN_SUBNET_MAX_VALIDATORS];
    uint64_t validator_pay[CAIRN_SUBNET_MAX_VALIDATORS];
    uint64_t bond_sum[CAIRN_SUBNET_MAX_VALIDATORS]; /* Σ of a row's bonds */
} cairn_subnet_result;

/* A validator's commit-reveal status: the epochs of its newest commit
 * and newest reveal (CAIRN_EPOCH_NONE-like UINT64_MAX when none). */
typedef struct cairn_subnet_weights_status {
    uint16_t uid;
    uint64_t commit_epoch;
    uint64_t reveal_epoch;
    uint16_t reveal_count; /* entries in the newest revealed row */
    cairn_weights row;     /* that row (what Yuma used in reveal_epoch) */
} cairn_subnet_weights_status;

#define CAIRN_SUBNETS_MAX 100
/* Subnets in id order with id > after: fills out[0..max), *n; *more. */
CAIRN_API cairn_err cairn_chain_subnets(cairn_chain *c, uint32_t after,
                                        cairn_subnet_info *out, size_t max,
                                        size_t *n, int *more) CAIRN_WUR;
/* NOT_FOUND when absent. */
CAIRN_API cairn_err cairn_chain_subnet(cairn_chain *c, uint32_t id,
                                       cairn_subnet_info *out) CAIRN_WUR;
CAIRN_API cairn_err cairn_chain_subnet_by_name(
    cairn_chain *c, const char *name, cairn_subnet_info *out) CAIRN_WUR;
/* Members of subnet `id`: miners by uid, then validators by uid; at most
 * max (320 holds all). */
CAIRN_API cairn_err cairn_chain_subnet_members(cairn_chain *c, uint32_t id,
                                               cairn_subnet_member *out,
                                               size_t max, size_t *n) CAIRN_WUR;
/* NOT_FOUND before the subnet's first settled epoch. */
CAIRN_API cairn_err cairn_chain_subnet_result(
    cairn_chain *c, uint32_t id, cairn_subnet_result *out) CAIRN_WUR;
/* One entry per validator uid (at most max). */
CAIRN_API cairn_err cairn_chain_subnet_weights(cairn_chain *c, uint32_t id,
                                               cairn_subnet_weights_status *out,
                                               size_t max, size_t *n) CAIRN_WUR;

#endif
