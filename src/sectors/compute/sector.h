/* The compute sector as the economy sees it (econ/sector.h): the one
 * symbol the compute plugin (src/compute/plugin.c) names. */
#ifndef CAIRN_SECTORS_COMPUTE_SECTOR_H
#define CAIRN_SECTORS_COMPUTE_SECTOR_H

#include "econ/sector.h"

extern const econ_sector cairn_compute_sector;

#endif
