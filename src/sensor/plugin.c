/* The sensor sector's plug-in: what it adds to the node and the command.
 *
 * .commands and .provider stay NULL here until the CLI and agent helpers'
 * code lands: the integrator points .commands at {"sensor", cmd_sensor}
 * (src/sensor/cli/sensor_cli.h) and .provider at cmd_provider_sensor
 * (src/sensor/agent/agent.h). */
#include "sensor/plugin.h"

#include "sectors/sensor/sector.h"

/* src/sensor/node_api.c */
int api_sensor_route(struct node *n, httpd_req *req, const char *path,
                     const char *query);

const cairn_sector_plugin cairn_sensor_plugin = {
    .rules = &cairn_sensor_sector,
    .api_route = api_sensor_route,
    .commands = NULL, /* integrator: {"sensor", cmd_sensor} */
    .provider = NULL, /* integrator: cmd_provider_sensor */
    .usage =
        "Sensors (docs/sensor.md):\n"
        "  sensor pair --device-key D           pair a device to you (the owner)\n"
        "  sensor devices [--owner ADDR]        an owner's devices, level and streak\n"
        "  sensor grant DEVICE APP --priv location|telemetry|all --expiry E --price P\n"
        "  sensor revoke DEVICE APP             stop new keys to an app\n"
        "  sensor transfer DEVICE NEW_OWNER     hand a device over (revokes every grant)\n"
        "  sensor read DEVICE --from T --to T   as an app: decrypt the data granted to you\n"
        "  sensor map tiles | tile ID           agreed tiles; one tile with reports and bounties\n"
        "  sensor map bounty TILE AMOUNT [--epochs N]   fund mapping of a tile\n"
        "  sensor map get TILE                  read a tile's freshest agreed data (spends credits)\n"
        "  provider sensor --device-key D --owner-key O   run a device agent\n",
};
