/* The registry of sectors: the composition root that hands the economy
 * and the ledger the sectors this node runs (docs/sectors.md). The node,
 * the CLI and the tools call the plain cairn_chain_open / create / replay,
 * which open chains with these rules. */
#ifndef CAIRN_SECTORS_REGISTRY_H
#define CAIRN_SECTORS_REGISTRY_H

#include "econ/sector.h"

struct node;
typedef struct httpd_req httpd_req;

/* A command of the `cairn` front end: runs with the arguments after its
 * name; returns the process exit status. */
typedef struct cairn_cli_cmd {
    const char *name;
    int (*run)(int argc, char **argv);
} cairn_cli_cmd;

/* One sector as the node and the command see it: its consensus rules plus
 * its daemon-side parts. Every member but rules may be NULL (a sector
 * reserved but not built yet). */
typedef struct cairn_sector_plugin {
    const econ_sector *rules;
    /* Its node API routes: answers and returns 1 when path is one of
     * them, else 0 (src/node/api.c tries every sector). */
    int (*api_route)(struct node *n, httpd_req *req, const char *path,
                     const char *query);
    const cairn_cli_cmd *commands; /* user commands; {NULL, NULL} ends */
    /* `cairn provider <name> ...`: its provider daemon. */
    int (*provider)(int argc, char **argv);
    const char *usage; /* its lines in `cairn --help` */
} cairn_sector_plugin;

/* The node's sectors, in id order, *n of them (static). */
const cairn_sector_plugin *const *cairn_plugins(size_t *n);
/* The plugin named `name`, or NULL. */
const cairn_sector_plugin *cairn_plugin(const char *name);

/* The node's sectors, in id order (static). */
const econ_registry *cairn_registry(void);
/* The node's rules over that registry (static; built on first use,
 * checked by cairn_registry_check). */
const cairn_rules *cairn_registry_rules(void);

#endif
