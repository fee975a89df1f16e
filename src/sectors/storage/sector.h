/* The storage sector as the economy sees it (econ/sector.h): the one
 * symbol the registry (src/sectors/registry.c) names. */
#ifndef CAIRN_SECTORS_STORAGE_SECTOR_H
#define CAIRN_SECTORS_STORAGE_SECTOR_H

#include "econ/sector.h"

extern const econ_sector cairn_storage_sector;

#endif
