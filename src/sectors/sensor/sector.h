/* The sensor sector's descriptor (src/sectors/sensor/sector.c): devices,
 * signed batches, map consensus, grants and weekly points
 * (docs/sensor-chain.md). */
#ifndef CAIRN_SECTORS_SENSOR_SECTOR_H
#define CAIRN_SECTORS_SENSOR_SECTOR_H

#include "econ/sector.h"

extern const econ_sector cairn_sensor_sector;

#endif
