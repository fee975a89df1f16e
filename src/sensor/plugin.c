/* The sensor sector's plug-in: what it adds to the node and the command. */
#include "sensor/plugin.h"

#include "sectors/sensor/sector.h"
#include "sensor/agent/agent.h"
#include "sensor/cli/sensor_cli.h"

/* src/sensor/node_api.c */
int api_sensor_route(struct node *n, httpd_req *req, const char *path,
                     const char *query);

static const cairn_cli_cmd commands[] = {{"sensor", cmd_sensor}, {NULL, NULL}};

const cairn_sector_plugin cairn_sensor_plugin = {
    .rules = &cairn_sensor_sector,
    .api_route = api_sensor_route,
    .commands = commands,
    .provider = cmd_provider_sensor,
    .usage =
        "Sensors (docs/sensor.md):\n"
        "  sensor pair --device-key D           pair a device to you (the owner)\n"
        "  sensor devices [--owner ADDR] | device DEVICE   devices, level, streak; one with its grants\n"
        "  sensor grant DEVICE APP --privileges location|telemetry|all --expiry-epochs N --price P\n"
        "  sensor revoke DEVICE APP             stop new keys to an app\n"
        "  sensor transfer DEVICE NEW_OWNER     hand a device over (revokes every grant)\n"
        "  sensor pay DEVICE --periods N --max-price P   as an app: pay for granted data\n"
        "  sensor read DEVICE --from MS --to MS [--out FILE]   as an app: decrypt the data granted to you\n"
        "  sensor map tiles | tile CELL         agreed tiles; one tile with reports and bounties\n"
        "  sensor map bounty CELL AMOUNT --epochs N   fund mapping of a tile (refunded if unmapped)\n"
        "  sensor map get CELL                  a tile's freshest agreed data (spends map credits)\n"
        "  provider sensor --data DIR --device-key D --owner-key O (--drive FILE | --source gpsd://H:P)   run a device agent\n",
};
