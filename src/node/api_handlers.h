/* Internal: one function per API endpoint (api_query.c, api_submit.c). */
#ifndef CAIRN_NODE_API_HANDLERS_H
#define CAIRN_NODE_API_HANDLERS_H

#include "node/node_internal.h"

void api_status(node *n, struct evhttp_request *req);
void api_account(node *n, struct evhttp_request *req, const char *rest);
void api_block(node *n, struct evhttp_request *req, const char *id);
void api_blocks(node *n, struct evhttp_request *req, const char *query);
void api_tx(node *n, struct evhttp_request *req, const char *hash);
void api_submit(node *n, struct evhttp_request *req);

#endif
