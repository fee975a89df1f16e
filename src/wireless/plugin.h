/* The wireless sector as the node and the `cairn` command see it: its
 * rules (src/sectors/wireless), API routes, user commands and (later) the
 * hotspot daemon; the one symbol the registry (src/sectors/registry.c)
 * names. */
#ifndef CAIRN_WIRELESS_PLUGIN_H
#define CAIRN_WIRELESS_PLUGIN_H

#include "sectors/registry.h"

extern const cairn_sector_plugin cairn_wireless_plugin;

#endif
