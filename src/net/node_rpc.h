/* Internal: the one client of a node's HTTP/JSON API (docs/api.md), used
 * by the `cairn` command, the storage client and the provider daemons: GET
 * a JSON object (or text), and build, sign and submit a transaction,
 * optionally waiting for its block.
 *
 * Errors: the transport's error when no answer came (CAIRN_ERR_HTTP, or
 * BAD_ARG for a malformed node URL); an API error reply becomes its own
 * cairn_err (the reply's "code"); a reply that is not a JSON object is
 * BAD_JSON. When a snode_err is given it receives the HTTP status of the
 * last reply (0 when none came) and, on failure, one sentence saying what
 * went wrong (the node's own message for an API error). */
#ifndef CAIRN_NET_NODE_RPC_H
#define CAIRN_NET_NODE_RPC_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/crypto.h"
#include "cairn/tx.h"

#define SNODE_TIMEOUT_MS 10000
#define SNODE_SUBMIT_TIMEOUT_MS 45000
#define SNODE_MSG_MAX 256
#define SNODE_URL_MAX 512

/* The HTTP status of a reply and, on failure, the words for it. */
typedef struct snode_err {
    char msg[SNODE_MSG_MAX];
    int status; /* 0: no reply came */
} snode_err;

/* What signing a transaction for this network needs. */
typedef struct snode_ctx {
    char chain_id[CAIRN_CHAIN_ID_MAX + 1];
    uint64_t min_fee;
    uint64_t height;
    int follower; /* 1: the node follows another, takes no tx */
    char following[SNODE_URL_MAX]; /* the URL it follows ("" if unknown) */
} snode_ctx;

/* One request to base+path with an optional JSON body (text); on success
 * (a 2xx reply holding a JSON object) *out is a new reference to it that
 * the caller releases with json_decref. */
cairn_err snode_call(const char *method, const char *base, const char *path,
                     const char *body, int timeout_ms, json_t **out,
                     snode_err *why);
/* snode_call of GET with SNODE_TIMEOUT_MS. */
cairn_err snode_get(const char *base, const char *path, json_t **out,
                    snode_err *why);
/* GETs base+path as text (e.g. /metrics): on a 200 reply *body (malloc'd,
 * NUL-terminated, the caller frees it) and *len; any other status is
 * CAIRN_ERR_HTTP with "the node answered HTTP N to PATH". */
cairn_err snode_get_text(const char *base, const char *path, char **body,
                         size_t *len, snode_err *why);
/* Chain id, minimum fee and height from /v1/status, and whether the node
 * is a follower (and of which URL). */
cairn_err snode_status(const char *base, snode_ctx *ctx, snode_err *why);
/* READ_ONLY, with a message naming the URL to use instead, when ctx (from
 * snode_status of base) is a follower's; else OK. */
cairn_err snode_require_sequencer(const char *base, const snode_ctx *ctx,
                                  snode_err *why);
/* The account's next nonce (counting its pending transactions). */
cairn_err snode_next_nonce(const char *base, const cairn_pubkey *pk,
                           uint64_t *nonce, snode_err *why);
/* POSTs signed transaction bytes to /v1/tx (?wait=1 with wait: the reply
 * comes once its block is committed). *reply (may be NULL) receives the
 * node's answer, a new reference the caller releases; why->status tells
 * 202 (pending) from 200 (committed). */
cairn_err snode_submit(const char *base, const uint8_t *tx, size_t len,
                       int wait, json_t **reply, snode_err *why);
/* Signs a transaction of `kind` with `body` at `nonce` and the minimum
 * fee, and submits it; with wait, returns once its block is committed
 * (*height, may be NULL). */
cairn_err snode_send(const char *base, const snode_ctx *ctx,
                     const cairn_keypair *kp, uint64_t nonce, uint16_t kind,
                     const uint8_t *body, size_t len, int wait,
                     uint64_t *height, snode_err *why);
/* snode_send with the node's chain id and minimum fee and kp's next
 * nonce, read from the node first. */
cairn_err snode_send_next(const char *base, const cairn_keypair *kp,
                          uint16_t kind, const uint8_t *body, size_t len,
                          int wait, uint64_t *height, snode_err *why);

/* JSON field readers: a u64 from a number or a decimal string (0 and -1
 * return when absent or malformed), a 64-hex hash, and an address. */
int snode_u64(const json_t *o, const char *key, uint64_t *v);
int snode_hash(const json_t *o, const char *key, cairn_hash *h);
int snode_addr(const json_t *o, const char *key, cairn_pubkey *pk);

#endif
