/* Internal: one function per API endpoint (api_query.c, api_submit.c). */
#ifndef CAIRN_NODE_API_HANDLERS_H
#define CAIRN_NODE_API_HANDLERS_H

#include "node/node_internal.h"

void api_status(node *n, httpd_req *req);
void api_account(node *n, httpd_req *req, const char *rest);
void api_block(node *n, httpd_req *req, const char *id);
void api_blocks(node *n, httpd_req *req, const char *query);
void api_tx(node *n, httpd_req *req, const char *hash);
void api_submit(node *n, httpd_req *req);
/* POST /v1/txs: up to API_BATCH_MAX transactions in one body, each
 * admitted as by POST /v1/tx (no waiting); a result per transaction. */
#define API_BATCH_MAX 1000
void api_submit_batch(node *n, httpd_req *req);
/* The body of POST /v1/tx, {"tx": "<hex>"} (len bytes, not terminated):
 * on CAIRN_OK *tx is a new malloc'd buffer of *n bytes (the caller frees
 * it). BAD_JSON for anything else, TOO_LARGE past NODE_MAX_BODY or a
 * transaction past CAIRN_TX_MAX_BYTES; on error *tx is NULL and why
 * (256 bytes) says what is wrong. */
cairn_err api_tx_body_parse(const char *body, size_t len, uint8_t **tx,
                            size_t *n, char why[256]);

/* api_econ.c: /v1/proposals, /v1/proposal/ID, /v1/credits/A, /v1/price,
 * /v1/params, /v1/metrics, /metrics, /v1/rewards. Returns 1 when path was
 * one of them (answered). */
int api_econ_route(node *n, httpd_req *req, const char *path,
                   const char *query);
void api_proposals(node *n, httpd_req *req, const char *query);
void api_proposal(node *n, httpd_req *req, const char *id);
void api_credits(node *n, httpd_req *req, const char *addr);
void api_price(node *n, httpd_req *req);
void api_params(node *n, httpd_req *req);
void api_metrics_series(node *n, httpd_req *req, const char *query);
void api_metrics(node *n, httpd_req *req, const char *query);
void api_prometheus(node *n, httpd_req *req);
/* api_rewards.c: /v1/rewards?epoch=E or ?provider=ADDR. */
void api_rewards(node *n, httpd_req *req, const char *query);

/* api_staking.c: /v1/staking, /v1/provider/A, /v1/providers,
 * /v1/delegation/D/P, /v1/unbonding/A. Returns 1 when path was one of them
 * (answered). */
int api_staking_route(node *n, httpd_req *req, const char *path,
                      const char *query);

/* api_seq.c: GET /v1/sequencers, the genesis' sequencer set with each
 * member's bond, and the tip's term. */
void api_sequencers(node *n, httpd_req *req);

#endif
