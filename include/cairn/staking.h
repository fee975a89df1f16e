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
 *                   provider = sender, plus the delegation's rewards)
 *   SET_ENDPOINT    var endpoint (u32 length 1..128, bytes) (the sender's
 *                   own provider moved: where clients reach it now) */
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
    CAIRN_TX_SET_ENDPOINT = 0x17,
};

/* Room for sector ids in the consensus records (a provider record's
 * sector byte, the epoch statistics, the weight parameters): ids
 * 0..CAIRN_SECTOR_SLOTS-1. Which sectors a node runs, their names and
 * their reserved ranges come from the registry (src/sectors/registry.c):
 * cairn_sector_name, cairn_sector_parse. */
#define CAIRN_SECTOR_SLOTS 4

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
CAIRN_API void cairn_endpoint_body_encode(cairn_buf *b, const char *endpoint);
/* out receives the NUL-terminated endpoint; BAD_BODY if empty or too long. */
CAIRN_API cairn_err cairn_endpoint_body_decode(char out[CAIRN_ENDPOINT_MAX + 1],
                                               const uint8_t *p,
                                               size_t n) CAIRN_WUR;
CAIRN_API void cairn_commission_encode(cairn_buf *b, uint32_t bps);
CAIRN_API cairn_err cairn_commission_decode(uint32_t *bps, const uint8_t *p,
                                            size_t n) CAIRN_WUR;

/* Builds and signs a transaction of any kind with the given body; appends
 * the encoding to out. */
CAIRN_API cairn_err cairn_tx_make(cairn_buf *out, const char *chain_id,
                                  const cairn_keypair *kp, uint64_t nonce,
                                  uint64_t fee, uint16_t kind,
                                  const uint8_t *body,
                                  size_t body_len) CAIRN_WUR;

/* A provider as stored, for queries. */
typedef struct cairn_provider_info {
    uint8_t sector;
    int active; /* self stake >= min_provider_stake */
    int jailed; /* jailed in the current epoch */
    uint32_t commission_bps;
    uint64_t self_stake;
    uint64_t delegated;      /* tokens delegated to it (all delegators) */
    uint64_t reward;         /* the provider's unclaimed reward */
    uint64_t delegator_pool; /* rewards held for delegators, unclaimed */
    uint32_t faults;         /* since the last jailing */
    uint64_t jailed_until;   /* first epoch it earns again */
    uint64_t registered_height;
    char endpoint[CAIRN_ENDPOINT_MAX + 1];
} cairn_provider_info;

typedef struct cairn_delegation_info {
    uint64_t stake; /* current token value of the delegation */
    uint64_t shares;
    uint64_t pending; /* rewards claimable now */
} cairn_delegation_info;

/* NOT_PROVIDER / NOT_DELEGATED when absent. */
CAIRN_API cairn_err cairn_chain_provider(cairn_chain *c, const cairn_pubkey *pk,
                                         cairn_provider_info *out) CAIRN_WUR;
CAIRN_API cairn_err cairn_chain_delegation(
    cairn_chain *c, const cairn_pubkey *delegator, const cairn_pubkey *provider,
    cairn_delegation_info *out) CAIRN_WUR;

/* The name of a sector id in the node's registry ("storage", ...;
 * static; "unknown" for an id it does not list), and back: BAD_SECTOR for
 * any other name. Defined by the composition root, src/sectors/registry.c. */
CAIRN_API const char *cairn_sector_name(unsigned sector);
CAIRN_API cairn_err cairn_sector_parse(const char *name,
                                       uint8_t *sector) CAIRN_WUR;

/* One entry of the unbonding queue: `amount` is released to the owner's
 * balance at the end of epoch `release_epoch` (src/econ/query_staking.c). */
typedef struct cairn_unbond_entry {
    uint64_t release_epoch;
    uint64_t amount;
    uint64_t seq; /* order of queueing, network-wide */
} cairn_unbond_entry;

