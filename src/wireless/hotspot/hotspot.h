/* The hotspot daemon's entry point, for the wireless plug-in's .provider
 * (`cairn provider wireless`, docs/wireless-hotspot.md). */
#ifndef CAIRN_WIRELESS_HOTSPOT_HOTSPOT_H
#define CAIRN_WIRELESS_HOTSPOT_HOTSPOT_H

int cmd_provider_wireless(int argc, char **argv);

#endif
