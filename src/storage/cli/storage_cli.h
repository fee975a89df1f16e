/* The storage commands: `cairn put | get | ls | status ID | rm | repair`
 * (cmd_storage.c, cmd_storage_manage.c) and `cairn provider storage`
 * (cmd_storage_provider.c), and the helpers they share. */
#ifndef CAIRN_CLI_STORAGE_H
#define CAIRN_CLI_STORAGE_H

#include <stdint.h>

#include "cli/cli.h"
#include "storage/client/client.h"

/* Options every client command takes. */
typedef struct stor_opts {
    const char *key; /* --key FILE; default $CAIRN_KEY, else ~/.cairn/key */
    const char
        *store; /* --store DIR; default $CAIRN_STORE, else ~/.cairn/client */
} stor_opts;

/* Opens a client session with the options' key and store. Returns 0, or
 * 1 after printing why. */
int stor_open(const stor_opts *o, sclient *c);
/* Prints the session's failure ("cairn: <why>") and returns 1. */
int stor_fail(const sclient *c, cairn_err e);
/* Parses a byte count: a number with an optional K/KiB, M/MiB, G/GiB or
 * T/TiB suffix (powers of 1024). Returns 0, or 1 after printing. */
int stor_parse_size(const char *s, const char *what, uint64_t *bytes);

int cmd_put(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_storage_status(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_repair(int argc, char **argv);
/* `cairn repair --watch` (cmd_repair_watch.c): checks every file of c's
 * store once per epoch until SIGTERM or SIGINT, repairing those below
 * min_alive (0: each file's default). Returns the exit status. */
int repair_watch(sclient *c, uint32_t min_alive);
/* `cairn status` without an ID is the node's status; with one, a file's. */
int cmd_status_any(int argc, char **argv);
/* `cairn provider storage ...`: the storage provider daemon. */
int cmd_provider_storage(int argc, char **argv);

#endif
