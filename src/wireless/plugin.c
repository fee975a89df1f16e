/* The wireless sector's plug-in: what it adds to the node and the
 * command. */
#include "wireless/plugin.h"

#include "sectors/wireless/sector.h"
#include "wireless/cli/wireless_cli.h"

/* src/wireless/node_api.c */
int api_wireless_route(struct node *n, httpd_req *req, const char *path,
                       const char *query);

static const cairn_cli_cmd commands[] = {{"wireless", cmd_wireless},
                                         {NULL, NULL}};

const cairn_sector_plugin cairn_wireless_plugin = {
    .rules = &cairn_wireless_sector,
    .api_route = api_wireless_route,
    .commands = commands,
    /* INTEGRATOR: .provider = cmd_provider_wireless (the hotspot daemon,
     * src/wireless/hotspot/) */
    .provider = NULL,
    .usage =
        "Wireless (docs/wireless-chain.md):\n"
        "  wireless hotspots | hotspot ADDR     hotspots; one with its density scale and beacon slot\n"
        "  wireless witnesses ADDR [--epoch E]  witnesses of its beacon and its reports, with verdicts\n"
        "  wireless coverage [--res R] [--geojson]   hexes with hotspots (GeoJSON for a map)\n",
};
