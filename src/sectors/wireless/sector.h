/* The wireless sector's descriptor (src/sectors/wireless/sector.c):
 * hotspots, proof of coverage and, appended by the data-credit part, data
 * transfer (docs/wireless-chain.md). */
#ifndef CAIRN_SECTORS_WIRELESS_SECTOR_H
#define CAIRN_SECTORS_WIRELESS_SECTOR_H

#include "econ/sector.h"

extern const econ_sector cairn_wireless_sector;

#endif
