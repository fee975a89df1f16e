/* The storage sector's plug-in: what it adds to the node and the command. */
#include "storage/plugin.h"

#include "sectors/storage/sector.h"
#include "storage/cli/storage_cli.h"

/* src/storage/node_api.c */
int api_storage_route(struct node *n, httpd_req *req, const char *path,
                      const char *query);
/* src/s3/cmd_s3.c */
int cmd_s3(int argc, char **argv);

static const cairn_cli_cmd commands[] = {
    {"put", cmd_put},       {"get", cmd_get}, {"ls", cmd_ls}, {"rm", cmd_rm},
    {"repair", cmd_repair}, {"s3", cmd_s3},   {NULL, NULL}};

const cairn_sector_plugin cairn_storage_plugin = {
    .rules = &cairn_storage_sector,
    .api_route = api_storage_route,
    .commands = commands,
    .provider = cmd_provider_storage,
    .usage =
        "Storage (key: --key, $CAIRN_KEY or ~/.cairn/key):\n"
        "  put FILE [--k K --n N] [--epochs E | --permanent]   store a file; prints its ID\n"
        "  get ID OUT                           fetch, check and decode it into OUT\n"
        "  ls [--from-chain]                    files stored (rebuilt from chain + key)\n"
        "  status ID                            per segment: pieces alive, deals, paid\n"
        "  rm ID                                end its deals; escrow returns\n"
        "  repair ID                            rebuild lost pieces on new providers\n"
        "  s3 --listen HOST:PORT --keys FILE --store DIR   S3 gateway (docs/s3.md)\n"
        "  provider storage --data DIR --capacity SIZE --key FILE   run a storage provider\n",
};
