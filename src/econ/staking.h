/* Internal: provider, delegation, unbonding and econ-global records, and
 * the staking operations the tx kinds and the epoch settlement share.
 *
 * Delegations are shares of a provider's delegated pool: a provider holds
 * del_tokens tokens against del_shares shares; a delegation's value is
 * floor(shares × del_tokens / del_shares), so a slash cuts every delegation
 * proportionally by changing del_tokens alone. Delegator rewards use a
 * reward-per-share accumulator rps (unsigned 128-bit, 64 fractional bits,
 * wrapping): rewarding R to delegators adds floor(R·2^64 / del_shares) and
 * adds R to the provider's delegator pool; a delegation is owed
 * floor(shares × (rps − its entry rps) / 2^64), paid from the pool. */
#ifndef CAIRN_ECON_STAKING_H_INTERNAL
#define CAIRN_ECON_STAKING_H_INTERNAL

#include "cairn/staking.h"
#include "econ/econ.h"
#include "econ/params.h"

typedef unsigned __int128 u128;

enum { PROV_ACTIVE = 1 };

typedef struct econ_provider {
    uint8_t sector;
    uint8_t flags; /* PROV_ACTIVE */
    uint32_t commission_bps;
    uint32_t faults;
    uint64_t self_stake;
    uint64_t del_tokens;
    uint64_t del_shares;
    u128 rps;
    uint64_t pool;         /* delegator rewards not yet claimed */
    uint64_t reward;       /* provider's own unclaimed reward */
    uint64_t jailed_until; /* jailed while epoch < jailed_until */
    uint64_t registered_height;
    uint64_t work_epoch; /* 1 + the epoch of the last work report, 0
                          * before the first (see econ_work_in) */
    uint64_t work_units; /* verified work reported in that epoch */
    uint8_t endpoint_len;
    char endpoint[CAIRN_ENDPOINT_MAX];
} econ_provider;

typedef struct econ_deleg {
    uint64_t shares;
    u128 entry_rps;
} econ_deleg;

/* Econ-wide running state, tag 0x04 key "econ". */
typedef struct econ_global {
    uint64_t epoch;        /* current epoch */
    uint64_t start_height; /* its first block */
    uint64_t genesis_supply;
    uint64_t staked;    /* Σ self stake + del_tokens */
    uint64_t unbonding; /* Σ unbonding queue */
    uint64_t unbond_seq;
    uint64_t stakers_pool; /* fee shares for stakers, paid at epoch end */
    uint64_t fees_epoch, burned_epoch, volume_epoch, credits_epoch;
    u128 circ_sum; /* Σ circulating over the epoch's blocks */
    uint64_t held; /* Σ tokens sectors hold (econ_hold) */
    /* Service payments of this epoch (econ_pay_fee) by the sector of the
     * paid provider's registration, and the burned part of them: each
     * Σ ≤ fees_epoch, burned_epoch. */
    uint64_t fees_sector[CAIRN_SECTOR_SLOTS];
    uint64_t burned_sector[CAIRN_SECTOR_SLOTS];
    /* Where this epoch's fees went (each fee split once): Σ = fees_epoch. */
    uint64_t fee_provider_epoch, fee_burn_epoch, fee_treasury_epoch,
        fee_stakers_epoch;
} econ_global;

#define PROVIDER_FIXED_LEN (4 + 4 * 2 + 8 * 11)
#define PROVIDER_MAX_LEN (PROVIDER_FIXED_LEN + CAIRN_ENDPOINT_MAX)

cairn_err econ_global_get(MDB_txn *txn, const store *s, econ_global *g);
cairn_err econ_global_put(exec_ctx *x, const econ_global *g);
/* NOT_PROVIDER when absent. */
cairn_err econ_provider_read(MDB_txn *txn, const store *s,
                             const cairn_pubkey *pk, econ_provider *p);
cairn_err econ_provider_put(exec_ctx *x, const cairn_pubkey *pk,
                            const econ_provider *p);
/* Decodes a provider record's value bytes (CAIRN_ERR_DB when malformed). */
cairn_err econ_provider_decode(econ_provider *p, const uint8_t *b, size_t n);
/* Just the sector and work fields of a provider record's value bytes, for
 * scans of every provider (CAIRN_ERR_DB when malformed). */
