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

/* api_econ.c: /v1/proposals, /v1/proposal/ID, /v1/credits/A, /v1/price,
 * /v1/params, /v1/metrics, /metrics. Returns 1 when path was one of them
 * (answered). */
int api_econ_route(node *n, struct evhttp_request *req, const char *path,
                   const char *query);
void api_proposals(node *n, struct evhttp_request *req, const char *query);
void api_proposal(node *n, struct evhttp_request *req, const char *id);
void api_credits(node *n, struct evhttp_request *req, const char *addr);
void api_price(node *n, struct evhttp_request *req);
void api_params(node *n, struct evhttp_request *req);
void api_metrics(node *n, struct evhttp_request *req, const char *query);
void api_prometheus(node *n, struct evhttp_request *req);

/* api_staking.c: /v1/staking, /v1/provider/A, /v1/providers,
 * /v1/delegation/D/P, /v1/unbonding/A. Returns 1 when path was one of them
 * (answered). */
int api_staking_route(node *n, struct evhttp_request *req, const char *path,
                      const char *query);

/* api_storage.c: /v1/deal/ID, /v1/deals, /v1/storage/challenges,
 * /v1/storage/providers, /v1/storage/params. Returns 1 when path was one
 * of them (answered). */
int api_storage_route(node *n, struct evhttp_request *req, const char *path,
                      const char *query);

#endif
