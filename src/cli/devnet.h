/* `cairn devnet` internals: the network's files (cmd_devnet.c), its two
 * node processes (devnet_proc.c) and its storage providers with a sample
 * file (devnet_storage.c). */
#ifndef CAIRN_CLI_DEVNET_H
#define CAIRN_CLI_DEVNET_H

#include <sys/types.h>

#define DEVNET_PATH_MAX 1024

/* One node process of the devnet. */
typedef struct devnet_node {
    const char *role;          /* "sequencer" or "follower" */
    char data[DEVNET_PATH_MAX];
    char log[DEVNET_PATH_MAX];
    char url[64];              /* http://127.0.0.1:PORT */
    char listen[48];           /* 127.0.0.1:PORT */
    pid_t pid;                 /* 0 when not running */
} devnet_node;

typedef struct devnet {
    const char *dir;
    int port;
    char genesis[DEVNET_PATH_MAX];
    char seq_key[DEVNET_PATH_MAX];
    devnet_node seq, fol;
    int storage;               /* storage provider daemons to run (--storage) */
} devnet;

/* Takes DIR/devnet.lock for the life of this process, so that two devnets
 * never run on one directory. 0, or 1 (printed) if another holds it. */
int devnet_lock(const devnet *d);
/* Blocks SIGINT/SIGTERM/SIGCHLD (they are taken with sigtimedwait), starts
 * the sequencer then the follower, and waits until each answers
 * /v1/status. On failure prints why (with the log's tail), stops whatever
 * started, and returns 1. */
int devnet_start(devnet *d);
/* Waits for SIGINT/SIGTERM (returns 0) or for a node to die (returns 1),
 * then stops both nodes: SIGTERM, and SIGKILL after 10 s. */
int devnet_supervise(devnet *d);
/* Stops whatever runs: storage providers, then both nodes. */
void devnet_stop(devnet *d);

#define DEVNET_STORAGE_MAX 32

/* With d->storage > 0 (devnet_storage.c): funds DIR/keys/storage-I.key
 * from alice, starts that many `cairn provider storage` processes (data
 * DIR/storage-I, log DIR/storage-I.log, port P+100+I), waits until each
 * registered, and stores a sample file once (as alice, store DIR/client).
 * 0, or 1 after printing why (the caller stops everything). */
int devnet_storage_start(devnet *d);
/* 1 (after reporting it) if a provider process has ended. */
int devnet_storage_reap(devnet *d);
/* Prints one line per new epoch: the sample file's pieces alive, proven
 * and paid. Called about once a second. */
void devnet_storage_tick(devnet *d);
/* What the banner says about storage. */
void devnet_storage_banner(const devnet *d);
/* SIGTERM to each provider, SIGKILL after 10 s. */
void devnet_storage_stop(devnet *d);

#endif