cairn_err econ_provider_work(const uint8_t *b, size_t n, uint8_t *sector,
                             uint64_t *work_epoch, uint64_t *work_units);
/* NOT_DELEGATED when absent. */
cairn_err econ_deleg_read(MDB_txn *txn, const store *s, const cairn_pubkey *who,
                          const cairn_pubkey *prov, econ_deleg *d);
cairn_err econ_deleg_put(exec_ctx *x, const cairn_pubkey *who,
                         const cairn_pubkey *prov, const econ_deleg *d);
/* Deletes a state entry and records the deletion for the commitment. */
cairn_err econ_state_del(exec_ctx *x, const uint8_t *skey, size_t n);

/* 1 when p reported work (work_units, possibly 0) in `epoch`. Units of an
 * earlier epoch were settled at its end and count no more. */
int econ_work_in(const econ_provider *p, uint64_t epoch);
/* 1 when p is jailed during `epoch`. */
int econ_is_jailed(const econ_provider *p, uint64_t epoch);
/* Rewards a delegation is owed now. */
uint64_t econ_deleg_owed(const econ_provider *p, const econ_deleg *d);
/* Token value of `shares` of p's delegated pool. */
uint64_t econ_shares_value(const econ_provider *p, uint64_t shares);

/* Debits amount from who's spendable balance (FUNDS / LOCKED). */
cairn_err econ_debit(exec_ctx *x, const cairn_pubkey *who, uint64_t amount);
cairn_err econ_credit(exec_ctx *x, const cairn_pubkey *who, uint64_t amount);
/* A sector takes amount from who's spendable balance into a record of its
 * own (escrow, collateral, deposit): counted as held, out of the
 * circulating supply, until econ_unhold. The sector's `held` hook must
 * report the same tokens (the audit checks both agree). */
cairn_err econ_hold(exec_ctx *x, const cairn_pubkey *from, uint64_t amount);
/* Held tokens leave a sector's record: to `to`'s balance, or (to NULL)
 * to where the caller already sent them (econ_pay_fee, a slash). */
cairn_err econ_unhold(exec_ctx *x, const cairn_pubkey *to, uint64_t amount);
/* Queues amount, unbonded from `provider` (owner itself for self stake),
 * for release to owner at the end of epoch g->epoch + unbonding_epochs;
 * until then a slash of that provider reaches it. Updates g (caller
 * writes it). */
cairn_err econ_queue_unbond(exec_ctx *x, econ_global *g,
                            const cairn_pubkey *owner,
                            const cairn_pubkey *provider, uint64_t amount);
/* Releases every queue entry due by the end of g->epoch into balances. */
cairn_err econ_release_unbonding(exec_ctx *x, econ_global *g);

/* Sums the books over the state visible to txn (see cairn_econ_audit). */
typedef struct econ_registry econ_registry;
cairn_err econ_audit_txn(MDB_txn *txn, const store *s, const econ_registry *reg,
                         cairn_econ_audit *a);

/* Test hook run at the start of every econ_end_block (NULL in production):
 * tests use it to report work and slash inside a block. */
typedef cairn_err (*econ_hook_fn)(exec_ctx *x, void *arg);
void econ_set_test_hook(econ_hook_fn fn, void *arg);
extern econ_hook_fn econ_test_hook;
extern void *econ_test_hook_arg;

/* The econ kinds' handlers, entered in src/ledger/kinds.c. */
cairn_err econ_register_check(const cairn_tx *tx);
cairn_err econ_register_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err econ_amount_check(const cairn_tx *tx);
cairn_err econ_stake_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err econ_unbond_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err econ_delegate_check(const cairn_tx *tx);
cairn_err econ_delegate_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err econ_undelegate_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err econ_commission_check(const cairn_tx *tx);
cairn_err econ_commission_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err econ_endpoint_check(const cairn_tx *tx);
cairn_err econ_endpoint_apply(exec_ctx *x, const cairn_tx *tx);
cairn_err econ_claim_check(const cairn_tx *tx);
cairn_err econ_claim_apply(exec_ctx *x, const cairn_tx *tx);

#endif
