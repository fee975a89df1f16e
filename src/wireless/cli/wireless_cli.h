/* `cairn wireless ...` (src/wireless/cli/cmd_wireless.c): hotspots,
 * witnesses with their verdicts, and coverage (also as GeoJSON), read from
 * the node API (docs/wireless-chain.md, "Commands"). */
#ifndef CAIRN_WIRELESS_CLI_H
#define CAIRN_WIRELESS_CLI_H

#include <jansson.h>

int cmd_wireless(int argc, char **argv);

/* The GeoJSON FeatureCollection of a /v1/wireless/coverage answer: one
 * Polygon Feature per hex (its corners, closed ring, [lon, lat] in
 * degrees), or a Point with a "radius_m" property when the corners are
 * unknown. A new reference. */
json_t *wireless_geojson(const json_t *coverage);

#endif
