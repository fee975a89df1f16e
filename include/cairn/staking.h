/* cairn — providers and staking: transaction kinds, their bodies, and
 * read-only queries over committed state (docs/tokenomics.md).
 *
 * Body encodings (little-endian, as in docs/encoding.md):
 *   REGISTER        u8 sector ‖ u32 commission_bps ‖ u64 stake ‖
 *                   var endpoint (u32 length <= 128, bytes)
 *   STAKE, UNBOND   u64 amount                  (the sender's own provider)
 *   DELEGATE,
 *   UNDELEGATE      [32] provider ‖ u64 amount
 *   SET_COMMISSION  u32 commission_bps
 *   CLAIM           [32] provider               (own provider reward when
 *                   provider = sender, plus the delegation's rewards) */
#ifndef CAIRN_STAKING_H
#define CAIRN_STAKING_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/chain.h"

enum cairn_staking_kind {
    CAIRN_TX_REGISTER = 0x10,
    CAIRN_TX_STAKE = 0x11,
    CAIRN_TX_UNBOND = 0x12,
    CAIRN_TX_DELEGATE = 0x13,
    CAIRN_TX_UNDELEGATE = 0x14,
    CAIRN_TX_SET_COMMISSION = 0x15,
    CAIRN_TX_CLAIM = 0x16,
};

enum cairn_sector {
    CAIRN_SECTOR_STORAGE = 0,
    CAIRN_SECTOR_COMPUTE = 1,
    CAIRN_SECTOR_WIRELESS = 2,
    CAIRN_SECTOR_SENSOR = 3,
    CAIRN_SECTOR_COUNT = 4,
};

#define CAIRN_ENDPOINT_MAX 128

typedef struct cairn_register {
    uint8_t sector;
    uint32_t commission_bps;
    uint64_t stake;
    char endpoint[CAIRN_ENDPOINT_MAX + 1]; /* NUL-terminated */
} cairn_register;

/* Body of DELEGATE / UNDELEGATE / CLAIM (amount unused for CLAIM). */
typedef struct cairn_delegate {
    cairn_pubkey provider;
    uint64_t amount;
} cairn_delegate;

/* Body codecs: encoders append to b; decoders check every byte (BAD_BODY
 * for a bad length or an endpoint over 128 bytes). */
CAIRN_API void cairn_register_encode(cairn_buf *b, const cairn_register *r);
CAIRN_API cairn_err cairn_register_decode(cairn_register *r, const uint8_t *p,
                                          size_t n) CAIRN_WUR;
CAIRN_API void cairn_amount_body_encode(cairn_buf *b, uint64_t amount);
CAIRN_API cairn_err cairn_amount_body_decode(uint64_t *amount, const uint8_t *p,
                                             size_t n) CAIRN_WUR;
CAIRN_API void cairn_delegate_encode(cairn_buf *b, const cairn_delegate *d);
CAIRN_API cairn_err cairn_delegate_decode(cairn_delegate *d, const uint8_t *p,
                                          size_t n) CAIRN_WUR;
CAIRN_API void cairn_claim_encode(cairn_buf *b, const cairn_pubkey *provider);
CAIRN_API cairn_err cairn_claim_decode(cairn_pubkey *provider, const uint8_t *p,
                                       size_t n) CAIRN_WUR;
CAIRN_API void cairn_commission_encode(cairn_buf *b, uint32_t bps);
CAIRN_API cairn_err cairn_commission_decode(uint32_t *bps, const uint8_t *p,
                                            size_t n) CAIRN_WUR;

/* Builds and signs a transaction of any kind with the given body; appends
 * the encoding to out. */
CAIRN_API cairn_err cairn_tx_make(cairn_buf *out, const char *chain_id,
                                  const cairn_keypair *kp, uint64_t nonce,
                                  uint64_t fee, uint16_t kind,
                                  const uint8_t *body, size_t body_len) CAIRN_WUR;

/* A provider as stored, for queries. */
typedef struct cairn_provider_info {
    uint8_t sector;
    int active;             /* self stake >= min_provider_stake */
    int jailed;             /* jailed in the current epoch */
    uint32_t commission_bps;
    uint64_t self_stake;
    uint64_t delegated;     /* tokens delegated to it (all delegators) */
    uint64_t reward;        /* the provider's unclaimed reward */
    uint64_t delegator_pool;/* rewards held for delegators, unclaimed */
    uint32_t faults;        /* since the last jailing */
    uint64_t jailed_until;  /* first epoch it earns again */
    uint64_t registered_height;
    char endpoint[CAIRN_ENDPOINT_MAX + 1];
} cairn_provider_info;

typedef struct cairn_delegation_info {
    uint64_t stake;   /* current token value of the delegation */
    uint64_t shares;
    uint64_t pending; /* rewards claimable now */
} cairn_delegation_info;

/* NOT_PROVIDER / NOT_DELEGATED when absent. */
CAIRN_API cairn_err cairn_chain_provider(cairn_chain *c, const cairn_pubkey *pk,
                                         cairn_provider_info *out) CAIRN_WUR;
CAIRN_API cairn_err cairn_chain_delegation(cairn_chain *c,
                                           const cairn_pubkey *delegator,
                                           const cairn_pubkey *provider,
                                           cairn_delegation_info *out) CAIRN_WUR;

/* One governable parameter and its current value. */
typedef struct cairn_econ_param {
    uint16_t id;
    const char *name; /* static */
    const char *doc;  /* static */
    uint64_t value, def, min, max;
    int amount;       /* 1: base units (show as tokens) */
} cairn_econ_param;

/* Fills out[0..max) with every parameter in id order; *n receives the
 * count (the table size, even if larger than max). */
CAIRN_API cairn_err cairn_chain_econ_params(cairn_chain *c, cairn_econ_param *out,
                                            size_t max, size_t *n) CAIRN_WUR;

/* Checks a genesis "economy" object (JSON text; NULL = defaults) without a
 * chain: GENESIS with a message naming the field. */
CAIRN_API cairn_err cairn_econ_check(const char *economy_json, char *msg,
                                     size_t len) CAIRN_WUR;

/* The economy's books, summed over the whole state in key order. */
typedef struct cairn_econ_audit {
    uint64_t supply, genesis_supply, minted, burned, treasury;
    uint64_t balances;       /* Σ account balances */
    uint64_t staked;         /* Σ self stake + delegated tokens */
    uint64_t unbonding;      /* Σ unbonding queue */
    uint64_t pools;          /* Σ provider rewards + delegator pools +
                                stakers' pool, undistributed */
    uint64_t providers, delegations, unbond_entries;
    int ok;                  /* 1 when every identity below holds:
                                supply = genesis_supply + minted − burned;
                                balances + staked + unbonding + pools +
                                treasury = supply; the running totals kept
                                for staked/unbonding match the sums */
} cairn_econ_audit;

CAIRN_API cairn_err cairn_chain_econ_audit(cairn_chain *c,
                                           cairn_econ_audit *out) CAIRN_WUR;

#endif
