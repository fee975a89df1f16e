/* The compute sector as the node and the `cairn` command see it: its
 * rules (src/sectors/compute), API routes, user commands and provider
 * daemon; the one symbol the registry (src/sectors/registry.c) names. */
#ifndef CAIRN_COMPUTE_PLUGIN_H
#define CAIRN_COMPUTE_PLUGIN_H

#include "sectors/registry.h"

extern const cairn_sector_plugin cairn_compute_plugin;

#endif
