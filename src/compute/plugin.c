/* The compute sector's plug-in: what it adds to the node and the command.
 * Its user commands and provider daemon join here when they land. */
#include "compute/plugin.h"

#include "sectors/compute/sector.h"

/* src/compute/node_api.c */
int api_compute_route(struct node *n, httpd_req *req, const char *path,
                      const char *query);

const cairn_sector_plugin cairn_compute_plugin = {
    .rules = &cairn_compute_sector,
    .api_route = api_compute_route,
    .commands = NULL,
    .provider = NULL,
    .usage = "Compute: the node serves /v1/compute/... (docs/api.md); the "
             "commands come with the compute client\n",
};
