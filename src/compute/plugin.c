/* The compute sector's plug-in: what it adds to the node and the command. */
#include "compute/plugin.h"

#include "compute/cli/compute_cli.h"
#include "compute/provider/cprov.h"
#include "sectors/compute/sector.h"

/* src/compute/node_api.c */
int api_compute_route(struct node *n, httpd_req *req, const char *path,
                      const char *query);

/* src/compute/validator/val_main.c */
int cmd_validator(int argc, char **argv);

static const cairn_cli_cmd commands[] = {{"compute", cmd_compute},
                                         {"subnet", cmd_subnet},
                                         {"validator", cmd_validator},
                                         {NULL, NULL}};

const cairn_sector_plugin cairn_compute_plugin = {
    .rules = &cairn_compute_sector,
    .api_route = api_compute_route,
    .commands = commands,
    .provider = cmd_provider_compute,
    .usage =
        "Compute (key: --key, $CAIRN_KEY or ~/.cairn/key; docs/compute.md):\n"
        "  compute deploy MANIFEST [--pick]     post an order, take the best bid; prints LEASE\n"
        "  compute ls | status LEASE            your leases; one lease and its workload\n"
        "  compute logs LEASE [--follow]        the workload's output\n"
        "  compute fetch LEASE PATH [OUT]       a file of its work directory\n"
        "  compute deposit LEASE TOKENS | close LEASE   top up; end it\n"
        "  compute tunnel LEASE [--listen H:P]  reach its published port\n"
        "  subnet ls | show NAME                subnets: members, consensus, incentive, dividends\n"
        "  subnet create NAME --type T | join NAME --role miner|validator [--stake T] | leave NAME\n"
        "  subnet commit|reveal NAME --weights UID:W,... --salt HEX64   a validator's weights\n"
        "  provider compute --data DIR --key FILE --cpus N --memory SIZE --disk SIZE   run a compute provider\n"
        "  validator --subnet NAME --data DIR --key FILE [--stake TOKENS]   check a subnet's miners\n",
};
