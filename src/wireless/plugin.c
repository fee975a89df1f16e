/* The wireless sector's plug-in: what it adds to the node and the
 * command. */
#include "wireless/plugin.h"

#include "sectors/wireless/sector.h"
#include "wireless/cli/wireless_cli.h"
#include "wireless/hotspot/hotspot.h"
#include "wireless/sim/sim.h"

/* src/wireless/node_api.c */
int api_wireless_route(struct node *n, httpd_req *req, const char *path,
                       const char *query);

static const cairn_cli_cmd commands[] = {
    {"wireless", cmd_wireless}, {"sim", cmd_sim}, {NULL, NULL}};

const cairn_sector_plugin cairn_wireless_plugin = {
    .rules = &cairn_wireless_sector,
    .api_route = api_wireless_route,
    .commands = commands,
    .provider = cmd_provider_wireless,
    .usage =
        "Wireless (docs/wireless.md):\n"
        "  wireless hotspots | hotspot ADDR     hotspots; one with its density scale and beacon slot\n"
        "  wireless witnesses ADDR [--epoch E]  witnesses of its beacon and its reports, with verdicts\n"
        "  wireless coverage [--res R] [--geojson]   hexes with hotspots (GeoJSON for a map)\n"
        "  provider wireless --data DIR --key FILE --lat DEG --lon DEG --gain DBI --forwarder H:P   run a hotspot\n"
        "  sim radio --scenario FILE [--seed N] [--log FILE]   play the air for hotspot daemons\n"
        "  sim scenario [--hotspots N] [--liar I] ...   print a generated radio scenario\n",
};
