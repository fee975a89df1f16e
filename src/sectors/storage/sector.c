/* The storage sector's descriptor: what it adds to the chain (kinds,
 * parameters, hooks, escrow for the audit); listed in src/sectors/registry.c.
 */
#include "sectors/storage/sector.h"

#include "sectors/storage/storage.h"

static const tx_kind kinds[] = {
    {CAIRN_TX_DEAL_OPEN, "deal_open", storage_open_check, storage_open_apply},
    {CAIRN_TX_PROVE, "prove", storage_prove_check, storage_prove_apply},
    {CAIRN_TX_DEAL_END, "deal_end", storage_end_check, storage_end_apply},
    {CAIRN_TX_DEAL_REPLACE, "deal_replace", storage_replace_check,
     storage_replace_apply},
    {CAIRN_TX_FILE_NAME, "file_name", storage_name_check, storage_name_apply},
};

#define TOK 1000000ull /* base units per token */

/* Ids 24..30 predate per-sector ranges and are state keys: kept. */
static const econ_param_def params[] = {
    {P_DEAL_COLLATERAL_BPS, "deal_collateral_bps", 2000, 0, 100000, 0,
     "storage deal collateral, share of the deal's total price"},
    {P_DEAL_FAULT_SLASH_BPS, "deal_fault_slash_bps", 1000, 0, 10000, 0,
     "share of a deal's collateral slashed per missed proof"},
    {P_DEAL_MAX_FAULTS, "deal_max_faults", 3, 1, 1000, 0,
     "consecutive missed proofs that end a storage deal"},
    {P_DEAL_MAX_EPOCHS, "deal_max_epochs", 1000000, 1, 1000000000, 0,
     "longest storage deal in epochs"},
    {P_PERM_COST_PER_MIB, "perm_cost_per_mib", 100, 1, 1000000000 * TOK, 1,
     "permanent storage: cost of one MiB for one epoch"},
    {P_PERM_DECLINE_BPS, "perm_decline_bps", 10, 1, 10000, 0,
     "permanent storage: share of the endowment paid out per epoch"},
    {P_DEAL_MIN_PRICE_PER_MIB, "deal_min_price_per_mib", 100, 0,
     1000000000 * TOK, 1,
     "lowest price of a term deal per MiB per epoch: proven MiB earn "
     "emission, so self-dealing must cost real fees"},
};

/* A deal record holds its escrow and collateral; the indexes hold none. */
static uint64_t held(const uint8_t *k, size_t kn, const uint8_t *v, size_t vn)
{
    (void)kn;
    return k[0] == STATE_DEAL ? storage_deal_held(v, vn) : 0;
}

const econ_sector cairn_storage_sector = {
    .id = CAIRN_SECTOR_STORAGE,
    .name = "storage",
    .weight = ECON_WEIGHT(CAIRN_SECTOR_STORAGE, "weight_storage", 2500),
    .tag_first = 0x50,
    .tag_last = 0x5F,
    .kind_first = 0x40,
    .kind_last = 0x4F,
    .kinds = kinds,
    .nkinds = sizeof kinds / sizeof kinds[0],
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .end_epoch = storage_end_epoch,
    .held = held,
};
