/* Internal to the router daemon (src/wireless/route/). */
#ifndef CAIRN_WIRELESS_ROUTE_INT_H
#define CAIRN_WIRELESS_ROUTE_INT_H

#include "wireless/route/route.h"

/* Runs the daemon on listen ("HOST:PORT") against the node at node_url
 * until SIGTERM/SIGINT. Returns the exit status. */
int rt_run(rt_router *r, const char *listen, const char *node_url);

#endif
