/* cairn — the node daemon: block production or following, and the
 * HTTP/JSON API (docs/api.md). */
#ifndef CAIRN_NODE_H
#define CAIRN_NODE_H

#include <stdint.h>

#include "cairn/error.h"

typedef struct cairn_node_opts {
    const char *data_dir;     /* chain directory made by `cairn init` */
    const char *key_path;     /* sequencer key file (sequencer mode only) */
    const char *follow_url;   /* non-NULL: follow this node instead */
    const char *listen;       /* "127.0.0.1:8645" by default */
    uint32_t mempool_max;     /* transactions; 0 = default 100000 */
    uint32_t max_connections; /* API connections at once; 0 = default 1024
                                 (lowered to fit the open-file limit) */
    int quiet;                /* 1: log only warnings and errors */
    const char *web_dir;      /* the dashboard's files; NULL: the installed
                                 share dir, or the source tree's web/ */
    /* Sequencer replica (docs/replicas.md): with key_path, campaigns
     * through the etcd members at etcd_urls ("URL[,URL...]") and leads or
     * stands by. */
    int replica;
    const char *etcd_urls;
    uint32_t lease_ttl_s;  /* the leader's lease; 0 = 3 s */
    const char *advertise; /* the API URL other replicas forward to;
                              NULL: http://<listen> */
} cairn_node_opts;

/* Runs a node until SIGTERM or SIGINT, then stops cleanly (the last block
 * is fully committed or not at all; requests held for a commit are
 * answered 503) and returns CAIRN_OK. Errors at start (bad data dir, key
 * not the sequencer's, port in use: ADDR_IN_USE) are returned after a
 * message on stderr that says what to do, except NOMEM. */
CAIRN_API cairn_err cairn_node_run(const cairn_node_opts *o) CAIRN_WUR;

#endif
