/* The registry of sectors: the composition root that hands the economy
 * and the ledger the sectors this node runs (docs/sectors.md). The node,
 * the CLI and the tools call the plain cairn_chain_open / create / replay,
 * which open chains with these rules. */
#ifndef CAIRN_SECTORS_REGISTRY_H
#define CAIRN_SECTORS_REGISTRY_H

#include "econ/sector.h"

/* The node's sectors, in id order (static). */
const econ_registry *cairn_registry(void);
/* The node's rules over that registry (static; built on first use,
 * checked by cairn_registry_check). */
const cairn_rules *cairn_registry_rules(void);

#endif
