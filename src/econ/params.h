/* Internal: the governable parameters of the economy.
 *
 * Every parameter is a u64 stored in state under tag 0x03 (STATE_PARAM),
 * key u16 id (LE), value u64 (LE). The table in params.c declares for each
 * its id, its JSON name (in the genesis "economy" object and in governance
 * proposals), its default and its inclusive bounds. Amounts are base units
 * and appear in JSON as token strings ("1000.5"). The price-feed key is not
 * a u64: it lives under tag 0x04 (STATE_ECON) key "oracle" (32 bytes). */
#ifndef CAIRN_ECON_PARAMS_H_INTERNAL
#define CAIRN_ECON_PARAMS_H_INTERNAL

#include "ledger/kinds.h"

typedef enum econ_param_id {
    P_EPOCH_BLOCKS = 0,     /* blocks per epoch */
    P_EMISSION_INITIAL = 1, /* amount: emission of epoch 0 */
    P_HALVING_EPOCHS = 2,   /* 0: use decay_bps */
    P_DECAY_BPS = 3,        /* per-epoch decay when halving_epochs is 0 */
    P_WEIGHT_STORAGE = 4,   /* sector weights (bps, relative) */
    P_WEIGHT_COMPUTE = 5,
    P_WEIGHT_WIRELESS = 6,
    P_WEIGHT_SENSOR = 7,
    P_FEE_PROVIDER_BPS = 8, /* fee split */
    P_FEE_BURN_BPS = 9,
    P_FEE_TREASURY_BPS = 10,
    P_FEE_STAKERS_BPS = 11,
    P_MIN_PROVIDER_STAKE = 12, /* amount */
    P_MIN_DELEGATION = 13,     /* amount */
    P_UNBONDING_EPOCHS = 14,
    P_SLASH_TO_TREASURY = 15, /* 0: burn slashed stake; 1: to treasury */
    P_JAIL_AFTER_FAULTS = 16,
    P_JAIL_EPOCHS = 17,
    P_MAX_COMMISSION_BPS = 18,
    P_GOV_DEPOSIT = 19, /* amount */
    P_GOV_VOTING_BLOCKS = 20,
    P_GOV_QUORUM_BPS = 21,
    P_GOV_THRESHOLD_BPS = 22,
    P_MAX_PRICE_CHANGE_BPS = 23,
    P_DEAL_COLLATERAL_BPS = 24, /* storage deals (docs/storage-chain.md) */
    P_DEAL_FAULT_SLASH_BPS = 25,
    P_DEAL_MAX_FAULTS = 26,
    P_DEAL_MAX_EPOCHS = 27,
    P_PERM_COST_PER_MIB = 28, /* amount per MiB per epoch */
    P_PERM_DECLINE_BPS = 29,
    P_DEAL_MIN_PRICE_PER_MIB = 30, /* amount per MiB per epoch */
    ECON_PARAM_COUNT
} econ_param_id;

typedef struct econ_param_def {
    uint16_t id;
    const char *name; /* JSON name */
    uint64_t def, min, max;
    int amount;      /* 1: JSON token string; 0: JSON integer */
    const char *doc; /* one line for listings */
} econ_param_def;

/* The economy's own declaration of parameter `id`, or NULL; the i-th of
 * them (NULL past the end). Sector weights and sector parameters: see
 * econ_param_find in econ/sector.h. */
const econ_param_def *econ_param_own(unsigned id);
const econ_param_def *econ_param_own_at(size_t i);
/* Reads a parameter from state (the economy's default if never written;
 * NOT_FOUND for a sector's parameter never written). */
cairn_err econ_param_get(exec_ctx *x, unsigned id, uint64_t *v);
/* Writes a parameter; BAD_PARAM for an unknown id or a value outside
 * its bounds (state unchanged). */
cairn_err econ_param_set(exec_ctx *x, unsigned id, uint64_t v);
/* Same reads through any LMDB txn (queries). */
cairn_err econ_param_read(MDB_txn *txn, const store *s, unsigned id,
                          uint64_t *v);
/* The price-feed key; NOT_FOUND when none was set. */
cairn_err econ_oracle_get(exec_ctx *x, cairn_pubkey *pk);
cairn_err econ_oracle_set(exec_ctx *x, const cairn_pubkey *pk);

/* The economy's parameters (ids below ECON_PARAM_COUNT) at once, read for
 * one settlement; the weight and storage ids of sectors the chain does not
 * run read 0. */
typedef struct econ_params {
    uint64_t v[ECON_PARAM_COUNT];
} econ_params;
cairn_err econ_params_load(exec_ctx *x, econ_params *out);

/* Writes a printf-style message into msg (len bytes; nothing when msg is
 * NULL) and returns e. */
cairn_err econ_msg(cairn_err e, char *msg, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

typedef struct econ_registry econ_registry;
/* Validates an "economy" object (NULL: all defaults) for the sectors of
 * reg without writing anything: GENESIS with a message naming the field on
 * an unknown field, a wrong type, an out-of-bounds value or weights and
 * fee shares that do not sum to 10000. */
cairn_err econ_params_check(const econ_registry *reg, const char *json,
                            char *msg, size_t len);

/* Parses the "economy" object and writes every parameter (and the oracle
 * key) to state, then runs the sectors' genesis hooks: genesis only. */
cairn_err econ_params_genesis(exec_ctx *x, const char *json, char *msg,
                              size_t len);

#endif
