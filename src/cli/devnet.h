/* `cairn devnet` internals: the network's files (cmd_devnet.c) and its two
 * node processes (devnet_proc.c). */
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

#endif
