/* `cairn devnet` internals: a group of provider daemons of one sector
 * (storage, compute), each a separate process with its own key, funded by
 * alice, registered on chain, restarted when it ends and stopped with the
 * devnet. devnet_storage.c and devnet_compute.c each run one group. */
#ifndef CAIRN_CLI_DEVNET_GROUP_H
#define CAIRN_CLI_DEVNET_GROUP_H

#include "cairn/crypto.h"
#include "cli/devnet.h"

#define DEVNET_ARGV_MAX 40

typedef struct devnet_group devnet_group;

struct devnet_group {
    const char *sector; /* "storage": its keys are DIR/keys/storage-I.key */
    const char *label;  /* "storage provider" (lines and process names) */
    int n;
    int port_base; /* provider i's first port: port_base + ports * i */
    int ports;     /* ports each provider listens on */
    devnet_node p[DEVNET_STORAGE_MAX];
    char key[DEVNET_STORAGE_MAX][DEVNET_PATH_MAX];
    cairn_pubkey pk[DEVNET_STORAGE_MAX];
    /* Fills argv[0..max) after "cairn --node URL provider SECTOR" for
     * provider i (NULL-terminated; strings must outlive the exec). */
    void (*args)(const devnet *d, const devnet_group *g, int i, char **argv,
                 int max);
    /* NULL: "provider SECTOR", daemons that register as providers and
     * listen (the start waits for both). Else the command after
     * "cairn --node URL" (e.g. "validator"): the start waits for nothing. */
    const char *command;
    int udp;      /* its first port is UDP: the start does not wait for it */
    int keyless;  /* needs no key (and no funds): e.g. the radio simulator */
    int nolisten; /* listens on no port (e.g. a sensor device agent) */
};

/* Makes or loads the keys, funds them from alice, starts the providers
 * and waits until each is registered (and active) on chain and listens
 * on its first port. 0, or 1 after printing why. */
int devnet_group_start(devnet *d, devnet_group *g);
/* Reaps providers that ended (one line each) and starts again those whose
 * restart is due. */
void devnet_group_watch(devnet *d, devnet_group *g);
/* SIGTERM to each provider, SIGKILL after 10 s. */
void devnet_group_stop(devnet_group *g);
/* Runs `cairn --node SEQ ARGS...` (NULL-terminated) to its end, at most
 * 60 s, its output appended to DIR/log_name. 0, or 1 after printing why. */
int devnet_run_cli(const devnet *d, const char *log_name, char *const args[]);
/* Milliseconds of sleep. */
void devnet_sleep_ms(int ms);

#endif
