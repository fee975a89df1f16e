/* The sensor sector as the node and the `cairn` command see it: its rules
 * (src/sectors/sensor), API routes (src/sensor/node_api.c), user commands
 * and device agent; the one symbol the registry (src/sectors/registry.c)
 * names. */
#ifndef CAIRN_SENSOR_PLUGIN_H
#define CAIRN_SENSOR_PLUGIN_H

#include "sectors/registry.h"

extern const cairn_sector_plugin cairn_sensor_plugin;

#endif