/* The pending unbonding of `owner` (own stake and undelegations alike), in
 * release order. Fills out[0..max); *n receives the number of entries
 * (even if larger than max) and *total, when not NULL, their sum. Walks the
 * whole queue (it holds only stake not yet released). */
CAIRN_API cairn_err cairn_chain_unbonding(cairn_chain *c,
                                          const cairn_pubkey *owner,
                                          cairn_unbond_entry *out, size_t max,
                                          size_t *n, uint64_t *total) CAIRN_WUR;

/* A provider and its address, for listings. */
typedef struct cairn_provider_entry {
    cairn_pubkey address;
    cairn_provider_info info;
} cairn_provider_entry;

/* Records one cairn_chain_providers call looks at, at most. */
#define CAIRN_PROVIDERS_SCAN 10000

/* Lists providers in address (public key) order, starting after *after
 * (NULL: from the first), only those of `sector` (every sector when sector
 * >= CAIRN_SECTOR_SLOTS). Fills out[0..max) and *n; looks at no more than
 * CAIRN_PROVIDERS_SCAN records. *more is 1 when another match lies past
 * the page (or the budget ran out first): pass *next (the last record
 * looked at) as `after` to go on; *more 0 means the list is complete. */
CAIRN_API cairn_err cairn_chain_providers(cairn_chain *c, unsigned sector,
                                          const cairn_pubkey *after,
                                          cairn_provider_entry *out, size_t max,
                                          size_t *n, cairn_pubkey *next,
                                          int *more) CAIRN_WUR;

/* Where staking stands: the epoch and the staking parameters in force. */
typedef struct cairn_staking_status {
    uint64_t epoch;              /* current (unsettled) epoch */
    uint64_t epoch_start_height; /* its first block */
    uint64_t epoch_blocks;
    uint64_t unbonding_epochs;
    uint64_t min_provider_stake; /* base units */
    uint64_t min_delegation;     /* base units */
    uint64_t max_commission_bps;
    uint64_t staked;    /* Σ self stake + delegated */
    uint64_t unbonding; /* Σ unbonding queue */
} cairn_staking_status;

CAIRN_API cairn_err
cairn_chain_staking_status(cairn_chain *c, cairn_staking_status *out) CAIRN_WUR;

/* One governable parameter and its current value. */
typedef struct cairn_econ_param {
    uint16_t id;
    const char *name; /* static */
    const char *doc;  /* static */
    uint64_t value, def, min, max;
    int amount; /* 1: base units (show as tokens) */
} cairn_econ_param;

/* Fills out[0..max) with every parameter in id order; *n receives the
 * count (the table size, even if larger than max). */
CAIRN_API cairn_err cairn_chain_econ_params(cairn_chain *c,
                                            cairn_econ_param *out, size_t max,
                                            size_t *n) CAIRN_WUR;

/* Checks a genesis "economy" object (JSON text; NULL = defaults) without a
 * chain: GENESIS with a message naming the field. */
CAIRN_API cairn_err cairn_econ_check(const char *economy_json, char *msg,
                                     size_t len) CAIRN_WUR;

/* The economy's books, summed over the whole state in key order. */
typedef struct cairn_econ_audit {
    uint64_t supply, genesis_supply, minted, burned, treasury;
    uint64_t balances;  /* Σ account balances */
    uint64_t staked;    /* Σ self stake + delegated tokens */
    uint64_t unbonding; /* Σ unbonding queue */
    uint64_t pools;     /* Σ provider rewards + delegator pools +
                           stakers' pool, undistributed */
    uint64_t escrow;    /* Σ storage deals' escrow, endowments and
                           collateral, held by the deals */
    uint64_t providers, delegations, unbond_entries;
    int ok; /* 1 when every identity below holds:
               supply = genesis_supply + minted − burned;
               balances + staked + unbonding + pools +
               escrow + treasury = supply; the running totals kept
               for staked/unbonding match the sums */
} cairn_econ_audit;

CAIRN_API cairn_err cairn_chain_econ_audit(cairn_chain *c,
                                           cairn_econ_audit *out) CAIRN_WUR;

#endif
