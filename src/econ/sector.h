/* Internal: the economy's contract with a sector (docs/sectors.md).
 *
 * A sector (storage, compute, wireless, sensor, or a test's toy) is one
 * descriptor: its id and name, the state tags and transaction kinds it
 * reserves, its kinds (codec check + apply), its governable parameters, its
 * genesis section, its end-of-block and end-of-epoch hooks and what its
 * records hold in escrow. The composition root (src/sectors/registry.c, or
 * a test) lists descriptors in an econ_registry, and econ_rules_init turns
 * that into the ledger's rules. The economy calls sectors only through
 * these descriptors, so it never names one; a sector calls the economy
 * through econ/econ.h and econ/staking.h (work, fees, slashing, stake).
 *
 * Everything a hook does is consensus: integers only, no clock, state read
 * in key order, the same result on every node. */
#ifndef CAIRN_ECON_SECTOR_H_INTERNAL
#define CAIRN_ECON_SECTOR_H_INTERNAL

#include "cairn/staking.h"
#include "econ/params.h"
#include "ledger/kinds.h"

/* The state tags below this belong to the ledger and the economy. */
#define ECON_SECTOR_TAG_MIN 0x50
/* The kinds below this belong to the ledger and the economy. */
#define ECON_SECTOR_KIND_MIN 0x40
/* Ids of sector-own parameters: sector id s owns
 * [ECON_SECTOR_PARAM_BASE(s), ECON_SECTOR_PARAM_BASE(s) + 0xFF]; the
 * storage sector's ids predate this and sit at 24..30 (kept: they are
 * state keys). */
#define ECON_SECTOR_PARAM_BASE(s) (0x100u * ((unsigned)(s) + 1))

/* The weight parameter of sector `id`: id P_WEIGHT_STORAGE + id (state
 * format), bps relative to the other sectors' weights (they sum to 10000). */
#define ECON_WEIGHT(id, json_name, dflt)                                       \
    {                                                                          \
        (uint16_t)(P_WEIGHT_STORAGE + (id)), json_name, dflt, 0, 10000, 0,     \
            "emission weight of the sector"                                    \
    }

typedef struct econ_sector {
    uint8_t id;       /* < CAIRN_SECTOR_SLOTS; stored in provider records */
    const char *name; /* lower-case word: "storage" */
    econ_param_def weight;          /* its emission weight: ECON_WEIGHT(...) */
    uint8_t tag_first, tag_last;    /* reserved state tags (inclusive) */
    uint16_t kind_first, kind_last; /* reserved transaction kinds */
    const tx_kind *kinds;           /* its kinds, each inside its range */
    size_t nkinds;
    const econ_param_def *params; /* its own governable parameters */
    size_t nparams;
    /* The genesis "economy" object's "<name>" member as JSON text (NULL
     * when absent): validate and write the sector's initial state. msg/len
     * name a bad field. NULL: the sector takes no section. */
    cairn_err (*genesis)(exec_ctx *x, const char *section_json, char *msg,
                         size_t len);
    /* Every block (but block 0), before the economy's own end of block. */
    cairn_err (*end_block)(exec_ctx *x);
    /* At the last block of `epoch`, before the epoch is settled: report
     * work (econ_add_work), pay, slash. */
    cairn_err (*end_epoch)(exec_ctx *x, uint64_t epoch);
    /* Tokens one of its state records (key k, value v, k[0] inside its tag
     * range) holds in escrow, for the books audit; NULL: none. UINT64_MAX
     * for a record it cannot read (the audit then fails). */
    uint64_t (*held)(const uint8_t *k, size_t kn, const uint8_t *v, size_t vn);
    /* At the settlement of `epoch`, after its emission is minted and split
     * by sector weight and before it is paid by work: `share` is the
     * sector's part. The sector may pay up to that much to balances itself
     * (econ_credit only: the economy's totals and global record are being
     * settled) and sets *paid; the rest is paid by work as ever (and what
     * work does not take reaches the treasury). *paid > share fails the
     * block. NULL: the sector pays nothing itself. */
    cairn_err (*pay_emission)(exec_ctx *x, uint64_t epoch, uint64_t share,
                              uint64_t *paid);
} econ_sector;

/* The sectors a chain runs, in id order. */
typedef struct econ_registry {
    const econ_sector *const *sectors;
    size_t n;
} econ_registry;

/* Checks a registry: ids below CAIRN_SECTOR_SLOTS and distinct, names
 * distinct, tag and kind ranges inside the sector space and disjoint,
 * every kind and parameter inside its owner's range, parameter ids and
 * names distinct from each other and from the economy's. msg/len say
 * which sectors collide. */
cairn_err econ_registry_check(const econ_registry *r, char *msg, size_t len);

/* Fills rules (which must outlive every chain opened with it) with the
 * economy's kinds and hooks over registry reg (borrowed, same lifetime). */
void econ_rules_init(cairn_rules *rules, const econ_registry *reg);

/* The registry a chain runs (from x->rules, or c's rules); an empty one
 * without rules. */
const econ_registry *econ_registry_of(const exec_ctx *x);
const econ_registry *econ_chain_registry(const cairn_chain *c);
/* The sector with that id or name in reg, or NULL. */
const econ_sector *econ_sector_by_id(const econ_registry *reg, unsigned id);
const econ_sector *econ_sector_by_name(const econ_registry *reg,
                                       const char *name);

/* Parameter declarations across the economy and reg's sectors (sector
 * weights and sector-own parameters included): by id or JSON name. */
const econ_param_def *econ_param_find(const econ_registry *reg, unsigned id);
const econ_param_def *econ_param_find_name(const econ_registry *reg,
                                           const char *name);
/* Every parameter of reg in id order into out[0..max); returns how many
 * there are (may exceed max). */
size_t econ_param_list(const econ_registry *reg, const econ_param_def **out,
                       size_t max);

#endif
